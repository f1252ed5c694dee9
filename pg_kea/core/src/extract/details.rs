//! Fulfilment details read from the words after a cue: names, phone numbers, street addresses
//! and requested times. Each parser takes a token position and returns what it read and where
//! it stopped, or `None` so the words fall back to ordinary matching.

use super::scan::Scanned;

/// 0-19 and the tens, as spoken; "oh"/"o" are zero inside digit strings.
pub fn number_word(w: &str) -> Option<u32> {
    Some(match w {
        "zero" | "oh" | "o" => 0,
        "one" => 1,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "eleven" => 11,
        "twelve" => 12,
        "thirteen" => 13,
        "fourteen" => 14,
        "fifteen" => 15,
        "sixteen" => 16,
        "seventeen" => 17,
        "eighteen" => 18,
        "nineteen" => 19,
        "twenty" => 20,
        "thirty" => 30,
        "forty" => 40,
        "fifty" => 50,
        _ => return None,
    })
}

/// A number at `tok` in digits or words ("twenty five"); returns value and end token.
fn spoken_number(sc: &Scanned, tok: usize) -> Option<(u32, usize)> {
    let w = sc.tokens.get(tok).map(|_| sc.word(tok))?;
    if let Ok(v) = w.parse::<u32>() {
        return Some((v, tok + 1));
    }
    if w == "oh" || w == "o" {
        return None;
    }
    let v = number_word(w)?;
    if v >= 20 && v % 10 == 0 {
        if let Some(u) = sc
            .tokens
            .get(tok + 1)
            .and_then(|_| number_word(sc.word(tok + 1)))
        {
            if (1..10).contains(&u) {
                return Some((v + u, tok + 2));
            }
        }
    }
    Some((v, tok + 1))
}

/// "20 minutes", "twenty five minutes", "an hour", "half an hour", "an hour and a half".
pub fn duration(sc: &Scanned, tok: usize) -> Option<(u32, usize)> {
    let n = sc.tokens.len();
    let w = |i: usize| if i < n { sc.word(i) } else { "" };
    let is_min = |s: &str| matches!(s, "minute" | "minutes" | "min" | "mins");
    let is_hour = |s: &str| matches!(s, "hour" | "hours" | "hr" | "hrs");
    if w(tok) == "half" && matches!(w(tok + 1), "an" | "a") && is_hour(w(tok + 2)) {
        return Some((30, tok + 3));
    }
    let (v, mut end) = if matches!(w(tok), "an" | "a") {
        (1, tok + 1)
    } else {
        spoken_number(sc, tok)?
    };
    if is_min(w(end)) {
        return Some((v, end + 1));
    }
    if is_hour(w(end)) {
        end += 1;
        let mut minutes = v * 60;
        if w(end) == "and" && matches!(w(end + 1), "a" | "an") && w(end + 2) == "half" {
            minutes += 30;
            end += 3;
        }
        return Some((minutes, end));
    }
    None
}

/// "six thirty", "6:30", "7 pm", "seven o'clock", "quarter past six". `strong` when the words
/// can only be a time (minutes, am/pm, o'clock).
pub fn clock(sc: &Scanned, tok: usize) -> Option<((u8, u8), usize, bool)> {
    let n = sc.tokens.len();
    let w = |i: usize| if i < n { sc.word(i) } else { "" };
    let first = w(tok);
    let (mut hour, mut minute, mut end, mut strong);
    if let Some((h, m)) = first.split_once(':') {
        hour = h.parse::<u32>().ok()?;
        minute = m.parse::<u32>().ok()?;
        end = tok + 1;
        strong = true;
    } else if first == "noon" {
        return Some(((12, 0), tok + 1, true));
    } else {
        let (h, e) = spoken_number(sc, tok)?;
        if h == 0 || h > 12 {
            // "1830" style.
            if (100..2400).contains(&h) && h % 100 < 60 {
                return Some((((h / 100) as u8, (h % 100) as u8), e, true));
            }
            return None;
        }
        hour = h;
        minute = 0;
        end = e;
        strong = false;
        if w(end) == "oh" || w(end) == "o" {
            if let Some(m) = number_word(w(end + 1)).filter(|m| (1..10).contains(m)) {
                minute = m;
                end += 2;
                strong = true;
            }
        } else if let Some((m, e2)) = spoken_number(sc, end) {
            if (10..60).contains(&m) {
                minute = m;
                end = e2;
                strong = true;
            }
        }
    }
    match w(end) {
        "pm" | "p.m" => {
            if hour < 12 {
                hour += 12;
            }
            end += 1;
            strong = true;
        }
        "am" | "a.m" => {
            if hour == 12 {
                hour = 0;
            }
            end += 1;
            strong = true;
        }
        "o'clock" | "oclock" => {
            end += 1;
            strong = true;
        }
        _ => {}
    }
    if hour > 23 || minute > 59 {
        return None;
    }
    Some(((hour as u8, minute as u8), end, strong))
}

/// A phone number: digit tokens and digit words, at least `min_digits` digits.
pub fn phone(sc: &Scanned, tok: usize, min_digits: usize) -> Option<(String, usize)> {
    let mut digits = String::new();
    let mut end = tok;
    while end < sc.tokens.len() {
        let w = sc.word(end);
        if w.chars().all(|c| c.is_ascii_digit()) {
            digits.push_str(w);
        } else if let Some(d) = number_word(w).filter(|&d| d < 10) {
            digits.push(char::from(b'0' + d as u8));
        } else if w == "double" || w == "triple" {
            let times = if w == "double" { 2 } else { 3 };
            match sc
                .tokens
                .get(end + 1)
                .and_then(|_| number_word(sc.word(end + 1)))
            {
                Some(d) if d < 10 => {
                    for _ in 0..times {
                        digits.push(char::from(b'0' + d as u8));
                    }
                    end += 1;
                }
                _ => break,
            }
        } else {
            break;
        }
        end += 1;
    }
    (digits.len() >= min_digits && digits.len() <= 15).then_some((digits, end))
}

const STREET_SUFFIXES: &[&str] = &[
    "street",
    "st",
    "avenue",
    "ave",
    "road",
    "rd",
    "boulevard",
    "blvd",
    "lane",
    "ln",
    "drive",
    "dr",
    "way",
    "court",
    "ct",
    "place",
    "pl",
    "terrace",
    "circle",
    "parkway",
    "highway",
    "square",
];

/// "12 main street", "four twenty elm avenue apartment 3". With `cued` (after "deliver to")
/// the words up to a pause word are taken even without a street suffix.
pub fn address(sc: &Scanned, tok: usize, cued: bool) -> Option<(String, usize)> {
    let n = sc.tokens.len();
    let first = sc.tokens.get(tok).map(|_| sc.word(tok))?;
    // Uncued, only a house number in digits starts an address ("two dr peppers" is not one).
    let digits = first.chars().all(|c| c.is_ascii_digit());
    if !digits && !cued {
        return None;
    }
    let mut end = tok + 1;
    let mut found_suffix = false;
    while end < n && end < tok + 8 {
        let w = sc.word(end);
        if matches!(
            w,
            "and" | "please" | "for" | "at" | "in" | "thanks" | "my" | "it's"
        ) {
            break;
        }
        end += 1;
        if STREET_SUFFIXES.contains(&w) && end > tok + 2 {
            found_suffix = true;
            break;
        }
    }
    if !found_suffix && !cued {
        return None;
    }
    if end + 1 < n && matches!(sc.word(end), "apartment" | "apt" | "unit" | "suite") {
        end += 2;
    }
    let text = sc.text[sc.tokens[tok].start..sc.tokens[end - 1].end].to_string();
    Some((text, end))
}

/// One or two name words after "my name is" (see the caller for which words count).
pub fn name(sc: &Scanned, tok: usize, is_known: impl Fn(usize) -> bool) -> Option<(String, usize)> {
    let mut end = tok;
    // A second word only when it is unknown too ("maria lopez", not "john thanks").
    while end < sc.tokens.len()
        && end < tok + 2
        && !is_known(end)
        && (end == tok || sc.ids[end] == super::matcher::NO_WORD || sc.repaired[end])
    {
        end += 1;
    }
    if end == tok {
        return None;
    }
    let name = (tok..end)
        .map(|i| {
            let w = sc.word(i);
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect::<String>(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ");
    Some((name, end))
}
