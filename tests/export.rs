//! Exported chats read from real files: every WhatsApp layout and language in
//! `tests/fixtures/whatsapp`, zip exports, Telegram single/batch/account exports, damaged
//! input; generated and hostile input is the fuzz targets' job (fuzz/).

use std::path::{Path, PathBuf};

use jaga_core::event::{parse_rfc3339, Event, Kind};
use jaga_export::{self, Collected, DateOrder, Format, Level, ReadOptions};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

fn read(rel: &str) -> Collected {
    read_with(rel, &ReadOptions::default())
}

fn read_with(rel: &str, opts: &ReadOptions) -> Collected {
    jaga_export::read_all(&fixture(rel), opts).expect("fixture reads")
}

/// A time; the WhatsApp fixtures' local times are read in the default zone, Asia/Jakarta,
/// so they are written here with its offset, `+07:00`.
fn ts(s: &str) -> Option<i64> {
    Some(parse_rfc3339(s).expect("valid test time"))
}

/// (messages, joins, system, deleted, media) of the only input.
fn counts(c: &Collected) -> (u64, u64, u64, u64, u64) {
    assert_eq!(c.stats.len(), 1, "one input");
    let s = &c.stats[0];
    assert_eq!(
        c.events
            .iter()
            .filter(|(_, e)| e.kind == Kind::Message)
            .count() as u64,
        s.counts.messages
    );
    assert_eq!(
        c.events
            .iter()
            .filter(|(_, e)| e.kind == Kind::JoinRequest)
            .count() as u64,
        s.counts.joins
    );
    (
        s.counts.messages,
        s.counts.joins,
        s.counts.system,
        s.counts.deleted,
        s.counts.media,
    )
}

fn events(c: &Collected) -> Vec<&Event> {
    c.events.iter().map(|(_, e)| e).collect()
}

fn by_line(c: &Collected, line: u64) -> &Event {
    &c.events
        .iter()
        .find(|(o, _)| o.line == line)
        .unwrap_or_else(|| panic!("no event on line {line}"))
        .1
}

fn no_problems(c: &Collected) {
    assert!(c.diagnostics.is_empty(), "{:#?}", c.diagnostics);
}

#[test]
fn android_english_layout() {
    let c = read("whatsapp/WhatsApp Chat with ARMY Peduli.txt");
    no_problems(&c);
    assert_eq!(counts(&c), (7, 4, 6, 1, 2));
    let s = &c.stats[0];
    assert_eq!(
        (s.format, s.counts.lines, s.date_order),
        ("whatsapp", 22, Some("day/month"))
    );
    let ev = events(&c);
    assert!(
        ev.iter().all(|e| e.group == "ARMY Peduli"),
        "group from the file name"
    );
    // `Rina added Budi, Sari and +62 811-2222-3333`: one join event per added user.
    let joins: Vec<(&str, &str)> = c
        .events
        .iter()
        .filter(|(_, e)| e.kind == Kind::JoinRequest)
        .map(|(_, e)| (e.user.as_str(), e.id.as_str()))
        .collect();
    assert_eq!(
        joins,
        [
            ("Budi", "3.1"),
            ("Sari", "3.2"),
            ("+62 811-2222-3333", "3.3"),
            ("+62 857-1111-2222", "6")
        ]
    );
    // The newcomer's first message, right after joining via link.
    let first = by_line(&c, 7);
    assert_eq!(first.user, "+62 857-1111-2222");
    assert_eq!(
        first.text,
        "Halo kak, ada promo pinjaman cepat cair\nhubungi 0812-3456-0491 ya"
    );
    assert_eq!(first.ts, ts("2024-03-13T21:16:00+07:00"));
    assert_eq!(
        (first.member_messages, first.joined_at),
        (Some(0), ts("2024-03-13T21:15:00+07:00"))
    );
    // Budi was added at 08:01: his messages count from there.
    assert_eq!(by_line(&c, 5).member_messages, Some(0));
    assert_eq!(by_line(&c, 11).member_messages, Some(1));
    // Rina's join is not in the export: her history is unknown, not zero.
    assert_eq!(by_line(&c, 4).member_messages, None);
    // A date-like line inside a message, a non-header line, a blank line: all continuation.
    assert_eq!(
        by_line(&c, 11).text,
        "jadwal minggu ini:\n14/03/24, 10:00 - nobar di rumah Rina\n15/03/24 jam 19.00 kumpul\n\njangan telat: ya"
    );
    assert_eq!(by_line(&c, 9).attachments[0].kind, "media");
    let apk = by_line(&c, 20);
    assert_eq!(apk.attachments[0].name, "undangan.apk");
    assert_eq!(apk.text, "install ini ya buat undangan nobar");
    assert_eq!(by_line(&c, 22).text, "Ok: see you", "edit marker dropped");
    assert!(c
        .events
        .iter()
        .all(|(o, _)| o.file.ends_with("WhatsApp Chat with ARMY Peduli.txt")));
}

#[test]
fn android_indonesian_layout() {
    let c = read("whatsapp/Chat WhatsApp dengan ARMY Peduli.txt");
    no_problems(&c);
    assert_eq!(counts(&c), (5, 3, 6, 2, 1));
    let ev = events(&c);
    assert_eq!(ev[0].kind, Kind::JoinRequest);
    assert_eq!(ev[0].user, "+62 812-3456-7890");
    assert_eq!(ev[0].ts, ts("2020-11-26T23:11:00+07:00"));
    let spam = by_line(&c, 4);
    assert_eq!(spam.name, "+62 812-3456-7890");
    assert_eq!(
        spam.text,
        "Halo kak! Slot gacor maxwin hari ini\ndaftar di gacor88.xyz"
    );
    assert_eq!(spam.member_messages, Some(0));
    assert_eq!(
        by_line(&c, 6).member_messages,
        None,
        "Budi's join is not in the export"
    );
    // `Rina menambahkan Sari dan Dewi`.
    assert_eq!(by_line(&c, 8).user, "Sari");
    assert_eq!(
        ev.iter()
            .filter(|e| e.user == "Dewi" && e.kind == Kind::JoinRequest)
            .count(),
        1
    );
    let sari: Vec<Option<u64>> = ev
        .iter()
        .filter(|e| e.user == "Sari" && e.kind == Kind::Message)
        .map(|e| e.member_messages)
        .collect();
    assert_eq!(sari, [Some(0), Some(1), Some(2)]);
    // A time range inside the text is text, not a header.
    assert_eq!(
        by_line(&c, 14).text,
        "info konser 28/11/20 13.00 - 15.00 di JIS"
    );
    assert_eq!(by_line(&c, 14).ts, ts("2020-11-27T13:05:00+07:00"));
}

#[test]
fn ios_layout_with_marks_and_12_hour_times() {
    let c = read("whatsapp/ios_en.txt");
    no_problems(&c);
    assert_eq!(counts(&c), (7, 2, 2, 1, 3));
    assert_eq!(
        c.stats[0].date_order,
        Some("month/day"),
        "3/13/24 settles it"
    );
    let budi = by_line(&c, 4);
    assert_eq!(
        (budi.name.as_str(), budi.text.as_str()),
        ("Budi", "selamat malam")
    );
    assert_eq!(budi.ts, ts("2024-03-12T21:15:30+07:00"));
    assert_eq!(budi.member_messages, Some(0));
    // `ARMY Peduli: ‎X joined using this group’s invite link` is a system line, not a message.
    let join = by_line(&c, 5);
    assert_eq!(
        (join.kind, join.user.as_str()),
        (Kind::JoinRequest, "+62 857-1111-2222")
    );
    assert_eq!(by_line(&c, 6).attachments[0].name, "00000012-undangan.apk");
    assert_eq!(by_line(&c, 6).text, "");
    assert_eq!(by_line(&c, 7).attachments[0].kind, "media");
    assert_eq!(
        by_line(&c, 8).text,
        "cek undangan di atas ya kak\ninstall dulu"
    );
    assert_eq!(by_line(&c, 8).member_messages, Some(2));
    let doc = by_line(&c, 11);
    assert_eq!(doc.attachments[0].name, "undangan.apk");
    assert_eq!(doc.ts, ts("2024-03-14T00:00:00+07:00"), "12 AM is midnight");
    assert_eq!(
        doc.member_messages,
        Some(2),
        "the deleted message still counts"
    );
    assert_eq!(
        by_line(&c, 12).ts,
        ts("2024-03-14T12:30:00+07:00"),
        "12 PM is noon"
    );
    let last = by_line(&c, 13);
    assert_eq!(last.ts, ts("2024-03-14T13:05:09+07:00"));
    assert_eq!(
        last.text,
        "Reminder: vote sebelum 3/15/24, 11:59\u{202f}PM - jangan lupa"
    );
}

#[test]
fn spanish_12_hour_with_four_digit_years() {
    let c = read("whatsapp/spanish_12h.txt");
    no_problems(&c);
    assert_eq!(counts(&c), (3, 1, 4, 0, 1));
    let ev = events(&c);
    assert_eq!(
        (ev[0].kind, ev[0].user.as_str()),
        (Kind::JoinRequest, "Pablo")
    );
    assert_eq!(by_line(&c, 4).ts, ts("2024-01-15T09:08:00+07:00"));
    assert_eq!(by_line(&c, 5).ts, ts("2024-01-15T12:30:00+07:00"));
    assert_eq!(by_line(&c, 6).ts, ts("2024-01-16T00:05:00+07:00"));
    assert_eq!(by_line(&c, 6).text, "", "<Multimedia omitido> is media");
}

#[test]
fn year_first_and_dotted_dates() {
    let c = read("whatsapp/ymd.txt");
    no_problems(&c);
    assert_eq!(counts(&c), (3, 1, 0, 0, 0));
    assert_eq!(c.stats[0].date_order, Some("year/month/day"));
    assert_eq!(by_line(&c, 2).text, "halo juga\nbaris kedua");
    assert_eq!(by_line(&c, 5).member_messages, Some(0));

    let c = read("whatsapp/dots_de.txt");
    no_problems(&c);
    assert_eq!(counts(&c), (3, 1, 0, 0, 0));
    assert_eq!(by_line(&c, 1).ts, ts("2024-03-12T21:05:00+07:00"));
    assert_eq!(by_line(&c, 4).text, "Treffen am 14.03.24, 18:00 - im Park");
    assert_eq!(by_line(&c, 4).member_messages, Some(1));
}

#[test]
fn mixed_layouts_are_read_and_reported() {
    let c = read("whatsapp/mixed_layouts.txt");
    assert_eq!(counts(&c), (4, 0, 0, 0, 0));
    let warnings: Vec<String> = c.diagnostics.iter().map(|d| d.to_string()).collect();
    assert!(
        c.diagnostics.iter().all(|d| d.level == Level::Warning),
        "{warnings:?}"
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("mixed_layouts.txt:3: warning: the header layout changes here")),
        "{warnings:?}"
    );
    assert!(
        warnings.iter().any(|w| w.contains("both day/month")),
        "{warnings:?}"
    );
    // Day/month from the Android part, month/day from the iPhone part: each date stays valid.
    assert_eq!(by_line(&c, 1).ts, ts("2024-03-13T08:00:00+07:00"));
    assert_eq!(by_line(&c, 3).ts, ts("2024-03-15T09:00:00+07:00"));
}

#[test]
fn forced_date_order_wins() {
    let opts = ReadOptions {
        date_order: Some(DateOrder::Mdy),
        ..ReadOptions::default()
    };
    let c = read_with("whatsapp/ymd.txt", &opts);
    assert_eq!(counts(&c).0, 3, "year-first dates are unambiguous anyway");
    let c = read_with("whatsapp/spanish_12h.txt", &opts);
    // 15/01/2024 cannot be month/day: read day/month, and said so.
    assert_eq!(by_line(&c, 4).ts, ts("2024-01-15T09:08:00+07:00"));
    assert!(c
        .diagnostics
        .iter()
        .any(|d| d.message.contains("only valid as day/month")));
}

#[test]
fn bom_crlf_and_utf16_exports() {
    let c = read("whatsapp/utf8_bom_crlf.txt");
    no_problems(&c);
    assert_eq!(counts(&c), (2, 1, 0, 0, 0));
    assert_eq!(c.stats[0].encoding, "UTF-8 with BOM");
    assert_eq!(
        by_line(&c, 1).name,
        "Rina",
        "BOM is not part of the first header"
    );
    assert_eq!(
        by_line(&c, 2).text,
        "baris satu\nbaris dua",
        "no \\r left over"
    );

    let c = read("whatsapp/utf16le_bom.txt");
    no_problems(&c);
    assert_eq!(counts(&c), (2, 0, 0, 0, 0));
    assert_eq!(c.stats[0].encoding, "UTF-16LE");
    assert_eq!(by_line(&c, 1).text, "halo 💜");
    assert_eq!(by_line(&c, 2).text, "ini UTF-16\ndengan BOM");
}

#[test]
fn a_truncated_export_keeps_everything_before_the_cut() {
    let c = read("whatsapp/truncated.txt");
    assert_eq!(counts(&c), (2, 0, 0, 0, 0));
    assert_eq!(by_line(&c, 2).text, "sampai jumpa \u{FFFD}");
    let d = &c.diagnostics[0];
    assert_eq!((d.level, d.line), (Level::Warning, Some(2)));
    assert!(d.message.contains("not valid UTF-8"), "{d}");
}

#[test]
fn android_zip_export_names_its_attachments() {
    let c = read("whatsapp/WhatsApp Chat with ARMY Peduli.zip");
    no_problems(&c);
    assert_eq!(counts(&c), (5, 1, 0, 0, 4));
    let origin = &c.events[1].0;
    assert_eq!(
        (&*origin.file, origin.line),
        (
            &*format!(
                "{}/WhatsApp Chat with ARMY Peduli.txt",
                fixture("whatsapp/WhatsApp Chat with ARMY Peduli.zip").display()
            ),
            2
        )
    );
    let apk = by_line(&c, 2);
    assert_eq!(apk.attachments[0].name, "undangan.apk");
    assert_eq!(apk.text, "Undangan pernikahan kami, mohon dibuka ya");
    assert_eq!(apk.member_messages, Some(0));
    // `(Datei angehängt)` is not a known phrase, but the zip holds `Cek Resi.apk`.
    assert_eq!(by_line(&c, 5).attachments[0].name, "Cek Resi.apk");
    assert!(by_line(&c, 7).attachments.is_empty());
    assert!(c.events.iter().all(|(_, e)| e.group == "ARMY Peduli"));
}

#[test]
fn ios_zip_export_uses_the_zip_name_for_the_chat() {
    let c = read("whatsapp/WhatsApp Chat - ARMY Peduli.zip");
    no_problems(&c);
    assert_eq!(counts(&c), (2, 1, 0, 0, 1));
    assert!(c.events.iter().all(|(_, e)| e.group == "ARMY Peduli"));
    assert_eq!(by_line(&c, 2).attachments[0].name, "00000012-undangan.apk");
}

#[test]
fn a_cut_zip_is_an_error_not_a_crash() {
    let c = read("whatsapp/cut.zip");
    assert!(c.events.is_empty());
    assert_eq!(c.errors().count(), 1);
    assert!(
        c.diagnostics[0].message.contains("not a readable zip"),
        "{}",
        c.diagnostics[0]
    );
}

#[test]
fn telegram_single_chat() {
    let c = read("telegram/single.json");
    no_problems(&c);
    assert_eq!(counts(&c), (5, 3, 3, 0, 2));
    assert_eq!(c.stats[0].format, Format::Telegram.as_str());
    let ev = events(&c);
    assert!(ev.iter().all(|e| e.group == "ARMY Peduli TG"));
    // invite_members with two names: one join each; Budi's first message counts from it.
    assert_eq!((ev[0].id.as_str(), ev[0].user.as_str()), ("2.1", "Budi"));
    assert_eq!((ev[1].id.as_str(), ev[1].user.as_str()), ("2.2", "Sari"));
    let budi = by_line(&c, 36);
    assert_eq!(
        (budi.user.as_str(), budi.member_messages),
        ("user200", Some(0))
    );
    let join = by_line(&c, 51);
    assert_eq!(
        (join.kind, join.user.as_str(), join.name.as_str()),
        (Kind::JoinRequest, "user900", "Promo Cepat")
    );
    let promo = by_line(&c, 63);
    assert_eq!(
        promo.text,
        "Pinjaman cair 5 menit! Klaim sekarang di sini (https://bit.ly/cair5) atau hubungi +62 812-3456-0491"
    );
    assert_eq!(
        (promo.member_messages, promo.joined_at),
        (Some(0), Some(1_710_364_500))
    );
    assert_eq!(promo.ts, Some(1_710_364_560));
    let apk = by_line(&c, 116);
    assert_eq!(apk.attachments[0].name, "undangan.apk");
    assert_eq!(apk.member_messages, Some(1));
    let reply = by_line(&c, 134);
    assert_eq!(
        (reply.text.as_str(), reply.reply_to.as_str()),
        ("@budi jangan diklik, itu penipuan", "5")
    );
    let fwd = by_line(&c, 160);
    assert!(fwd.forwarded);
    assert_eq!(fwd.attachments[0].kind, "photo");
}

#[test]
fn telegram_account_exports() {
    let c = read("telegram/account_batch.json");
    no_problems(&c);
    assert_eq!(counts(&c), (4, 1, 0, 0, 0));
    let groups: Vec<&str> = events(&c).iter().map(|e| e.group.as_str()).collect();
    assert_eq!(
        groups,
        [
            "ARMY Tiket",
            "ARMY Tiket",
            "ARMY Tiket",
            "Rina",
            "ARMY Lama"
        ]
    );
    let agus = events(&c)[2];
    assert_eq!(agus.text, "https://t.me/+AbCdEf123 join grup promo");
    assert_eq!(agus.member_messages, Some(0));
    assert_eq!(
        events(&c)[3].member_messages,
        None,
        "join state does not leak across chats"
    );

    let c = read("telegram/account_list.json");
    no_problems(&c);
    assert_eq!(counts(&c), (3, 1, 0, 0, 0));
}

#[test]
fn telegram_export_cut_mid_way() {
    let c = read("telegram/cut.json");
    assert_eq!(counts(&c), (2, 3, 1, 0, 0), "everything before message 6");
    assert_eq!(c.errors().count(), 1);
    let d = &c.diagnostics[0];
    assert_eq!(d.line, Some(116), "the line the cut message starts on");
    assert!(d.message.contains("cut short"), "{d}");
}

#[test]
fn a_bad_telegram_message_is_skipped_with_its_line() {
    let c = read("telegram/bad_message.json");
    assert_eq!(counts(&c), (2, 0, 0, 0, 0));
    let d = c.errors().next().expect("an error");
    assert_eq!(d.line, Some(12));
    assert!(d.message.contains("not a valid Telegram message"), "{d}");
}

#[test]
fn the_shared_mit_fixtures_parse_when_present() {
    let dir = std::env::var_os("JAGA_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data"))
        .join("fixtures");
    if !dir.is_dir() {
        eprintln!("skipped: {} not present", dir.display());
        return;
    }
    for name in [
        "test_[mmddyy]_24hrs.txt",
        "test_ddmmyy_24hrs.txt",
        "test_mmddyy_24hrs.txt",
        "test_mmddyyyy_12hrs.txt",
        "test_yyyymmdd_24hrs.txt",
    ] {
        let c = jaga_export::read_all(&dir.join("whatsapp").join(name), &ReadOptions::default())
            .unwrap();
        // Nine headers: seven messages (one of them `Name:.`) and two system lines.
        let s = &c.stats[0];
        assert_eq!(
            (s.counts.messages, s.counts.system, s.counts.joins),
            (7, 2, 0),
            "{name}"
        );
        let last = &c.events.last().unwrap().1;
        assert_eq!(last.ts, ts("2021-12-30T22:01:00+07:00"), "{name}");
        assert_eq!(
            last.text, "Lorem ipsum dolor sit amet,\nconsectetur adipiscing elit. Duis libero.",
            "{name}"
        );
    }
    let expect = [
        ("test_single_export.json", 2, 0),
        ("test_batch_export.json", 2, 0),
        ("personal_chat.json", 4, 0),
        ("supergroup_with_topics.json", 4, 0),
        ("full_account_result.json", 13, 1),
    ];
    for (name, messages, joins) in expect {
        let c = jaga_export::read_all(&dir.join("telegram").join(name), &ReadOptions::default())
            .unwrap();
        assert!(c.diagnostics.is_empty(), "{name}: {:?}", c.diagnostics);
        assert_eq!(
            (c.stats[0].counts.messages, c.stats[0].counts.joins),
            (messages, joins),
            "{name}"
        );
    }
}

#[test]
fn synthetic_exports_parse_to_exactly_what_was_written() {
    for layout in [
        jaga_export::synth::whatsapp::Layout::AndroidId,
        jaga_export::synth::whatsapp::Layout::IosEn,
    ] {
        let mut buf = Vec::new();
        let w = jaga_export::synth::whatsapp::whatsapp(7, 400_000, layout, &mut buf).unwrap();
        let mut c = Collected::default();
        jaga_export::read_bytes("synthetic.txt", &buf, &ReadOptions::default(), &mut c).unwrap();
        no_problems(&c);
        let s = &c.stats[0];
        assert_eq!(s.counts, w.counts, "{layout:?}");
        // Each newcomer's first message right after joining is their message number 0.
        let newcomers = c
            .events
            .iter()
            .filter(|(_, e)| e.kind == Kind::Message && e.text.starts_with("halo kak, "))
            .count() as u64;
        assert_eq!(newcomers, w.counts.joins);
        assert!(c
            .events
            .iter()
            .filter(|(_, e)| e.text.starts_with("halo kak, "))
            .all(|(_, e)| e.member_messages == Some(0) && e.joined_at.is_some()));
    }
}

// Arbitrary and hostile input (every reader, zips, rule files, the normaliser): the fuzz
// targets in fuzz/, smoke-run by `cargo test -p jaga-fuzz` in CI.

#[test]
fn a_file_that_starts_mid_message_and_an_oversized_message() {
    let text = "sisa pesan sebelumnya\n26/11/20 23.10 - Rina: halo\n26/11/20 23.11 - Budi: baris satu\nbaris dua yang panjang sekali\nbaris tiga\n26/11/20 23.12 - Sari: pagi\n";
    let opts = ReadOptions {
        max_event_bytes: 40,
        ..ReadOptions::default()
    };
    let mut c = Collected::default();
    jaga_export::read_bytes("potong.txt", text.as_bytes(), &opts, &mut c).unwrap();
    assert_eq!(counts(&c), (3, 0, 0, 0, 0));
    let d: Vec<String> = c.diagnostics.iter().map(|d| d.to_string()).collect();
    assert_eq!(
        d,
        [
            "potong.txt:1: warning: text before the first message header; skipped (is the start of the file missing?)",
            "potong.txt:5: the message that starts on line 3 is longer than 40 bytes; the rest of it is not scanned (raise --max-event-bytes)",
        ]
    );
    assert_eq!(
        by_line(&c, 3).text,
        "baris satu\nbaris dua yang panjang sekali"
    );
    assert_eq!(by_line(&c, 6).text, "pagi", "the next message is whole");
}

#[test]
fn item10_german_joins() {
    let c = read("whatsapp/WhatsApp Chat mit ARMY Deutschland.txt");
    no_problems(&c);
    // 13 `Du hast X hinzugefügt`, one invite link, `Anna hat Nina und Olga hinzugefügt`;
    // created, subject, description, icon, encryption, security code, removed, left.
    assert_eq!(counts(&c), (5, 16, 8, 1, 1));
    let joins: Vec<&str> = c
        .events
        .iter()
        .filter(|(_, e)| e.kind == Kind::JoinRequest)
        .map(|(_, e)| e.user.as_str())
        .collect();
    assert_eq!(
        joins,
        [
            "Anna",
            "Budi",
            "Clara",
            "Dewi",
            "Emma",
            "Fitri",
            "Greta",
            "Hana",
            "Ines",
            "Jana",
            "Kiki",
            "Lena",
            "+49 151 23456789",
            "Mira",
            "Nina",
            "Olga"
        ]
    );
    assert!(c.events.iter().all(|(_, e)| e.group == "ARMY Deutschland"));
    // The newcomer's link right after joining is her first message in the group.
    let mira = by_line(&c, 22);
    assert_eq!(
        (mira.member_messages, mira.joined_at),
        (Some(0), ts("2024-03-13T09:00:00+07:00"))
    );
    assert_eq!(by_line(&c, 19).member_messages, Some(0), "Anna was added");
    assert_eq!(by_line(&c, 24).attachments[0].kind, "media");
    let names: Vec<&str> = c
        .events
        .iter()
        .filter(|(o, _)| o.line == 23)
        .map(|(_, e)| e.id.as_str())
        .collect();
    assert_eq!(names, ["23.1", "23.2"]);
}

#[test]
fn item10_time_zones() {
    let path = "whatsapp/WhatsApp Chat mit ARMY Deutschland.txt";
    let mira = |tz: &str| {
        let c = read_with(
            path,
            &ReadOptions {
                tz: tz.parse().unwrap(),
                ..ReadOptions::default()
            },
        );
        assert_eq!(c.stats[0].time_zone.as_deref(), Some(tz));
        let e = by_line(&c, 22).clone();
        (e.ts, e.joined_at)
    };
    // Written 09:01 on a German phone in March (CET, UTC+1): 08:01 UTC.
    assert_eq!(
        mira("Europe/Berlin"),
        (ts("2024-03-13T08:01:00Z"), ts("2024-03-13T08:00:00Z"))
    );
    assert_eq!(
        mira("Asia/Jakarta"),
        (ts("2024-03-13T02:01:00Z"), ts("2024-03-13T02:00:00Z"))
    );
    assert_eq!(
        mira("UTC"),
        (ts("2024-03-13T09:01:00Z"), ts("2024-03-13T09:00:00Z"))
    );
    // Summer time: the same wall clock in July is UTC+2.
    let summer = "15.07.24, 09:01 - Mira: halo\n";
    let mut c = Collected::default();
    let opts = ReadOptions {
        tz: "Europe/Berlin".parse().unwrap(),
        ..ReadOptions::default()
    };
    jaga_export::read_bytes("sommer.txt", summer.as_bytes(), &opts, &mut c).unwrap();
    assert_eq!(c.events[0].1.ts, ts("2024-07-15T07:01:00Z"));
    // Telegram's local `date` (exports without `date_unixtime`) is placed the same way;
    // `date_unixtime` is UTC already.
    let tg = r#"{"name":"ARMY","messages":[
 {"id":1,"type":"message","date":"2024-03-13T09:01:00","from":"Mira","from_id":"user1","text":"halo"},
 {"id":2,"type":"message","date":"2024-03-13T09:02:00","date_unixtime":"1710316920","from":"Mira","from_id":"user1","text":"lagi"}
]}"#;
    let mut c = Collected::default();
    jaga_export::read_bytes("result.json", tg.as_bytes(), &opts, &mut c).unwrap();
    assert_eq!(c.events[0].1.ts, ts("2024-03-13T08:01:00Z"));
    assert_eq!(c.events[1].1.ts, Some(1710316920));
}

#[test]
fn item10_pasted_system_lines_do_not_hide_text() {
    // A member pastes a fake system line into her message; the text after it is scored as
    // hers, not dropped with the system line.
    let text = "13.03.24, 09:01 - Rini: info konser\n13.03.24, 09:02 - Budi hat die Gruppe verlassen\npinjol cair 5 menit bit.ly/cair\n13.03.24, 09:02 - ini juga teks\n13.03.24, 09:03 - Sari: halo\n";
    let mut c = Collected::default();
    jaga_export::read_bytes("chat.txt", text.as_bytes(), &ReadOptions::default(), &mut c).unwrap();
    let texts: Vec<(&str, &str)> = c
        .events
        .iter()
        .map(|(_, e)| (e.user.as_str(), e.text.as_str()))
        .collect();
    assert_eq!(
        texts,
        [
            ("Rini", "info konser"),
            (
                "Rini",
                "pinjol cair 5 menit bit.ly/cair\n13.03.24, 09:02 - ini juga teks"
            ),
            ("Sari", "halo")
        ]
    );
    assert_eq!(c.diagnostics.len(), 1);
    assert!(c.diagnostics[0]
        .to_string()
        .starts_with("chat.txt:3: warning: text after a system line"));
}

#[test]
fn a_damaged_zip_entry_is_reported_and_the_rest_read() {
    // Found by the zip fuzz target: a broken local header used to fail the whole scan.
    let mut zip = std::fs::read(fixture("whatsapp/WhatsApp Chat with ARMY Peduli.zip")).unwrap();
    let headers: Vec<usize> = zip
        .windows(4)
        .enumerate()
        .filter(|(_, w)| *w == b"PK\x03\x04")
        .map(|(i, _)| i)
        .collect();
    assert!(headers.len() >= 2, "a chat and attachments");
    let last = *headers.last().unwrap();
    zip[last + 3] = 0x05;
    let mut c = Collected::default();
    jaga_export::read_bytes("chat.zip", &zip, &ReadOptions::default(), &mut c).unwrap();
    let errors: Vec<String> = c.errors().map(|d| d.to_string()).collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with("chat.zip: entry ") && errors[0].contains("is damaged"),
        "{errors:?}"
    );
    assert!(!c.events.is_empty(), "the chat is still read");
}
