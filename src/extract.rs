//! TEMPORARY stand-in (replaced by the real extractor).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntityKind {
    Url,
    Email,
    Phone,
}
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entity {
    pub kind: EntityKind,
    pub start: usize,
    pub end: usize,
}
pub fn extract(text: &str, out: &mut Vec<Entity>) {
    out.clear();
    let mut pos = 0;
    for w in text.split(' ') {
        if w.starts_with("http")
            || w.contains(".com")
            || w.starts_with("t.me")
            || w.starts_with("bit.ly")
        {
            out.push(Entity {
                kind: EntityKind::Url,
                start: pos,
                end: pos + w.len(),
            });
        }
        pos += w.len() + 1;
    }
}
