//! Text folding for search: what a cashier types must find what the catalog says, whatever the
//! accents (é → e), letter case, Arabic letter forms (أ إ آ ٱ → ا, ة → ه, ى → ي) and diacritics.
//! The same function folds the indexed text and the query.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        match c {
            // Arabic: alef with hamza / madda / wasla → bare alef
            'أ' | 'إ' | 'آ' | 'ٱ' => out.push('ا'),
            'ة' => out.push('ه'),
            'ى' => out.push('ي'),
            'ؤ' => out.push('و'),
            'ئ' => out.push('ي'),
            // tatweel (elongation) carries no meaning
            'ـ' => {}
            // Arabic-Indic and Eastern Arabic-Indic digits → ASCII
            '٠'..='٩' => out.push(char::from(b'0' + (c as u32 - '٠' as u32) as u8)),
            '۰'..='۹' => out.push(char::from(b'0' + (c as u32 - '۰' as u32) as u8)),
            'œ' | 'Œ' => out.push_str("oe"),
            'æ' | 'Æ' => out.push_str("ae"),
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Builds an FTS5 query matching every word of `text` as a prefix, or `None` when nothing is
/// left to search. Words are quoted, so FTS5 syntax typed by a person is taken literally.
pub fn fts_query(text: &str) -> Option<String> {
    let folded = fold(text);
    let words: Vec<String> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{w}\"*"))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_french_and_arabic_as_a_cashier_types_them() {
        let cases = [
            ("Crème dessert Café", "creme dessert cafe"),
            ("ŒUFS", "oeufs"),
            ("أرز", "ارز"),
            ("إجاص", "اجاص"),
            ("قهوة", "قهوه"),
            ("مَعْكَرُونَة", "معكرونه"),
            ("حليـــب", "حليب"),
            ("حلوى", "حلوي"),
            ("١٢٣", "123"),
        ];
        for (input, expected) in cases {
            assert_eq!(fold(input), expected, "fold({input:?})");
        }
    }

    #[test]
    fn query_quotes_words_and_drops_syntax() {
        assert_eq!(
            fts_query("Café  moulu").as_deref(),
            Some("\"cafe\"* \"moulu\"*")
        );
        assert_eq!(
            fts_query("lait\" OR *").as_deref(),
            Some("\"lait\"* \"or\"*")
        );
        assert_eq!(fts_query("  -- "), None);
    }
}
