//! End-to-end tests of the admin console in a real headless Chromium (Debian's `chromium`,
//! driven through `chromedriver`): the real `jaga serve` binary, real HTTP on loopback, a real
//! SQLite store, the shipped rules. A machine without Chromium fails these tests with the
//! command that installs it; CI installs it (`.ci/run`).
//!
//! `JAGA_SCREENSHOTS=docs` writes the README's screenshots (queue and case, desktop and
//! phone) into `docs/`; otherwise they go to a temporary directory and are only checked.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::fake::{Fake, Reply};
use common::http::request;
use common::webdriver::{Browser, Driver};
use jaga_store::{Durability, Store};

const PASSWORD: &str = "correct horse battery";
/// The outbound webhook's signing secret: `whsec_` + base64 of 32 bytes.
const WEBHOOK_SECRET: &str = "whsec_amFnYS1jb25zb2xlLXRlc3Qta2V5LTMyLWJ5dGVzISE=";

/// `jaga serve` on a workspace, and the platform bridge it acts through.
struct Server {
    _serve: common::server::Server,
    dir: tempfile::TempDir,
    /// A loopback bridge speaking jaga's outbound action webhook: records every action.
    bridge: Fake,
    addr: std::net::SocketAddr,
}

impl Server {
    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn store(&self) -> Store {
        Store::open(&self.dir.path().join("jaga.db"), Durability::Normal).unwrap()
    }

    /// Waits for the bridge to receive an action of `type` for event `event_id`.
    fn bridge_receives(&self, ty: &str, event_id: &str) -> serde_json::Value {
        let calls = self.bridge.wait_for(ty, |calls| {
            calls
                .iter()
                .any(|c| c.json()["type"] == ty && c.json()["data"]["event_id"] == event_id)
        });
        calls
            .iter()
            .map(|c| c.json())
            .find(|j| j["type"] == ty && j["data"]["event_id"] == event_id)
            .unwrap()
    }
}

fn jaga(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_jaga"));
    c.current_dir(dir)
        .env_remove("JAGA_ADMIN_TOKEN")
        .env_remove("JAGA_INGEST_TOKEN")
        .env_remove("JAGA_CONFIG");
    c
}

/// `jaga admin add`; returns what it printed (the sign-in link, without --password-stdin).
fn add_admin(dir: &Path, name: &str, role: &str, password: Option<&str>) -> String {
    let mut c = jaga(dir);
    c.args([
        "admin",
        "add",
        name,
        "--community",
        "army-id",
        "--role",
        role,
    ]);
    if password.is_some() {
        c.arg("--password-stdin");
    }
    let mut child = c
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(p) = password {
        writeln!(child.stdin.take().unwrap(), "{p}").unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A workspace with the shipped rules, an admin, a bridge that carries actions out (the
/// generic outbound webhook, every group in `review` mode: nothing happens until an admin
/// confirms), and `jaga serve` running on it.
/// The store key of the console tests (64 hex digits).
const STORE_KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

fn start() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let bridge = Fake::start(|_| Reply::Json(200, "{}".into()));
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    std::fs::write(
        dir.path().join("jaga.toml"),
        format!(
            "store = \"jaga.db\"\nrules = \"{}\"\nmodel = \"\"\n[console]\ntime_zone = \"Asia/Jakarta\"\n[webhook]\nurl = \"{}/actions\"\ndefault_mode = \"review\"\n",
            rules.display(),
            bridge.url()
        ),
    )
    .unwrap();
    add_admin(dir.path(), "rini", "admin", Some(PASSWORD));
    let serve = common::server::Server::start(
        dir.path(),
        &[
            ("JAGA_WEBHOOK_SECRET", WEBHOOK_SECRET),
            ("JAGA_LOG", "warn"),
            // The full events are kept (encrypted) so an admin can reveal them.
            ("JAGA_STORE_KEY", STORE_KEY),
        ],
    );
    let addr = serve.addr;
    Server {
        _serve: serve,
        dir,
        bridge,
        addr,
    }
}

/// Chat events as a bridge would post them: a scam, a doxing attack with a phone number
/// and an address, gambling spam, and ordinary chat.
fn post_events(s: &Server) {
    let events = [
        (
            "m1",
            "army-tiket",
            "6281211112222",
            "Tiket Murah",
            "Pinjol cair 5 menit tanpa BI checking, klik bit.ly/cair5",
        ),
        (
            "m2",
            "army-peduli",
            "6281298765432",
            "+62 812-9876-5432",
            "spill alamat dia Jl. Melati No. 12 RT 03 RW 05, wa 081234567890, sebarin ke grup",
        ),
        (
            "m3",
            "army-streaming",
            "6281333334444",
            "Mawar Slot",
            "SITUS SLOT GACOR HARI INI 🔥 depo 10rb wd berapapun dibayar, link alternatif: gacor88.xyz",
        ),
        (
            "m4",
            "army-streaming",
            "6281555556666",
            "Dewi",
            "Selamat pagi semua, jangan lupa streaming jam 10 ya 💜",
        ),
    ];
    let body: String = events
        .iter()
        .map(|(id, group, user, name, text)| {
            serde_json::json!({"id": id, "community": "army-id", "group": group, "user": user, "name": name, "text": text, "ts": "2026-11-24T10:00:00Z"})
                .to_string()
                + "\n"
        })
        .collect();
    let r = request(
        s.addr,
        "POST",
        "/v1/events",
        &[("Content-Type", "application/x-ndjson")],
        body.as_bytes(),
    );
    assert_eq!(r.status, 200, "{}", r.text());
}

fn sign_in(b: &Browser, s: &Server, name: &str, password: &str) {
    b.goto(&s.url("/queue"));
    // Without a session every page sends the browser to the sign-in page.
    b.find("form[action='/login']");
    assert!(b.url().contains("/login?next="), "{}", b.url());
    b.type_into(&b.find("input[name=name]"), name);
    b.type_into(&b.find("input[name=password]"), password);
    b.click(&b.find("button[type=submit].primary"));
    b.find("#total");
}

fn screenshots_dir() -> (Option<tempfile::TempDir>, PathBuf) {
    match std::env::var("JAGA_SCREENSHOTS") {
        Ok(d) if !d.is_empty() => {
            let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(d);
            std::fs::create_dir_all(&p).unwrap();
            (None, p)
        }
        _ => {
            let t = tempfile::tempdir().unwrap();
            let p = t.path().to_path_buf();
            (Some(t), p)
        }
    }
}

fn wait_status(store: &Store, id: i64, want: jaga_store::Status) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while store.get(id).unwrap().unwrap().case.status != want {
        assert!(
            std::time::Instant::now() < deadline,
            "case {id} never became {want:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

fn case_id_of(store: &Store, event_id: &str) -> i64 {
    store
        .queue(&jaga_store::QueueFilter {
            limit: 100,
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .find(|c| c.event_id == event_id)
        .unwrap_or_else(|| panic!("no case for {event_id}"))
        .id
}

#[test]
fn an_admin_signs_in_reviews_reveals_confirms_and_dismisses_in_chromium() {
    let s = start();
    post_events(&s);
    let store = s.store();
    let doxing = case_id_of(&store, "m2");
    let scam = case_id_of(&store, "m1");
    let driver = Driver::start();
    let profile = tempfile::tempdir().unwrap();
    let b = driver.session(profile.path(), None);
    let (_keep, shots) = screenshots_dir();

    // Sign in; the queue lists the flagged cases, most severe first, masked.
    sign_in(&b, &s, "rini", PASSWORD);
    let queue = b.text(&b.find("#queue"));
    assert_eq!(
        b.count("li.case"),
        3,
        "three flagged, the ordinary message is not:\n{queue}"
    );
    assert!(
        !queue.contains("081234567890") && !queue.contains("6281298765432"),
        "masked:\n{queue}"
    );
    assert!(queue.contains("0812****7890"), "{queue}");
    let html = b.source();
    assert!(
        !html.contains("<script>") && !html.contains(" onclick="),
        "no inline script"
    );
    b.screenshot(&shots.join("console-queue.png"));

    // A case: the message with its spans, reasons in plain words, personal data masked.
    b.click(&b.find(&format!("a[href='/cases/{doxing}']")));
    // Every highlighted span is masked until revealed (the call to spread it included).
    let text = b.wait_text("#text", "ke grup");
    assert!(
        !text.contains("081234567890") && text.contains("0812****7890"),
        "{text}"
    );
    let reasons = b.text(&b.find("ul.reasons"));
    assert!(
        !reasons.contains("doxing.exposure"),
        "plain words, not rule ids: {reasons}"
    );
    assert!(b.count("mark") >= 2, "spans highlighted");
    b.screenshot(&shots.join("console-case.png"));

    // Reveal: the full text, and an audit entry with the admin's name.
    b.click(&b.find("#reveal"));
    let revealed = b.wait_text("#message", "081234567890");
    assert!(revealed.contains("Jl. Melati No. 12"), "{revealed}");
    b.find("#revealed");
    let audit = store.audit_log(50).unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.what == "case.reveal" && e.actor == "rini" && e.case_id == Some(doxing)),
        "the reveal is audited: {audit:?}"
    );
    // Reloading the case masks it again: a reveal is for one look.
    b.goto(&s.url(&format!("/cases/{doxing}")));
    assert!(!b.text(&b.find("#text")).contains("081234567890"));

    // Nothing was carried out yet: the group is in review mode.
    assert!(s.bridge.calls().is_empty(), "{:?}", s.bridge.calls());

    // Confirm: the case is confirmed, by rini, and the platform bridge is asked to remove
    // the message (through the action executor, signed).
    b.click(&b.find("#confirm"));
    b.wait_text("#decide", "rini");
    let c = store.get(doxing).unwrap().unwrap();
    assert_eq!(c.case.status, jaga_store::Status::Confirmed);
    assert_eq!(c.decisions[0].admin, "rini");
    let asked = s.bridge_receives("moderation.action.requested", "m2");
    assert_eq!(asked["data"]["action"], "remove", "{asked}");
    assert_eq!(asked["data"]["actor"], "rini", "{asked}");
    let signed = s.bridge.calls();
    assert!(signed[0]
        .header("webhook-signature")
        .is_some_and(|h| h.starts_with("v1,")));
    // The case page shows the action carried out.
    b.goto(&s.url(&format!("/cases/{doxing}")));
    b.wait_text("#actions", "done");

    // Dismiss it after all: the bridge is asked to undo what it did.
    b.click(&b.find("#dismiss"));
    wait_status(&store, doxing, jaga_store::Status::Dismissed);
    let undo = s.bridge_receives("moderation.action.undo", "m2");
    assert_eq!(undo["data"]["actor"], "rini", "{undo}");
    assert_eq!(
        store.get(doxing).unwrap().unwrap().case.status,
        jaga_store::Status::Dismissed
    );

    // Dismiss another case with a note: recorded; nothing had been done, nothing to undo.
    b.goto(&s.url(&format!("/cases/{scam}")));
    b.type_into(&b.find("input[name=note]"), "a member warning others");
    b.click(&b.find("#dismiss"));
    b.wait_text("#decide", "a member warning others");
    let c = store.get(scam).unwrap().unwrap();
    assert_eq!(c.case.status, jaga_store::Status::Dismissed);
    assert!(store
        .audit_log(50)
        .unwrap()
        .iter()
        .any(|e| e.what == "case.decision" && e.actor == "rini" && e.case_id == Some(scam)));
    assert!(
        !s.bridge
            .calls()
            .iter()
            .any(|c| c.json()["data"]["event_id"] == "m1"),
        "no action for a dismissed case that was never acted on"
    );

    // A form posted without its CSRF token (or with another session's) is refused.
    let session = b.cookie("jaga_session").expect("a session cookie");
    let cookie = format!("jaga_session={session}");
    let pending = case_id_of(&store, "m3");
    for body in ["decision=confirm", "decision=confirm&csrf=0123456789abcdef"] {
        let r = request(
            s.addr,
            "POST",
            &format!("/cases/{pending}/decide"),
            &[
                ("Cookie", &cookie),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            body.as_bytes(),
        );
        assert_eq!(r.status, 403, "{body}: {}", r.text());
    }
    assert_eq!(
        store.get(pending).unwrap().unwrap().case.status,
        jaga_store::Status::Pending
    );
    // Every response carries the policy: no inline script, no other origin.
    let r = request(s.addr, "GET", "/queue", &[("Cookie", &cookie)], b"");
    let csp = r.header("content-security-policy").unwrap_or("");
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert!(!r.text().contains("<script>"));
    // Without a session no page answers (a redirect to the sign-in page).
    let r = request(s.addr, "GET", &format!("/cases/{pending}"), &[], b"");
    assert_eq!(r.status, 303);
    assert!(r.header("location").unwrap_or("").starts_with("/login"));

    // Sign out everywhere ends this session.
    b.goto(&s.url("/account"));
    b.click(&b.find("#logout-everywhere"));
    b.find("form[action='/login']");
    let r = request(s.addr, "GET", "/queue", &[("Cookie", &cookie)], b"");
    assert_eq!(r.status, 303, "the old cookie no longer works");
}

#[test]
fn a_viewer_signs_in_by_link_and_cannot_decide_and_the_queue_fits_a_phone() {
    let s = start();
    post_events(&s);
    let store = s.store();
    let link = add_admin(s.dir.path(), "sari", "viewer", None);
    let link = link.trim().replace("http://127.0.0.1:8080", &s.url(""));
    assert!(link.contains("/login/link/"), "{link}");
    let pending = case_id_of(&store, "m3");
    let driver = Driver::start();
    let (_keep, shots) = screenshots_dir();

    // A phone (Pixel-sized viewport), signing in with the one-time link.
    let profile = tempfile::tempdir().unwrap();
    let b = driver.session(profile.path(), Some((390, 844)));
    b.goto(&link);
    b.click(&b.find("button[type=submit]"));
    b.find("#sessions");
    // The link is used up.
    b.delete_cookies();
    b.goto(&link);
    b.find(".alert");
    assert!(b.try_find("button.primary").is_none());
    // Sign in again with a password set by the owner for this test, as a viewer.
    let hash = jaga_serve::console::auth::hash_password(PASSWORD).unwrap();
    let viewer = store.admin("sari").unwrap().unwrap();
    store.set_password(viewer.id, &hash).unwrap();
    sign_in(&b, &s, "sari", PASSWORD);

    // The queue renders without horizontal scrolling on the phone.
    let (sw, iw) = (
        b.execute("return document.documentElement.scrollWidth")
            .as_u64()
            .unwrap(),
        b.execute("return window.innerWidth").as_u64().unwrap(),
    );
    assert!(iw <= 400, "a phone-sized viewport: {iw}");
    assert!(
        sw <= iw,
        "no horizontal scrolling: content {sw}px wide in a {iw}px viewport"
    );
    assert!(
        b.try_find("input[name=case]").is_none(),
        "no bulk decisions for a viewer"
    );
    b.screenshot(&shots.join("console-queue-phone.png"));

    // A case on the phone: readable, no decision buttons for a viewer.
    b.goto(&s.url(&format!("/cases/{pending}")));
    b.find("#viewer-note");
    assert!(b.try_find("#confirm").is_none() && b.try_find("#reveal").is_none());
    let (sw, iw) = (
        b.execute("return document.documentElement.scrollWidth")
            .as_u64()
            .unwrap(),
        b.execute("return window.innerWidth").as_u64().unwrap(),
    );
    assert!(sw <= iw, "the case page fits too: {sw} > {iw}");
    b.screenshot(&shots.join("console-case-phone.png"));

    // Posting a decision with the viewer's own valid token is still refused.
    let cookie = format!("jaga_session={}", b.cookie("jaga_session").unwrap());
    let page = request(s.addr, "GET", "/account", &[("Cookie", &cookie)], b"").text();
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|x| x.split('"').next())
        .unwrap()
        .to_string();
    for path in [
        format!("/cases/{pending}/decide"),
        format!("/cases/{pending}/reveal"),
        format!("/cases/{pending}/ban"),
    ] {
        let r = request(
            s.addr,
            "POST",
            &path,
            &[
                ("Cookie", &cookie),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            format!("csrf={csrf}&decision=confirm").as_bytes(),
        );
        assert_eq!(r.status, 403, "{path}: {}", r.text());
    }
    assert_eq!(
        store.get(pending).unwrap().unwrap().case.status,
        jaga_store::Status::Pending
    );
    assert!(!store
        .audit_log(100)
        .unwrap()
        .iter()
        .any(|e| e.actor == "sari" && e.what == "case.reveal"));

    // English on request, and times in the community's zone (WIB), not epoch seconds.
    b.goto(&s.url("/lang/en?next=/queue"));
    let q = b.text(&b.find("main"));
    assert!(q.contains("Review queue") && q.contains("WIB"), "{q}");
}

#[test]
fn sign_in_is_rate_limited_and_needs_the_form_token() {
    let s = start();
    let page = request(s.addr, "GET", "/login", &[], b"");
    let cookie = page
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let token = cookie.split('=').nth(1).unwrap().to_string();
    let post = |body: String, cookie: &str| {
        request(
            s.addr,
            "POST",
            "/login",
            &[
                ("Cookie", cookie),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            body.as_bytes(),
        )
    };
    // Without the token from the sign-in page: refused before the password is looked at.
    let r = post(format!("name=rini&password={PASSWORD}"), &cookie);
    assert_eq!(r.status, 403);
    // Wrong passwords: 401, then 429 however right the next one is.
    for _ in 0..5 {
        let r = post(
            format!("csrf={token}&name=rini&password=wrong+password"),
            &cookie,
        );
        assert_eq!(r.status, 401, "{}", r.text());
    }
    let r = post(
        format!("csrf={token}&name=rini&password=correct+horse+battery"),
        &cookie,
    );
    assert_eq!(r.status, 429, "{}", r.text());
    assert!(r
        .header("set-cookie")
        .is_none_or(|c| !c.contains("jaga_session")));
}

/// Signs in over plain HTTP; returns the session cookie and the session's CSRF token.
fn http_sign_in(s: &Server, name: &str) -> (String, String) {
    let page = request(s.addr, "GET", "/login", &[], b"");
    let pre = page
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let token = pre.split('=').nth(1).unwrap().to_string();
    let r = request(
        s.addr,
        "POST",
        "/login",
        &[
            ("Cookie", &pre),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        format!("csrf={token}&name={name}&password=correct+horse+battery&next=/queue").as_bytes(),
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let cookie = r
        .headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
        .find(|(_, v)| v.starts_with("jaga_session="))
        .map(|(_, v)| v.split(';').next().unwrap().to_string())
        .unwrap();
    let page = request(s.addr, "GET", "/account", &[("Cookie", &cookie)], b"").text();
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|x| x.split('"').next())
        .unwrap()
        .to_string();
    (cookie, csrf)
}

#[test]
fn exports_scan_into_cases_with_report_and_csv_and_messages_can_be_tried() {
    let s = start();
    let (cookie, csrf) = http_sign_in(&s, "rini");
    let form = [
        ("Cookie", cookie.as_str()),
        ("Content-Type", "application/x-www-form-urlencoded"),
    ];

    // Try a message: the explanation in plain words, nothing stored.
    let r = request(
        s.addr,
        "POST",
        "/rules/try",
        &form,
        format!("csrf={csrf}&text=Pinjol+cair+5+menit+tanpa+BI+checking").as_bytes(),
    );
    assert_eq!(r.status, 200);
    let html = r.text();
    assert!(
        html.contains("id=\"try-result\"") && html.contains("<mark>"),
        "{html}"
    );
    assert!(s
        .store()
        .queue(&jaga_store::QueueFilter {
            limit: 10,
            ..Default::default()
        })
        .unwrap()
        .is_empty());

    // Upload the demo WhatsApp export: its flagged messages become cases of the community.
    let export = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/exports/WhatsApp Chat with ARMY Peduli.txt");
    let bytes = std::fs::read(&export).unwrap();
    let boundary = "jagaBoundary7MA4YWxk";
    let mut body = Vec::new();
    for (name, value) in [("csrf", csrf.as_str()), ("group", "")] {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"WhatsApp Chat with ARMY Peduli.txt\"\r\nContent-Type: text/plain\r\n\r\n").as_bytes(),
    );
    body.extend_from_slice(&bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let ct = format!("multipart/form-data; boundary={boundary}");
    let r = request(
        s.addr,
        "POST",
        "/exports",
        &[("Cookie", &cookie), ("Content-Type", &ct)],
        &body,
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let cases = s
        .store()
        .queue(&jaga_store::QueueFilter {
            limit: 100,
            ..Default::default()
        })
        .unwrap();
    assert!(!cases.is_empty(), "the export's flagged messages are cases");
    assert!(cases.iter().all(|c| c.community == "army-id"));
    let scans = s.store().export_scans(Some("army-id"), 10).unwrap();
    assert_eq!(scans.len(), 1);
    assert_eq!(scans[0].new_cases as usize, cases.len());
    let list = request(s.addr, "GET", "/exports", &[("Cookie", &cookie)], b"").text();
    assert!(
        list.contains("WhatsApp Chat with ARMY Peduli.txt"),
        "{list}"
    );
    let id = scans[0].id;
    let report = request(
        s.addr,
        "GET",
        &format!("/exports/{id}/report.html"),
        &[("Cookie", &cookie)],
        b"",
    );
    assert_eq!(report.status, 200);
    assert!(report.text().contains("Laporan jaga") && !report.text().contains("<script"));
    let csp = report.header("content-security-policy").unwrap();
    assert!(
        csp.contains("sandbox") && csp.contains("default-src 'none'"),
        "{csp}"
    );
    assert!(report
        .header("content-disposition")
        .unwrap()
        .starts_with("attachment"));
    let csv = request(
        s.addr,
        "GET",
        &format!("/exports/{id}/flagged.csv"),
        &[("Cookie", &cookie)],
        b"",
    )
    .text();
    assert!(csv.lines().count() as i64 == scans[0].flagged + 1, "{csv}");
    // Without a session: nothing.
    assert_eq!(
        request(
            s.addr,
            "GET",
            &format!("/exports/{id}/flagged.csv"),
            &[],
            b""
        )
        .status,
        303
    );

    // Rules: a decision shows in the rule's precision.
    let first = cases[0].id;
    let r = request(
        s.addr,
        "POST",
        &format!("/cases/{first}/decide"),
        &form,
        format!("csrf={csrf}&decision=confirm").as_bytes(),
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let rules = request(s.addr, "GET", "/rules", &[("Cookie", &cookie)], b"").text();
    assert!(
        rules.contains("100%"),
        "a confirmed rule shows 100% precision"
    );
    // Retraining is for owners.
    let r = request(
        s.addr,
        "POST",
        "/learning/retrain",
        &form,
        format!("csrf={csrf}").as_bytes(),
    );
    assert_eq!(r.status, 403);
    let health = request(s.addr, "GET", "/health", &[("Cookie", &cookie)], b"").text();
    assert!(
        health.contains("webhook"),
        "the connection is listed: {health}"
    );
}
