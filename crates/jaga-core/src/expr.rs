//! `expr` combinators: rules built from other rules and signals.
//!
//! ```text
//! expr   := or
//! or     := and ("or" and)*
//! and    := unary ("and" unary)*
//! unary  := "not" unary | "(" expr ")" | count | name
//! count  := "count" "(" name ("," name)* ")" (">=" | ">" | "==" | "<=" | "<") number
//! name   := a rule id or a signal name, e.g. `scam.fee` or `link.shortener`
//! ```
//! A name is true when that rule fired (or that signal was found) on the event.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Ge,
    Gt,
    Eq,
    Le,
    Lt,
}

impl Cmp {
    fn test(self, a: usize, b: usize) -> bool {
        match self {
            Cmp::Ge => a >= b,
            Cmp::Gt => a > b,
            Cmp::Eq => a == b,
            Cmp::Le => a <= b,
            Cmp::Lt => a < b,
        }
    }
}

/// An expression over names of type `N`: strings as written, or whatever the engine resolves
/// them to (rule indices, signals) so evaluation does no string lookups.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr<N = String> {
    Name(N),
    Not(Box<Expr<N>>),
    And(Vec<Expr<N>>),
    Or(Vec<Expr<N>>),
    Count(Vec<N>, Cmp, usize),
}

impl<N> Expr<N> {
    /// Every leaf, in the order written.
    pub fn leaves(&self) -> Vec<&N> {
        let mut out = Vec::new();
        self.collect_leaves(&mut out);
        out
    }

    fn collect_leaves<'a>(&'a self, out: &mut Vec<&'a N>) {
        match self {
            Expr::Name(n) => out.push(n),
            Expr::Not(e) => e.collect_leaves(out),
            Expr::And(v) | Expr::Or(v) => v.iter().for_each(|e| e.collect_leaves(out)),
            Expr::Count(names, _, _) => out.extend(names.iter()),
        }
    }

    /// Evaluates with `fired(leaf)` telling whether a leaf is true.
    pub fn eval(&self, fired: &dyn Fn(&N) -> bool) -> bool {
        match self {
            Expr::Name(n) => fired(n),
            Expr::Not(e) => !e.eval(fired),
            Expr::And(v) => v.iter().all(|e| e.eval(fired)),
            Expr::Or(v) => v.iter().any(|e| e.eval(fired)),
            Expr::Count(names, cmp, n) => cmp.test(names.iter().filter(|x| fired(x)).count(), *n),
        }
    }

    /// The same expression with every leaf mapped through `f`.
    pub fn try_map<M, E>(&self, f: &dyn Fn(&N) -> Result<M, E>) -> Result<Expr<M>, E> {
        Ok(match self {
            Expr::Name(n) => Expr::Name(f(n)?),
            Expr::Not(e) => Expr::Not(Box::new(e.try_map(f)?)),
            Expr::And(v) => Expr::And(v.iter().map(|e| e.try_map(f)).collect::<Result<_, _>>()?),
            Expr::Or(v) => Expr::Or(v.iter().map(|e| e.try_map(f)).collect::<Result<_, _>>()?),
            Expr::Count(names, cmp, n) => {
                Expr::Count(names.iter().map(f).collect::<Result<_, _>>()?, *cmp, *n)
            }
        })
    }
}

impl Expr {
    pub fn parse(src: &str) -> Result<Expr, String> {
        let tokens = tokenize(src)?;
        let mut p = Parser { tokens, pos: 0 };
        let e = p.or()?;
        match p.tokens.get(p.pos) {
            None => Ok(e),
            Some(t) => Err(format!("unexpected `{t}` after a complete expression")),
        }
    }

    /// Every rule or signal name the expression refers to.
    pub fn names(&self) -> Vec<&str> {
        self.leaves().into_iter().map(String::as_str).collect()
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Name(String),
    Num(usize),
    LParen,
    RParen,
    Comma,
    Cmp(Cmp),
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tok::Name(n) => f.write_str(n),
            Tok::Num(n) => write!(f, "{n}"),
            Tok::LParen => f.write_str("("),
            Tok::RParen => f.write_str(")"),
            Tok::Comma => f.write_str(","),
            Tok::Cmp(c) => f.write_str(match c {
                Cmp::Ge => ">=",
                Cmp::Gt => ">",
                Cmp::Eq => "==",
                Cmp::Le => "<=",
                Cmp::Lt => "<",
            }),
        }
    }
}

fn tokenize(src: &str) -> Result<Vec<Tok>, String> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'(' => {
                out.push(Tok::LParen);
                i += 1
            }
            b')' => {
                out.push(Tok::RParen);
                i += 1
            }
            b',' => {
                out.push(Tok::Comma);
                i += 1
            }
            b'>' | b'<' | b'=' => {
                let two = b.get(i + 1) == Some(&b'=');
                let cmp = match (c, two) {
                    (b'>', true) => Cmp::Ge,
                    (b'>', false) => Cmp::Gt,
                    (b'<', true) => Cmp::Le,
                    (b'<', false) => Cmp::Lt,
                    (b'=', true) => Cmp::Eq,
                    _ => return Err("`=` is not an operator; write `==`".into()),
                };
                out.push(Tok::Cmp(cmp));
                i += if two { 2 } else { 1 };
            }
            b'0'..=b'9' => {
                let start = i;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                out.push(Tok::Num(
                    src[start..i]
                        .parse()
                        .map_err(|_| "number too large".to_string())?,
                ));
            }
            _ if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                while i < b.len()
                    && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'_' | b'.' | b'-'))
                {
                    i += 1;
                }
                out.push(Tok::Name(src[start..i].to_string()));
            }
            _ => {
                let ch = src[i..].chars().next().unwrap_or('?');
                return Err(format!("unexpected character `{ch}`"));
            }
        }
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek_word(&self, w: &str) -> bool {
        matches!(self.tokens.get(self.pos), Some(Tok::Name(n)) if n == w)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut v = vec![self.and()?];
        while self.peek_word("or") {
            self.pos += 1;
            v.push(self.and()?);
        }
        Ok(if v.len() == 1 {
            v.pop().unwrap_or(Expr::Or(Vec::new()))
        } else {
            Expr::Or(v)
        })
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut v = vec![self.unary()?];
        while self.peek_word("and") {
            self.pos += 1;
            v.push(self.unary()?);
        }
        Ok(if v.len() == 1 {
            v.pop().unwrap_or(Expr::And(Vec::new()))
        } else {
            Expr::And(v)
        })
    }

    fn unary(&mut self) -> Result<Expr, String> {
        match self.next() {
            Some(Tok::Name(n)) if n == "not" => Ok(Expr::Not(Box::new(self.unary()?))),
            Some(Tok::Name(n)) if n == "count" => self.count(),
            Some(Tok::Name(n)) if n == "and" || n == "or" => {
                Err(format!("`{n}` needs something on its left"))
            }
            Some(Tok::Name(n)) => Ok(Expr::Name(n)),
            Some(Tok::LParen) => {
                let e = self.or()?;
                match self.next() {
                    Some(Tok::RParen) => Ok(e),
                    _ => Err("missing `)`".into()),
                }
            }
            Some(t) => Err(format!("unexpected `{t}`")),
            None => Err("the expression ends too early".into()),
        }
    }

    fn count(&mut self) -> Result<Expr, String> {
        if self.next() != Some(Tok::LParen) {
            return Err("count needs `(` with names: count(a, b, c) >= 2".into());
        }
        let mut names = Vec::new();
        loop {
            match self.next() {
                Some(Tok::Name(n)) => names.push(n),
                _ => return Err("count(...) takes rule or signal names".into()),
            }
            match self.next() {
                Some(Tok::Comma) => continue,
                Some(Tok::RParen) => break,
                _ => return Err("missing `)` in count(...)".into()),
            }
        }
        let cmp = match self.next() {
            Some(Tok::Cmp(c)) => c,
            _ => return Err("count(...) must be compared: count(a, b) >= 2".into()),
        };
        match self.next() {
            Some(Tok::Num(n)) => Ok(Expr::Count(names, cmp, n)),
            _ => Err("count(...) must be compared with a number".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(src: &str, on: &[&str]) -> bool {
        Expr::parse(src)
            .unwrap()
            .eval(&|n: &String| on.contains(&n.as_str()))
    }

    #[test]
    fn precedence_and_not() {
        assert!(eval("a or b and c", &["a"]));
        assert!(!eval("(a or b) and c", &["a"]));
        assert!(eval("a and not b", &["a"]));
        assert!(!eval("not a", &["a"]));
        assert!(eval("not not a", &["a"]));
    }

    #[test]
    fn counting() {
        assert!(eval("count(x.a, x.b, x.c) >= 2", &["x.a", "x.c"]));
        assert!(!eval("count(x.a, x.b, x.c) >= 2", &["x.a"]));
        assert!(eval("count(x.a, x.b) == 0 or link.any", &["link.any"]));
        assert!(eval("count(x.a) < 1", &[]));
    }

    #[test]
    fn names_and_errors() {
        let e =
            Expr::parse("scam.fee and (count(scam.a, link.shortener) > 1 or not spam.b)").unwrap();
        assert_eq!(
            e.names(),
            vec!["scam.fee", "scam.a", "link.shortener", "spam.b"]
        );
        for bad in [
            "",
            "a and",
            "(a",
            "a b",
            "count(a) 2",
            "count a",
            "a = b",
            "and a",
            "a $ b",
        ] {
            assert!(Expr::parse(bad).is_err(), "{bad} should not parse");
        }
    }
}
