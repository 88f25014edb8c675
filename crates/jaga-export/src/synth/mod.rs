//! Synthetic chat traffic for benchmarks and load tests: deterministic, hand-written
//! fragments (no third-party text), typical lengths (60-300 bytes), the emoji and links real
//! groups have, and a minority of spam and scams so every stage has work to do.

pub mod whatsapp;

/// A small deterministic PRNG (xorshift64*), so runs are repeatable without a crate.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const CHAT: &[&str] = &[
    "selamat pagi semuanya, jangan lupa sarapan ya",
    "streaming MV baru jam 10 malam ini, playlist ada di pinned",
    "aku baru pulang kerja, capek banget hari ini",
    "ada yang mau nobar konser online minggu depan?",
    "vokalnya bagus banget di live semalam",
    "makasih admin udah rekap jadwal comeback",
    "kak, link vote award yang resmi yang mana ya?",
    "semangat buat yang besok ujian, kalian pasti bisa",
    "fancam terbaru udah keluar, cek di channel resmi",
    "aku masih nangis liat performance tadi",
    "good morning everyone, have a nice day",
    "did anyone catch the live stream last night?",
    "reminder: voting closes at midnight KST",
    "donasi ulang tahun member udah terkumpul, laporan nyusul jumat",
    "yang mau ikut gathering bandung isi form di grup ya",
    "tolong jangan spam sticker ya teman-teman",
    "besok war tiket, siapin koneksi yang stabil",
    "yang mau titip album, CP aku sendiri 0857-1234-5678 ya",
    "donasi ke BCA 1234567890 a.n. Yayasan Peduli Bersama, laporan tiap jumat",
    "meetup di Jl. Sudirman No. 5 gedung serbaguna jam 10.30",
    "ada yang tau jadwal fansign di jakarta?",
];

const TAIL: &[&str] = &[
    "",
    " 💜",
    " 😭🔥",
    " 🙏🙏",
    " hehe",
    " wkwkwk",
    " 🥹💜✨",
    " makasih ya!",
    " see you!",
    " https://www.youtube.com/watch?v=abc123",
    " cek https://weverse.io/bts/notice",
];

const BAD: &[&str] = &[
    "SITUS SLOT GACOR HARI INI depo 10rb wd berapapun dibayar link alternatif gacor88.xyz",
    "𝐬𝐥𝐨𝐭 𝐠𝐚𝐜𝐨𝐫 maxwin malam ini bonus new member 100%",
    "Pinjol cair 5 menit tanpa BI checking, cukup KTP saja! klik bit.ly/cair5",
    "Selamat anda terpilih pemenang giveaway, transfer biaya admin 75rb untuk klaim hadiah",
    "WTS tiket konser harga miring DP dulu no rekber fast respon",
    "verifikasi akun kamu sebelum diblokir https://weverse-login.top/verify",
    "modal 100rb jadi 1jt seminggu, sinyal trading akurat, profit dijamin",
    "s l o t g a c o r hari ini m4xw1n terus",
];

/// One synthetic message text; about one in ten is spam or a scam.
pub fn message(rng: &mut Rng) -> String {
    if rng.below(10) == 0 {
        let mut s = rng.pick(BAD).to_string();
        s.push_str(rng.pick(TAIL));
        return s;
    }
    let mut s = String::with_capacity(256);
    let parts = 1 + rng.below(3);
    for i in 0..parts {
        if i > 0 {
            s.push_str(". ");
        }
        s.push_str(rng.pick(CHAT));
    }
    s.push_str(rng.pick(TAIL));
    s
}

/// `n` messages, deterministic for a seed.
pub fn messages(seed: u64, n: usize) -> Vec<String> {
    let mut rng = Rng::new(seed);
    (0..n).map(|_| message(&mut rng)).collect()
}

/// One JSONL event line (without the newline) for message number `i`.
pub fn event_line(rng: &mut Rng, i: u64) -> String {
    let text = message(rng);
    line_with(rng, i, text)
}

fn line_with(rng: &mut Rng, i: u64, text: String) -> String {
    let groups = [
        "army-streaming",
        "army-peduli",
        "army-tiket",
        "army-peduli-jiwa",
    ];
    let group = groups[rng.below(groups.len())];
    let user = rng.below(5000);
    let history = rng.below(200);
    let ts = 1_795_000_000 + i;
    serde_json::json!({
        "id": format!("e{i}"),
        "kind": "message",
        "community": "army-id",
        "group": group,
        "user": format!("u{user}"),
        "name": format!("Member {user}"),
        "text": text,
        "ts": ts,
        "member_messages": history,
    })
    .to_string()
}

/// Short replies: most chat lines in a busy group are a few characters.
const SHORT: &[&str] = &[
    "up",
    "wkwkwk",
    "ok kak",
    "noted, makasih",
    "😭😭😭",
    "same",
    "iya bener",
    "lol",
    "💜💜💜",
    "aamiin",
    "sabar ya",
    "thank you admin!",
    "hadir 🙋‍♀️",
    "gasss",
];

/// English lines, for mixed-language groups.
const ENGLISH: &[&str] = &[
    "the new album is on every streaming platform now, please stream it on repeat",
    "can someone explain how the voting app works? I keep getting logged out",
    "please read the pinned message before you ask about the group order",
    "I just got home from the concert and my voice is gone",
    "remember to drink water and sleep, the comeback is not going anywhere",
    "happy birthday to our maknae, the fundraiser total will be announced on friday",
];

/// Whole words of a few fan-community notices, for long messages (an admin's weekly
/// announcement, a fundraiser report, a schedule).
const NOTICE: &[&str] = &[
    "📢 PENGUMUMAN ADMIN 📢",
    "Halo semuanya! Berikut rekap kegiatan minggu ini:",
    "1) Streaming party hari Sabtu jam 19.00 WIB, playlist di pinned message.",
    "2) Voting award ditutup Minggu jam 23.59 KST, pakai akun resmi saja.",
    "3) Laporan donasi ulang tahun: terkumpul Rp 12.500.000 dari 340 donatur, rincian di drive.",
    "4) Gathering Bandung: konfirmasi kehadiran lewat form di grup paling lambat Kamis.",
    "Mohon jangan membagikan data pribadi siapa pun di grup ini, termasuk alamat dan nomor HP.",
    "Kalau ada yang DM mengaku admin dan minta transfer, itu PENIPUAN. Admin tidak pernah minta uang lewat DM.",
    "Terima kasih sudah menjaga grup ini tetap aman dan nyaman untuk semua 💜",
    "This week's schedule: Monday music show, Wednesday radio, Friday fansign (online).",
];

/// A chat line in a styled Unicode alphabet (mathematical bold), the way decorated
/// nicknames and spam are written.
fn styled(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'a'..='z' => char::from_u32(0x1D41A + (c as u32 - 'a' as u32)).unwrap_or(c),
            'A'..='Z' => char::from_u32(0x1D400 + (c as u32 - 'A' as u32)).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// One message of the mixed feed the performance figures are measured on: short replies,
/// typical lines, long announcements (a few hundred bytes to 1.5 kB), English, styled
/// Unicode, emoji and links, and about one in ten spam or scam ([`message`]'s share).
pub fn mixed_message(rng: &mut Rng) -> String {
    match rng.below(20) {
        0..=5 => rng.pick(SHORT).to_string(),
        6..=7 => {
            let mut s = rng.pick(ENGLISH).to_string();
            s.push_str(rng.pick(TAIL));
            s
        }
        8 => {
            let mut s = styled(rng.pick(CHAT));
            s.push_str(rng.pick(TAIL));
            s
        }
        9 => {
            let mut s = String::with_capacity(1600);
            s.push_str(NOTICE[0]);
            for _ in 0..3 + rng.below(8) {
                s.push('\n');
                s.push_str(rng.pick(NOTICE));
            }
            s.push_str(rng.pick(TAIL));
            s
        }
        _ => message(rng),
    }
}

/// One JSONL event line (without the newline) of the mixed feed ([`mixed_message`]).
pub fn mixed_event_line(rng: &mut Rng, i: u64) -> String {
    let text = mixed_message(rng);
    line_with(rng, i, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_typical_lengths() {
        let a = messages(7, 500);
        assert_eq!(a, messages(7, 500));
        let avg = a.iter().map(String::len).sum::<usize>() / a.len();
        assert!((60..=300).contains(&avg), "average length {avg}");
        let mixed: Vec<String> = {
            let mut rng = Rng::new(7);
            (0..2000).map(|_| mixed_message(&mut rng)).collect()
        };
        let short = mixed.iter().filter(|m| m.len() < 20).count();
        let long = mixed.iter().filter(|m| m.len() > 400).count();
        let styled = mixed
            .iter()
            .filter(|m| m.contains('𝐚') || m.contains('𝐞'))
            .count();
        assert!(
            short > 400 && long > 50 && styled > 50,
            "{short} {long} {styled}"
        );
        let line = event_line(&mut Rng::new(1), 3);
        let ev: jaga_core::event::Event = serde_json::from_str(&line).unwrap();
        assert_eq!(ev.id, "e3");
    }
}
