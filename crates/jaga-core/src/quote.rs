//! Quotations in a message: the byte ranges between quotation marks.
//!
//! A member who warns others quotes the scam ("ada yg japri aku: \"rekening donasi lagi
//! maintenance, tf ke DANA aku\", itu penipuan"), a victim quotes what was said to her, an
//! admin's notice quotes what is banned. The engine reads these ranges to discount evidence
//! that lies wholly inside quotation marks in a message framed as a warning or a report (see
//! `[quoted]` in the policy): what was quoted is not what the sender says. Evidence outside
//! the quotes still counts, so "hati-hati" in front of a real scam cancels nothing.

/// Appends to `out` the byte ranges of `text` inside a pair of quotation marks, the marks
/// left out. Pairs: `"…"`, `“…”`, `„…“`, `«…»`, `「…」`, and `'…'` or `‘…’` when the opening
/// mark starts a word and the closing one ends a word (so the apostrophes of "don't" and
/// "it's" open nothing). An unclosed mark opens nothing: a quotation is a pair. And a line
/// opening with `>`, after the mark: the message a reply answers, as members paste it ("> can
/// someone lend me 300k" answered with "that's not Rina, her account got hacked").
pub fn quoted_ranges(text: &str, out: &mut Vec<(usize, usize)>) {
    let b = text.as_bytes();
    // Most messages hold no quotation mark at all: one pass over the bytes says so.
    if !b
        .iter()
        .any(|&c| c == b'"' || c == b'\'' || c == b'>' || c == 0xE2 || c == 0xC2 || c == 0xE3)
    {
        return;
    }
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        if let Some(rest) = content.trim_start_matches([' ', '\t']).strip_prefix('>') {
            let start = line_start + content.len() - rest.len();
            if rest.trim().is_empty() {
                line_start += line.len();
                continue;
            }
            out.push((start, line_start + content.len()));
        }
        line_start += line.len();
    }
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut open: Option<(char, usize)> = None;
    for (k, &(i, c)) in chars.iter().enumerate() {
        let prev = k.checked_sub(1).map(|p| chars[p].1);
        let next = chars.get(k + 1).map(|&(_, n)| n);
        match open {
            None => {
                let opens = match c {
                    '"' | '“' | '„' | '«' | '「' => true,
                    '\'' | '‘' | '’' => {
                        prev.is_none_or(|p| !p.is_alphanumeric())
                            && next.is_some_and(|n| !n.is_whitespace())
                    }
                    _ => false,
                };
                if opens {
                    open = Some((c, i + c.len_utf8()));
                }
            }
            Some((o, start)) => {
                let closes = match (o, c) {
                    ('"', '"') | ('“', '”') | ('“', '"') | ('„', '“') | ('«', '»') => {
                        true
                    }
                    ('「', '」') => true,
                    ('\'', '\'') | ('‘', '’') | ('’', '’') | ('‘', '\'') => {
                        prev.is_some_and(|p| !p.is_whitespace())
                            && next.is_none_or(|n| !n.is_alphanumeric())
                    }
                    _ => false,
                };
                if closes {
                    if i > start {
                        out.push((start, i));
                    }
                    open = None;
                }
            }
        }
    }
}

/// Whether `start..end` lies inside one of `ranges` (as [`quoted_ranges`] gives them).
pub fn inside(ranges: &[(usize, usize)], start: usize, end: usize) -> bool {
    ranges.iter().any(|&(a, b)| a <= start && end <= b)
}

/// Whether the span `start..end` of `text` is quoted: inside one of `ranges` once the
/// quotation marks, spaces and punctuation at its ends are left out. A rule that reads a word's
/// boundary takes the character before and after it, so "called her a 'b*tch' when" matched as
/// `'b*tch'` is the quoted word, marks included.
pub fn quoted_span(text: &str, ranges: &[(usize, usize)], start: usize, end: usize) -> bool {
    let Some(span) = text.get(start..end) else {
        return inside(ranges, start, end);
    };
    let edge = |c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '"' | '\''
                    | '“'
                    | '”'
                    | '‘'
                    | '’'
                    | '„'
                    | '«'
                    | '»'
                    | '「'
                    | '」'
                    | ','
                    | '.'
                    | '!'
                    | '?'
                    | ';'
                    | ':'
            )
    };
    let trimmed = span.trim_start_matches(edge);
    let start = end - trimmed.len();
    let trimmed = trimmed.trim_end_matches(edge);
    if trimmed.is_empty() {
        return inside(ranges, start, end);
    }
    inside(ranges, start, start + trimmed.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quoted(text: &str) -> Vec<&str> {
        let mut r = Vec::new();
        quoted_ranges(text, &mut r);
        r.iter().map(|&(a, b)| &text[a..b]).collect()
    }

    #[test]
    fn pairs_of_marks_are_quotations_and_apostrophes_are_not() {
        assert_eq!(
            quoted(r#"ada yg japri aku: "tf ke DANA aku dulu ya", itu penipuan"#),
            ["tf ke DANA aku dulu ya"]
        );
        assert_eq!(
            quoted("dia bilang “berapa semalam” ke aku"),
            ["berapa semalam"]
        );
        assert_eq!(
            quoted("aku dapet chat 'kirim pap dong' dari orang grup ini"),
            ["kirim pap dong"]
        );
        assert_eq!(
            quoted("komen ‘cewe tempatnya di dapur’ itu ga lucu"),
            ["cewe tempatnya di dapur"]
        );
        assert_eq!(quoted("«слово» and 「言葉」"), ["слово", "言葉"]);
        // Apostrophes inside and at the end of words open nothing.
        assert!(quoted("don't pay, it's a scam, the girls' account").is_empty());
        assert_eq!(
            quoted("she said 'pay me' and I didn't"),
            ["pay me"],
            "a quotation closes before an apostrophe later in the text"
        );
        // A reply's quoted line, after its mark; the answer is not quoted.
        assert_eq!(
            quoted("> can someone lend me 300k\r\nthat's NOT Rina, don't send"),
            [" can someone lend me 300k"]
        );
        assert_eq!(
            quoted("ok\n  >kirim ke rek ini\n>\nitu penipu"),
            ["kirim ke rek ini"]
        );
        assert!(
            quoted("harga > 100rb ga usah").is_empty(),
            "a '>' inside a line"
        );
        // An unclosed mark is not a quotation.
        assert!(quoted(r#"PROMO "slot gacor hari ini"#).is_empty());
        assert!(quoted("no quotes here").is_empty());
        assert!(quoted(r#"empty "" pair"#).is_empty());
    }

    #[test]
    fn a_span_taking_the_marks_of_its_quotation_is_quoted() {
        let text = "someone wrote that and called Hana a 'b*tch' when she disagreed";
        let mut r = Vec::new();
        quoted_ranges(text, &mut r);
        let at = text.find(" 'b*tch' ").unwrap();
        // A masked-slur rule reads the boundary around the word: space and marks included.
        assert!(quoted_span(text, &r, at, at + " 'b*tch' ".len()));
        assert!(quoted_span(text, &r, at + 2, at + 7));
        let outside = text.find("Hana").unwrap();
        assert!(!quoted_span(text, &r, outside, outside + 4));
        assert!(
            !quoted_span(text, &r, outside, at + 7),
            "a span reaching out of the quotation is not quoted"
        );
    }

    #[test]
    fn a_span_is_inside_when_one_range_holds_all_of_it() {
        let r = [(5, 10), (20, 30)];
        assert!(inside(&r, 5, 10));
        assert!(inside(&r, 22, 25));
        assert!(!inside(&r, 8, 12));
        assert!(!inside(&r, 0, 3));
        assert!(!inside(&[], 0, 0));
    }
}
