//! The receipt as a document: a list of blocks (centred text, label/amount rows, rules, the QR
//! code) built from a completed sale or refund, in one language and for one paper width. The
//! till's printer (ESC/POS and raster, in `pos-print`), its screen and the back office's portal
//! all draw this same document, so what the accountant opens is what the customer was handed.
//! Amounts are the sale's own, never recomputed here. No IO.

use serde::{Deserialize, Serialize};

use crate::{Lang, Money, Paper, Sale, SaleKind, Tender};

pub mod labels;

use labels::{label, Label};

/// Who and where, printed at the top: kept in the till's settings (`pos store set`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreHeader {
    pub name: String,
    pub address: String,
    pub nif: String,
    pub rc: String,
    pub phone: String,
    pub terminal: String,
    pub footer: String,
    /// Printed in the QR code before the sale id, so a phone can check the receipt.
    pub verify_url: Option<String>,
    /// Minutes east of UTC for printed times (Algeria: +60, no summer time).
    pub utc_offset_min: i32,
}

/// Names of the people and products that the sale row does not carry.
#[derive(Clone, Debug, Default)]
pub struct SaleNames {
    pub cashier: String,
    /// The terminal that made the sale, which is not always the one printing it.
    pub terminal: String,
    /// Arabic product names by product id, for Arabic receipts.
    pub arabic: std::collections::HashMap<uuid::Uuid, String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Align {
    /// The language's reading start: left in French and English, right in Arabic.
    Start,
    Centre,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    /// A paragraph, wrapped to the paper by whoever draws it.
    Text {
        text: String,
        align: Align,
        big: bool,
    },
    /// A label at the start and an amount at the end of the line.
    Row {
        label: String,
        value: String,
        big: bool,
    },
    Rule,
    /// A QR code with this payload.
    Qr {
        payload: String,
    },
    /// A blank line.
    Feed,
}

/// A receipt ready to draw: blocks plus what the printer must do besides printing.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Receipt {
    pub lang: Lang,
    pub paper: Paper,
    pub blocks: Vec<Block>,
    /// Kick the cash drawer (cash sales, "no sale").
    pub open_drawer: bool,
}

/// A document being built, in one language: the blocks and the words of the receipt.
pub struct Doc {
    pub lang: Lang,
    pub blocks: Vec<Block>,
}

impl Doc {
    pub fn new(lang: Lang) -> Doc {
        Doc {
            lang,
            blocks: Vec::new(),
        }
    }

    pub fn text(&mut self, text: impl Into<String>, align: Align) {
        let text = text.into();
        if !text.trim().is_empty() {
            self.blocks.push(Block::Text {
                text,
                align,
                big: false,
            });
        }
    }

    pub fn big(&mut self, text: impl Into<String>) {
        self.blocks.push(Block::Text {
            text: text.into(),
            align: Align::Centre,
            big: true,
        });
    }

    pub fn row(&mut self, label: impl Into<String>, value: impl Into<String>) {
        self.blocks.push(Block::Row {
            label: label.into(),
            value: value.into(),
            big: false,
        });
    }

    pub fn l(&self, key: Label) -> &'static str {
        label(self.lang, key)
    }

    pub fn money(&self, m: Money) -> String {
        format!(
            "{} {}",
            self.ltr(&m.format_plain()),
            self.l(Label::Currency)
        )
    }

    /// Numbers and Latin text inside an Arabic line keep their own order (a bidi isolate), so
    /// `1 680,00` or a phone number is not split at its spaces.
    pub fn ltr(&self, s: &str) -> String {
        match self.lang {
            Lang::Ar => format!("\u{2066}{s}\u{2069}"),
            _ => s.to_owned(),
        }
    }

    pub fn header(&mut self, h: &StoreHeader) {
        self.big(h.name.clone());
        self.text(h.address.clone(), Align::Centre);
        if !h.phone.is_empty() {
            self.text(
                format!("{} {}", self.l(Label::Phone), self.ltr(&h.phone)),
                Align::Centre,
            );
        }
        if !h.nif.is_empty() {
            self.text(
                format!("{} {}", self.l(Label::Nif), self.ltr(&h.nif)),
                Align::Centre,
            );
        }
        if !h.rc.is_empty() {
            self.text(
                format!("{} {}", self.l(Label::Rc), self.ltr(&h.rc)),
                Align::Centre,
            );
        }
        self.blocks.push(Block::Rule);
    }
}

/// The receipt of a sale or refund. `reprint` marks the paper as a copy.
pub fn sale_receipt(
    sale: &Sale,
    header: &StoreHeader,
    names: &SaleNames,
    paper: Paper,
    lang: Lang,
    reprint: bool,
) -> Receipt {
    let mut b = Doc {
        lang,
        blocks: Vec::with_capacity(24 + sale.lines.len() * 3),
    };
    b.header(header);
    if reprint {
        b.big(format!("*** {} ***", b.l(Label::Reprint)));
    }
    if sale.kind == SaleKind::Refund {
        b.big(format!("*** {} ***", b.l(Label::Refund)));
    }
    b.row(
        format!("{} {}", b.l(Label::ReceiptNo), sale.receipt_no),
        b.ltr(&format_time(sale.created_at_ms, header.utc_offset_min)),
    );
    b.row(b.l(Label::Terminal), names.terminal.clone());
    b.row(b.l(Label::Cashier), names.cashier.clone());
    b.blocks.push(Block::Rule);
    for l in &sale.lines {
        let name = match lang {
            Lang::Ar => names
                .arabic
                .get(&l.product_id)
                .filter(|n| !n.trim().is_empty())
                .cloned()
                .unwrap_or_else(|| l.name.clone()),
            _ => l.name.clone(),
        };
        b.text(name, Align::Start);
        b.row(
            b.ltr(&format!(
                "  {} x {}",
                l.unit.quantity_text(l.qty),
                l.unit_price.format_plain()
            )),
            b.ltr(&l.gross.format_plain()),
        );
        if !l.line_discount.is_zero() {
            b.row(
                format!("  {}", b.l(Label::Discount)),
                b.ltr(&(-l.line_discount).format_plain()),
            );
        }
    }
    b.blocks.push(Block::Rule);
    b.row(b.l(Label::Subtotal), b.money(sale.subtotal));
    let order_discount: Money = sale.lines.iter().map(|l| l.order_discount).sum();
    if !order_discount.is_zero() {
        b.row(b.l(Label::Discount), b.money(-order_discount));
    }
    b.blocks.push(Block::Row {
        label: b.l(Label::Total).to_owned(),
        value: b.money(sale.total),
        big: true,
    });
    b.blocks.push(Block::Rule);
    for t in &sale.taxes {
        b.row(
            format!("{} {}", b.l(Label::Tva), b.ltr(&t.rate.to_string())),
            "",
        );
        b.row(
            format!("  {}", b.l(Label::BaseHt)),
            b.ltr(&t.base.format_plain()),
        );
        b.row(
            format!("  {}", b.l(Label::Tax)),
            b.ltr(&t.tax.format_plain()),
        );
        b.row(
            format!("  {}", b.l(Label::Ttc)),
            b.ltr(&t.total.format_plain()),
        );
    }
    if !sale.taxes.is_empty() {
        b.blocks.push(Block::Rule);
    }
    for p in &sale.payments {
        let name = match p.tender {
            Tender::Cash => b.l(Label::Cash),
            Tender::Card => b.l(Label::Card),
        };
        let name = match &p.reference {
            Some(r) => format!("{name} ({r})"),
            None => name.to_owned(),
        };
        b.row(name, b.money(p.tendered));
    }
    if !sale.change.is_zero() {
        b.row(b.l(Label::Change), b.money(sale.change));
    }
    b.blocks.push(Block::Feed);
    let footer = if header.footer.trim().is_empty() {
        b.l(Label::Thanks).to_owned()
    } else {
        header.footer.clone()
    };
    b.text(footer, Align::Centre);
    let payload = match &header.verify_url {
        Some(url) if !url.trim().is_empty() => format!("{}{}", url.trim(), sale.id),
        _ => sale.id.to_string(),
    };
    b.blocks.push(Block::Qr { payload });
    b.text(sale.id.to_string(), Align::Centre);
    let open_drawer = !reprint
        && sale
            .payments
            .iter()
            .any(|p| p.tender == Tender::Cash && !p.tendered.is_zero());
    Receipt {
        lang,
        paper,
        blocks: b.blocks,
        open_drawer,
    }
}

/// `dd/mm/yyyy hh:mm` for a unix time in milliseconds, at a fixed UTC offset.
pub fn format_time(ms: i64, offset_min: i32) -> String {
    let secs = ms.div_euclid(1000) + i64::from(offset_min) * 60;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // civil date from days since 1970-01-01 (H. Hinnant's algorithm)
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{d:02}/{m:02}/{y:04} {:02}:{:02}",
        rem / 3600,
        (rem % 3600) / 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_times_in_algeria() {
        // 2026-11-24 09:30:00 UTC is 10:30 in Algiers.
        assert_eq!(format_time(1_795_512_600_000, 60), "24/11/2026 10:30");
        assert_eq!(format_time(0, 0), "01/01/1970 00:00");
    }
}
