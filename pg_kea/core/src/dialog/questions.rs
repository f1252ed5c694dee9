//! Questions about the menu, answered from the menu document and never taken as an order:
//! "do you have horchata?", "how much is the california burrito?", "what comes on the nachos?",
//! "what toppings do you have?", "what desserts do you have?". Something the menu lacks is
//! said to be missing, with the closest real items, never swapped for an item sharing a word.

use super::state::Phase;
use super::{asks_for_something, speech, Turn, MAX_MISSES};
use crate::extract::{Extraction, Intent};
use crate::menu::Item;
use crate::twiml::Next;

/// What a question about one item wants to know.
#[derive(Clone, Copy, PartialEq)]
enum Asked {
    Price,
    /// What comes on it, what can be chosen or added.
    Contents,
    /// Whether there is one ("do you have...").
    Availability,
}

/// Cues of a question whether something is on the menu, besides the ordering cues of
/// `asks_for_something`.
const AVAILABILITY_CUES: [&str; 6] = [
    "is there",
    "are there",
    "do you sell",
    "do you make",
    "have you got",
    "got any",
];

fn has_cue(text: &str, cues: &[&str]) -> bool {
    let t = text.to_lowercase();
    cues.iter().any(|c| t.contains(c))
}

/// "What's popular?", "which one is good?": a question, whatever its words.
pub(super) fn is_wh_question(text: &str) -> bool {
    let t = text.trim_start().to_lowercase();
    let first = t
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .find(|w| {
            !w.is_empty() && !matches!(*w, "um" | "uh" | "so" | "and" | "okay" | "ok" | "hmm")
        })
        .unwrap_or("");
    matches!(
        first,
        "what" | "what's" | "whats" | "which" | "how" | "how's" | "anything"
    )
}

/// Whether a size is named in `text`: its name, its name without what is in brackets ("Large
/// (20 oz)" -> "large"), or an alias.
fn size_named(text: &str, name: &str, aliases: &[String]) -> bool {
    let t = format!(" {} ", text.to_lowercase());
    let name = name.to_lowercase();
    let bare = name.split('(').next().unwrap_or("").trim().to_string();
    std::iter::once(name)
        .chain(std::iter::once(bare))
        .chain(aliases.iter().map(|a| a.to_lowercase()))
        .any(|n| !n.is_empty() && t.contains(&format!(" {n} ")))
}

fn asked(text: &str) -> Asked {
    let t = format!(" {} ", text.to_lowercase());
    let any = |cues: &[&str]| cues.iter().any(|c| t.contains(c));
    if any(&["how much", " price", " cost"]) {
        Asked::Price
    } else if any(&[
        "what comes",
        "come with",
        "comes with",
        "come on",
        "comes on",
        "what's in",
        "what is in",
        "what's on",
        "what is on",
        "what goes",
        "what kind",
        " options",
        " choices",
        "made with",
    ]) {
        Asked::Contents
    } else {
        Asked::Availability
    }
}

impl Turn<'_> {
    /// "Do you have wings?" / "what pizzas do you have?" / "can I get lasagna": answered from
    /// the menu. Words it could not place are only called an unknown item when the caller was
    /// asking for something; otherwise they are noise and the turn is a miss.
    pub(super) fn menu_answer(&mut self, text: &str, ex: &Extraction) -> Option<(String, Next)> {
        let question = ex.intents.iter().find_map(|i| match i {
            Intent::MenuQuestion { about } => Some(about.clone()),
            _ => None,
        });
        let unknown: Vec<String> = ex
            .unmatched
            .iter()
            .map(|s| s.text.clone())
            .filter(|t| !t.is_empty())
            .collect();
        let menu = &self.menu.menu;
        if let Some(Some(code)) = &question {
            if let Some(item) = menu.item(code) {
                let item = item.clone();
                return Some(self.about_item(text, &item));
            }
            return self.list_category(code);
        }
        // Something asked for by name that the menu lacks: "do you have lamb biryani", "can I
        // get a tamale", "how much is the veggie burger".
        let asks_for = asks_for_something(text)
            || has_cue(text, &AVAILABILITY_CUES)
            || (question.is_some() && asked(text) != Asked::Availability);
        if !unknown.is_empty() && asks_for {
            return Some(self.missing(&unknown.join(" ")));
        }
        // Any other question ("what toppings do you have", "what desserts do you have", "what
        // do you recommend", "what's popular"): the group, the category, or what there is.
        if question.is_some() || is_wh_question(text) {
            if let Some(reply) = self.list_group(text) {
                return Some(reply);
            }
            if let Some(code) = self.category_named(text) {
                return self.list_category(&code);
            }
            let names: Vec<String> = menu
                .categories
                .iter()
                .map(|c| c.name.to_lowercase())
                .collect();
            if names.is_empty() {
                return None;
            }
            self.notes.push("answered menu question".into());
            let say = format!("We have {}. {}", speech::list(&names), self.then_what());
            return Some(self.ask(say));
        }
        None
    }

    /// "Sorry, we don't have lamb biryani. We have Lamb Vindaloo and Chicken Biryani."
    fn missing(&mut self, asked: &str) -> (String, Next) {
        let menu = &self.menu.menu;
        let suggestions: Vec<String> = self
            .menu
            .suggest(asked, 2)
            .iter()
            .filter_map(|c| menu.item(c))
            .map(|i| i.name.clone())
            .collect();
        self.state.misses += 1;
        self.notes.push(format!("unknown item: {asked}"));
        if self.state.misses >= MAX_MISSES {
            return self.transfer("not_understood");
        }
        let offer = if suggestions.is_empty() {
            String::new()
        } else {
            format!(" We have {}.", speech::list(&suggestions))
        };
        let say = format!("Sorry, we don't have {asked}.{offer} What would you like?");
        self.ask(say)
    }

    /// A question about one item: its price (per size), what comes on it and can be chosen,
    /// or whether there is one; then "would you like one?", and "a small one" or "yes" next
    /// orders it.
    fn about_item(&mut self, text: &str, item: &Item) -> (String, Next) {
        self.notes
            .push(format!("answered question about {}", item.code));
        if !item.available {
            let alternatives = self.alternatives(&item.name);
            let say = format!(
                "Sorry, we're out of the {} today.{alternatives} {}",
                item.name,
                self.then_what()
            );
            return self.ask(say);
        }
        let kind = asked(text);
        let price = self.price_text(text, item);
        let mut say = match kind {
            Asked::Availability => format!("Yes, we have the {}: {price}.", item.name),
            _ => format!("The {} is {price}.", item.name),
        };
        if kind == Asked::Contents {
            let contents = self.contents_text(item);
            if !contents.is_empty() {
                say.push(' ');
                say.push_str(&contents);
            }
        }
        say.push(' ');
        if matches!(
            self.state.phase,
            Phase::Ordering | Phase::AnythingElse | Phase::Greeting
        ) {
            say.push_str("Would you like one?");
            self.state.offered = Some(item.code.clone());
            let sizes: Vec<_> = item
                .variations
                .iter()
                .filter(|v| v.available && size_named(text, &v.name, &v.aliases))
                .collect();
            if let [one] = sizes.as_slice() {
                self.state.offered_size = Some(one.code.clone());
            }
        } else {
            say.push_str(&self.reprompt());
        }
        self.ask(say)
    }

    /// "$12.50"; "$3.50 for a small or $4.95 for a large"; only the size asked about when one
    /// was named ("how much is a large matcha latte": "$6.95 for a large").
    fn price_text(&self, text: &str, item: &Item) -> String {
        let sizes: Vec<_> = item.variations.iter().filter(|v| v.available).collect();
        if sizes.is_empty() {
            return speech::money(item.price_cents);
        }
        let named: Vec<_> = sizes
            .iter()
            .copied()
            .filter(|v| size_named(text, &v.name, &v.aliases))
            .collect();
        let quoted = if named.is_empty() { sizes } else { named };
        let shown: Vec<String> = quoted
            .iter()
            .map(|v| {
                format!(
                    "{} for a {}",
                    speech::money(v.price_cents),
                    v.name.to_lowercase()
                )
            })
            .collect();
        speech::list_with(&shown, "or")
    }

    /// What comes on an item and what the caller can choose: "It comes in regular or grande.
    /// It comes with onion & cilantro. You choose the protein: ... You can add toppings: ...".
    fn contents_text(&self, item: &Item) -> String {
        let menu = &self.menu.menu;
        let mut parts = Vec::new();
        let sizes: Vec<String> = item
            .variations
            .iter()
            .filter(|v| v.available)
            .map(|v| v.name.to_lowercase())
            .collect();
        if sizes.len() > 1 {
            parts.push(format!("It comes in {}.", speech::list_with(&sizes, "or")));
        }
        let defaults: Vec<String> = item
            .groups
            .iter()
            .filter_map(|g| menu.group(g))
            .flat_map(|g| g.options.iter().filter(|o| o.default && o.available))
            .map(|o| o.name.to_lowercase())
            .collect();
        if !defaults.is_empty() {
            parts.push(format!("It comes with {}.", speech::list(&defaults)));
        }
        for g in item.groups.iter().filter_map(|g| menu.group(g)) {
            let options: Vec<String> = g
                .options
                .iter()
                .filter(|o| o.available && !o.default)
                .map(|o| o.name.to_lowercase())
                .collect();
            if options.is_empty() {
                continue;
            }
            let gname = g.name.to_lowercase();
            if g.min > 0 {
                parts.push(format!(
                    "You choose the {gname}: {}.",
                    speech::list_with(&options, "or")
                ));
            } else if gname.starts_with("add") || gname.starts_with("extra") {
                parts.push(format!("You can add {}.", speech::list(&options)));
            } else {
                parts.push(format!("You can add {gname}: {}.", speech::list(&options)));
            }
        }
        parts.join(" ")
    }

    /// The items of a category ("what desserts do you have").
    fn list_category(&mut self, code: &str) -> Option<(String, Next)> {
        let names: Vec<String> = self
            .menu
            .menu
            .items
            .iter()
            .filter(|i| i.available && i.category.as_deref() == Some(code))
            .map(|i| i.name.clone())
            .collect();
        if names.is_empty() {
            return None;
        }
        self.notes.push("answered menu question".into());
        let say = format!("We have {}. {}", speech::list(&names), self.then_what());
        Some(self.ask(say))
    }

    /// The options of a modifier group named in the question ("what toppings do you have",
    /// "which flavors are there"): of the line being talked about when it has such a group.
    fn list_group(&mut self, text: &str) -> Option<(String, Next)> {
        let menu = &self.menu.menu;
        let t = format!(" {} ", text.to_lowercase());
        let named = |name: &str| {
            let n = name.to_lowercase();
            [
                n.clone(),
                format!("{n}s"),
                n.trim_end_matches(" level").to_string(),
            ]
            .iter()
            .any(|f| !f.is_empty() && t.contains(&format!(" {f} ")))
        };
        let focus_groups: Vec<String> = self
            .state
            .focus
            .and_then(|i| self.state.cart.get(i))
            .and_then(|l| menu.item(&l.item))
            .map(|i| i.groups.clone())
            .unwrap_or_default();
        let mut groups: Vec<_> = menu.groups.iter().filter(|g| named(&g.name)).collect();
        groups.sort_by_key(|g| !focus_groups.contains(&g.code));
        let g = groups.first()?;
        let options: Vec<String> = g
            .options
            .iter()
            .filter(|o| o.available)
            .map(|o| o.name.to_lowercase())
            .collect();
        if options.is_empty() {
            return None;
        }
        self.notes.push(format!("listed {}", g.code));
        let say = format!(
            "For {} we have {}. {}",
            g.name.to_lowercase(),
            speech::list(&options),
            self.then_what()
        );
        Some(self.ask(say))
    }

    /// What to ask after an answer: the question of the phase, or "what would you like?".
    fn then_what(&self) -> String {
        match self.state.phase {
            Phase::Ordering | Phase::AnythingElse | Phase::Greeting => {
                "What would you like?".into()
            }
            _ => self.reprompt(),
        }
    }

    /// The code of a menu category whose name or alias is in `text`.
    pub(super) fn category_named(&self, text: &str) -> Option<String> {
        let t = format!(" {} ", text.to_lowercase());
        self.menu.menu.categories.iter().find_map(|c| {
            std::iter::once(c.name.to_lowercase())
                .chain(c.aliases.iter().cloned())
                .any(|a| t.contains(&format!(" {a} ")))
                .then(|| c.code.clone())
        })
    }
}
