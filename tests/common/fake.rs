//! A small HTTP/1.1 server on loopback that plays a chat platform (the Telegram Bot API, a
//! GoWA gateway, a webhook receiver) for the adapter tests: it records every request and
//! answers through a handler the test writes in the platform's documented protocol.
//! One thread per connection, keep-alive, Content-Length bodies.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One request the fake received.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    /// Path and query as sent.
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub at: Instant,
    /// Whether the fake answered it (a held request that the client dropped was not).
    pub answered: bool,
}

impl Call {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The last path segment (a Bot API method name).
    pub fn method_name(&self) -> &str {
        self.path
            .split('?')
            .next()
            .unwrap_or("")
            .rsplit('/')
            .next()
            .unwrap_or("")
    }
}

/// What the handler answers.
pub enum Reply {
    /// Status and JSON body.
    Json(u16, String),
    /// Status, extra headers and JSON body.
    WithHeaders(u16, Vec<(String, String)>, String),
    /// Never answer: hold the request until the client goes away (a crash mid-call).
    Hold,
}

type Handler = dyn Fn(&Call) -> Reply + Send + Sync;

/// The fake server.
pub struct Fake {
    pub addr: SocketAddr,
    calls: Arc<Mutex<Vec<Call>>>,
}

impl Fake {
    pub fn start(handler: impl Fn(&Call) -> Reply + Send + Sync + 'static) -> Fake {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let calls = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let c = calls.clone();
        std::thread::spawn(move || {
            for s in listener.incoming() {
                let Ok(s) = s else { continue };
                let (c, h) = (c.clone(), handler.clone());
                std::thread::spawn(move || serve(s, &c, &*h));
            }
        });
        Fake { addr, calls }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }

    /// Calls whose last path segment is `name`.
    pub fn calls_to(&self, name: &str) -> Vec<Call> {
        self.calls()
            .into_iter()
            .filter(|c| c.method_name() == name || c.path.split('?').next() == Some(name))
            .collect()
    }

    /// Waits (bounded) until `pred` holds for the recorded calls; panics with the calls seen.
    pub fn wait_for(&self, what: &str, pred: impl Fn(&[Call]) -> bool) -> Vec<Call> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let calls = self.calls();
            if pred(&calls) {
                return calls;
            }
            if Instant::now() > deadline {
                let seen: Vec<String> = calls
                    .iter()
                    .map(|c| {
                        format!(
                            "{} {} {}",
                            c.method,
                            c.path.split("/bot").next().unwrap_or(""),
                            c.method_name()
                        )
                    })
                    .collect();
                panic!("timed out waiting for {what}; calls: {seen:#?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn serve(s: TcpStream, calls: &Mutex<Vec<Call>>, handler: &Handler) {
    let _ = s.set_read_timeout(Some(Duration::from_secs(120)));
    let mut w = s.try_clone().unwrap();
    let mut r = BufReader::new(s);
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or("").to_string();
        let path = parts.next().unwrap_or("").to_string();
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            if r.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.push((k.trim().to_string(), v.trim().to_string()));
            }
        }
        let len: usize = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; len];
        if r.read_exact(&mut body).is_err() {
            return;
        }
        let mut call = Call {
            method,
            path,
            headers,
            body,
            at: Instant::now(),
            answered: false,
        };
        let reply = handler(&call);
        let (status, extra, body) = match reply {
            Reply::Json(s, b) => (s, Vec::new(), b),
            Reply::WithHeaders(s, h, b) => (s, h, b),
            Reply::Hold => {
                calls.lock().unwrap().push(call);
                // Hold until the client closes the connection.
                let mut buf = [0u8; 64];
                while matches!(r.get_mut().read(&mut buf), Ok(n) if n > 0) {}
                return;
            }
        };
        call.answered = true;
        calls.lock().unwrap().push(call);
        let mut resp = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        );
        for (k, v) in extra {
            resp.push_str(&format!("{k}: {v}\r\n"));
        }
        resp.push_str("\r\n");
        if w.write_all(resp.as_bytes()).is_err() || w.write_all(body.as_bytes()).is_err() {
            return;
        }
        let _ = w.flush();
    }
}
