//! The doxing stage: finds personal data (NIK, KK, phone, e-mail, NPWP, bank account, card,
//! IBAN, address, location, licence plate, handle), validates it, weighs the words around
//! it, and decides whether the message exposes a third person.
//!
//! Personal data alone is common and mostly harmless in a fan community (an organiser's own
//! number, a foundation's donation account, a venue's address), so each entity is checked
//! against three questions before it counts:
//! * is it real? ([`validate`]: NIK province/date/serial, Luhn, mod 97, libphonenumber);
//! * whose is it? self-disclosure ("CP: aku sendiri", "hubungi saya", "my number") and public
//!   information (a venue, "a.n. Yayasan", a scam warning naming the scammer's number) cancel it;
//! * why is it posted? context words near it ("alamat", "rumahnya", "KTP") raise its weight,
//!   and exposure intent ("spill", "sebarin", "datengin", "dox") about a third person ("dia",
//!   "si X", "her", "rumahnya") turns it into [`Signal::DoxingExposure`].
//!
//! Geometry: words and numbers are found in the normalised text (so fullwidth digits, keycap
//! emoji and s p a c e d digits are folded) and every span is mapped back to the original.

pub mod context;
pub mod mask;
pub mod validate;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use regex::Regex;
use serde::Deserialize;

use crate::extract::{Entity, EntityKind};
use crate::normalise::Normalised;
use crate::signal::{Finding, Signal};
use crate::verdict::PiiEntity;
use validate::Registry;

/// Base weights of validated entities found without any context word nearby.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Weights {
    pub nik: f32,
    pub kk: f32,
    pub phone: f32,
    pub email: f32,
    pub npwp: f32,
    pub bank_account: f32,
    pub card: f32,
    pub iban: f32,
    /// Per address component (street, number, RT/RW, kelurahan...), capped at 1.
    pub address_component: f32,
    pub location: f32,
    pub plate: f32,
    pub handle: f32,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            nik: 0.8,
            kk: 0.8,
            phone: 0.2,
            email: 0.2,
            npwp: 0.6,
            bank_account: 0.35,
            card: 0.7,
            iban: 0.5,
            address_component: 0.15,
            location: 0.5,
            plate: 0.5,
            handle: 0.5,
        }
    }
}

/// The `[doxing]` table of a rule file: how entities are weighed, and the word lists (each
/// replaces the built-in list when given).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct DoxingConfig {
    /// Bytes of text on each side of an entity searched for context words.
    pub window: usize,
    /// Added to an entity's weight when a context word is near it.
    pub context_boost: f32,
    pub weights: Weights,
    pub context: Option<Vec<String>>,
    pub intent: Option<Vec<String>>,
    pub third_person: Option<Vec<String>>,
    pub self_disclosure: Option<Vec<String>>,
    pub public: Option<Vec<String>>,
    pub warning: Option<Vec<String>>,
}

impl Default for DoxingConfig {
    fn default() -> Self {
        DoxingConfig {
            window: 60,
            context_boost: 0.4,
            weights: Weights::default(),
            context: None,
            intent: None,
            third_person: None,
            self_disclosure: None,
            public: None,
            warning: None,
        }
    }
}

const CONTEXT: &[&str] = &[
    "alamat",
    "alamatnya",
    "rumah",
    "rumahnya",
    "tinggal di",
    "tinggalnya",
    "kos",
    "kosnya",
    "kost",
    "kostnya",
    "sekolah",
    "sekolahnya",
    "kampusnya",
    "kantornya",
    "kerja di",
    "nomor hp",
    "nomer hp",
    "no hp",
    "nohp",
    "no wa",
    "nowa",
    "nomor wa",
    "nomornya",
    "nomernya",
    "wa nya",
    "wanya",
    "ktp",
    "nik",
    "kk",
    "kartu keluarga",
    "data pribadi",
    "data diri",
    "identitas",
    "lives at",
    "lives in",
    "her address",
    "his address",
    "home address",
    "her number",
    "his number",
    "phone number",
    "real name",
    "nama asli",
    "npwp",
    "plat",
    "nopol",
    "lokasi",
    "posisi",
];
const INTENT: &[&str] = &[
    "spill",
    "spil",
    "sebar",
    "sebarin",
    "sebarkan",
    "viralin",
    "viralkan",
    "datengin",
    "datangi",
    "samperin",
    "serbu",
    "serang",
    "spam aja",
    "spamin",
    "teror",
    "terror",
    "ramein",
    "dox",
    "doxing",
    "doxx",
    "leak",
    "leaked",
    "expose",
    "exposed",
    "cari dia",
    "labrak",
    "geruduk",
    "go get her",
    "find her",
    "find him",
];
const THIRD_PERSON: &[&str] = &[
    "dia",
    "doi",
    "si",
    "cewek ini",
    "cewe ini",
    "cowok ini",
    "orang ini",
    "anak ini",
    "akun ini",
    "pelakor",
    "her",
    "his",
    "she",
    "he",
    "this girl",
    "this guy",
    "this person",
    "rumahnya",
    "alamatnya",
    "nomornya",
    "nomernya",
    "kosnya",
    "kostnya",
    "sekolahnya",
    "kantornya",
    "ktpnya",
    "niknya",
    "akunnya",
    "wanya",
    "orangnya",
    "keluarganya",
    "ortunya",
];
/// The sender speaking of herself: with something to be delivered or picked up, no one else
/// named, no call to act and nothing found out, an address she gives is her own (see
/// `Doxing::judge`).
const FIRST_PERSON: &[&str] = &[
    "aku",
    "aq",
    "saya",
    "gue",
    "gw",
    "gua",
    "punyaku",
    "punya aku",
    "alamatku",
    "rumahku",
    "kosku",
    "kami",
    "i",
    "i'm",
    "im",
    "me",
    "my",
    "mine",
];

/// Where something is to be sent, delivered or picked up: what a member's own address is for.
const DELIVERY: &[&str] = &[
    "kirim ke",
    "dikirim ke",
    "kirimin ke",
    "ke alamat",
    "alamat kirim",
    "alamat pengiriman",
    "pengiriman",
    "paket",
    "paketnya",
    "pesanan",
    "orderan",
    "buat go",
    "go album",
    "data aku",
    "ongkir",
    "cod",
    "pickup",
    "pick up",
    "ambil sendiri",
    "giveaway",
    "hadiah",
    "pemenang",
    "menang",
    "send it to",
    "send to",
    "ship to",
    "shipping",
    "deliver",
    "delivery",
    "to my",
    "my new place",
    "my place",
    "my address",
    "pindah",
    "moved",
];

/// Something found out about someone: the address was dug up, not given by its owner.
const FOUND: &[&str] = &[
    "tau alamat",
    "tahu alamat",
    "tau rumah",
    "tahu rumah",
    "nemu alamat",
    "nemu rumah",
    "dapet alamat",
    "dapat alamat",
    "ketemu alamat",
    "lacak",
    "trace",
    "traced",
    "found",
    "find",
    "lives",
    "tinggalnya",
];

const SELF_DISCLOSURE: &[&str] = &[
    "aku sendiri",
    "saya sendiri",
    "gue sendiri",
    "gw sendiri",
    "hubungi saya",
    "hubungi aku",
    "hubungi kami",
    "kontak saya",
    "kontak aku",
    "nomor saya",
    "nomor aku",
    "nomorku",
    "no saya",
    "no aku",
    "noku",
    "wa saya",
    "wa aku",
    "waku",
    "email saya",
    "email aku",
    "alamat saya",
    "alamatku",
    "rumah saya",
    "rumahku",
    "rumah aku",
    "rumah gue",
    "rumah gw",
    "alamat aku",
    "alamat gue",
    "kos aku",
    "kosan aku",
    "kosku",
    "kosanku",
    "kantor aku",
    "kantorku",
    "aku di rumah",
    "di rumah aku",
    "my house",
    "my place",
    "my home",
    "rekening saya",
    "rekeningku",
    "rekening pribadi saya",
    "rek saya",
    "norek saya",
    "norekku",
    "cp",
    "contact person",
    "my number",
    "my phone",
    "my email",
    "my address",
    "contact me",
    "call me",
    "text me",
    "reach me",
    "dm me",
    "narahubung",
    "info lebih lanjut hubungi",
    // A member's own shipping address for a group order or a prize.
    "alamat kirim",
    "alamat pengiriman",
    "alamat buat",
    "alamat yg buat",
    "alamat yang buat",
    "alamat ku",
    "alamat baru aku",
    "alamat baruku",
    "kirim alamat",
    "aku pindah",
    "pindah kos",
    "pindah ke",
    "kode pos",
    "kodepos",
    "shipping address",
    "my new address",
    "send it to me",
    "ship to me",
    "rumah aku",
    "ke rumah aku",
    "kos aku",
    "kosan aku",
    // Her own order or shipping form, filled in for a group order.
    "data pengiriman",
    "data penerima",
    "format order",
    "format pemesanan",
    "form order",
    "shipping details",
];
const PUBLIC: &[&str] = &[
    "venue",
    "lokasi acara",
    "tempat acara",
    "alamat acara",
    "gedung",
    "stadion",
    "stadium",
    "hall",
    "convention",
    "gbk",
    "jiexpo",
    "ice bsd",
    "mall",
    "kafe",
    "cafe",
    "restoran",
    "kantor polisi",
    "polres",
    "polsek",
    "rumah sakit",
    "yayasan",
    "a.n. yayasan",
    "an yayasan",
    "panitia",
    "pt.",
    "cv.",
    "rekening resmi",
    "rekening donasi",
    "donasi",
    "galang dana",
    "official",
    "resmi",
    "customer service",
    "call center",
    "hotline",
    "kantor pusat",
    "panti asuhan",
    "panti",
    "posko",
    "sekretariat",
    "basecamp",
];
const WARNING: &[&str] = &[
    "hati-hati",
    "hati hati",
    "waspada",
    "awas penipu",
    "penipu",
    "penipuan",
    "nipu",
    "scam",
    "scammer",
    "modus",
    "jangan transfer",
    "jangan percaya",
    "jangan ditanggepin",
    "hoax",
    "beware",
    "fraud",
    "report",
    "laporkan",
    "blokir aja",
    "block aja",
];
const ACCOUNT_CONTEXT: &[&str] = &[
    "rekening",
    "rek",
    "no rek",
    "norek",
    "no. rek",
    "nomor rekening",
    "a.n.",
    "a.n",
    "an.",
    "atas nama",
    "transfer ke",
    "tf ke",
    "trf ke",
    "transfer",
    "account number",
    "bank account",
];
const BANKS: &[&str] = &[
    "bca", "bri", "bni", "mandiri", "bsi", "btn", "cimb", "permata", "danamon", "jago", "seabank",
    "ocbc", "maybank", "btpn", "jenius", "muamalat",
];
const KK_CONTEXT: &[&str] = &["kk", "kartu keluarga", "no kk", "nomor kk", "family card"];
const NPWP_CONTEXT: &[&str] = &["npwp", "tax id"];
const PLATE_CONTEXT: &[&str] = &[
    "plat",
    "plat nomor",
    "platnya",
    "nopol",
    "mobilnya",
    "motornya",
    "mobil",
    "motor",
    "kendaraan",
    "licence plate",
    "license plate",
    "plate",
];
const HANDLE_CONTEXT: &[&str] = &[
    "akun asli",
    "akun aslinya",
    "ig asli",
    "ig aslinya",
    "ignya",
    "akun utama",
    "real account",
    "main account",
    "main acc",
    "alt",
    "akun alter",
    "akun real",
];
/// First words of address components; the address regex runs only when one is present.
const ADDRESS_PARTS: &[&str] = &[
    "jl",
    "jln",
    "jalan",
    "gg",
    "gang",
    "rt",
    "rw",
    "kel",
    "kelurahan",
    "desa",
    "ds",
    "kec",
    "kecamatan",
    "kab",
    "kabupaten",
    "perum",
    "perumahan",
    "komplek",
    "kompleks",
    "blok",
    "kos",
    "kost",
    "kosan",
];
const STREETS: &[&str] = &[
    "street",
    "st",
    "avenue",
    "ave",
    "road",
    "rd",
    "lane",
    "ln",
    "drive",
    "dr",
    "boulevard",
    "blvd",
    "court",
    "ct",
    "way",
    "place",
    "pl",
];
const SHARE_LOCATION: &[&str] = &[
    "share loc",
    "shareloc",
    "sharelok",
    "share lokasi",
    "live location",
    "lokasi terkini",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Word {
    Context,
    Intent,
    ThirdPerson,
    SelfDisclosure,
    Public,
    Warning,
    Account,
    Bank(u8),
    Kk,
    Npwp,
    Plate,
    Handle,
    ShareLocation,
    /// A word that starts an Indonesian address component (jl, gg, rt, kel, kec...).
    AddressPart,
    /// An English street suffix (street, road, avenue...).
    Street,
    /// The sender speaking of herself (aku, saya, gue, my, I).
    FirstPerson,
    /// Something to be sent, delivered or picked up (kirim ke, paket, pickup, ship to).
    Delivery,
    /// Something found out about someone (tau alamat, nemu rumah, found, lives).
    Found,
}

#[derive(Debug, Clone, Copy)]
struct WordHit {
    word: Word,
    /// Original-text span.
    start: usize,
    end: usize,
}

/// The compiled doxing stage.
pub struct Doxing {
    cfg: DoxingConfig,
    /// The stage's words and the context detector's cues (normalised): one pass over a
    /// message finds both. The engine gives them to its keyword automaton
    /// ([`Doxing::patterns`]); the stage's own automaton is built only when it is used alone.
    patterns: Vec<String>,
    ac: std::sync::OnceLock<AhoCorasick>,
    /// The words of each pattern, by pattern id (none for the context detector's cues).
    words: Vec<Vec<Word>>,
    address: Regex,
    english_address: Regex,
    gps: Regex,
    plate: Regex,
    handle: Regex,
    iban: Regex,
    /// Substrings of every shared-location phrase, to skip clean messages cheaply.
    location_words: [memchr::memmem::Finder<'static>; 3],
    /// Exposure without a validated number: a person, where to find them, a call to act.
    context: context::ContextDetector,
}

/// Per-message buffers.
#[derive(Default)]
pub struct DoxingScratch {
    /// The automaton's matches at word boundaries: pattern id and normalised span.
    matches: Vec<(usize, usize, usize)>,
    hits: Vec<WordHit>,
    runs: Vec<(usize, usize)>,
    digits: String,
    found: Vec<Found>,
    ctx: context::ContextScratch,
}

impl DoxingScratch {
    /// Sets where the stage's patterns are in the message, as the keyword automaton's pass
    /// found them (`MatchScratch::words`: pattern id, normalised start, end), for
    /// [`Doxing::analyse_found`].
    pub fn set_found(&mut self, found: &[(usize, usize, usize)]) {
        self.matches.clear();
        self.matches.extend_from_slice(found);
    }
}

#[derive(Debug, Clone)]
struct Found {
    signal: Signal,
    kind: &'static str,
    /// Original-text span.
    start: usize,
    end: usize,
    validation: String,
    masked: String,
    value: String,
    weight: f32,
}

impl Default for Doxing {
    fn default() -> Self {
        Doxing::new(DoxingConfig::default()).expect("the built-in doxing configuration compiles")
    }
}

impl Doxing {
    pub fn new(cfg: DoxingConfig) -> Result<Doxing, String> {
        let mut strings: Vec<String> = Vec::new();
        let mut words: Vec<Vec<Word>> = Vec::new();
        let mut add = |list: &[String], w: Word| {
            for s in list {
                let n = crate::normalise::normalise_str(s);
                if n.is_empty() {
                    continue;
                }
                match strings.iter().position(|x| *x == n) {
                    Some(i) => words[i].push(w),
                    None => {
                        strings.push(n);
                        words.push(vec![w]);
                    }
                }
            }
        };
        let own = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        add(
            cfg.context.as_deref().unwrap_or(&own(CONTEXT)),
            Word::Context,
        );
        add(cfg.intent.as_deref().unwrap_or(&own(INTENT)), Word::Intent);
        add(
            cfg.third_person.as_deref().unwrap_or(&own(THIRD_PERSON)),
            Word::ThirdPerson,
        );
        add(
            cfg.self_disclosure
                .as_deref()
                .unwrap_or(&own(SELF_DISCLOSURE)),
            Word::SelfDisclosure,
        );
        add(cfg.public.as_deref().unwrap_or(&own(PUBLIC)), Word::Public);
        add(
            cfg.warning.as_deref().unwrap_or(&own(WARNING)),
            Word::Warning,
        );
        add(&own(ACCOUNT_CONTEXT), Word::Account);
        for (i, b) in BANKS.iter().enumerate() {
            add(&[b.to_string()], Word::Bank(i as u8));
        }
        add(&own(KK_CONTEXT), Word::Kk);
        add(&own(NPWP_CONTEXT), Word::Npwp);
        add(&own(PLATE_CONTEXT), Word::Plate);
        add(&own(HANDLE_CONTEXT), Word::Handle);
        add(&own(SHARE_LOCATION), Word::ShareLocation);
        add(&own(ADDRESS_PARTS), Word::AddressPart);
        add(&own(STREETS), Word::Street);
        add(&own(FIRST_PERSON), Word::FirstPerson);
        add(&own(DELIVERY), Word::Delivery);
        add(&own(FOUND), Word::Found);
        let context = context::ContextDetector::new(&mut strings)?;
        words.resize(strings.len(), Vec::new());
        let re = |p: &str| Regex::new(p).map_err(|e| e.to_string());
        Ok(Doxing {
            cfg,
            patterns: strings,
            ac: std::sync::OnceLock::new(),
            words,
            address: re(concat!(
                r"(?-u:\b)(?:(?:jl|jln|jalan|gg|gang)\.? ?[a-z0-9]+",
                r"|no\.? ?\d{1,4}[a-z]?(?-u:\b)",
                r"|rt\.? ?\d{1,3}(?: ?/ ?| )(?:rw\.? ?)?\d{1,3}",
                r"|rw\.? ?\d{1,3}",
                r"|(?:kel|kelurahan|desa|ds)\.? [a-z]+",
                r"|(?:kec|kecamatan)\.? [a-z]+",
                r"|(?:kab|kabupaten)\.? [a-z]+",
                r"|kota [a-z]+",
                r"|(?:perum|perumahan|komplek|kompleks) [a-z]+",
                r"|blok [a-z0-9]+",
                r"|(?:kos|kost|kosan) [a-z]+)"
            ))?,
            english_address: re(
                r"(?-u:\b)\d{1,5} (?:[a-z]+ ){1,3}(?:street|st|avenue|ave|road|rd|lane|ln|drive|dr|boulevard|blvd|court|ct|way|place|pl)(?-u:\b)",
            )?,
            gps: re(r"(-?\d{1,2}\.\d{3,}) ?, ?(-?\d{1,3}\.\d{3,})")?,
            plate: re(r"(?-u:\b)([a-z]{1,2}) ?(\d{1,4}) ?([a-z]{1,3})(?-u:\b)")?,
            handle: re(r"@[a-z0-9_.]{3,30}")?,
            location_words: [
                memchr::memmem::Finder::new("share"),
                memchr::memmem::Finder::new("lokasi"),
                memchr::memmem::Finder::new("location"),
            ],
            iban: re(r"(?-u:\b)[a-z]{2}\d{2}(?: ?[a-z0-9]{4}){2,7}(?: ?[a-z0-9]{1,4})?(?-u:\b)")?,
            context,
        })
    }

    pub fn config(&self) -> &DoxingConfig {
        &self.cfg
    }

    /// The stage's words and cues, normalised, by pattern id: what
    /// [`Matcher::build_with_words`](crate::matcher::Matcher::build_with_words) takes so its
    /// pass finds them for [`Doxing::analyse_found`].
    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }

    /// Finds the personal data in one message and pushes its findings (original spans).
    pub fn analyse(
        &self,
        raw: &str,
        norm: &Normalised,
        entities: &[Entity],
        show_pii: bool,
        s: &mut DoxingScratch,
        out: &mut Vec<Finding>,
    ) {
        self.find_patterns(norm.text(), &mut s.matches);
        self.analyse_found(raw, norm, entities, show_pii, s, out);
    }

    /// [`Doxing::analyse`] with the stage's patterns already found, by the keyword
    /// automaton's pass, and set with [`DoxingScratch::set_found`].
    pub fn analyse_found(
        &self,
        raw: &str,
        norm: &Normalised,
        entities: &[Entity],
        show_pii: bool,
        s: &mut DoxingScratch,
        out: &mut Vec<Finding>,
    ) {
        let t = norm.text();
        s.hits.clear();
        s.found.clear();
        // Most messages carry no digits, links, handles or shared locations: they cannot hold
        // personal data, so the stage costs one byte scan for them.
        let digits = t.bytes().filter(u8::is_ascii_digit).count();
        let has_entity = entities.iter().any(|e| e.kind != EntityKind::Phone);
        let maybe_share = self
            .location_words
            .iter()
            .any(|f| f.find(t.as_bytes()).is_some());
        // Contextual exposure needs no entity: the automaton's matches hold its cues (and the
        // stage's words, read below when the message may hold personal data).
        self.context.scan(raw, norm, &s.matches, &mut s.ctx);
        let no_entity = digits == 0
            && !has_entity
            && !maybe_share
            && memchr::memchr(b'@', t.as_bytes()).is_none();
        if no_entity && s.ctx.call.is_none() {
            return;
        }
        self.find_words(norm, &s.matches, &mut s.hits);
        if digits > 0 {
            self.numbers(t, norm, entities, s);
            if Self::anywhere(&s.hits, Word::AddressPart) {
                self.addresses(t, norm, s);
            }
            if Self::anywhere(&s.hits, Word::Street) {
                self.english_addresses(t, norm, s);
            }
            if has_decimal_pair(t.as_bytes()) {
                self.coordinates(t, norm, s);
            }
            self.plates(t, norm, s);
            if digits >= 10 {
                self.ibans(t, norm, s);
            }
        }
        self.emails_and_maps(raw, entities, s);
        self.handles(t, norm, s);
        self.shared_location(s);
        self.judge(raw, show_pii, s, out);
    }

    /// The stage's own pass: its patterns' matches in normalised text `t` that start and end
    /// at word boundaries (pattern id, start, end), in the order the automaton reports them.
    pub fn find_patterns(&self, t: &str, out: &mut Vec<(usize, usize, usize)>) {
        let ac = self.ac.get_or_init(|| {
            AhoCorasick::builder()
                .kind(Some(AhoCorasickKind::DFA))
                .match_kind(MatchKind::Standard)
                .build(&self.patterns)
                // A few thousand short strings; the engine's automaton holds them all too.
                .expect("the doxing words make an automaton")
        });
        out.clear();
        out.extend(
            ac.find_overlapping_iter(t)
                .filter(|m| {
                    crate::matcher::boundary_before(t, m.start())
                        && crate::matcher::boundary_after(t, m.end())
                })
                .map(|m| (m.pattern().as_usize(), m.start(), m.end())),
        );
    }

    /// The stage's words among `matches`, as original spans.
    fn find_words(
        &self,
        norm: &Normalised,
        matches: &[(usize, usize, usize)],
        hits: &mut Vec<WordHit>,
    ) {
        for &(pattern, start, end) in matches {
            let words = &self.words[pattern];
            if words.is_empty() {
                continue;
            }
            let (start, end) = norm.to_original(start, end);
            for &word in words {
                hits.push(WordHit { word, start, end });
            }
        }
    }

    fn near(
        &self,
        hits: &[WordHit],
        start: usize,
        end: usize,
        pred: impl Fn(Word) -> bool,
    ) -> Option<WordHit> {
        let w = self.cfg.window;
        hits.iter()
            .copied()
            .find(|h| pred(h.word) && h.start < end + w && h.end + w > start)
    }

    fn anywhere(hits: &[WordHit], word: Word) -> bool {
        hits.iter().any(|h| h.word == word)
    }

    /// Digit runs (with single space, dot or dash separators): NIK, KK, NPWP, cards, phones,
    /// bank accounts.
    fn numbers(&self, t: &str, norm: &Normalised, entities: &[Entity], s: &mut DoxingScratch) {
        digit_runs(t.as_bytes(), &mut s.runs);
        let wt = &self.cfg.weights;
        for i in 0..s.runs.len() {
            let (a, b) = s.runs[i];
            s.digits.clear();
            s.digits
                .extend(t[a..b].chars().filter(char::is_ascii_digit));
            let n = s.digits.len();
            if !(8..=19).contains(&n) {
                continue;
            }
            let (start, end) = norm.to_original(a, b);
            // Numbers inside links are ids, not personal data, except WhatsApp click-to-chat.
            let mut wa_link = false;
            if let Some(url) = entities
                .iter()
                .find(|e| e.kind == EntityKind::Url && e.start <= start && end <= e.end)
            {
                let _ = url;
                let link = &t[..a];
                wa_link = link.ends_with("wa.me/") || link.ends_with("phone=");
                if !wa_link {
                    continue;
                }
            }
            // `judge` would drop a self-disclosed number whatever it is; skip validating it
            // (libphonenumber is the costliest step of the stage).
            if self
                .near(&s.hits, start, end, |w| w == Word::SelfDisclosure)
                .is_some()
            {
                continue;
            }
            let digits = s.digits.clone();
            let account = self.near(&s.hits, start, end, |w| {
                matches!(w, Word::Account | Word::Bank(_))
            });
            let bank = self
                .near(&s.hits, start, end, |w| matches!(w, Word::Bank(_)))
                .and_then(|h| {
                    if let Word::Bank(i) = h.word {
                        BANKS.get(i as usize).copied()
                    } else {
                        None
                    }
                });
            let ctx = |w: Word| self.near(&s.hits, start, end, |x| x == w).is_some();
            let mut found = |signal, kind, validation: String, weight: f32| {
                s.found.push(Found {
                    signal,
                    kind,
                    start,
                    end,
                    validation,
                    masked: mask::digits(&digits),
                    value: digits.clone(),
                    weight,
                });
            };
            let formatted_npwp = t[a..b].contains('.') && t[a..b].contains('-');
            if n == 16 && ctx(Word::Kk) {
                if let Ok(v) = validate::civil_id(&digits, Registry::Kk) {
                    found(Signal::PiiKk, "kk", v, wt.kk);
                    continue;
                }
            }
            if (n == 15 || n == 16) && (ctx(Word::Npwp) || (n == 15 && formatted_npwp)) {
                if let Ok(v) = validate::npwp(&digits) {
                    found(Signal::PiiNpwp, "npwp", v, wt.npwp);
                    continue;
                }
            }
            if n == 16 {
                if let Ok(v) = validate::civil_id(&digits, Registry::Nik) {
                    found(Signal::PiiNik, "nik", v, wt.nik);
                    continue;
                }
            }
            let phone_like =
                t[a..b].starts_with('+') || digits.starts_with("08") || digits.starts_with("62");
            // A warned or public number is dropped by `judge` as a phone; skip libphonenumber.
            let phone_dropped = Self::anywhere(&s.hits, Word::Warning)
                || self
                    .near(&s.hits, start, end, |w| w == Word::Public)
                    .is_some();
            if phone_dropped && phone_like && n <= 13 {
                continue;
            }
            if phone_like && (account.is_none() || wa_link) && n <= 15 {
                if let Some(v) = phone(&t[a..b], &digits) {
                    found(
                        Signal::PiiPhone,
                        "phone",
                        v,
                        if wa_link {
                            wt.phone + self.cfg.context_boost
                        } else {
                            wt.phone
                        },
                    );
                    continue;
                }
            }
            if (13..=19).contains(&n) {
                if let Ok(v) = validate::card(&digits) {
                    found(Signal::PiiCard, "card", v, wt.card);
                    continue;
                }
            }
            if account.is_some() {
                if let Ok(v) = validate::bank_account(n, bank) {
                    found(Signal::PiiBankAccount, "bank_account", v, wt.bank_account);
                }
            }
        }
    }

    fn addresses(&self, t: &str, norm: &Normalised, s: &mut DoxingScratch) {
        let mut cluster: Option<(usize, usize, u32)> = None;
        let flush = |c: Option<(usize, usize, u32)>, found: &mut Vec<Found>| {
            if let Some((a, b, kinds)) = c {
                let n = kinds.count_ones();
                if n >= 2 {
                    let (start, end) = norm.to_original(a, b);
                    found.push(Found {
                        signal: Signal::PiiAddress,
                        kind: "address",
                        start,
                        end,
                        validation: format!("address with {n} components"),
                        masked: mask::text(&t[a..b]),
                        value: t[a..b].to_string(),
                        weight: (self.cfg.weights.address_component * n as f32).min(1.0),
                    });
                }
            }
        };
        for m in self.address.find_iter(t) {
            let kind = address_component(m.as_str());
            cluster = match cluster {
                Some((a, b, k)) if m.start() <= b + 40 => Some((a, m.end(), k | (1 << kind))),
                c => {
                    flush(c, &mut s.found);
                    Some((m.start(), m.end(), 1 << kind))
                }
            };
        }
        flush(cluster, &mut s.found);
    }

    fn english_addresses(&self, t: &str, norm: &Normalised, s: &mut DoxingScratch) {
        for m in self.english_address.find_iter(t) {
            let (start, end) = norm.to_original(m.start(), m.end());
            s.found.push(Found {
                signal: Signal::PiiAddress,
                kind: "address",
                start,
                end,
                validation: "street address (number + street)".into(),
                masked: mask::text(m.as_str()),
                value: m.as_str().to_string(),
                weight: (self.cfg.weights.address_component * 3.0).min(1.0),
            });
        }
    }

    fn coordinates(&self, t: &str, norm: &Normalised, s: &mut DoxingScratch) {
        for c in self.gps.captures_iter(t) {
            let (Ok(lat), Ok(lon)) = (c[1].parse::<f64>(), c[2].parse::<f64>()) else {
                continue;
            };
            let Ok((v, indonesia)) = validate::coordinates(lat, lon) else {
                continue;
            };
            let m = c.get(0).map_or(0..0, |m| m.range());
            let (start, end) = norm.to_original(m.start, m.end);
            let w = self.cfg.weights.location + if indonesia { 0.2 } else { 0.0 };
            s.found.push(Found {
                signal: Signal::PiiLocation,
                kind: "location",
                start,
                end,
                validation: v,
                masked: format!("{:.1}, {:.1}", lat, lon),
                value: t[m].to_string(),
                weight: w.min(1.0),
            });
        }
    }

    fn plates(&self, t: &str, norm: &Normalised, s: &mut DoxingScratch) {
        if !Self::anywhere(&s.hits, Word::Plate) {
            return;
        }
        for c in self.plate.captures_iter(t) {
            let m = c.get(0).map_or(0..0, |m| m.range());
            if !validate::PLATE_REGIONS.contains(&&c[1]) {
                continue;
            }
            let (start, end) = norm.to_original(m.start, m.end);
            if self
                .near(&s.hits, start, end, |w| w == Word::Plate)
                .is_none()
            {
                continue;
            }
            s.found.push(Found {
                signal: Signal::PiiPlate,
                kind: "plate",
                start,
                end,
                validation: format!("licence plate, region {}", c[1].to_uppercase()),
                masked: mask::text(&t[m.clone()]).to_uppercase(),
                value: t[m].to_uppercase(),
                weight: self.cfg.weights.plate,
            });
        }
    }

    fn ibans(&self, t: &str, norm: &Normalised, s: &mut DoxingScratch) {
        for m in self.iban.find_iter(t) {
            let compact: String = m.as_str().chars().filter(|c| !c.is_whitespace()).collect();
            let Ok(v) = validate::iban(&compact) else {
                continue;
            };
            let (start, end) = norm.to_original(m.start(), m.end());
            s.found.push(Found {
                signal: Signal::PiiIban,
                kind: "iban",
                start,
                end,
                validation: v,
                masked: format!(
                    "{}{}",
                    &compact[..4].to_uppercase(),
                    mask::digits(&compact[4..])
                ),
                value: compact.to_uppercase(),
                weight: self.cfg.weights.iban,
            });
        }
    }

    fn emails_and_maps(&self, raw: &str, entities: &[Entity], s: &mut DoxingScratch) {
        for e in entities {
            let value = &raw[e.start..e.end];
            match e.kind {
                EntityKind::Email => s.found.push(Found {
                    signal: Signal::PiiEmail,
                    kind: "email",
                    start: e.start,
                    end: e.end,
                    validation: "e-mail address".into(),
                    masked: mask::email(value),
                    value: value.to_string(),
                    weight: self.cfg.weights.email,
                }),
                EntityKind::Url if is_map_link(value) => s.found.push(Found {
                    signal: Signal::PiiLocation,
                    kind: "location",
                    start: e.start,
                    end: e.end,
                    validation: "map link".into(),
                    masked: mask_link(value),
                    value: value.to_string(),
                    weight: self.cfg.weights.location,
                }),
                _ => {}
            }
        }
    }

    fn handles(&self, t: &str, norm: &Normalised, s: &mut DoxingScratch) {
        if !Self::anywhere(&s.hits, Word::Handle) {
            return;
        }
        for m in self.handle.find_iter(t) {
            let (start, end) = norm.to_original(m.start(), m.end());
            if self
                .near(&s.hits, start, end, |w| w == Word::Handle)
                .is_none()
            {
                continue;
            }
            s.found.push(Found {
                signal: Signal::PiiHandle,
                kind: "handle",
                start,
                end,
                validation: "handle named as someone's real account".into(),
                masked: mask::text(m.as_str()),
                value: m.as_str().to_string(),
                weight: self.cfg.weights.handle,
            });
        }
    }

    fn shared_location(&self, s: &mut DoxingScratch) {
        if s.found.iter().any(|f| f.signal == Signal::PiiLocation) {
            return;
        }
        if let Some(h) = s.hits.iter().find(|h| h.word == Word::ShareLocation) {
            s.found.push(Found {
                signal: Signal::PiiLocation,
                kind: "location",
                start: h.start,
                end: h.end,
                validation: "shared location".into(),
                masked: "shared location".into(),
                value: String::new(),
                weight: self.cfg.weights.location * 0.6,
            });
        }
    }

    /// Cancels self-disclosed and public data, adds context, and marks exposure.
    fn judge(&self, raw: &str, show_pii: bool, s: &mut DoxingScratch, out: &mut Vec<Finding>) {
        let warning = Self::anywhere(&s.hits, Word::Warning);
        // Exposure intent: a listed intent word, or a call to act ("telponin rame-rame").
        let intent = s
            .hits
            .iter()
            .find(|h| h.word == Word::Intent)
            .map(|h| (h.start, h.end))
            .or(s.ctx.call);
        let third = s
            .hits
            .iter()
            .find(|h| h.word == Word::ThirdPerson)
            .map(|h| (h.start, h.end))
            .or(s.ctx.third);
        // The sender's own voice: she speaks in the first person of something to be sent or
        // picked up, refers to no one else, calls no one to act and found nothing out. An
        // address she gives then is her own (a group order's shipping address, a prize's),
        // however she words it: the self-disclosure phrases reach only some of the ways
        // ("punyaku kirim ke alamat kos ya: Jl. ..."). "alamatnya:" heading her own details
        // is a label, not another person ("dia:" still is one). Without the delivery, "aku
        // tau alamat orang yg ngatain kita: Jl. ..." would pass for hers.
        let own_voice = intent.is_none()
            && s.ctx.third.is_none_or(|(a, b)| detail_label(raw, a, b))
            && Self::anywhere(&s.hits, Word::FirstPerson)
            && Self::anywhere(&s.hits, Word::Delivery)
            && !Self::anywhere(&s.hits, Word::Found)
            && !s
                .hits
                .iter()
                .any(|h| h.word == Word::ThirdPerson && !detail_label(raw, h.start, h.end));
        let first = out.len();
        for f in &s.found {
            let (a, b) = (f.start, f.end);
            if self
                .near(&s.hits, a, b, |w| w == Word::SelfDisclosure)
                .is_some()
            {
                continue;
            }
            if own_voice && matches!(f.signal, Signal::PiiAddress | Signal::PiiLocation) {
                continue;
            }
            let public_kind = matches!(
                f.signal,
                Signal::PiiAddress
                    | Signal::PiiLocation
                    | Signal::PiiBankAccount
                    | Signal::PiiPhone
                    | Signal::PiiEmail
            );
            if public_kind && self.near(&s.hits, a, b, |w| w == Word::Public).is_some() {
                continue;
            }
            // A warning naming a scammer's number or account is public-interest, not doxing.
            let warned_kind = matches!(
                f.signal,
                Signal::PiiPhone
                    | Signal::PiiBankAccount
                    | Signal::PiiEmail
                    | Signal::PiiHandle
                    | Signal::PiiCard
            );
            if warned_kind && warning {
                continue;
            }
            let context = self
                .near(&s.hits, a, b, |w| {
                    matches!(w, Word::Context | Word::ThirdPerson)
                })
                .is_some();
            let weight =
                (f.weight + if context { self.cfg.context_boost } else { 0.0 }).clamp(0.0, 1.0);
            let pii = PiiEntity {
                kind: f.kind.to_string(),
                span: [a, b],
                validation: f.validation.clone(),
                masked: f.masked.clone(),
                value: show_pii.then(|| f.value.clone()),
            };
            let detail = if show_pii && !f.value.is_empty() {
                f.value.clone()
            } else {
                f.masked.clone()
            };
            let mut finding = Finding::new(f.signal, a, b, detail);
            finding.weight = weight;
            finding.pii = Some(Box::new(pii));
            out.push(finding);
        }
        if let (Some(i), Some(p)) = (intent, third) {
            let exposed: Vec<Finding> = out[first..].to_vec();
            for f in exposed {
                let mut x = Finding::new(Signal::DoxingExposure, f.start, f.end, f.detail.clone());
                x.pii = f.pii.clone();
                out.push(x);
            }
            if out.len() > first {
                for (a, b) in [i, p] {
                    out.push(Finding::new(Signal::DoxingExposure, a, b, String::new()));
                }
            }
        }
        // Without an entity: the person, where to find them, and the call to act.
        if s.ctx.exposes() {
            let weight = s.ctx.weight();
            for e in &s.ctx.exposed {
                let masked = mask::text(&e.value);
                let pii = PiiEntity {
                    kind: e.kind.to_string(),
                    span: [e.start, e.end],
                    validation: e.validation.to_string(),
                    masked: masked.clone(),
                    value: show_pii.then(|| e.value.clone()),
                };
                let detail = if show_pii { e.value.clone() } else { masked };
                let mut x = Finding::new(Signal::DoxingExposure, e.start, e.end, detail);
                x.weight = weight;
                x.pii = Some(Box::new(pii));
                out.push(x);
            }
            for (a, b) in [s.ctx.third, s.ctx.call].into_iter().flatten() {
                let mut x = Finding::new(Signal::DoxingExposure, a, b, String::new());
                x.weight = weight;
                out.push(x);
            }
        }
    }
}

/// Whether `raw[start..end]` is a detail word heading a value ("alamatnya: Jl. ...",
/// "nomornya : 08..."): an "-nya" word followed by a colon labels the details that follow.
fn detail_label(raw: &str, start: usize, end: usize) -> bool {
    raw.get(start..end)
        .is_some_and(|w| w.len() >= 3 && w.as_bytes()[w.len() - 3..].eq_ignore_ascii_case(b"nya"))
        && raw
            .get(end..)
            .is_some_and(|rest| rest.trim_start_matches(' ').starts_with(':'))
}

/// Whether the text has a decimal number with at least three decimals, as coordinates do.
fn has_decimal_pair(t: &[u8]) -> bool {
    memchr::memchr_iter(b'.', t).any(|i| {
        i > 0
            && t[i - 1].is_ascii_digit()
            && t.get(i + 1..i + 4)
                .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    })
}

/// Finds digit runs: digits with at most one separator (space, dot, dash) between groups,
/// an optional leading `+` or `(`, and `) ` after an area code.
fn digit_runs(t: &[u8], out: &mut Vec<(usize, usize)>) {
    out.clear();
    let mut i = 0;
    while i < t.len() {
        let c = t[i];
        let starts = c.is_ascii_digit()
            || (matches!(c, b'+' | b'(') && t.get(i + 1).is_some_and(u8::is_ascii_digit));
        if !starts || (i > 0 && t[i - 1].is_ascii_digit()) {
            i += 1;
            continue;
        }
        let start = i;
        let mut j = if c.is_ascii_digit() { i } else { i + 1 };
        let mut last = j;
        while j < t.len() {
            if t[j].is_ascii_digit() {
                j += 1;
                last = j;
            } else if matches!(t[j], b' ' | b'.' | b'-')
                && t.get(j + 1).is_some_and(u8::is_ascii_digit)
            {
                j += 1;
            } else if t[j] == b')' {
                j += if t.get(j + 1) == Some(&b' ') { 2 } else { 1 };
            } else {
                break;
            }
        }
        if last > start {
            out.push((start, last));
        }
        i = last.max(i + 1);
    }
}

/// Validates a phone number with libphonenumber: Indonesian by default, any country with `+`.
fn phone(text: &str, digits: &str) -> Option<String> {
    // `62...` without the plus is how Indonesians often write international numbers.
    let international = text.starts_with('+') || (digits.starts_with("62") && digits.len() >= 10);
    let candidate = if international {
        format!("+{digits}")
    } else {
        digits.to_string()
    };
    let number = phonenumber::parse(Some(phonenumber::country::Id::ID), &candidate).ok()?;
    if !number.is_valid() {
        return None;
    }
    let kind = match number.number_type(&phonenumber::metadata::DATABASE) {
        phonenumber::Type::Mobile => "mobile",
        phonenumber::Type::FixedLine => "landline",
        phonenumber::Type::FixedLineOrMobile => "phone",
        _ => "phone",
    };
    let country = number
        .country()
        .id()
        .map_or_else(|| "?".to_string(), |c| format!("{c:?}"));
    Some(format!("valid {kind} number ({country})"))
}

fn address_component(m: &str) -> u32 {
    let word = m
        .split(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("");
    match word {
        "jl" | "jln" | "jalan" => 0,
        "gg" | "gang" => 1,
        "no" => 2,
        "rt" | "rw" => 3,
        "kel" | "kelurahan" | "desa" | "ds" => 4,
        "kec" | "kecamatan" => 5,
        "kab" | "kabupaten" => 6,
        "kota" => 7,
        "perum" | "perumahan" | "komplek" | "kompleks" => 8,
        "blok" => 9,
        _ => 10,
    }
}

fn is_map_link(url: &str) -> bool {
    let u = url.to_ascii_lowercase();
    u.contains("maps.app.goo.gl")
        || u.contains("goo.gl/maps")
        || u.contains("maps.google.")
        || (u.contains("google.")
            && u.contains("/maps")
            && (u.contains('@') || u.contains("q=") || u.contains("/place/")))
        || u.contains("maps.apple.com")
}

fn mask_link(url: &str) -> String {
    match url.find(['/', '?']) {
        Some(i) if url[..i].contains('.') => format!("{}/…", &url[..i]),
        _ => match url.match_indices('/').nth(2) {
            Some((i, _)) => format!("{}/…", &url[..i]),
            None => "map link".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract;

    fn findings(text: &str) -> Vec<Finding> {
        let d = Doxing::default();
        let mut ents = Vec::new();
        extract::extract(text, &mut ents);
        let mut norm = Normalised::new();
        norm.normalise(text, &ents);
        let mut out = Vec::new();
        d.analyse(
            text,
            &norm,
            &ents,
            false,
            &mut DoxingScratch::default(),
            &mut out,
        );
        out
    }

    fn kinds(text: &str) -> Vec<&'static str> {
        findings(text)
            .iter()
            .filter(|f| f.signal != Signal::DoxingExposure)
            .map(|f| f.signal.as_str())
            .collect()
    }

    #[test]
    fn digit_run_shapes() {
        let mut v = Vec::new();
        digit_runs(
            b"hp 0812-3456-7890, nik 3578015205900001 (021) 555-1234 rp 50.000",
            &mut v,
        );
        let t = "hp 0812-3456-7890, nik 3578015205900001 (021) 555-1234 rp 50.000";
        let got: Vec<&str> = v.iter().map(|&(a, b)| &t[a..b]).collect();
        assert_eq!(
            got,
            vec![
                "0812-3456-7890",
                "3578015205900001",
                "(021) 555-1234",
                "50.000"
            ]
        );
    }

    #[test]
    fn nik_with_context_and_masking() {
        let text = "ini NIK dia 3578015205900001 sebarin";
        let f = findings(text);
        let nik = f
            .iter()
            .find(|f| f.signal == Signal::PiiNik)
            .expect("nik found");
        assert_eq!(&text[nik.start..nik.end], "3578015205900001");
        assert_eq!(nik.detail, "3578********0001");
        let pii = nik.pii.as_ref().unwrap();
        assert!(pii.validation.contains("Jawa Timur") && pii.value.is_none());
        assert!((nik.weight - 1.0).abs() < 1e-6, "0.8 + context, capped");
        assert!(
            f.iter().any(|f| f.signal == Signal::DoxingExposure),
            "intent + third person"
        );
    }

    #[test]
    fn invalid_numbers_are_not_pii() {
        assert!(kinds("nomor 2078015205900001").is_empty(), "bad province");
        assert!(
            kinds("nomor 3578013102900001").is_empty()
                || !kinds("nomor 3578013102900001").contains(&"pii.nik"),
            "31 Feb"
        );
        assert!(
            !kinds("kartu 4111111111111112").contains(&"pii.card"),
            "bad Luhn"
        );
        assert!(kinds("harganya 1.500.000 ya").is_empty());
        assert!(
            kinds("nomor 0800 0000").is_empty(),
            "too short / invalid phone"
        );
    }

    #[test]
    fn phones_in_many_shapes() {
        for t in [
            "wa dia 0812-3456-7890",
            "wa dia +62 812 3456 7890",
            "wa dia 0812.3456.7890",
            "wa dia 081234567890",
        ] {
            assert_eq!(kinds(t), vec!["pii.phone"], "{t}");
        }
        assert_eq!(kinds("chat wa.me/6281234567890 ya"), vec!["pii.phone"]);
        assert_eq!(kinds("call +44 20 7946 0958"), vec!["pii.phone"]);
    }

    #[test]
    fn self_disclosure_public_info_and_warnings_are_not_doxing() {
        assert!(kinds("CP: aku sendiri 0857-1234-5678 (Ayu)").is_empty());
        assert!(kinds("hubungi saya di 081234567890").is_empty());
        assert!(kinds("my number is +62 812 3456 7890").is_empty());
        assert!(kinds("Donasi ke BCA 1234567890 a.n. Yayasan Peduli").is_empty());
        assert!(kinds("Hati-hati, nomor 0812-3456-7890 ini penipu, jangan transfer").is_empty());
        assert!(kinds("Venue: Gedung Serbaguna, Jl. Sudirman No. 5, Kota Bandung").is_empty());
        // Her own order form: the address near "format order" is hers (a number further on,
        // beyond the cue's window, is still reported, at review strength at most).
        assert!(!kinds(
            "Format order GO: Nama: Dewi, Alamat: Jl. Kenanga No. 3 RT 02/RW 07 Kel. Jatiwaringin, HP 0813-2222-4444"
        )
        .contains(&"pii.address"));
    }

    #[test]
    fn an_address_in_the_senders_own_voice_is_hers() {
        // First person, no one else, no call: her own shipping address, however worded.
        for own in [
            "min buat GO album punyaku kirim ke alamat kos ya: Jl. Kaliurang km 5, gg. Anggrek no 3, Sleman",
            "aku yg menang giveaway kemaren ya kak, alamatnya: Kost Putri Anggrek, Jl. Kaliurang km 5 gg. Pandega, kamar 4",
            "please send the PC to my new place, 42 Baker Street, thanks!",
        ] {
            assert!(!kinds(own).contains(&"pii.address"), "{own}");
        }
        // Someone else named, or a call to act: the address is reported as before.
        for other in [
            "aku tau rumah dia: Jl. Melati No. 12 RT 03/RW 05 Kel. Sukajadi",
            "aku dapet alamat si Rina, Jl. Melati No. 12 RT 03/RW 05, datengin aja",
            "i found out where the hater lives: 42 Baker Street. spread it",
            "Jl. Melati No. 12 RT 03/RW 05 Kel. Sukajadi",
            // first person, no one named, no call: but the address was found out, not given
            "aku tau alamat orang yg ngatain kita: Jl. Melati no 5 RT 02/03 Kel. Sukajadi",
            "aku nemu alamat akun fitnah itu: Perumahan Griya Asri blok C no 7, Bekasi",
            "my friend found where the anon lives: 42 Baker Street, London",
        ] {
            assert!(kinds(other).contains(&"pii.address"), "{other}");
        }
    }

    #[test]
    fn bank_accounts_need_context_and_plausible_length() {
        assert_eq!(
            kinds("transfer ke rekening dia BCA 1234567890"),
            vec!["pii.bank_account"]
        );
        assert!(
            kinds("BCA 123456789012 transfer").is_empty(),
            "12 digits is not a BCA account"
        );
        assert!(
            kinds("kode booking 1234567890").is_empty(),
            "no account context"
        );
    }

    #[test]
    fn addresses_locations_plates_handles() {
        let t = "rumahnya di Jl. Melati No. 12 RT 03/RW 05 Kel. Sukajadi, datengin aja";
        let f = findings(t);
        let a = f
            .iter()
            .find(|f| f.signal == Signal::PiiAddress)
            .expect("address");
        assert!(
            t[a.start..a.end].starts_with("Jl. Melati"),
            "{}",
            &t[a.start..a.end]
        );
        assert!(f.iter().any(|f| f.signal == Signal::DoxingExposure));
        assert_eq!(kinds("she lives at 42 Baker Street"), vec!["pii.address"]);
        assert_eq!(
            kinds("posisinya -6.2000, 106.8166 sekarang"),
            vec!["pii.location"]
        );
        assert_eq!(
            kinds("lokasinya https://maps.app.goo.gl/AbCdEf123"),
            vec!["pii.location"]
        );
        assert_eq!(kinds("plat mobilnya B 1234 XYZ"), vec!["pii.plate"]);
        assert!(kinds("B 1234 XYZ").is_empty(), "plates need context");
        assert_eq!(kinds("akun aslinya @rina.real99"), vec!["pii.handle"]);
        assert_eq!(kinds("iban GB82 WEST 1234 5698 7654 32"), vec!["pii.iban"]);
    }

    #[test]
    fn evasions_fullwidth_keycaps_and_spacing() {
        assert_eq!(
            kinds("nik dia ３５７８０１５２０５９００００１"),
            vec!["pii.nik"]
        );
        assert_eq!(kinds("wa dia 0\u{fe0f}\u{20e3}8\u{fe0f}\u{20e3}1\u{fe0f}\u{20e3}2\u{fe0f}\u{20e3}3\u{fe0f}\u{20e3}4\u{fe0f}\u{20e3}5\u{fe0f}\u{20e3}6\u{fe0f}\u{20e3}7\u{fe0f}\u{20e3}8\u{fe0f}\u{20e3}9\u{fe0f}\u{20e3}0\u{fe0f}\u{20e3}"), vec!["pii.phone"]);
        assert_eq!(
            kinds("nik dia 3 5 7 8 0 1 5 2 0 5 9 0 0 0 0 1"),
            vec!["pii.nik"]
        );
        assert_eq!(kinds("nik dia 3578.0152.0590.0001"), vec!["pii.nik"]);
    }

    #[test]
    fn show_pii_keeps_the_value() {
        let d = Doxing::default();
        let text = "nik dia 3578015205900001";
        let mut ents = Vec::new();
        extract::extract(text, &mut ents);
        let mut norm = Normalised::new();
        norm.normalise(text, &ents);
        let mut out = Vec::new();
        d.analyse(
            text,
            &norm,
            &ents,
            true,
            &mut DoxingScratch::default(),
            &mut out,
        );
        assert_eq!(out[0].detail, "3578015205900001");
        assert_eq!(
            out[0].pii.as_ref().unwrap().value.as_deref(),
            Some("3578015205900001")
        );
    }
}
