//! Engine behaviour on purpose-built rule sets: scoring, `when`, `allow`, `expr`, shadow
//! rules, minimum actions, join requests and spans into the original text.

use std::path::{Path, PathBuf};

use jaga_core::engine::{Engine, Scratch};
use jaga_core::event::{Event, Kind, Role};
use jaga_core::verdict::{Action, Category, Verdict};

/// The repository root: the shipped rules, lists and policy are there.
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A rules directory with the shipped lists and policy plus the given rule file.
fn engine_with(rules: &str) -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(root().join("rules/policy.toml"), d.join("policy.toml")).unwrap();
    std::fs::create_dir(d.join("lists")).unwrap();
    for f in ["shorteners.txt", "brands.txt", "abused-tlds.txt"] {
        std::fs::copy(root().join("rules/lists").join(f), d.join("lists").join(f)).unwrap();
    }
    std::fs::write(d.join("test.toml"), rules).unwrap();
    let engine = Engine::load(d).unwrap_or_else(|e| panic!("{e}"));
    (dir, engine)
}

fn eval(engine: &Engine, ev: &Event) -> Verdict {
    engine.evaluate(ev, &mut Scratch::new())
}

fn msg(text: &str) -> Event {
    Event {
        id: "t".into(),
        ..Event::message(text)
    }
}

/// Asserts that rule `id` fired and was discounted as quoted: reported with score 0 and
/// `matched` marked "quoted: ".
fn assert_quoted(v: &Verdict, id: &str) {
    let r = v
        .reasons
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("the quoted rule {id} is not reported: {v:?}"));
    assert_eq!(r.score, 0.0, "{r:?}");
    assert!(r.matched.starts_with("quoted: "), "{r:?}");
}

fn slice<'a>(text: &'a str, v: &Verdict, id: &str) -> Vec<&'a str> {
    let r = v
        .reasons
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("{id} did not fire: {v:?}"));
    r.spans.iter().map(|s| &text[s.start..s.end]).collect()
}

const RULES: &str = r#"
[[rule]]
id = "gambling.slot"
category = "spam"
keywords = ["slot gacor", "maxwin"]
score = 0.6

[[rule]]
id = "gambling.money"
category = "spam"
keywords = ["depo", "wd"]
min_matches = 2
score = 0.5

[[rule]]
id = "scam.pinjol"
category = "scam"
keywords = ["pinjol"]
allow = ["waspada", "hati-hati"]
score = 0.5

[[rule]]
id = "scam.fee"
category = "scam"
keywords = ["biaya admin", "ongkir"]
score = 0.3

[[rule]]
id = "scam.prize"
category = "scam"
keywords = ["hadiah", "giveaway"]
score = 0.2

[[rule]]
id = "scam.prize_fee"
category = "scam"
expr = "scam.fee and scam.prize"
score = 0.7
action = "remove"

[[rule]]
id = "spam.new_link"
category = "spam"
expr = "link.any"
when = { first_message = true }
score = 0.3

[[rule]]
id = "impersonation.name"
category = "scam"
field = "name"
on = ["message", "join_request"]
keywords = ["admin"]
when = { role = "member" }
score = 0.5

[[rule]]
id = "abuse.shadow"
category = "abuse"
keywords = ["jelek"]
status = "shadow"
score = 0.9

[[rule]]
id = "abuse.off"
category = "abuse"
keywords = ["jelek"]
status = "disabled"
score = 0.9
"#;

#[test]
fn keywords_score_with_noisy_or_and_spans_point_into_the_original() {
    let (_d, e) = engine_with(RULES);
    let text = "SLOT GACOR maxwin!! depo 10rb, wd cepat";
    let v = eval(&e, &msg(text));
    assert_eq!(v.category, Some(Category::Spam));
    // 1 - (1 - 0.6)(1 - 0.5) = 0.8 -> hide (0.65 <= 0.8 < 0.85)
    assert!((v.scores.spam - 0.8).abs() < 1e-6, "{:?}", v.scores);
    assert_eq!(v.action, Action::Hide);
    assert_eq!(
        slice(text, &v, "gambling.slot"),
        vec!["SLOT GACOR", "maxwin"]
    );
    assert_eq!(slice(text, &v, "gambling.money"), vec!["depo", "wd"]);
}

#[test]
fn min_matches_needs_distinct_keywords() {
    let (_d, e) = engine_with(RULES);
    let v = eval(&e, &msg("depo depo depo"));
    assert!(
        !v.fired("gambling.money"),
        "one keyword repeated is not two matches"
    );
    assert_eq!(v.category, None);
}

#[test]
fn allow_phrases_cancel_a_rule() {
    let (_d, e) = engine_with(RULES);
    assert!(eval(&e, &msg("pinjol cepat cair")).fired("scam.pinjol"));
    assert!(!eval(&e, &msg("Waspada pinjol ilegal, teman-teman")).fired("scam.pinjol"));
}

#[test]
fn expr_combines_rules_and_takes_their_spans_and_minimum_action() {
    let (_d, e) = engine_with(RULES);
    let text = "Menang giveaway! bayar biaya admin dulu";
    let v = eval(&e, &msg(text));
    assert!(v.fired("scam.prize_fee"));
    assert_eq!(
        slice(text, &v, "scam.prize_fee"),
        vec!["giveaway", "biaya admin"]
    );
    assert_eq!(
        v.action,
        Action::Remove,
        "the rule's minimum action applies"
    );
    assert_eq!(v.category, Some(Category::Scam));
    let v = eval(&e, &msg("bayar ongkir sendiri ya"));
    assert!(!v.fired("scam.prize_fee"));
}

#[test]
fn when_conditions_and_signals() {
    let (_d, e) = engine_with(RULES);
    let mut ev = msg("cek ini https://example.com/info");
    ev.member_messages = Some(0);
    assert!(eval(&e, &ev).fired("spam.new_link"));
    ev.member_messages = Some(5);
    assert!(!eval(&e, &ev).fired("spam.new_link"));
    ev.member_messages = None;
    assert!(
        !eval(&e, &ev).fired("spam.new_link"),
        "unknown history is not a first message"
    );
}

#[test]
fn name_rules_and_join_requests() {
    let (_d, e) = engine_with(RULES);
    let ev = Event {
        kind: Kind::JoinRequest,
        name: "Admin Resmi".into(),
        text: "halo".into(),
        ..Event::default()
    };
    let v = eval(&e, &ev);
    let r = v
        .reasons
        .iter()
        .find(|r| r.id == "impersonation.name")
        .expect("name rule fires on join requests");
    assert_eq!(r.spans[0].field, jaga_core::verdict::Field::Name);
    assert_eq!(r.spans[0].slice(&ev), Some("Admin"));
    // scam 0.5 on a join request: review at 0.40, reject at 0.75.
    assert_eq!(
        (v.category, v.action),
        (Some(Category::Scam), Action::Review)
    );
    let admin = Event {
        role: Role::Admin,
        ..ev.clone()
    };
    assert!(
        !eval(&e, &admin).fired("impersonation.name"),
        "real admins may say admin"
    );
}

#[test]
fn shadow_rules_report_but_never_act_and_disabled_rules_stay_silent() {
    let (_d, e) = engine_with(RULES);
    let v = eval(&e, &msg("kamu jelek"));
    let shadow: Vec<_> = v
        .reasons
        .iter()
        .filter(|r| r.id == "abuse.shadow")
        .collect();
    assert_eq!(shadow.len(), 1);
    assert!(shadow[0].shadow);
    assert!(!v.reasons.iter().any(|r| r.id == "abuse.off"));
    assert_eq!(v.scores.abuse, 0.0);
    assert_eq!((v.category, v.action), (None, Action::Allow));
}

#[test]
fn evasions_are_caught_and_spans_cover_the_evasive_original() {
    let (_d, e) = engine_with(RULES);
    for (text, want) in [
        ("𝐬𝐥𝐨𝐭 𝐠𝐚𝐜𝐨𝐫 malam ini", "𝐬𝐥𝐨𝐭 𝐠𝐚𝐜𝐨𝐫"),
        ("ｓｌｏｔ ｇａｃｏｒ", "ｓｌｏｔ ｇａｃｏｒ"),
        ("sl\u{200b}ot gacor", "sl\u{200b}ot gacor"),
        (
            "slot g\u{0430}\u{0441}\u{043e}r",
            "slot g\u{0430}\u{0441}\u{043e}r",
        ),
        ("sl0t g4c0r", "sl0t g4c0r"),
        ("ayo s l o t g a c o r", "s l o t g a c o r"),
        ("m.a.x.w.i.n", "m.a.x.w.i.n"),
    ] {
        let v = eval(&e, &msg(text));
        assert_eq!(slice(text, &v, "gambling.slot"), vec![want], "in {text:?}");
    }
    let v = eval(&e, &msg("of reeds and slots"));
    assert!(!v.fired("gambling.slot"));
}

#[test]
fn russian_and_greek_in_their_own_script_are_not_read_as_latin() {
    // Folded letter by letter, Russian `не`, `за`, `что` became `he`, `3a`, `4to`: English
    // and l33t rules fired on ordinary Russian chat. Written in its own script it is kept.
    let engine = Engine::load(&root().join("rules")).unwrap_or_else(|e| panic!("{e}"));
    for text in [
        "Не знаю, он сказал что не придет на концерт. Жалко",
        "Зачем тебе это? Возьми лучше большой ноутбук, за него не жалко",
        "Καλημέρα σε όλους, τα λέμε στη συναυλία",
    ] {
        let v = eval(&engine, &msg(text));
        assert!(v.reasons.is_empty(), "{text}: {:?}", v.reasons);
    }
    // Look-alike letters among Latin ones are still evasion, in a Russian message too.
    let (_d, e) = engine_with(RULES);
    let text = "привет, ѕӏоt g\u{0430}\u{0441}\u{043e}r";
    let v = eval(&e, &msg(text));
    assert_eq!(
        slice(text, &v, "gambling.slot"),
        vec!["ѕӏоt g\u{0430}\u{0441}\u{043e}r"]
    );
}

#[test]
fn verdict_json_round_trips() {
    let (_d, e) = engine_with(RULES);
    let v = eval(&e, &msg("slot gacor"));
    let json = serde_json::to_string(&v).unwrap();
    let back: Verdict = serde_json::from_str(&json).unwrap();
    assert_eq!(back.category, v.category);
    assert_eq!(back.reasons.len(), v.reasons.len());
    let _ = Path::new("");
}

#[test]
fn allow_phrases_cancel_expr_and_signal_rules_too() {
    let (_d, e) = engine_with(
        r#"
[[rule]]
id = "x.word"
category = "scam"
keywords = ["pinjol"]
score = 0.0

[[rule]]
id = "x.expr"
category = "scam"
expr = "x.word"
allow = ["hati-hati"]
score = 0.5

[[rule]]
id = "x.link"
category = "spam"
signal = "link.any"
allow = ["info resmi"]
score = 0.4
"#,
    );
    assert!(eval(&e, &msg("pinjol cepat")).fired("x.expr"));
    assert!(!eval(&e, &msg("hati-hati pinjol")).fired("x.expr"));
    assert!(eval(&e, &msg("cek https://example.com")).fired("x.link"));
    assert!(!eval(&e, &msg("info resmi https://example.com")).fired("x.link"));
}

#[test]
fn a_score_equal_to_a_threshold_reaches_it() {
    let (_d, e) = engine_with(
        "[[rule]]\nid = \"x.p\"\ncategory = \"scam\"\nkeywords = [\"pinjol\"]\nscore = 0.4\n",
    );
    let v = eval(&e, &msg("pinjol"));
    assert_eq!(
        (v.category, v.action),
        (Some(Category::Scam), Action::Review),
        "0.4 meets the 0.40 review threshold"
    );
}

#[test]
fn overlapping_keywords_count_once_for_min_matches() {
    let (_d, e) = engine_with(
        "[[rule]]\nid = \"x.m\"\ncategory = \"spam\"\nkeywords = [\"link viral\", \"viral\", \"bokep\"]\nmin_matches = 2\nscore = 0.5\n",
    );
    assert!(
        !eval(&e, &msg("link viral")).fired("x.m"),
        "one phrase, two overlapping keywords"
    );
    assert!(eval(&e, &msg("link viral bokep")).fired("x.m"));
}

const ALLOW_UNLESS: &str = r#"
[[rule]]
id = "scam.prize"
category = "scam"
keywords = ["hadiah", "transfer dulu"]
allow = ["hati-hati", "waspada"]
allow_unless = "call.pay and not call.reported"
score = 0.5

[[rule]]
id = "call.pay"
category = "scam"
regex = ['transfer dulu']
score = 0.0

[[rule]]
id = "call.reported"
category = "scam"
regex = ['(?:minta|suruh) (?:\w+ ){0,2}?transfer']
score = 0.0

[[rule]]
id = "scam.prize_bump"
category = "scam"
expr = "scam.prize"
score = 0.1
"#;

#[test]
fn allow_unless_keeps_a_warning_word_from_cancelling_the_senders_own_call() {
    let (_d, e) = engine_with(ALLOW_UNLESS);
    // A warning: the allow phrase cancels the rule (and what depends on it).
    let v = eval(&e, &msg("hati-hati ada yg bagi hadiah palsu"));
    assert!(
        !v.fired("scam.prize") && !v.fired("scam.prize_bump"),
        "{v:?}"
    );
    // The sender's own call to pay: the warning word cancels nothing.
    let text = "Hati-hati kak, transfer dulu 50rb biar hadiah cair";
    let v = eval(&e, &msg(text));
    assert!(v.fired("scam.prize") && v.fired("scam.prize_bump"), "{v:?}");
    // The allow phrase is not evidence: spans cover only the keywords.
    assert_eq!(slice(text, &v, "scam.prize"), ["transfer dulu", "hadiah"]);
    // Someone else's call, reported: the warning cancels again.
    let v = eval(
        &e,
        &msg("waspada, ada yg minta transfer dulu biar hadiah cair"),
    );
    assert!(!v.fired("scam.prize"), "{v:?}");
}

#[test]
fn allow_unless_is_linted() {
    for (body, want) in [
        (
            "[[rule]]\nid = \"a.b\"\ncategory = \"scam\"\nkeywords = [\"x\"]\nallow_unless = \"link.any\"\nscore = 0.5\n",
            "without allow",
        ),
        // An expr rule is written in place, and what it names must then qualify: a signal
        // rule fires after allow_unless is decided.
        (
            "[[rule]]\nid = \"a.b\"\ncategory = \"scam\"\nkeywords = [\"x\"]\nallow = [\"y\"]\nallow_unless = \"a.c\"\nscore = 0.5\n[[rule]]\nid = \"a.c\"\ncategory = \"scam\"\nexpr = \"a.d\"\nscore = 0.5\n[[rule]]\nid = \"a.d\"\ncategory = \"scam\"\nsignal = \"link.any\"\nscore = 0.5\n",
            "names `a.d`, which is neither a signal, a keyword/regex rule",
        ),
        // A shadow expr holds only for shadow expressions; written in place it would hold.
        (
            "[[rule]]\nid = \"a.b\"\ncategory = \"scam\"\nkeywords = [\"x\"]\nallow = [\"y\"]\nallow_unless = \"a.c\"\nscore = 0.5\n[[rule]]\nid = \"a.c\"\ncategory = \"scam\"\nexpr = \"link.any\"\nstatus = \"shadow\"\nscore = 0.5\n",
            "names `a.c`, an expr rule that is not active",
        ),
        (
            "[[rule]]\nid = \"a.b\"\ncategory = \"scam\"\nkeywords = [\"x\"]\nallow = [\"y\"]\nallow_unless = \"a.c\"\nscore = 0.5\n[[rule]]\nid = \"a.c\"\ncategory = \"scam\"\nexpr = \"link.any\"\nwhen = { role = \"member\" }\nscore = 0.5\n",
            "names `a.c`, an expr rule with a `when`",
        ),
        (
            "[[rule]]\nid = \"a.b\"\ncategory = \"scam\"\nkeywords = [\"x\"]\nallow = [\"y\"]\nallow_unless = \"count(a.c, link.any) >= 1\"\nscore = 0.5\n[[rule]]\nid = \"a.c\"\ncategory = \"scam\"\nexpr = \"link.any\"\nscore = 0.5\n",
            "counts `a.c`, an expr rule, inside count()",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::copy(root().join("rules/policy.toml"), d.join("policy.toml")).unwrap();
        std::fs::write(d.join("test.toml"), body).unwrap();
        let err = match Engine::load(d) {
            Ok(_) => panic!("loaded: {body}"),
            Err(e) => e.to_string(),
        };
        assert!(err.contains(want), "{err}");
    }
}

/// An `allow_unless` naming an expr rule decides as the same expression spelled out: the
/// expr rule is written into it in place.
#[test]
fn allow_unless_may_name_an_expr_rule_built_from_pattern_rules() {
    let named = ALLOW_UNLESS
        .replace(
            "allow_unless = \"call.pay and not call.reported\"",
            "allow_unless = \"call.own_pay\"",
        )
        + "\n[[rule]]\nid = \"call.own_pay\"\ncategory = \"scam\"\nexpr = \"call.pay and not call.reported\"\nscore = 0.0\n";
    let (_d1, spelled) = engine_with(ALLOW_UNLESS);
    let (_d2, named) = engine_with(&named);
    for (text, fires) in [
        ("hati-hati ada yg bagi hadiah palsu", false),
        ("Hati-hati kak, transfer dulu 50rb biar hadiah cair", true),
        (
            "waspada, ada yg minta transfer dulu biar hadiah cair",
            false,
        ),
        ("selamat dapat hadiah, transfer dulu ongkirnya", true),
    ] {
        let (a, b) = (eval(&spelled, &msg(text)), eval(&named, &msg(text)));
        assert_eq!(a.fired("scam.prize"), fires, "{text}: {a:?}");
        assert_eq!(b.fired("scam.prize"), fires, "{text}: {b:?}");
        assert_eq!(
            (a.action, a.scores.scam),
            (b.action, b.scores.scam),
            "{text}"
        );
    }
}

/// The shipped rules and model: a member quoting a scam to warn others, or reporting judol
/// spam, is never hidden on the model's word alone (`[model] warned_max_action`).
#[test]
fn shipped_rules_warnings_and_reports_go_to_review_at_most() {
    let model_path = root().join("models/jaga.model");
    let engine = Engine::load(&root().join("rules")).unwrap_or_else(|e| panic!("{e}"));
    let engine = match jaga_core::model::Model::load(&model_path) {
        Ok(m) => engine.with_model(Some(m)),
        Err(_) => engine,
    };
    for text in [
        "hati2 ada chat 'transfer dulu 50rb ke dana biar hadiah cair', jangan ditanggepin",
        "ada yang spam 'slot gacor maxwin' di grup, tolong admin kick",
        "min ada yg nyepam judol lagi: 'situs gacor depo 10rb wd berapapun dibayar' tolong dikick",
        "someone is spamming 'slot gacor maxwin daftar bit.ly/gacor88' in the main chat, pls remove",
        "hati-hati ada yang ngaku admin minta transfer, jangan ditanggepin",
    ] {
        let v = eval(&engine, &msg(text));
        assert!(v.fired("safety.warning"), "not a warning: {text}: {v:?}");
        assert!(
            v.action.severity() <= Action::Review.severity(),
            "{text}: {} ({v:?})",
            v.action
        );
    }
    // "Hati-hati" in front of the sender's own call to pay cancels nothing.
    let v = eval(
        &engine,
        &msg("Hati-hati kak, transfer dulu 50rb ke dana 08xx biar hadiahnya cair"),
    );
    assert_eq!(v.category, Some(Category::Scam), "{v:?}");
    assert!(!v.fired("safety.warning"), "{v:?}");
}

/// The shipped rules (`[quoted]` in the policy): in a warning or a report, evidence wholly
/// inside quotation marks, or on a reply's quoted line ("> ...", the message answered), counts
/// for nothing and stays in the verdict marked "quoted:"; the same words unquoted, or quoted
/// with no warning around them, are still the scam.
#[test]
fn shipped_rules_quoted_evidence_in_a_warning_counts_for_nothing() {
    let engine = Engine::load(&root().join("rules")).unwrap_or_else(|e| panic!("{e}"));
    let scam = "kak rekening donasi lagi maintenance, sementara tf ke DANA aku dulu ya";
    for warned in [
        format!("hati2 ada yg japri aku '{scam}' jangan ditanggepin ya"),
        format!("> {scam}\nhati2 ini modus penipuan, jangan ditanggepin ya"),
    ] {
        let v = eval(&engine, &msg(&warned));
        assert_eq!((v.category, v.action), (None, Action::Allow), "{v:?}");
        assert_quoted(&v, "transfer.account_switched");
    }
    for text in [
        scam.to_string(),
        format!("\"{scam}\""),
        format!("hati-hati kak, {scam}"),
        format!("{scam}\nhati2 ini modus penipuan, jangan ditanggepin ya"),
    ] {
        let v = eval(&engine, &msg(&text));
        assert_eq!(v.category, Some(Category::Scam), "{text}: {v:?}");
        assert!(
            v.action.severity() >= Action::Hide.severity(),
            "{text}: {v:?}"
        );
    }
}

/// In a warning, an expression that holds only thanks to quoted evidence counts for nothing,
/// though one of its parts lies outside the quotes (the warning names the usual account to
/// refute the quoted switch); one that holds on the sender's own words still counts, and
/// without the warning the quoted switch is the scam.
#[test]
fn an_expression_needing_quoted_evidence_counts_for_nothing_in_a_warning() {
    let (_dir, engine) = engine_with(concat!(
        "[[rule]]\nid = \"safety.warning\"\ncategory = \"scam\"\nkeywords = [\"awas\"]\nscore = 0.0\n",
        "[[rule]]\nid = \"t.switch\"\ncategory = \"scam\"\nkeywords = [\"ganti rekening\"]\nscore = 0.0\n",
        "[[rule]]\nid = \"t.pay\"\ncategory = \"scam\"\nkeywords = [\"tf ke dana\"]\nscore = 0.0\n",
        "[[rule]]\nid = \"t.usual\"\ncategory = \"scam\"\nkeywords = [\"rekening yayasan\"]\nscore = 0.0\n",
        "[[rule]]\nid = \"t.switched\"\ncategory = \"scam\"\nexpr = \"t.switch and t.pay and t.usual\"\nscore = 0.8\n",
    ));
    let warned =
        "awas ada chat \"ganti rekening, tf ke dana aku ya\". rekening yayasan ga pernah ganti";
    let v = eval(&engine, &msg(warned));
    assert_eq!((v.category, v.action), (None, Action::Allow), "{v:?}");
    assert_quoted(&v, "t.switched");
    for text in [
        // the sender's own switch, after a quotation
        "awas \"halo kak\". ganti rekening ya, tf ke dana aku, rekening yayasan diblokir",
        // no warning: the quotation is the scam
        "ada chat \"ganti rekening, tf ke dana aku ya\". rekening yayasan ga pernah ganti",
    ] {
        let v = eval(&engine, &msg(text));
        assert_eq!(v.category, Some(Category::Scam), "{text}: {v:?}");
    }
}

/// A warning kept from firing only by quoted evidence fires once the quotes are discounted: a
/// member asking whether a pasted message is real quotes its call to pay, and that call is
/// the pasted message's, so the warning holds and the scam rule that needs no warning counts
/// for nothing. The same call in her own words, or the quotation without the question, is
/// still the scam.
#[test]
fn a_warning_stopped_only_by_quoted_evidence_holds() {
    let (_dir, engine) = engine_with(concat!(
        "[[rule]]\nid = \"safety.quote_frame\"\ncategory = \"scam\"\nkeywords = [\"katanya\"]\nscore = 0.0\n",
        "[[rule]]\nid = \"t.ask\"\ncategory = \"scam\"\nkeywords = [\"beneran\"]\nscore = 0.0\n",
        "[[rule]]\nid = \"t.call\"\ncategory = \"scam\"\nkeywords = [\"tf ke rek ini\"]\nscore = 0.0\n",
        "[[rule]]\nid = \"t.new\"\ncategory = \"scam\"\nkeywords = [\"nomor baru\"]\nscore = 0.0\n",
        "[[rule]]\nid = \"safety.warning\"\ncategory = \"scam\"\nexpr = \"t.ask and not t.call\"\nscore = 0.0\n",
        "[[rule]]\nid = \"t.new_number\"\ncategory = \"scam\"\nexpr = \"t.new and not safety.warning\"\nscore = 0.8\n",
    ));
    let asked = "beneran dari dia bukan? nomor baru, katanya 'tf ke rek ini dulu ya'";
    let v = eval(&engine, &msg(asked));
    assert_eq!((v.category, v.action), (None, Action::Allow), "{v:?}");
    assert!(v.fired("safety.warning"), "{v:?}");
    assert_quoted(&v, "t.new_number");
    for text in [
        // the call in her own words
        "beneran kok, nomor baru, tf ke rek ini dulu ya",
        // a quotation without the question: nothing frames it as pasted
        "nomor baru, katanya 'tf ke rek ini dulu ya'",
    ] {
        let v = eval(&engine, &msg(text));
        assert_eq!(v.category, Some(Category::Scam), "{text}: {v:?}");
        assert!(!v.fired("safety.warning"), "{text}: {v:?}");
    }
}

/// A frame id that names no rule frames nothing and does not stop the engine (a purpose-built
/// rule set keeps the shipped policy); the engine lists it for `jaga rules check` to warn.
#[test]
fn a_quoted_frame_naming_no_rule_is_listed() {
    let (_dir, engine) = engine_with(
        "[[rule]]\nid = \"safety.warning\"\ncategory = \"scam\"\nkeywords = [\"awas\"]\nscore = 0.0\n",
    );
    let unknown = engine.unknown_quote_frames();
    assert!(!unknown.contains(&"safety.warning"), "{unknown:?}");
    assert!(unknown.contains(&"harass.quoted"), "{unknown:?}");
}

/// The same for `[model] unless`: an id that names no rule keeps nothing out; the engine
/// lists it with its label.
#[test]
fn a_model_unless_naming_no_rule_is_listed() {
    let (_dir, engine) = engine_with(
        "[[rule]]\nid = \"safety.warning\"\ncategory = \"scam\"\nkeywords = [\"awas\"]\nscore = 0.0\n",
    );
    assert_eq!(
        engine.unknown_model_unless(),
        [(jaga_core::model::Label::Doxing, "doxing.own_details")]
    );
    let shipped = Engine::load(&root().join("rules")).unwrap();
    assert!(shipped.unknown_model_unless().is_empty());
    // `[model] review_needs` likewise: the shipped policy's abuse.model_context is not here.
    assert_eq!(
        engine.unknown_model_review_needs(),
        [(jaga_core::model::Label::Abuse, "abuse.model_context")]
    );
    assert!(shipped.unknown_model_review_needs().is_empty());
}

#[test]
fn a_regex_that_runs_on_every_message_is_named_with_its_rule() {
    let (_dir, engine) = engine_with(
        r#"
[[rule]]
id = "spam.amount"
category = "spam"
regex = '\d+ ?rb'
score = 0.5

[[rule]]
id = "spam.send"
category = "spam"
regex = 'kirim \d+'
score = 0.5
"#,
    );
    let w = engine.cost_warnings();
    assert_eq!(w.len(), 1, "only the regex without a literal start: {w:?}");
    assert!(
        w[0].message
            .starts_with("rule `spam.amount`: regex `\\d+ ?rb` runs on every message")
            && w[0].message.contains("start it with a literal word"),
        "{}",
        w[0].message
    );
    assert!(
        w[0].location.file.ends_with("test.toml"),
        "{:?}",
        w[0].location
    );
}

/// A helper (score 0, no action) is listed by id in `helpers`; a doxing helper keeps its
/// reason, with its spans, while the event is flagged (the review store masks every doxing
/// span it is given) and is listed by id like any helper when the event is allowed or
/// approved, its spans kept unserialised in `doxing_helper_spans` (for the store to mask
/// if a member reports the event).
#[test]
fn doxing_helpers_keep_their_spans_only_on_flagged_events() {
    let (_d, e) = engine_with(
        r#"
[[rule]]
id = "x.word"
category = "abuse"
keywords = ["kak"]
score = 0.0

[[rule]]
id = "dox.place"
category = "doxing"
on = ["message", "join_request"]
keywords = ["kosnya di"]
score = 0.0

[[rule]]
id = "dox.call"
category = "doxing"
expr = "dox.place and dox.go"
score = 0.9

[[rule]]
id = "dox.go"
category = "doxing"
keywords = ["datengin"]
score = 0.0
"#,
    );
    let allowed = eval(&e, &msg("kak kosnya di deket kampus ya, enak"));
    assert_eq!(allowed.action, Action::Allow, "{allowed:?}");
    assert!(allowed.reasons.is_empty(), "{allowed:?}");
    let mut helpers = allowed.helpers.clone();
    helpers.sort();
    assert_eq!(helpers, ["dox.place", "x.word"]);
    let text = "kak kosnya di deket kampus ya, enak";
    let spans: Vec<&str> = allowed
        .doxing_helper_spans
        .iter()
        .map(|s| &text[s.start..s.end])
        .collect();
    assert_eq!(spans, ["kosnya di"]);
    let json = serde_json::to_string(&allowed).unwrap();
    assert!(
        !json.contains("kosnya") && !json.contains("doxing_helper_spans"),
        "{json}"
    );
    // A join request approved is not stored either.
    let join = Event {
        kind: Kind::JoinRequest,
        ..msg("halo kak, kosnya di deket kampus juga")
    };
    let approved = eval(&e, &join);
    assert_eq!(approved.action, Action::Approve, "{approved:?}");
    assert!(approved.reasons.is_empty(), "{approved:?}");
    assert_eq!(approved.helpers, ["dox.place"]);

    let text = "kak kosnya di jalan mawar, datengin aja rame2";
    let flagged = eval(&e, &msg(text));
    assert_ne!(flagged.action, Action::Allow, "{flagged:?}");
    assert_eq!(slice(text, &flagged, "dox.place"), ["kosnya di"]);
    assert_eq!(slice(text, &flagged, "dox.go"), ["datengin"]);
    assert!(flagged.fired("dox.call"));
    assert_eq!(flagged.helpers, ["x.word"], "{flagged:?}");
    assert!(flagged.doxing_helper_spans.is_empty(), "{flagged:?}");
}
