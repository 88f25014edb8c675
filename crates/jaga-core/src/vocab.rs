//! The words jaga uses in front of admins, in Indonesian and English: categories, actions
//! (and what each one does on WhatsApp and on Telegram), case statuses, reasons in plain
//! words, rule descriptions, and senders shown as the chat app shows them, masked.
//!
//! One module for every page a person reads: the admin console and the HTML report of
//! `jaga scan --report` (and its CSV) both take their wording from here, so a word changes
//! in one place.

use crate::mask;
use crate::rules::Rule;
use crate::verdict::{Action, Category, Reason, Source};

/// A language of the pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// Bahasa Indonesia, the default: most admins of the communities jaga is for read it.
    #[default]
    Id,
    En,
}

impl Lang {
    /// Both languages, Indonesian first.
    pub const ALL: [Lang; 2] = [Lang::Id, Lang::En];

    /// The BCP 47 code (`id`, `en`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }

    /// `id` or `en` (also `in`, the old code for Indonesian, and region variants).
    pub fn parse(s: &str) -> Option<Lang> {
        let base = s.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match base.as_str() {
            "id" | "in" => Some(Lang::Id),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The preferred language of an `Accept-Language` header: the highest `q` among the
    /// languages jaga speaks; Indonesian when none of them is asked for.
    pub fn from_accept_language(header: &str) -> Lang {
        let mut best: Option<(f32, usize, Lang)> = None;
        for (i, part) in header.split(',').enumerate() {
            let mut it = part.split(';');
            let Some(lang) = it.next().and_then(Lang::parse) else {
                continue;
            };
            let q = it
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            if q > 0.0 && best.is_none_or(|(bq, bi, _)| q > bq || (q == bq && i < bi)) {
                best = Some((q, i, lang));
            }
        }
        best.map_or(Lang::Id, |b| b.2)
    }

    /// The other language, for a switch.
    pub fn other(self) -> Lang {
        match self {
            Lang::Id => Lang::En,
            Lang::En => Lang::Id,
        }
    }

    /// The language's own name, for a switch.
    pub fn name(self) -> &'static str {
        match self {
            Lang::Id => "Bahasa Indonesia",
            Lang::En => "English",
        }
    }

    fn pick(self, id: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Id => id,
            Lang::En => en,
        }
    }
}

/// A chat platform, for what an action means there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    WhatsApp,
    Telegram,
}

impl Platform {
    pub const ALL: [Platform; 2] = [Platform::WhatsApp, Platform::Telegram];

    pub fn name(self) -> &'static str {
        match self {
            Platform::WhatsApp => "WhatsApp",
            Platform::Telegram => "Telegram",
        }
    }
}

/// A category's name; `None` is "nothing wrong found".
pub fn category(c: Option<Category>, l: Lang) -> &'static str {
    match c {
        None => l.pick("Aman", "OK"),
        Some(Category::Spam) => l.pick("Spam", "Spam"),
        Some(Category::Scam) => l.pick("Penipuan", "Scam"),
        Some(Category::Doxing) => l.pick("Penyebaran data pribadi", "Doxing"),
        Some(Category::Abuse) => l.pick("Pelecehan", "Abuse"),
    }
}

/// A category's name from its JSON form (`ok`, `spam`...); unknown text is shown as is.
pub fn category_str(c: &str, l: Lang) -> String {
    if c == "ok" {
        return category(None, l).to_string();
    }
    c.parse::<Category>()
        .map_or_else(|_| c.to_string(), |c| category(Some(c), l).to_string())
}

/// One sentence on what a category covers.
pub fn category_hint(c: Category, l: Lang) -> &'static str {
    match c {
        Category::Spam => l.pick(
            "Promosi yang tidak diminta: judi online, jualan, undangan grup lain.",
            "Unsolicited promotion: online gambling, selling, invites to other groups.",
        ),
        Category::Scam => l.pick(
            "Penipuan: pinjol, investasi bodong, giveaway palsu, tiket palsu, phishing.",
            "Fraud: illegal loans, fake investments, fake giveaways, fake tickets, phishing.",
        ),
        Category::Doxing => l.pick(
            "Data pribadi orang lain disebar (NIK, nomor HP, alamat) untuk menyerangnya.",
            "Someone else's personal data (ID, phone, address) posted to target them.",
        ),
        Category::Abuse => l.pick(
            "Hinaan, ancaman, pelecehan seksual, serangan berbasis gender.",
            "Insults, threats, sexual harassment, gender-based attacks.",
        ),
    }
}

/// An action's name, as a verb an admin would use.
pub fn action(a: Action, l: Lang) -> &'static str {
    match a {
        Action::Allow => l.pick("Biarkan", "Allow"),
        Action::Review => l.pick("Tinjau", "Review"),
        Action::Hide => l.pick("Sembunyikan", "Hide"),
        Action::Remove => l.pick("Hapus pesan", "Remove"),
        Action::Mute => l.pick("Bisukan", "Mute"),
        Action::Ban => l.pick("Keluarkan & blokir", "Ban"),
        Action::Approve => l.pick("Terima", "Approve"),
        Action::Reject => l.pick("Tolak", "Reject"),
    }
}

/// An action's name from its JSON form; unknown text is shown as is.
pub fn action_str(a: &str, l: Lang) -> String {
    a.parse::<Action>()
        .map_or_else(|_| a.to_string(), |a| action(a, l).to_string())
}

/// What an action does on a platform, for an admin deciding whether to confirm it.
pub fn action_meaning(a: Action, p: Platform, l: Lang) -> &'static str {
    use Platform::{Telegram as T, WhatsApp as W};
    match (a, p) {
        (Action::Allow, _) => l.pick("Tidak ada yang dilakukan.", "Nothing is done."),
        (Action::Approve, W) => l.pick(
            "Permintaan bergabung disetujui (lewat HP admin yang tertaut).",
            "The join request is approved (through the linked admin phone).",
        ),
        (Action::Approve, T) => l.pick("Permintaan bergabung disetujui.", "The join request is approved."),
        (Action::Reject, W) => l.pick(
            "Permintaan bergabung ditolak (lewat HP admin yang tertaut).",
            "The join request is rejected (through the linked admin phone).",
        ),
        (Action::Reject, T) => l.pick("Permintaan bergabung ditolak.", "The join request is declined."),
        (Action::Review, _) => l.pick(
            "Pesan tetap ada; admin diberi tahu dan memutuskan di sini.",
            "The message stays; the admins are told and decide here.",
        ),
        (Action::Hide, W) => l.pick(
            "WhatsApp tidak bisa menyembunyikan: pesan dihapus untuk semua orang, dan kasus tetap terbuka untuk ditinjau.",
            "WhatsApp cannot hide: the message is deleted for everyone, and the case stays open for review.",
        ),
        (Action::Hide, T) => l.pick(
            "Pesan dihapus, dan kasus tetap terbuka untuk ditinjau.",
            "The message is deleted, and the case stays open for review.",
        ),
        (Action::Remove, W) => l.pick(
            "Pesan dihapus untuk semua orang (oleh HP admin yang tertaut). Tidak bisa dikembalikan.",
            "The message is deleted for everyone (by the linked admin phone). It cannot be restored.",
        ),
        (Action::Remove, T) => l.pick(
            "Pesan dihapus. Tidak bisa dikembalikan.",
            "The message is deleted. It cannot be restored.",
        ),
        (Action::Mute, W) => l.pick(
            "WhatsApp tidak bisa membisukan satu anggota: hanya pesannya yang dihapus.",
            "WhatsApp cannot mute one member: only the message is deleted.",
        ),
        (Action::Mute, T) => l.pick(
            "Pesan dihapus dan anggota tidak bisa mengirim pesan untuk sementara (bisa dibatalkan).",
            "The message is deleted and the member cannot send messages for a while (can be undone).",
        ),
        (Action::Ban, W) => l.pick(
            "Pesan dihapus dan anggota dikeluarkan dari grup (bisa dimasukkan lagi). WhatsApp tidak punya daftar blokir: dia bisa masuk lagi lewat tautan undangan.",
            "The message is deleted and the member is removed from the group (can be added back). WhatsApp has no ban list: they can rejoin through an invite link.",
        ),
        (Action::Ban, T) => l.pick(
            "Pesan dihapus dan anggota diblokir dari grup; tidak bisa masuk lagi sampai blokirnya dibuka (bisa dibatalkan).",
            "The message is deleted and the member is banned from the group; they cannot rejoin until unbanned (can be undone).",
        ),
    }
}

/// A case status's name (`pending`, `confirmed`, `dismissed`).
pub fn status(s: &str, l: Lang) -> &'static str {
    match s {
        "pending" => l.pick("Menunggu", "Pending"),
        "confirmed" => l.pick("Dikonfirmasi", "Confirmed"),
        "dismissed" => l.pick("Diabaikan", "Dismissed"),
        _ => l.pick("?", "?"),
    }
}

/// A join request or a message.
pub fn kind(k: &str, l: Lang) -> &'static str {
    match k {
        "join_request" => l.pick("Permintaan bergabung", "Join request"),
        _ => l.pick("Pesan", "Message"),
    }
}

/// The description of a rule in `l`, and the language it is written in: `description_id`
/// for Indonesian, `description` for English, the other one when a rule lacks the asked one
/// (`jaga rules check` requires both).
pub fn rule_description(rule: &Rule, l: Lang) -> (&str, Lang) {
    match l {
        Lang::Id if !rule.description_id.trim().is_empty() => {
            (rule.description_id.as_str(), Lang::Id)
        }
        Lang::En
            if rule.description.trim().is_empty() && !rule.description_id.trim().is_empty() =>
        {
            (rule.description_id.as_str(), Lang::Id)
        }
        _ => (rule.description.as_str(), Lang::En),
    }
}

/// Which detector a reason came from, in a few words.
pub fn source(s: Source, l: Lang) -> &'static str {
    match s {
        Source::Rule => l.pick("kata kunci", "keywords"),
        Source::Link => l.pick("tautan/berkas", "link/file"),
        Source::Obfuscation => l.pick("penyamaran huruf", "disguised letters"),
        Source::Doxing => l.pick("data pribadi", "personal data"),
        Source::Flood => l.pick("banjir pesan", "flood"),
        Source::Raid => l.pick("serbuan akun", "raid"),
        Source::CrossPost => l.pick("pesan berantai", "cross-post"),
        Source::Model => l.pick("model", "classifier"),
    }
}

/// A kind of personal data (`nik`, `phone`...) in plain words.
pub fn pii_kind(k: &str, l: Lang) -> &'static str {
    match k {
        "nik" => l.pick("NIK (KTP)", "national ID (NIK)"),
        "kk" => l.pick("nomor KK", "family card number"),
        "phone" => l.pick("nomor HP", "phone number"),
        "email" => l.pick("e-mail", "e-mail"),
        "npwp" => l.pick("NPWP", "tax ID (NPWP)"),
        "bank_account" => l.pick("nomor rekening", "bank account"),
        "card" => l.pick("nomor kartu", "card number"),
        "iban" => l.pick("IBAN", "IBAN"),
        "address" => l.pick("alamat", "address"),
        "location" => l.pick("lokasi", "location"),
        "plate" => l.pick("plat nomor", "licence plate"),
        "handle" => l.pick("akun medsos", "social account"),
        _ => l.pick("data pribadi", "personal data"),
    }
}

/// What a stateful or model reason means (they have no rule file to describe them).
fn builtin(id: &str, l: Lang) -> Option<&'static str> {
    Some(match id {
        "flood.user" => l.pick(
            "Anggota ini mengirim terlalu banyak pesan dalam waktu singkat.",
            "This member sent too many messages in a short time.",
        ),
        "flood.group" => l.pick(
            "Grup ini menerima terlalu banyak pesan sekaligus.",
            "The group is receiving too many messages at once.",
        ),
        "raid.join_wave" => l.pick(
            "Banyak permintaan bergabung sekaligus (serbuan): permintaan ditahan untuk ditinjau.",
            "Many join requests at once (a raid): requests are held for review.",
        ),
        "raid.fresh_account" => l.pick(
            "Akun yang baru bergabung langsung mengirim tautan, undangan atau berkas.",
            "An account that just joined posted a link, invite or file right away.",
        ),
        "cross_post" => l.pick(
            "Teks yang sama dikirim orang ini ke beberapa grup.",
            "This person posted the same text in several groups.",
        ),
        _ => return None,
    })
}

/// One reason in plain words: the rule's description (or what a built-in detector means),
/// then what matched, masked. `rule` is the rule with the reason's id, when there is one.
pub fn reason(r: &Reason, rule: Option<&Rule>, l: Lang) -> String {
    let what = match (r.source, rule) {
        (Source::Model, _) => {
            let cat = category(Some(r.category), l).to_lowercase();
            match l {
                Lang::Id => format!("Model menilai pesan ini mirip {cat}."),
                Lang::En => format!("The classifier finds this message looks like {cat}."),
            }
        }
        (_, Some(rule)) => rule_description(rule, l).0.to_string(),
        (_, None) => builtin(&r.id, l).map_or_else(|| r.id.clone(), str::to_string),
    };
    let matched = matched(r);
    // An `expr` rule's `matched` lists the rule ids it combined: no words for a person.
    let ids_only = matched
        .split(" + ")
        .all(|p| p.contains('.') && !p.contains(' '));
    if matched.is_empty() || ids_only || matches!(r.source, Source::Flood | Source::Raid) {
        return what;
    }
    let label = l.pick("cocok", "matched");
    format!("{what} ({label}: “{matched}”)")
}

/// What matched, safe to show: personal data in its masked form, the rest through
/// [`mask::mask`], cut to 80 characters.
pub fn matched(r: &Reason) -> String {
    let m = if r.entities.is_empty() {
        mask::mask(&r.matched)
    } else {
        let masked: Vec<&str> = r.entities.iter().map(|e| e.masked.as_str()).collect();
        masked.join(", ")
    };
    match m.char_indices().nth(80) {
        Some((i, _)) => format!("{}…", &m[..i]),
        None => m,
    }
}

/// A sender as the chat app shows them: the display name, or when there is none the
/// account (a WhatsApp number as `+62 812-····-7890`), with digits masked either way.
pub fn sender(name: &str, user: &str) -> String {
    let shown = if name.trim().is_empty() { user } else { name };
    if shown.trim().is_empty() {
        return "?".into();
    }
    let digits: Vec<char> = shown.chars().filter(char::is_ascii_digit).collect();
    let phone_like = digits.len() >= 8
        && shown
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c));
    if !phone_like {
        return mask::mask(shown);
    }
    // A number, as WhatsApp writes it: international, grouped, the middle hidden.
    let (cc, rest): (String, String) = match digits.iter().collect::<String>() {
        d if d.starts_with("62") => ("62".into(), d[2..].into()),
        d if d.starts_with('0') => ("62".into(), d[1..].into()),
        d => (String::new(), d),
    };
    let n = rest.len();
    let keep_head = 3.min(n);
    let keep_tail = 4.min(n.saturating_sub(keep_head));
    let hidden = n - keep_head - keep_tail;
    let mut out = String::new();
    if !cc.is_empty() {
        out.push('+');
        out.push_str(&cc);
        out.push(' ');
    } else if shown.trim_start().starts_with('+') {
        out.push('+');
    }
    out.push_str(&rest[..keep_head]);
    out.push('-');
    out.push_str(&"·".repeat(hidden));
    out.push('-');
    out.push_str(&rest[n - keep_tail..]);
    out
}

/// HTML-escapes text.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// A message as HTML with `spans` in `<mark>` and personal data masked: the doxing stage's
/// `entities` first, then whatever [`mask::find`] sees elsewhere. A masked piece is replaced
/// whole and marked when any span touches it. With `reveal` nothing is masked (an admin
/// asked, and the console audited it).
pub fn html(text: &str, spans: &[[usize; 2]], entities: &[mask::Masked], reveal: bool) -> String {
    let merged = crate::explain::merge_spans(text, spans);
    let marked = |a: usize, b: usize| merged.iter().any(|s| s[0] < b && a < s[1]);
    let mut pii: Vec<mask::Masked> = Vec::new();
    if !reveal {
        pii = entities
            .iter()
            .filter(|m| {
                m.range.start < m.range.end
                    && m.range.end <= text.len()
                    && text.is_char_boundary(m.range.start)
                    && text.is_char_boundary(m.range.end)
            })
            .cloned()
            .collect();
        pii.sort_by_key(|m| (m.range.start, std::cmp::Reverse(m.range.end)));
        // Nested or overlapping entities: keep the first, widest one.
        pii.dedup_by(|next, kept| next.range.start < kept.range.end);
        for m in mask::find(text) {
            if !pii
                .iter()
                .any(|e| e.range.start < m.range.end && m.range.start < e.range.end)
            {
                pii.push(m);
            }
        }
        pii.sort_by_key(|m| m.range.start);
    }
    let mut bounds: Vec<usize> = merged.iter().flat_map(|s| [s[0], s[1]]).collect();
    bounds.extend(pii.iter().map(|m| m.range.start));
    bounds.push(text.len());
    bounds.sort_unstable();
    let mut out = String::with_capacity(text.len() + 32);
    let mut i = 0;
    let mut p = 0;
    while i < text.len() {
        if let Some(m) = pii.get(p).filter(|m| m.range.start == i) {
            let piece = esc(&m.replacement);
            if marked(m.range.start, m.range.end) {
                out.push_str(&format!("<mark>{piece}</mark>"));
            } else {
                out.push_str(&piece);
            }
            i = m.range.end;
            p += 1;
            continue;
        }
        let next = bounds
            .iter()
            .copied()
            .find(|&b| b > i)
            .unwrap_or(text.len());
        let next = pii
            .get(p)
            .map_or(next, |m| next.min(m.range.start.max(i + 1)));
        let next = (next..=text.len())
            .find(|&n| text.is_char_boundary(n))
            .unwrap_or(text.len());
        let piece = esc(&text[i..next]);
        if marked(i, next) {
            out.push_str(&format!("<mark>{piece}</mark>"));
        } else {
            out.push_str(&piece);
        }
        i = next;
    }
    out
}

/// Month abbreviations, January first.
pub fn months(l: Lang) -> [&'static str; 12] {
    match l {
        Lang::Id => [
            "Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des",
        ],
        Lang::En => [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ],
    }
}

/// A day and time as people write it: `24 Nov 2026 17.05` (Indonesian uses a dot in times).
pub fn datetime(y: i64, mo: u8, d: u8, h: u8, mi: u8, l: Lang) -> String {
    let month = months(l)[usize::from(mo.clamp(1, 12) - 1)];
    let sep = l.pick(".", ":");
    format!("{d} {month} {y} {h:02}{sep}{mi:02}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::PiiEntity;

    #[test]
    fn html_highlights_and_masks_together() {
        let t = "transfer ke 081234567890 <sekarang>";
        let h = html(t, &[[0, 8], [12, 16]], &[], false);
        assert_eq!(
            h,
            "<mark>transfer</mark> ke <mark>0812****7890</mark> &lt;sekarang&gt;"
        );
        assert_eq!(
            html(t, &[[0, 8]], &[], true),
            "<mark>transfer</mark> ke 081234567890 &lt;sekarang&gt;",
            "revealed"
        );
        // Out-of-range and mid-char spans are ignored, not trusted.
        let e = "💜 halo";
        assert_eq!(html(e, &[[1, 3], [0, 99]], &[], false), "💜 halo");
        // The doxing stage's entities win over the generic finder, whatever they cover.
        let t = "alamat Jl. Melati No. 12, wa 081234567890";
        let ent = [mask::Masked {
            range: 7..24,
            replacement: "Jl. Me**** No. **".into(),
        }];
        assert_eq!(
            html(t, &[], &ent, false),
            "alamat Jl. Me**** No. **, wa 0812****7890"
        );
    }

    #[test]
    fn accept_language_picks_the_preferred_known_language() {
        assert_eq!(
            Lang::from_accept_language("en-US,en;q=0.9,id;q=0.8"),
            Lang::En
        );
        assert_eq!(
            Lang::from_accept_language("id-ID,id;q=0.9,en;q=0.8"),
            Lang::Id
        );
        assert_eq!(
            Lang::from_accept_language("fr, en;q=0.5, in;q=0.7"),
            Lang::Id
        );
        assert_eq!(Lang::from_accept_language("fr"), Lang::Id, "default");
        assert_eq!(Lang::from_accept_language(""), Lang::Id);
        assert_eq!(Lang::from_accept_language("en;q=0, id;q=0.1"), Lang::Id);
    }

    #[test]
    fn senders_look_as_in_the_app_and_are_masked() {
        assert_eq!(sender("+62 812-3456-7890", "x"), "+62 812-····-7890");
        assert_eq!(sender("", "0812345678901"), "+62 812-·····-8901");
        assert_eq!(sender("Rini 💜", "62812"), "Rini 💜");
        assert_eq!(sender("Rini 081234560491", ""), "Rini 0812****0491");
        assert_eq!(sender("", ""), "?");
        assert_eq!(sender("+1 (415) 555-0134", ""), "+141-····-0134");
    }

    #[test]
    fn reasons_are_plain_words_with_masked_matches() {
        let mut r = Reason::new(
            Source::Doxing,
            "pii.nik",
            Category::Doxing,
            0.9,
            vec![crate::verdict::Span::text(0, 16)],
            "3201234567890001",
        );
        r.entities.push(PiiEntity {
            kind: "nik".into(),
            span: [0, 16],
            validation: String::new(),
            masked: "3201********0001".into(),
            value: None,
        });
        let s = reason(&r, None, Lang::En);
        assert!(
            s.contains("3201********0001") && !s.contains("3201234567890001"),
            "{s}"
        );
        let f = Reason::new(
            Source::Flood,
            "flood.user",
            Category::Spam,
            0.5,
            vec![],
            "12 in 60s",
        );
        assert_eq!(
            reason(&f, None, Lang::Id),
            "Anggota ini mengirim terlalu banyak pesan dalam waktu singkat."
        );
        let m = Reason::new(
            Source::Model,
            "model.scam",
            Category::Scam,
            0.6,
            vec![],
            "p=0.9: pinjol",
        );
        assert!(reason(&m, None, Lang::Id).starts_with("Model menilai pesan ini mirip penipuan."));
    }

    #[test]
    fn every_action_has_a_meaning_on_both_platforms_in_both_languages() {
        for a in [
            Action::Allow,
            Action::Review,
            Action::Hide,
            Action::Remove,
            Action::Mute,
            Action::Ban,
            Action::Approve,
            Action::Reject,
        ] {
            for p in Platform::ALL {
                assert_ne!(
                    action_meaning(a, p, Lang::Id),
                    action_meaning(a, p, Lang::En)
                );
            }
        }
        assert_eq!(datetime(2026, 11, 24, 17, 5, Lang::Id), "24 Nov 2026 17.05");
        assert_eq!(datetime(2026, 5, 4, 9, 0, Lang::En), "4 May 2026 09:00");
    }
}
