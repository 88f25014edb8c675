//! Inputs for the stable smoke run: the seeds, mutated the way libFuzzer's default mutators
//! do (bit flips, byte insertions and deletions, copied and spliced ranges), plus tokens of
//! the formats (header layouts, system phrases, marks, cut UTF-8, JSON punctuation) that a
//! coverage-guided fuzzer would discover on its own but a blind one rarely hits.

/// A small deterministic PRNG (xorshift64), so a failing smoke run can be replayed.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed (0 is replaced: xorshift would stay at 0).
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }
}

/// Tokens of every format jaga reads.
pub const TOKENS: &[&[u8]] = &[
    b"26/11/20, 23:10 - ",
    b"26/11/20 23.10 - ",
    b"[3/13/24, 10:01:00\xe2\x80\xafPM] ",
    b"\xe2\x80\x8e[",
    b"2024/03/12, 21:05 - ",
    b"12.03.24, 21:05 - ",
    b"15/01/2024, 9:05 a. m. - ",
    b"99/99/99, 99:99 - ",
    b"0/0/0, 0:00 - ",
    b"12:00 p",
    b"Rina: ",
    b"+62 812-3456-7890: ",
    b": ",
    b" joined using this group's invite link",
    b" telah bergabung menggunakan tautan undangan grup ini",
    b" ist der Gruppe \xc3\xbcber den Einladungslink beigetreten",
    b"Du hast ",
    b" hinzugef\xc3\xbcgt",
    b" added ",
    b" menambahkan ",
    b" \xd0\xb4\xd0\xbe\xd0\xb1\xd0\xb0\xd0\xb2\xd0\xb8\xd0\xbb(\xd0\xb0) ",
    b", ",
    b" and ",
    b" und ",
    b"<Media omitted>",
    b"<attached: x.apk>",
    b" (file attached)",
    b" document omitted",
    b"This message was deleted",
    b"\xe2\x80\x8e",
    b"\xe2\x80",
    b"\xf0\x9f\x92",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"\n",
    b"\r\n",
    b"\"",
    b"\xe2\x80\x9e",
    b"[",
    b"]",
    b"{",
    b"}",
    b"\\",
    b"\\u0000",
    b"\\ud83d",
    b"\"messages\":[",
    b"\"chats\":{\"list\":[",
    b"\"text\":[{\"type\":\"text_link\",\"text\":\"x\",\"href\":\"",
    b"\"type\":\"service\",\"action\":\"invite_members\",\"members\":[",
    b"\"date_unixtime\":\"",
    b"\"attachments\":[{\"kind\":\"file\",\"name\":\"a.apk\"}]",
    b"\"kind\":\"join_request\"",
    b"\"member_messages\":0",
    b"[[rule]]\n",
    b"id = \"x.y\"\n",
    b"regex = ['(?-u:\\b)x']\n",
    b"expr = \"a and not b\"\n",
    b"keywords = [\"*x*\"]\n",
    b"PK\x03\x04",
    b"PK\x01\x02",
    b"PK\x05\x06",
    b"\x00",
    b"halo kak",
    b"\xef\xbd\x93\xef\xbd\x8c\xef\xbd\x8f\xef\xbd\x94",
    b"b i t . l y",
    b"0812-3456-7890",
];

/// One mutation of `seed` (with `other` as a second seed to splice from).
pub fn mutate(rng: &mut Rng, seed: &[u8], other: &[u8]) -> Vec<u8> {
    let mut v = seed.to_vec();
    for _ in 0..1 + rng.below(4) {
        let len = v.len();
        match rng.below(8) {
            0 if len > 0 => {
                let i = rng.below(len);
                v[i] ^= 1 << rng.below(8);
            }
            1 => {
                let i = rng.below(len + 1);
                v.insert(i, rng.next_u64() as u8);
            }
            2 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(64));
                v.drain(i..i + n);
            }
            3 if len > 0 => {
                // Copy a range elsewhere (repeats headers, brackets, keys).
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(256));
                let chunk = v[i..i + n].to_vec();
                let at = rng.below(len + 1);
                v.splice(at..at, chunk);
            }
            4 if !other.is_empty() => {
                // Splice: this seed's head, the other's tail.
                let cut = rng.below(len + 1);
                let from = rng.below(other.len());
                v.truncate(cut);
                v.extend_from_slice(&other[from..]);
            }
            5 if len > 0 => {
                // Cut short, as a truncated download is.
                v.truncate(rng.below(len));
            }
            _ => {
                let t = TOKENS[rng.below(TOKENS.len())];
                let at = rng.below(len + 1);
                v.splice(at..at, t.iter().copied());
            }
        }
    }
    v
}

/// An input from tokens and random bytes alone, in random order.
pub fn garbage(rng: &mut Rng) -> Vec<u8> {
    let mut v = Vec::new();
    for _ in 0..rng.below(60) {
        if rng.below(5) == 0 {
            for _ in 0..rng.below(8) {
                v.push(rng.next_u64() as u8);
            }
        } else {
            v.extend_from_slice(TOKENS[rng.below(TOKENS.len())]);
        }
    }
    v
}
