//! Validators for personal-data numbers: what makes a digit string a real NIK, KK, NPWP,
//! payment card, IBAN or plausible bank account, rather than any long number.
//!
//! Each returns a short human explanation on success (shown to admins as the validation
//! result) or why it failed, so a verdict says not just "NIK" but "valid NIK: Jawa Timur,
//! born 1990-05-12, female".

use crate::event::days_in_month;

/// Indonesian province codes (the first two digits of a NIK/KK), from the Kemendagri list.
pub const PROVINCES: &[(u8, &str)] = &[
    (11, "Aceh"),
    (12, "Sumatera Utara"),
    (13, "Sumatera Barat"),
    (14, "Riau"),
    (15, "Jambi"),
    (16, "Sumatera Selatan"),
    (17, "Bengkulu"),
    (18, "Lampung"),
    (19, "Kepulauan Bangka Belitung"),
    (21, "Kepulauan Riau"),
    (31, "DKI Jakarta"),
    (32, "Jawa Barat"),
    (33, "Jawa Tengah"),
    (34, "DI Yogyakarta"),
    (35, "Jawa Timur"),
    (36, "Banten"),
    (51, "Bali"),
    (52, "Nusa Tenggara Barat"),
    (53, "Nusa Tenggara Timur"),
    (61, "Kalimantan Barat"),
    (62, "Kalimantan Tengah"),
    (63, "Kalimantan Selatan"),
    (64, "Kalimantan Timur"),
    (65, "Kalimantan Utara"),
    (71, "Sulawesi Utara"),
    (72, "Sulawesi Tengah"),
    (73, "Sulawesi Selatan"),
    (74, "Sulawesi Tenggara"),
    (75, "Gorontalo"),
    (76, "Sulawesi Barat"),
    (81, "Maluku"),
    (82, "Maluku Utara"),
    (91, "Papua"),
    (92, "Papua Barat"),
    (93, "Papua Selatan"),
    (94, "Papua Tengah"),
    (95, "Papua Pegunungan"),
    (96, "Papua Barat Daya"),
];

fn num(d: &[u8]) -> u32 {
    d.iter().fold(0, |acc, &c| acc * 10 + u32::from(c - b'0'))
}

fn all_digits(d: &[u8]) -> bool {
    !d.is_empty() && d.iter().all(u8::is_ascii_digit)
}

/// Which 16-digit civil-registry number to validate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registry {
    /// NIK: the day of birth has 40 added for women.
    Nik,
    /// KK (family card): same shape, the date is the card's issue date, no +40.
    Kk,
}

/// Validates a NIK or KK: province from the real list, regency and district not 00, a real
/// DDMMYY date (day + 40 for women in a NIK), serial not 0000.
pub fn civil_id(digits: &str, registry: Registry) -> Result<String, String> {
    let d = digits.as_bytes();
    if d.len() != 16 || !all_digits(d) {
        return Err("not 16 digits".into());
    }
    let prov = num(&d[0..2]) as u8;
    let province = PROVINCES
        .iter()
        .find(|(c, _)| *c == prov)
        .map(|(_, n)| *n)
        .ok_or_else(|| format!("province code {prov:02} does not exist"))?;
    if num(&d[2..4]) == 0 || num(&d[4..6]) == 0 {
        return Err("regency or district code 00".into());
    }
    let (mut day, month, yy) = (num(&d[6..8]), num(&d[8..10]), num(&d[10..12]));
    let female = registry == Registry::Nik && day > 40;
    if female {
        day -= 40;
    }
    // Two-digit years: the same ambiguity the registry has; a leap-day check needs a century,
    // so accept 29 Feb when either century makes it valid.
    let leap_ok = |y: u32| days_in_month(i64::from(y), i64::from(month)) >= i64::from(day);
    if !(1..=12).contains(&month) || day == 0 || !(leap_ok(1900 + yy) || leap_ok(2000 + yy)) {
        return Err(format!("{day:02}{month:02}{yy:02} is not a real date"));
    }
    if num(&d[12..16]) == 0 {
        return Err("serial 0000".into());
    }
    Ok(match registry {
        Registry::Nik => format!(
            "valid NIK: {province}, born {day:02}-{month:02}-{yy:02}, {}",
            if female { "female" } else { "male" }
        ),
        Registry::Kk => format!("valid KK: {province}, issued {day:02}-{month:02}-{yy:02}"),
    })
}

/// The Luhn checksum used by payment cards (and the old NPWP's check digit).
pub fn luhn(digits: &[u8]) -> bool {
    if digits.len() < 2 || !all_digits(digits) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &c)| {
            let v = u32::from(c - b'0');
            if i % 2 == 1 {
                let x = v * 2;
                if x > 9 {
                    x - 9
                } else {
                    x
                }
            } else {
                v
            }
        })
        .sum();
    sum % 10 == 0
}

/// A payment card: a known issuer prefix with its lengths, and a valid Luhn checksum.
pub fn card(digits: &str) -> Result<String, String> {
    let d = digits.as_bytes();
    if !all_digits(d) || !(13..=19).contains(&d.len()) {
        return Err("not 13-19 digits".into());
    }
    let p2 = num(&d[..2]);
    let p4 = num(&d[..4]);
    let p6 = num(&d[..6]);
    let n = d.len();
    let issuer = match () {
        _ if d[0] == b'4' && matches!(n, 13 | 16 | 19) => "Visa",
        _ if ((51..=55).contains(&p2) || (2221..=2720).contains(&p4)) && n == 16 => "Mastercard",
        _ if (p2 == 34 || p2 == 37) && n == 15 => "American Express",
        _ if (3528..=3589).contains(&p4) && (16..=19).contains(&n) => "JCB",
        _ if (p4 == 6011 || p2 == 65 || (622_126..=622_925).contains(&p6))
            && (16..=19).contains(&n) =>
        {
            "Discover"
        }
        _ if p2 == 62 && (16..=19).contains(&n) => "UnionPay",
        _ if (p4 == 5018 || p4 == 5020 || p4 == 5038 || p4 == 6304 || (p2 == 67))
            && (12..=19).contains(&n) =>
        {
            "Maestro"
        }
        _ => return Err("no card issuer uses this prefix and length".into()),
    };
    if luhn(d) {
        Ok(format!("valid {issuer} card number (Luhn)"))
    } else {
        Err(format!("{issuer}-like number with a bad Luhn checksum"))
    }
}

/// NPWP (tax id): the old 15-digit form `99.999.999.C-999.999` whose 9th digit is a Luhn
/// check over the first eight, or the 16-digit form (2024 onwards, a NIK for individuals).
pub fn npwp(digits: &str) -> Result<String, String> {
    let d = digits.as_bytes();
    if !all_digits(d) {
        return Err("not digits".into());
    }
    match d.len() {
        15 if luhn(&d[..9]) => Ok("valid NPWP (15-digit, check digit ok)".into()),
        15 => Err("15-digit NPWP with a bad check digit".into()),
        16 => Ok("NPWP (16-digit)".into()),
        _ => Err("an NPWP has 15 or 16 digits".into()),
    }
}

/// IBAN: country letters, check digits, account; valid when the mod-97 check gives 1.
pub fn iban(compact: &str) -> Result<String, String> {
    let s = compact.as_bytes();
    if !(15..=34).contains(&s.len())
        || !s[..2].iter().all(u8::is_ascii_alphabetic)
        || !s[2..4].iter().all(u8::is_ascii_digit)
        || !s.iter().all(u8::is_ascii_alphanumeric)
    {
        return Err("not IBAN-shaped".into());
    }
    let mut rem: u32 = 0;
    for &c in s[4..].iter().chain(&s[..4]) {
        let v = if c.is_ascii_digit() {
            u32::from(c - b'0')
        } else {
            u32::from(c.to_ascii_uppercase() - b'A') + 10
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    if rem == 1 {
        Ok(format!(
            "valid IBAN ({})",
            compact[..2].to_ascii_uppercase()
        ))
    } else {
        Err("IBAN check digits do not match".into())
    }
}

/// Account-number lengths of Indonesian banks, so "BCA 12345" is not taken for an account.
pub const BANK_LENGTHS: &[(&str, &[usize])] = &[
    ("bca", &[10]),
    ("bri", &[15]),
    ("bni", &[10]),
    ("mandiri", &[13]),
    ("bsi", &[10]),
    ("btn", &[16]),
    ("cimb", &[13, 14]),
    ("permata", &[10]),
    ("danamon", &[10]),
    ("jago", &[12]),
    ("seabank", &[12]),
    ("ocbc", &[12]),
    ("maybank", &[10]),
    ("btpn", &[11]),
    ("jenius", &[11]),
    ("muamalat", &[10]),
];

/// Whether `len` digits is a plausible account number for the bank named near it (any
/// length from 8 to 16 when no bank is named).
pub fn bank_account(len: usize, bank: Option<&str>) -> Result<String, String> {
    match bank.and_then(|b| BANK_LENGTHS.iter().find(|(n, _)| *n == b)) {
        Some((name, lens)) if lens.contains(&len) => Ok(format!(
            "{len}-digit {} account number",
            name.to_uppercase()
        )),
        Some((name, lens)) => Err(format!(
            "{} accounts have {lens:?} digits, not {len}",
            name.to_uppercase()
        )),
        None if (8..=16).contains(&len) => Ok(format!("{len}-digit account number")),
        None => Err("bank accounts have 8-16 digits".into()),
    }
}

/// Indonesian licence-plate region codes (the letters before the number).
pub const PLATE_REGIONS: &[&str] = &[
    "a", "b", "d", "e", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "w", "z", "aa",
    "ab", "ad", "ae", "ag", "ba", "bb", "bd", "be", "bg", "bh", "bk", "bl", "bm", "bn", "bp", "da",
    "db", "dd", "de", "dg", "dh", "dk", "dl", "dm", "dn", "dr", "ds", "dt", "ea", "eb", "ed", "kb",
    "kh", "kt", "ku", "pa", "pb",
];

/// A GPS coordinate pair; inside Indonesia's bounding box it weighs more.
pub fn coordinates(lat: f64, lon: f64) -> Result<(String, bool), String> {
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        return Err("not a coordinate".into());
    }
    let indonesia = (-11.5..=6.5).contains(&lat) && (94.5..=141.5).contains(&lon);
    Ok((
        format!(
            "GPS {lat:.4}, {lon:.4}{}",
            if indonesia { " (inside Indonesia)" } else { "" }
        ),
        indonesia,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nik_rules() {
        // Jawa Timur (35), Surabaya 78, district 01, born 12-05-90 female (52 = 12 + 40), serial 0001.
        assert!(civil_id("3578015205900001", Registry::Nik)
            .unwrap()
            .contains("female"));
        assert!(civil_id("3578011205900001", Registry::Nik)
            .unwrap()
            .contains("male"));
        assert!(civil_id("2078015205900001", Registry::Nik)
            .unwrap_err()
            .contains("province code 20"));
        assert!(civil_id("3500015205900001", Registry::Nik)
            .unwrap_err()
            .contains("00"));
        assert!(
            civil_id("3578013102900001", Registry::Nik)
                .unwrap_err()
                .contains("not a real date"),
            "31 Feb"
        );
        assert!(
            civil_id("3578017113900001", Registry::Nik)
                .unwrap_err()
                .contains("not a real date"),
            "month 13"
        );
        assert!(civil_id("3578015205900000", Registry::Nik)
            .unwrap_err()
            .contains("serial"));
        assert!(
            civil_id("3578016902000001", Registry::Nik).is_ok(),
            "29 Feb 2000 (+40)"
        );
        assert!(
            civil_id("357801520590001", Registry::Nik).is_err(),
            "15 digits"
        );
        // KK has no +40: day 52 is impossible.
        assert!(civil_id("3578015205900001", Registry::Kk).is_err());
        assert!(civil_id("3578011205900001", Registry::Kk).is_ok());
    }

    #[test]
    fn cards_and_luhn() {
        assert!(card("4111111111111111").unwrap().contains("Visa"));
        assert!(card("5500005555555559").unwrap().contains("Mastercard"));
        assert!(card("378282246310005")
            .unwrap()
            .contains("American Express"));
        assert!(card("4111111111111112").unwrap_err().contains("Luhn"));
        assert!(card("9111111111111111").is_err(), "no issuer");
        assert!(luhn(b"79927398713"));
        assert!(!luhn(b"79927398710"));
    }

    #[test]
    fn npwp_and_iban() {
        // 01.234.567.?-...: check digit = Luhn over the first 8 digits.
        let base = "01234567";
        let check = (0..10)
            .find(|c| luhn(format!("{base}{c}").as_bytes()))
            .unwrap();
        assert!(npwp(&format!("{base}{check}012000")).is_ok());
        assert!(npwp(&format!("{base}{}012000", (check + 1) % 10)).is_err());
        assert!(iban("GB82WEST12345698765432").is_ok());
        assert!(iban("gb82west12345698765432").is_ok());
        assert!(iban("GB82WEST12345698765431").is_err());
        assert!(iban("DE44500105175407324931").is_ok());
    }

    #[test]
    fn bank_lengths_and_coordinates() {
        assert!(bank_account(10, Some("bca")).is_ok());
        assert!(bank_account(12, Some("bca")).is_err());
        assert!(bank_account(15, Some("bri")).is_ok());
        assert!(bank_account(7, None).is_err());
        assert!(coordinates(-6.2, 106.8).unwrap().1, "Jakarta");
        assert!(!coordinates(51.5, -0.12).unwrap().1, "London");
        assert!(coordinates(95.0, 10.0).is_err());
    }
}
