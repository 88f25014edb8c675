//! Contextual doxing: exposing a person without a validated number.
//!
//! "Dia kuliah di Unpad, pulang jam 5 lewat gerbang belakang, tungguin aja rame-rame" holds
//! no NIK, phone or street address, yet it tells a crowd where to find someone and asks them
//! to go. This detector looks for the three parts together, in the normalised text:
//! * a person referred to in the third person ("dia", "si Rina", "cewek ini", "her",
//!   "rumahnya");
//! * locating facts about them: school or campus, workplace, home or neighbourhood, a
//!   schedule ("pulang jam 5", "tiap sore"), a vehicle, family, the real identity behind an
//!   account;
//! * a call to act on it: go there, wait, confront, follow, spread ("datengin rame-rame",
//!   "tungguin di parkiran", "sebar ke base", "let everyone know who she is").
//!
//! A call under a negation ("jangan datengin", "don't spread") does not count, so a member
//! asking others not to dox is not doxing. All three together are reported as
//! `doxing.exposure` (the doxing stage's exposure signal), each locating fact as an entity
//! with its kind and a masked value, and the exposed person when named ("si Rina").
//!
//! The calls also serve the entity detectors: a phone number with "telponin rame-rame" or
//! "teror aja" about "dia" is exposure like "sebarin" is (see `judge` in the parent module).

use regex::Regex;

use crate::normalise::Normalised;

/// What a locating fact tells about the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fact {
    School,
    Work,
    Home,
    Schedule,
    Vehicle,
    Family,
    Identity,
}

impl Fact {
    /// The entity kind shown to admins.
    pub fn kind(self) -> &'static str {
        match self {
            Fact::School => "school",
            Fact::Work => "workplace",
            Fact::Home => "home",
            Fact::Schedule => "schedule",
            Fact::Vehicle => "vehicle",
            Fact::Family => "family",
            Fact::Identity => "identity",
        }
    }

    fn validation(self) -> &'static str {
        match self {
            Fact::School => "where the person studies",
            Fact::Work => "where the person works",
            Fact::Home => "where the person lives",
            Fact::Schedule => "when the person can be found",
            Fact::Vehicle => "the person's vehicle",
            Fact::Family => "the person's family",
            Fact::Identity => "the real identity behind an account",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cue {
    Third,
    Fact(Fact),
    Call,
    Negation,
    Aware,
}

const THIRD: &[&str] = &[
    "dia",
    "doi",
    "si",
    "cewek ini",
    "cewe ini",
    "cewek itu",
    "cewe itu",
    "cowok ini",
    "cowok itu",
    "orang ini",
    "orang itu",
    "anak ini",
    "anak itu",
    "akun ini",
    "akun itu",
    "pemilik akun",
    "admin akun",
    "mbak ini",
    "mas ini",
    "pelakor",
    "pelakornya",
    "namanya",
    "orangnya",
    "she",
    "her",
    "he",
    "him",
    "his",
    "this girl",
    "this guy",
    "this woman",
    "this man",
    "this person",
    "this account",
    "that girl",
    "that guy",
    "whoever runs",
    "the person behind",
    "cewek yg",
    "cewek yang",
    "cewe yg",
    "cowok yg",
    "the girl",
    "the guy",
    "the scammer",
    "the anon",
    "penipu itu",
    "penipunya",
    "penipu nya",
    "gom",
    "gom nya",
    "hater",
    "akun hater",
    "si hater",
    "mbak2",
    "mbak yg",
    "yg curhat",
    "mereka",
    "member",
    "she's",
    "she'll",
    "pelakor nya",
    "mantan nya",
    "akun base",
    "akun alter",
];

const SCHOOL: &[&str] = &[
    "sekolah di",
    "sekolahnya",
    "sekolah dia",
    "anak sma",
    "anak smk",
    "anak smp",
    "sman",
    "smkn",
    "smpn",
    "sma negeri",
    "smk negeri",
    "kelas 10",
    "kelas 11",
    "kelas 12",
    "kelas x",
    "kelas xi",
    "kelas xii",
    "kuliah di",
    "kuliahnya",
    "kampusnya",
    "kampus dia",
    "di kampus",
    "fakultas",
    "jurusan",
    "anak univ",
    "mahasiswi",
    "mahasiswa",
    "angkatan",
    "pesantren",
    "pondok",
    "goes to school",
    "studies at",
    "her school",
    "his school",
    "her campus",
    "his campus",
    "her university",
    "his university",
    "her class",
    "his class",
    "at university",
    "in college",
    "universitas",
    "univ",
    "politeknik",
    "kampus",
    "campus",
    "school",
    "sma",
    "smk",
    "smp",
    "sd negeri",
    "sekre",
    "himpunan",
    "jadwal kuliah",
    "jadwal kuliahnya",
    "class is",
    "junior high",
    "high school",
    "student id",
    "temen sekelas",
    "sekolah",
    "kuliah",
    "mahasiswi trisakti",
    "anak kampus",
    "semester",
    "osis",
    "bk",
];
const WORK: &[&str] = &[
    "kerja di",
    "kerjanya di",
    "kerja dia",
    "kantornya",
    "kantor dia",
    "kantor di",
    "karyawan",
    "karyawati",
    "pegawai",
    "magang di",
    "jaga toko",
    "jaga kasir",
    "kasir di",
    "shift",
    "works at",
    "working at",
    "works in",
    "her office",
    "his office",
    "her workplace",
    "his workplace",
    "her boss",
    "his boss",
    "her job",
    "his job",
    "kerja jadi",
    "kasir",
    "barista",
    "intern",
    "kantor",
    "cabang",
    "branch",
    "toko",
    "butik",
    "ojol",
    "guru",
    "part time",
    "linkedin",
    "her manager",
    "manager",
    "seragam kerja",
    "minimarket",
    "bengkel",
    "front desk",
    "workplace",
    "office",
    "notaris",
    "atasan",
    "bosnya",
    "company",
];
const HOME: &[&str] = &[
    "tinggal di",
    "tinggalnya",
    "rumahnya",
    "rumah dia",
    "rumahnya di",
    "kosnya",
    "kos dia",
    "kost dia",
    "kostnya",
    "kosannya",
    "kos di",
    "kost di",
    "ngekos di",
    "apartemennya",
    "komplek",
    "kompleks",
    "perumahan",
    "deket rumahnya",
    "dekat rumahnya",
    "lives in",
    "lives at",
    "lives near",
    "lives on",
    "her house",
    "his house",
    "her place",
    "his place",
    "her flat",
    "his flat",
    "her apartment",
    "his apartment",
    "her street",
    "his street",
    "her neighbourhood",
    "his neighbourhood",
    "her neighborhood",
    "his neighborhood",
    "alamat",
    "alamatnya",
    "address",
    "rumah",
    "kos",
    "kosan",
    "lives",
    "tinggal",
    "anak tangerang",
    "anak depok",
    "anak bekasi",
    "her city",
    "near the",
    "third house",
    "pagar",
    "gmaps",
    "share loc",
    "titik",
    "hotel",
    "nginep",
    "lantai",
];
const VEHICLE: &[&str] = &[
    "motornya",
    "mobilnya",
    "motor dia",
    "mobil dia",
    "naik motor",
    "bawa motor",
    "naik mobil",
    "bawa mobil",
    "platnya",
    "plat nomor",
    "nopol",
    "her car",
    "his car",
    "her bike",
    "his bike",
    "drives a",
    "motor",
    "mobil",
    "plat",
    "plate",
    "parks",
    "parkir",
    "scoopy",
    "beat",
    "vario",
    "avanza",
    "jazz",
];
const FAMILY: &[&str] = &[
    "bapaknya",
    "ibunya",
    "emaknya",
    "mamanya",
    "papanya",
    "ayahnya",
    "ortunya",
    "orang tuanya",
    "adiknya",
    "kakaknya",
    "suaminya",
    "istrinya",
    "anaknya",
    "pacarnya",
    "keluarganya",
    "her mom",
    "his mom",
    "her mother",
    "his mother",
    "her dad",
    "his dad",
    "her father",
    "his father",
    "her parents",
    "his parents",
    "her family",
    "his family",
    "her husband",
    "his wife",
    "her kids",
    "his kids",
    "her sister",
    "his sister",
    "her brother",
    "his brother",
    "suami",
    "istri",
    "ibu nya",
    "orang tua nya",
    "kakak nya",
    "adeknya",
    "mantannya",
    "boyfriend",
    "boyfriend's",
    "his daughter",
    "her ex",
];
const IDENTITY: &[&str] = &[
    "akun asli",
    "akun aslinya",
    "nama asli",
    "nama aslinya",
    "identitas",
    "identitasnya",
    "orang di balik",
    "yang di balik",
    "di balik akun",
    "ternyata dia",
    "ternyata orangnya",
    "real name",
    "real identity",
    "behind the account",
    "behind this account",
    "who she is",
    "who he is",
    "who they are",
    "her identity",
    "his identity",
    "ternyata",
    "nama lengkap",
    "nama lengkapnya",
    "full name",
    "ig pribadi",
    "ig pribadinya",
    "real facebook",
    "ktp",
    "nik",
    "data lengkap",
    "is actually",
    "dipegang sama",
    "her face",
    "foto muka",
    "mukanya",
    "selfie",
    "her name",
    "namanya",
    "punya dia",
    "ig nya",
    "her pics",
    "her number",
    "nomor dia",
    "no hp",
    "nomor wa",
];
const CALL: &[&str] = &[
    "datengin",
    "datangin",
    "datangi",
    "samperin",
    "sambangin",
    "tungguin",
    "cegat",
    "cegatin",
    "labrak",
    "labrakin",
    "geruduk",
    "gerebek",
    "serbu",
    "serbuin",
    "ramein",
    "rame rame",
    "ramai ramai",
    "sebar",
    "sebarin",
    "sebarkan",
    "sebar ke",
    "viralin",
    "viralkan",
    "spill",
    "spil",
    "buntutin",
    "kuntit",
    "ikutin",
    "intipin",
    "kasih pelajaran",
    "kasih paham",
    "hajar",
    "gebukin",
    "teror",
    "terror",
    "terorin",
    "telponin",
    "telfonin",
    "teleponin",
    "spam chat",
    "spamin",
    "bikin kapok",
    "biar kapok",
    "biar malu",
    "permaluin",
    "laporin ke",
    "aduin ke",
    "let everyone know",
    "everyone should know",
    "everyone needs to know",
    "go find",
    "find her",
    "find him",
    "pay her a visit",
    "pay him a visit",
    "show up at",
    "wait for her",
    "wait for him",
    "wait outside",
    "go get her",
    "go get him",
    "make her famous",
    "make him famous",
    "expose",
    "dox",
    "doxx",
    "spread this",
    "spread it",
    "share this everywhere",
    "blast her",
    "call her",
    "call him",
    "flood her",
    "swarm",
    "sapa",
    "tag",
    "bikin thread",
    "ngomongin dia",
    "mampir",
    "dm ke bosnya",
    "dipecat",
    "biar dipecat",
    "laporin",
    "rame2",
    "rame-rame",
    "ramai-ramai",
    "dipermalukan",
    "upload sini",
    "foto mukanya",
    "kesana",
    "ke sana",
    "konfrontasi",
    "kita dateng",
    "dateng barengan",
    "jangan biarin",
    "kempesin",
    "coret",
    "coret2",
    "tandain",
    "omelin",
    "tempelin",
    "bintang 1",
    "kasih tau ibunya",
    "telpon aja",
    "kirimin chat",
    "biar dia takut",
    "kirimin gojek",
    "cod ke",
    "order food",
    "rt sebanyak",
    "spill ke",
    "ga bisa sembunyi",
    "tag her",
    "go tag",
    "go message",
    "everyone go",
    "everyone call",
    "let's all",
    "lets all",
    "get her fired",
    "email her",
    "call the",
    "1-star",
    "go knock",
    "make a scene",
    "we'll find",
    "confront",
    "confronted",
    "film her",
    "film it",
    "someone go",
    "somebody go",
    "you know what to do",
    "talk to her",
    "to her face",
    "send her",
    "wait by",
    "visit her",
    "share it",
    "post it",
    "let the internet",
    "kalo ketemu",
    "kasih tau semua",
    "bantu sebar",
    "kesana aja",
    "pakein",
    "ngurus",
    "use it however",
    "she deserves",
    "punishes",
    "boking",
    "siapin mental",
    "orang ngenalin",
    "spam dm",
    "spam terus",
    "spam stiker",
    "spam chat",
    "text her",
    "message her",
    "kirimin",
    "share ke",
    "live ig",
    "biar viral",
    "merapat",
    "tell her",
    "go there",
    "go and",
];
const NEGATION: &[&str] = &[
    "jangan",
    "jgn",
    "gak usah",
    "ga usah",
    "nggak usah",
    "ngga usah",
    "tidak usah",
    "gausah",
    "gk usah",
    "tidak boleh",
    "ga boleh",
    "gak boleh",
    "dilarang",
    "stop",
    "berhenti",
    "don't",
    "dont",
    "do not",
    "never",
    "no need to",
    "please don't",
    "ga nyuruh",
];

/// Talk about doxing rather than doing it: these cancel a contextual exposure.
const AWARE: &[&str] = &[
    "itu doxing",
    "is doxing",
    "that's doxing",
    "thats doxing",
    "ga setuju",
    "gak setuju",
    "tidak setuju",
    "don't share",
    "do not share",
    "please don't",
    "jalur resmi",
    "ga aku spill",
    "gak aku spill",
    "tidak aku spill",
    "jangan disebar",
    "jangan sebar",
    "jangan nyebar",
    "don't spread",
    "stop spreading",
    "dilarang",
    "melanggar",
    "people get hurt",
    "that's how",
];

/// One cue found, with its span in the normalised text.
#[derive(Debug, Clone, Copy)]
struct Hit {
    cue: Cue,
    start: usize,
    end: usize,
}

/// A locating fact or the exposed person, as an original-text span with its masked value.
#[derive(Debug, Clone)]
pub struct Exposed {
    /// A fact's kind, or `person` for the name of the exposed person.
    pub kind: &'static str,
    pub validation: &'static str,
    pub start: usize,
    pub end: usize,
    /// The text of the span (normalised), masked by the caller.
    pub value: String,
}

/// What the detector found in one message.
#[derive(Debug, Default)]
pub struct ContextScratch {
    hits: Vec<Hit>,
    /// A third-person reference, original span.
    pub third: Option<(usize, usize)>,
    /// A call to act that is not negated, original span.
    pub call: Option<(usize, usize)>,
    /// Locating facts and the named person, original spans.
    pub exposed: Vec<Exposed>,
    /// Distinct kinds of locating facts.
    pub fact_kinds: u8,
}

impl ContextScratch {
    /// A person in the third person, at least one locating fact and a call to act.
    pub fn exposes(&self) -> bool {
        self.third.is_some() && self.call.is_some() && self.fact_kinds != 0
    }

    /// How strongly the exposure counts: one locating fact 0.9, two or more 1.
    pub fn weight(&self) -> f32 {
        if self.fact_kinds.count_ones() >= 2 {
            1.0
        } else {
            0.9
        }
    }
}

/// The compiled detector. Its cue phrases are patterns of the doxing stage's one automaton
/// (see [`super::Doxing`]), so a message is read once for the stage's words and these cues.
pub struct ContextDetector {
    /// The cues of each pattern of that automaton, by pattern id (none for its other words).
    cues: Vec<Vec<Cue>>,
    schedule: Regex,
    name: Regex,
}

impl ContextDetector {
    /// Adds the cue phrases (normalised) to `strings`, the patterns of the stage's automaton,
    /// reusing the equal ones already there.
    pub fn new(strings: &mut Vec<String>) -> Result<ContextDetector, String> {
        let mut cues: Vec<Vec<Cue>> = vec![Vec::new(); strings.len()];
        let mut add = |list: &[&str], c: Cue| {
            for s in list {
                let n = crate::normalise::normalise_str(s);
                if n.is_empty() {
                    continue;
                }
                match strings.iter().position(|x| *x == n) {
                    Some(i) => cues[i].push(c),
                    None => {
                        strings.push(n);
                        cues.push(vec![c]);
                    }
                }
            }
        };
        add(THIRD, Cue::Third);
        add(SCHOOL, Cue::Fact(Fact::School));
        add(WORK, Cue::Fact(Fact::Work));
        add(HOME, Cue::Fact(Fact::Home));
        add(VEHICLE, Cue::Fact(Fact::Vehicle));
        add(FAMILY, Cue::Fact(Fact::Family));
        add(IDENTITY, Cue::Fact(Fact::Identity));
        add(CALL, Cue::Call);
        add(NEGATION, Cue::Negation);
        add(AWARE, Cue::Aware);
        let re = |p: &str| Regex::new(p).map_err(|e| e.to_string());
        Ok(ContextDetector {
            cues,
            schedule: re(concat!(
                r"(?-u:\b)(?:(?:pulang|pulangnya|berangkat|berangkatnya|keluar|lewat|balik|nongkrong|latihan|les|ngampus|masuk|selesai|bubar|leaves|gets off|finishes|walks home)",
                r"(?: \w+){0,3} (?:jam|pukul|at|around) ?\d{1,2}",
                r"|(?:tiap|setiap|every) (?:hari|pagi|siang|sore|malam|malem|senin|selasa|rabu|kamis|jumat|sabtu|minggu|day|morning|afternoon|evening|night|monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekend)",
                r"|jam \d{1,2}(?:[.:]\d{2})? ?(?:pagi|siang|sore|malam|malem|an)(?-u:\b)",
                r"|(?:jam|pukul) \d{1,2}(?-u:\b)|(?-u:\b)(?:at|by|after) \d{1,2}(?:[.:]\d{2})? ?(?:am|pm)?(?-u:\b)",
                r"|\d{1,2}(?:[.:]\d{2})? ?(?:am|pm)(?-u:\b)",
                r"|(?:besok|hari|tiap|setiap|this|on|every) (?:senin|selasa|rabu|kamis|jumat|sabtu|minggu|saturday|sunday|monday|friday|weekday|weekdays|weekend|afternoon|morning|pagi)",
                r"|(?:day|hari) \d(?-u:\b)|pick ?up time|omw)"
            ))?,
            name: re(concat!(
                r"(?-u:\b)(?:si|namanya|nama aslinya|nama asli|bernama|named|her name is|his name is|her real name is|his real name is)",
                r" ([a-z]{3,15})(?-u:\b)"
            ))?,
        })
    }

    /// Finds the cues in a normalised message, from the matches of the stage's automaton
    /// (pattern id, normalised span) at word boundaries.
    pub fn scan(
        &self,
        norm: &Normalised,
        matches: &[(usize, usize, usize)],
        s: &mut ContextScratch,
    ) {
        let t = norm.text();
        s.hits.clear();
        s.third = None;
        s.call = None;
        s.exposed.clear();
        s.fact_kinds = 0;
        for &(pattern, start, end) in matches {
            for &cue in self.cues.get(pattern).map_or(&[][..], Vec::as_slice) {
                s.hits.push(Hit { cue, start, end });
            }
        }
        // Cheap exit: without a call to act nothing here can count; talk about doxing
        // ("nyebar sekolah orang itu doxing") is not doxing.
        if !s.hits.iter().any(|h| h.cue == Cue::Call) || s.hits.iter().any(|h| h.cue == Cue::Aware)
        {
            return;
        }
        // A call inside quotation marks is quoted ("yg bilang \"datengin aja\""), not made.
        let quoted = |at: usize| {
            t[..at]
                .chars()
                .filter(|c| matches!(c, '"' | '\u{201c}' | '\u{201d}'))
                .count()
                % 2
                == 1
        };
        let negated = |at: usize| {
            s.hits.iter().any(|h| {
                h.cue == Cue::Negation && h.end <= at && at - h.end <= 24 && {
                    // No sentence end between the negation and the call.
                    !t[h.end..at].contains(['.', '!', '?', '\n'])
                }
            })
        };
        s.call = s
            .hits
            .iter()
            .find(|h| {
                h.cue == Cue::Call
                    && !negated(h.start)
                    && !quoted(h.start)
                    && !self_directed(&t[h.end..])
            })
            .map(|h| norm.to_original(h.start, h.end));
        if s.call.is_none() {
            return;
        }
        s.third = s
            .hits
            .iter()
            .find(|h| h.cue == Cue::Third)
            .map(|h| norm.to_original(h.start, h.end));
        let mut facts: Vec<(Fact, usize, usize)> = s
            .hits
            .iter()
            .filter_map(|h| match h.cue {
                Cue::Fact(f) => Some((f, h.start, h.end)),
                _ => None,
            })
            .collect();
        for m in self.schedule.find_iter(t) {
            facts.push((Fact::Schedule, m.start(), m.end()));
        }
        // A possessive fact ("rumahnya", "her car") is a third-person reference by itself.
        if s.third.is_none() {
            if let Some(&(_, a, b)) = facts.iter().find(|(_, a, b)| {
                let w = &t[*a..*b];
                w.ends_with("nya") || w.starts_with("her ") || w.starts_with("his ")
            }) {
                s.third = Some(norm.to_original(a, b));
            }
        }
        facts.sort_by_key(|f| f.1);
        let mut last_end = 0;
        for (fact, a, b) in facts {
            if a < last_end {
                continue;
            }
            s.fact_kinds |= 1 << fact as u8;
            // The fact and up to three words after it ("kuliah di unpad fakultas hukum").
            let tail_end = words_after(t, b, 3);
            last_end = tail_end;
            let (start, end) = norm.to_original(a, tail_end);
            if s.exposed.len() < 8 {
                s.exposed.push(Exposed {
                    kind: fact.kind(),
                    validation: fact.validation(),
                    start,
                    end,
                    value: t[a..tail_end].to_string(),
                });
            }
        }
        if let Some(c) = self.name.captures(t) {
            let m = c.get(1).map_or(0..0, |m| m.range());
            let word = &t[m.clone()];
            let generic = THIRD.contains(&word)
                || matches!(
                    word,
                    "pelakor"
                        | "cewek"
                        | "cewe"
                        | "cowok"
                        | "orang"
                        | "anak"
                        | "akun"
                        | "admin"
                        | "paling"
                        | "yang"
                        | "itu"
                        | "ini"
                        | "sih"
                        | "kok"
                        | "dong"
                );
            if !generic && s.exposed.len() < 9 {
                let (start, end) = norm.to_original(m.start, m.end);
                s.exposed.push(Exposed {
                    kind: "person",
                    validation: "the person exposed, by name",
                    start,
                    end,
                    value: word.to_string(),
                });
            }
        }
    }
}

/// Whether a call is addressed to the speaker ("tungguin aku", "wait for me").
fn self_directed(after: &str) -> bool {
    let next = after
        .trim_start()
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or("");
    matches!(next, "aku" | "gue" | "gw" | "saya" | "kami" | "me" | "us")
}

/// The end of the `n` words after `at` (or the end of the clause).
fn words_after(t: &str, at: usize, n: usize) -> usize {
    let b = t.as_bytes();
    let mut i = at;
    let mut words = 0;
    while i < b.len() && words < n {
        while i < b.len() && b[i] == b' ' {
            i += 1;
        }
        if i >= b.len() || matches!(b[i], b'.' | b',' | b'!' | b'?' | b'\n' | b';') {
            break;
        }
        while i < b.len() && !matches!(b[i], b' ' | b'.' | b',' | b'!' | b'?' | b'\n' | b';') {
            i += 1;
        }
        words += 1;
    }
    // Never end inside a multi-byte character.
    while i < t.len() && !t.is_char_boundary(i) {
        i += 1;
    }
    i.max(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(text: &str) -> ContextScratch {
        let d = super::super::Doxing::default();
        let mut norm = Normalised::new();
        norm.normalise(text, &[]);
        let mut matches = Vec::new();
        d.find_patterns(norm.text(), &mut matches);
        let mut s = ContextScratch::default();
        d.context.scan(&norm, &matches, &mut s);
        s
    }

    #[test]
    fn a_person_a_place_and_a_call_expose() {
        for t in [
            "si Rina kuliah di Unpad, pulang jam 5 lewat gerbang belakang. tungguin aja rame-rame",
            "dia kerja di alfamart deket stasiun, datengin aja",
            "cewek ini ternyata anak SMAN 3 kelas 11, sebar ke base biar malu",
            "her real name is Dina, she works at a bakery on 5th. let everyone know who she is",
            "motornya beat merah, tiap sore nongkrong di warkop depan kampus. cegat aja",
        ] {
            let s = scan(t);
            assert!(s.exposes(), "{t}: {s:?}");
        }
        let s = scan("si Rina kuliah di Unpad, pulang jam 5. tungguin di parkiran");
        assert!(
            s.exposed
                .iter()
                .any(|e| e.kind == "person" && e.value == "rina"),
            "{s:?}"
        );
        assert!(s.exposed.iter().any(|e| e.kind == "school"), "{s:?}");
        assert!(s.exposed.iter().any(|e| e.kind == "schedule"), "{s:?}");
        assert_eq!(s.weight(), 1.0);
    }

    #[test]
    fn no_call_no_place_or_a_negated_call_is_not_exposure() {
        for t in [
            "dia kuliah di Unpad juga lho, pulang jam 5 biasanya",
            "datengin konsernya rame-rame yuk!",
            "aku kerja di alfamart, mampir ya",
            "jangan sebar alamat dia, itu doxing. report aja akunnya",
            "please don't spread where she works, that's doxing",
            "ayo sebar info streaming ini ke base",
        ] {
            assert!(!scan(t).exposes(), "{t}: {:?}", scan(t));
        }
    }
}
