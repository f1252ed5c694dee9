//! The menu document: one merchant menu as the extension sees it.
//!
//! The app schema keeps menus normalised (categories, items, variations, modifier groups,
//! options; see `migrations/`). A trigger there folds a menu into this JSON document and
//! publishes it with `kea.publish_menu(menu_id, document)`; the extension compiles it once per
//! backend (see `extract::CompiledMenu`) and uses it for extraction, dialog and pricing.
//! Every field added later must be optional (`#[serde(default)]`) so old documents still load.

use serde::{Deserialize, Serialize};

/// Money is kept in integer minor units (cents) everywhere: no float ever touches a price.
pub type Cents = i64;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Menu {
    /// `app.menus.id`.
    #[serde(default)]
    pub id: i64,
    #[serde(default)]
    pub name: String,
    /// ISO currency code, e.g. "USD".
    #[serde(default = "default_currency")]
    pub currency: String,
    /// Sales tax in basis points (887 = 8.87%).
    #[serde(default)]
    pub tax_rate_bp: i64,
    #[serde(default)]
    pub categories: Vec<Category>,
    #[serde(default)]
    pub items: Vec<Item>,
    /// Modifier groups, referenced by items through `Item::groups`.
    #[serde(default)]
    pub groups: Vec<ModifierGroup>,
    /// Venue grammar words (quantities, qualifiers, negations) on top of the built-in English
    /// ones; filled by imports such as the FoodOrdering NUMBER/QUANTITY/NOT alias files.
    #[serde(default)]
    pub lexicon: Lexicon,
}

/// Grammar words of a venue: how its callers say numbers, qualifiers and negation.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Lexicon {
    #[serde(default)]
    pub numbers: Vec<LexNumber>,
    #[serde(default)]
    pub qualifiers: Vec<LexQualifier>,
    /// Phrases that negate the option after them ("hold the", "i don't want").
    #[serde(default)]
    pub negations: Vec<String>,
}

/// "a couple" = 2.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct LexNumber {
    pub phrase: String,
    pub value: u32,
}

/// "go heavy on" = "extra"; qualifier is one of "extra", "light", "double".
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct LexQualifier {
    pub phrase: String,
    pub qualifier: String,
}

fn default_currency() -> String {
    "USD".into()
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Category {
    pub id: i64,
    /// Stable machine name (e.g. "pizzas", or a FoodOrdering intent such as "PIZZAORDER").
    pub code: String,
    pub name: String,
    /// Words a caller uses for things of this category ("pizza", "pies", "drinks").
    #[serde(default)]
    pub aliases: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Item {
    pub id: i64,
    /// Stable machine name, unique in the menu ("pepperoni_pizza"; for FoodOrdering: the intent).
    pub code: String,
    /// What the read-back says ("Pepperoni Pizza").
    pub name: String,
    #[serde(default)]
    pub category: Option<String>,
    /// Other ways callers name it (lower case, spoken form): "pepperoni pie", "pepperonis".
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Price when the item has no variations.
    #[serde(default)]
    pub price_cents: Cents,
    /// False when the merchant marked it sold out (86'd).
    #[serde(default = "yes")]
    pub available: bool,
    /// Sizes or other mutually exclusive variants, each with its own price. When non-empty one
    /// must be chosen (the dialog asks) unless `default_variation` is set.
    #[serde(default)]
    pub variations: Vec<Variation>,
    #[serde(default)]
    pub default_variation: Option<String>,
    /// Codes of the modifier groups that apply to this item.
    #[serde(default)]
    pub groups: Vec<String>,
    /// Name of the slot the variations fill in exports (e.g. "SIZE" for FoodOrdering EXR).
    #[serde(default)]
    pub variation_slot: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Variation {
    pub id: i64,
    /// "small", "large", "2_liter".
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    pub price_cents: Cents,
    #[serde(default = "yes")]
    pub available: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ModifierGroup {
    pub id: i64,
    /// Unique in the menu ("toppings", "crust"; for FoodOrdering: the slot name, "TOPPING").
    pub code: String,
    pub name: String,
    /// Least and most options a line may carry from this group. `min > 0` makes the group a
    /// required choice the dialog asks for; `max = 0` means no upper bound.
    #[serde(default)]
    pub min: u32,
    #[serde(default)]
    pub max: u32,
    /// Options may take quantity qualifiers (extra, light, double, "a little").
    #[serde(default)]
    pub qualified: bool,
    /// Options may be negated ("no onions", "hold the cheese").
    #[serde(default)]
    pub negatable: bool,
    #[serde(default)]
    pub options: Vec<ModOption>,
    /// Words that may precede an option and mark it as this group's ("side of", "from").
    #[serde(default)]
    pub prefixes: Vec<String>,
    /// Words that may follow an option and mark it as this group's ("on the side", "sized").
    #[serde(default)]
    pub suffixes: Vec<String>,
    /// Options of this group apply to the whole order, not one line (e.g. the vendor).
    #[serde(default)]
    pub global: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ModOption {
    pub id: i64,
    /// "pepperoni", "thin_crust".
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    /// What the option adds to the line's price: 0 for most, a surcharge ("Extra cheese
    /// +1.50"), or a reduction, the one price of a menu that may be negative ("No rice -1.00",
    /// "Half portion -2.50"). Item and size prices never are (`api.import_menu` refuses them);
    /// a line's price never goes below zero (`dialog::price_line`).
    #[serde(default)]
    pub price_cents: Cents,
    /// Part of the item unless the caller says otherwise (e.g. the dressing a salad comes with).
    #[serde(default)]
    pub default: bool,
    #[serde(default = "yes")]
    pub available: bool,
}

impl Menu {
    pub fn item(&self, code: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.code == code)
    }

    pub fn group(&self, code: &str) -> Option<&ModifierGroup> {
        self.groups.iter().find(|g| g.code == code)
    }

    /// The positions in `groups` of the groups item number `item` takes (extraction names
    /// groups by position).
    pub fn group_indexes(&self, item: usize) -> Vec<u32> {
        self.items[item]
            .groups
            .iter()
            .filter_map(|g| self.groups.iter().position(|x| &x.code == g))
            .map(|g| g as u32)
            .collect()
    }
}

impl Item {
    pub fn variation(&self, code: &str) -> Option<&Variation> {
        self.variations.iter().find(|v| v.code == code)
    }
}

impl ModOption {
    /// What the option adds to one unit of its line: nothing when removed ("no onions"),
    /// `count` times when a count was said ("three pumps of vanilla"), twice for "double". A
    /// reduction counts once: rice left out twice is still one portion of rice, and a caller's
    /// "double" or count must not take more off than the menu offers.
    pub fn charge(&self, count: Option<u32>, double: bool, negated: bool) -> Cents {
        if negated {
            return 0;
        }
        if self.price_cents < 0 {
            return self.price_cents;
        }
        let times = Cents::from(count.unwrap_or(1).max(1)) * if double { 2 } else { 1 };
        self.price_cents.saturating_mul(times)
    }
}

impl ModifierGroup {
    pub fn option(&self, code: &str) -> Option<&ModOption> {
        self.options.iter().find(|o| o.code == code)
    }
}
