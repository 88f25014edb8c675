//! `jaga explain`: one event's verdict rendered for a human, with every matched span
//! highlighted in the original text.

use std::fmt::Write;

use crate::event::Event;
use crate::verdict::{Field, Span, Verdict};

/// How to mark spans: ANSI reverse video on a terminal, brackets elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marks {
    Ansi,
    Brackets,
}

impl Marks {
    fn open(self) -> &'static str {
        match self {
            Marks::Ansi => "\x1b[7m",
            Marks::Brackets => "[[",
        }
    }
    fn close(self) -> &'static str {
        match self {
            Marks::Ansi => "\x1b[0m",
            Marks::Brackets => "]]",
        }
    }
}

/// The spans that are valid for `text` (in range, on char boundaries, not empty), sorted, with
/// overlapping and touching ones merged: what any display of a verdict highlights.
pub fn merge_spans(text: &str, spans: &[[usize; 2]]) -> Vec<[usize; 2]> {
    let mut spans: Vec<[usize; 2]> = spans
        .iter()
        .copied()
        .filter(|[a, b]| {
            a < b && *b <= text.len() && text.is_char_boundary(*a) && text.is_char_boundary(*b)
        })
        .collect();
    spans.sort_unstable();
    let mut merged: Vec<[usize; 2]> = Vec::new();
    for sp in spans {
        match merged.last_mut() {
            Some(last) if sp[0] <= last[1] => last[1] = last[1].max(sp[1]),
            _ => merged.push(sp),
        }
    }
    merged
}

/// Returns `text` with every span wrapped in marks. Overlapping spans are merged; spans that
/// are out of range or not on char boundaries are ignored rather than trusted.
pub fn highlight(text: &str, spans: &[[usize; 2]], marks: Marks) -> String {
    let merged = merge_spans(text, spans);
    let mut out = String::with_capacity(text.len() + merged.len() * 8);
    let mut pos = 0;
    for [a, b] in merged {
        out.push_str(&text[pos..a]);
        out.push_str(marks.open());
        out.push_str(&text[a..b]);
        out.push_str(marks.close());
        pos = b;
    }
    out.push_str(&text[pos..]);
    out
}

/// The human rendering of a verdict.
pub fn render(event: &Event, normalised: &str, verdict: &Verdict, marks: Marks) -> String {
    let mut out = String::new();
    let in_field = |field: Field, spans: &mut dyn Iterator<Item = &Span>| -> Vec<[usize; 2]> {
        spans
            .filter(|sp| sp.field == field)
            .map(|sp| [sp.start, sp.end])
            .collect()
    };
    let all = in_field(
        Field::Text,
        &mut verdict.reasons.iter().flat_map(|r| r.spans.iter()),
    );
    let _ = writeln!(out, "text:       {}", highlight(&event.text, &all, marks));
    if !event.name.is_empty() {
        let names = in_field(
            Field::Name,
            &mut verdict.reasons.iter().flat_map(|r| r.spans.iter()),
        );
        let _ = writeln!(out, "name:       {}", highlight(&event.name, &names, marks));
    }
    if normalised != event.text {
        let _ = writeln!(out, "normalised: {normalised}");
    }
    let s = &verdict.scores;
    let _ = writeln!(
        out,
        "verdict:    {} -> {}   (spam {:.2}, scam {:.2}, doxing {:.2}, abuse {:.2})",
        verdict.category_str(),
        verdict.action,
        s.spam,
        s.scam,
        s.doxing,
        s.abuse
    );
    if verdict.reasons.is_empty() {
        let _ = writeln!(out, "reasons:    none fired");
    } else {
        let _ = writeln!(out, "reasons:");
    }
    for r in &verdict.reasons {
        let source = serde_json::to_value(r.source)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {:.2} {:<6} {:<11} {}{}  matched: {}",
            r.score,
            r.category.as_str(),
            source,
            r.id,
            if r.shadow {
                " (shadow: reported, never acts)"
            } else {
                ""
            },
            r.matched
        );
        for (field, t) in [(Field::Text, &event.text), (Field::Name, &event.name)] {
            let spans = in_field(field, &mut r.spans.iter());
            if !spans.is_empty() {
                let label = if field == Field::Name { "name: " } else { "" };
                let _ = writeln!(out, "         {label}{}", highlight(t, &spans, marks));
            }
        }
    }
    // Helpers count only through the rules built on them; a rule author still wants to
    // see which fired.
    if !verdict.helpers.is_empty() {
        let _ = writeln!(out, "helpers:    {}", verdict.helpers.join(", "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlight_merges_and_ignores_bad_spans() {
        let t = "ayo slot gacor 🔥";
        assert_eq!(
            highlight(t, &[[4, 8], [9, 14], [6, 9]], Marks::Brackets),
            "ayo [[slot gacor]] 🔥"
        );
        assert_eq!(
            highlight(t, &[[16, 17], [0, 99], [3, 3]], Marks::Brackets),
            t,
            "bad spans are ignored"
        );
        assert_eq!(
            highlight(t, &[[0, 3]], Marks::Ansi),
            "\x1b[7mayo\x1b[0m slot gacor 🔥"
        );
    }
}
