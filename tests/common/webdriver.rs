//! A small W3C WebDriver client for the console's end-to-end tests: Debian's chromedriver
//! driving Debian's headless Chromium, over the tests' own HTTP client. Only the commands the
//! tests use. A missing browser or driver is a test failure with the install command, never
//! a silent pass.

#![allow(dead_code)]

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::http::{request, Response};

/// The key of an element reference in WebDriver JSON.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

fn find_exe(env: &str, candidates: &[&str]) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(env) {
        return Some(PathBuf::from(p));
    }
    candidates.iter().map(PathBuf::from).find(|p| p.is_file())
}

/// A running chromedriver.
pub struct Driver {
    child: Child,
    addr: SocketAddr,
    chromium: PathBuf,
}

impl Driver {
    /// Starts chromedriver on a free loopback port; panics with the install command when
    /// Chromium or its driver is missing.
    pub fn start() -> Driver {
        let install = "install Debian's packages `chromium` and `chromium-driver` (apt-get install -y chromium chromium-driver; .ci/run does this), or set CHROMIUM and CHROMEDRIVER";
        let chromium = find_exe(
            "CHROMIUM",
            &["/usr/bin/chromium", "/usr/bin/chromium-browser"],
        )
        .unwrap_or_else(|| panic!("the console tests need a real Chromium: {install}"));
        let driver = find_exe("CHROMEDRIVER", &["/usr/bin/chromedriver"])
            .unwrap_or_else(|| panic!("the console tests need chromedriver: {install}"));
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(&driver)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}; {install}", driver.display()));
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let d = Driver {
            child,
            addr,
            chromium,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(mut c) = super::http::Client::connect(addr, Duration::from_secs(2)) {
                if c.send("GET", "/status", &[], b"")
                    .is_ok_and(|r| r.status == 200)
                {
                    return d;
                }
            }
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// A new headless browser session. `mobile`: emulate a phone of that width x height
    /// (device pixel ratio 3, touch, a phone's user agent), as Chrome's device mode does.
    pub fn session(&self, profile: &Path, mobile: Option<(u32, u32)>) -> Browser {
        let mut options = json!({
            "binary": self.chromium,
            // As root on a machine without network: no sandbox, no GPU, nothing that phones home.
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--hide-scrollbars", "--window-size=1280,900",
                format!("--user-data-dir={}", profile.display()),
            ],
        });
        if let Some((w, h)) = mobile {
            options["mobileEmulation"] = json!({
                "deviceMetrics": { "width": w, "height": h, "pixelRatio": 3.0, "touch": true },
                "userAgent": "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Mobile Safari/537.36",
            });
        }
        let caps = json!({
            "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": options,
            }}
        });
        let r = self.call("POST", "/session", &caps);
        let id = r["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no browser session: {r}"))
            .to_string();
        Browser {
            driver: self.addr,
            base: format!("/session/{id}"),
        }
    }

    fn call(&self, method: &str, path: &str, body: &Value) -> Value {
        call(self.addr, method, path, body)
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn call(addr: SocketAddr, method: &str, path: &str, body: &Value) -> Value {
    let body = if method == "GET" || method == "DELETE" {
        Vec::new()
    } else {
        serde_json::to_vec(body).unwrap()
    };
    let r: Response = request(
        addr,
        method,
        path,
        &[("Content-Type", "application/json")],
        &body,
    );
    let v = r.json();
    if r.status != 200 {
        panic!("WebDriver {method} {path}: {} {}", r.status, v);
    }
    v.get("value").cloned().unwrap_or(Value::Null)
}

/// One browser session.
pub struct Browser {
    driver: SocketAddr,
    base: String,
}

/// An element of the page.
#[derive(Clone, Debug)]
pub struct Element(String);

impl Browser {
    fn call(&self, method: &str, path: &str, body: Value) -> Value {
        call(self.driver, method, &format!("{}{path}", self.base), &body)
    }

    pub fn goto(&self, url: &str) {
        self.call("POST", "/url", json!({ "url": url }));
    }

    pub fn url(&self) -> String {
        self.call("GET", "/url", json!({}))
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    pub fn source(&self) -> String {
        self.call("GET", "/source", json!({}))
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    /// The first element matching a CSS selector, waiting up to 10 s for it.
    pub fn find(&self, css: &str) -> Element {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(e) = self.try_find(css) {
                return e;
            }
            assert!(
                Instant::now() < deadline,
                "no element `{css}` on {}:\n{}",
                self.url(),
                self.source()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn try_find(&self, css: &str) -> Option<Element> {
        let v = call_lenient(
            self.driver,
            &format!("{}/elements", self.base),
            &json!({ "using": "css selector", "value": css }),
        )?;
        v.as_array()?
            .first()
            .and_then(|e| e[ELEMENT].as_str())
            .map(|s| Element(s.to_string()))
    }

    pub fn count(&self, css: &str) -> usize {
        call_lenient(
            self.driver,
            &format!("{}/elements", self.base),
            &json!({ "using": "css selector", "value": css }),
        )
        .and_then(|v| v.as_array().map(Vec::len))
        .unwrap_or(0)
    }

    pub fn click(&self, e: &Element) {
        self.call("POST", &format!("/element/{}/click", e.0), json!({}));
    }

    pub fn type_into(&self, e: &Element, text: &str) {
        self.call(
            "POST",
            &format!("/element/{}/value", e.0),
            json!({ "text": text }),
        );
    }

    pub fn text(&self, e: &Element) -> String {
        self.call("GET", &format!("/element/{}/text", e.0), json!({}))
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    /// Waits (up to 10 s) until the page's text contains `needle`.
    pub fn wait_text(&self, css: &str, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            // The element may be swapped out (htmx) between finding and reading it.
            let t = self.try_find(css).and_then(|e| {
                let r = super::http::Client::connect(self.driver, Duration::from_secs(30))
                    .ok()?
                    .send(
                        "GET",
                        &format!("{}/element/{}/text", self.base, e.0),
                        &[],
                        b"",
                    )
                    .ok()?;
                (r.status == 200).then(|| r.json()["value"].as_str().unwrap_or("").to_string())
            });
            if let Some(t) = t.filter(|t| t.contains(needle)) {
                return t;
            }
            assert!(
                Instant::now() < deadline,
                "`{css}` never showed `{needle}` on {}:\n{}",
                self.url(),
                self.source()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Runs a script in the page and returns its value.
    pub fn execute(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            json!({ "script": script, "args": [] }),
        )
    }

    /// Every cookie of the page, HttpOnly ones included (as `name=value`).
    pub fn cookie(&self, name: &str) -> Option<String> {
        let v = self.call("GET", "/cookie", json!({}));
        v.as_array()?
            .iter()
            .find(|c| c["name"] == name)
            .and_then(|c| c["value"].as_str().map(String::from))
    }

    pub fn delete_cookies(&self) {
        self.call("DELETE", "/cookie", json!({}));
    }

    /// Sets the window size (desktop sessions).
    pub fn resize(&self, w: u32, h: u32) {
        self.call("POST", "/window/rect", json!({ "width": w, "height": h }));
    }

    /// A PNG of the whole page (beyond the viewport, through chromedriver's CDP bridge),
    /// written to `path`.
    pub fn screenshot(&self, path: &Path) {
        let v = self.call(
            "POST",
            "/goog/cdp/execute",
            json!({ "cmd": "Page.captureScreenshot", "params": { "format": "png", "captureBeyondViewport": true } }),
        );
        let png = base64_decode(v["data"].as_str().unwrap_or(""));
        assert!(png.starts_with(b"\x89PNG"), "not a PNG screenshot");
        std::fs::write(path, png).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = call_lenient_method(self.driver, "DELETE", &self.base);
    }
}

fn call_lenient(addr: SocketAddr, path: &str, body: &Value) -> Option<Value> {
    let r = super::http::Client::connect(addr, Duration::from_secs(30))
        .ok()?
        .send(
            "POST",
            path,
            &[("Content-Type", "application/json")],
            &serde_json::to_vec(body).ok()?,
        )
        .ok()?;
    (r.status == 200).then(|| r.json()["value"].clone())
}

fn call_lenient_method(addr: SocketAddr, method: &str, path: &str) -> Option<()> {
    super::http::Client::connect(addr, Duration::from_secs(30))
        .ok()?
        .send(method, path, &[], b"")
        .ok()
        .map(|_| ())
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for v in s.bytes().filter_map(val) {
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}
