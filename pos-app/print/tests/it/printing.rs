//! Receipts as the printer gets them: ESC/POS bytes decoded back into lines, QR payloads, cuts,
//! drawer pulses and raster blocks; golden PNG previews in French, Arabic and English at both
//! widths (`UPDATE_GOLDEN=1` rewrites them); the awkward receipts (long names, 200 lines, zero
//! total, refunds, characters the code page does not have).
#![allow(clippy::unwrap_used)]

use pos_print::escpos::{self, encode_pc858, EncodeOptions};
use pos_print::TillPrinting;
use pos_print::{png, raster, Format, Lang, Paper};
use pos_shared::{Discount, Money};
use pos_testkit::printer::decode;
use pos_testkit::shop::{card, cash, fixed_shop, items, sell};

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/receipts");

fn bytes(
    shop: &pos_testkit::shop::Shop,
    sale: &pos_shared::Sale,
    paper: Paper,
    lang: Lang,
) -> Vec<u8> {
    shop.till
        .render_receipt(sale, paper, lang, Format::EscPos)
        .unwrap()
}

#[test]
fn a_cash_sale_decodes_to_its_receipt_qr_cut_and_drawer_pulse() {
    let dir = tempfile::tempdir().unwrap();
    let mut shop = fixed_shop(dir.path());
    // 0 %, 9 % and 19 % TVA; 50 DA handed over more than due.
    let sale = sell(
        &mut shop,
        &["6130502000100", "6130403000100*2", "6130402000101"],
        &[cash(Some(60_000))],
    );
    let d = decode(&bytes(&shop, &sale, Paper::Mm80, Lang::Fr));
    assert_eq!(d.code_page, Some(19), "PC858 selected");
    assert_eq!(d.qr, vec![sale.id.to_string()]);
    assert_eq!(d.cuts, 1);
    assert_eq!(d.pulses, vec![(0, 25, 250)], "the full ESC p m t1 t2 kick");
    assert!(d.rasters.is_empty());
    let text = d.text();
    assert!(text.iter().all(|l| l.chars().count() <= 48), "{text:#?}");
    assert!(text.iter().any(|l| l.contains("Superette El Baraka")));
    assert!(text.iter().any(|l| l.contains("NIF 000016001234567")));
    assert!(
        text.iter()
            .any(|l| l.starts_with("Ticket n° 1 ") && l.ends_with("24/11/2026 10:00")),
        "{text:#?}"
    );
    assert!(text
        .iter()
        .any(|l| l.contains("Caissier") && l.ends_with("Amina")));
    assert!(text.contains(&"Sucre blanc cristallisé Skor 1 kg".to_owned()));
    let total_line = text.iter().find(|l| l.starts_with("TOTAL")).unwrap();
    assert!(total_line.ends_with(&format!("{} DA", sale.total.format_plain())));
    for t in &sale.taxes {
        assert!(text.contains(&format!("TVA {}", t.rate)), "{text:#?}");
        assert!(text
            .iter()
            .any(|l| l.starts_with("  Taxe") && l.ends_with(&t.tax.format_plain())));
    }
    assert!(text
        .iter()
        .any(|l| l.starts_with("Espèces") && l.ends_with("600,00 DA")));
    let change = sale.change.format_plain();
    assert!(text
        .iter()
        .any(|l| l.starts_with("Rendu") && l.ends_with(&format!("{change} DA"))));
}

#[test]
fn card_sales_and_reprints_do_not_open_the_drawer() {
    let dir = tempfile::tempdir().unwrap();
    let mut shop = fixed_shop(dir.path());
    let sale = sell(&mut shop, &["6130502000100"], &[card()]);
    let d = decode(&bytes(&shop, &sale, Paper::Mm58, Lang::En));
    assert!(d.pulses.is_empty());
    assert!(d.text().iter().any(|l| l.starts_with("Card (CIB-0001)")));
    let cash_sale = sell(&mut shop, &["6130502000100"], &[cash(None)]);
    let reprint = shop
        .till
        .paper_receipt(&cash_sale, Paper::Mm58, Lang::Fr, true)
        .unwrap();
    let d = decode(&escpos::encode(&reprint, &EncodeOptions::default()).unwrap());
    assert!(d.pulses.is_empty(), "a copy never opens the drawer");
    assert!(d.text().iter().any(|l| l.trim() == "*** DUPLICATA ***"));
}

#[test]
fn long_names_wrap_inside_the_paper() {
    let dir = tempfile::tempdir().unwrap();
    let mut shop = fixed_shop(dir.path());
    let sale = sell(&mut shop, &["6130999000102"], &[cash(None)]);
    let name = "Huile d'olive vierge extra de Kabylie 1 L";
    for (paper, cols) in [(Paper::Mm58, 32), (Paper::Mm80, 48)] {
        let text = decode(&bytes(&shop, &sale, paper, Lang::Fr)).text();
        assert!(text.iter().all(|l| l.chars().count() <= cols), "{text:#?}");
        // On one line when it fits, else split at spaces over consecutive lines.
        assert_eq!(
            text.iter().any(|l| l == name),
            name.len() <= cols,
            "{paper:?}"
        );
        let first = text
            .iter()
            .position(|l| name.starts_with(l.as_str()))
            .unwrap();
        assert!(text[first].len() > 10);
        let mut rebuilt = text[first].clone();
        for l in &text[first + 1..] {
            if rebuilt.len() >= name.len() {
                break;
            }
            rebuilt = format!("{rebuilt} {l}");
        }
        assert_eq!(rebuilt, name, "{paper:?}");
    }
}

#[test]
fn two_hundred_lines_print_in_text_and_raster() {
    let dir = tempfile::tempdir().unwrap();
    let mut shop = fixed_shop(dir.path());
    let codes: Vec<String> = (0..200)
        .map(|i| ["6130502000100", "6130403000100", "6130402000101"][i % 3].to_owned())
        .collect();
    let codes: Vec<&str> = codes.iter().map(String::as_str).collect();
    let sale = sell(&mut shop, &codes, &[cash(None)]);
    assert_eq!(sale.lines.len(), 200);
    let d = decode(&bytes(&shop, &sale, Paper::Mm58, Lang::Fr));
    let text = d.text();
    assert_eq!(text.iter().filter(|l| l.starts_with("  1 x ")).count(), 200);
    assert!(text.iter().any(
        |l| l.starts_with("TOTAL") && l.ends_with(&format!("{} DA", sale.total.format_plain()))
    ));
    let d = decode(&bytes(&shop, &sale, Paper::Mm80, Lang::Ar));
    assert!(d.text().is_empty(), "Arabic goes as raster only");
    let rows: u32 = d.rasters.iter().map(|r| r.1).sum();
    assert!(d.rasters.iter().all(|r| r.0 == 576));
    assert!(rows > 200 * 2 * 24, "{rows} rows for 200 lines");
    assert_eq!(d.qr, vec![sale.id.to_string()]);
}

#[test]
fn zero_total_and_refund_receipts() {
    let dir = tempfile::tempdir().unwrap();
    let mut shop = fixed_shop(dir.path());
    let free = shop
        .till
        .quick_sale(
            &shop.amina,
            &items(&["6130502000100"]),
            Some(Discount::Percent(10_000)),
            &[cash(None)],
            Some("9999"),
        )
        .unwrap();
    assert!(free.total.is_zero());
    let d = decode(&bytes(&shop, &free, Paper::Mm58, Lang::Fr));
    assert!(d
        .text()
        .iter()
        .any(|l| l.starts_with("TOTAL") && l.ends_with("0,00 DA")));
    assert!(d.pulses.is_empty(), "nothing handed over, nothing to open");
    let sale = sell(&mut shop, &["6130402000101*2"], &[cash(None)]);
    let karim = shop.karim.clone();
    let refund = shop
        .till
        .refund(
            &karim,
            &sale.id.to_string(),
            &items(&["6130402000101"]),
            &[cash(None)],
            None,
        )
        .unwrap();
    let text = decode(&bytes(&shop, &refund, Paper::Mm80, Lang::Fr)).text();
    assert!(text.iter().any(|l| l.trim() == "*** REMBOURSEMENT ***"));
    assert!(text
        .iter()
        .any(|l| l.starts_with("TOTAL")
            && l.ends_with(&format!("{} DA", refund.total.format_plain()))));
    let en = decode(&bytes(&shop, &refund, Paper::Mm80, Lang::En)).text();
    assert!(en.iter().any(|l| l.trim() == "*** REFUND ***"));
}

#[test]
fn characters_outside_the_code_page_are_replaced_visibly() {
    assert_eq!(encode_pc858("Thé 🍵 ж €"), b"Th\x82 ? ? \xD5".to_vec());
    assert_eq!(
        encode_pc858("Œuf – « l’été »"),
        b"OEuf - \xAE l'\x82t\x82 \xAF".to_vec()
    );
    let dir = tempfile::tempdir().unwrap();
    let mut shop = fixed_shop(dir.path());
    shop.till
        .set_store_details(
            &shop.karim,
            &[("name".into(), "Épicerie ☕ Saïd 日本".into())],
        )
        .unwrap();
    let sale = sell(&mut shop, &["6130502000100"], &[cash(None)]);
    let d = decode(&bytes(&shop, &sale, Paper::Mm80, Lang::Fr));
    assert!(
        d.text().iter().any(|l| l.trim() == "Épicerie ? Saïd ??"),
        "{:#?}",
        d.text()
    );
    // Every text byte is ASCII or a PC858 letter: no UTF-8 lead bytes of é (0xC3) or ☕ (0xE2).
    assert!(!d.text_bytes.contains(&0xC3) && !d.text_bytes.contains(&0xE2));
}

#[test]
fn arabic_paper_raster_is_the_preview_raster() {
    let dir = tempfile::tempdir().unwrap();
    let mut shop = fixed_shop(dir.path());
    let sale = sell(
        &mut shop,
        &["6130502000100", "6130402000101"],
        &[cash(None)],
    );
    let receipt = shop
        .till
        .paper_receipt(&sale, Paper::Mm58, Lang::Ar, false)
        .unwrap();
    let paper = escpos::encode(&receipt, &EncodeOptions::default()).unwrap();
    let d = decode(&paper);
    assert_eq!(d.qr, vec![sale.id.to_string()]);
    assert_eq!(d.pulses.len(), 1);
    let preview = raster::preview(&receipt, None).unwrap();
    assert_eq!(preview.width, 384);
    // The first GS v 0 block is the top of the preview, dot for dot.
    let start = paper
        .windows(4)
        .position(|w| w == [0x1D, b'v', b'0', 0])
        .unwrap();
    let rows = d.rasters[0].1;
    let block = &paper[start + 8..start + 8 + (48 * rows) as usize];
    assert_eq!(block, &preview.packed_rows()[..(48 * rows) as usize]);
    assert!(
        block.iter().filter(|b| **b != 0).count() > 500,
        "ink on the paper"
    );
}

#[test]
fn golden_previews_in_three_languages_at_both_widths() {
    let dir = tempfile::tempdir().unwrap();
    let mut shop = fixed_shop(dir.path());
    shop.till
        .set_store_details(
            &shop.karim,
            &[("verify_url".into(), "https://verifier.example.dz/r/".into())],
        )
        .unwrap();
    let sale = sell(
        &mut shop,
        &[
            "6130502000100",
            "6130403000100*2",
            "6130999000102",
            "6130402000101",
        ],
        &[
            pos_core::till::TenderInput {
                tender: pos_shared::Tender::Card,
                amount: Some(Money::from_centimes(100_000)),
                reference: Some("CIB-0001".into()),
            },
            cash(Some(200_000)),
        ],
    );
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut checked = 0;
    for lang in [Lang::Fr, Lang::Ar, Lang::En] {
        for paper in [Paper::Mm58, Paper::Mm80] {
            let png_bytes = shop
                .till
                .render_receipt(&sale, paper, lang, Format::Png)
                .unwrap();
            let got = png::decode(&png_bytes).unwrap();
            assert_eq!(got.width, paper.dots());
            let path = format!("{GOLDEN}/sale-{}-{}.png", lang.code(), paper.mm());
            if update {
                std::fs::create_dir_all(GOLDEN).unwrap();
                std::fs::write(&path, &png_bytes).unwrap();
            }
            let want = png::decode(
                &std::fs::read(&path)
                    .unwrap_or_else(|e| panic!("{path}: {e} (UPDATE_GOLDEN=1 writes it)")),
            )
            .unwrap();
            assert_eq!((got.width, got.height), (want.width, want.height), "{path}");
            let differ = got
                .pixels
                .iter()
                .zip(&want.pixels)
                .filter(|(a, b)| a != b)
                .count();
            assert_eq!(
                differ, 0,
                "{path}: {differ} dots differ from the golden preview"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 6);
}

#[test]
fn logos_are_dithered_and_sent_as_raster() {
    // A left-to-right grey ramp: the share of black dots follows the darkness.
    let (w, h) = (200u32, 40u32);
    let grey: Vec<u8> = (0..w * h)
        .map(|i| ((i % w) * 255 / (w - 1)) as u8)
        .collect();
    let logo = raster::dither(&grey, w, h, 192).unwrap();
    assert_eq!((logo.width, logo.height), (192, 38));
    let black = |x0: u32, x1: u32| {
        (0..logo.height)
            .flat_map(|y| (x0..x1).map(move |x| (x, y)))
            .filter(|&(x, y)| logo.get(x, y))
            .count()
    };
    let (dark, mid, light) = (black(0, 40), black(76, 116), black(152, 192));
    assert!(dark > mid && mid > light, "{dark} {mid} {light}");
    let half = 40 * 38 / 2;
    assert!(
        mid.abs_diff(half) < half / 4,
        "mid-grey is about half black: {mid}"
    );
    assert!(raster::dither(&grey, w, h + 1, 192).is_err());
    let dir = tempfile::tempdir().unwrap();
    let mut shop = fixed_shop(dir.path());
    let sale = sell(&mut shop, &["6130502000100"], &[cash(None)]);
    let receipt = shop
        .till
        .paper_receipt(&sale, Paper::Mm80, Lang::Fr, false)
        .unwrap();
    let d = decode(&escpos::encode(&receipt, &EncodeOptions { logo: Some(logo) }).unwrap());
    assert_eq!(d.rasters, vec![(192, 38)]);
    assert_eq!(d.qr.len(), 1);
}
