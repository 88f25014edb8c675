//! TEMPORARY stand-in (replaced by the real normaliser).
use crate::signal::Finding;
#[derive(Default)]
pub struct Normalised {
    text: String,
    map: Vec<u32>,
    findings: Vec<Finding>,
    orig_len: usize,
}
impl Normalised {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn normalise(&mut self, original: &str, _protected: &[crate::extract::Entity]) {
        self.text.clear();
        self.map.clear();
        self.findings.clear();
        self.orig_len = original.len();
        for (i, c) in original.char_indices() {
            for l in c.to_lowercase() {
                let mut b = [0u8; 4];
                let s = l.encode_utf8(&mut b);
                self.text.push_str(s);
                for _ in 0..s.len() {
                    self.map.push(i as u32);
                }
            }
        }
    }
    pub fn text(&self) -> &str {
        &self.text
    }
    pub fn to_original(&self, start: usize, end: usize) -> (usize, usize) {
        let s = self.map.get(start).map_or(self.orig_len, |&x| x as usize);
        if end <= start {
            return (s, s);
        }
        let e = self.map[end - 1] as usize;
        (s, e + 1)
    }
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }
}
pub fn normalise_str(s: &str) -> String {
    s.to_lowercase()
}
