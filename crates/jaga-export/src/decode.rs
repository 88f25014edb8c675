//! Text encodings of exported chats: a UTF-8 byte-order mark is dropped, UTF-16 (with or
//! without a BOM, as some Windows tools re-save exports) is converted to UTF-8 on the fly,
//! so every parser downstream sees UTF-8 and never has to care.

use std::io::{self, Read};

/// The encoding of an input, as found from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    /// UTF-8 starting with a byte-order mark (EF BB BF), which is skipped.
    Utf8Bom,
    Utf16Le,
    Utf16Be,
}

impl Encoding {
    /// Guesses the encoding from the first bytes of a file.
    ///
    /// Without a BOM, UTF-16 is recognised by its zero bytes: text that is mostly ASCII has a
    /// NUL in every other byte, which UTF-8 text never has.
    pub fn sniff(head: &[u8]) -> Encoding {
        match head {
            [0xEF, 0xBB, 0xBF, ..] => return Encoding::Utf8Bom,
            [0xFF, 0xFE, ..] => return Encoding::Utf16Le,
            [0xFE, 0xFF, ..] => return Encoding::Utf16Be,
            _ => {}
        }
        let n = head.len().min(512) & !1;
        if n < 8 {
            return Encoding::Utf8;
        }
        let (mut even, mut odd) = (0, 0);
        for pair in head[..n].chunks_exact(2) {
            even += usize::from(pair[0] == 0);
            odd += usize::from(pair[1] == 0);
        }
        let half = n / 2;
        if odd * 10 >= half * 7 && even * 10 <= half {
            Encoding::Utf16Le
        } else if even * 10 >= half * 7 && odd * 10 <= half {
            Encoding::Utf16Be
        } else {
            Encoding::Utf8
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 with BOM",
            Encoding::Utf16Le => "UTF-16LE",
            Encoding::Utf16Be => "UTF-16BE",
        }
    }
}

/// Converts a UTF-16 byte stream to UTF-8. Unpaired surrogates and a dangling odd byte at the
/// end become U+FFFD rather than an error: a damaged export should still be read.
pub struct Utf16ToUtf8<R> {
    inner: R,
    big_endian: bool,
    raw: Vec<u8>,
    raw_len: usize,
    out: Vec<u8>,
    out_pos: usize,
    pending_high: Option<u16>,
    eof: bool,
}

impl<R: Read> Utf16ToUtf8<R> {
    pub fn new(inner: R, big_endian: bool) -> Self {
        Utf16ToUtf8 {
            inner,
            big_endian,
            raw: vec![0; 64 * 1024],
            raw_len: 0,
            out: Vec::with_capacity(96 * 1024),
            out_pos: 0,
            pending_high: None,
            eof: false,
        }
    }

    fn push_char(&mut self, c: char) {
        let mut b = [0u8; 4];
        self.out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
    }

    /// Decodes the next chunk into `out`; returns false at the end of the input.
    fn refill(&mut self) -> io::Result<bool> {
        self.out.clear();
        self.out_pos = 0;
        while self.out.is_empty() {
            if self.eof {
                return Ok(false);
            }
            let n = loop {
                match self.inner.read(&mut self.raw[self.raw_len..]) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            };
            self.raw_len += n;
            if n == 0 {
                self.eof = true;
                if self.pending_high.take().is_some() || self.raw_len % 2 == 1 {
                    self.push_char(char::REPLACEMENT_CHARACTER);
                }
                self.raw_len = 0;
                continue;
            }
            let whole = self.raw_len & !1;
            for i in (0..whole).step_by(2) {
                let pair = [self.raw[i], self.raw[i + 1]];
                let unit = if self.big_endian {
                    u16::from_be_bytes(pair)
                } else {
                    u16::from_le_bytes(pair)
                };
                match (self.pending_high.take(), unit) {
                    (Some(hi), 0xDC00..=0xDFFF) => {
                        let c =
                            0x10000 + ((u32::from(hi) - 0xD800) << 10) + (u32::from(unit) - 0xDC00);
                        self.push_char(char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER));
                    }
                    (prev, 0xD800..=0xDBFF) => {
                        if prev.is_some() {
                            self.push_char(char::REPLACEMENT_CHARACTER);
                        }
                        self.pending_high = Some(unit);
                    }
                    (prev, _) => {
                        if prev.is_some() {
                            self.push_char(char::REPLACEMENT_CHARACTER);
                        }
                        let c =
                            char::from_u32(u32::from(unit)).unwrap_or(char::REPLACEMENT_CHARACTER);
                        self.push_char(c);
                    }
                }
            }
            self.raw.copy_within(whole..self.raw_len, 0);
            self.raw_len -= whole;
        }
        Ok(true)
    }
}

impl<R: Read> Read for Utf16ToUtf8<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.out_pos == self.out.len() && !self.refill()? {
            return Ok(0);
        }
        let n = buf.len().min(self.out.len() - self.out_pos);
        buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
        self.out_pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(s: &str, be: bool, bom: bool) -> Vec<u8> {
        let mut v = Vec::new();
        if bom {
            v.extend_from_slice(if be { &[0xFE, 0xFF] } else { &[0xFF, 0xFE] });
        }
        for u in s.encode_utf16() {
            v.extend_from_slice(&if be { u.to_be_bytes() } else { u.to_le_bytes() });
        }
        v
    }

    fn decode(bytes: &[u8], be: bool) -> String {
        let mut s = String::new();
        Utf16ToUtf8::new(bytes, be).read_to_string(&mut s).unwrap();
        s
    }

    #[test]
    fn sniffs_boms_and_bomless_utf16() {
        let text = "26/11/20 23.10 - Rina: Halo semua 💜\n";
        assert_eq!(Encoding::sniff(text.as_bytes()), Encoding::Utf8);
        assert_eq!(Encoding::sniff(b"\xEF\xBB\xBF26/11"), Encoding::Utf8Bom);
        assert_eq!(
            Encoding::sniff(&utf16(text, false, true)),
            Encoding::Utf16Le
        );
        assert_eq!(Encoding::sniff(&utf16(text, true, true)), Encoding::Utf16Be);
        assert_eq!(
            Encoding::sniff(&utf16(text, false, false)),
            Encoding::Utf16Le
        );
        assert_eq!(
            Encoding::sniff(&utf16(text, true, false)),
            Encoding::Utf16Be
        );
    }

    #[test]
    fn decodes_surrogate_pairs_across_reads_and_damage() {
        let text = "halo 💜 kak\n".repeat(20_000);
        assert_eq!(decode(&utf16(&text, false, false), false), text);
        assert_eq!(decode(&utf16(&text, true, false), true), text);
        // A lone high surrogate and a dangling odd byte become U+FFFD, nothing panics.
        let mut bad = utf16("a", false, false);
        bad.extend_from_slice(&0xD83Du16.to_le_bytes());
        bad.extend_from_slice(&utf16("b", false, false));
        bad.push(0x41);
        assert_eq!(decode(&bad, false), "a\u{FFFD}b\u{FFFD}");
    }
}
