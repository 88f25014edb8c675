//! Sign-in for the console: passwords (argon2id), one-time sign-in links, session cookies,
//! CSRF tokens and login rate limiting.
//!
//! * A session is a random 256-bit token in an `HttpOnly`, `SameSite=Strict` cookie
//!   (`Secure` behind TLS); the store keeps only its SHA-256, so a copy of the database
//!   signs nobody in. Each session has its own CSRF token, which every form carries.
//! * A sign-in link (`jaga admin add` / `jaga admin link`) is a one-time random token valid
//!   for a day; opening it shows a button, and only the POST of that button uses it up, so
//!   a chat app's link preview cannot spend it.
//! * Failed sign-ins are limited per admin name and per client address.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use jaga_store::{AdminAccount, Store, StoreError};

/// The session cookie.
pub const SESSION_COOKIE: &str = "jaga_session";
/// The pre-session cookie that the sign-in form's CSRF token must match.
pub const LOGIN_COOKIE: &str = "jaga_login";
/// The language cookie (`id` or `en`).
pub const LANG_COOKIE: &str = "jaga_lang";
/// How long a sign-in link stays valid.
pub const LINK_TTL_SECS: i64 = 24 * 3600;
/// Shortest password accepted.
pub const MIN_PASSWORD: usize = 10;

/// A random token: 32 bytes, hex.
pub fn token() -> String {
    let mut b = [0u8; 32];
    // The OS random source; without it no session may be created at all.
    getrandom::fill(&mut b).expect("the operating system's random source is unavailable");
    hex(&b)
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// SHA-256 of a token, hex: what the store keeps.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Constant-time equality of two tokens.
pub fn same(a: &str, b: &str) -> bool {
    !a.is_empty() && a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// An argon2id hash (PHC string) of a password.
pub fn hash_password(password: &str) -> Result<String, String> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(format!(
            "a password needs at least {MIN_PASSWORD} characters"
        ));
    }
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| format!("no random source: {e}"))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| e.to_string())?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Whether `password` matches a stored PHC hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A hash to verify against when the admin does not exist, so a wrong name takes as long
/// as a wrong password.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("not a real password at all").unwrap_or_default())
}

/// Creates a one-time sign-in link for an admin; returns the URL to give them.
pub fn new_sign_in_link(
    store: &Store,
    admin: &AdminAccount,
    base_url: &str,
    now: i64,
) -> Result<String, StoreError> {
    let t = token();
    store.add_sign_in_link(admin.id, &token_hash(&t), now + LINK_TTL_SECS)?;
    Ok(format!("{}/login/link/{t}", base_url.trim_end_matches('/')))
}

/// Failed sign-ins per admin name and per client address, in a sliding window.
pub struct RateLimit {
    window: Duration,
    per_name: usize,
    per_addr: usize,
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl RateLimit {
    /// At most `per_name` failures for one name and `per_addr` from one address per `window`.
    pub fn new(window: Duration, per_name: usize, per_addr: usize) -> RateLimit {
        RateLimit {
            window,
            per_name,
            per_addr,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn keys(name: &str, addr: Option<IpAddr>) -> [String; 2] {
        [
            format!("n:{}", name.trim().to_lowercase()),
            format!("a:{}", addr.map_or_else(|| "?".into(), |a| a.to_string())),
        ]
    }

    /// Whether another attempt is allowed now.
    pub fn allowed(&self, name: &str, addr: Option<IpAddr>) -> bool {
        let now = Instant::now();
        let mut f = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let [n, a] = Self::keys(name, addr);
        let count = |f: &mut HashMap<String, Vec<Instant>>, k: &str| {
            f.get_mut(k).map_or(0, |v| {
                v.retain(|t| now.duration_since(*t) < self.window);
                v.len()
            })
        };
        count(&mut f, &n) < self.per_name && count(&mut f, &a) < self.per_addr
    }

    /// Records a failed attempt.
    pub fn failed(&self, name: &str, addr: Option<IpAddr>) {
        let now = Instant::now();
        let mut f = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        // Bounded: a flood of made-up names cannot grow the map without end.
        if f.len() > 100_000 {
            f.retain(|_, v| v.iter().any(|t| now.duration_since(*t) < self.window));
        }
        for k in Self::keys(name, addr) {
            f.entry(k).or_default().push(now);
        }
    }

    /// Forgets the failures of a name after a successful sign-in.
    pub fn succeeded(&self, name: &str) {
        let mut f = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let [n, _] = Self::keys(name, None);
        f.remove(&n);
    }
}

/// The value of cookie `name` in a `Cookie` header.
pub fn cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: `HttpOnly`, `SameSite=Strict`, path `/`, `Secure` when asked;
/// `max_age` `None` is a browser-session cookie, `Some(0)` deletes it.
pub fn set_cookie(name: &str, value: &str, max_age: Option<i64>, secure: bool) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if let Some(a) = max_age {
        c.push_str(&format!("; Max-Age={a}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        assert!(hash_password("short").is_err());
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("correct horse batterY", &h));
        assert!(!verify_password("x", "not a hash"));
        assert_ne!(h, hash_password("correct horse battery").unwrap(), "salted");
    }

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let (a, b) = (token(), token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
        assert!(same(&a, &a.clone()) && !same(&a, &b) && !same("", ""));
    }

    #[test]
    fn rate_limit_counts_failures_per_name_and_address() {
        let r = RateLimit::new(Duration::from_secs(60), 3, 5);
        let ip: IpAddr = "127.0.0.1".parse().unwrap();
        for _ in 0..3 {
            assert!(r.allowed("Rini", Some(ip)));
            r.failed("rini", Some(ip));
        }
        assert!(!r.allowed("rini", Some(ip)), "per name, case-insensitive");
        assert!(r.allowed("sari", Some(ip)));
        r.failed("sari", Some(ip));
        r.failed("dewi", Some(ip));
        assert!(!r.allowed("tika", Some(ip)), "per address");
        r.succeeded("rini");
        assert!(!r.allowed("rini", Some(ip)), "the address is still over");
        assert!(r.allowed("rini", Some("10.0.0.1".parse().unwrap())));
    }

    #[test]
    fn cookies() {
        let mut h = axum::http::HeaderMap::new();
        h.insert(
            axum::http::header::COOKIE,
            "a=1; jaga_session=abc; b=2".parse().unwrap(),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&h, "c"), None);
        let c = set_cookie(SESSION_COOKIE, "abc", None, true);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict") && c.ends_with("Secure"));
    }
}
