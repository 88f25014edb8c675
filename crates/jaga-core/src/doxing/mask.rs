//! Masking personal data for verdicts, reports and logs: enough left to recognise the value
//! ("the one ending 0491"), not enough to misuse it.

/// Digits-only values (NIK, KK, card, phone, account, NPWP): keep the first and last four
/// digits, hide the rest; short values keep less.
pub fn digits(value: &str) -> String {
    let d: Vec<char> = value.chars().filter(char::is_ascii_digit).collect();
    let keep = match d.len() {
        0..=6 => 1,
        7..=11 => 3,
        _ => 4,
    };
    d.iter()
        .enumerate()
        .map(|(i, &c)| {
            if i < keep || i + keep >= d.len() {
                c
            } else {
                '*'
            }
        })
        .collect()
}

/// E-mail: first letter of the local part and the whole domain (`r***@gmail.com`).
pub fn email(value: &str) -> String {
    match value.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => text(value),
    }
}

/// Free text (addresses, handles, plates): keep the first two characters of each word and
/// hide the other letters and every digit, so the shape stays readable.
pub fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut pos_in_word = 0;
    for c in value.chars() {
        if c.is_alphanumeric() {
            if c.is_ascii_digit() || pos_in_word >= 2 {
                out.push('*');
            } else {
                out.push(c);
            }
            pos_in_word += 1;
        } else {
            out.push(c);
            pos_in_word = 0;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(digits("3578015205900001"), "3578********0001");
        assert_eq!(digits("0812-3456-0491"), "0812****0491");
        assert_eq!(digits("+62 812 3456 0491"), "6281*****0491");
        assert_eq!(email("rini.s@gmail.com"), "r***@gmail.com");
        assert_eq!(text("Jl. Melati No. 12"), "Jl. Me**** No. **");
    }
}
