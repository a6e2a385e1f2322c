//! An ESC/POS decoder written from the command reference (not from the encoder): what a
//! printer would do with the bytes.

/// Code page 858, 0x80–0xFF, as printed in Epson's character code tables.
const CP858: &str = "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜø£Ø×ƒáíóúñÑªº¿®¬½¼¡«»░▒▓│┤ÁÂÀ©╣║╗╝¢¥┐\
└┴┬├─┼ãÃ╚╔╩╦╠═╬¤ðÐÊËÈ€ÍÎÏ┘┌█▄¦Ì▀ÓßÔÒõÕµþÞÚÛÙýÝ¯´\u{AD}±‗¾¶§÷¸°¨·¹³²■\u{A0}";

/// What the printer would do with the bytes.
#[derive(Debug, Default)]
pub struct Decoded {
    /// Printed text lines, decoded from PC858.
    pub lines: Vec<String>,
    pub qr: Vec<String>,
    pub cuts: usize,
    /// (pin, on × 2 ms, off × 2 ms) of each `ESC p`.
    pub pulses: Vec<(u8, u8, u8)>,
    /// (width in dots, rows) of each `GS v 0`.
    pub rasters: Vec<(u32, u32)>,
    /// The code page selected last (`ESC t n`).
    pub code_page: Option<u8>,
    /// Raw bytes seen in text (to prove no UTF-8 got through).
    pub text_bytes: Vec<u8>,
}

pub fn decode(b: &[u8]) -> Decoded {
    let cp: Vec<char> = CP858.chars().collect();
    assert_eq!(cp.len(), 128);
    let mut d = Decoded::default();
    let mut line = String::new();
    let mut i = 0;
    let end_line = |d: &mut Decoded, line: &mut String| d.lines.push(std::mem::take(line));
    while i < b.len() {
        match b[i] {
            0x1B => {
                let c = b[i + 1];
                match c {
                    b'@' => i += 2,
                    b't' => {
                        d.code_page = Some(b[i + 2]);
                        i += 3
                    }
                    b'a' | b'E' | b'-' | b'G' | b'M' | b'!' | b'3' | b'V' | b'{' => i += 3,
                    b'2' => i += 2,
                    b'd' => {
                        let n = b[i + 2].max(1);
                        end_line(&mut d, &mut line);
                        for _ in 1..n {
                            d.lines.push(String::new());
                        }
                        i += 3
                    }
                    b'p' => {
                        d.pulses.push((b[i + 2], b[i + 3], b[i + 4]));
                        i += 5
                    }
                    other => panic!("unknown ESC {other:#x} at {i}"),
                }
            }
            0x1D => {
                let c = b[i + 1];
                match c {
                    b'!' | b'B' => i += 3,
                    b'V' => {
                        d.cuts += 1;
                        i += if b[i + 2] >= 65 { 4 } else { 3 }
                    }
                    b'(' => {
                        assert_eq!(b[i + 2], b'k', "GS ( {} unsupported", b[i + 2]);
                        let len = b[i + 3] as usize + 256 * b[i + 4] as usize;
                        let body = &b[i + 5..i + 5 + len];
                        // cn = 49 (QR), fn = 80: store the data.
                        if body[0] == 49 && body[1] == 80 {
                            d.qr.push(String::from_utf8(body[3..].to_vec()).unwrap());
                        }
                        i += 5 + len
                    }
                    b'v' => {
                        assert_eq!(b[i + 2], b'0');
                        let x = b[i + 4] as u32 + 256 * b[i + 5] as u32;
                        let y = b[i + 6] as u32 + 256 * b[i + 7] as u32;
                        d.rasters.push((x * 8, y));
                        i += 8 + (x * y) as usize
                    }
                    other => panic!("unknown GS {other:#x} at {i}"),
                }
            }
            0x10 => i += 3, // DLE EOT n
            b'\n' => {
                end_line(&mut d, &mut line);
                i += 1
            }
            c if c >= 0x80 => {
                d.text_bytes.push(c);
                line.push(cp[(c - 0x80) as usize]);
                i += 1
            }
            c if c >= 0x20 => {
                d.text_bytes.push(c);
                line.push(c as char);
                i += 1
            }
            other => panic!("stray control byte {other:#x} at {i}"),
        }
    }
    if !line.is_empty() {
        d.lines.push(line);
    }
    d
}

impl Decoded {
    /// The printed lines, trailing spaces trimmed, empty lines dropped.
    pub fn text(&self) -> Vec<String> {
        self.lines
            .iter()
            .map(|l| l.trim_end().to_owned())
            .filter(|l| !l.is_empty())
            .collect()
    }
}
