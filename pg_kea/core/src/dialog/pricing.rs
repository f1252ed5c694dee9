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
    /// What the option adds to one unit of the line (already multiplied by `quantity`).
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
}
