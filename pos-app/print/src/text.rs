//! The receipt document as plain text (the screen, `pos receipt --format text`, support): the
//! same blocks the printer gets, laid out on the paper's columns.

use crate::layout::{Align, Block, Receipt};
pub use pos_shared::receipt::format_time;

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

/// One printed line of a text receipt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TextLine {
    Text {
        text: String,
        centre: bool,
        big: bool,
    },
    Qr(String),
    Feed,
}

fn pad_row(label: &str, value: &str, cols: usize, out: &mut Vec<String>) {
    let (l, v) = (label.chars().count(), value.chars().count());
    if value.is_empty() && l <= cols {
        out.push(label.to_owned());
    } else if l + v < cols {
        out.push(format!(
            "{label}{}{value}",
            " ".repeat(cols.saturating_sub(l + v))
        ));
    } else {
        out.extend(wrap(label, cols));
        if !value.is_empty() {
            out.push(format!("{}{value}", " ".repeat(cols.saturating_sub(v))));
        }
    }
}

/// The receipt as lines of at most `paper.cols()` characters: what a text printer prints and
/// what the preview draws for French and English.
pub fn text_lines(receipt: &Receipt) -> Vec<TextLine> {
    let cols = receipt.paper.cols();
    let mut out = Vec::with_capacity(receipt.blocks.len() + 8);
    for block in &receipt.blocks {
        match block {
            Block::Text { text, align, big } => {
                for line in wrap(text, cols) {
                    out.push(TextLine::Text {
                        text: line,
                        centre: *align == Align::Centre,
                        big: *big,
                    });
                }
            }
            Block::Row { label, value, big } => {
                let mut lines = Vec::new();
                pad_row(label, value, cols, &mut lines);
                out.extend(lines.into_iter().map(|text| TextLine::Text {
                    text,
                    centre: false,
                    big: *big,
                }));
            }
            Block::Rule => out.push(TextLine::Text {
                text: "-".repeat(cols),
                centre: false,
                big: false,
            }),
            Block::Qr { payload } => out.push(TextLine::Qr(payload.clone())),
            Block::Feed => out.push(TextLine::Feed),
        }
    }
    out
}

/// QR module size in dots for the paper (about a third of the width for a sale id).
pub fn qr_module(receipt: &Receipt) -> u8 {
    match receipt.paper {
        pos_shared::Paper::Mm58 => 5,
        pos_shared::Paper::Mm80 => 6,
    }
}

/// The receipt as text lines of `cols` characters, as the printer's text mode lays them out.
pub fn render(receipt: &Receipt, cols: usize) -> String {
    let mut out = String::new();
    for line in text_lines(receipt) {
        match line {
            TextLine::Text { text, centre, .. } => {
                if centre {
                    let pad = cols.saturating_sub(text.chars().count()) / 2;
                    out.push_str(&" ".repeat(pad));
                }
                out.push_str(&text);
            }
            TextLine::Qr(payload) => out.push_str(&format!("[QR {payload}]")),
            TextLine::Feed => {}
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_long_names_at_words() {
        assert_eq!(
            wrap("Fromage fondu La Vache qui rit 16 portions", 16),
            vec!["Fromage fondu La", "Vache qui rit 16", "portions"]
        );
        assert_eq!(wrap("ABCDEFGHIJ", 4), vec!["ABCD", "EFGH", "IJ"]);
    }
}
