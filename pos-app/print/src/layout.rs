//! The paper receipt as a document: a list of blocks (centred text, label/amount rows, rules, the
//! QR code) built from a completed sale, a refund or a shift report, in one language and for one
//! paper width. The ESC/POS encoder and the raster renderer both draw this same document, so the
//! PNG preview and the paper agree. Amounts are the sale's own, never recomputed here.

pub use pos_core::printing::settings::{SaleNames, StoreHeader};
use pos_core::till::ShiftReport;
pub use pos_shared::{Lang, Paper};
use pos_shared::{Money, Sale, SaleKind, Tender};

use super::labels::{label, Label};
use super::text::format_time;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    /// The language's reading start: left in French and English, right in Arabic.
    Start,
    Centre,
}

#[derive(Clone, Debug, PartialEq)]
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
    Qr(String),
    /// A blank line.
    Feed,
}

/// A receipt ready to draw: blocks plus what the printer must do besides printing.
#[derive(Clone, Debug, PartialEq)]
pub struct Receipt {
    pub lang: Lang,
    pub paper: Paper,
    pub blocks: Vec<Block>,
    /// Kick the cash drawer (cash sales, "no sale").
    pub open_drawer: bool,
}

struct Builder {
    lang: Lang,
    blocks: Vec<Block>,
}

impl Builder {
    fn text(&mut self, text: impl Into<String>, align: Align) {
        let text = text.into();
        if !text.trim().is_empty() {
            self.blocks.push(Block::Text {
                text,
                align,
                big: false,
            });
        }
    }

    fn big(&mut self, text: impl Into<String>) {
        self.blocks.push(Block::Text {
            text: text.into(),
            align: Align::Centre,
            big: true,
        });
    }

    fn row(&mut self, label: impl Into<String>, value: impl Into<String>) {
        self.blocks.push(Block::Row {
            label: label.into(),
            value: value.into(),
            big: false,
        });
    }

    fn l(&self, key: Label) -> &'static str {
        label(self.lang, key)
    }

    fn money(&self, m: Money) -> String {
        format!(
            "{} {}",
            self.ltr(&m.format_plain()),
            self.l(Label::Currency)
        )
    }

    /// Numbers and Latin text inside an Arabic line keep their own order (a bidi isolate), so
    /// `1 680,00` or a phone number is not split at its spaces.
    fn ltr(&self, s: &str) -> String {
        match self.lang {
            Lang::Ar => format!("\u{2066}{s}\u{2069}"),
            _ => s.to_owned(),
        }
    }

    fn header(&mut self, h: &StoreHeader) {
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
    let mut b = Builder {
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
    b.blocks.push(Block::Qr(payload));
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

/// The X (open shift) or Z (closed shift) report on paper.
pub fn shift_report(
    report: &ShiftReport,
    header: &StoreHeader,
    paper: Paper,
    lang: Lang,
) -> Receipt {
    let mut b = Builder {
        lang,
        blocks: Vec::new(),
    };
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
    b.row(
        format!("{} ({})", b.l(Label::Sales), report.sales_count),
        b.money(report.sales_total),
    );
    b.row(
        format!("{} ({})", b.l(Label::Refunds), report.refunds_count),
        b.money(report.refunds_total),
    );
    b.row(b.l(Label::Discount), b.money(report.discounts));
    b.blocks.push(Block::Row {
        label: b.l(Label::Total).to_owned(),
        value: b.money(report.net_total),
        big: true,
    });
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
    let mut b = Builder {
        lang,
        blocks: Vec::new(),
    };
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
    b.blocks.push(Block::Qr(format!("TEST {uri}")));
    Receipt {
        lang,
        paper,
        blocks: b.blocks,
        open_drawer: false,
    }
}
