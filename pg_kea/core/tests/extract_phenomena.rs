//! One test per extraction phenomenon, on small hand-written menus: a restaurant-style menu
//! (pizzas as items with sizes, toppings, crusts, drinks, sides) and a slot-style menu where
//! drinks are options of one drink item.

use kea_core::extract::{
    CompiledMenu, Extraction, Fulfillment, Intent, LineMention, Qualifier, RequestedTime,
};
use kea_core::menu::{Category, Item, Menu, ModOption, ModifierGroup, Variation};

fn var(code: &str, price: i64) -> Variation {
    Variation {
        code: code.into(),
        name: code.replace('_', " "),
        price_cents: price,
        available: true,
        ..Default::default()
    }
}

fn opt(code: &str, aliases: &[&str]) -> ModOption {
    ModOption {
        code: code.into(),
        name: code.replace('_', " "),
        aliases: aliases.iter().map(|s| s.to_string()).collect(),
        available: true,
        ..Default::default()
    }
}

fn item(code: &str, name: &str, cat: &str, vars: &[&str], groups: &[&str]) -> Item {
    Item {
        code: code.into(),
        name: name.into(),
        category: Some(cat.into()),
        variations: vars.iter().map(|v| var(v, 1000)).collect(),
        groups: groups.iter().map(|s| s.to_string()).collect(),
        available: true,
        price_cents: 500,
        ..Default::default()
    }
}

/// A pizzeria as a merchant would enter it.
fn restaurant() -> CompiledMenu {
    let sizes = ["small", "medium", "large"];
    let pizza_groups = ["toppings", "crust"];
    let mut menu = Menu {
        name: "Luigi's".into(),
        categories: vec![
            Category {
                code: "pizzas".into(),
                name: "Pizzas".into(),
                aliases: vec!["pizza".into(), "pie".into()],
                ..Default::default()
            },
            Category {
                code: "drinks".into(),
                name: "Drinks".into(),
                aliases: vec!["soda".into(), "drink".into()],
                ..Default::default()
            },
            Category {
                code: "sides".into(),
                name: "Sides".into(),
                ..Default::default()
            },
        ],
        items: vec![
            item(
                "cheese_pizza",
                "Cheese Pizza",
                "pizzas",
                &sizes,
                &pizza_groups,
            ),
            item(
                "pepperoni_pizza",
                "Pepperoni Pizza",
                "pizzas",
                &sizes,
                &pizza_groups,
            ),
            item(
                "veggie_pizza",
                "Veggie Pizza",
                "pizzas",
                &sizes,
                &pizza_groups,
            ),
            item("coke", "Coke", "drinks", &sizes, &[]),
            item("sprite", "Sprite", "drinks", &sizes, &[]),
            item("garlic_knots", "Garlic Knots", "sides", &[], &[]),
        ],
        groups: vec![
            ModifierGroup {
                code: "toppings".into(),
                name: "Toppings".into(),
                qualified: true,
                negatable: true,
                options: vec![
                    opt("pepperoni", &[]),
                    opt("mushrooms", &["mushroom"]),
                    opt("onions", &["onion"]),
                    opt("ham", &[]),
                    opt("olives", &["olive", "black olives"]),
                    opt("extra_cheese", &["cheese"]),
                    opt("green_peppers", &["green pepper", "peppers"]),
                ],
                ..Default::default()
            },
            ModifierGroup {
                code: "crust".into(),
                name: "Crust".into(),
                min: 1,
                max: 1,
                options: vec![
                    opt("thin_crust", &["thin", "thin crust"]),
                    opt("thick_crust", &["thick", "thick crust", "deep dish"]),
                ],
                ..Default::default()
            },
        ],
        ..Default::default()
    };
    menu.items[3].aliases = vec!["coca cola".into(), "cola".into()];
    CompiledMenu::new(menu)
}

/// A slot-style menu: one drink item whose kind is an option (FoodOrdering style).
fn slot_menu() -> CompiledMenu {
    let menu = Menu {
        items: vec![
            Item {
                code: "PIZZAORDER".into(),
                name: "pizza".into(),
                aliases: vec!["pizza".into(), "pie".into()],
                groups: vec!["SIZE".into(), "TOPPING".into()],
                available: true,
                ..Default::default()
            },
            Item {
                code: "DRINKORDER".into(),
                name: "drink".into(),
                aliases: vec!["drink".into()],
                groups: vec!["SIZE".into(), "DRINKTYPE".into()],
                available: true,
                ..Default::default()
            },
        ],
        groups: vec![
            ModifierGroup {
                code: "SIZE".into(),
                name: "size".into(),
                options: vec![opt("small", &[]), opt("large", &[])],
                suffixes: vec!["sized".into()],
                ..Default::default()
            },
            ModifierGroup {
                code: "TOPPING".into(),
                name: "topping".into(),
                qualified: true,
                negatable: true,
                options: vec![
                    opt("ham", &[]),
                    opt("olives", &["olive"]),
                    opt("cheese", &[]),
                    opt("fresh_tomato_salsa", &["fresh tomato salsa"]),
                ],
                ..Default::default()
            },
            ModifierGroup {
                code: "DRINKTYPE".into(),
                name: "drink type".into(),
                options: vec![opt("coke", &["coke"]), opt("dr_pepper", &["dr pepper"])],
                ..Default::default()
            },
        ],
        ..Default::default()
    };
    CompiledMenu::new(menu)
}

fn one(ext: &Extraction) -> &LineMention {
    assert_eq!(ext.lines.len(), 1, "{ext:#?}");
    &ext.lines[0]
}

fn mods(l: &LineMention) -> Vec<(String, Option<Qualifier>, bool)> {
    let mut v: Vec<_> = l
        .modifiers
        .iter()
        .map(|m| (m.option.clone(), m.qualifier, m.negated))
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

#[test]
fn items_quantities_sizes_and_several_lines() {
    let cm = restaurant();
    let e = cm.extract("two large pepperoni pizzas and a coke");
    assert_eq!(e.lines.len(), 2, "{e:#?}");
    assert_eq!(e.lines[0].item.as_deref(), Some("pepperoni_pizza"));
    assert_eq!(e.lines[0].quantity, 2);
    assert!(e.lines[0].quantity_explicit);
    assert_eq!(e.lines[0].variation.as_deref(), Some("large"));
    assert!(
        e.lines[0].modifiers.is_empty(),
        "longest alias wins: {e:#?}"
    );
    assert_eq!(e.lines[1].item.as_deref(), Some("coke"));
    assert_eq!(e.lines[1].quantity, 1);
    assert_eq!(e.lines[1].variation, None, "no size said: the dialog asks");
    assert_eq!(e.lines[0].confidence, 1.0);
    assert!(e.unmatched.is_empty(), "{e:#?}");
}

#[test]
fn quantity_words() {
    let cm = restaurant();
    for (text, q) in [
        ("a sprite", 1),
        ("an order of garlic knots", 1),
        ("3 sprites", 3),
        ("twelve garlic knots", 12),
        ("a couple of cokes", 2),
        ("a dozen garlic knots", 12),
        ("half a dozen garlic knots", 6),
    ] {
        let e = cm.extract(text);
        assert_eq!(one(&e).quantity, q, "{text}: {e:#?}");
        assert!(one(&e).item.is_some(), "{text}");
    }
    let e = cm.extract("garlic knots");
    assert_eq!(one(&e).quantity, 1);
    assert!(!one(&e).quantity_explicit);
}

#[test]
fn modifiers_qualifiers_and_negation() {
    let cm = restaurant();
    let e = cm.extract("a large cheese pizza with extra mushrooms light onions and no olives");
    let l = one(&e);
    assert_eq!(l.item.as_deref(), Some("cheese_pizza"));
    assert_eq!(
        mods(l),
        vec![
            ("mushrooms".into(), Some(Qualifier::Extra), false),
            ("olives".into(), None, true),
            ("onions".into(), Some(Qualifier::Light), false),
        ]
    );
    for text in [
        "a veggie pizza without onions",
        "a veggie pizza hold the onions",
        "a veggie pizza and i don't want onions",
    ] {
        let e = cm.extract(text);
        assert_eq!(
            mods(one(&e)),
            vec![("onions".into(), None, true)],
            "{text}: {e:#?}"
        );
    }
    let e = cm.extract("a cheese pizza with a little ham and double pepperoni");
    assert_eq!(
        mods(one(&e)),
        vec![
            ("ham".into(), Some(Qualifier::Light), false),
            ("pepperoni".into(), Some(Qualifier::Double), false),
        ]
    );
    let e = cm.extract("a medium cheese pizza thin crust");
    assert_eq!(mods(one(&e)), vec![("thin_crust".into(), None, false)]);
}

#[test]
fn shared_attributes_split_across_lines() {
    let cm = restaurant();
    let e = cm.extract("two large cheese pizzas one with ham and one with olives");
    assert_eq!(e.lines.len(), 2, "{e:#?}");
    for (l, top) in e.lines.iter().zip(["ham", "olives"]) {
        assert_eq!(l.item.as_deref(), Some("cheese_pizza"));
        assert_eq!(l.quantity, 1);
        assert_eq!(l.variation.as_deref(), Some("large"));
        assert_eq!(mods(l), vec![(top.to_string(), None, false)]);
    }
}

#[test]
fn attributes_only_leave_item_open() {
    let cm = restaurant();
    let e = cm.extract("a large");
    assert_eq!(one(&e).item, None);
    assert_eq!(one(&e).variation.as_deref(), Some("large"));
    let e = cm.extract("with mushrooms");
    assert_eq!(one(&e).item, None);
    assert_eq!(mods(one(&e)), vec![("mushrooms".into(), None, false)]);
    let e = cm.extract("thin crust");
    assert_eq!(one(&e).item, None);
    // A category word narrows but does not choose: the dialog asks which pizza.
    let e = cm.extract("two large pizzas");
    assert_eq!(one(&e).item, None);
    assert_eq!(one(&e).quantity, 2);
    assert_eq!(one(&e).variation.as_deref(), Some("large"));
}

#[test]
fn item_inferred_from_an_option_only_one_item_has() {
    let cm = slot_menu();
    let e = cm.extract("a coke and two large ham pies");
    assert_eq!(e.lines.len(), 2, "{e:#?}");
    assert_eq!(e.lines[0].item.as_deref(), Some("DRINKORDER"));
    assert_eq!(mods(&e.lines[0]), vec![("coke".into(), None, false)]);
    assert_eq!(e.lines[1].item.as_deref(), Some("PIZZAORDER"));
    assert_eq!(e.lines[1].quantity, 2);
    // An option of another item opens a new line even without a number.
    let e = cm.extract("a pizza with olives and coke");
    assert_eq!(e.lines.len(), 2, "{e:#?}");
    assert_eq!(e.lines[1].item.as_deref(), Some("DRINKORDER"));
}

#[test]
fn partial_aliases_and_misrecognitions() {
    let cm = slot_menu();
    let e = cm.extract("a pizza with tomato salsa");
    assert_eq!(
        mods(one(&e)),
        vec![("fresh_tomato_salsa".into(), None, false)]
    );
    assert!(one(&e).confidence < 1.0);
    let cm = restaurant();
    let e = cm.extract("a large peperoni pizza with mushrom");
    let l = one(&e);
    assert_eq!(l.item.as_deref(), Some("pepperoni_pizza"));
    assert_eq!(mods(l), vec![("mushrooms".into(), None, false)]);
    assert!(l.confidence < 1.0 && l.confidence >= 0.5, "{l:#?}");
}

#[test]
fn fillers_plurals_and_unmatched_words() {
    let cm = restaurant();
    let e = cm.extract("um uh like can I get uh two Cokes, please");
    assert_eq!(one(&e).item.as_deref(), Some("coke"));
    assert_eq!(one(&e).quantity, 2);
    assert!(e.unmatched.is_empty(), "{e:#?}");
    let e = cm.extract("a lasagna and a sprite");
    assert_eq!(one(&e).item.as_deref(), Some("sprite"));
    assert_eq!(e.unmatched.len(), 1);
    assert_eq!(e.unmatched[0].text, "lasagna");
}

#[test]
fn done_yes_no() {
    let cm = restaurant();
    for t in [
        "that's all",
        "that's it",
        "nothing else",
        "that will be it thanks",
    ] {
        assert_eq!(cm.extract(t).intents, vec![Intent::Done], "{t}");
    }
    assert_eq!(
        cm.extract("no that's it").intents,
        vec![Intent::No, Intent::Done]
    );
    for t in ["yeah", "yep", "correct", "sure", "yes please"] {
        assert_eq!(cm.extract(t).intents, vec![Intent::Yes], "{t}");
    }
    assert_eq!(cm.extract("nope").intents, vec![Intent::No]);
    // In an order, "no" negates an option instead.
    let e = cm.extract("no onions");
    assert!(e.intents.is_empty());
    assert_eq!(mods(one(&e)), vec![("onions".into(), None, true)]);
}

#[test]
fn remove_change_and_modify() {
    let cm = restaurant();
    assert_eq!(
        cm.extract("remove the coke").intents,
        vec![Intent::Remove {
            item: Some("coke".into())
        }]
    );
    let e = cm.extract("make that three");
    assert_eq!(
        e.intents,
        vec![Intent::SetQuantity {
            item: None,
            quantity: 3
        }]
    );
    assert!(e.lines.is_empty());
    let e = cm.extract("actually a medium");
    match &e.intents[..] {
        [Intent::Modify {
            item: None,
            changes,
        }] => {
            assert_eq!(changes.variation.as_deref(), Some("medium"))
        }
        other => panic!("{other:#?}"),
    }
    assert!(e.lines.is_empty());
    let e = cm.extract("actually make the pepperoni pizza a medium");
    match &e.intents[..] {
        [Intent::Modify { item, changes }] => {
            assert_eq!(item.as_deref(), Some("pepperoni_pizza"));
            assert_eq!(changes.variation.as_deref(), Some("medium"));
        }
        other => panic!("{other:#?}"),
    }
    let e = cm.extract("actually no onions");
    match &e.intents[..] {
        [Intent::Modify { changes, .. }] => {
            assert_eq!(mods(changes), vec![("onions".into(), None, true)])
        }
        other => panic!("{other:#?}"),
    }
}

#[test]
fn other_dialog_acts() {
    let cm = restaurant();
    assert_eq!(
        cm.extract("can i talk to a real person").intents,
        vec![Intent::Human]
    );
    assert_eq!(
        cm.extract("sorry can you repeat that").intents,
        vec![Intent::Repeat]
    );
    assert_eq!(cm.extract("when are you open").intents, vec![Intent::Hours]);
    assert_eq!(cm.extract("cancel my order").intents, vec![Intent::Cancel]);
    assert_eq!(
        cm.extract("do you have garlic knots").intents,
        vec![Intent::MenuQuestion {
            about: Some("garlic_knots".into())
        }]
    );
    let e = cm.extract("what kind of pizzas do you have");
    assert!(
        matches!(e.intents[0], Intent::MenuQuestion { .. }),
        "{e:#?}"
    );
    assert!(e.lines.is_empty());
}

#[test]
fn details() {
    let cm = restaurant();
    let e = cm.extract("it's for pickup my name is John");
    assert_eq!(e.details.fulfillment, Some(Fulfillment::Pickup));
    assert_eq!(e.details.name.as_deref(), Some("John"));
    let e = cm.extract("it's for Maria");
    assert_eq!(e.details.name.as_deref(), Some("Maria"));
    let e = cm.extract("this is Sam");
    assert_eq!(e.details.name.as_deref(), Some("Sam"));
    let e = cm.extract("my name is will and i'd like a coke");
    assert_eq!(e.details.name.as_deref(), Some("Will"));
    assert_eq!(one(&e).item.as_deref(), Some("coke"));
    let e = cm.extract("this is for pickup");
    assert_eq!(e.details.name, None);
    assert_eq!(e.details.fulfillment, Some(Fulfillment::Pickup));
    let e = cm.extract("my number is five five five one two three four");
    assert_eq!(e.details.phone.as_deref(), Some("5551234"));
    let e = cm.extract("call me at 555 867 5309");
    assert_eq!(e.details.phone.as_deref(), Some("5558675309"));
    assert!(e.lines.is_empty(), "{e:#?}");
    let e = cm.extract("deliver to 12 Main Street please");
    assert_eq!(e.details.fulfillment, Some(Fulfillment::Delivery));
    assert_eq!(e.details.address.as_deref(), Some("12 main street"));
    assert!(e.lines.is_empty(), "{e:#?}");
    let e = cm.extract("in 20 minutes");
    assert_eq!(
        e.details.time,
        Some(RequestedTime::InMinutes { minutes: 20 })
    );
    let e = cm.extract("can i pick it up at six thirty");
    assert_eq!(
        e.details.time,
        Some(RequestedTime::At {
            hour: 6,
            minute: 30
        })
    );
    assert_eq!(e.details.fulfillment, Some(Fulfillment::Pickup));
    let e = cm.extract("asap");
    assert_eq!(e.details.time, Some(RequestedTime::Asap));
    // A number before menu words stays a quantity.
    let e = cm.extract("a large pizza and two cokes for delivery");
    assert_eq!(e.lines.len(), 2, "{e:#?}");
    assert_eq!(e.details.fulfillment, Some(Fulfillment::Delivery));
}

#[test]
fn suggest_names_close_items() {
    let cm = restaurant();
    let s = cm.suggest("pepperoni pie", 2);
    assert_eq!(s[0], "pepperoni_pizza");
    let s = cm.suggest("garlic bread", 1);
    assert_eq!(s, vec!["garlic_knots".to_string()]);
}

#[test]
fn pronoun_one_takes_the_item_before() {
    let cm = restaurant();
    let e = cm.extract("a small coke and a large one");
    assert_eq!(e.lines.len(), 2, "{e:#?}");
    assert_eq!(e.lines[1].item.as_deref(), Some("coke"));
    assert_eq!(e.lines[1].variation.as_deref(), Some("large"));
}

#[test]
fn amending_the_line_being_said() {
    let cm = restaurant();
    let e = cm.extract("a cheese pizza and make it large with no olives");
    let l = one(&e);
    assert_eq!(l.item.as_deref(), Some("cheese_pizza"));
    assert_eq!(l.variation.as_deref(), Some("large"));
    assert_eq!(mods(l), vec![("olives".into(), None, true)]);
    assert!(e.intents.is_empty(), "{e:#?}");
}

#[test]
fn coordinated_words_share_a_head() {
    let menu = Menu {
        items: vec![Item {
            code: "bowl".into(),
            name: "bowl".into(),
            groups: vec!["beans".into()],
            available: true,
            ..Default::default()
        }],
        groups: vec![ModifierGroup {
            code: "beans".into(),
            name: "beans".into(),
            options: vec![
                opt("black_beans", &["black beans"]),
                opt("pinto_beans", &["pinto beans"]),
            ],
            ..Default::default()
        }],
        ..Default::default()
    };
    let cm = CompiledMenu::new(menu);
    let e = cm.extract("a bowl with black and pinto beans");
    assert_eq!(
        mods(one(&e)),
        vec![
            ("black_beans".into(), None, false),
            ("pinto_beans".into(), None, false)
        ]
    );
    assert!(e.unmatched.is_empty(), "{e:#?}");
}

#[test]
fn spoken_form_decides_between_aliases_sharing_a_stem() {
    let menu = Menu {
        items: vec![Item {
            code: "burrito".into(),
            name: "burrito".into(),
            groups: vec!["filling".into(), "extras".into()],
            available: true,
            ..Default::default()
        }],
        groups: vec![
            ModifierGroup {
                code: "filling".into(),
                name: "filling".into(),
                options: vec![opt("veggie", &["veggie"])],
                ..Default::default()
            },
            ModifierGroup {
                code: "extras".into(),
                name: "extras".into(),
                options: vec![opt("fajita_veggies", &["veggies", "fajita veggies"])],
                ..Default::default()
            },
        ],
        ..Default::default()
    };
    let cm = CompiledMenu::new(menu);
    let e = cm.extract("a veggie burrito with veggies");
    let got: Vec<_> = one(&e)
        .modifiers
        .iter()
        .map(|m| (m.group.as_str(), m.option.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![("filling", "veggie"), ("extras", "fajita_veggies")]
    );
}

#[test]
fn measure_words_do_not_open_lines() {
    let cm = slot_menu();
    let e = cm.extract("a large pizza with two scoops of olives");
    assert_eq!(one(&e).item.as_deref(), Some("PIZZAORDER"));
    assert_eq!(mods(one(&e)).len(), 2, "{e:#?}");
}

#[test]
fn same_item_named_twice() {
    let cm = slot_menu();
    // Parallel mentions are two lines...
    let e = cm.extract("a ham pie and olive pie");
    assert_eq!(e.lines.len(), 2, "{e:#?}");
    assert_eq!(mods(&e.lines[1]), vec![("olives".into(), None, false)]);
    // ...a trailing repetition of the item is the same line.
    let e = cm.extract("a pie with ham and olive pizza");
    assert_eq!(mods(one(&e)).len(), 2, "{e:#?}");
}
