//! Built-in spoken-English grammar words: quantities, qualifiers, negation, dialog cues and the
//! function words that carry no order content. A venue adds its own through `Menu::lexicon`.
//! Nothing here names a dish: these are words of ordering in English, for any menu.

use super::types::Qualifier;

/// Quantity phrases. `article` marks "a"/"an": a weak quantity that may just introduce an
/// attribute ("with a side of ...") rather than a new line.
pub const NUMBERS: &[(&str, u32)] = &[
    ("a", 1),
    ("an", 1),
    // "another pakora": one more, counted as "a" is (the dialog tells it from "the pakora"
    // said again).
    ("another", 1),
    ("one", 1),
    ("just one", 1),
    ("only one", 1),
    ("single", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("eleven", 11),
    ("twelve", 12),
    ("thirteen", 13),
    ("fourteen", 14),
    ("fifteen", 15),
    ("sixteen", 16),
    ("seventeen", 17),
    ("eighteen", 18),
    ("nineteen", 19),
    ("twenty", 20),
    ("thirty", 30),
    ("forty", 40),
    ("fifty", 50),
    ("sixty", 60),
    ("seventy", 70),
    ("eighty", 80),
    ("ninety", 90),
    ("a couple", 2),
    ("a couple of", 2),
    ("couple of", 2),
    ("a pair of", 2),
    ("a few", 3),
    ("a dozen", 12),
    ("one dozen", 12),
    ("a half dozen", 6),
    ("half a dozen", 6),
    ("two dozen", 24),
    ("half dozen", 6),
    ("three dozen", 36),
    ("four dozen", 48),
];

/// "twenty four", "thirty six": the counts from 21 to 99 said in two words (a caller counting
/// pieces, "twenty four dumplings", means one number, not twenty and then four).
pub fn compound_numbers() -> &'static [(String, u32)] {
    static COMPOUND: std::sync::OnceLock<Vec<(String, u32)>> = std::sync::OnceLock::new();
    COMPOUND.get_or_init(|| {
        (21..100)
            .filter(|v| v % 10 != 0)
            .map(|v| (spoken_number(v), v))
            .collect()
    })
}

/// Words right before a count that make it the whole count wanted ("just one pakora", "only
/// two samosas"): said of an item already ordered, it sets that line's quantity.
pub const WHOLE_COUNT: &[&str] = &["just", "only"];

/// Words after a number in a parenthetical that make it a count, not a name ("6 pcs").
/// Measures ("12 oz", "16 inch") are kept: they are how callers name sizes.
pub const COUNT_UNITS: &[&str] = &["pc", "pcs", "piece", "pieces", "ct", "count", "pack", "pk"];

/// Things a pack is counted in besides pieces ("3 Sticks", "Party 10 Skewers"): a size named
/// by such a count is that many, in one order (`names::size_count`).
pub const PACK_UNITS: &[&str] = &["stick", "sticks", "skewer", "skewers"];

/// Units of weight and volume a size can be named by ("1 lb" is "a pound").
pub const MEASURE_UNITS: &[&str] = &[
    "lb", "lbs", "pound", "oz", "ounce", "pint", "pt", "quart", "qt", "gallon", "gal", "liter",
    "litre", "dozen", "rack", "bird",
];

/// Percentages with everyday names ("half sugar", "no ice", "a quarter sugar", "three quarters
/// sugar", "full sugar"). Only before the word the percentage is of: "full" alone is no level.
pub const PERCENT_NAMES: &[(u32, &str)] = &[
    (0, "no"),
    (0, "zero"),
    (25, "quarter"),
    (25, "a quarter"),
    (25, "one quarter"),
    (50, "half"),
    (75, "three quarter"),
    (75, "three quarters"),
    (100, "full"),
];

/// Words said for one another after a percentage: a sugar level is said of the sweetness
/// ("50% Sugar" is "half sweet", "fifty percent sweetness"; "Sweetness 25%" is "quarter
/// sugar"). Only in names with a percentage: "sweet tea" is not "sugar tea".
pub const PERCENT_OF: &[&[&str]] = &[SWEETNESS];

const SWEETNESS: &[&str] = &["sugar", "sweet", "sweetness"];

/// A name that is "0%" of a word of the first column is also said as the second: "0% Sugar"
/// is "unsweetened".
pub const NONE_OF: &[(&[&str], &str)] = &[(SWEETNESS, "unsweetened")];

/// Abbreviations of English food and ordering words, short form first. Names get forms with
/// either ("BBQ Chicken" is also "barbecue chicken"; "Macaroni & Cheese" is "mac and cheese").
pub const ABBREVIATIONS: &[(&str, &str)] = &[
    ("bbq", "barbecue"),
    ("bbq", "barbeque"),
    ("mac", "macaroni"),
    ("parm", "parmesan"),
    ("parm", "parmigiana"),
    ("mozz", "mozzarella"),
    ("veggie", "vegetable"),
    ("veg", "veggie"),
    ("veggies", "vegetables"),
    ("choc", "chocolate"),
    ("broc", "broccoli"),
    ("pb", "peanut butter"),
    ("chkn", "chicken"),
    ("chz", "cheese"),
    ("crm", "cream"),
    ("dbl", "double"),
    ("lg", "large"),
    ("sm", "small"),
    ("med", "medium"),
    // "mid rare", "mid well" for a steak's Med Rare / Medium Well.
    ("mid", "medium"),
    ("mid", "med"),
    ("reg", "regular"),
    ("xl", "extra large"),
    ("oz", "ounce"),
    ("lb", "pound"),
    ("lbs", "pounds"),
    ("ltr", "liter"),
    ("qt", "quart"),
    ("pc", "piece"),
    ("pcs", "pieces"),
    // "Lvl 3 Hot", "Spice Lvl": a heat level is said "level three".
    ("lvl", "level"),
    ("sandwich", "sandwiches"),
];

/// The value of a number word ("two" -> 2); articles and "single" are not counted.
pub fn number_value(word: &str) -> Option<u32> {
    NUMBERS
        .iter()
        .find(|(p, _)| *p == word && !p.contains(' ') && !matches!(*p, "a" | "an" | "single"))
        .map(|(_, v)| *v)
}

/// A number as said ("75" -> "seventy five", "100" -> "one hundred").
pub fn spoken_number(v: u32) -> String {
    const ONES: [&str; 20] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: [&str; 10] = [
        "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ];
    match v {
        0..=19 => ONES[v as usize].to_string(),
        20..=99 if v.is_multiple_of(10) => TENS[(v / 10) as usize].to_string(),
        20..=99 => format!("{} {}", TENS[(v / 10) as usize], ONES[(v % 10) as usize]),
        100 => "one hundred".to_string(),
        _ => v.to_string(),
    }
}

/// Words that open an option's name to say "more of" what follows ("Xtra Cheese"), and "two
/// of" it ("Dbl Meat").
const EXTRA_NAME_WORDS: &[&str] = &["extra", "xtra", "additional"];
const DOUBLE_NAME_WORDS: &[&str] = &["double", "dbl"];
/// Further words that open an amount or a swap of what follows ("Triple Shot", "Add Egg", "Sub
/// Fries").
const OTHER_AMOUNT_NAME_WORDS: &[&str] = &["triple", "add", "sub"];

/// An option name's first word, lowercased, and whether other words follow it.
fn first_name_word(option_name: &str) -> (String, bool) {
    let mut words = option_name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty());
    let first = words.next().unwrap_or("").to_ascii_lowercase();
    (first, words.next().is_some())
}

/// An option whose name already says the amount ("Xtra Cheese", "Extra Meat", "Dbl Meat"):
/// "extra cheese" is that option once, not the option with an extra amount.
pub fn name_says_amount(q: Qualifier, option_name: &str) -> bool {
    let (first, _) = first_name_word(option_name);
    match q {
        Qualifier::Extra => EXTRA_NAME_WORDS.contains(&first.as_str()),
        Qualifier::Double => DOUBLE_NAME_WORDS.contains(&first.as_str()),
        Qualifier::Light => false,
    }
}

/// Whether an option's name starts with a word that says "more of" or "in place of" what
/// follows ("Xtra Beef", "Dbl Meat", "Add Egg", "Sub Fries"): such an option is an amount or a
/// swap of the thing its other words name, never that thing ordered on its own.
pub fn name_is_amount_of(option_name: &str) -> bool {
    let (first, more) = first_name_word(option_name);
    more && [EXTRA_NAME_WORDS, DOUBLE_NAME_WORDS, OTHER_AMOUNT_NAME_WORDS]
        .iter()
        .any(|words| words.contains(&first.as_str()))
}

/// Whether a number phrase is an article ("a", "an", "another").
pub fn is_article(phrase_len: usize, value: u32, first_word: &str) -> bool {
    phrase_len == 1 && value == 1 && matches!(first_word, "a" | "an" | "another")
}

pub const QUALIFIERS: &[(&str, Qualifier)] = &[
    ("extra", Qualifier::Extra),
    ("more", Qualifier::Extra),
    ("additional", Qualifier::Extra),
    ("lots of", Qualifier::Extra),
    ("a lot of", Qualifier::Extra),
    ("plenty of", Qualifier::Extra),
    ("heavy", Qualifier::Extra),
    ("heavy on", Qualifier::Extra),
    ("heavy on the", Qualifier::Extra),
    ("light", Qualifier::Light),
    ("light on", Qualifier::Light),
    ("light on the", Qualifier::Light),
    ("a little", Qualifier::Light),
    ("a little bit of", Qualifier::Light),
    ("just a little", Qualifier::Light),
    ("easy on", Qualifier::Light),
    ("easy on the", Qualifier::Light),
    ("go easy on", Qualifier::Light),
    ("go easy on the", Qualifier::Light),
    ("less", Qualifier::Light),
    // The common English amount phrases ("a touch of mayo"). Not "a splash of" (milk in
    // coffee is a splash: own coffee venue) nor "a bit of" (FoodOrdering's gold: no amount).
    ("loads of", Qualifier::Extra),
    ("go heavy on", Qualifier::Extra),
    ("go heavy on the", Qualifier::Extra),
    ("load it up with", Qualifier::Extra),
    ("loaded with", Qualifier::Extra),
    ("a ton of", Qualifier::Extra),
    ("tons of", Qualifier::Extra),
    ("a little more", Qualifier::Extra),
    ("a bit more", Qualifier::Extra),
    ("a little extra", Qualifier::Extra),
    ("go light on", Qualifier::Light),
    ("go light on the", Qualifier::Light),
    ("lightly", Qualifier::Light),
    ("a little less", Qualifier::Light),
    ("a bit less", Qualifier::Light),
    ("a little less of", Qualifier::Light),
    ("a touch of", Qualifier::Light),
    ("just a touch of", Qualifier::Light),
    ("a dash of", Qualifier::Light),
    ("a drizzle of", Qualifier::Light),
    ("a hint of", Qualifier::Light),
    ("a little bit", Qualifier::Light),
    ("not too much", Qualifier::Light),
    ("not too much of", Qualifier::Light),
    ("not too much of the", Qualifier::Light),
    ("double", Qualifier::Double),
    ("triple", Qualifier::Double),
    ("double up on", Qualifier::Double),
    ("double up on the", Qualifier::Double),
];

pub const NEGATIONS: &[&str] = &[
    "no",
    // "sin azucar", "sin cebolla": the Spanish "without", said by callers in English too.
    "sin",
    "not",
    "without",
    "without any",
    "without the",
    "hold",
    "hold the",
    "minus",
    "skip",
    "skip the",
    "leave off",
    "leave off the",
    "leave out",
    "leave out the",
    "don't want",
    "do not want",
    "don't put",
    "do not put",
    "don't add",
    "do not add",
    "nothing on",
    "won't need",
    "will not need",
    "don't need",
    "do not need",
    "won't want",
];

/// Dialog cues: what a fixed phrase means in the conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Cue {
    Done,
    Yes,
    No,
    Human,
    Repeat,
    MenuQuestion,
    /// "is the", "how many", "what's the": a question when the utterance opens with it ("is
    /// the panang spicy", "how many wings come in the pack"), nothing inside a request.
    QuestionOpening,
    Hours,
    Cancel,
    /// "remove", "take off": the next item (or the last line) goes.
    Remove,
    /// "make that", "change it to": a quantity or an attribute change follows.
    Change,
    /// "actually", "instead": what follows corrects the last line ("actually" said after
    /// something ordered in the same utterance is a `Retract`, `intents::read_acts`).
    Correction,
    /// "no wait", "i mean", "sorry", "wait": what follows replaces what was just said in the
    /// same sentence.
    Retract,
    Pickup,
    Delivery,
    /// "my name is", "it's for", "this is": a name follows.
    Name,
    /// "my number is", "call me at": a phone number follows.
    Phone,
    /// "deliver to", "my address is": a street address follows.
    Address,
    Asap,
    /// "in" before a duration ("in 20 minutes"); "at" before a clock time.
    In,
    At,
}

pub const CUES: &[(&str, Cue)] = &[
    ("that's all", Cue::Done),
    ("that is all", Cue::Done),
    ("that's it", Cue::Done),
    ("that is it", Cue::Done),
    ("that'll be it", Cue::Done),
    ("that will be it", Cue::Done),
    ("that'll be all", Cue::Done),
    ("that will be all", Cue::Done),
    ("that'll do", Cue::Done),
    ("that's everything", Cue::Done),
    ("nothing else", Cue::Done),
    ("that's all i need", Cue::Done),
    ("i'm done", Cue::Done),
    ("i am done", Cue::Done),
    ("that should be it", Cue::Done),
    ("no more", Cue::Done),
    ("done", Cue::Done),
    ("yes", Cue::Yes),
    ("yeah", Cue::Yes),
    ("yep", Cue::Yes),
    ("yup", Cue::Yes),
    ("yea", Cue::Yes),
    ("correct", Cue::Yes),
    ("that's correct", Cue::Yes),
    ("that's right", Cue::Yes),
    ("right", Cue::Yes),
    ("sure", Cue::Yes),
    ("ok", Cue::Yes),
    ("okay", Cue::Yes),
    ("absolutely", Cue::Yes),
    ("perfect", Cue::Yes),
    ("sounds good", Cue::Yes),
    ("no", Cue::No),
    ("nope", Cue::No),
    ("nah", Cue::No),
    ("not really", Cue::No),
    ("that's wrong", Cue::No),
    ("incorrect", Cue::No),
    ("person", Cue::Human),
    ("a person", Cue::Human),
    ("a human", Cue::Human),
    ("human", Cue::Human),
    ("real person", Cue::Human),
    ("operator", Cue::Human),
    ("representative", Cue::Human),
    ("manager", Cue::Human),
    ("somebody", Cue::Human),
    ("someone", Cue::Human),
    ("repeat", Cue::Repeat),
    ("say that again", Cue::Repeat),
    ("say again", Cue::Repeat),
    ("come again", Cue::Repeat),
    ("pardon", Cue::Repeat),
    ("what was that", Cue::Repeat),
    ("what did you say", Cue::Repeat),
    ("menu", Cue::MenuQuestion),
    ("what do you have", Cue::MenuQuestion),
    ("what kind of", Cue::MenuQuestion),
    ("what kinds of", Cue::MenuQuestion),
    ("what type of", Cue::MenuQuestion),
    ("what types of", Cue::MenuQuestion),
    ("what are your", Cue::MenuQuestion),
    ("what are the", Cue::MenuQuestion),
    ("do you have", Cue::MenuQuestion),
    ("do you guys have", Cue::MenuQuestion),
    ("do you sell", Cue::MenuQuestion),
    ("do you carry", Cue::MenuQuestion),
    ("do you guys carry", Cue::MenuQuestion),
    ("do you still have", Cue::MenuQuestion),
    ("is there", Cue::MenuQuestion),
    ("are there", Cue::MenuQuestion),
    ("how much", Cue::MenuQuestion),
    ("how much is", Cue::MenuQuestion),
    ("how much are", Cue::MenuQuestion),
    ("how much does", Cue::MenuQuestion),
    ("how much do", Cue::MenuQuestion),
    ("how much for", Cue::MenuQuestion),
    ("what does", Cue::MenuQuestion),
    ("what comes on", Cue::MenuQuestion),
    ("what comes with", Cue::MenuQuestion),
    ("what comes in", Cue::MenuQuestion),
    ("what's on", Cue::MenuQuestion),
    ("what is on", Cue::MenuQuestion),
    ("what's in", Cue::MenuQuestion),
    ("what is in", Cue::MenuQuestion),
    ("does it come with", Cue::MenuQuestion),
    ("what sizes", Cue::MenuQuestion),
    ("what flavors", Cue::MenuQuestion),
    ("is the", Cue::QuestionOpening),
    ("are the", Cue::QuestionOpening),
    ("is your", Cue::QuestionOpening),
    ("are your", Cue::QuestionOpening),
    ("are they", Cue::QuestionOpening),
    ("how many", Cue::QuestionOpening),
    ("how spicy", Cue::QuestionOpening),
    ("how hot", Cue::QuestionOpening),
    ("how big", Cue::QuestionOpening),
    ("what is", Cue::QuestionOpening),
    ("what's the", Cue::QuestionOpening),
    ("what's your", Cue::QuestionOpening),
    ("do you do", Cue::QuestionOpening),
    ("do you guys do", Cue::QuestionOpening),
    ("do you make", Cue::QuestionOpening),
    ("what's a", Cue::QuestionOpening),
    ("what's an", Cue::QuestionOpening),
    ("come with", Cue::QuestionOpening),
    ("comes with", Cue::QuestionOpening),
    ("come on", Cue::QuestionOpening),
    ("comes on", Cue::QuestionOpening),
    ("is in", Cue::QuestionOpening),
    ("are in", Cue::QuestionOpening),
    ("hours", Cue::Hours),
    ("when are you open", Cue::Hours),
    ("are you open", Cue::Hours),
    ("when do you close", Cue::Hours),
    ("what time do you close", Cue::Hours),
    ("what time do you open", Cue::Hours),
    ("how late are you open", Cue::Hours),
    ("cancel", Cue::Cancel),
    ("cancel my order", Cue::Cancel),
    ("cancel the order", Cue::Cancel),
    ("cancel everything", Cue::Cancel),
    ("start over", Cue::Cancel),
    ("forget it", Cue::Cancel),
    ("never mind", Cue::Cancel),
    ("forget the whole thing", Cue::Cancel),
    ("remove", Cue::Remove),
    ("take off", Cue::Remove),
    ("take away", Cue::Remove),
    ("delete", Cue::Remove),
    ("scratch", Cue::Remove),
    ("scratch that", Cue::Remove),
    ("get rid of", Cue::Remove),
    ("drop", Cue::Remove),
    ("make that", Cue::Change),
    ("make it", Cue::Change),
    ("change that to", Cue::Change),
    ("change it to", Cue::Change),
    ("change to", Cue::Change),
    ("make the", Cue::Change),
    ("make my", Cue::Change),
    ("change the", Cue::Change),
    ("change my", Cue::Change),
    ("switch the", Cue::Change),
    ("switch my", Cue::Change),
    ("switch that to", Cue::Change),
    ("switch it to", Cue::Change),
    ("actually", Cue::Correction),
    ("instead", Cue::Correction),
    ("i meant", Cue::Correction),
    ("no wait", Cue::Retract),
    ("wait no", Cue::Retract),
    ("no sorry", Cue::Retract),
    ("sorry no", Cue::Retract),
    ("i mean", Cue::Retract),
    ("or rather", Cue::Retract),
    ("sorry", Cue::Retract),
    ("no a", Cue::Retract),
    ("no an", Cue::Retract),
    ("wait", Cue::Retract),
    ("no make it", Cue::Retract),
    ("oops", Cue::Retract),
    ("pickup", Cue::Pickup),
    ("pick up", Cue::Pickup),
    ("pick it up", Cue::Pickup),
    ("carryout", Cue::Pickup),
    ("carry out", Cue::Pickup),
    ("takeout", Cue::Pickup),
    ("collect it", Cue::Pickup),
    ("come get it", Cue::Pickup),
    ("delivery", Cue::Delivery),
    ("deliver", Cue::Delivery),
    ("delivered", Cue::Delivery),
    ("bring it", Cue::Delivery),
    ("my name is", Cue::Name),
    ("my name's", Cue::Name),
    ("name is", Cue::Name),
    ("the name is", Cue::Name),
    ("name's", Cue::Name),
    ("it's for", Cue::Name),
    ("it is for", Cue::Name),
    ("this is", Cue::Name),
    ("under the name", Cue::Name),
    ("under the name of", Cue::Name),
    ("put it under", Cue::Name),
    ("call me", Cue::Name),
    ("my number is", Cue::Phone),
    ("my phone number is", Cue::Phone),
    ("phone number is", Cue::Phone),
    ("number is", Cue::Phone),
    ("call me at", Cue::Phone),
    ("reach me at", Cue::Phone),
    ("callback number is", Cue::Phone),
    ("my number's", Cue::Phone),
    ("my cell is", Cue::Phone),
    ("my cell number is", Cue::Phone),
    ("text me at", Cue::Phone),
    ("text me on", Cue::Phone),
    ("text it to", Cue::Phone),
    ("text to", Cue::Phone),
    ("send it to", Cue::Phone),
    ("send the text to", Cue::Phone),
    ("send the receipt to", Cue::Phone),
    ("you can reach me at", Cue::Phone),
    ("call me back at", Cue::Phone),
    ("deliver to", Cue::Address),
    ("deliver it to", Cue::Address),
    ("delivered to", Cue::Address),
    ("bring it to", Cue::Address),
    ("my address is", Cue::Address),
    ("address is", Cue::Address),
    ("the address is", Cue::Address),
    ("asap", Cue::Asap),
    ("as soon as possible", Cue::Asap),
    ("right away", Cue::Asap),
    ("right now", Cue::Asap),
    ("in", Cue::In),
    ("at", Cue::At),
    ("around", Cue::At),
    ("for", Cue::At),
];

/// Words that are never a caller's name, even after "my name is".
pub const NOT_NAMES: &[&str] = &[
    "a", "an", "the", "and", "or", "for", "to", "is", "it", "it's", "my", "i", "i'm", "um", "uh",
    "calling", "here", "from", "with", "on", "at", "in", "of", "not", "no", "yes", "please",
];

/// Words that carry no order content: function words, ordering verbs, politeness, fillers.
/// They are never reported as unmatched.
pub const FUNCTION_WORDS: &[&str] = &[
    "a",
    "an",
    "the",
    "and",
    "or",
    "nor",
    "but",
    "with",
    "without",
    "of",
    "on",
    "in",
    "at",
    "to",
    "for",
    "from",
    "by",
    "as",
    "into",
    "onto",
    "over",
    "under",
    "up",
    "out",
    "off",
    "along",
    "alongside",
    "including",
    "include",
    "plus",
    "also",
    "too",
    "as well",
    "well",
    "then",
    "so",
    "just",
    "only",
    "some",
    "any",
    "all",
    "both",
    "each",
    "every",
    "other",
    "another",
    "it",
    "it's",
    "its",
    "them",
    "they",
    "their",
    "that",
    "this",
    "these",
    "those",
    "there",
    "here",
    "one",
    "ones",
    "i",
    "i'd",
    "i'll",
    "i'm",
    "i've",
    "me",
    "my",
    "mine",
    "we",
    "we'd",
    "we'll",
    "us",
    "our",
    "you",
    "your",
    "you're",
    "he",
    "she",
    "him",
    "her",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "am",
    "do",
    "does",
    "did",
    "done",
    "have",
    "has",
    "had",
    "having",
    "will",
    "would",
    "shall",
    "should",
    "can",
    "could",
    "may",
    "might",
    "must",
    "want",
    "wanted",
    "wants",
    "need",
    "needs",
    "needed",
    "like",
    "love",
    "would like",
    "get",
    "gets",
    "getting",
    "got",
    "give",
    "gimme",
    "take",
    "takes",
    "order",
    "ordering",
    "ordered",
    "place",
    "put",
    "add",
    "added",
    "make",
    "made",
    "try",
    "go",
    "going",
    "gonna",
    "wanna",
    "let",
    "let's",
    "lets",
    "see",
    "please",
    "thanks",
    "thank",
    "thank you",
    "hi",
    "hello",
    "hey",
    "good",
    "morning",
    "afternoon",
    "evening",
    "how",
    "what",
    "which",
    "who",
    "whom",
    "whose",
    "where",
    "when",
    "why",
    "if",
    "about",
    "um",
    "uh",
    "umm",
    "uhh",
    "er",
    "erm",
    "hmm",
    "mm",
    "oh",
    "ah",
    "like",
    "you know",
    "i mean",
    "kind",
    "sort",
    "kinda",
    "sorta",
    "maybe",
    "perhaps",
    "really",
    "very",
    "definitely",
    "absolutely",
    "certainly",
    "prefer",
    "wish",
    "today",
    "tonight",
    "now",
    "again",
    "said",
    "calling",
    "say",
    "says",
    "either",
    "not",
    "no",
    "don't",
    "dont",
    "do not",
    "yes",
    "yeah",
    "topped",
    "top",
    "filled",
    "fill",
    "filling",
    "fillings",
    "topping",
    "toppings",
    "side",
    "sides",
    "inside",
    "drink",
    "drinks",
    "order",
    "orders",
    "same",
    "way",
    "thing",
    "things",
    "stuff",
    "something",
    "anything",
    "everything",
    "nothing",
    "okay",
    "ok",
    "alright",
    "right",
    "sure",
    "favor",
    "help",
    "hungry",
    "lunch",
    "dinner",
    "tonight",
    "rush",
    "new",
    "quick",
    "quickly",
    "first",
    "second",
    "last",
    "next",
    "time",
    "also",
    "able",
    "available",
    "would",
    "love",
    "start",
    "begin",
    "begins",
    "need",
    "be",
    "there",
    "have",
    "having",
    "has",
    "though",
    "though",
];

/// Words that make an item a set of other dishes ("#2 Sando Combo", "Combo (beef + char
/// sausage)"): a caller who wants the set says the word, so a dish named without it is the
/// single dish beside it.
pub const COMBO_WORDS: &[&str] = &["combo"];

/// Heat said against a spice scale rather than by a level's name: the hottest level ("very
/// spicy", "extra hot") and the mildest ("not spicy", "not too spicy", "no spice").
pub const HOTTEST: &[&[&str]] = &[
    &["very", "spicy"],
    &["extra", "spicy"],
    &["very", "hot"],
    &["extra", "hot"],
];
pub const MILDEST: &[&[&str]] = &[
    &["not", "too", "spicy"],
    &["not", "very", "spicy"],
    &["not", "spicy"],
    &["not", "hot"],
    &["no", "spice"],
];
/// A word of a level's name that marks a group as a heat scale.
pub const MILD_WORDS: &[&str] = &["mild"];

/// Words that mark the plain member of a family of items ("Buttermilk Pancakes" among
/// pancakes, "Drip Coffee" beside "Iced Coffee", "Classic Burger"): said without them, the
/// family name means that member.
pub const PLAIN_WORDS: &[&str] = &[
    "classic",
    "regular",
    "original",
    "plain",
    "traditional",
    "house",
    "basic",
    "standard",
    "simple",
    "drip",
    "hot",
    "buttermilk",
    "old",
    "fashioned",
    "signature",
    "our",
];

/// Plain words that mark a member as the house's own version of the family's name ("Classic
/// Burger", "Raclette Classique", "Original Glazed"): the name said alone means it even among
/// three or more members, where a plain member like "Plain Naan" beside garlic and cheese naan
/// is asked about.
pub const HOUSE_VERSION_WORDS: &[&str] = &["classic", "original", "traditional", "signature"];

/// Joining words of the languages dishes are named in that say what a dish is served in or with
/// ("Ćevapi u Somunu", "Chili con Carne", "Poulet au Riz"): a name that is a dish's name and
/// then one of them is that dish. English "with"/"in" are left out: "Chicken in Garlic Sauce"
/// beside "Chicken Fried Rice" is one of two chicken dishes, not the chicken.
pub const SERVED_WITH_WORDS: &[&str] = &["u", "sa", "con", "au", "aux", "avec", "mit"];

/// Words that mark the plain base of a family that takes additions ("Cheese Pie", "Cheese
/// Slice"): additions ordered with no item named ("a large with pepperoni") go on it. Not plain
/// words: "a quesadilla" beside Cheese and Chicken Quesadilla is still asked about.
pub const PLAIN_BASE_WORDS: &[&str] = &["cheese"];

/// Words that point at a thing already said ("one of those with vanilla", "two of them"): the
/// line is of that thing, not a new one of the plain member.
pub const POINTING_WORDS: &[&str] = &["those", "that", "them", "these", "this", "it", "same"];

/// Words of a group's name that say it is a choice, not what it is of ("Sugar Level").
pub const GROUP_NAME_FILLERS: &[&str] = &[
    "level", "levels", "choice", "choices", "option", "options", "amount", "pick", "your",
];

/// Words a caller says for the large size ("a big bowl of tonkotsu", "curry goat, the big
/// one"): forms of every size named large (`names::is_large_size`); not right before a word
/// that counts orders ("i need a big order for pickup" says no size).
pub const BIG_WORDS: &[&str] = &["big", "bigger", "biggest"];

/// Words that count orders, not pieces ("two orders of egg tarts", "an order of six").
pub const ORDER_WORDS: &[&str] = &[
    "order", "orders", "plate", "plates", "serving", "servings", "portion", "portions",
];

/// Words that count pieces ("four pieces of nigiri"), as normalised.
pub const PIECE_WORDS: &[&str] = &["piece", "pieces", "pc", "pcs"];
