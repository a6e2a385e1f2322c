//! The till's paper documents besides a sale's receipt (which is `pos_shared::receipt`, shared
//! with the back office): the X/Z shift report and the printer's test page, built with the same
//! [`Doc`] blocks so the ESC/POS encoder and the raster renderer draw them alike.

use pos_core::till::ShiftReport;
use pos_shared::receipt::labels::Label;
pub use pos_shared::receipt::{sale_receipt, Align, Block, Doc, Receipt, SaleNames, StoreHeader};
pub use pos_shared::{Lang, Paper};
use pos_shared::{Money, Tender};

use super::text::format_time;

/// The X (open shift) or Z (closed shift) report on paper.
pub fn shift_report(
    report: &ShiftReport,
    header: &StoreHeader,
    paper: Paper,
    lang: Lang,
) -> Receipt {
    let mut b = Doc::new(lang);
    b.header(header);
    let title = if report.closed_at_ms.is_some() {
        b.l(Label::ZReport)
    } else {
        b.l(Label::XReport)
    };
    b.big(title);
    b.row(b.l(Label::Terminal), report.terminal.clone());
    b.row(b.l(Label::OpenedBy), report.opened_by.clone());
    b.row(
        b.l(Label::Opened),
        format_time(report.opened_at_ms, header.utc_offset_min),
    );
    if let Some(closed) = report.closed_at_ms {
        b.row(
            b.l(Label::Closed),
            format_time(closed, header.utc_offset_min),
        );
    }
    b.blocks.push(Block::Rule);
    // A blind report counts the sales and refunds without their amounts.
    let amount = |b: &Doc, m: Option<Money>| m.map(|m| b.money(m)).unwrap_or_default();
    b.row(
        format!("{} ({})", b.l(Label::Sales), report.sales_count),
        amount(&b, report.sales_total),
    );
    b.row(
        format!("{} ({})", b.l(Label::Refunds), report.refunds_count),
        amount(&b, report.refunds_total),
    );
    if let Some(discounts) = report.discounts {
        b.row(b.l(Label::Discount), b.money(discounts));
    }
    if let Some(net) = report.net_total {
        b.blocks.push(Block::Row {
            label: b.l(Label::Total).to_owned(),
            value: b.money(net),
            big: true,
        });
    }
    b.blocks.push(Block::Rule);
    for t in &report.by_tender {
        let name = match t.tender {
            Tender::Cash => b.l(Label::Cash),
            Tender::Card => b.l(Label::Card),
        };
        b.row(name, b.money(t.net));
    }
    for t in &report.taxes {
        b.row(
            format!("{} {}", b.l(Label::Tva), t.rate),
            t.tax.format_plain(),
        );
    }
    b.blocks.push(Block::Rule);
    if let Some(float) = report.float {
        b.row(b.l(Label::Float), b.money(float));
    }
    if let Some(expected) = report.expected_cash {
        b.row(b.l(Label::Expected), b.money(expected));
    }
    if let Some(c) = report.counted_cash {
        b.row(b.l(Label::Counted), b.money(c));
    }
    if let Some(d) = report.difference {
        b.row(b.l(Label::Difference), b.money(d));
    }
    Receipt {
        lang,
        paper,
        blocks: b.blocks,
        open_drawer: false,
    }
}

/// The page `pos printer test` prints: header, accents, a QR code, the cut.
pub fn test_page(header: &StoreHeader, paper: Paper, lang: Lang, uri: &str) -> Receipt {
    let mut b = Doc::new(lang);
    b.header(header);
    b.big(b.l(Label::TestPage));
    b.text(uri.to_owned(), Align::Centre);
    b.text(
        format!(
            "{} mm, {} {}",
            paper.mm(),
            paper.cols(),
            b.l(Label::Columns)
        ),
        Align::Centre,
    );
    b.text("àâçéèêëîïôùûü ÀÇÉÈ € 0123456789", Align::Start);
    b.blocks.push(Block::Rule);
    b.blocks.push(Block::Qr {
        payload: format!("TEST {uri}"),
    });
    Receipt {
        lang,
        paper,
        blocks: b.blocks,
        open_drawer: false,
    }
}
