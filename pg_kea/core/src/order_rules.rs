//! The menu's rules for an order line, checked wherever a line is made or changed outside the
//! dialog: an agent's edit, and the database's last check before an order counts as submitted
//! (`kea.validate_lines`, see docs/workflow.md). A line breaks a rule when it names something
//! the menu lacks or has sold out, misses a required size or choice, or has too many options of
//! a group. The dialog asks for what is missing instead; this is the safety net behind it.

use serde::{Deserialize, Serialize};

use crate::dialog::CartLine;
use crate::extract::{ModMention, Qualifier};
use crate::menu::{Item, Menu, ModifierGroup};

/// The largest quantity of one line an agent may enter (a typo guard, not a menu rule).
pub const MAX_QUANTITY: u32 = 999;

/// A line as stored or edited: the cart's shape, every field optional but the item, so that
/// stored order lines (`app.order_lines` as JSON) and agent edits both read as they are.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RuleLine {
    #[serde(alias = "item_code")]
    pub item: String,
    #[serde(default, alias = "variation_code")]
    pub variation: Option<String>,
    #[serde(default = "one")]
    pub quantity: i64,
    #[serde(default)]
    pub modifiers: Vec<RuleModifier>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RuleModifier {
    pub group: String,
    pub option: String,
    #[serde(default)]
    pub qualifier: Option<Qualifier>,
    #[serde(default)]
    pub negated: bool,
    #[serde(default)]
    pub quantity: Option<u32>,
}

fn one() -> i64 {
    1
}

/// One broken rule: which line (0-based, in the order given), a stable code, and a sentence
/// an agent can act on.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Problem {
    pub line: usize,
    pub code: &'static str,
    pub message: String,
    /// The modifier group and option the rule is about, for the dialog's repairs (not part of
    /// `kea.validate_lines`' answer).
    #[serde(skip)]
    pub group: Option<String>,
    #[serde(skip)]
    pub option: Option<String>,
}

impl From<&CartLine> for RuleLine {
    /// The dialog's cart line, checked by the same rules as a stored one.
    fn from(line: &CartLine) -> Self {
        RuleLine {
            item: line.item.clone(),
            variation: line.variation.clone(),
            quantity: i64::from(line.quantity),
            modifiers: line
                .modifiers
                .iter()
                .map(|m| RuleModifier {
                    group: m.group.clone(),
                    option: m.option.clone(),
                    qualifier: m.qualifier,
                    negated: m.negated,
                    quantity: m.quantity,
                })
                .collect(),
        }
    }
}

impl RuleLine {
    /// The cart line pricing takes (`dialog::price_order`).
    pub fn to_cart(&self) -> CartLine {
        CartLine {
            item: self.item.clone(),
            variation: self.variation.clone(),
            quantity: u32::try_from(self.quantity.clamp(0, i64::from(MAX_QUANTITY))).unwrap_or(0),
            modifiers: self
                .modifiers
                .iter()
                .map(|m| ModMention {
                    group: m.group.clone(),
                    option: m.option.clone(),
                    qualifier: m.qualifier,
                    negated: m.negated,
                    confidence: 1.0,
                    quantity: m.quantity,
                })
                .collect(),
        }
    }
}

/// Every rule the lines break, in line order; empty when all of them are complete and valid.
pub fn validate(menu: &Menu, lines: &[RuleLine]) -> Vec<Problem> {
    lines
        .iter()
        .enumerate()
        .flat_map(|(idx, line)| validate_line(menu, idx, line))
        .collect()
}

/// The dialog's cart, by the same rules: what a read-back or a submit may not carry.
pub fn validate_cart(menu: &Menu, cart: &[CartLine]) -> Vec<Problem> {
    cart.iter()
        .enumerate()
        .flat_map(|(idx, line)| validate_line(menu, idx, &RuleLine::from(line)))
        .collect()
}

/// Every rule one line breaks; `idx` is its position, for the problems' `line`.
pub fn validate_line(menu: &Menu, idx: usize, line: &RuleLine) -> Vec<Problem> {
    let mut problems = Vec::new();
    {
        let mut bad = |code: &'static str, message: String, about: About| {
            problems.push(Problem {
                line: idx,
                code,
                message,
                group: about.0.map(str::to_string),
                option: about.1.map(str::to_string),
            })
        };
        if line.quantity < 1 || line.quantity > i64::from(MAX_QUANTITY) {
            bad(
                "bad_quantity",
                format!("quantity must be 1 to {MAX_QUANTITY}"),
                NOTHING,
            );
        }
        let Some(item) = menu.item(&line.item) else {
            bad(
                "unknown_item",
                format!("the menu has no item {:?}", line.item),
                NOTHING,
            );
            return problems;
        };
        if !item.available {
            bad(
                "item_sold_out",
                format!("{} is sold out", item.name),
                NOTHING,
            );
        }
        check_variation(item, line, &mut bad);
        check_groups(menu, item, line, &mut bad);
    }
    problems
}

/// What a problem is about: a modifier group, and an option of it.
type About<'a> = (Option<&'a str>, Option<&'a str>);
const NOTHING: About<'static> = (None, None);

fn check_variation(
    item: &Item,
    line: &RuleLine,
    bad: &mut impl FnMut(&'static str, String, About),
) {
    match line.variation.as_deref() {
        None if !item.variations.is_empty() && item.default_variation.is_none() => bad(
            "size_required",
            format!(
                "{} needs a size: {}",
                item.name,
                names(item.variations.iter().map(|v| v.name.as_str()))
            ),
            NOTHING,
        ),
        None => {}
        Some(code) => match item.variation(code) {
            None => bad(
                "unknown_size",
                format!("{} has no size {code:?}", item.name),
                NOTHING,
            ),
            Some(v) if !v.available => bad(
                "size_sold_out",
                format!("{} {} is sold out", v.name, item.name),
                NOTHING,
            ),
            Some(_) => {}
        },
    }
}

/// How many options of `group` the line has: what it chose (counts included) and the
/// defaults it did not touch. The dialog asks by the same count.
pub fn chosen_in_group(group: &ModifierGroup, mods: &[RuleModifier]) -> (u32, u32) {
    let chosen: u32 = mods
        .iter()
        .filter(|m| m.group == group.code && !m.negated)
        .map(|m| m.quantity.unwrap_or(1).max(1))
        .sum();
    // Options on by default count unless the line took them off.
    let defaults = group
        .options
        .iter()
        .filter(|o| {
            o.default
                && !mods
                    .iter()
                    .any(|m| m.group == group.code && m.option == o.code)
        })
        .count() as u32;
    (chosen, defaults)
}

fn check_groups(
    menu: &Menu,
    item: &Item,
    line: &RuleLine,
    bad: &mut impl FnMut(&'static str, String, About),
) {
    for m in &line.modifiers {
        let about = (Some(m.group.as_str()), Some(m.option.as_str()));
        if !item.groups.iter().any(|g| g == &m.group) {
            bad(
                "group_not_on_item",
                format!("{} takes no {:?}", item.name, m.group),
                about,
            );
            continue;
        }
        let Some(group) = menu.group(&m.group) else {
            bad(
                "unknown_group",
                format!("the menu has no group {:?}", m.group),
                about,
            );
            continue;
        };
        let Some(option) = group.option(&m.option) else {
            bad(
                "unknown_option",
                format!("{} has no option {:?}", group.name, m.option),
                about,
            );
            continue;
        };
        if !option.available && !m.negated {
            bad(
                "option_sold_out",
                format!("{} is sold out", option.name),
                about,
            );
        }
        if m.negated && !group.negatable && !option.default {
            bad(
                "not_negatable",
                format!("{} cannot be left out", option.name),
                about,
            );
        }
        if m.qualifier.is_some() && !group.qualified && m.qualifier != Some(Qualifier::Double) {
            bad(
                "not_qualified",
                format!("{} cannot be extra or light", option.name),
                about,
            );
        }
    }
    for code in &item.groups {
        let Some(group) = menu.group(code) else {
            continue;
        };
        let about = (Some(code.as_str()), None);
        let (chosen, defaults) = chosen_in_group(group, &line.modifiers);
        if chosen + defaults < group.min {
            bad(
                "choice_required",
                format!(
                    "{} needs {} {}: {}",
                    item.name,
                    if group.min == 1 {
                        "a".to_string()
                    } else {
                        group.min.to_string()
                    },
                    group.name.to_lowercase(),
                    names(
                        group
                            .options
                            .iter()
                            .filter(|o| o.available)
                            .map(|o| o.name.as_str())
                    )
                ),
                about,
            );
        }
        if group.max > 0 && chosen > group.max {
            bad(
                "too_many",
                format!(
                    "{} takes at most {} {}",
                    item.name,
                    group.max,
                    group.name.to_lowercase()
                ),
                about,
            );
        }
    }
}

fn names<'a>(it: impl Iterator<Item = &'a str>) -> String {
    it.collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn menu() -> Menu {
        serde_json::from_value(serde_json::json!({
            "items": [
                {"id": 1, "code": "pizza", "name": "Cheese Pizza", "groups": ["crust", "toppings"],
                 "variations": [{"id": 11, "code": "small", "name": "Small", "price_cents": 900},
                                {"id": 12, "code": "large", "name": "Large", "price_cents": 1500,
                                 "available": false}]},
                {"id": 2, "code": "coke", "name": "Coke", "price_cents": 199, "default_variation": "can",
                 "variations": [{"id": 21, "code": "can", "name": "Can", "price_cents": 199}]},
                {"id": 3, "code": "knots", "name": "Garlic Knots", "price_cents": 599, "available": false}
            ],
            "groups": [
                {"id": 1, "code": "crust", "name": "Crust", "min": 1, "max": 1,
                 "options": [{"id": 1, "code": "thin", "name": "Thin"}, {"id": 2, "code": "deep", "name": "Deep"}]},
                {"id": 2, "code": "toppings", "name": "Toppings", "max": 2, "qualified": true, "negatable": true,
                 "options": [{"id": 3, "code": "olives", "name": "Olives"},
                             {"id": 4, "code": "ham", "name": "Ham", "available": false}]}
            ]
        }))
        .unwrap()
    }

    fn lines(v: serde_json::Value) -> Vec<RuleLine> {
        serde_json::from_value(v).unwrap()
    }

    fn codes(v: serde_json::Value) -> Vec<&'static str> {
        validate(&menu(), &lines(v))
            .into_iter()
            .map(|p| p.code)
            .collect()
    }

    #[test]
    fn a_complete_line_passes() {
        let ok = serde_json::json!([
            {"item": "pizza", "variation": "small", "quantity": 2,
             "modifiers": [{"group": "crust", "option": "thin"}, {"group": "toppings", "option": "olives", "qualifier": "extra"}]},
            {"item": "coke"}
        ]);
        assert_eq!(codes(ok), Vec::<&str>::new());
    }

    #[test]
    fn a_missing_size_or_required_choice_is_a_problem() {
        assert_eq!(
            codes(serde_json::json!([{"item": "pizza", "quantity": 1}])),
            ["size_required", "choice_required"]
        );
        let p = validate(
            &menu(),
            &lines(serde_json::json!([{"item": "pizza", "variation": "small"}])),
        );
        assert_eq!(p[0].message, "Cheese Pizza needs a crust: Thin, Deep");
    }

    #[test]
    fn sold_out_things_and_limits_are_problems() {
        assert_eq!(
            codes(serde_json::json!([{"item": "knots"}])),
            ["item_sold_out"]
        );
        assert_eq!(
            codes(serde_json::json!([{"item": "pizza", "variation": "large",
                "modifiers": [{"group": "crust", "option": "thin"}, {"group": "toppings", "option": "ham"}]}])),
            ["size_sold_out", "option_sold_out"]
        );
        assert_eq!(
            codes(serde_json::json!([{"item": "pizza", "variation": "small",
                "modifiers": [{"group": "crust", "option": "thin"}, {"group": "crust", "option": "deep"},
                              {"group": "toppings", "option": "olives", "quantity": 3}]}])),
            ["too_many", "too_many"]
        );
        assert_eq!(
            codes(serde_json::json!([{"item": "coke", "quantity": 0},
                                     {"item": "coke", "modifiers": [{"group": "crust", "option": "thin"}]},
                                     {"item": "lasagna"}])),
            ["bad_quantity", "group_not_on_item", "unknown_item"]
        );
    }

    #[test]
    fn stored_order_lines_read_as_they_are() {
        let stored = serde_json::json!([{"item_code": "pizza", "variation_code": "small", "quantity": 1,
            "name": "Cheese Pizza", "unit_price_cents": 900,
            "modifiers": [{"group": "crust", "option": "deep", "name": "Deep", "price_cents": 0}]}]);
        assert_eq!(codes(stored.clone()), Vec::<&str>::new());
        assert_eq!(
            lines(stored)[0].to_cart().variation.as_deref(),
            Some("small")
        );
    }
}
