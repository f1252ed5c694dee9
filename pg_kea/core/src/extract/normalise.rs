//! Text normalisation shared by menu compilation and utterances, so both sides meet in the
//! same form: lower case, punctuation to spaces, hyphens split ("7-up" -> "7 up"), and a light
//! stem per token that folds plurals, possessives and dropped apostrophes ("pies" = "pie",
//! "domino's" = "domino", "dont" = "don't").

/// One word of the normalised utterance.
#[derive(Debug, Clone)]
pub struct Token {
    /// Byte range in the normalised text.
    pub start: usize,
    pub end: usize,
}

/// Lower-cases `text`, turns punctuation into spaces (keeping apostrophes inside words, and
/// `.`/`:` between digits as in "7.5" and "6:30"), and collapses runs of spaces.
pub fn normalise(text: &str) -> (String, Vec<Token>) {
    let mut out = String::with_capacity(text.len());
    let mut tokens = Vec::with_capacity(text.len() / 4 + 1);
    let chars: Vec<char> = text.chars().collect();
    let mut start: Option<usize> = None;
    for (i, &c) in chars.iter().enumerate() {
        let prev = if i > 0 { chars[i - 1] } else { ' ' };
        let next = chars.get(i + 1).copied().unwrap_or(' ');
        let keep = c.is_alphanumeric()
            || (c == '\'' || c == '\u{2019}') && prev.is_alphanumeric() && next.is_alphanumeric()
            || (c == '.' || c == ':') && prev.is_ascii_digit() && next.is_ascii_digit();
        if keep {
            if start.is_none() {
                if !out.is_empty() {
                    out.push(' ');
                }
                start = Some(out.len());
            }
            if c == '\u{2019}' {
                out.push('\'');
            } else if let Some(plain) = fold_accent(c) {
                // "jalapeños" = "jalapenos", "café" = "cafe": recognisers and owners mix both.
                out.push(plain);
            } else {
                out.extend(c.to_lowercase());
            }
        } else if let Some(s) = start.take() {
            tokens.push(Token {
                start: s,
                end: out.len(),
            });
        }
    }
    if let Some(s) = start {
        tokens.push(Token {
            start: s,
            end: out.len(),
        });
    }
    (out, tokens)
}

/// The plain letter of an accented Latin one ("é" -> 'e'), lower case; None for any other.
pub fn fold_accent(c: char) -> Option<char> {
    let plain = match c.to_lowercase().next()? {
        'á' | 'à' | 'â' | 'ä' | 'ã' => 'a',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
        'ú' | 'ù' | 'û' | 'ü' => 'u',
        'ñ' => 'n',
        'ç' => 'c',
        _ => return None,
    };
    Some(plain)
}

/// Splits a phrase (menu alias, lexicon phrase) into normalised, stemmed words.
pub fn phrase_stems(phrase: &str) -> Vec<String> {
    let (text, tokens) = normalise(phrase);
    tokens.iter().map(|t| stem(&text[t.start..t.end])).collect()
}

/// Folds the forms of one word that callers and speech recognisers mix up: plural "s"/"es"/
/// "ies", possessive "'s", missing apostrophes, and final "y"/"ie" ("fries" = "fry",
/// "cookies" = "cookie"). Applied to menu words and utterance words alike, so it only has to
/// be consistent, not linguistically right.
pub fn stem(word: &str) -> String {
    let mut w: String = word.chars().filter(|&c| c != '\'').collect();
    if word.ends_with("'s") {
        w.truncate(w.len() - 1);
    } else if w.len() > 3 && w.chars().all(|c| c.is_alphabetic()) {
        if w.len() > 4 && w.ends_with("ies") {
            w.truncate(w.len() - 3);
            w.push('i');
        } else if w.ends_with("es") {
            let base = &w[..w.len() - 2];
            if ["ss", "sh", "ch", "x", "z", "o"]
                .iter()
                .any(|e| base.ends_with(e))
            {
                w.truncate(w.len() - 2);
            } else {
                w.truncate(w.len() - 1);
            }
        } else if w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") && !w.ends_with("is")
        {
            w.truncate(w.len() - 1);
        }
    }
    // "omelette" = "omelet", "baguette" = "baguet": one French spelling, one American.
    if w.len() > 6 && w.ends_with("ette") {
        w.truncate(w.len() - 2);
    }
    if w.len() > 2 {
        if w.ends_with("ie") {
            w.truncate(w.len() - 2);
            w.push('i');
        } else if w.ends_with('y') {
            w.truncate(w.len() - 1);
            w.push('i');
        }
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_punctuation_and_case() {
        let (t, toks) = normalise("Two 7-Up's, please! At 6:30, 7.5 oz.");
        assert_eq!(t, "two 7 up's please at 6:30 7.5 oz");
        assert_eq!(toks.len(), 8);
        assert_eq!(&t[toks[2].start..toks[2].end], "up's");
        assert_eq!(normalise("Jalapeños Café").0, "jalapenos cafe");
    }

    #[test]
    fn stems_fold_plurals_and_apostrophes() {
        for (a, b) in [
            ("pies", "pie"),
            ("fries", "fry"),
            ("cookies", "cookie"),
            ("tomatoes", "tomato"),
            ("cheeses", "cheese"),
            ("olives", "olive"),
            ("domino's", "domino"),
            ("dont", "don't"),
            ("fajitas", "fajita"),
            ("boxes", "box"),
            ("omelettes", "omelet"),
        ] {
            assert_eq!(stem(a), stem(b), "{a} vs {b}");
        }
        assert_ne!(stem("glass"), stem("glas"));
        assert_eq!(stem("is"), "is");
    }
}
