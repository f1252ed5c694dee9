//! A merchant's menu from its Square catalog: the `ListCatalog` JSON (`{"objects": [...]}`, or
//! the bare list) of ITEM, ITEM_VARIATION, MODIFIER_LIST and CATEGORY objects, turned into the
//! document `api.import_menu` loads. Restaurants already keep their menu in their POS; this
//! brings it over as they typed it (no aliases: extraction derives what callers say from the
//! names), and keeps Square's ids as `pos_id` so orders go back to Square by catalog id.
//!
//! Square's shapes are summarised in `../shared/notes/pos.md`. What kea's model cannot say is
//! approximated and noted in `notes`: min/max of a modifier list are set per item in Square and
//! per group in kea (the first item's setting wins); variable-priced variations cost 0.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::{json, Map, Value};

/// The menu document and what could not be carried over exactly.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub document: Value,
    pub notes: Vec<String>,
}

/// Converts a catalog. `location` keeps only what is sold there (`present_at_all_locations`,
/// `present_at_location_ids`, `absent_at_location_ids`); deleted objects are skipped.
pub fn import(catalog: &Value, location: Option<&str>) -> Imported {
    let objects: Vec<&Value> = match catalog {
        Value::Array(list) => list.iter().collect(),
        other => other
            .get("objects")
            .and_then(Value::as_array)
            .map(|l| l.iter().collect())
            .unwrap_or_default(),
    };
    let live: Vec<&Value> = objects
        .into_iter()
        .filter(|o| !o["is_deleted"].as_bool().unwrap_or(false) && sold_at(o, location))
        .collect();
    let mut codes = Codes::default();
    let mut notes = Vec::new();

    let mut category_code = HashMap::new();
    let mut categories = Vec::new();
    for c in live.iter().filter(|o| o["type"] == "CATEGORY") {
        let name = text(&c["category_data"]["name"]);
        let code = codes.next("category", &name);
        category_code.insert(text(&c["id"]), code.clone());
        categories.push(json!({"code": code, "name": name, "pos_id": c["id"]}));
    }

    let mut lists: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    let mut list_code = HashMap::new();
    for l in live.iter().filter(|o| o["type"] == "MODIFIER_LIST") {
        let data = &l["modifier_list_data"];
        let name = text(&data["name"]);
        let code = codes.next("group", &name);
        let mut option_codes = Codes::default();
        let options: Vec<Value> = data["modifiers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|m| !m["is_deleted"].as_bool().unwrap_or(false))
            .map(|m| {
                let d = &m["modifier_data"];
                let name = text(&d["name"]);
                json!({
                    "code": option_codes.next("option", &name),
                    "name": name,
                    "price_cents": money(&d["price_money"]),
                    "default": d["on_by_default"].as_bool().unwrap_or(false),
                    "pos_id": m["id"],
                })
            })
            .collect();
        let single = data["selection_type"] == "SINGLE";
        let mut g = Map::new();
        g.insert("code".into(), json!(code));
        g.insert("name".into(), json!(name));
        g.insert("min".into(), json!(0));
        g.insert("max".into(), json!(if single { 1 } else { 0 }));
        g.insert("options".into(), json!(options));
        g.insert("pos_id".into(), l["id"].clone());
        list_code.insert(text(&l["id"]), code.clone());
        lists.insert(code, g);
    }

    let mut items = Vec::new();
    let mut limits_set = HashSet::new();
    for i in live.iter().filter(|o| o["type"] == "ITEM") {
        let data = &i["item_data"];
        let name = text(&data["name"]);
        let code = codes.next("item", &name);
        let category = data["categories"][0]["id"]
            .as_str()
            .or_else(|| data["category_id"].as_str())
            .and_then(|id| category_code.get(id))
            .cloned();
        let mut variation_codes = Codes::default();
        let variations: Vec<Value> = data["variations"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|v| !v["is_deleted"].as_bool().unwrap_or(false) && sold_at(v, location))
            .map(|v| {
                let d = &v["item_variation_data"];
                let vname = text(&d["name"]);
                if d["pricing_type"] == "VARIABLE_PRICING" {
                    notes.push(format!("{name} {vname}: variable price, imported at 0"));
                }
                json!({
                    "code": variation_codes.next("size", &vname),
                    "name": vname,
                    "price_cents": money(&d["price_money"]),
                    "pos_id": v["id"],
                })
            })
            .collect();
        let mut groups = Vec::new();
        for info in data["modifier_list_info"].as_array().into_iter().flatten() {
            if info["enabled"].as_bool() == Some(false) {
                continue;
            }
            let Some(g) = info["modifier_list_id"]
                .as_str()
                .and_then(|id| list_code.get(id))
            else {
                continue;
            };
            groups.push(json!(g));
            let (min, max) = (
                info["min_selected_modifiers"].as_i64(),
                info["max_selected_modifiers"].as_i64(),
            );
            if min.is_some_and(|m| m >= 0) || max.is_some_and(|m| m >= 0) {
                if let Some(group) = lists.get_mut(g) {
                    if limits_set.insert(g.clone()) {
                        if let Some(m) = min.filter(|m| *m >= 0) {
                            group.insert("min".into(), json!(m));
                        }
                        if let Some(m) = max.filter(|m| *m >= 0) {
                            group.insert("max".into(), json!(m));
                        }
                    } else if group.get("min") != min.map(|m| json!(m)).as_ref() {
                        notes.push(format!(
                            "{}: min/max differ between items; kept the first item's",
                            group["name"].as_str().unwrap_or_default()
                        ));
                    }
                }
            }
        }
        // One variation ("Regular") is the item itself: its price, no size to ask.
        let default_variation = (variations.len() == 1).then(|| variations[0]["code"].clone());
        let price = variations
            .first()
            .map_or(0, |v| v["price_cents"].as_i64().unwrap_or(0));
        items.push(json!({
            "code": code,
            "name": name,
            "category": category,
            "price_cents": price,
            "variations": variations,
            "default_variation": default_variation,
            "groups": groups,
            "available": !data["is_archived"].as_bool().unwrap_or(false),
            "pos_id": i["id"],
        }));
    }
    Imported {
        document: json!({
            "name": "Square catalog",
            "categories": categories,
            "items": items,
            "groups": lists.into_values().map(Value::Object).collect::<Vec<_>>(),
        }),
        notes,
    }
}

fn sold_at(object: &Value, location: Option<&str>) -> bool {
    let Some(location) = location else {
        return true;
    };
    let listed = |key: &str| {
        object[key]
            .as_array()
            .is_some_and(|l| l.iter().any(|id| id == location))
    };
    if object["present_at_all_locations"].as_bool().unwrap_or(true) {
        !listed("absent_at_location_ids")
    } else {
        listed("present_at_location_ids")
    }
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().trim().to_string()
}

fn money(v: &Value) -> i64 {
    v["amount"].as_i64().unwrap_or(0)
}

/// Codes made from names ("Large Fries" -> `large_fries`), unique within their kind.
#[derive(Default)]
struct Codes(HashSet<String>);

impl Codes {
    fn next(&mut self, kind: &str, name: &str) -> String {
        let mut base: String = name
            .to_lowercase()
            .chars()
            .map(|c| if c.is_alphanumeric() { c } else { '_' })
            .collect();
        base = base
            .split('_')
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("_");
        if base.is_empty() {
            base = kind.to_string();
        }
        let mut code = base.clone();
        let mut n = 2;
        while !self.0.insert(code.clone()) {
            code = format!("{base}_{n}");
            n += 1;
        }
        code
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Value {
        json!({"objects": [
            {"type": "CATEGORY", "id": "CAT1", "category_data": {"name": "Pizzas"}},
            {"type": "MODIFIER_LIST", "id": "ML1", "modifier_list_data": {
                "name": "Toppings", "selection_type": "MULTIPLE",
                "modifiers": [
                    {"type": "MODIFIER", "id": "MOD1", "modifier_data": {"name": "Olives", "price_money": {"amount": 150, "currency": "USD"}}},
                    {"type": "MODIFIER", "id": "MOD2", "modifier_data": {"name": "Extra Cheese", "price_money": {"amount": 200, "currency": "USD"}, "on_by_default": false}}]}},
            {"type": "MODIFIER_LIST", "id": "ML2", "modifier_list_data": {
                "name": "Crust", "selection_type": "SINGLE",
                "modifiers": [{"type": "MODIFIER", "id": "MOD3", "modifier_data": {"name": "Thin"}}]}},
            {"type": "ITEM", "id": "IT1", "item_data": {
                "name": "Margherita Pizza", "categories": [{"id": "CAT1"}],
                "variations": [
                    {"type": "ITEM_VARIATION", "id": "V1", "item_variation_data": {"item_id": "IT1", "name": "Small", "pricing_type": "FIXED_PRICING", "price_money": {"amount": 1099, "currency": "USD"}}},
                    {"type": "ITEM_VARIATION", "id": "V2", "item_variation_data": {"item_id": "IT1", "name": "Large", "pricing_type": "FIXED_PRICING", "price_money": {"amount": 1599, "currency": "USD"}}}],
                "modifier_list_info": [
                    {"modifier_list_id": "ML1", "max_selected_modifiers": 3, "enabled": true},
                    {"modifier_list_id": "ML2", "min_selected_modifiers": 1, "max_selected_modifiers": 1}]}},
            {"type": "ITEM", "id": "IT2", "item_data": {
                "name": "Coke", "category_id": "CAT1",
                "variations": [{"type": "ITEM_VARIATION", "id": "V3", "item_variation_data": {"name": "Regular", "price_money": {"amount": 199, "currency": "USD"}}}]}},
            {"type": "ITEM", "id": "IT3", "is_deleted": true, "item_data": {"name": "Gone"}},
            {"type": "ITEM", "id": "IT4", "present_at_all_locations": false, "present_at_location_ids": ["L2"],
             "item_data": {"name": "Elsewhere", "variations": []}}
        ]})
    }

    #[test]
    fn items_sizes_and_modifier_lists_come_over_with_their_square_ids() {
        let doc = import(&catalog(), Some("L1")).document;
        let items = doc["items"].as_array().unwrap();
        assert_eq!(
            items.len(),
            2,
            "deleted and elsewhere-only items are left out"
        );
        let pizza = &items[0];
        assert_eq!(pizza["code"], "margherita_pizza");
        assert_eq!(pizza["category"], "pizzas");
        assert_eq!(pizza["pos_id"], "IT1");
        assert_eq!(pizza["variations"][1]["price_cents"], 1599);
        assert_eq!(pizza["variations"][1]["pos_id"], "V2");
        assert_eq!(
            pizza["default_variation"],
            Value::Null,
            "two sizes: kea asks"
        );
        assert_eq!(pizza["groups"], json!(["toppings", "crust"]));
        let coke = &items[1];
        assert_eq!(
            coke["default_variation"], "regular",
            "one variation is the item itself"
        );
        assert_eq!(coke["price_cents"], 199);
        let groups = doc["groups"].as_array().unwrap();
        let crust = groups.iter().find(|g| g["code"] == "crust").unwrap();
        assert_eq!(
            (crust["min"].as_i64(), crust["max"].as_i64()),
            (Some(1), Some(1))
        );
        let toppings = groups.iter().find(|g| g["code"] == "toppings").unwrap();
        assert_eq!(toppings["max"], 3);
        assert_eq!(toppings["options"][1]["code"], "extra_cheese");
        assert_eq!(toppings["options"][0]["pos_id"], "MOD1");
    }

    #[test]
    fn the_document_loads_as_a_menu_and_prices() {
        let mut doc = import(&catalog(), None).document;
        // api.import_menu gives ids; the compiled menu needs them.
        let mut id = 0;
        for key in ["categories", "items", "groups"] {
            for o in doc[key].as_array_mut().unwrap() {
                id += 1;
                o["id"] = json!(id);
                for sub in ["variations", "options"] {
                    for s in o[sub].as_array_mut().into_iter().flatten() {
                        id += 1;
                        s["id"] = json!(id);
                    }
                }
            }
        }
        let menu: crate::menu::Menu = serde_json::from_value(doc).expect("a kea menu");
        assert_eq!(menu.items.len(), 3);
        let line: Vec<crate::order_rules::RuleLine> = serde_json::from_value(json!([
            {"item": "margherita_pizza", "variation": "large",
             "modifiers": [{"group": "crust", "option": "thin"}, {"group": "toppings", "option": "olives"}]}]))
        .unwrap();
        assert!(crate::order_rules::validate(&menu, &line).is_empty());
    }

    #[test]
    fn names_make_unique_codes() {
        let mut c = Codes::default();
        assert_eq!(c.next("item", "Fries"), "fries");
        assert_eq!(c.next("item", "Fries!"), "fries_2");
        assert_eq!(c.next("item", "Mac & Cheese"), "mac_cheese");
        assert_eq!(c.next("item", "  "), "item");
    }
}
