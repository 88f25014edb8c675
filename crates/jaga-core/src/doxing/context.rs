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
    Contact,
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
            Fact::Contact => "contact",
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
            Fact::Contact => "how to reach the person (a number, even masked)",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cue {
    Third,
    Fact(Fact),
    Call,
    /// A harmless verb that is a call only in scare quotes: "ketemu" -> `"ketemu"`.
    Euphemism,
    /// Telling or sending something to someone ("laporin", "kirim ss", "kasih tau", "tell").
    Tell,
    /// The people around the person who can be told: school, employer, family, neighbours.
    Circle,
    /// The person's work or content, or a friendly purpose: a call about it is promotion
    /// ("spill ke base dong fanart dia", "sebarin karyanya", "share her work").
    Content,
    Negation,
    /// A bare "ga", "tidak", "not": a negation only right before the call ("ga aku share").
    ShortNegation,
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
    "the stalker",
    "this stalker",
    "that stalker",
    "this scammer",
    "that scammer",
    "scammer ini",
    "scammer itu",
    "ini penipu",
    "penipu ini",
    "si penipu",
    "penipu tsb",
    "penipu tersebut",
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
    "she's",
    "she'll",
    "pelakor nya",
    "mantan nya",
    "akun base",
    "akun alter",
    "haters",
    "akun haters",
    "si haters",
    "pelaku",
    "scammer",
    "troll",
    "the troll",
    "yg ngatain",
    "yang ngatain",
    "yg nyebar",
    "yang nyebar",
    "yg fitnah",
    "yang fitnah",
    "yg ngefitnah",
    "yg nge-leak",
    "the girl who",
    "the guy who",
    "the woman who",
    "the man who",
    "the person who",
    "whoever",
    "mantan dia",
    "cewek tadi",
    "cowok tadi",
    "orang tadi",
    "anak tadi",
    "it's her",
    "real identity behind",
    "identity behind",
    "orang di balik",
    "di balik akun",
    "yang di balik",
    "behind the account",
    "behind this account",
    "yg selingkuh",
    "yang selingkuh",
    "mantan gue",
    "mantan gw",
    "mantan aku",
    "mantanku",
    "that anti",
    "the anti",
    "this anti",
    "anti itu",
    "akun gosip",
    "pembuat thread",
    "yg bikin thread",
    "the account owner",
    "account owner",
    "the leaker",
    "hotel member",
    "hotel idol",
    "tukang fitnah",
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
    "sdn",
    "mts",
    "madrasah",
    "asrama",
    "anak ui",
    "anak itb",
    "anak ugm",
    "anak unpad",
    "anak unair",
    "anak its",
    "anak ipb",
    "anak undip",
    "anak unj",
    "anak upi",
    "anak uns",
    "anak unnes",
    "anak binus",
    "anak trisakti",
    "anak gunadarma",
    "anak unpar",
    "anak polines",
    "itb",
    "ugm",
    "unpad",
    "unair",
    "ipb",
    "undip",
    "unj",
    "upi",
    "uns",
    "unnes",
    "unsoed",
    "unbraw",
    "uny",
    "uin",
    "binus",
    "trisakti",
    "gunadarma",
    "telkom university",
    "tel u",
    "unpar",
    "unika",
    "atma jaya",
    "untar",
    "umn",
    "president university",
    "elementary",
    "middle school",
    "secondary school",
    "year 10",
    "year 11",
    "year 12",
    "11th grade",
    "10th grade",
    "12th grade",
    "kelas vii",
    "kelas viii",
    "kelas ix",
    "bimbel",
    "tempat lesnya",
    "kelasnya",
    "dorm",
    "student at",
    "sklh",
    "sklhnya",
    "skolah",
    "skolahnya",
    "skul",
    "skulnya",
    "kls",
    "kelas 7",
    "kelas 8",
    "kelas 9",
    "junior at",
    "senior at",
    "freshman at",
    "sophomore at",
    "class schedule",
    "her classmates",
    "his classmates",
    "classmates",
    "jadwal kelas",
    "jadwal kelasnya",
    "jadwal studio",
    "temen sekelasnya",
    "sekelasnya",
    "pulang sekolah",
    "abis kelas",
    "kelar kelas",
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
    "pabrik",
    "apotek",
    "klinik",
    "rumah sakit",
    "hospital",
    "clinic",
    "salon",
    "lapak",
    "lapaknya",
    "warnet",
    "mangkal",
    "dinas",
    "kantor pajak",
    "perawat",
    "nurse",
    "dealership",
    "tempat kerja",
    "tempat kerjanya",
    "meja cs",
    "satpam",
    "supir",
    "sopir",
    "buka warung",
    "worked at",
    "job at",
    "shift pagi",
    "shift malam",
    "shift malem",
    "night shift",
    "morning shift",
    "kantor pusat",
    "teller",
    "guru honorer",
    "bagian admin",
    "ktr",
    "ktrnya",
    "ktr nya",
    "kntr",
    "kntrnya",
    "jualan di",
    "tempat magang",
    "kerjaannya",
    "gym",
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
    // A pin, not "titik" alone: "yg nyebar itu pelaku, titik." is a full stop.
    "titiknya",
    "titik lokasi",
    "share titik",
    "kirim titik",
    "titik rumah",
    "hotel",
    "nginep",
    "lantai",
    "ngontrak",
    "kontrakan",
    "kontrakannya",
    "ngekos",
    "apartemen",
    "apartemen dia",
    "kamarnya",
    "rt",
    "rw",
    "kelurahan",
    "kecamatan",
    "desa",
    "gg",
    "blok",
    "asrama putri",
    "asrama putra",
    "dorm",
    "rumahnya di mana",
    "tinggal sama",
    "tinggal bareng",
    "lives with",
    "his home",
    "her home",
    "home address",
    "depan rumahnya",
    "belakang rumahnya",
    "rmh",
    "rmhnya",
    "rmh dia",
    "rumah nya",
    "alamat lengkapnya",
    "alamat lengkap",
    "alamat rumahnya",
    "alamat kosnya",
    "pagernya",
    "pagarnya",
    "doorbell",
    "her door",
    "his door",
    "streets from",
    "kamar kos",
    "kmr",
    "hotel member",
    "hotel idol",
    "near his apartment",
    "near her apartment",
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
    "nmax",
    "mio",
    "civic",
    "fortuner",
    "xenia",
    "brio",
    "pajero",
    "innova",
    "ertiga",
    "supra",
    "pcx",
    "aerox",
    "vannya",
    "mobil bapaknya",
    "motor bapaknya",
    "her scooter",
    "his scooter",
    "her motorbike",
    "yaris",
    "agya",
    "ayla",
    "sigra",
    "calya",
    "ninja",
    "her car's",
    "stiker mobilnya",
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
    "his son",
    "her son",
    "her daughter",
    "his brother's",
    "her parents'",
    "bapak dia",
    "ibu dia",
    "adik dia",
    "adek dia",
    "kakak dia",
    "suami dia",
    "istri dia",
    "anak dia",
    "keluarga dia",
    "mertuanya",
    "neneknya",
    "kakeknya",
    "tantenya",
    "omnya",
    "sepupunya",
    "his family's",
    "her family's",
    "her mum",
    "his mum",
    "tetangganya",
    "nyokapnya",
    "bokapnya",
    "nyokap dia",
    "bokap dia",
    "emak dia",
    "cowoknya",
    "ceweknya",
    "her bf",
    "his gf",
    "her boyfriend",
    "his girlfriend",
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
    "no hp",
    "nomor wa",
    "muka asli",
    "muka aslinya",
    "aslinya",
    "asli nya",
    "is really",
    "really is",
    "tgl lahir",
    "tanggal lahir",
    "tanggal lahirnya",
    "date of birth",
    "id number",
    "id card",
    "foto ktp",
    "ktp nya",
    "ktpnya",
    "kk nya",
    "data dia",
    "datanya",
    "nama & kampus",
    "nama dan kampus",
    "akun anon",
    "akun fake",
    "akun palsu",
    "second account",
    "alt account",
    "pemilik akun",
    "punya si",
    "dipegang",
    "admin akun",
    "wajahnya",
    "her real",
    "his real",
    "foto wisuda",
    "her main",
    "his main",
    "main account",
    "akun utama",
    "akun utamanya",
    "unmasking",
    "unmask",
    "unmasked",
    "nama asli dia",
    // who is behind an account, or all of someone's accounts
    "run by",
    "is run by",
    "pegangannya",
    "yg pegang akun",
    "yang pegang akun",
    "yg punya akun",
    "yang punya akun",
    "personal ig",
    "her personal",
    "his personal",
    "all her accounts",
    "all his accounts",
    "semua akunnya",
    "akun keduanya",
    "akun second",
];
/// How to reach the person: a number named as theirs, also when the digits are masked.
const CONTACT: &[&str] = &[
    "nomornya",
    "nomor nya",
    "nomor barunya",
    "nomor hpnya",
    "nomor hp nya",
    "no hpnya",
    "no hp nya",
    "no wa nya",
    "no wanya",
    "wa nya",
    "wanya",
    "nomor dia",
    "no dia",
    "wa dia",
    "hp dia",
    "her number",
    "his number",
    "her whatsapp",
    "his whatsapp",
    "her phone",
    "his phone",
    "personal whatsapp",
    "personal number",
    // a number named as hers or her family's
    "her wa",
    "his wa",
    "no hp mamanya",
    "no hp ibunya",
    "no hp bapaknya",
    "no hp papanya",
    "nomor mamanya",
    "nomor ibunya",
    "nomor ortunya",
    "her dad's number",
    "her mom's number",
    "his dad's number",
    "his mom's number",
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
    "tongkrongin",
    "nungguin",
    "tunggu di",
    "tunggu depan",
    "tungguin di",
    "nunggu disana",
    "nunggu di sana",
    "ngikutin",
    "ikutin dia",
    "cari dia",
    "bocorin",
    "lemparin",
    "tabrak",
    "rusakin",
    "key it",
    "videoin",
    "fotoin",
    "kirim ke sini",
    "share disini",
    "share di sini",
    "up ke",
    "upload ke",
    "post it on",
    "bring friends",
    "come with us",
    "we're going there",
    "we are going there",
    "wait there",
    "organise a trip",
    "organize a trip",
    "yg deket sana",
    "yang deket sana",
    "yg deket situ",
    "kalau ada yg liat",
    "kalo ada yg liat",
    "tolong cari",
    "make sure everyone",
    "tell everyone",
    "everyone there",
    "sign her up",
    "sign him up",
    "visit him",
    "go visit",
    "pay a visit",
    "ramein rumahnya",
    "gas kesana",
    "gas ke sana",
    "kita datengin",
    "kita samperin",
    "kita labrak",
    "kita cegat",
    "kita tungguin",
    "kita grebek",
    "kita tunggu",
    "biar tau rasa",
    "biar dia tau rasa",
    "grebek",
    "ikutin sampe rumah",
    "ikutin aja",
    "cegat di",
    "hadang",
    "hadangin",
    "pukulin",
    "rujak",
    "bikin dia kapok",
    "cari aja di",
    "cari di",
    "lempar aja",
    "of us go",
    "of us show up",
    "all of us go",
    // added with the window (the person, a fact and the call near each other)
    "spam review",
    "spam reviewnya",
    "dicegat",
    "buat dicegat",
    "block it in",
    "anyone want it",
    "anyone want her address",
    "anyone want his address",
    "kasih aja alamatnya",
    "rt sebanyak2nya",
    "rt sebanyak banyaknya",
    "dtgin",
    "dtngin",
    "tgguin",
    "tngguin",
    "kepung",
    "kepungin",
    "keroyok",
    "kroyok",
    "keroyokin",
    "sindirin",
    "bantu nyebar",
    "nyebarin",
    "pull up",
    "roll up",
    "ambush",
    "corner her",
    "corner him",
    "track her down",
    "track him down",
    "hunt her down",
    "hunt him down",
    "teach her a lesson",
    "teach him a lesson",
    "make her regret",
    "make him regret",
    "egg her",
    "egg his",
    "ring her doorbell",
    "knock on her door",
    "knock on his door",
    "blast his name",
    "blast her name",
    "repost everywhere",
    "post everywhere",
    "share everywhere",
    "cari tau rumahnya",
    "cari tahu rumahnya",
    "find out where she lives",
    "find out where he lives",
    "ikutin pulangnya",
    "who's down to",
    "sampe viral",
    "sampai viral",
    "bully aja",
    "follow her home",
    "follow him home",
    "bongkar aja",
    "bongkar identitasnya",
    "bongkar identitas",
    "sindir aja",
    "sindir dia",
    "nyamperin bareng",
    "nyamperin yuk",
    "biar didatengin",
    "biar dia didatengin",
    "biar disamperin",
    "biar dilabrak",
    "tonjok aja",
    "tonjokin",
    "tampar aja",
    "jambak aja",
    "gangguin aja",
    "gangguin dia",
    "biar dia malu",
    "everybody go",
    "leave him reviews",
    "leave her reviews",
    "leave reviews",
    "catch her there",
    "catch him there",
    "catch her after",
    "catch him after",
    // insinuated calls: the crowd is told it knows what to do, or that the rest is easy
    "tau harus ngapain",
    "tau lah harus",
    "tau kan harus",
    "tau ya harus",
    "tau mesti ngapain",
    "tau ya mesti",
    "tau lah mesti",
    "tau musti ngapain",
    "udah tau kan mau",
    "tau sendiri lah",
    "sisanya cari sendiri",
    "bisa nyari sendiri",
    "pasti kalian bisa",
    "gampang dicari",
    "gampang ditemuin",
    "gampang ditungguin",
    "gampang lah ditungguin",
    "ditungguin",
    "siapa yg free",
    "siapa yang free",
    "yg mau ikut nunggu",
    "bawa banyak orang",
    "kenalin mukanya",
    "jangan dikasih ampun",
    "lempar ke semua",
    "mention aja",
    "colek aja",
    "report semua",
    "kirim ke semua",
    "kasih tau satu angkatan",
    "ayo kita kasih tau",
    "klakson",
    "ketemuan di jalan",
    "jaga di mana",
    "tinggal sebut nama",
    "nongkrong di lorongnya",
    "know what to do",
    "no instructions needed",
    "take it from here",
    "easy to find",
    "anyone nearby",
    "anyone near there",
    "flood it",
    "spam it",
    "mass report",
    "under every post",
    "go say hi",
    "leave a note",
    "dm for details",
    "pass it around",
    "have consequences",
    "so he knows who",
    "so she knows who",
    "you know where she lives",
    "you know where he lives",
    "line up right behind",
    "everyone send",
    "bring your complaints",
    // more calls, from the third batch of hand-written examples
    "kasih paku",
    "tau kan mesti",
    "nonton latihan",
    "we're meeting there",
    "lobby at midnight",
    "dropping it all",
    "bongkar di base",
    "kita bongkar",
    "silakan disebar",
    "silakan ke sekolahnya",
    "silakan ke kampusnya",
    "silakan ke kantornya",
    "tanya anaknya",
    // more calls, from the fifth batch of hand-written examples
    "gedor",
    "gedorin",
    "gedor aja",
    "go ring",
    "ring the bell",
    "ganggu aja",
    "ganggu keluarganya",
    "gangguin keluarganya",
    "biar dia diteror",
    "biar diteror",
    "flood the",
    "get her expelled",
    "get him expelled",
    "chances to run into her",
    "chances to run into him",
    "piece of our mind",
    "piece of our minds",
    "piece of your mind",
    "terserah kalian",
    "mau ngapain bebas",
    "mau diapain bebas",
    "bebas mau diapain",
    "do whatever you want with",
    "address in my dm",
    "address in my dms",
    "alamatnya di dm",
    "cari gw dimana",
    "cari aku dimana",
    "ngadu ke rumahnya",
    "ngadu langsung ke rumahnya",
    // more insinuated calls, from the sixth batch of hand-written examples: the crowd is left
    // to decide ("do with that what you want", "sisanya kalian yg mikir sendiri")
    "do with that what",
    "do with it what",
    "do what you want with",
    "figure it out",
    "know the drill",
    "go wild",
    "mikir sendiri",
    "siapa tau ada yg lewat",
    "siapa tau ada yang lewat",
    "mau ngapain terserah",
    "ga tanggung jawab",
    "gak tanggung jawab",
    "nggak tanggung jawab",
    "think twice before",
    "bump into her",
    "bump into him",
    "a welcome she",
    "a welcome he",
    "disamperin",
    "ka ditu",
    "tagih langsung",
    "go comment",
    "comment on her",
    "comment on his",
    "komen aja di",
    "sekeluarga malu",
    // more insinuated calls, from the fifteenth batch of hand-written examples: consequences
    // wished on her, how easy she is to find ("would be a shame if her manager found out",
    // "pasti langsung ketemu"); not "would be a shame if nobody came", not "sendirian terus"
    // ("dia sering sendirian terus di sana" is a friend's habit)
    "would be a shame if her",
    "would be a shame if his",
    "would be a shame if the",
    "would be a shame if their",
    "would be a shame if everyone",
    "would be a shame if people",
    "would be a shame if someone",
    "would be a shame kalo",
    "someone should tell",
    "might find her",
    "might find his",
    "love to meet some",
    "pass on a message",
    "gampang kok nyarinya",
    "gampang nyarinya",
    "pasti langsung ketemu",
    "ngerti lah maksud",
    "ngerti kan maksud",
    "biar pada kenal",
    "biar dia tau kita tau",
    "tinggal dateng aja",
    "ngobrol baik2",
    "nongkrong depan",
    "nongkrong di depan",
    "just in case ada yg",
];

/// Verbs that are calls only in scare quotes (`"sapa" dia`, `"ngobrol" sama keluarganya`).
const EUPHEMISM: &[&str] = &[
    "ketemu",
    "ngobrol",
    "main",
    "mampir",
    "kenalan",
    "silaturahmi",
    "nyapa",
    "disapa",
    "negur",
    "ditegur",
    "dinasehatin",
    "diurus",
    "ngurus",
    "talk",
    "chat",
    "visit",
    "say hi",
    "hello",
    "meet",
    "welcome",
    "salam",
    "kasih salam",
    "nganterin",
    "jemput",
    "review",
    "ingetin",
    "fans",
];

/// Telling or sending: with the person's circle ("laporin ke dosennya", "kirim ss ke
/// kantornya", "tell his boss"), a call to act.
const TELL: &[&str] = &[
    "laporin",
    "lapor",
    "laporkan",
    "aduin",
    "adukan",
    "ngadu",
    "kirim",
    "kirimin",
    "kirim ss",
    "kirim ss nya",
    "kirim bukti",
    "kasih tau",
    "kasi tau",
    "kasih tahu",
    "bilangin",
    "tandain",
    "tag",
    "mention",
    "email",
    "tell",
    "send",
    "message",
    "call",
    "contact",
    "spam",
    "hears about",
    "hear about",
    "knows about",
    "mau tau",
    "pasti mau tau",
    "harus tau",
    "perlu tau",
    "wajib tau",
    "should know",
    "needs to know",
    "need to know",
    "deserves to know",
    "would love to know",
    "let",
    "see it",
    "sees it",
    "saw how",
    "sees how",
    "would want to see",
    "nelpon",
    "nge-dm",
];

/// The people around someone who can be told or sent something.
const CIRCLE: &[&str] = &[
    "guru",
    "guru bk",
    "gurunya",
    "wali kelas",
    "wali kelasnya",
    "kepsek",
    "kepala sekolah",
    "sekolahnya",
    "dosen",
    "dosennya",
    "dekan",
    "dekannya",
    "rektor",
    "rektornya",
    "kampusnya",
    "hrd",
    "hrd nya",
    "atasan",
    "atasannya",
    "bos",
    "bosnya",
    "kantornya",
    "kantor dia",
    "tempat kerjanya",
    "tempat kerja",
    "pelanggannya",
    "jemaatnya",
    "grup wali murid",
    "wali murid",
    "grup komplek",
    "grup warga",
    "grup rt",
    "pak rt",
    "tetangganya",
    "ortunya",
    "orang tuanya",
    "keluarganya",
    "bapaknya",
    "ibunya",
    "suaminya",
    "istrinya",
    "pacarnya",
    "adeknya",
    "adiknya",
    "kakaknya",
    "her school",
    "his school",
    "the school",
    "her boss",
    "his boss",
    "her employer",
    "his employer",
    "her manager",
    "his manager",
    "her parents",
    "his parents",
    "her family",
    "his family",
    "her husband",
    "his wife",
    "the principal",
    "principal",
    "her teachers",
    "his teachers",
    "the dean",
    "sekampungnya",
    "orang sekampungnya",
    "her classmates",
    "his classmates",
    "temen sekelasnya",
    "temen kantornya",
    "temen2 kantornya",
    "her coworkers",
    "his coworkers",
    "coworkers",
    "rekan kerjanya",
    "hr",
    "the hospital",
    "the parents",
    "her students",
    "his students",
];

/// The person's work or content, or a friendly purpose: the call promotes it.
const CONTENT: &[&str] = &[
    "fanart",
    "fanartnya",
    "fan art",
    "karya",
    "karyanya",
    "karya dia",
    "gambar",
    "gambarnya",
    "gambar dia",
    "lukisan",
    "lukisannya",
    "editan",
    "editannya",
    "fancam",
    "fancamnya",
    "cover",
    "covernya",
    "video",
    "videonya",
    "konten",
    "kontennya",
    "portofolio",
    "portofolionya",
    "postingan",
    "postingannya",
    "tulisan",
    "tulisannya",
    "fanfic",
    "thread ini",
    "kuesioner",
    "kuesionernya",
    "survei",
    "jualannya",
    "lagunya",
    "buat follow",
    "mau aku follow",
    "apresiasi",
    "dukung",
    "her art",
    "his art",
    "her work",
    "his work",
    "her artwork",
    "his artwork",
    "her drawings",
    "her fanart",
    "his fanart",
    "her cover",
    "her video",
    "his video",
    "her account",
    "udah setuju",
    "sudah setuju",
    "invited us",
    "handing out",
    "giving out",
    "photocards",
    "freebies",
    "bagi2 freebies",
    "bagi-bagi",
    // a job application or a referral sent to her HR or supervisor ("kirim CV aja ke HRD nya",
    // "tell her supervisor she referred you")
    "cv",
    "cv nya",
    "cvnya",
    "lamaran",
    "surat lamaran",
    "berkas lamaran",
    "your cv",
    "your resume",
    "referred you",
    "referral",
];
/// Bare negations: they negate a call only a word or two before it.
const SHORT_NEGATION: &[&str] = &[
    "ga", "gak", "nggak", "ngga", "enggak", "tidak", "not", "won't", "wont", "ga aku", "gak aku",
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
    // a call named to be refused ("kalo mau nagih lewat admin, bukan lewat teror")
    "bukan lewat",
    "bukan dengan",
    "bukan pake",
    "bukan pakai",
    "instead of",
    // the call named as what nobody may do ("itu bukan izin buat nyebarin fotonya")
    "bukan izin",
    "bukan alasan",
    "not permission to",
    "isn't permission to",
    "not an excuse to",
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
    // what doxing is and what it costs, told to warn
    "doxing =",
    "doxing itu",
    "doxing adalah",
    "doxing tuh",
    "apa itu doxing",
    "uu pdp",
    "uu ite",
    "kena pasal",
    "detektif2an",
    "salah orang",
    "jangan ikutan",
    // a rules notice naming the calls it bans ("kalimat kayak 'sebar ke base' = auto out")
    "still doxing",
    "masih doxing",
    "termasuk doxing",
    "auto out",
    "auto kick",
    "main hakim sendiri",
    // a member asking others not to pass on what was leaked about her
    "jangan di rt",
    "jangan dirt",
    "jangan di-rt",
    "jangan di quote",
    "jangan diquote",
    "jangan di-quote",
    // a visit or a gift the family agreed to
    "birthday project",
    "udah izin",
    "udh izin",
    "sudah izin",
    "atas izin",
    "dengan izin",
    "with her permission",
    "with their permission",
    // the reduplicated forms chat writes ("jangan sebar2 data dia")
    "jangan sebar2",
    "jangan disebar2",
    "jangan nyebar2",
    "jangan sebar sebar",
    // passing nothing on: what was sent to the sender stops with her
    "ga aku forward",
    "gak aku forward",
    "ga aku terusin",
    "gak aku terusin",
    "aku hapus",
    "udah aku hapus",
    "udh aku hapus",
    "didn't forward",
    "did not forward",
    "i deleted it",
    "won't share it",
    // the sender's own family: her mother's shop is hers to share
    "mamaku",
    "mama aku",
    "mamah aku",
    "ibuku",
    "ibu aku",
    "bundaku",
    "tanteku",
    "tante aku",
    "papaku",
    "papa aku",
    "ayahku",
    "my mom",
    "my mum",
    "my mother",
    "my aunt",
    "my dad",
    "my father",
    "my parents",
    // what was leaked about the sender herself, told to get help
    "nyebar foto aku",
    "nyebarin foto aku",
    "nyebarin foto2 aku",
    "nyebar foto2 aku",
    "nyebar data aku",
    "nyebarin data aku",
    "nyebar alamat aku",
    "nyebarin alamat aku",
    "sebar foto aku",
    "leaked my",
    "posted my address",
    "shared my address",
    "doxxed me",
    "doxed me",
    "ngedox aku",
    // a found card or wallet, to be given back
    "found a",
    "nemu kartu",
    "nemu dompet",
    "nemu ktm",
    "nemu ktp",
    "nemu kartu pelajar",
    "lost and found",
    "yg kehilangan",
    "yang kehilangan",
    "who lost",
    // a found card handed in ("found someone's school ID ... handed it to the lost & found")
    "found someone's",
    "found someones",
    "lost & found",
    "lost n found",
    // a film, a drama or a book told about: its stalker is nobody's neighbour ("the show" and
    // "the movie" are left out: a concert is "the show", and a call to wait after it is not
    // fiction)
    "nonton ep",
    "nonton episode",
    "episode",
    "drakor",
    "dramanya",
    "the thriller",
    "that thriller",
    "filmnya",
    "webtoon",
    "spoiler",
    "plot twist",
    "worth finishing",
    // news of a case, told to warn
    "news article",
    "ada berita",
    "beritanya",
    "was doxed",
    "got doxed",
    "been doxed",
    "kena doxing",
    "korban doxing",
    "this is why we don't",
    "police are investigating",
    // news of a doxing case, passed on to warn ("td liat berita akun base yg nyebarin
    // alamat...", "izin share berita ya, kasus di fandom sebelah...", "berita hari ini:
    // pelaku doxing ... udh divonis"): the call in it is the culprit's, already judged
    "liat berita",
    "lihat berita",
    "baca berita",
    "share berita",
    "berita hari ini",
    "berita soal",
    "berita tentang",
    "pelaku doxing",
    "kasus doxing",
    "divonis",
    "in the news",
    "saw the news",
    "read the news",
    // a ban on joining in, as chat spells it ("jgn ikut2an nyebar")
    "jgn ikutan",
    "jangan ikut2an",
    "jgn ikut2an",
    "kena pidana",
    "bisa dipidana",
    // naming the harm to teach it ("itu namanya sextortion")
    "namanya sextortion",
    "namanya doxing",
    "namanya pelecehan",
    "called sextortion",
    "called doxing",
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
    /// The calls to act found, normalised spans (reused between messages).
    calls: Vec<(usize, usize)>,
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
        add(CONTACT, Cue::Fact(Fact::Contact));
        add(CALL, Cue::Call);
        add(EUPHEMISM, Cue::Euphemism);
        add(TELL, Cue::Tell);
        add(CIRCLE, Cue::Circle);
        add(CONTENT, Cue::Content);
        add(NEGATION, Cue::Negation);
        add(SHORT_NEGATION, Cue::ShortNegation);
        add(AWARE, Cue::Aware);
        let re = |p: &str| Regex::new(p).map_err(|e| e.to_string());
        Ok(ContextDetector {
            cues,
            schedule: re(concat!(
                r"(?-u:\b)(?:(?:pulang|pulangnya|berangkat|berangkatnya|keluar|lewat|balik|nongkrong|latihan|les|ngampus|masuk|selesai|bubar|leaves|gets off|finishes|walks home)",
                r"(?: \w+){0,5} (?:jam|pukul|at|around) ?\d{1,2}",
                r"|(?:tiap|setiap|every) (?:hari|hr|pagi|siang|sore|malam|malem|senin|selasa|rabu|kamis|jumat|sabtu|minggu|day|morning|afternoon|evening|night|monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekend)",
                r"|jam \d{1,2}(?:[.:]\d{2})? ?(?:pagi|siang|sore|malam|malem|an)(?-u:\b)",
                r"|(?:jam|pukul) \d{1,2}(?-u:\b)|(?-u:\b)(?:at|by|after) \d{1,2}(?:[.:]\d{2})? ?(?:am|pm)?(?-u:\b)",
                r"|\d{1,2}(?:[.:]\d{2})? ?(?:am|pm)(?-u:\b)",
                r"|(?:besok|hari|tiap|setiap|this|on|every|next) (?:senin|selasa|rabu|kamis|jumat|sabtu|minggu|saturday|sunday|monday|friday|weekday|weekdays|weekend|afternoon|morning|pagi)",
                r"|(?:day|hari) \d(?-u:\b)|(?:tgl|tanggal) \d{1,2}(?-u:\b)|pick ?up time|omw",
                r"|(?:besok|nanti|tomorrow) (?:pagi|siang|sore|malam|malem|jam|morning|afternoon|evening|night|at)",
                r"|(?:malam|malem|sore|siang|pagi) ini|tonight|malam minggu|malem minggu",
                r"|shift (?:pagi|siang|sore|malam|malem)|(?:morning|night|evening|late) shift",
                r"|(?:sabtu|minggu|senin|selasa|rabu|kamis|jumat) (?:ini|depan|pagi|siang|sore|malam|malem)",
                r"|(?:senin|selasa|rabu|kamis|jumat|sabtu|minggu|mon|tue|wed|thu|fri|sat|sun)-(?:senin|selasa|rabu|kamis|jumat|sabtu|minggu|mon|tue|wed|thu|fri|sat|sun)(?-u:\b)",
                r"|(?:on )?(?:weekends|saturdays|sundays|mondays|fridays)(?-u:\b)",
                // where she will be at an event: her seat, row or spot in the crowd
                r"|(?-u:\b)(?:row|baris|seat|kursi|section|sektor|tribun) ?(?:[a-z]\d{0,3}|\d{1,3})(?-u:\b)|(?:deket|dekat|near) (?:the )?(?:barikade|barricade|merch line|antrian merch))"
            ))?,
            name: re(concat!(
                r"(?-u:\b)(?:si|namanya|nama aslinya|nama asli|bernama|named|her name is|his name is|her real name is|his real name is|is actually|is really|aslinya|real name:?|nama:)",
                r" ([a-z]{3,15})(?-u:\b)"
            ))?,
        })
    }

    /// Finds the cues in a normalised message (`raw` is its original text), from the matches
    /// of the stage's automaton (pattern id, normalised span) at word boundaries.
    pub fn scan(
        &self,
        raw: &str,
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
        if !s
            .hits
            .iter()
            .any(|h| matches!(h.cue, Cue::Call | Cue::Euphemism | Cue::Tell))
            || s.hits.iter().any(|h| h.cue == Cue::Aware)
        {
            return;
        }
        let hits = &s.hits;
        // A call inside quotation marks is quoted ("yg bilang \"datengin aja\""), not made;
        // a word or two in scare quotes (`"sapa" dia`, `"ngobrol" sama keluarganya`) is a
        // call dressed as a harmless one.
        // A line opening with ">" quotes the message being answered ("> kirimin dong
        // nomornya\nga. lewat admin aja"): its call is the other person's. Lines are read in
        // the original text (normalising joins them).
        let quoted = |at: usize| {
            let (o, _) = norm.to_original(at, at);
            let line = raw
                .get(..o)
                .and_then(|b| b.rfind('\n'))
                .map_or(0, |i| i + 1);
            raw.get(line..)
                .is_some_and(|l| l.trim_start().starts_with('>'))
                || t[..at]
                    .chars()
                    .filter(|c| matches!(c, '"' | '\u{201c}' | '\u{201d}'))
                    .count()
                    % 2
                    == 1
                || reported_speech(t, at)
        };
        // A negation up to a few words before the call, in the same sentence; a bare "ga",
        // "not" (or any negation before a call in scare quotes: "aku ga nyuruh ngapa2in,
        // cuma \"mampir\"") only right before it.
        let negated = |at: usize, scare: bool| {
            hits.iter().any(|h| {
                let reach = match h.cue {
                    Cue::Negation if !scare => 24,
                    Cue::Negation | Cue::ShortNegation => 10,
                    _ => return false,
                };
                (h.end <= at && at - h.end <= reach && same_clause(&t[h.end..at]))
                    // "jangan 'tungguin di parkiran' 'samperin rumahnya' gitu": one negation
                    // before a list of quoted calls refuses each of them
                    || (scare
                        && h.cue == Cue::Negation
                        && h.end <= at
                        && at - h.end <= 96
                        && only_quoted(&t[h.end..at]))
            })
        };
        // The call is about the person's work or content, or a friendly purpose ("spill ke
        // base dong fanart dia", "sebarin karyanya", "share her work"): it spreads what they
        // made, not where to find them.
        let about_content = |a: usize, b: usize| {
            hits.iter().any(|h| {
                h.cue == Cue::Content
                    && ((h.start >= b && h.start - b <= 32 && same_clause(&t[b..h.start]))
                        || (h.end <= a && a - h.end <= 48 && same_clause(&t[h.end..a])))
            })
        };
        let mut calls = std::mem::take(&mut s.calls);
        calls.clear();
        for h in hits {
            // "udah aku laporin ke guru bk": a report the sender already made (a victim telling
            // the school), not a call to the crowd.
            if matches!(h.cue, Cue::Call | Cue::Tell)
                && (already_reported(&t[..h.start], &t[h.start..])
                    || narrated(&t[..h.start])
                    || answered(&t[..h.start], &t[h.end..]))
            {
                continue;
            }
            let span = match h.cue {
                Cue::Call if !quoted(h.start) || scare_quoted(t, h.start, h.end) => {
                    if self_directed(&t[h.end..])
                        || official_channel(&t[h.start..])
                        || protective_spread(&t[h.start..h.end], &t[h.end..])
                        || sender_did(&t[..h.start], &t[h.start..h.end])
                        || done_to_sender(t, h.start, h.end)
                        || advice_for_her(&t[h.start..h.end], &t[h.end..])
                        || open_invitation(t, &t[h.start..h.end], &t[h.end..])
                    {
                        continue;
                    }
                    (h.start, h.end)
                }
                Cue::Euphemism if scare_quoted(t, h.start, h.end) => (h.start, h.end),
                // Telling the person's circle: "laporin ke dosennya", "kirim ss ke kantor
                // suaminya", "make sure everyone at the school hears about this".
                // Not when the telling goes to the police or the admins ("mau lapor
                // polisi"), comes from the circle ("liat email dari HR"), or the circle is
                // the sender's own ("ada yg kirim email ke atasan aku": what was done to her).
                // Nor when it is quoted: a reply's "> bilangin suaminya aja" is the other
                // person's call, whatever the sender's own line says after it.
                Cue::Tell if official_channel(&t[h.start..]) || quoted(h.start) => continue,
                Cue::Tell => match hits.iter().find(|c| {
                    c.cue == Cue::Circle
                        && !own_circle(t, c.start, c.end)
                        && ((c.start >= h.end
                            && c.start - h.end <= 40
                            && same_clause(&t[h.end..c.start])
                            && !received(&t[h.end..c.start]))
                            || (c.end <= h.start
                                && h.start - c.end <= 24
                                && same_clause(&t[c.end..h.start])))
                }) {
                    Some(c) => (h.start.min(c.start), h.end.max(c.end)),
                    None => continue,
                },
                _ => continue,
            };
            let scare = h.cue != Cue::Tell && scare_quoted(t, h.start, h.end);
            if negated(span.0, scare) || about_content(h.start, h.end) {
                continue;
            }
            calls.push(span);
        }
        if calls.is_empty() {
            s.calls = calls;
            return;
        }
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
        // The person: a third-person reference, or a possessive fact ("rumahnya", "her car").
        let possessive = |a: usize, b: usize| {
            let w = &t[a..b];
            w.ends_with("nya") || w.starts_with("her ") || w.starts_with("his ")
        };
        let thirds: Vec<(usize, usize)> = s
            .hits
            .iter()
            .filter(|h| h.cue == Cue::Third)
            .map(|h| (h.start, h.end))
            .chain(
                facts
                    .iter()
                    .filter(|(_, a, b)| possessive(*a, *b))
                    .map(|&(_, a, b)| (a, b)),
            )
            .collect();
        // The person, the facts and the call must be linked: near the call, not anywhere in a
        // long post ("...school..." in one paragraph, "confront" in another).
        let (before, after) = WINDOW;
        let near = |c: (usize, usize), a: usize, b: usize| {
            b + before >= c.0 && a <= c.1.saturating_add(after)
        };
        let link = calls.iter().copied().find(|&c| {
            thirds.iter().any(|&(a, b)| near(c, a, b))
                && facts.iter().any(|&(_, a, b)| near(c, a, b))
        });
        let call = link.unwrap_or(calls[0]);
        s.call = Some(norm.to_original(call.0, call.1));
        s.third = match link {
            Some(c) => thirds.iter().copied().find(|&(a, b)| near(c, a, b)),
            None => s
                .hits
                .iter()
                .find(|h| h.cue == Cue::Third)
                .map(|h| (h.start, h.end))
                .or_else(|| thirds.first().copied()),
        }
        .map(|(a, b)| norm.to_original(a, b));
        s.calls = calls;
        // Without a link the facts are not reported, and nothing is exposed.
        match link {
            Some(c) => facts.retain(|&(_, a, b)| near(c, a, b)),
            None => facts.clear(),
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
        for c in self.name.captures_iter(t) {
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
                        | "haters"
                        | "hater"
                        | "penipu"
                        | "the"
                        | "tukang"
                        | "pembuat"
                        | "mantan"
                        | "ternyata"
                        | "troll"
                        | "bapak"
                        | "ibu"
                        | "mbak"
                        | "mas"
                );
            if generic {
                continue;
            }
            if s.exposed.len() < 9 {
                let (start, end) = norm.to_original(m.start, m.end);
                s.exposed.push(Exposed {
                    kind: "person",
                    validation: "the person exposed, by name",
                    start,
                    end,
                    value: word.to_string(),
                });
            }
            break;
        }
    }
}

/// How far (bytes before, after) from the call the person and a fact may be: a call links to
/// the facts of the sentence or two before it and the words right after it, not to a fact in
/// another paragraph of a long post. Chosen on the project's hand-written training set (no
/// doxing example lost at 160/60, one lost at 120/80) with a margin after the call; on the
/// third-party corpora it takes exposure false positives from 80 to 53.
const WINDOW: (usize, usize) = (160, 100);

/// Whether `between` (text between two cues) stays within one sentence.
fn same_clause(between: &str) -> bool {
    !between.contains(['.', '!', '?', '\n'])
}

/// Whether the word or two at `a..b` stand in scare quotes: `"sapa" dia`, `'talk' to her`.
fn scare_quoted(t: &str, a: usize, b: usize) -> bool {
    let is_quote = |c: char| {
        matches!(
            c,
            '"' | '\'' | '\u{201c}' | '\u{201d}' | '\u{2018}' | '\u{2019}'
        )
    };
    let open = t[..a].trim_end_matches(' ').chars().next_back();
    if !open.is_some_and(is_quote) {
        return false;
    }
    // The closing quote after at most two more words.
    let rest = &t[b..];
    match rest.find(is_quote) {
        Some(i) => {
            let inside = &rest[..i];
            i <= 24 && same_clause(inside) && inside.split_whitespace().count() <= 2
        }
        None => false,
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

/// Whether a report or telling verb at the start of `from` is one the sender already made
/// ("udah aku laporin ke guru bk", "aku sudah lapor ke wali kelas", "i already told her
/// school"): `before` ends with the sender and "already".
fn already_reported(before: &str, from: &str) -> bool {
    const VERBS: &[&str] = &[
        "lapor",
        "adu",
        "ngadu",
        "kasih tau",
        "kasih tahu",
        "bilang",
        "report",
        "told",
        "tell",
    ];
    const DONE: &[&str] = &[
        "udah aku",
        "sudah aku",
        "aku udah",
        "aku sudah",
        "udah gue",
        "gue udah",
        "udah gw",
        "gw udah",
        "saya sudah",
        "sudah saya",
        "kami sudah",
        "udah kami",
        "i already",
        "i've",
        "i have",
        "we already",
        "we've",
        // as chat spells it ("aku udh lapor ke HRD sama polsek")
        "aku udh",
        "udh aku",
        "aku dah",
        "udah ku",
        "udh ku",
        "sudah ku",
        "gue udh",
        "gw udh",
        "kami udah",
        "kami udh",
        "udh kami",
    ];
    // The sender about to report, to the admins or to no one named: "min, aku mau laporin
    // member yg namanya X di grup ini", "aku mau laporin diri sendiri". She is the one who
    // reports; it is not a call on the crowd. A report she means to take to someone's
    // circle ("aku mau laporin ke kampusnya") is left to the circle rules.
    const INTENT: &[&str] = &[
        "aku mau",
        "saya mau",
        "gue mau",
        "gw mau",
        "aku pengen",
        "aku ingin",
        "saya ingin",
        "izin",
        "i want to",
        "i'd like to",
        "i wanna",
    ];
    const REPORT: &[&str] = &["lapor", "report", "adu", "ngadu"];
    let before = before.trim_end_matches(' ');
    (VERBS.iter().any(|v| from.starts_with(v)) && DONE.iter().any(|d| ends_with_word(before, d)))
        || (REPORT.iter().any(|v| from.starts_with(v))
            && INTENT.iter().any(|d| ends_with_word(before, d))
            // a destination comes within the few words after the verb ("laporin dia ke
            // kampusnya"); a "ke" further on belongs to another clause ("... dia suka komen
            // jorok ke anak sma")
            && (official_channel(from)
                || !rest_of_sentence(from, 80)
                    .split_whitespace()
                    .take(5)
                    .any(|w| w == "ke" || w == "to")))
}

/// Whether `text` ends with the whole word(s) `w` ("lagi", not "pelagi").
fn ends_with_word(text: &str, w: &str) -> bool {
    text.ends_with(w) && crate::matcher::boundary_before(text, text.len() - w.len())
}

/// Whether the words right before a call tell what someone did or is doing rather than ask
/// for it: "ada yg kirimin bubur lewat ojol" (someone sent), "Tasya lagi mudik ke sana" (a
/// trip told), "mereka sampe sebar data ke kontak aku" (what the debt collectors did), "they
/// said they'd call him in" (the police). A call is an imperative or a hortative ("kirimin
/// aja", "kita ke sana"): it has no third person for its subject. `before` is the normalised
/// text up to the call.
fn narrated(before: &str) -> bool {
    const TOLD: &[&str] = &[
        "ada yg",
        "ada yang",
        "lagi",
        "sedang",
        "pernah",
        "mudik",
        "pulang",
        "liburan",
        "jalan-jalan",
        "jalan2",
        "used to",
        // a third person doing it ("dia" is left out: "aku suruh aja dia nungguin depan
        // kosnya" is a call through someone sent)
        "mereka",
        "sampe",
        "sampai",
        "they",
        "they'd",
        "they'll",
        "they will",
        "they would",
        "he",
        "she",
        "he'd",
        "she'd",
        "he'll",
        "she'll",
        "polisi",
        "police",
        // a named third person doing it: "si cowok ngikutin cewenya", "pelakunya dateng"
        "pelaku",
        "pelakunya",
        "stalker",
        "stalkernya",
        "sasaeng",
        "si cowok",
        "cowok itu",
        "orang itu",
        "akun itu",
        // what a third person said ("she said wait there and don't wander")
        "she said",
        "he said",
        "they said",
        "dia bilang",
        "mereka bilang",
        "katanya",
        // those who already took part ("makasih yg udah ikut mass report")
        "udah ikut",
        "udh ikut",
        "sudah ikut",
    ];
    let before = before.trim_end_matches(' ');
    if TOLD.iter().any(|w| ends_with_word(before, w)) {
        return true;
    }
    // "dia dateng ke tempat kerjaku": what he did; but "aku suruh aja dia nungguin depan
    // kosnya" sends someone, a call.
    const SENT: &[&str] = &[
        "suruh", "nyuruh", "suruhin", "minta", "biar", "biarin", "ajak", "ajakin", "aja", "kasih",
    ];
    ends_with_word(before, "dia") && {
        let rest = before[..before.len() - "dia".len()].trim_end_matches(' ');
        !SENT.iter().any(|w| ends_with_word(rest, w))
    }
}

/// Someone asking the sender to do something ("asked me to", "nyuruh aku"): the call that
/// follows is theirs, reported (see [`answered`]).
const ASKED: &[&str] = &[
    "asking me to",
    "asked me to",
    "asks me to",
    "told me to",
    "nyuruh aku",
    "nyuruh gue",
    "nyuruh gw",
    "nyuruh saya",
];

/// Whether what surrounds a call shows it is not one the sender makes: a request or threat
/// someone else made, reported ("someone sent me her address asking me to 'spread it'. I
/// didn't", "dia ngancem mau sebar alamat anak2 sini"), the one who made it and what happened
/// to them ("yg nyebarin alamat rumahnya udah minta maaf", "yg nyebarin sekolah + kelasnya
/// udah di-suspend"), or the call turned down right after it ("yg mau ikut nungguin di hotel:
/// jangan ya"). `before` is the text up to the call, `after` from its end.
fn answered(before: &str, after: &str) -> bool {
    const THREATENED: &[&str] = &[
        "ngancem",
        "ngancem mau",
        "ngancam",
        "ngancam mau",
        "mengancam",
        "mengancam akan",
        "threatened to",
        "threatening to",
        "threatens to",
    ];
    const RELATIVE: &[&str] = &["yg", "yang", "who", "that"];
    const CONSEQUENCE: &[&str] = &[
        "udah di",
        "udh di",
        "sudah di",
        "telah di",
        "minta maaf",
        "kena ban",
        "kena suspend",
        "kena banned",
        "ditangkap",
        "dilaporin",
        "dilaporkan",
        "diciduk",
        "dipecat",
        "got banned",
        "got suspended",
        "got arrested",
        "got fired",
        "was banned",
        "was suspended",
        "was arrested",
        "has been",
        "have been",
        "apologi",
    ];
    const TURNED_DOWN: &[&str] = &[
        ": jangan",
        "jangan ya",
        "jangan dong",
        "jgn ya",
        "please don't",
        "pls don't",
        "don't do it",
    ];
    // The request may be quoted ("asking me to 'spread it'"); "ada yg \"nonton latihan\""
    // (narrated() without the quote) is an insinuated call, so only here.
    let quoted = before.trim_end_matches([' ', '\'', '"', '\u{2018}', '\u{201c}']);
    let before = before.trim_end_matches(' ');
    let (rest, right_after) = (rest_of_sentence(after, 100), rest_of_sentence(after, 28));
    // A request told earlier in the same sentence, the call being part of it: "an old friend
    // messaged me asking me to help vote for her cousin, just click a link and send her the
    // code" (threats are left out: "dia ngancem aku, sebarin aja alamatnya" is a call).
    const ASKED_MORE: &[&str] = &["minta aku", "minta tolong aku"];
    let sentence = tail(
        &before[before.rfind(['.', '!', '?', '\n']).map_or(0, |i| i + 1)..],
        140,
    );
    ASKED
        .iter()
        .chain(THREATENED)
        .any(|w| ends_with_word(quoted, w))
        || ASKED
            .iter()
            .chain(ASKED_MORE)
            .any(|w| has_word(sentence, w))
        || (RELATIVE.iter().any(|w| ends_with_word(before, w))
            && CONSEQUENCE.iter().any(|c| rest.contains(c)))
        || TURNED_DOWN.iter().any(|w| right_after.contains(w))
}

/// The last `max` bytes of `text` at most (cut at a char boundary): the words before a cue.
fn tail(text: &str, max: usize) -> &str {
    let mut cut = text.len().saturating_sub(max);
    while !text.is_char_boundary(cut) {
        cut += 1;
    }
    &text[cut..]
}

/// The first word of `text`, skipping what is not a letter or a digit.
fn first_word(text: &str) -> &str {
    text.split(|c: char| !c.is_alphanumeric())
        .find(|w| !w.is_empty())
        .unwrap_or("")
}

/// The rest of the sentence after a cue, at most `max` bytes (cut at a char boundary).
fn rest_of_sentence(after: &str, max: usize) -> &str {
    let end = after
        .find(['.', '!', '?', '\n'])
        .unwrap_or(after.len())
        .min(max);
    let mut end = end.min(after.len());
    while !after.is_char_boundary(end) {
        end -= 1;
    }
    &after[..end]
}

/// Whether a call goes to the police, the admins or the platform ("udah aku laporin ke polisi",
/// "laporin aja akunnya ke admin", "report her to the police"): the official way, not a crowd.
/// `from` starts at the call ("laporin ke" is one call).
fn official_channel(from: &str) -> bool {
    const OFFICIAL: &[&str] = &[
        "ke polisi",
        "ke kepolisian",
        "ke kantor polisi",
        "ke pihak berwajib",
        "ke yg berwajib",
        "ke yang berwajib",
        "ke patroli",
        "ke patrolisiber",
        "ke cyber",
        "ke admin",
        "ke mod",
        "ke cs",
        "ke platform",
        "ke ojk",
        "ke kominfo",
        "ke aduan",
        "to the police",
        "to police",
        "to the admin",
        "to admin",
        "to the mods",
        "to the platform",
    ];
    let rest = rest_of_sentence(from, 48);
    // "mau lapor polisi", "report it to the admins": the word right after the verb (or
    // after "it", "ke", "to")
    const BODIES: &[&str] = &[
        "polisi",
        "kepolisian",
        "polsek",
        "polres",
        "police",
        "admin",
        "admins",
        "mods",
        "moderator",
        "platform",
    ];
    let mut words = rest.split_whitespace().skip(1);
    let next = words
        .by_ref()
        .find(|w| !matches!(*w, "ke" | "to" | "it" | "aja" | "the" | "akunnya"))
        .unwrap_or("");
    if BODIES.contains(&next.trim_end_matches([',', ';', ':'])) {
        return true;
    }
    OFFICIAL.iter().any(|o| {
        occurrences(rest, o).any(|i| i == 0 || !rest.as_bytes()[i - 1].is_ascii_alphanumeric())
    })
}

/// The starts of the leftmost non-overlapping occurrences of `needle` in `hay`: the starts
/// `str::match_indices` gives. Why not it: each call builds a two-way searcher
/// (`StrSearcher::new`, longer than the search itself on a short sentence), and the doxing
/// context asks for a few dozen words per cue in every message that has one; a `memchr` of
/// the first byte and a compare of the rest is cheaper there. A match always starts on a
/// char boundary, since a `str` never begins with a UTF-8 continuation byte.
fn occurrences<'a>(hay: &'a str, needle: &'a str) -> impl Iterator<Item = usize> + 'a {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    debug_assert!(!n.is_empty(), "no empty needles here");
    let mut from = 0;
    std::iter::from_fn(move || {
        let (&first, rest) = n.split_first()?;
        while from + n.len() <= h.len() {
            let k = from + memchr::memchr(first, &h[from..=h.len() - n.len()])?;
            if &h[k + 1..k + n.len()] == rest {
                from = k + n.len();
                return Some(k);
            }
            from = k + 1;
        }
        None
    })
}

/// Whether a call to spread is a warning's ("sebarin ke temen2 biar ga ada yg ketipu", "share
/// this so nobody else gets scammed"): spreading the warning, not the person.
fn protective_spread(call: &str, after: &str) -> bool {
    const SPREAD: &[&str] = &[
        "sebar",
        "share",
        "spread",
        "viral",
        "bantu sebar",
        "kasih tau",
    ];
    const PURPOSE: &[&str] = &[
        "biar ga ada",
        "biar gak ada",
        "biar nggak ada",
        "biar tidak ada",
        "supaya ga ada",
        "supaya tidak ada",
        "agar tidak ada",
        "biar ga ketipu",
        "biar gak ketipu",
        "biar ga kena",
        "biar gak kena",
        "biar yg lain ga",
        "biar yang lain ga",
        "biar yg lain gak",
        "biar yang lain tidak",
        "biar pada waspada",
        "biar waspada",
        "biar hati-hati",
        "biar pada hati-hati",
        "so nobody",
        "so no one",
        "so that nobody",
        "so that no one",
        "so others don't",
        "so others dont",
    ];
    SPREAD.iter().any(|w| call.starts_with(w))
        && PURPOSE
            .iter()
            .any(|p| rest_of_sentence(after, 80).contains(p))
}

/// Whether `text` holds the whole word(s) `w` somewhere.
fn has_word(text: &str, w: &str) -> bool {
    occurrences(text, w).any(|i| {
        crate::matcher::boundary_before(text, i)
            && text[i + w.len()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric())
    })
}

fn is_quote(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '\u{201c}' | '\u{201d}' | '\u{2018}' | '\u{2019}'
    )
}

/// Whether the call at `at` stands inside words quoted after a verb of saying: "dia bilang
/// 'yaudah nanti aku sebarin'", "katanya 'kalo ga kirim foto lagi, fotonya gw sebar'", "aku
/// kutip dari DM yg dia kirim: 'aku tungguin pulang nanti'", "dia chat 'kak fotoin dong'".
/// Double quotes are read as quotation anywhere (see `scan`); single quotes double as
/// apostrophes ("that girl's school"), so they count only as an opening quote (after a space
/// or a colon) that a verb of saying introduces, and not yet closed before the call.
fn reported_speech(t: &str, at: usize) -> bool {
    const SAID: &[&str] = &[
        "bilang", "katanya", "kata", "ngomong", "nulis", "ngancem", "ngancam", "chat", "nge-chat",
        "ngechat", "dm", "kirim", "ngirim", "kutip", "said", "says", "wrote", "texted", "messaged",
        "told me",
    ];
    let line = tail(&t[..at], 200);
    let line = &line[line.rfind('\n').map_or(0, |i| i + 1)..];
    let base = at - line.len();
    // The last opening quote before the call, with no closing quote after it.
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let mut open = None;
    for (k, &(i, c)) in chars.iter().enumerate() {
        if !is_quote(c) {
            continue;
        }
        let prev = k.checked_sub(1).map(|p| chars[p].1);
        let next = chars.get(k + 1).map(|n| n.1);
        let word_before = prev.is_some_and(char::is_alphanumeric);
        let word_after = next.is_some_and(char::is_alphanumeric);
        if word_before && word_after {
            continue; // an apostrophe: "girl's", "don't"
        }
        if open.is_some() && word_before {
            open = None; // a closing quote
        } else if !word_before && prev.is_none_or(|p| p == ' ' || p == ':') {
            open = Some(i);
        }
    }
    let Some(open) = open else { return false };
    let intro = tail(t[..base + open].trim_end_matches([' ', ':']), 32);
    let last: Vec<&str> = intro.split_whitespace().rev().take(3).collect();
    SAID.iter().any(|w| {
        if w.contains(' ') {
            has_word(intro, w)
        } else {
            last.iter()
                .any(|x| x.trim_matches(|c: char| !c.is_alphanumeric() && c != '-') == *w)
        }
    })
}

/// Whether `between` (text between a negation and a call) holds only quoted calls and the
/// words joining them: `jangan 'tungguin di parkiran' '` before `samperin rumahnya'`.
fn only_quoted(between: &str) -> bool {
    let mut rest = between.trim_start();
    let mut quotes = 0;
    while let Some(c) = rest.chars().next() {
        if is_quote(c) {
            let inner = &rest[c.len_utf8()..];
            match inner.find(is_quote) {
                Some(i) if i <= 60 && same_clause(&inner[..i]) => {
                    rest = inner[i..].trim_start_matches(is_quote).trim_start();
                    quotes += 1;
                }
                // the opening quote of the call itself
                _ => return quotes > 0 && inner.trim().is_empty(),
            }
        } else {
            let word = rest.split([' ', ',', '/']).next().unwrap_or("");
            if !matches!(word, "" | "atau" | "ato" | "dan" | "sama" | "or" | "and") {
                return false;
            }
            rest = rest[word.len()..].trim_start_matches([' ', ',', '/']);
        }
    }
    false
}

/// Whether the words before a call tell what the sender herself did: "aku sampe dateng ke
/// sana" (a scam victim who went to the address she was given), "udah aku tempelin stiker
/// di motorku". What she did is not a call on the crowd. Spreading is left out: "udah aku
/// sebarin alamatnya ke base" is exposure however it is told.
fn sender_did(before: &str, call: &str) -> bool {
    const DID: &[&str] = &[
        "aku sampe",
        "aku sampai",
        "aku pernah",
        "aku udah",
        "aku udh",
        "aku sudah",
        "udah aku",
        "udh aku",
        "sudah aku",
        "aku langsung",
        "aku akhirnya",
        "gue sampe",
        "gue udah",
        "gw udah",
        "saya sudah",
        "i even",
        "i already",
        "i actually",
    ];
    const MOTION: &[&str] = &["dateng", "datang", "pergi", "balik", "jalan", "pulang"];
    const SPREAD: &[&str] = &[
        "sebar", "nyebar", "spill", "share", "bocor", "post", "leak", "kirim", "upload", "tag",
    ];
    if SPREAD.iter().any(|w| call.starts_with(w)) {
        return false;
    }
    let mut before = before.trim_end_matches(' ');
    if let Some(m) = MOTION.iter().find(|m| ends_with_word(before, m)) {
        before = before[..before.len() - m.len()].trim_end_matches(' ');
    }
    DID.iter().any(|d| ends_with_word(before, d))
}

/// Whether the call is one of the acts of a third person against the sender, told in one
/// sentence: "dia tau jadwal les aku, nungguin di mulut gang, terus chat...". The sentence
/// opens with him or her as its subject, names the sender ("aku", "me") before the call, and
/// the call takes no particle of a request after it ("aja", "dong", "rame2"): "dia tinggal
/// deket rumah aku, datengin aja" stays a call.
fn done_to_sender(t: &str, start: usize, end: usize) -> bool {
    const SUBJECT: &[&str] = &[
        "dia",
        "doi",
        "he",
        "she",
        "mereka",
        "they",
        "pelaku",
        "pelakunya",
        "stalker",
    ];
    const FILLER: &[&str] = &[
        "terus", "trus", "lalu", "dan", "tapi", "awalnya", "and", "then",
    ];
    // the sender as the one it was done to ("jadwal les aku", "followed me"); English "i"
    // is a subject, left out
    const ME: &[&str] = &["aku", "gue", "gw", "saya", "me", "my"];
    const REQUEST: &[&str] = &[
        "aja", "aj", "dong", "yuk", "ayo", "gih", "rame", "rame2", "bareng", "bareng2", "sana",
        "ya", "yaa", "guys", "now",
    ];
    let sentence = &t[t[..start].rfind(['.', '!', '?', '\n']).map_or(0, |i| i + 1)..start];
    let mut words = sentence
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .filter(|w| !w.is_empty());
    const OPENER: &[&str] = &[
        "cowok itu",
        "cowo itu",
        "cewek itu",
        "orang itu",
        "akun itu",
        "si cowok",
        "si cewek",
        "kakak kelas",
        "that guy",
        "this guy",
        "the guy",
        "the stalker",
    ];
    let first = words.by_ref().find(|w| !FILLER.contains(w)).unwrap_or("");
    let opener = sentence.trim_start();
    let subject = SUBJECT.contains(&first)
        || OPENER
            .iter()
            .any(|o| opener.starts_with(o) && crate::matcher::boundary_after(opener, o.len()));
    // The sender named before the call, and a comma between: the call opens the next of
    // his acts ("dia tau jadwal les aku, nungguin di mulut gang"), not a plan of hers that
    // follows ("dia tau rumahnya, jadi aku mau datengin").
    let me = sentence
        .match_indices(|c: char| c.is_alphanumeric())
        .filter(|&(i, _)| crate::matcher::boundary_before(sentence, i))
        .filter_map(|(i, _)| {
            let w = sentence[i..]
                .split(|c: char| !c.is_alphanumeric() && c != '-')
                .next()?;
            ME.contains(&w).then_some(i + w.len())
        })
        .next_back();
    if !subject || words.next().is_none() || !me.is_some_and(|m| sentence[m..].contains(',')) {
        return false;
    }
    !REQUEST.contains(&first_word(&t[end..]))
}

/// Whether "tell her" passes help on to the person herself: "if she messaged you, tell her
/// to contact the mods", "if your friend lost one tell her to ask there". Telling her to
/// delete a post or telling her to her face stays a call.
fn advice_for_her(call: &str, after: &str) -> bool {
    const TELL: &[&str] = &[
        "tell her",
        "tell him",
        "tell them",
        "suruh dia",
        "bilang ke dia",
    ];
    const HELP: &[&str] = &[
        "to contact",
        "to ask",
        "to dm the",
        "to dm an",
        "to message the",
        "to reach out",
        "to report",
        "to get in touch",
        "to talk to the",
        "to check",
        "to block",
        "buat hubungin",
        "buat hubungi",
        "hubungin admin",
        "hubungi admin",
        "lapor",
        "buat lapor",
        "ke admin",
    ];
    let after = after.trim_start();
    TELL.iter().any(|w| call.starts_with(w)) && HELP.iter().any(|h| after.starts_with(h))
}

/// Whether an invitation ("mampir aja", "dateng aja") goes to the sender's own place or to a
/// public one: "aku kerja di kafe deket stasiun ... mampir aja ke kafe", "mampir aja ke kafe
/// tempat aku kerja", "spot foto yg dipake idolnya ... buat yg trip bisa mampir". The
/// locating facts in such a message are hers or everyone's. Not when the invitation goes on
/// to someone else's place ("mampir aja ke kantornya").
fn open_invitation(t: &str, call: &str, after: &str) -> bool {
    const INVITE: &[&str] = &[
        "mampir", "main ke", "dateng", "datang", "drop by", "stop by", "visit", "come by",
    ];
    const OPEN: &[&str] = &[
        // the sender's own place
        "aku kerja di",
        "tempat aku kerja",
        "tempat kerjaku",
        "tempat kerja aku",
        "gue kerja di",
        "gw kerja di",
        "saya kerja di",
        "aku barista",
        "aku jaga",
        "toko aku",
        "tokoku",
        "kafe aku",
        "cafe aku",
        "warung aku",
        "warungku",
        "lapak aku",
        "booth aku",
        "rumahku",
        "rumah aku",
        "rumah gue",
        "kosanku",
        "kosan aku",
        "kos aku",
        "i work at",
        "i work in",
        "where i work",
        "my cafe",
        "my shop",
        "my store",
        "my booth",
        "my place",
        // a public spot, known to all
        "spot foto",
        "photo spot",
        "tempat foto",
        "lokasi syuting",
        "filming location",
        "udah banyak yg tau",
        "udah banyak yang tau",
        "tempat umum",
        "public place",
    ];
    const ELSEWHERE: &[&str] = &[
        "rumahnya",
        "kosnya",
        "kosannya",
        "kantornya",
        "kampusnya",
        "sekolahnya",
        "tempat kerjanya",
        "rumah dia",
        "kos dia",
        "kantor dia",
        "her ",
        "his ",
    ];
    INVITE.iter().any(|w| call.starts_with(w))
        && OPEN.iter().any(|o| has_word(t, o))
        && !ELSEWHERE
            .iter()
            .any(|e| rest_of_sentence(after, 60).contains(e))
}

/// Whether the circle at `a..b` is the sender's own: "email ke atasan aku", "HRD ku", "my
/// boss". Telling it is what someone did to her, or her own business.
fn own_circle(t: &str, a: usize, b: usize) -> bool {
    (t[b..].starts_with(' ') || t[b..].starts_with("ku"))
        && matches!(
            first_word(&t[b..]),
            "aku" | "ku" | "saya" | "gue" | "gw" | "kami"
        )
        || t[..a].ends_with("my ")
}

/// Whether the words between a telling verb and the circle make the circle its sender:
/// "liat email dari HR", "a call from her school".
fn received(between: &str) -> bool {
    has_word(between, "dari") || has_word(between, "from")
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

    #[test]
    fn occurrences_are_the_starts_match_indices_gives() {
        let hays = [
            "",
            "ke",
            "lapor ke polisi ke polisi",
            "aaaa",
            "ke ke ke",
            "é ke polisi, ké ke admin",
            "to the police to police",
        ];
        let needles = ["ke polisi", "a", "aa", "ke ke", "ke", "é", "police", "zz"];
        for h in hays {
            for n in needles {
                let want: Vec<usize> = h.match_indices(n).map(|(i, _)| i).collect();
                assert_eq!(
                    occurrences(h, n).collect::<Vec<_>>(),
                    want,
                    "{n:?} in {h:?}"
                );
            }
        }
    }

    fn scan(text: &str) -> ContextScratch {
        let d = super::super::Doxing::default();
        let mut norm = Normalised::new();
        norm.normalise(text, &[]);
        let mut matches = Vec::new();
        d.find_patterns(norm.text(), &mut matches);
        let mut s = ContextScratch::default();
        d.context.scan(text, &norm, &matches, &mut s);
        s
    }

    /// Asserts that every text exposes someone (`exposes`) or that none does, showing the scan
    /// of the first that does not.
    fn assert_each(texts: &[&str], exposes: bool) {
        for t in texts {
            let s = scan(t);
            assert_eq!(s.exposes(), exposes, "{t}: {s:?}");
        }
    }

    #[test]
    fn a_person_a_place_and_a_call_expose() {
        assert_each(
            &[
                "si Rina kuliah di Unpad, pulang jam 5 lewat gerbang belakang. tungguin aja rame-rame",
                "dia kerja di alfamart deket stasiun, datengin aja",
                "cewek ini ternyata anak SMAN 3 kelas 11, sebar ke base biar malu",
                "her real name is Dina, she works at a bakery on 5th. let everyone know who she is",
                "motornya beat merah, tiap sore nongkrong di warkop depan kampus. cegat aja",
                "ini titiknya rumah si Dewi, tinggal di gang belakang masjid. samperin aja",
                // a permission is not a negation: "izin" alone does not cancel the call
                "izin spill ya, cowoknya si Mita kerja di bengkel Jl. Kopo, samperin aja",
            ],
            true,
        );
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
    fn a_call_someone_named_already_made_is_narrated() {
        // What a third person did, told: a drama's plot, a stalker's acts.
        assert_each(
            &[
                "nonton drama yg baru tuh agak ga nyaman ya, si cowok ngikutin cewenya terus, nunggu di depan rumah, hafal jadwal dia",
                "cowok itu nungguin di depan kosnya Rina tiap malem, serem bgt sampe Rina pindah",
            ],
            false,
        );
        // Sending someone is still a call.
        assert_each(
            &[
                r#"si Nisa ngekos di Jl. Kenanga, kamar paling pojok. aku suruh aja dia nungguin depan kosnya"#,
            ],
            true,
        );
    }

    #[test]
    fn consequences_wished_on_her_and_how_easy_she_is_to_find_are_calls() {
        assert_each(
            &[
                "reminder: the girl who stole the GO money now works at a bakery on Jl. Melati, afternoons. would be a shame if her manager found out",
                "dia tiap pagi naik motor beat merah lewat jl. Pemuda, parkir di basement kampus jam 7. gampang kok nyarinya",
                "she's a nurse at RSUD Kartika this month. imagine if the hospital saw how she talks about people",
                "yg ngatain kita itu kerja di apotek Jl. Kenanga shift pagi. biar pada kenal aja mukanya",
            ],
            true,
        );
        assert_each(
            &[
                "my sister's school has a bazaar on saturday, would be a shame if nobody came, come support her booth!",
                "kak Rina kerja di kafe deket stasiun, kalo mau ketemu kabarin dia dulu ya, dia sering sendirian terus di sana",
                "the venue is on Jl. Sudirman, doors at 5. would be a shame if it rained lol",
            ],
            false,
        );
    }

    #[test]
    fn a_reported_request_a_consequence_or_a_refusal_is_not_the_call() {
        assert_each(
            &[
                // a request or threat someone else made, reported
                "someone in my DMs sent me a hater's home address asking me to 'spread it'. I didn't, forwarded it to the admins",
                "min aku udah kumpulin ss dia ngancem mau sebar alamat anak2 sini, udah aku kirim ke dm admin",
                "> where do we meet?\nin front of the mall by the taxi queue. Lia's mom is picking us up at 9, she said wait there",
                // the one who made it and what became of them
                "kasus fandom sebelah: yg nyebarin alamat rumahnya udah minta maaf di twitter tp korbannya sampe pindah kos",
                "ada yg ngikutin kasus akun yg dibongkar identitasnya? yg nyebarin sekolah + kelasnya udah di-suspend",
                "akun haters yg kmrn udh kena suspend, makasih yg udah ikut mass report. ga perlu sampe nyari2 rumahnya segala",
                // turned down right after
                "yg mau ikut nungguin di hotel: jangan ya. kita semua tau hotelnya di mana tp itu privasi mereka",
            ],
            false,
        );
        // The same frames around a call the sender makes.
        assert_each(
            &[
                "yg nyebarin alamat rumahnya tinggal di kos deket kampus, datengin aja rame2",
                "dia ngekos di Jl. Kenanga no 5, kamar paling pojok. tungguin aja di depan, jangan sampe kabur",
                // an insinuated call in scare quotes is no reported request
                r#"anak itu latihan paduan suara tiap kamis sore di aula sekolahnya. bisa kali ada yg "nonton latihan""#,
            ],
            true,
        );
    }

    #[test]
    fn no_call_no_place_or_a_negated_call_is_not_exposure() {
        assert_each(
            &[
                "dia kuliah di Unpad juga lho, pulang jam 5 biasanya",
                "datengin konsernya rame-rame yuk!",
                "aku kerja di alfamart, mampir ya",
                "jangan sebar alamat dia, itu doxing. report aja akunnya",
                "please don't spread where she works, that's doxing",
                "ayo sebar info streaming ini ke base",
                // a call told as a story, or named to be refused
                "mamanya Tasya tinggal di Cinangka, kemarin Tasya cerita lagi mudik ke sana",
                "pas aku sakit ada yg kirimin bubur lewat ojol, yg kirim ga mau disebut namanya",
                "> kirimin dong nomornya\nga. kalo mau nagih lewat admin, bukan lewat teror",
                // telling her circle, on the quoted line of a reply: the other person's call
                "> bilangin suaminya aja\nnggak, aku ga mau ikut2an",
                "> kasih tau ortunya\nmending kita diem aja",
                // the call's subject is someone else: what they did, not what she asks
                "mereka sampe sebar data ke kontak aku, temen kampus dapet chat kalo aku penipu",
                "I gave the police the guy's name and his motorbike plate, they said they'd call him in",
                // "titik" as a full stop, not a pin
                "kirim foto ke pacar itu bukan izin buat nyebarin. yg nyebarin itu pelaku, titik.",
                // the call named as what nobody may do
                "dia percaya sama cowoknya, itu bukan izin buat nyebarin fotonya. yg salah pelaku",
            ],
            false,
        );
        // The sender's own call after the line she answers still exposes.
        assert_each(
            &["> dia siapa sih?\nbilangin suaminya aja, biar tau kelakuan istrinya"],
            true,
        );
    }

    /// Written for this detector (not taken from any corpus): a third person, where to find them
    /// (school, work, home, schedule, vehicle, family, real identity, ID card, number) and a call to
    /// go, wait, confront, harass or spread it.
    const HARMFUL: &[&str] = &[
        r#"si Nadia anak SMAN 8 kelas 12 IPA 2, besok datengin rame-rame ke sekolahnya"#,
        r#"dia kuliah di Binus Alam Sutera jurusan DKV, samperin aja pas jam kuliah"#,
        r#"cewek yg ngatain bias kita itu anak Unair, fakultas hukum. cari aja di kampusnya"#,
        r#"yg nyebar fitnah itu ternyata mahasiswi UGM angkatan 2022, labrak aja"#,
        r#"anak ini sekolah di SMP 5 Depok, tungguin pulang sekolah"#,
        r#"dia anak kelas XI MIPA 3 SMA Taruna, sebar ke base sekolahnya biar malu"#,
        r#"orangnya kuliah di Telkom University, gedung F lantai 3 tiap selasa. datengin"#,
        r#"akun haters itu anak SMK Negeri 2 Bekasi jurusan TKJ, ayo spill ke guru BK nya"#,
        r#"si Dimas tuh mahasiswa Trisakti semester 5, gas kita datengin kampusnya"#,
        r#"she goes to Lincoln High, 11th grade. go find her and make her apologize"#,
        r#"this girl studies at NUS, computing faculty. let everyone there know what she did"#,
        r#"he is a student at Monash, I know his class schedule. show up and confront him"#,
        r#"cewek itu kuliah di UI Depok, anak FISIP. viralin aja ke menfess kampusnya"#,
        r#"dia sekolah di SD Al Azhar 3, anaknya kelas 4. samperin emaknya pas jemput"#,
        r#"si Putri kuliah di Unpad Jatinangor, ngekos di belakang kampus. serbu bareng2"#,
        r#"yang bikin thread jelek itu anak ITS teknik sipil, laporin ke dosennya biar di DO"#,
        r#"dia kerja di Indomaret Jl. Margonda shift malem, samperin aja"#,
        r#"si Nisa ngekos di Jl. Kenanga, kamar paling pojok. aku suruh aja temenku nungguin dia depan kosnya"#,
        r#"si Nisa ngekos di Jl. Kenanga, kamar paling pojok. aku suruh aja dia nungguin depan kosnya"#,
        r#"si Reza kerja di bank BRI cabang Tebet, datengin kantornya rame2"#,
        r#"cewek itu kerja jadi kasir di Alfamart depan stasiun Bogor, labrak aja"#,
        r#"orangnya karyawan PT Sinar Jaya bagian admin, laporin ke HRD nya biar dipecat"#,
        r#"dia guru honorer di SDN 12 Cibubur, sebar ke grup wali murid"#,
        r#"si Anita kerja di klinik gigi di Ruko Grand Galaxy, spill ke base biar klinik nya sepi"#,
        r#"ternyata haters itu perawat di RS Hermina Bekasi, datengin ke IGD nya"#,
        r#"he works at the Starbucks on Orchard Road, morning shift. go tell him what you think of him"#,
        r#"she works at Deloitte Jakarta, tag her boss and let them know who she really is"#,
        r#"dia barista di kopi kenangan Kemang, tiap weekend jaga. ayo rame2 ke sana"#,
        r#"si Bayu ojol, mangkal di depan mall Kelapa Gading. cegat aja"#,
        r#"yg ngatain oppa kita itu kerja di kantor pajak Pratama Serpong, spam kantornya"#,
        r#"dia kerja di salon deket pasar Minggu, datengin bareng anak2"#,
        r#"orang ini staf TU di kampus Gunadarma, kirim ke atasannya biar dipecat"#,
        r#"rumahnya di perumahan Griya Asri blok C, samperin rame-rame"#,
        r#"alamatnya di jalan Kenanga gang 3 no 12, deket masjid. datengin aja"#,
        r#"dia tinggal di kos putri Melati belakang Unnes, kamar 7. gerebek aja"#,
        r#"si Lala rumahnya di Cempaka Putih, pagar ijo sebelah warung. tungguin depan rumahnya"#,
        r#"ini rumah si admin fanbase sebelah, di Komplek Bumi Indah no 45. serbu"#,
        r#"rumah dia pas di belakang SPBU Cibinong, cat kuning. lempar aja"#,
        r#"kosannya di Jl. Kaliurang km 5, gang sebelah indomaret. samperin malem2"#,
        r#"cewek itu ngontrak di Kampung Melayu RT 04 RW 02. ayo datengin"#,
        r#"her house is on Maple Street, the blue one next to the church. go knock on her door"#,
        r#"he lives in the apartment above the 7-Eleven on 3rd avenue. pay him a visit"#,
        r#"dia tinggal di apartemen Kalibata City tower Jasmine, lantai 12. tongkrongin lobinya"#,
        r#"si Fajar tinggal sama neneknya di Kampung Rambutan, gas kesana"#,
        r#"orangnya tinggal di dekat alun-alun Garut, rumah ke3 dari pojok. ramein rumahnya"#,
        r#"dia tiap jumat pulang jam 5 lewat gang Mawar, cegat di situ"#,
        r#"si Rina pulang kerja jam 9 malem naik KRL turun di Citayam. tungguin di stasiun"#,
        r#"tiap sabtu pagi dia jogging di GBK jam 6, datengin aja rame2"#,
        r#"dia les piano tiap rabu jam 4 di Yamaha Music Kemang. tungguin depan tempat lesnya"#,
        r#"cewek itu tiap minggu ke gereja jam 8 di GKI Pondok Indah, samperin pas keluar"#,
        r#"besok dia ada di CFD Sudirman jam 7, kita labrak bareng"#,
        r#"si Tika tiap malem nongkrong di angkringan depan kampus jam 10, hajar aja"#,
        r#"she leaves her office at 6pm every day through the back exit. wait for her there"#,
        r#"he plays futsal every thursday at 8 at the Champion arena. let's all show up"#,
        r#"dia masuk shift pagi jam 7, pulangnya lewat jalan belakang pabrik. tunggu di situ"#,
        r#"jadwal dia: senin-rabu kuliah pagi, pulang jam 2 naik angkot. ikutin aja"#,
        r#"besok jam 3 sore dia ada di Starbucks Grand Indonesia, yuk samperin"#,
        r#"tiap pulang sekolah dia nunggu jemputan di depan gerbang jam 1. tungguin aja"#,
        r#"sabtu ini dia nonton di CGV Central Park jam 7 malem, kita cegat"#,
        r#"motornya beat merah plat B 1234 KJH, tiap pagi parkir di basement. kempesin bannya"#,
        r#"mobilnya Jazz putih nopol D 1821 AB, kalau liat tabrak aja"#,
        r#"dia naik vario hitam, plat F 3382 XY, parkir di kampus. tungguin di parkiran"#,
        r#"si Gilang bawa motor nmax abu-abu, tiap sore mangkal di warkop. cegat aja"#,
        r#"her car is a silver honda civic, plate L 7712 QW, parked at the mall every evening. key it"#,
        r#"mobil si Sari avanza hitam plat AB 1457 KL, parkir depan kosnya. coret aja"#,
        r#"dia pake scoopy pink stiker hello kitty, tiap hari parkir di depan kampus B. rusakin aja"#,
        r#"plat motornya N 4421 BC, cari aja di parkiran kantornya terus tungguin"#,
        r#"bapaknya kerja di dinas PU Kota Bekasi, laporin ke kantor bapaknya"#,
        r#"ibunya jualan kue di pasar Kosambi, datengin lapaknya rame2"#,
        r#"si Vina anaknya pak RT Cilandak, kakaknya polisi. sebar aja ke grup komplek"#,
        r#"adiknya sekolah di SD Tunas Bangsa kelas 2, tungguin adiknya pulang"#,
        r#"suaminya kerja di Pertamina Balongan, kirim ss nya ke kantor suaminya"#,
        r#"her dad owns the bakery on Elm street. let's all go there and tell him what she did"#,
        r#"his mom is a teacher at Greenwood Elementary, email the school about him"#,
        r#"bapaknya pendeta di gereja HKBP Sudirman, spill ke jemaatnya"#,
        r#"orang tuanya buka warung nasi padang di Cileungsi, serbu warungnya"#,
        r#"istrinya dosen di Unpad, kirim bukti ke kampus istrinya biar malu"#,
        r#"akun @kpopgosip99 itu aslinya si Wulan anak SMA 70, spill ke base"#,
        r#"@haters_army ternyata dipegang cowok namanya Andi, kuliah di Undip. ayo datengin"#,
        r#"pemilik akun alter @bunga.lara itu si Desi, anak kos di Tembalang. sebar ke base"#,
        r#"akun anon yang fitnah kemarin aslinya si Hendra, kerja di bengkel Jl. Pemuda. labrak"#,
        r#"aku tau siapa di balik akun @antifan_x, namanya Sinta, sekolah di SMAN 1 Bogor. spill aja ke menfess"#,
        r#"the anon account @truthbomb is actually Jessica from Westlake High. expose her everywhere"#,
        r#"@shadowhater is really Mark Thompson, he works at a dealership in Austin. let everyone know who he is"#,
        r#"real identity behind @nctsucks: Kevin, lives in Bandung, goes to ITB. tell everyone"#,
        r#"akun @lambe_fandom itu punya si Rara anak Binus, ayo rame2 ke kampusnya"#,
        r#"ini muka asli admin akun @fanwar_id, namanya Tiara, kuliah di UNJ. sebarin"#,
        r#"muka aslinya si penyebar hoax, namanya Bambang, tinggal di Depok. viralin"#,
        r#"yang punya akun fake itu ternyata mantannya si Dodi, anak SMA 3 Solo. spill ke base"#,
        r#"ini KTP nya si Melinda yang ngatain kita, NIK 3273015507990002. sebar ke semua grup"#,
        r#"foto KTP dia udah aku dapet, alamatnya di Sukajadi Bandung. sebarin aja biar kapok"#,
        r#"spill nik dan alamat si haters ini dong biar di datengin"#,
        r#"nih data dia: KTP, KK, alamat rumah di Cibinong. viralin"#,
        r#"ini foto ktp cewek itu, sebarin ke base biar semua tau"#,
        r#"KTP si Joko bocor nih, tinggal di Kelurahan Duren Sawit. serbu rumahnya"#,
        r#"here is her ID card with her home address, spread it so she learns her lesson"#,
        r#"ini no wa nya si Rina 0812-3344-5566, spam aja rame2"#,
        r#"nomor hp cowok itu 0857 1122 3344, telponin terus sampe dia minta maaf"#,
        r#"teror aja nomornya 081399887766, dia yang fitnah bias kita"#,
        r#"her number is +62 812 9988 7766, everyone call her and tell her what you think"#,
        r#"ini nomor bapaknya 0813-2211-4455, telpon bapaknya biar tau kelakuan anaknya"#,
        r#"wa dia 0878xxxx1234, bombardir chat sampe dia keluar dari fandom"#,
        r#"ayo datengin rumah si Nisa rame-rame, rumahnya di Perumnas Klender"#,
        r#"tungguin di parkiran kampus, dia selalu parkir di sebelah kantin"#,
        r#"sebar ke base, cewek ini anak Unpad yang suka ngatain member"#,
        r#"let everyone know who she is: Amanda from Riverside, works at the dental clinic"#,
        r#"go find him, he works the night shift at the Shell station on Route 9"#,
        r#"kita samperin aja ke sekolahnya, dia anak SMA Kanisius kelas 10"#,
        r#"udah ketemu rumahnya, di Jl. Anggrek no 7 Tangerang. siapa yang mau ikut datengin?"#,
        r#"dia kerja di toko roti depan Ramayana Bogor. rame2 yuk kasih pelajaran"#,
        r#"si Dewi anak kedokteran Unpad, angkatan 21. kirim ss chatnya ke dekannya"#,
        r#"dia tiap hari nunggu bus di halte Harmoni jam 6 sore, kita tungguin"#,
        r#"cewek itu ngekos di Jl. Kaliurang, kos Anggrek kamar 3. gerebek rame2 malam ini"#,
        r#"yg nyebarin foto itu si Agus, tinggal di RT 3 Cipete. kita grebek rumahnya"#,
        r#"ternyata haters itu anak SMK Telkom Malang, kelas XII RPL. labrak di sekolahnya"#,
        r#"dia shift sore di Hypermart Cibubur, tiap pulang lewat pintu karyawan. cegat aja"#,
        r#"alamat kantor dia di Menara BCA lantai 30, kirim karangan bunga hinaan ke situ"#,
        r#"si Rendi tiap malem minggu nongkrong di Taman Lansia jam 8. samperin rame-rame"#,
        r#"adeknya si haters sekolah di SMP 2 Cimahi, bilangin ke adeknya kelakuan kakaknya"#,
        r#"bocorin aja tempat kerja dia ke base, dia kerja di Shopee kantor pusat"#,
        r#"she's a nurse at St. Mary's hospital, night shift. show up and tell her off"#,
        r#"his daughter goes to Brookside Elementary. make sure everyone at the school hears about this"#,
        r#"he lives with his parents in Surabaya, near Tunjungan Plaza. someone go visit him"#,
        r#"dia jaga warnet di Jl. Cikutra tiap malem, datengin terus minta dia hapus postnya"#,
        r#"cewek ini tinggal di Asrama Putri UI gedung C, kamarnya 204. tungguin depan asrama"#,
        r#"yg nge-leak foto itu kerja di Grab kantor Kuningan, tandain ke kantornya"#,
        r#"akun @manis.pahit itu si Yuni, anak SMAN 2 Tangsel. kasih tau guru BK nya"#,
        r#"nama aslinya Farhan Pratama, anak Unpar, ngekos di Ciumbuleuit. spill ke semua base"#,
        r#"dia tiap kamis pulang les jam 7 malem lewat jalan Dago. ikutin sampe rumah"#,
        r#"si Mega ojol juga, mangkal di stasiun Depok Baru tiap pagi. gas cegat"#,
        r#"mobil dia fortuner hitam plat B 1 ABC, sering parkir di Senayan City. tandain"#,
        r#"anak ini tinggal di Bekasi Timur, deket SMA 1. bapaknya tentara. spill ke grup warga"#,
        r#"this is her workplace, the Zara in Pacific Place, she works weekends. go there and make a scene"#,
        r#"the guy who harassed our members lives at 14 Oak Lane, Leeds. visit him and teach him a lesson"#,
        r#"spill dong sekolah si Nabila, biar kita datengin"#,
        r#"ada yang tau kampus si haters? kita labrak rame2"#,
        r#"ada yg tau rumahnya dia dimana? pengen aku samperin bareng anak2"#,
        r#"si Citra tiap pagi anter adeknya ke SD Pelita jam 6.30, tungguin di gerbang"#,
        r#"dia kerja di pabrik sepatu Cikarang, pulang shift jam 3 sore. cegat di depan pabrik"#,
        r#"orang yg ngetik hinaan itu tetangga aku, rumahnya di Gg. Haji Naim no 3. ayo samperin"#,
        r#"cowok itu jualan cilok depan SDN 4 tiap siang, datengin lapaknya"#,
        r#"dia magang di Tokopedia tower lantai 20, spill ke LinkedIn kantornya biar dipecat"#,
        r#"kakaknya kerja di Polsek Cilandak, tapi tetep datengin aja rumahnya di Jl. Damai"#,
        r#"ini lokasi kosan dia, deket kampus UNS gang Pandawa. gas rame2 malem ini"#,
        r#"her school is Jakarta Intercultural School, year 10. let's all message the school"#,
        r#"mantan dia bilang rumahnya di Pamulang 2 blok D. serbu aja"#,
        r#"akun @jamet_hunter itu guru les matematika di Bimbel Primagama Depok, laporin ke tempat kerjanya"#,
    ];

    /// Legitimate look-alikes: one's own details, meeting points and venues, missing people and
    /// lost items posted by the family, news, reports to the admins, warnings against doxing,
    /// credits that spread someone's work, calls about events.
    const LOOK_ALIKES: &[&str] = &[
        r#"GO album batch 2 ya guys, pengiriman ke alamat aku: Jl. Merpati no 9 Bekasi, CP aku sendiri 0812-7788-9900"#,
        r#"yang mau ambil merch langsung bisa ke rumahku di Perum Griya Indah blok B2, kabarin dulu ya"#,
        r#"alamat aku buat retur: Jl. Sudirman gg 4 no 10, a.n. aku sendiri"#,
        r#"buat yg COD, aku tiap sabtu di stasiun Bogor jam 10, chat aku aja"#,
        r#"aku kerja di Alfamart Margonda, kalau mau ambil titipan PO dateng aja pas shift aku"#,
        r#"my address for the group order is 12 Baker Street, message me if your parcel is late"#,
        r#"no wa aku 0813-4455-6677 buat konfirmasi transfer GO ya, jangan ke nomor lain"#,
        r#"aku ngekos di belakang Unpad, yg mau ambil photocard bisa mampir"#,
        r#"titip barang PO ke kantor aku aja di Menara Astra lantai 5, aku kerja di sana"#,
        r#"pickup point GO: depan Gramedia Matraman sabtu jam 1, aku pake kaos ungu"#,
        r#"meeting point fanmeet hari minggu: pintu 5 GBK jam 2 siang, yg telat tungguin di depan loket"#,
        r#"kumpul buat nobar di Cafe Kopi Kita Jl. Dago no 20 jam 7 malem, datengin rame-rame ya!"#,
        r#"titik kumpul cupsleeve event: stasiun Sudirman exit 2 jam 10, nanti kita jalan bareng"#,
        r#"birthday cafe project tgl 12 di Kemang, datang rame2 ya army!"#,
        r#"flashmob dance cover sabtu depan di taman Suropati jam 4, ayo datengin semua"#,
        r#"for the fan event we meet at the north entrance of the stadium at 5pm, look for the purple banner"#,
        r#"buat yang ikut bus bareng ke konser, kumpul di parkiran Mall Kota Kasablanka jam 6 pagi"#,
        r#"gathering member Surabaya: Tunjungan Plaza lantai 3 food court, jam 1 siang. yuk samperin"#,
        r#"aku kuliah di ITB jurusan SI, ada yg sekampus?"#,
        r#"aku sekolah di SMAN 3 Bandung kelas 11, salam kenal semua"#,
        r#"aku kerja di bank BCA cabang Bogor, kalau butuh info KPR boleh tanya"#,
        r#"I study at Monash too! anyone want to meet up at the campus cafe?"#,
        r#"aku tinggal di Depok, ada yg deket sini ga buat nonton bareng?"#,
        r#"aku anak kedokteran Unair angkatan 22, salam kenal"#,
        r#"dulu aku sekolah di SMP 5 Depok juga lho"#,
        r#"aku tiap jumat pulang jam 5, jadi nobarnya abis maghrib aja ya"#,
        r#"motorku beat merah plat B 1234, kalo liat di parkiran konser sapa aja ya"#,
        r#"aku tiap sabtu jogging di GBK jam 6, ada yg mau bareng?"#,
        r#"venue konser di ICE BSD hall 5-6, dari stasiun Rawa Buntu naik shuttle"#,
        r#"lokasi acara di Istora Senayan, masuk lewat gate 3. jangan sampe nyasar"#,
        r#"konsernya di JIS, parkir di Ancol aja terus naik shuttle"#,
        r#"fansign besok di Gandaria City lantai UG, datang jam 10 buat ambil nomor antrian"#,
        r#"the venue is the Indonesia Arena, take the MRT to Istora and walk"#,
        r#"tempat nobar final: bioskop XXI Cibubur Junction, studio 3, jam 7 malem"#,
        r#"ini kantor agensinya di Gangnam, jangan dateng ke sana ya, itu privasi artis"#,
        r#"DICARI: adik kami Rina, 15 th, terakhir terlihat pulang sekolah SMPN 3 Bogor jam 2 siang. hubungi keluarga di 0812-1111-2222"#,
        r#"mohon bantuannya, bapak kami hilang sejak kemarin, pakai kemeja biru, terakhir di pasar Senen. kabari kami"#,
        r#"kehilangan dompet coklat di stasiun Manggarai, isinya KTP a.n. saya. tolong hubungi saya kalau nemu"#,
        r#"lost: my sister's grey cat near Elm Street, please call our family if you see him"#,
        r#"motor saya hilang, beat hitam plat B 4455 KLM, terakhir parkir di Indomaret Cipete. tolong kabari kalau liat"#,
        r#"ketemu KTP atas nama Budi di halte Harmoni, yg kenal tolong kabarin biar aku balikin"#,
        r#"anak saya belum pulang, sekolah di SD Mutiara kelas 3, pakai tas merah. mohon share ya"#,
        r#"tolong bantu sebar: ibu kami pikun, keluar rumah di Cempaka Putih tadi pagi. hubungi 0813-9999-0000"#,
        r#"berita: polisi tangkap pelaku pencurian motor di Jl. Kaliurang, pelaku warga Sleman"#,
        r#"menurut berita, pelaku penipuan arisan online tinggal di Bekasi dan sudah ditahan"#,
        r#"KOMPAS: mahasiswi UGM raih medali emas olimpiade sains di Paris"#,
        r#"the news said the suspect worked at a local restaurant and has been arrested"#,
        r#"kabar duka, ayahanda member kita berpulang. disemayamkan di rumah duka Jl. Melati 5, yang mau takziah silakan"#,
        r#"min, aku mau lapor. ada yg nyebar alamat rumah member di grup sebelah, tolong ditindak"#,
        r#"admin, boleh aku DM alamat kirimnya? ga enak nulis di grup"#,
        r#"kak admin, ada orang yang bocorin sekolah aku di base, gimana ya cara reportnya?"#,
        r#"tolong jangan sebar alamat dia ya, itu doxing. cukup report akunnya"#,
        r#"please don't share where she works, that's doxing and against the rules"#,
        r#"jangan datengin rumah orang, lapor ke admin aja kalau ada masalah"#,
        r#"kalian jangan spill sekolah anak itu, dia masih di bawah umur"#,
        r#"yang nyebarin nomor hp member udah aku kick ya. jangan diulang"#,
        r#"reminder: dilarang share alamat, sekolah, atau tempat kerja orang lain di grup ini"#,
        r#"someone posted her address in the other group, admins please remove it"#,
        r#"dia kuliah di ITB juga, spill ke base dong fanart dia"#,
        r#"fanart ini bikinan si Laras anak DKV ITB, spill ke base dong biar rame"#,
        r#"credit ke @lukisan.rara, dia kuliah di ISI Jogja. sebarin karyanya ya"#,
        r#"dia anak SMA yg jago cover dance, viralin videonya dong!"#,
        r#"si Dinda kerja di studio foto, hasilnya bagus2, share ke base ya portofolionya"#,
        r#"cover lagu ini dinyanyiin temen aku anak UPI, tolong share ke base biar makin banyak yg denger"#,
        r#"her art is amazing, she's a student at RISD. please share her work everywhere!"#,
        r#"dia kuliah di Binus juga, spill akun ig nya dong, mau aku follow buat liat gambarnya"#,
        r#"editan ini dari akun @edit.bts, dia anak SMP loh. sebar ke base biar dapet apresiasi"#,
        r#"temen kantorku bikin fancam keren, tolong ramein postingannya ya"#,
        r#"ayo sebar info streaming ini ke base"#,
        r#"sebar ke base ya jadwal comeback nya!"#,
        r#"datengin konsernya rame-rame yuk!"#,
        r#"yuk serbu toko merch resmi di Blok M, lagi diskon"#,
        r#"spill dong tempat beli lightstick yang murah"#,
        r#"samperin booth kita di festival, ada photocard gratis"#,
        r#"tungguin di parkiran ya, aku bawa mobil buat jemput kalian abis konser"#,
        r#"kita labrak aja chart nya, streaming rame2 biar menang!"#,
        r#"let everyone know the album drops at midnight!"#,
        r#"dia kuliah di Unpad juga lho, pulang jam 5 biasanya"#,
        r#"si Rina kerja di Jakarta sekarang, udah jarang ikut nobar"#,
        r#"adiknya Fajar sekolah di SMP yang sama kayak aku dulu"#,
        r#"bapaknya dosen di UI, pantesan pinter"#,
        r#"mama aku kerja di rumah sakit, jadi aku sering jagain adik"#,
        r#"dia tinggal di Bandung, makanya jarang ikut gathering Jakarta"#,
        r#"kak Nisa tiap sabtu ikut les vokal, suaranya makin bagus"#,
        r#"motornya bagus ya, beat merah gitu lucu"#,
        r#"yang jadi admin baru namanya Tari, dia anak Unpad. sambut ya"#,
        r#"selamat buat Dika yang keterima di UI! bangga banget"#,
        r#"aku sama temen aku ketemu bias di bandara, dia lewat terminal 3"#,
        r#"oppa lagi ada di Jakarta buat syuting, jangan ganggu ya, hargai privasi"#,
        r#"idolnya lagi liburan di Bali, jangan di stalk ya guys"#,
        r#"jadwal idol: hari ini siaran radio jam 5 sore di Prambors, dengerin ya"#,
        r#"member kita ulang tahun, alamat kirim kado bisa lewat panitia project"#,
        r#"ada yg tau alamat kantor pos terdekat dari Margonda?"#,
        r#"ada yg tau kampus yg jurusan DKV nya bagus di Bandung?"#,
        r#"rumah makan padang di Jl. Pemuda enak banget, datengin deh"#,
        r#"alamat agensi buat kirim surat fans: lihat di website resmi ya"#,
        r#"spill dong tips masuk ITB, aku pengen kuliah di sana"#,
        r#"spill skincare dong kak, kulitnya bagus banget"#,
        r#"akun @jaga_fandom itu akun resmi panitia, follow ya"#,
        r#"akun alter aku @ungu.manis, follow back ya kak"#,
        r#"my real name is Laras btw, I go to UI, nice to meet you all"#,
        r#"aku ganti akun, akun baru aku @lara.baru, yg lama kena hack"#,
        r#"KTP aku hilang, harus lapor ke kelurahan dulu ya buat bikin baru?"#,
        r#"NIK aku kok ga bisa buat daftar vaksin ya, ada yg tau kenapa?"#,
        r#"cara cek NIK di dukcapil gimana ya kak?"#,
        r#"nomor CS resmi tiketnya 021-500-123, jangan percaya nomor lain"#,
        r#"hati-hati nomor 0812-3456-7890 ngaku panitia minta transfer, itu penipu!"#,
        r#"ini nomor admin resmi: kak Dian 0813-2222-3333, kak Rio 0812-4444-5555"#,
        r#"dia kerja di kafe itu ya? pantes kemarin aku liat dia di sana"#,
        r#"cewek itu cantik banget, kuliah di mana ya dia"#,
        r#"abangku kerja di Pertamina, katanya konsernya bakal diundur"#,
        r#"ayo kita datengin fanmeet nya rame2, tiket masih ada"#,
        r#"tungguin aku di depan gate ya, aku masih di KRL"#,
        r#"she said she'd meet us at the cafe near campus after class, see you there"#,
        r#"my mom works at the hospital downtown so I can't come on Friday"#,
        r#"my sister goes to Westlake High, she's a fan too!"#,
        r#"he works at the record store on Main St, ask him for the album, he's super nice"#,
        r#"jemput aku di kosan ya, di Jl. Kaliurang gang Pandawa, abis itu kita ke venue"#,
        r#"yang mau nebeng ke konser, aku berangkat dari rumah di Pamulang jam 3, mobil avanza item"#,
        r#"aku parkir di basement P2, motor vario hitam, nanti ketemu di situ ya"#,
        r#"tiket aku bisa diambil di rumah, Jl. Damai no 4, aku di rumah sampai jam 5"#,
        r#"rumah aku deket alun-alun Garut, yang mau mampir boleh banget"#,
        r#"kalau ada yang nemu HP aku, tolong hubungi kakak aku di 0856-7777-8888"#,
        r#"aku lupa password akun @fanbase_id, admin tolong bantu reset"#,
        r#"yang nyebar fitnah ke member itu udah aku laporin ke admin, tunggu keputusannya ya"#,
        r#"admin, ada yg spill KTP orang di base. aku udah screenshot, aku DM ya"#,
        r#"tolong admin, ada orang yang nungguin aku di parkiran kampus tiap hari, aku takut"#,
        r#"jangan ditungguin di parkiran ya, biar artisnya bisa istirahat"#,
        r#"jangan ada yang samperin hotel artis, itu sasaeng!"#,
        r#"ayo rame2 report akun @haters_army, jangan didatengin ya cukup report"#,
        r#"repost dong karya dia, anak SMA tapi gambarnya udah sekeren ini"#,
        r#"sebarin thread ini ke base, isinya info penting soal tiket palsu"#,
        r#"dia anak ITB, tolong bantu share kuesioner skripsinya ya"#,
        r#"temenku kerja di toko buku Gramedia, katanya album nya udah dateng. datengin yuk"#,
        r#"fanbase Surabaya kumpul di rumah kak Dewi tiap minggu, dia yang ngundang sendiri"#,
        r#"si Rara yang bikin akun @lambe_fandom sekarang jadi admin kita, sambut ya"#,
        r#"anak SMAN 8 ada yg ikut fandom ga? mau bikin komunitas sekolah"#,
        r#"adik aku sekolah di SD Tunas Bangsa, tiap pulang aku jemput jam 12"#,
        r#"besok aku ada di CFD Sudirman jam 7, yuk yang mau ketemuan"#,
        r#"kantor kita pindah ke Menara BCA lantai 30, kirim paket ke alamat baru ya"#,
        r#"this is my workplace, the Zara in Pacific Place, I'm there on weekends if you want your pc"#,
        r#"the suspect's car, a white Avanza plate B 1821 AB, was seen near the school; police asked residents to report sightings"#,
        r#"info sekolah ramah anak di Depok: SDN 12, SD Al Azhar, bisa dicek di website dinas"#,
        r#"ayahku pendeta di HKBP, doain ya ibadah natal lancar"#,
        r#"selamat ya kak Vina, katanya diterima kerja di Pertamina. ikut seneng"#,
    ];

    /// Whether the doxing stage reports exposure (`pii.exposure`) for `text`.
    fn exposure(d: &super::super::Doxing, text: &str) -> bool {
        let mut ents = Vec::new();
        crate::extract::extract(text, &mut ents);
        let mut norm = Normalised::new();
        norm.normalise(text, &ents);
        let mut out = Vec::new();
        d.analyse(
            text,
            &norm,
            &ents,
            false,
            &mut super::super::DoxingScratch::default(),
            &mut out,
        );
        out.iter()
            .any(|f| f.signal == crate::signal::Signal::DoxingExposure)
    }

    #[test]
    fn written_harmful_examples_expose_and_look_alikes_do_not() {
        let d = super::super::Doxing::default();
        let missed: Vec<&str> = HARMFUL
            .iter()
            .copied()
            .filter(|t| !exposure(&d, t) && !KNOWN_MISSES.contains(t))
            .collect();
        let flagged: Vec<&str> = LOOK_ALIKES
            .iter()
            .copied()
            .filter(|t| exposure(&d, t))
            .collect();
        assert!(missed.is_empty(), "harmful, not exposure: {missed:#?}");
        assert!(flagged.is_empty(), "look-alikes flagged: {flagged:#?}");
        // The known misses stay documented: fail when one starts to pass.
        for t in KNOWN_MISSES {
            assert!(HARMFUL.contains(t), "{t}");
            assert!(
                !exposure(&d, t),
                "now caught, remove from KNOWN_MISSES: {t}"
            );
        }
    }

    #[test]
    fn the_person_the_facts_and_the_call_are_reported() {
        let d = super::super::Doxing::default();
        let text = "akun @kpopgosip99 itu aslinya si Wulan anak SMA 70, spill ke base";
        let mut ents = Vec::new();
        crate::extract::extract(text, &mut ents);
        let mut norm = Normalised::new();
        norm.normalise(text, &ents);
        let mut matches = Vec::new();
        d.find_patterns(norm.text(), &mut matches);
        let mut s = ContextScratch::default();
        d.context.scan(text, &norm, &matches, &mut s);
        assert!(s.exposes(), "{s:?}");
        assert!(
            s.exposed
                .iter()
                .any(|e| e.kind == "person" && e.value == "wulan"),
            "{s:?}"
        );
        assert!(s.exposed.iter().any(|e| e.kind == "identity"), "{s:?}");
        assert!(s.exposed.iter().any(|e| e.kind == "school"), "{s:?}");
        for e in &s.exposed {
            assert!(e.start < e.end && e.end <= text.len(), "{e:?}");
        }
    }

    #[test]
    fn scare_quotes_a_circle_and_content() {
        assert_each(
            &[
                "dia kuliah di Polines jurusan akuntansi, yg anak sana tolong \"sapa\" dia ya",
                "si Tari kerja di klinik deket terminal, kirim ss chatnya ke atasannya",
                "his mom is a nurse at the city hospital, make sure her boss hears about this",
            ],
            true,
        );
        assert_each(
            &[
                "yg bilang \"datengin aja ke sekolahnya\" itu salah, dia anak SMA 3, report aja",
                "dia kuliah di ITB juga, spill ke base dong fanart dia",
                "she studies at RISD, please share her work everywhere!",
                "Rose ngasih alamat rumahnya ke aku buat kado, alamatnya ga aku share disini",
                "temenku kerja di bank, katanya lowongan di kantornya lagi buka. kirim CV aja ke HRD nya langsung",
                "dia kerja di hotel deket venue, kalo ada yg butuh kamar tell her supervisor she referred you for the discount",
            ],
            false,
        );
    }

    /// A member warning others about a scammer (the number, the account, the name, "sebarin biar
    /// ga ada yg ketipu", "udah aku laporin ke polisi") is not exposure; a call to go to the
    /// scammer's home or work, dressed as a warning, still is.
    #[test]
    fn scam_warnings_are_not_exposure_but_a_call_dressed_as_one_is() {
        let d = super::super::Doxing::default();
        for t in [
            "hati-hati, ini nomor penipu 0812-3456-7890, jangan transfer",
            "ini nomor penipu yg ngaku kurir: 0821 4455 6677. sebarin ke temen2 kalian ya biar ga ada yg ketipu",
            "penipu arisan online ges, namanya Dewi, akun ig @arisan.dewi. udah aku laporin ke polisi, yg jadi korban juga lapor ya",
            "waspada penipu rekening BCA 1234567890 a.n. Rudi Hartono, modus jual tiket konser murah. sebarin ke grup lain biar ga ada korban lagi",
            "the scammer's number is +62 812 5566 7788, she pretends to be a GO admin. share this so nobody else gets scammed and report her to the police",
            "penipu jastip itu ngakunya kerja di bandara, jangan percaya. laporin aja akunnya ke admin",
        ] {
            assert!(!exposure(&d, t), "warning read as exposure: {t}");
        }
        for t in [
            "dia penipu, datengin rumahnya di jl Melati 12 rame-rame",
            "hati-hati sama si Rina, dia penipu. rumahnya di Jl. Kenanga No. 5 Bekasi, kita grebek rame2 aja",
            "awas ya ini penipu, kos nya di gang mawar belakang kampus UI, kamar 12. kita samperin malem ini",
            "waspada ges, penipu itu kerja di Alfamart deket stasiun Depok shift pagi. samperin aja rame2 tagih duitnya",
            "hati-hati penipu! namanya Sari, kuliah di UNJ jurusan PGSD. spill ke base aja biar semua tau mukanya",
            "udah lapor polisi tapi lama, penipu itu tinggal di kontrakan deket pasar Ciputat, datengin aja rame2",
        ] {
            assert!(exposure(&d, t), "doxing dressed as a warning missed: {t}");
        }
    }

    /// The person, a fact and the call must be near each other: in a long post, "school" in one
    /// paragraph and "confront" in another are not one call to go there.
    #[test]
    fn the_person_the_fact_and_the_call_are_linked() {
        let filler = " aku cerita dulu ya, kemarin streaming seru banget, lagunya enak, playlist udah aku update, makasih semua yang udah ikut, nanti kita lanjut lagi minggu depan.";
        let far = format!(
            "dia dulu satu sekolah sama aku.{}{}{} pokoknya kalau ada drama di grup, confront aja langsung di chat, jangan di belakang.",
            filler, filler, filler
        );
        assert!(!scan(&far).exposes(), "{far}: {:?}", scan(&far));
        let near = format!(
            "{} dia sekolah di SMAN 3, pulang jam 4 lewat gerbang samping. tungguin aja rame2",
            filler
        );
        assert!(scan(&near).exposes(), "{near}: {:?}", scan(&near));
    }

    /// Calls and people the lists lacked, safe now that the parts must be near each other.
    #[test]
    fn broader_cues_within_the_window() {
        assert_each(
            &[
                "si Reva ngajar les di bimbel deket pasar, spam review bimbelnya yuk",
                "si Nana tiap jumat latihan dance di studio deket alun2, abis itu naik angkot sendirian. pas buat dicegat",
                "the stalker drives a white avanza and parks at the venue every show. if you see it, block it in",
                "the shy girl from the streaming team, i found her home address from an old post. anyone want it?",
            ],
            true,
        );
        assert_each(
            &[
                "aku ngajar les di bimbel deket pasar, kalau mau kasih review bimbelnya boleh banget",
                "parkiran venue penuh, yg bawa mobil jangan block mobil orang ya",
                "i found a home address on the lost wallet, anyone want to help me return it?",
            ],
            false,
        );
    }

    /// Calls that only hint ("kalian tau harus ngapain", "easy to find", "flood it"), who runs
    /// an account, a number named as hers, her seat at a concert; and the look-alikes that share
    /// those words: a seat swap, a member's own number, an admin refusing to say who runs one.
    #[test]
    fn insinuated_calls_identities_and_seats() {
        assert_each(
            &[
                "si tukang fitnah itu kuliah di Univ Tirta, hukum angkatan 22. kalian tau lah harus ngapain",
                "the hate account is run by a girl named Sari, she works at the bakery on Jalan Mawar. easy to find",
                "her wa is 0812xxxx5521, she works the night shift at the pharmacy by the station. flood it",
                "si Dinda duduk di tribun B row 4 pas konser sabtu ini. yg deket situ tau ya mesti ngapain",
            ],
            true,
        );
        assert_each(
            &[
                "aku duduk di tribun B row 4 sabtu ini, yg deket situ sapa aku ya",
                "nomor wa aku 0812xxxx5521, chat aja kalo mau ikut GO",
                "ada yg nanya akun itu run by siapa, kami ga akan sebut. report aja akunnya ya",
            ],
            false,
        );
    }

    /// What doxing is and what it costs, a member asking others not to pass on what leaked
    /// about her, a gift the family agreed to: the call words are there, the call is not.
    #[test]
    fn awareness_consent_and_ones_own_leak_are_not_exposure() {
        assert_each(
            &[
                "INFO: doxing itu nyebarin sekolah, alamat atau no hp orang biar diserang. walau dia salah, laporin ke admin aja",
                "nyebarin data pribadi orang bisa kena UU PDP, jadi kalau ada haters cukup report, ga usah datengin rumahnya",
                "pernah ada yg di-spill kampusnya terus ternyata salah orang, dibully satu angkatan. please jangan ikutan",
                "birthday project buat Sasa: aku udah izin ke mamanya, kado boleh dikirim ke rumahnya, titip ke aku aja",
                "mantan aku nyebarin foto sama nama lengkap aku, udah aku report. kalau nemu jangan di rt ya, report aja",
            ],
            false,
        );
    }

    /// Wording the lists lacked: chat abbreviations (rmhnya, sklhnya, tgguin, ktr), slang calls
    /// (kepung, keroyok, sindir aja, pull up, corner her, track her down), the ex or the
    /// "pelakor" as the person; and the look-alikes that share those words: the sender's own
    /// place, a visit the family agreed to, an admin giving out photocards.
    #[test]
    fn abbreviations_slang_calls_and_their_look_alikes() {
        assert_each(
            &[
                "rmhnya di deket pom bensin cileungsi, yg pagernya ijo. dtgin aja kak rame2 sore ini",
                "sklhnya di sman 8 bogor, tiap hr pulang jam 3. tgguin aja depan gerbang",
                "si pelakor kerja di salon deket alun2 cimahi. keroyok aja pas dia pulang",
                "dia bakal dateng ke fansign tgl 20 di mall kota kasablanka, mukanya udah gue ss. pas dia dateng kita kepung aja",
                "mantan gue yg selingkuh sekarang kerja di bank bca cabang margonda. yg nasabah sana sindir aja pas ke teller",
                "found where the anon works: a nail salon in PIK called Glam Nails. pull up and let her boss know who she really is",
                "the account owner will be at the fan cafe event this saturday at 2pm, I know what she looks like. let's corner her there",
                "she always gets off the bus at Dago terminal around 5. catch her there and tell her what we think",
                "kak aku ada foto ktp sama alamat lengkapnya, mau aku share disini biar kita bisa datengin bareng2",
            ],
            true,
        );
        assert_each(
            &[
                "rmh aku di deket pom bensin cileungsi, yg pagernya ijo. kalo mau cod dtg aja sore ini",
                "buat surprise ultah kak rina, ibunya udah setuju kita dateng ke rumahnya sabtu jam 7. jangan bocor ke kak rina ya!",
                "she (the admin) will be at the fan cafe event saturday 2pm handing out photocards, go find her at the booth!",
                "i go to the gym every tuesday night, anyone want to pull up and work out together while listening to the album",
                "kemarin dia nyamperin aku di sekolah, aku takut. udah aku laporin ke guru bk",
                "kemarin dia nungguin aku di depan sekolah, aku takut. udah aku laporin ke wali kelas",
                "he follows me home from school every day, i've reported him to the principal",
                "she likes you and you like her. after class go up and talk to her",
                "gonna tell his gf so that she will dump him, gonna make him pay",
                "ada yg nyebar alamat lengkap si pembuat thread di grup sebelah. jangan ikut nyebarin ya, udah aku laporin ke admin",
            ],
            false,
        );
    }

    /// Look-alikes of a later blind batch's kinds, in my own words: the sender's family
    /// business, a leak she deleted instead of passing on, a leak about herself, a found
    /// card, "jangan sebar2". The same facts and calls about someone else stay exposure.
    #[test]
    fn ones_own_family_a_deleted_leak_and_a_found_card_are_not_exposure() {
        assert_each(
            &[
                "mamaku buka warung bakso di jl. pemuda deket kampus, namanya bakso mang ujang. mampir ya guys",
                "my aunt has a small cafe near her office in Kemang, tell her you're from the group and she'll add a free drink",
                "ada yg ngirimin aku alamat rumah si penipu itu. aku hapus dan ga aku forward ya, biar admin yg urus",
                "ada akun yg nyebar foto aku sama nama sekolahku, tolong bantu report akunnya ya guys",
                "ada yg nyebarin foto2 aku sama alamat kos aku di base, kalo nemu jangan di-rt ya, report aja",
                "found a campus id card at the venue exit, her name is on it. if she's here dm me and i'll send it back",
                "kalo kalian ketipu seller itu juga laporin aja ke patroli siber, jangan sebar2 alamat dia ya",
            ],
            false,
        );
        assert_each(
            &[
                "mama si rina buka warung di jl. pemuda deket kampus. datengin aja rame2 biar malu",
                "her mom has a small cafe in Kemang, go there and tell her what her daughter did",
            ],
            true,
        );
    }

    /// A call inside words quoted after a verb of saying is the quoted person's: a survivor
    /// telling what he wrote to her. A single-quoted call no one is said to have said, and
    /// an apostrophe ("girl's"), quote nothing.
    #[test]
    fn a_call_quoted_after_a_verb_of_saying_is_reported_speech() {
        assert_each(
            &[
                "kemarin ada cowok yg chat aku terus, dia bilang 'aku tungguin di depan kantor kamu ya pulang nanti'. aku kerja di minimarket deket terminal, takut banget sekarang",
                "ada orang ngancem temenku, katanya 'kalo ga mau ketemu, fotonya gw sebar ke sekolahnya'. temenku masih smp",
            ],
            false,
        );
        assert_each(
            &[
                "info buat kalian: 'dia kerja di minimarket deket terminal, pulang jam 9, tungguin aja di depan'",
                "that girl's school is SMA 5, she leaves at 3pm. go wait for her at the gate",
            ],
            true,
        );
    }

    /// One negation refuses each call of a quoted list; a quoted call with no negation stays.
    #[test]
    fn a_negation_before_a_list_of_quoted_calls_refuses_them_all() {
        assert_each(
            &["plis jangan 'datengin rumahnya' atau 'tungguin di kampusnya' ya, itu udah masuk ranah hukum. report aja"],
            false,
        );
        assert_each(
            &["dia kuliah di Unpad, rumahnya di Jatinangor. 'datengin rumahnya' aja rame2 biar kapok"],
            true,
        );
    }

    /// What the sender did herself or what was done to her, told: a scam victim who went to
    /// the address she was given, a stalker's acts in one sentence about her. A request
    /// ("aja") or a spread she made stays.
    #[test]
    fn what_the_sender_did_or_suffered_is_narrated() {
        assert_each(
            &[
                "dulu aku pernah ditipu pas beli album, dia ngaku tinggal di komplek Taman Sari. aku sampe dateng ke sana sendirian, ternyata rumah orang lain",
                "cowok itu tau aku kuliah di mana, dia tau jadwal kelas aku, nungguin di depan gedung fakultas tiap sore",
            ],
            false,
        );
        assert_each(
            &[
                "dia tinggal di komplek Taman Sari blok C, rumahnya yg pager item. dateng ke sana aja rame2 sore ini",
                "udah aku sebarin alamat rumahnya ke base, dia tinggal di komplek Taman Sari",
                "dia tau aku kuliah di mana juga, dia kuliah di fakultas hukum, tungguin aja di depan gedung tiap sore",
                // the sender's own plan after naming herself is no act done to her
                "she's a minor apparently, so I'd rather go talk to her parents directly, she goes to SMA 3",
                "dia tau rumahnya di mana, jadi aku mau datengin besok, dia kuliah di unpad",
            ],
            true,
        );
    }

    /// Mail from the circle, or mail someone sent to the sender's own boss, and a report the
    /// sender made or means to make to the admins, are not calls to tell her circle.
    #[test]
    fn the_senders_own_circle_and_her_own_reports_are_not_calls() {
        assert_each(
            &[
                "sampe sekarang liat email dari HR aja masih deg2an, dulu kerjaannya orang itu ngirim ss ke kantor aku",
                "dia udah tau aku kerja di mana, kemarin dateng ke kasir. aku udh lapor ke HRD kantor",
                "min aku mau laporin member yg namanya Rendi di grup ini, dia suka komen jorok ke anak sma",
                "ada orang ngancem temenku, fotonya mau disebar. kami udah bilang ke ortunya dan mau lapor polisi",
            ],
            false,
        );
        assert_each(
            &[
                "dia kerja di bank deket alun2, kirim email ke atasannya biar tau kelakuan dia",
                "dia kerja di bank deket alun2, lapor ke HRD nya biar dipecat",
                "anak SMA itu namanya Rendi, aku mau laporin ke sekolahnya biar dikeluarin",
            ],
            true,
        );
    }

    /// An invitation to the sender's own workplace or to a public spot; "tell her to ask the
    /// info desk" passes help on to her; a request someone made of the sender, told; news of
    /// a case; a found card. Their harmful twins stay exposure.
    #[test]
    fn invitations_help_requests_told_news_and_found_cards_are_not_exposure() {
        assert_each(
            &[
                "aku kerja di kafe deket stasiun Bogor, shift pagi tiap sabtu. yg mau tuker pc mampir aja ke kafe, cari yg namanya Dinda",
                "saw a girl crying at the venue, she said she goes to SMA Tunas Bangsa and lost her friends. if anyone knows her tell her to ask the info desk",
                "a classmate messaged me asking me to help her with a giveaway, just open a link and send her the code from school email",
                "tadi pagi baca berita akun base yg nyebarin alamat rumah trainee sampe didatengin sasaeng. serem",
                "found someone's student card near the gate, SMA Harapan Jaya, her name starts with R. if she's your friend tell her to pick it up at the lost & found",
            ],
            false,
        );
        assert_each(
            &[
                "si Dinda yg ngatain kita kerja di kafe deket stasiun Bogor, shift pagi tiap sabtu. mampir aja ke kafe rame2",
                "aku kerja di deket kantornya, dia keluar jam 5 lewat lobby. mampir aja ke kantornya",
                "she goes to SMA Tunas Bangsa, class 11B. go find her after school and tell her to delete her account",
                "she goes to my school, same class. send her the link and make her give you the code, she's an easy target",
                "akun itu nyebarin alamat rumah idol, alamatnya di jl mawar 3. datengin aja rame2",
            ],
            true,
        );
    }

    /// Harmful examples the detector does not catch yet (see the report in the README).
    const KNOWN_MISSES: &[&str] = &[
        r#"he works at the Starbucks on Orchard Road, morning shift. go tell him what you think of him"#,
        r#"ini nomor bapaknya 0813-2211-4455, telpon bapaknya biar tau kelakuan anaknya"#,
        r#"wa dia 0878xxxx1234, bombardir chat sampe dia keluar dari fandom"#,
        r#"alamat kantor dia di Menara BCA lantai 30, kirim karangan bunga hinaan ke situ"#,
        r#"yang bikin thread jelek itu anak ITS teknik sipil, laporin ke dosennya biar di DO"#,
    ];
}
