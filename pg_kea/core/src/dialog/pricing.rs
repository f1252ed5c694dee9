//! Prices a cart against the menu: the figures the read-back says and the order row stores.
//! Integer cents throughout; tax rounds half up once on the subtotal, as POS systems do.

use serde::{Deserialize, Serialize};

use super::state::{CartLine, OrderDetails};
use crate::extract::Qualifier;
use crate::menu::{Cents, Menu};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PricedModifier {
    pub group: String,
    pub option: String,
    pub name: String,
    #[serde(default)]
    pub qualifier: Option<Qualifier>,
    #[serde(default)]
    pub negated: bool,
    /// "two sugars": how many of the option, when more than one was said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<u32>,
    /// What the option adds to one unit of the line (already multiplied by `quantity`);
    /// negative for a reduction, and then no more than the line had left to take off (see
    /// `price_line`): the item's price plus its modifiers' is always the unit price.
    pub price_cents: Cents,
    /// The option answers a required one-of choice (a spice level, a protein): said right
    /// after the name ("Butter Chicken, mild") rather than as an addition ("with mild").
    /// Only for speech: not stored.
    #[serde(skip)]
    pub choice: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PricedLine {
    pub item: String,
    pub item_id: i64,
    pub name: String,
    #[serde(default)]
    pub variation: Option<String>,
    #[serde(default)]
    pub variation_id: Option<i64>,
    #[serde(default)]
    pub variation_name: Option<String>,
    /// The item's default variation (a can of Coke): not worth saying aloud.
    #[serde(default)]
    pub variation_is_default: bool,
    pub quantity: u32,
    pub modifiers: Vec<PricedModifier>,
    pub unit_price_cents: Cents,
    pub line_total_cents: Cents,
}

/// The order as it is saved: lines, totals and details. `app.orders`/`app.order_lines` take it
/// as is (`app.save_order`, sql/app/orders.sql).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PricedOrder {
    pub lines: Vec<PricedLine>,
    pub subtotal_cents: Cents,
    pub tax_cents: Cents,
    pub total_cents: Cents,
    pub currency: String,
    pub details: OrderDetails,
}

pub fn price_line(menu: &Menu, line: &CartLine) -> Option<PricedLine> {
    let item = menu.item(&line.item)?;
    let variation = line.variation.as_deref().and_then(|v| item.variation(v));
    let base = variation.map_or(item.price_cents, |v| v.price_cents);
    let mut unit = base;
    let mut modifiers = Vec::with_capacity(line.modifiers.len());
    for m in &line.modifiers {
        let Some(group) = menu.group(&m.group) else {
            continue;
        };
        let Some(option) = group.option(&m.option) else {
            continue;
        };
        // A removed default costs nothing back; a doubled option is charged twice, "three
        // pumps of vanilla" three times.
        let price = option.charge(
            m.quantity,
            m.qualifier == Some(Qualifier::Double),
            m.negated,
        );
        unit = unit.saturating_add(price);
        modifiers.push(PricedModifier {
            group: group.code.clone(),
            option: option.code.clone(),
            name: option.name.clone(),
            qualifier: m.qualifier,
            negated: m.negated,
            quantity: m.quantity.filter(|&q| q > 1),
            price_cents: price,
            choice: group.min >= 1 && group.max == 1 && !m.negated && m.qualifier.is_none(),
        });
    }
    let unit = clamp_at_zero(unit, &mut modifiers);
    Some(PricedLine {
        item: item.code.clone(),
        item_id: item.id,
        name: item.name.clone(),
        variation: variation.map(|v| v.code.clone()),
        variation_id: variation.map(|v| v.id),
        variation_name: variation.map(|v| v.name.clone()),
        variation_is_default: variation.is_some()
            && item.default_variation.as_deref() == variation.map(|v| v.code.as_str()),
        quantity: line.quantity,
        modifiers,
        unit_price_cents: unit,
        line_total_cents: unit.saturating_mul(i64::from(line.quantity)),
    })
}

/// A line never costs less than nothing: reductions that would take its unit price below zero
/// ("Half portion -2.50" on a $2.00 side) take off only what is left, the last said first, so
/// that what the read-back says, the order stores, the receipt and the POS add up alike.
fn clamp_at_zero(unit: Cents, modifiers: &mut [PricedModifier]) -> Cents {
    let mut excess = unit.min(0).saturating_neg();
    for m in modifiers.iter_mut().rev() {
        if excess == 0 {
            break;
        }
        if m.price_cents < 0 {
            let back = excess.min(m.price_cents.saturating_neg());
            m.price_cents += back;
            excess -= back;
        }
    }
    unit.max(0)
}

pub fn price_order(menu: &Menu, cart: &[CartLine], details: &OrderDetails) -> PricedOrder {
    let lines: Vec<PricedLine> = cart.iter().filter_map(|l| price_line(menu, l)).collect();
    // Saturating throughout: whatever a state holds (a fuzzed or corrupted one), pricing never
    // panics; the quantity rules (order_rules::MAX_QUANTITY) keep real orders far below.
    let subtotal: Cents = lines
        .iter()
        .fold(0, |sum: Cents, l| sum.saturating_add(l.line_total_cents));
    let tax = tax_on(subtotal, menu.tax_rate_bp);
    PricedOrder {
        lines,
        subtotal_cents: subtotal,
        tax_cents: tax,
        total_cents: subtotal.saturating_add(tax),
        currency: menu.currency.clone(),
        details: details.clone(),
    }
}

/// Tax in cents, rounded half up.
pub fn tax_on(subtotal: Cents, rate_bp: i64) -> Cents {
    let tax = (i128::from(subtotal) * i128::from(rate_bp) + 5_000).div_euclid(10_000);
    Cents::try_from(tax).unwrap_or(if tax < 0 { Cents::MIN } else { Cents::MAX })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tax_rounds_half_up() {
        assert_eq!(tax_on(10_000, 887), 887);
        assert_eq!(tax_on(4_147, 887), 368); // 367.8 -> 368
        assert_eq!(tax_on(50, 1_000), 5);
        assert_eq!(tax_on(5, 1_000), 1); // 0.5 -> 1
        assert_eq!(tax_on(0, 887), 0);
    }

    /// A curry house's menu as a POS holds it: options that take money off.
    fn curry_menu() -> Menu {
        serde_json::from_value(serde_json::json!({
            "tax_rate_bp": 1000,
            "items": [
                {"id": 1, "code": "curry", "name": "Chicken Curry", "price_cents": 1299,
                 "groups": ["rice", "portion"]},
                {"id": 2, "code": "dal", "name": "Side of Dal", "price_cents": 200,
                 "groups": ["portion"]}
            ],
            "groups": [
                {"id": 1, "code": "rice", "name": "Rice", "qualified": true, "negatable": true,
                 "options": [{"id": 1, "code": "no_rice", "name": "No rice", "price_cents": -100},
                             {"id": 2, "code": "extra_rice", "name": "Extra rice", "price_cents": 150}]},
                {"id": 2, "code": "portion", "name": "Portion",
                 "options": [{"id": 3, "code": "half", "name": "Half portion", "price_cents": -250}]}
            ]
        }))
        .unwrap()
    }

    fn line(v: serde_json::Value) -> CartLine {
        serde_json::from_value(v).unwrap()
    }

    fn with(group: &str, option: &str) -> serde_json::Value {
        serde_json::json!({"group": group, "option": option, "confidence": 1.0})
    }

    #[test]
    fn a_negative_option_takes_its_price_off_the_line_and_the_order() {
        let menu = curry_menu();
        let cart = [line(serde_json::json!({"item": "curry", "quantity": 2,
            "modifiers": [with("rice", "no_rice")]}))];
        let order = price_order(&menu, &cart, &OrderDetails::default());
        let l = &order.lines[0];
        assert_eq!(l.modifiers[0].price_cents, -100);
        assert_eq!((l.unit_price_cents, l.line_total_cents), (1_199, 2_398));
        assert_eq!(
            (order.subtotal_cents, order.tax_cents, order.total_cents),
            (2_398, 240, 2_638)
        );
    }

    #[test]
    fn a_reduction_counts_once_and_a_removed_one_takes_nothing_off() {
        let menu = curry_menu();
        let mut twice = with("rice", "no_rice");
        twice["qualifier"] = "double".into();
        twice["quantity"] = 3.into();
        let mut removed = with("portion", "half");
        removed["negated"] = true.into();
        let l = price_line(
            &menu,
            &line(
                serde_json::json!({"item": "curry", "quantity": 1, "modifiers": [twice, removed]}),
            ),
        )
        .unwrap();
        assert_eq!(
            l.modifiers
                .iter()
                .map(|m| m.price_cents)
                .collect::<Vec<_>>(),
            [-100, 0]
        );
        assert_eq!(l.unit_price_cents, 1_199);
    }

    #[test]
    fn a_line_never_costs_less_than_nothing_and_its_parts_still_add_up() {
        let menu = curry_menu();
        // $2.00 of dal, half portion (-$2.50): the line is free, and the reduction said is
        // the $2.00 it took, so the POS adding the item and its modifiers gets the same $0.
        let cart = [
            line(serde_json::json!({"item": "dal", "quantity": 3,
                "modifiers": [with("portion", "half")]})),
            line(serde_json::json!({"item": "curry", "quantity": 1,
                "modifiers": [with("rice", "no_rice"), with("portion", "half")]})),
        ];
        let order = price_order(&menu, &cart, &OrderDetails::default());
        let dal = &order.lines[0];
        assert_eq!((dal.unit_price_cents, dal.line_total_cents), (0, 0));
        assert_eq!(dal.modifiers[0].price_cents, -200);
        assert_eq!(order.lines[1].unit_price_cents, 1_299 - 100 - 250);
        assert_eq!(order.subtotal_cents, 949);
        for (l, base) in order.lines.iter().zip([200, 1_299]) {
            let parts: Cents = l.modifiers.iter().map(|m| m.price_cents).sum();
            assert_eq!(base + parts, l.unit_price_cents, "{l:?}");
        }
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            /// Whatever the options add or take off, said however often: a line is never below
            /// zero, costs the menu's sum when that is not, and its parts add up to its price.
            #[test]
            fn a_line_is_the_menus_sum_clamped_at_zero_and_its_parts_add_up(
                base in 0i64..5_000,
                options in proptest::collection::vec((-3_000i64..3_000, 0u32..4, any::<bool>(), any::<bool>()), 0..5),
                quantity in 1u32..6,
            ) {
                let menu: Menu = serde_json::from_value(serde_json::json!({
                    "items": [{"id": 1, "code": "dish", "name": "Dish", "price_cents": base, "groups": ["g"]}],
                    "groups": [{"id": 1, "code": "g", "name": "G", "qualified": true, "negatable": true,
                        "options": options.iter().enumerate().map(|(i, (price, ..))| serde_json::json!(
                            {"id": i, "code": format!("o{i}"), "name": format!("O{i}"), "price_cents": price}))
                            .collect::<Vec<_>>()}]
                })).unwrap();
                let modifiers: Vec<_> = options.iter().enumerate().map(|(i, (_, count, double, negated))| {
                    serde_json::json!({"group": "g", "option": format!("o{i}"), "confidence": 1.0,
                        "quantity": count, "negated": negated,
                        "qualifier": if *double { Some("double") } else { None }})
                }).collect();
                let l = price_line(&menu, &line(serde_json::json!(
                    {"item": "dish", "quantity": quantity, "modifiers": modifiers}))).unwrap();
                let said: Cents = options.iter().map(|(price, count, double, negated)| {
                    let times = i64::from((*count).max(1)) * if *double { 2 } else { 1 };
                    match (*negated, *price < 0) {
                        (true, _) => 0,
                        (false, true) => *price,
                        (false, false) => price * times,
                    }
                }).sum();
                prop_assert_eq!(l.unit_price_cents, (base + said).max(0));
                prop_assert_eq!(l.line_total_cents, l.unit_price_cents * i64::from(quantity));
                let parts: Cents = l.modifiers.iter().map(|m| m.price_cents).sum();
                prop_assert_eq!(base + parts, l.unit_price_cents);
            }
        }
    }
}
