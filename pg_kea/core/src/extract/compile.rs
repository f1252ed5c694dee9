//! Menu compilation: every surface form of the menu and of the grammar into one trie, plus the
//! item/group relations the line builder needs. Runs once per menu version.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::sync::OnceLock;

use super::fuzzy::FuzzyIndex;
use super::lexicon;
use super::matcher::{surface_hash, Meaning, Sense, Trie, Vocab};
use super::names;
use super::normalise::{normalise, phrase_stems};
use super::types::Qualifier;
use crate::menu::Menu;

/// Confidence of a partial alias that ends where the alias ends, i.e. keeps its head noun
/// ("tomato salsa" for "fresh tomato salsa").
pub const PARTIAL_CONFIDENCE: f32 = 0.85;
/// Confidence of a partial alias without the head ("corn" for "corn salsa"): also a cue that
/// the word may just describe the next menu word ("grilled chicken").
pub const PARTIAL_MODIFIER_CONFIDENCE: f32 = 0.8;

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Tables {
    pub vocab: Vocab,
    pub trie: Trie,
    pub fuzzy: FuzzyIndex,
    /// Clipped forms of menu words ("guac" -> guacamole, "marg" -> margherita): a prefix of
    /// four letters or more that leaves three or more out, kept only where one word has it.
    pub clips: HashMap<String, u32>,
    /// Indexed by word id: a grammar/function word (never unmatched, never fuzzed).
    pub function: Vec<bool>,
    /// Indexed by word id: the word occurs in some menu alias.
    pub content: Vec<bool>,
    /// Items that use each group.
    pub group_items: Vec<Vec<u32>>,
    /// Items of each category (by `Menu::categories` index).
    pub category_items: Vec<Vec<u32>>,
    /// Per item: the word ids of its name and aliases in all their spoken forms.
    pub item_words: Vec<Vec<u32>>,
    /// Per item: (variation, count) of the sizes whose names are a count ("10 pc").
    pub size_counts: Vec<Vec<(u32, u32)>>,
    /// Word ids of "or"/"nor" (negation carries over them).
    pub or_words: Vec<u32>,
    /// Per group: the word its name ends on, brackets and choice words left out ("Salsa (pick
    /// 2)" -> salsa, "Karaage Sauce" -> sauce), or `NO_WORD` (`lines/group_default.rs`).
    pub group_heads: Vec<u32>,
    /// Head pieces of options hidden by a full name of an option of another group ("cheese"
    /// of "Mozz Cheese" beside another item's "Cheese"), by word ids: read only for a line
    /// whose item takes none of the full name's options (`lines/matched.rs`).
    pub hidden_pieces: HashMap<Vec<u32>, Vec<(u32, u32)>>,
    /// Per group, per option: the word ids of its name and aliases in all their spoken forms.
    pub option_words: Vec<Vec<Vec<u32>>>,
    /// Per group, per option: the (item, variation) its name is a size of and the start of
    /// that item's name ("1/2 Caesar": `Caesar Salad` in `Half`; `lines/sized_option.rs`).
    /// Read whenever an option is heard on a line with no item, so found once here.
    pub sized_items: Vec<Vec<Option<(u32, u32)>>>,
}

fn ids(vocab: &mut Vocab, phrase: &str) -> Vec<u32> {
    match grammar_stems().get(phrase) {
        Some(stems) => stems.iter().map(|s| vocab.intern(s)).collect(),
        None => phrase_stems(phrase)
            .iter()
            .map(|s| vocab.intern(s))
            .collect(),
    }
}

/// The stems of the grammar's phrases (the same in every menu), worked out once per process:
/// at every compilation they were a tenth of its CPU. `phrase_stems` is a pure function of the
/// text, so the ids are the same.
fn grammar_stems() -> &'static HashMap<&'static str, Vec<String>> {
    static STEMS: OnceLock<HashMap<&'static str, Vec<String>>> = OnceLock::new();
    STEMS.get_or_init(|| {
        let phrases = (lexicon::NUMBERS.iter().map(|(p, _)| *p))
            .chain(lexicon::compound_numbers().iter().map(|(p, _)| p.as_str()))
            .chain(lexicon::QUALIFIERS.iter().map(|(p, _)| *p))
            .chain(lexicon::NEGATIONS.iter().copied())
            .chain(lexicon::CUES.iter().map(|(p, _)| *p))
            .chain(lexicon::FUNCTION_WORDS.iter().copied());
        phrases.map(|p| (p, phrase_stems(p))).collect()
    })
}

/// Each phrase's spoken forms, and each form's stems, worked out once per compilation. A menu
/// repeats its phrases (every pizza's "Small" and "12 inch") and each is needed three times
/// (the trie, the item's words, the content words): working them out at every use was half of
/// a compilation's CPU (Tony's menu: 7.7 ms, 3.6 with this). Both are pure functions of the
/// text, so the tables are the same.
#[derive(Default)]
struct Memo {
    forms: HashMap<String, Rc<[String]>>,
    stems: HashMap<String, Rc<[String]>>,
}

impl Memo {
    fn spoken_forms(&mut self, phrase: &str) -> Rc<[String]> {
        if let Some(f) = self.forms.get(phrase) {
            return f.clone();
        }
        let f: Rc<[String]> = names::spoken_forms(phrase).into();
        self.forms.insert(phrase.to_string(), f.clone());
        f
    }

    fn stems(&mut self, form: &str) -> Rc<[String]> {
        if let Some(s) = self.stems.get(form) {
            return s.clone();
        }
        let s: Rc<[String]> = phrase_stems(form).into();
        self.stems.insert(form.to_string(), s.clone());
        s
    }

    /// [`ids`] of a form, its stems memoised.
    fn ids(&mut self, vocab: &mut Vocab, form: &str) -> Vec<u32> {
        self.stems(form).iter().map(|s| vocab.intern(s)).collect()
    }
}

fn parse_qualifier(s: &str) -> Option<Qualifier> {
    match s.trim().to_lowercase().as_str() {
        "extra" | "heavy" | "more" => Some(Qualifier::Extra),
        "light" | "less" | "little" => Some(Qualifier::Light),
        "double" | "triple" => Some(Qualifier::Double),
        _ => None,
    }
}

pub fn compile(menu: &Menu) -> Tables {
    let mut t = Tables::default();
    let full = |sense| Meaning {
        sense,
        confidence: 1.0,
        surface: 0,
    };

    // Grammar first, so that menu words shadow nothing and the function-word table is known
    // before partial aliases are derived.
    let mut grammar_words: Vec<u32> = Vec::new();
    let mut add_grammar = |t: &mut Tables, phrase: &str, sense: Sense| {
        let w = ids(&mut t.vocab, phrase);
        grammar_words.extend(&w);
        t.trie.insert(&w, full(sense));
    };
    for &(p, v) in lexicon::NUMBERS {
        let article = lexicon::is_article(p.split(' ').count(), v, p);
        add_grammar(&mut t, p, Sense::Num { value: v, article });
    }
    for (p, v) in lexicon::compound_numbers() {
        add_grammar(
            &mut t,
            p,
            Sense::Num {
                value: *v,
                article: false,
            },
        );
    }
    for n in &menu.lexicon.numbers {
        let first = n.phrase.split_whitespace().next().unwrap_or("");
        let article = lexicon::is_article(n.phrase.split_whitespace().count(), n.value, first);
        add_grammar(
            &mut t,
            &n.phrase,
            Sense::Num {
                value: n.value,
                article,
            },
        );
    }
    for &(p, q) in lexicon::QUALIFIERS {
        add_grammar(&mut t, p, Sense::Qual(q));
    }
    for q in &menu.lexicon.qualifiers {
        if let Some(qq) = parse_qualifier(&q.qualifier) {
            add_grammar(&mut t, &q.phrase, Sense::Qual(qq));
        }
    }
    for p in lexicon::NEGATIONS.iter().copied() {
        add_grammar(&mut t, p, Sense::Neg);
    }
    for p in &menu.lexicon.negations {
        add_grammar(&mut t, p, Sense::Neg);
    }
    for &(p, c) in lexicon::CUES {
        let w = ids(&mut t.vocab, p);
        t.trie.insert(&w, full(Sense::Cue(c)));
    }
    for p in lexicon::FUNCTION_WORDS {
        grammar_words.extend(ids(&mut t.vocab, p));
    }
    t.or_words = vec![t.vocab.intern("or"), t.vocab.intern("nor")];

    // Menu content. Partial aliases are collected and added at the end.
    let mut partial: Partials = HashMap::new();
    let mut memo = Memo::default();
    let native_said = native_option_names(menu);
    // Every item's name outside its brackets, as stems between spaces.
    let outer_names: Vec<String> = menu
        .items
        .iter()
        .map(|i| spaced_stems(&names::outer_name(&i.name)))
        .collect();
    let add_content =
        |t: &mut Tables, partial: &mut Partials, memo: &mut Memo, phrase: &str, sense| {
            // "Sifrina (reina pepiada + amarillo)", "Surf & Turf PB (shrimp + debris)": a list
            // in an item's brackets that starts with another item's name says what is in it;
            // it is no name of this one ("the reina", "a shrimp po-boy"). A list that starts
            // with words of its own ("Lechon Kawali (crispy pork belly + rice)") still names
            // it. (Options are left as they are: "Mixed (rice+egg)" keeps "egg" too vague to
            // read alone.)
            let is_item = matches!(sense, Sense::Item(_));
            let contents =
                names::plus_list(phrase)
                    .filter(|_| is_item)
                    .and_then(|(outer, first)| {
                        let own = spaced_stems(&outer);
                        let first = spaced_stems(&first);
                        outer_names
                            .iter()
                            .any(|o| *o != own && o.contains(&first))
                            .then_some(outer)
                    });
            let phrase = contents.as_deref().unwrap_or(phrase);
            let forms = memo.spoken_forms(phrase);
            // An English form of a name written in another language ("white cheese" of "Queso
            // Blanco") is said whole: its pieces ("cheese") would take words the menu's own
            // English names use.
            let native = if forms.len() > 1 {
                names::native_forms(phrase)
            } else {
                Vec::new()
            };
            for (k, form) in forms.iter().enumerate() {
                let own = k == 0 || native.contains(form);
                // Nor does it take an option name the menu writes in English ("cheese" for
                // "Queso" where Cheese is a topping).
                if !own && native_said.contains(&phrase_stems(form).join(" ")) {
                    continue;
                }
                add_form(t, partial, memo, form, sense, true);
            }
        };

    t.group_items = vec![Vec::new(); menu.groups.len()];
    for (ii, item) in menu.items.iter().enumerate() {
        for g in &item.groups {
            if let Some(gi) = menu.groups.iter().position(|x| &x.code == g) {
                t.group_items[gi].push(ii as u32);
            }
        }
    }
    t.sized_items = (0..menu.groups.len() as u32)
        .map(|g| {
            (0..menu.groups[g as usize].options.len() as u32)
                .map(|o| super::lines::sized_option::sized_item(menu, g, o))
                .collect()
        })
        .collect();
    t.group_heads = menu
        .groups
        .iter()
        .map(|g| {
            let name = g.name.split('(').next().unwrap_or("");
            phrase_stems(name)
                .iter()
                .rfind(|w| !lexicon::GROUP_NAME_FILLERS.contains(&w.as_str()))
                .map(|w| t.vocab.intern(w))
                .filter(|id| !grammar_words.contains(id))
                .unwrap_or(super::matcher::NO_WORD)
        })
        .collect();
    t.category_items = menu
        .categories
        .iter()
        .map(|c| {
            menu.items
                .iter()
                .enumerate()
                .filter(|(_, i)| i.category.as_deref() == Some(c.code.as_str()))
                .map(|(i, _)| i as u32)
                .collect()
        })
        .collect();

    for (gi, g) in menu.groups.iter().enumerate() {
        for (oi, o) in g.options.iter().enumerate() {
            let sense = Sense::Opt {
                group: gi as u32,
                opt: oi as u32,
            };
            // "0%" in a Sugar group: "no", "half", "full" alone say nothing of what they
            // are a share of ("no sesame seeds", "a half" chicken), so the everyday names
            // are said with the group's word ("no sugar", "half sweet"); the number alone
            // keeps its percent ("zero percent"). So too with a gloss in brackets, "0% (no
            // sugar)": "no" alone is the caller's negation ("no cilantro").
            match names::only_percentage(&names::outer_name(&o.name)) {
                Some(v) => {
                    if let Some(gloss) = names::gloss(&o.name) {
                        add_content(&mut t, &mut partial, &mut memo, &gloss, sense);
                    }
                    add_content(
                        &mut t,
                        &mut partial,
                        &mut memo,
                        &format!("{v} percent"),
                        sense,
                    );
                    let of = names::group_noun(&g.name);
                    if !of.is_empty() {
                        add_content(
                            &mut t,
                            &mut partial,
                            &mut memo,
                            &format!("{v}% {of}"),
                            sense,
                        );
                    }
                }
                None => {
                    add_content(&mut t, &mut partial, &mut memo, &o.name, sense);
                    // "Tawar (no sugar)": "two iced teas, unsweetened", "kopi no sugar".
                    for f in names::none_gloss_forms(&o.name) {
                        add_content(&mut t, &mut partial, &mut memo, &f, sense);
                    }
                }
            }
            for a in &o.aliases {
                add_content(&mut t, &mut partial, &mut memo, a, sense);
            }
            // "Makemba +2", a plate's pick of one, beside the side item "Makemba (fried
            // plantain)": what the item's brackets call it names the pick too ("a half chicken
            // with plantains"). Not an optional add-on (a bacon pancake is no pancake with
            // extra bacon), nor a gloss that says only what the group is of ("Malawah (flaky
            // bread)" for a bread pick: "instead of the bread" is not the malawah), nor "(side)".
            let own = spaced_stems(&names::outer_name(&names::without_price_tag(&o.name)));
            let head = t.group_heads[gi];
            for (ii, item) in menu.items.iter().enumerate() {
                if g.min == 0 || outer_names[ii] != own {
                    continue;
                }
                if let Some(gloss) = names::gloss(&item.name) {
                    // "Chips (bag)": the gloss says how it is sold, not what it is ("a bag of
                    // jalapeno chips" is the bag, not a sandwich's chips).
                    let packaging = gloss.split_whitespace().all(|w| PACKAGING.contains(&w));
                    if gloss != "side" && !packaging && !ids(&mut t.vocab, &gloss).contains(&head) {
                        add_content(&mut t, &mut partial, &mut memo, &gloss, sense);
                    }
                }
            }
        }
        // A marker made of one function word ("on", "of", "by") says too little to steer.
        let weak = |p: &str| p.split_whitespace().count() < 2;
        for p in &g.prefixes {
            if !weak(p) {
                let w = ids(&mut t.vocab, p);
                t.trie.insert(&w, full(Sense::Prefix(gi as u32)));
            }
        }
        for p in &g.suffixes {
            let w = ids(&mut t.vocab, p);
            let is_function = w.len() == 1 && grammar_words.contains(&w[0]);
            if !is_function {
                t.trie.insert(&w, full(Sense::Suffix(gi as u32)));
            }
        }
    }
    let says_side = |n: &String| {
        n.to_lowercase()
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|w| w == "side")
    };
    let side_names = menu
        .items
        .iter()
        .flat_map(|i| {
            std::iter::once(&i.name)
                .chain(&i.aliases)
                .chain(i.variations.iter().map(|v| &v.name))
        })
        .chain(menu.groups.iter().flat_map(|g| {
            g.options
                .iter()
                .flat_map(|o| std::iter::once(&o.name).chain(&o.aliases))
        }))
        .filter(|n| says_side(n))
        .count();
    let says_plainly = super::plain_sizes::menu_says_plainly(&menu.items);
    for (ii, item) in menu.items.iter().enumerate() {
        let sense = Sense::Item(ii as u32);
        let mut names = vec![item.name.clone()];
        names.extend(item.aliases.iter().cloned());
        for n in names {
            // "side of chips" for an item whose group has prefix "side of" and option "chips"
            // is read as that option, which says more than the item name.
            let w = ids(&mut t.vocab, &n);
            if is_prefixed_option(&t, menu, ii, &w) {
                continue;
            }
            // "Chkn Rice (side)" beside "Hainanese Chkn Rice": the side portion of the one
            // dish whose name ends in its name. A bare "chicken rice" is that dish; the side
            // is said as one ("a side of chicken rice", "a side rice").
            let outer = names::outer_name(&n);
            let own = spaced_stems(&outer);
            let mut dishes = outer_names
                .iter()
                .enumerate()
                .filter(|(_, o)| **o != own && o.ends_with(&own));
            let dish = match (dishes.next(), dishes.next()) {
                (Some((di, _)), None) if names::gloss(&n).is_some_and(|g| g == "side") => Some(di),
                _ => None,
            };
            if let Some(di) = dish {
                add_content(&mut t, &mut partial, &mut memo, "side", sense);
                for f in memo.spoken_forms(&outer).to_vec() {
                    add_form(
                        &mut t,
                        &mut partial,
                        &mut memo,
                        &f,
                        Sense::Item(di as u32),
                        false,
                    );
                    for said in [
                        format!("side {f}"),
                        format!("side of {f}"),
                        format!("{f} side"),
                    ] {
                        add_form(&mut t, &mut partial, &mut memo, &said, sense, false);
                    }
                }
                continue;
            }
            // "Sautéed Mushrooms (side)" beside "Side House Salad", a caesar's "Side": a gloss
            // that only says the item is a side names nothing alone where other names say
            // "side" ("a side salad", "with a side of fries" order no mushrooms); said with the
            // name it still is the item ("a side of chimichurri").
            if side_names > 1 && names::gloss(&n).is_some_and(|g| g == "side") {
                add_content(&mut t, &mut partial, &mut memo, &outer, sense);
                for f in memo.spoken_forms(&outer).to_vec() {
                    for said in [
                        format!("side {f}"),
                        format!("side of {f}"),
                        format!("{f} side"),
                    ] {
                        add_form(&mut t, &mut partial, &mut memo, &said, sense, false);
                    }
                }
                continue;
            }
            add_content(&mut t, &mut partial, &mut memo, &n, sense);
        }
        for (vi, v) in item.variations.iter().enumerate() {
            let sense = Sense::Var {
                item: ii as u32,
                var: vi as u32,
            };
            add_content(&mut t, &mut partial, &mut memo, &v.name, sense);
            if let Some(apart) = names::measure_apart(&v.name) {
                add_content(&mut t, &mut partial, &mut memo, &apart, sense);
            }
            // "a big bowl", "the big one": callers' words for the large size.
            if names::is_large_size(&v.name) {
                for w in lexicon::BIG_WORDS {
                    add_content(&mut t, &mut partial, &mut memo, w, sense);
                }
            }
            // A code that only says one ("one" for "1 pc") names no size: callers say "one"
            // for the count of anything ("a honey cake, the small one" ordered no single bread).
            let code = v.code.replace('_', " ");
            if !names::is_count_of_one(&code) {
                add_content(&mut t, &mut partial, &mut memo, &code, sense);
            }
            for a in &v.aliases {
                add_content(&mut t, &mut partial, &mut memo, a, sense);
            }
        }
        for (vi, w) in super::plain_sizes::plain_size_words(item, says_plainly) {
            let sense = Sense::Var {
                item: ii as u32,
                var: vi as u32,
            };
            let w_ids = memo.ids(&mut t.vocab, w);
            t.trie.insert(
                &w_ids,
                Meaning {
                    sense,
                    confidence: super::plain_sizes::PLAIN_SIZE_CONFIDENCE,
                    surface: surface_hash(&normalise(w).0),
                },
            );
        }
    }
    t.size_counts = menu
        .items
        .iter()
        .map(|item| {
            let counted: Vec<(u32, u32)> = item
                .variations
                .iter()
                .enumerate()
                .filter_map(|(vi, v)| names::size_count(&v.name).map(|n| (vi as u32, n)))
                .collect();
            if counted.is_empty() {
                names::counts_in_own_unit(&item.variations)
            } else {
                counted
            }
        })
        .collect();
    for item in &menu.items {
        let mut words: Vec<u32> = Vec::new();
        for n in std::iter::once(&item.name).chain(item.aliases.iter()) {
            for f in memo.spoken_forms(n).iter() {
                words.extend(memo.ids(&mut t.vocab, f));
            }
        }
        words.sort_unstable();
        words.dedup();
        t.item_words.push(words);
    }
    for g in &menu.groups {
        let mut per_option = Vec::with_capacity(g.options.len());
        for o in &g.options {
            let mut words: Vec<u32> = Vec::new();
            for n in std::iter::once(&o.name).chain(o.aliases.iter()) {
                for f in memo.spoken_forms(n).iter() {
                    words.extend(memo.ids(&mut t.vocab, f));
                }
            }
            words.sort_unstable();
            words.dedup();
            per_option.push(words);
        }
        t.option_words.push(per_option);
    }
    // "oj" for Orange Juice: initials of an item's name, where they are no word of their own.
    for (ii, item) in menu.items.iter().enumerate() {
        let known = |w: &str| t.vocab.get(w) != super::matcher::NO_WORD || w.len() < 2;
        if let Some(ini) = names::initials(&item.name, known) {
            let w = ids(&mut t.vocab, &ini);
            t.trie.insert(
                &w,
                Meaning {
                    sense: Sense::Item(ii as u32),
                    confidence: PARTIAL_CONFIDENCE,
                    surface: 0,
                },
            );
        }
    }
    for (ci, c) in menu.categories.iter().enumerate() {
        let sense = Sense::Category(ci as u32);
        add_content(&mut t, &mut partial, &mut memo, &c.name, sense);
        for a in &c.aliases {
            add_content(&mut t, &mut partial, &mut memo, a, sense);
        }
    }

    for g in &menu.groups {
        ids(&mut t.vocab, &g.name);
    }
    let n = t.vocab.words.len();
    t.function = vec![false; n];
    for &w in &grammar_words {
        t.function[w as usize] = true;
    }

    // Partial aliases: a piece of a longer alias that is not itself a full alias and starts
    // and ends on a content word. A piece that fits several things keeps them all ("chicken"
    // of "Grilled Chicken" and of "Chicken Quesadilla"): the line builder chooses by context,
    // or leaves the choice to the dialog.
    let combos = combination_options(menu);
    let mut parts: Vec<_> = partial.into_iter().collect();
    parts.sort_by(|a, b| a.0.cmp(&b.0));
    for (words, senses) in parts {
        let leading_number = senses.iter().any(|s| s.2);
        let edge_ok = |w: u32| !t.function[w as usize] && !t.vocab.words[w as usize].is_empty();
        if !(edge_ok(words[0]) || leading_number) || !edge_ok(words[words.len() - 1]) {
            continue;
        }
        // A number alone ("two" of "2% Milk", "10" of "10 pc") is a count, never a piece.
        if words.iter().all(|w| {
            let word = &t.vocab.words[*w as usize];
            word.chars().all(|c| c.is_ascii_digit()) || lexicon::number_value(word).is_some()
        }) {
            continue;
        }
        // A full alias wins over any piece; a category word does not, since the piece is more
        // precise ("milk tea" of five names is narrower than the Milk Tea category).
        let full = t.trie.get(&words);
        if full.iter().any(|m| !matches!(m.sense, Sense::Category(_))) {
            let full_groups: Vec<u32> = full
                .iter()
                .filter_map(|m| match m.sense {
                    Sense::Opt { group, .. } => Some(group),
                    _ => None,
                })
                .collect();
            let full_opts_only = full.iter().all(|m| matches!(m.sense, Sense::Opt { .. }));
            let hidden: Vec<(u32, u32)> = senses
                .iter()
                .filter_map(|(s, head, _)| match *s {
                    Sense::Opt { group, opt } if *head && !full_groups.contains(&group) => {
                        Some((group, opt))
                    }
                    _ => None,
                })
                .collect();
            if full_opts_only && !hidden.is_empty() {
                t.hidden_pieces.insert(words, hidden);
            }
            continue;
        }
        // An option whose name holds another option's name of its group ("Half & Half (Soy
        // Garlic / Spicy)" beside "Soy Garlic") is a mix of them: a piece it shares with
        // another option of the group names that other one ("spicy" is the spicy sauce).
        let mut senses = senses;
        let single = |s: &Sense| match s {
            Sense::Opt { group, opt } => !combos.contains(&(*group, *opt)),
            _ => true,
        };
        let shared_with_single = |x: &Sense| match x {
            Sense::Opt { group, .. } => senses.iter().any(|(y, _, _)| {
                single(y) && matches!(y, Sense::Opt { group: g, .. } if g == group)
            }),
            _ => false,
        };
        let drop: Vec<bool> = senses
            .iter()
            .map(|(x, _, _)| !single(x) && shared_with_single(x))
            .collect();
        let mut keep = drop.iter().map(|d| !d);
        senses.retain(|_| keep.next().unwrap_or(true));
        // Two options of one group: too vague to be worth a guess ("sauce" of "bbq sauce" and
        // "hot sauce"). Options of different groups are resolved by the line's item.
        let same_group = senses.iter().enumerate().any(|(a, x)| {
            senses[a + 1..].iter().any(|y| match (x.0, y.0) {
                (Sense::Opt { group: g1, .. }, Sense::Opt { group: g2, .. }) => g1 == g2,
                _ => false,
            })
        });
        if same_group {
            continue;
        }
        for (sense, head, _) in senses {
            t.trie.insert(
                &words,
                Meaning {
                    sense,
                    confidence: if head {
                        PARTIAL_CONFIDENCE
                    } else {
                        PARTIAL_MODIFIER_CONFIDENCE
                    },
                    surface: 0,
                },
            );
        }
    }

    // Words of group names ("make the crust thin", "for toppings") are known words: never
    // unmatched, never fuzzed, unless they are also menu words.
    let content_words = collect_content_words(menu, &mut memo);
    for g in &menu.groups {
        for w in phrase_stems(&g.name) {
            let id = t.vocab.get(&w);
            if id != super::matcher::NO_WORD && !content_words.contains(&w) {
                t.function[id as usize] = true;
            }
        }
    }
    t.content = vec![false; n];
    for w in content_words {
        let id = t.vocab.get(&w);
        if id != super::matcher::NO_WORD {
            t.content[id as usize] = true;
            if !t.function[id as usize] {
                t.fuzzy.add(id, &w);
                add_clips(&mut t.clips, id, &w);
            }
        }
    }
    t
}

/// Pieces of aliases: words -> (sense, keeps the head noun, starts with the name's number).
type Partials = HashMap<Vec<u32>, Vec<(Sense, bool, bool)>>;

/// One full form into the trie, and its pieces into `partial`.
fn add_form(
    t: &mut Tables,
    partial: &mut Partials,
    memo: &mut Memo,
    phrase: &str,
    sense: Sense,
    pieces: bool,
) {
    let w = memo.ids(&mut t.vocab, phrase);
    if w.is_empty() {
        return;
    }
    let surface = surface_hash(&normalise(phrase).0);
    t.trie.insert(
        &w,
        Meaning {
            sense,
            confidence: 1.0,
            surface,
        },
    );
    // "all the toppings" names no single topping: no partial aliases from quantifiers.
    if !pieces
        || ["all", "every", "each", "any"]
            .iter()
            .any(|q| t.vocab.get(q) == w[0])
    {
        return;
    }
    let mut add = |piece: Vec<u32>, head: bool, number: bool| {
        let e = partial.entry(piece).or_default();
        match e.iter_mut().find(|x| x.0 == sense) {
            Some(x) => {
                x.1 |= head;
                x.2 |= number;
            }
            None => e.push((sense, head, number)),
        }
    };
    let n = w.len();
    // "Not Spicy", "No Ice", "Sin Arepa": a piece without the negation says the opposite
    // (the caller who says "arepa" wants one); only pieces that keep it stand for the name.
    let negated = matches!(
        t.vocab.words[w[0] as usize].as_str(),
        "not" | "no" | "non" | "without" | "sin"
    );
    for i in 0..if negated { 1 } else { n } {
        for j in i + 1..=n {
            if j - i < n {
                add(w[i..j].to_vec(), j == n, false);
            }
        }
    }
    let first = &t.vocab.words[w[0] as usize];
    // "Two Eggs Any Style": "two eggs" is its name, not a count of eggs.
    if n > 2 && lexicon::number_value(first).is_some() {
        add(w[..2].to_vec(), false, true);
    }
    // "thai tea" for Thai Milk Tea, "passion fruit tea" for Passion Fruit Green Tea: the first
    // and last words kept, inner words dropped.
    if (3..=5).contains(&n) {
        let inner = n - 2;
        // Each mask keeps some inner words; the last mask (all kept) is the name itself.
        for mask in 0u32..(1 << inner) - 1 {
            let mut piece = vec![w[0]];
            piece.extend(
                (0..inner)
                    .filter(|b| mask & (1 << b) != 0)
                    .map(|b| w[b + 1]),
            );
            piece.push(w[n - 1]);
            add(piece, true, false);
        }
    }
}

/// Marks a clip shared by two words: no guess.
const AMBIGUOUS_CLIP: u32 = u32::MAX;

fn add_clips(clips: &mut HashMap<String, u32>, id: u32, word: &str) {
    let chars: Vec<char> = word.chars().collect();
    if chars.len() < 7 || !chars.iter().all(|c| c.is_alphabetic()) {
        return;
    }
    for n in 4..=chars.len() - 3 {
        let clip: String = chars[..n].iter().collect();
        clips
            .entry(clip)
            .and_modify(|e| {
                if *e != id {
                    *e = AMBIGUOUS_CLIP
                }
            })
            .or_insert(id);
    }
}

impl Tables {
    /// The menu word a clipped form stands for, if exactly one.
    pub fn clip(&self, word: &str) -> Option<u32> {
        self.clips
            .get(word)
            .copied()
            .filter(|&id| id != AMBIGUOUS_CLIP)
    }
}

/// A phrase's stems between spaces (" chkn rice "), so that `contains` and `ends_with` match
/// whole words of another name's stems.
fn spaced_stems(phrase: &str) -> String {
    format!(" {} ", phrase_stems(phrase).join(" "))
}

/// Every option name and alias of the menu as written, each form's stems joined by spaces.
fn native_option_names(menu: &Menu) -> HashSet<String> {
    menu.groups
        .iter()
        .flat_map(|g| &g.options)
        .flat_map(|o| std::iter::once(&o.name).chain(&o.aliases))
        .flat_map(|n| names::native_forms(n))
        .map(|f| phrase_stems(&f).join(" "))
        .collect()
}

fn collect_content_words(menu: &Menu, memo: &mut Memo) -> Vec<String> {
    let mut out = Vec::new();
    let mut push = |s: &str| {
        let forms = memo.spoken_forms(s);
        for f in forms.iter() {
            // A name's two words written as one ("vitasoy") is read only as said: as a word to
            // repair or clip towards it would take other words ("tamales" for "Tamal ea").
            let glued = !f.contains(' ')
                && forms
                    .iter()
                    .any(|g| g.split(' ').count() == 2 && g.replace(' ', "") == *f);
            if !glued {
                out.extend(memo.stems(f).iter().cloned());
            }
        }
    };
    for i in &menu.items {
        push(&i.name);
        i.aliases.iter().for_each(|a| push(a));
        for v in &i.variations {
            push(&v.name);
            v.aliases.iter().for_each(|a| push(a));
        }
    }
    for g in &menu.groups {
        for o in &g.options {
            push(&o.name);
            o.aliases.iter().for_each(|a| push(a));
        }
    }
    for c in &menu.categories {
        push(&c.name);
        c.aliases.iter().for_each(|a| push(a));
    }
    out.sort();
    out.dedup();
    out
}

fn is_prefixed_option(t: &Tables, menu: &Menu, item: usize, words: &[u32]) -> bool {
    for g in &menu.items[item].groups {
        let Some(gi) = menu.groups.iter().position(|x| &x.code == g) else {
            continue;
        };
        for p in &menu.groups[gi].prefixes {
            let pw: Vec<u32> = phrase_stems(p).iter().map(|s| t.vocab.get(s)).collect();
            if words.len() > pw.len() && words.starts_with(&pw) {
                let rest = &words[pw.len()..];
                if t.trie
                    .get(rest)
                    .iter()
                    .any(|m| matches!(m.sense, Sense::Opt { group, .. } if group as usize == gi))
                {
                    return true;
                }
            }
        }
    }
    false
}

/// Options (group, option) whose name holds the whole name of another option of their group,
/// word for word: mixes of them ("Half & Half (Soy Garlic / Spicy)").
fn combination_options(menu: &Menu) -> std::collections::HashSet<(u32, u32)> {
    let mut out = std::collections::HashSet::new();
    for (gi, g) in menu.groups.iter().enumerate() {
        let names: Vec<Vec<String>> = g.options.iter().map(|o| phrase_stems(&o.name)).collect();
        for (a, words) in names.iter().enumerate() {
            let holds = names.iter().enumerate().any(|(b, other)| {
                b != a
                    && !other.is_empty()
                    && other.len() < words.len()
                    && words.windows(other.len()).any(|w| w == other.as_slice())
            });
            if holds {
                out.insert((gi as u32, a as u32));
            }
        }
    }
    out
}

/// Words a gloss uses for how an item is sold rather than what it is ("Chips (bag)",
/// "Kinnie (can)").
const PACKAGING: &[&str] = &[
    "bag", "bags", "box", "can", "cans", "bottle", "btl", "cup", "jar", "tub", "pack", "each",
    "ea", "pc", "pcs", "piece", "pieces", "order", "single",
];
