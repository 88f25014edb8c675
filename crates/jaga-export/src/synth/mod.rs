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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_typical_lengths() {
        let a = messages(7, 500);
        assert_eq!(a, messages(7, 500));
        let avg = a.iter().map(String::len).sum::<usize>() / a.len();
        assert!((60..=300).contains(&avg), "average length {avg}");
        let line = event_line(&mut Rng::new(1), 3);
        let ev: jaga_core::event::Event = serde_json::from_str(&line).unwrap();
        assert_eq!(ev.id, "e3");
    }
}
