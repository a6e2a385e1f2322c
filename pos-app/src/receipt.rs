//! The plain-text receipt (screen, support, tests). The paper layout for thermal printers builds
//! on the same facts; amounts are the sale's own, never recomputed here.

use pos_shared::{Money, Sale, SaleKind, Tender, Unit};
use serde::Serialize;

/// What the receipt says about the shop and the people.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ReceiptHeader {
    pub store_name: String,
    pub terminal_name: String,
    pub cashier_name: String,
    /// Minutes east of UTC for the printed time (Algeria: +60, no summer time).
    pub utc_offset_min: i32,
}

impl ReceiptHeader {
    /// The header of `sale`'s receipt on this till: shop, terminal and the cashier who rang it up.
    pub fn of(till: &crate::Till, sale: &Sale) -> ReceiptHeader {
        let cashier_name = till
            .users()
            .ok()
            .and_then(|u| u.into_iter().find(|u| u.id == sale.cashier_id))
            .map(|u| u.name)
            .unwrap_or_default();
        ReceiptHeader {
            store_name: till.info().store_name.clone(),
            terminal_name: till.info().terminal_name.clone(),
            cashier_name,
            utc_offset_min: 60,
        }
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

fn row(left: &str, right: &str, width: usize) -> String {
    let used = left.chars().count() + right.chars().count();
    if used < width {
        format!("{left}{}{right}", " ".repeat(width - used))
    } else {
        format!(
            "{left}\n{}{right}",
            " ".repeat(width.saturating_sub(right.chars().count()))
        )
    }
}

fn centred(text: &str, width: usize) -> String {
    let n = text.chars().count();
    format!("{}{text}", " ".repeat(width.saturating_sub(n) / 2))
}

/// Wraps `text` at word boundaries to lines of at most `width` characters.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let mut word = word.to_owned();
        while word.chars().count() > width {
            let head: String = word.chars().take(width).collect();
            word = word.chars().skip(width).collect();
            if !current.is_empty() {
                lines.push(std::mem::take(&mut current));
            }
            lines.push(head);
        }
        if !current.is_empty() && current.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(&word);
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines
}

fn qty_text(unit: Unit, qty: i64) -> String {
    match unit {
        Unit::Piece => qty.to_string(),
        Unit::Kg => format!("{},{:03} kg", qty / 1000, qty % 1000),
    }
}

/// The receipt as text, `width` characters wide (32 for 58 mm paper, 48 for 80 mm).
pub fn text(sale: &Sale, header: &ReceiptHeader, width: usize) -> String {
    let rule = "-".repeat(width);
    let mut out = Vec::new();
    out.push(centred(&header.store_name, width));
    out.push(centred(&header.terminal_name, width));
    if sale.kind == SaleKind::Refund {
        out.push(centred("*** REMBOURSEMENT ***", width));
    }
    out.push(row(
        &format!("Ticket n° {}", sale.receipt_no),
        &format_time(sale.created_at_ms, header.utc_offset_min),
        width,
    ));
    out.push(format!("Caissier : {}", header.cashier_name));
    out.push(rule.clone());
    for l in &sale.lines {
        out.extend(wrap(&l.name, width));
        let detail = format!(
            "  {} x {}",
            qty_text(l.unit, l.qty),
            l.unit_price.format_plain()
        );
        out.push(row(&detail, &l.gross.format_plain(), width));
        if !l.line_discount.is_zero() {
            out.push(row("  Remise", &(-l.line_discount).format_plain(), width));
        }
    }
    out.push(rule.clone());
    out.push(row("Sous-total", &sale.subtotal.to_string(), width));
    let order_discount: Money = sale.lines.iter().map(|l| l.order_discount).sum();
    if !order_discount.is_zero() {
        out.push(row("Remise", &(-order_discount).to_string(), width));
    }
    out.push(row("TOTAL", &sale.total.to_string(), width));
    out.push(rule.clone());
    for t in &sale.taxes {
        out.push(row(
            &format!("TVA {} HT {}", t.rate, t.base.format_plain()),
            &format!("TVA {}", t.tax.format_plain()),
            width,
        ));
    }
    out.push(rule.clone());
    for p in &sale.payments {
        let name = match p.tender {
            Tender::Cash => "Espèces",
            Tender::Card => "Carte",
        };
        let name = match &p.reference {
            Some(r) => format!("{name} ({r})"),
            None => name.to_owned(),
        };
        out.push(row(&name, &p.tendered.to_string(), width));
    }
    if !sale.change.is_zero() {
        out.push(row("Rendu", &sale.change.to_string(), width));
    }
    out.push(String::new());
    out.push(centred("Merci de votre visite", width));
    out.extend(
        wrap(&sale.id.to_string(), width)
            .iter()
            .map(|l| centred(l, width)),
    );
    out.join("\n") + "\n"
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

    #[test]
    fn wraps_long_names_at_words() {
        assert_eq!(
            wrap("Fromage fondu La Vache qui rit 16 portions", 16),
            vec!["Fromage fondu La", "Vache qui rit 16", "portions"]
        );
        assert_eq!(wrap("ABCDEFGHIJ", 4), vec!["ABCD", "EFGH", "IJ"]);
    }
}
