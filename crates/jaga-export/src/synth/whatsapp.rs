//! Synthetic WhatsApp exports of any size, for the parser benchmark and the end-to-end memory
//! test: hand-written fragments ([`crate::synth`]), Android-Indonesian or iOS-English
//! headers, multi-line messages, joins via link, media, deleted messages and system lines.
//! Deterministic for a seed, and it reports what it wrote so tests can check the parser.

use std::io::{self, Write};

use crate::synth::{message, Rng};
use crate::Counts;
use jaga_core::event::{civil_from_days, days_from_civil};

/// Which app's layout to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// `26/11/20 23.10 - Name: text`, Indonesian system lines.
    AndroidId,
    /// `[26/11/20, 11:10:05 PM] Name: text` with U+200E and U+202F, English system lines.
    IosEn,
}

/// What a generated export contains: its size and what a parser must count (message events:
/// text and media messages, not deleted ones).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Written {
    pub bytes: u64,
    pub counts: Counts,
}

const NAMES: &[&str] = &[
    "Rina",
    "Budi Santoso",
    "Sari 💜",
    "Dewi",
    "Putri ARMY",
    "Agus",
    "Nadia",
    "Yoga",
    "Intan",
    "Fajar",
];

struct Out<'a, W: Write> {
    w: &'a mut W,
    written: Written,
}

impl<W: Write> Out<'_, W> {
    fn line(&mut self, s: &str) -> io::Result<()> {
        self.w.write_all(s.as_bytes())?;
        self.w.write_all(b"\n")?;
        self.written.bytes += s.len() as u64 + 1;
        self.written.counts.lines += 1;
        Ok(())
    }
}

fn header(layout: Layout, t: i64) -> String {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let (h, mi, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    match layout {
        Layout::AndroidId => format!("{d:02}/{m:02}/{:02} {h:02}.{mi:02} - ", y % 100),
        Layout::IosEn => {
            let (h12, ampm) = match h {
                0 => (12, "AM"),
                1..=11 => (h, "AM"),
                12 => (12, "PM"),
                _ => (h - 12, "PM"),
            };
            format!(
                "\u{200e}[{d}/{m}/{:02}, {h12}:{mi:02}:{s:02}\u{202f}{ampm}] ",
                y % 100
            )
        }
    }
}

/// Writes about `target` bytes of export (whole messages; it stops after passing `target`).
pub fn whatsapp<W: Write>(
    seed: u64,
    target: u64,
    layout: Layout,
    w: &mut W,
) -> io::Result<Written> {
    let mut rng = Rng::new(seed);
    let mut out = Out {
        w,
        written: Written::default(),
    };
    let mut t = days_from_civil(2024, 1, 13) * 86_400 + 8 * 3600;
    let ios = layout == Layout::IosEn;
    let group = "ARMY Peduli";
    let enc = if ios {
        format!("{}{group}: \u{200e}Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them.", header(layout, t))
    } else {
        format!("{}Pesan dan panggilan terenkripsi secara end-to-end. Tidak seorang pun di luar chat ini, termasuk WhatsApp, yang dapat membaca atau mendengarkannya.", header(layout, t))
    };
    out.line(&enc)?;
    out.written.counts.system += 1;
    let mut newcomer = 0u64;
    while out.written.bytes < target {
        t += 5 + rng.below(90) as i64;
        let h = header(layout, t);
        let sender = if rng.below(8) == 0 {
            format!(
                "+62 8{:02}-{:04}-{:04}",
                rng.below(100),
                rng.below(10_000),
                rng.below(10_000)
            )
        } else {
            NAMES[rng.below(NAMES.len())].to_string()
        };
        match rng.below(100) {
            0 => {
                newcomer += 1;
                let who = format!("+62 813-{:04}-{newcomer:04}", rng.below(10_000));
                let line = if ios {
                    format!("{h}{group}: \u{200e}{who} joined using this group’s invite link")
                } else {
                    format!("{h}{who} telah bergabung menggunakan tautan undangan grup ini")
                };
                out.line(&line)?;
                out.written.counts.joins += 1;
                // Newcomers who post at once: the pattern join screening is for.
                t += 30;
                let h = header(layout, t);
                out.line(&format!("{h}{who}: halo kak, {}", message(&mut rng)))?;
                out.written.counts.messages += 1;
            }
            1 => {
                let line = if ios {
                    format!("{h}{group}: \u{200e}{sender} left")
                } else {
                    format!("{h}{sender} keluar")
                };
                out.line(&line)?;
                out.written.counts.system += 1;
            }
            2..=5 => {
                let body = if ios {
                    "\u{200e}image omitted"
                } else {
                    "<Media tidak disertakan>"
                };
                out.line(&format!("{h}{sender}: {body}"))?;
                out.written.counts.messages += 1;
                out.written.counts.media += 1;
            }
            6 | 7 => {
                let body = if ios {
                    "\u{200e}This message was deleted."
                } else {
                    "Pesan ini telah dihapus"
                };
                out.line(&format!("{h}{sender}: {body}"))?;
                out.written.counts.deleted += 1;
            }
            8..=17 => {
                out.line(&format!("{h}{sender}: {}", message(&mut rng)))?;
                for _ in 0..1 + rng.below(3) {
                    out.line(&message(&mut rng))?;
                }
                out.written.counts.messages += 1;
            }
            _ => {
                out.line(&format!("{h}{sender}: {}", message(&mut rng)))?;
                out.written.counts.messages += 1;
            }
        }
    }
    out.w.flush()?;
    Ok(out.written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for d in [-1000, 0, 19_000, 20_000, 60_000] {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
    }
}
