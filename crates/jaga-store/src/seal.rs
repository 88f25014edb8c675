//! Personal data at rest: the full event of a case is kept only encrypted (ChaCha20-Poly1305
//! with a key from `JAGA_STORE_KEY` or the file named by `JAGA_STORE_KEY_FILE`), and the
//! `event` column holds a masked copy. Without a key only the masked copy is kept.

use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};

use jaga_core::event::Event;
use jaga_core::mask;

/// The environment variable holding the key (64 hex digits or base64 of 32 bytes).
pub const KEY_ENV: &str = "JAGA_STORE_KEY";
/// The environment variable naming a file that holds the key.
pub const KEY_FILE_ENV: &str = "JAGA_STORE_KEY_FILE";

/// Prefix of a sealed event: a format tag, so a later scheme can sit beside this one.
const TAG: &[u8] = b"jaga1";

/// The store's encryption key.
#[derive(Clone)]
pub struct StoreKey(ChaCha20Poly1305);

impl std::fmt::Debug for StoreKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoreKey(..)")
    }
}

impl StoreKey {
    /// Parses a key: 64 hex digits, or base64 of 32 bytes (`head -c 32 /dev/urandom | base64`).
    pub fn parse(s: &str) -> Result<StoreKey, String> {
        let s = s.trim();
        let bytes = if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
            (0..32)
                .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap_or(0))
                .collect::<Vec<u8>>()
        } else {
            base64::engine::general_purpose::STANDARD
                .decode(s)
                .map_err(|_| "the store key is neither 64 hex digits nor base64".to_string())?
        };
        if bytes.len() != 32 {
            return Err(format!(
                "the store key is {} bytes; it must be 32 (make one with `head -c 32 /dev/urandom | base64`)",
                bytes.len()
            ));
        }
        Ok(StoreKey(ChaCha20Poly1305::new(Key::from_slice(&bytes))))
    }

    /// The key from `JAGA_STORE_KEY`, else from the file `JAGA_STORE_KEY_FILE` names; `None`
    /// when neither is set. A set but unusable key is an error, never silently no key.
    pub fn from_env() -> Result<Option<StoreKey>, String> {
        if let Some(v) = std::env::var_os(KEY_ENV).filter(|v| !v.is_empty()) {
            let v = v
                .into_string()
                .map_err(|_| format!("{KEY_ENV} is not text"))?;
            return StoreKey::parse(&v)
                .map(Some)
                .map_err(|e| format!("{KEY_ENV}: {e}"));
        }
        if let Some(p) = std::env::var_os(KEY_FILE_ENV).filter(|v| !v.is_empty()) {
            let text = std::fs::read_to_string(&p).map_err(|e| {
                format!(
                    "{KEY_FILE_ENV}: cannot read {}: {e}",
                    std::path::Path::new(&p).display()
                )
            })?;
            return StoreKey::parse(&text).map(Some).map_err(|e| {
                format!(
                    "{KEY_FILE_ENV} ({}): {e}",
                    std::path::Path::new(&p).display()
                )
            });
        }
        Ok(None)
    }

    /// Encrypts `plain`, bound to `aad` (the case key): tag, 12-byte random nonce, ciphertext.
    pub fn seal(&self, plain: &[u8], aad: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; 12];
        if getrandom::fill(&mut nonce).is_err() {
            // No randomness: a fresh nonce from the clock and a counter is still unique.
            static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
            let t = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64);
            nonce[..8].copy_from_slice(&t.to_le_bytes());
            nonce[8..].copy_from_slice(
                &(N.fetch_add(1, std::sync::atomic::Ordering::Relaxed) as u32).to_le_bytes(),
            );
        }
        let ct = self
            .0
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: plain, aad })
            .unwrap_or_default();
        let mut out = Vec::with_capacity(TAG.len() + 12 + ct.len());
        out.extend_from_slice(TAG);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        out
    }

    /// Decrypts what [`StoreKey::seal`] made; `None` with another key or damaged bytes.
    pub fn open(&self, sealed: &[u8], aad: &[u8]) -> Option<Vec<u8>> {
        let rest = sealed.strip_prefix(TAG)?;
        if rest.len() < 12 {
            return None;
        }
        let (nonce, ct) = rest.split_at(12);
        self.0
            .decrypt(Nonce::from_slice(nonce), Payload { msg: ct, aad })
            .ok()
    }
}

/// What binds a sealed event to its case.
pub fn aad(community: &str, group: &str, event_id: &str) -> Vec<u8> {
    format!("{community}\u{0}{group}\u{0}{event_id}").into_bytes()
}

/// Replaces each masked range with an ASCII string of exactly its byte length (the
/// replacement, cut or padded with `*`), so spans into the original text still lie on
/// char boundaries of the masked one.
pub fn same_length(text: &str, parts: &[(usize, usize, String)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (a, b, r) in parts {
        out.push_str(&text[at..*a]);
        let n = b - a;
        let mut piece: String = r.chars().filter(char::is_ascii).take(n).collect();
        while piece.len() < n {
            piece.push('*');
        }
        out.push_str(&piece);
        at = *b;
    }
    out.push_str(&text[at..]);
    out
}

/// The event with its personal data masked: the text as [`crate::masked_summary`] masks it
/// but keeping every byte offset (`masked_text`), the name, the user id and attachment names
/// masked. This is what the `event` column keeps.
pub fn masked_event(ev: &Event, masked_text: String) -> Event {
    let keep = |s: &str| {
        let parts: Vec<(usize, usize, String)> = mask::find(s)
            .into_iter()
            .map(|m| (m.range.start, m.range.end, m.replacement))
            .collect();
        same_length(s, &parts)
    };
    let mut e = ev.clone();
    e.text = masked_text;
    e.name = keep(&ev.name);
    e.user = keep(&ev.user);
    e.reply_to = keep(&ev.reply_to);
    for a in &mut e.attachments {
        a.name = keep(&a.name);
    }
    e
}
