use super::*;

/// Keys typed at a steady pace: `text` starting at `t0`, one key every `gap` ms
/// (`\n` is Enter, `\t` is Tab).
fn typed(text: &str, t0: u64, gap: u64) -> Vec<(KeyEvent, u64)> {
    text.chars()
        .enumerate()
        .map(|(i, c)| {
            let k = match c {
                '\n' => KeyEvent::Enter,
                '\t' => KeyEvent::Tab,
                c => KeyEvent::Char(c),
            };
            (k, t0 + i as u64 * gap)
        })
        .collect()
}

type Keys = Vec<(KeyEvent, u64)>;

fn run(settings: WedgeSettings, keys: Vec<(KeyEvent, u64)>, end_ms: u64) -> Vec<WedgeVerdict> {
    let mut d = WedgeDetector::new(settings);
    let mut out = Vec::new();
    for (k, t) in keys {
        out.extend(d.key(k, t));
    }
    out.extend(d.tick(end_ms));
    out
}

fn scan(s: &str) -> WedgeVerdict {
    WedgeVerdict::Scan(s.into())
}
fn typ(s: &str) -> WedgeVerdict {
    WedgeVerdict::Typed(s.into())
}

#[test]
fn wedge_table() {
    let dflt = WedgeSettings::default;
    let with = |prefix: &str, suffix: &str, terminator| WedgeSettings {
        prefix: prefix.into(),
        suffix: suffix.into(),
        terminator,
        ..WedgeSettings::default()
    };
    let cat = |a: Vec<(KeyEvent, u64)>, b: Vec<(KeyEvent, u64)>| [a, b].concat();
    let cases: Vec<(&str, WedgeSettings, Keys, Vec<WedgeVerdict>)> = vec![
        (
            "EAN-13 at 5 ms a key, then Enter",
            dflt(),
            typed("6130001234565\n", 0, 5),
            vec![scan("6130001234565")],
        ),
        (
            "a person typing the same digits is typing",
            dflt(),
            typed("6130001234565\n", 0, 180),
            "6130001234565\n"
                .chars()
                .map(|c| typ(&c.to_string()))
                .collect(),
        ),
        (
            "gap exactly at the limit is still a scanner",
            dflt(),
            typed("12345678\n", 0, 35),
            vec![scan("12345678")],
        ),
        (
            "one gap over the limit splits the burst",
            dflt(),
            cat(typed("1234", 0, 5), typed("5678\n", 100, 5)),
            vec![typ("1234"), scan("5678")],
        ),
        (
            "too short a burst is typing (a fast double key press)",
            dflt(),
            typed("12\n", 0, 5),
            vec![typ("12\n")],
        ),
        (
            "no Enter: keys are released as typing after the pause",
            dflt(),
            typed("61300012", 0, 5),
            vec![typ("61300012")],
        ),
        (
            "Enter alone is typing",
            dflt(),
            typed("\n", 0, 5),
            vec![typ("\n")],
        ),
        (
            "Enter long after a burst: the burst was typing",
            dflt(),
            cat(typed("12345678", 0, 5), typed("\n", 500, 5)),
            vec![typ("12345678"), typ("\n")],
        ),
        (
            "prefix and suffix are removed",
            with("]E0", "#", Terminator::Enter),
            typed("]E06130001234565#\n", 0, 3),
            vec![scan("6130001234565")],
        ),
        (
            "a fast burst without the configured prefix is typing",
            with("]E0", "", Terminator::Enter),
            typed("6130001234565\n", 0, 3),
            vec![typ("6130001234565\n")],
        ),
        (
            "Tab terminator",
            with("", "", Terminator::Tab),
            typed("ABC-12345\t", 0, 4),
            vec![scan("ABC-12345")],
        ),
        (
            "with a Tab terminator, Enter is just a key",
            with("", "", Terminator::Tab),
            typed("1234\n", 0, 4),
            vec![typ("1234\n")],
        ),
        (
            "pause terminator: the burst ends when keys stop",
            with("", "", Terminator::Pause),
            typed("96385074", 0, 4),
            vec![scan("96385074")],
        ),
        (
            "pause terminator: two scans back to back",
            with("", "", Terminator::Pause),
            cat(typed("96385074", 0, 4), typed("12345670", 200, 4)),
            vec![scan("96385074"), scan("12345670")],
        ),
        (
            "two scans with Enter, one right after the other",
            dflt(),
            cat(typed("96385074\n", 0, 4), typed("96385074\n", 40, 4)),
            vec![scan("96385074"), scan("96385074")],
        ),
        (
            "typing then a scan: both kept, in order",
            dflt(),
            cat(typed("qte", 0, 200), typed("96385074\n", 1000, 4)),
            vec![typ("q"), typ("t"), typ("e"), scan("96385074")],
        ),
    ];
    for (name, settings, keys, want) in cases {
        let end = keys.last().map_or(0, |k| k.1) + 1000;
        assert_eq!(run(settings, keys, end), want, "{name}");
    }
}

#[test]
fn tick_holds_keys_only_for_the_gap() {
    let mut d = WedgeDetector::new(WedgeSettings::default());
    assert!(d.key(KeyEvent::Char('x'), 100).is_empty());
    assert_eq!(d.tick(120), None, "still inside the gap");
    assert_eq!(d.tick(136), Some(typ("x")));
    assert_eq!(d.tick(2000), None, "nothing held twice");
}

#[test]
fn settings_round_trip_and_fill_defaults() {
    let s: WedgeSettings = serde_json::from_str(r#"{"prefix":"]E0"}"#).expect("partial");
    assert_eq!(s.prefix, "]E0");
    assert_eq!(s.max_gap_ms, WedgeSettings::default().max_gap_ms);
    let json = serde_json::to_string(&s).expect("json");
    assert_eq!(
        serde_json::from_str::<WedgeSettings>(&json).expect("back"),
        s
    );
}
