//! The real `jaga serve` binary as a child process: started on a free loopback port, its
//! standard error captured, stopped with SIGTERM or killed.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use super::http::request;

pub const ADMIN: &str = "admin-s3cret";
pub const AUTH: (&str, &str) = ("Authorization", "Bearer admin-s3cret");

/// The policy of the integration tests' rule sets.
pub const POLICY: &str = r#"
[message]
spam = { review = 0.45, hide = 0.65, remove = 0.85 }
scam = { review = 0.40, hide = 0.60, remove = 0.80 }
doxing = { review = 0.40 }
abuse = { review = 0.45 }

[join_request]
spam = { review = 0.40, reject = 0.80 }
scam = { review = 0.40, reject = 0.75 }
doxing = { review = 0.40 }
abuse = { review = 0.40 }
"#;

/// A temporary directory with `rules/` (POLICY, the rule file `rules`, empty link lists)
/// and `jaga.toml` holding `config`.
pub fn workspace(rules: &str, config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path().join("rules");
    std::fs::create_dir_all(r.join("lists")).unwrap();
    std::fs::write(r.join("policy.toml"), POLICY).unwrap();
    std::fs::write(r.join("test.toml"), rules).unwrap();
    // The link stage's lists; empty turns their checks off.
    for list in ["shorteners.txt", "brands.txt", "abused-tlds.txt"] {
        std::fs::write(r.join("lists").join(list), "").unwrap();
    }
    std::fs::write(dir.path().join("jaga.toml"), config).unwrap();
    dir
}

pub struct Server {
    pub child: Child,
    pub addr: SocketAddr,
    pub log: Arc<Mutex<String>>,
}

impl Server {
    pub fn start(dir: &Path, env: &[(&str, &str)]) -> Server {
        Server::start_with(dir, env, &[], Stdio::null())
    }

    pub fn start_with(dir: &Path, env: &[(&str, &str)], args: &[&str], stdin: Stdio) -> Server {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_jaga"));
        cmd.args(["serve", "--config", "jaga.toml", "--listen", "127.0.0.1:0"])
            .args(args)
            .current_dir(dir)
            .env_remove("JAGA_ADMIN_TOKEN")
            .env_remove("JAGA_INGEST_TOKEN")
            .env_remove("JAGA_STORE_KEY")
            .env_remove("JAGA_STORE_KEY_FILE")
            .env("JAGA_LOG", "info")
            .stdin(stdin)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn jaga serve");
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel();
        let log2 = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(a) = line.strip_prefix("jaga: listening on http://") {
                    let _ = tx.send(a.parse::<SocketAddr>().unwrap());
                }
                log2.lock().unwrap().push_str(&line);
                log2.lock().unwrap().push('\n');
            }
        });
        let addr = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(a) => a,
            Err(_) => {
                let _ = child.kill();
                panic!("jaga serve did not start: {}", log.lock().unwrap());
            }
        };
        assert!(addr.ip().is_loopback());
        Server { child, addr, log }
    }

    pub fn post(&self, path: &str, body: &str) -> super::http::Response {
        request(self.addr, "POST", path, &[], body.as_bytes())
    }

    pub fn admin_get(&self, path: &str) -> super::http::Response {
        request(self.addr, "GET", path, &[AUTH], b"")
    }

    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// SIGTERM and wait (bounded) for the exit code.
    pub fn terminate(mut self) -> (Option<i32>, String) {
        let pid = self.child.id().to_string();
        // The shell's builtin kill: no procps needed on a fresh machine.
        Command::new("sh")
            .args(["-c", &format!("kill -TERM {pid}")])
            .status()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                std::thread::sleep(Duration::from_millis(100));
                return (s.code(), self.log());
            }
            assert!(
                Instant::now() < deadline,
                "jaga serve did not stop on SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
