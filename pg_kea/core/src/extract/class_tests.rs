//! The classes of failure first seen on menus written blind (issue 16), each on a small menu
//! made here in the shape owners type into a POS: no dish, brand or venue of those menus.

use super::*;
use crate::menu::{Category, Item, Menu, ModOption, ModifierGroup, Variation};

fn code(name: &str) -> String {
    name.to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect::<String>()
        .split('_')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

/// An item named as typed, with sizes (by name) and group codes.
fn item(name: &str, sizes: &[&str], groups: &[&str]) -> Item {
    Item {
        code: code(name),
        name: name.into(),
        category: Some("all".into()),
        variations: sizes
            .iter()
            .map(|s| Variation {
                code: code(s),
                name: (*s).into(),
                price_cents: 100,
                available: true,
                ..Default::default()
            })
            .collect(),
        groups: groups.iter().map(|g| (*g).into()).collect(),
        available: true,
        ..Default::default()
    }
}

/// A group (code, how many may be chosen) with options named as typed.
fn group(code_: &str, max: u32, options: &[&str]) -> ModifierGroup {
    ModifierGroup {
        code: code_.into(),
        name: code_.replace('_', " "),
        max,
        qualified: true,
        negatable: true,
        options: options
            .iter()
            .map(|o| ModOption {
                code: code(o),
                name: (*o).into(),
                available: true,
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

fn menu(items: Vec<Item>, groups: Vec<ModifierGroup>) -> CompiledMenu {
    CompiledMenu::new(Menu {
        categories: vec![Category {
            code: "all".into(),
            name: "Menu".into(),
            ..Default::default()
        }],
        items,
        groups,
        ..Default::default()
    })
}

/// "2 coffee@large milk=oat" (options sorted, "!" for a negated one), one per line.
fn said(m: &CompiledMenu, text: &str) -> Vec<String> {
    m.extract(text)
        .lines
        .iter()
        .map(|l| {
            let mut mods: Vec<String> = l
                .modifiers
                .iter()
                .map(|x| {
                    format!(
                        "{}{}={}",
                        if x.negated { "!" } else { "" },
                        x.group,
                        x.option
                    )
                })
                .collect();
            mods.sort();
            let item = match (&l.item, l.candidates.is_empty()) {
                (Some(i), _) => i.clone(),
                (None, false) => l.candidates.join("|"),
                (None, true) => "?".into(),
            };
            let mut s = format!(
                "{} {}@{}",
                l.quantity,
                item,
                l.variation.as_deref().unwrap_or("")
            );
            for x in mods {
                s.push(' ');
                s.push_str(&x);
            }
            s
        })
        .collect()
}

fn grill() -> CompiledMenu {
    menu(
        vec![
            item("Drip Coffee", &["Small", "Medium", "Large"], &["milk"]),
            item("Steak Plate", &[], &["doneness"]),
            item("Nuggets", &["8 pc", "12 pc"], &["dip"]),
            item("Spicy Nuggets", &["8 pc", "12 pc"], &["dip"]),
            item(
                "Family Box (30 Nuggets, 2 Lg Fries, 3 Dips)",
                &[],
                &["box_style"],
            ),
            item("Fries", &["Regular", "Large"], &[]),
        ],
        vec![
            group("milk", 0, &["Oat Milk", "Whole Milk"]),
            group("doneness", 1, &["Rare", "Medium", "Well Done"]),
            group("dip", 0, &["Ranch", "Honey Mustard"]),
            group("box_style", 1, &["Spicy", "Classic"]),
        ],
    )
}

#[test]
fn a_size_word_is_the_size_of_the_item_that_has_it() {
    let m = grill();
    assert_eq!(said(&m, "a medium coffee"), ["1 drip_coffee@medium"]);
    assert_eq!(
        said(&m, "coffee, medium, with oat milk"),
        ["1 drip_coffee@medium milk=oat_milk"]
    );
    // Where the item takes the option and no size, it stays the option.
    assert_eq!(
        said(&m, "a steak plate medium"),
        ["1 steak_plate@ doneness=medium"]
    );
}

#[test]
fn a_correction_that_is_only_a_size_replaces_the_size() {
    let m = grill();
    assert_eq!(
        said(&m, "a medium coffee, no wait, large"),
        ["1 drip_coffee@large"]
    );
}

#[test]
fn a_list_in_brackets_describes_the_item_and_names_nothing() {
    let m = grill();
    assert_eq!(said(&m, "a large fries"), ["1 fries@large"]);
    assert_eq!(
        said(&m, "a family box"),
        ["1 family_box_30_nuggets_2_lg_fries_3_dips@"]
    );
}

#[test]
fn a_count_that_names_a_size_is_the_size() {
    let m = grill();
    assert_eq!(
        said(&m, "twelve nuggets with ranch"),
        ["1 nuggets@12_pc dip=ranch"]
    );
    assert_eq!(said(&m, "8 spicy nuggets"), ["1 spicy_nuggets@8_pc"]);
    // "spicy" is the box's style too; the count names a size of the nuggets only.
    assert_eq!(said(&m, "eight spicy"), ["1 spicy_nuggets@8_pc"]);
    // A count no size has stays a count.
    assert_eq!(said(&m, "three nuggets"), ["3 nuggets@"]);
}

fn breakfast() -> CompiledMenu {
    let mut groups = vec![
        group("bread", 1, &["White", "Wheat", "Rye"]),
        group("potato", 1, &["Home Fries", "Fruit Cup"]),
        group("egg_style", 1, &["Scrambled", "Over Easy"]),
        group("sandwich_egg", 1, &["Fried", "Egg Whites"]),
        group("spice", 1, &["Not Spicy", "Mild", "Hot"]),
        group("milk", 1, &["2% Milk", "Oat Milk"]),
    ];
    // A POS alias that is only a number ("two" for 2% milk).
    groups[5].options[0].aliases = vec!["two".into()];
    menu(
        vec![
            item("Farm Breakfast", &[], &["bread", "potato", "egg_style"]),
            item("Toast", &[], &["bread"]),
            item("Home Fries", &[], &[]),
            item("Egg Sandwich", &[], &["sandwich_egg"]),
            item("Noodle Bowl", &[], &["spice"]),
            item("Latte", &[], &["milk"]),
        ],
        groups,
    )
}

#[test]
fn an_item_named_after_an_option_of_its_own_choice_says_what_the_option_is() {
    let m = breakfast();
    assert_eq!(
        said(&m, "a farm breakfast with wheat toast and home fries"),
        ["1 farm_breakfast@ bread=wheat potato=home_fries"]
    );
    // Said on its own, it is the item.
    assert_eq!(said(&m, "wheat toast"), ["1 toast@ bread=wheat"]);
}

#[test]
fn a_piece_of_names_before_an_option_of_the_line_describes_it() {
    let m = breakfast();
    // "eggs" is a piece of the Egg Whites option, which the farm breakfast does not take.
    assert!(
        m.explain("eggs").contains("option sandwich_egg=egg_whites"),
        "{}",
        m.explain("eggs")
    );
    assert_eq!(
        said(&m, "a farm breakfast with the eggs over easy"),
        ["1 farm_breakfast@ egg_style=over_easy"]
    );
}

#[test]
fn a_piece_that_drops_a_negation_is_no_piece() {
    let m = breakfast();
    assert_eq!(
        said(&m, "a noodle bowl not spicy"),
        ["1 noodle_bowl@ spice=not_spicy"]
    );
    assert_eq!(said(&m, "a noodle bowl spicy"), ["1 noodle_bowl@"]);
}

#[test]
fn a_number_alias_before_a_menu_word_is_a_count() {
    let m = breakfast();
    assert_eq!(
        said(&m, "two lattes with oat milk"),
        ["2 latte@ milk=oat_milk"]
    );
    assert_eq!(said(&m, "a latte with 2% milk"), ["1 latte@ milk=2_milk"]);
}

#[test]
fn an_option_ordered_as_a_thing_names_the_item_it_is_the_kind_of() {
    let m = menu(
        vec![
            item("Fountain Drink", &[], &["flavor"]),
            item("Burger Combo", &[], &["combo_drink", "doneness"]),
            item("Chicken Combo", &[], &["combo_drink"]),
        ],
        vec![
            group("flavor", 1, &["Cola", "Lemonade"]),
            group("combo_drink", 1, &["Cola", "Lemonade"]),
            group("doneness", 1, &["Medium", "Well Done"]),
        ],
    );
    assert_eq!(
        said(&m, "a lemonade"),
        ["1 fountain_drink@ flavor=lemonade"]
    );
    assert_eq!(said(&m, "two colas"), ["2 fountain_drink@ flavor=cola"]);
    // Said with a combo, it is the combo's drink.
    assert_eq!(
        said(&m, "a chicken combo with a cola"),
        ["1 chicken_combo@ combo_drink=cola"]
    );
}

#[test]
fn a_yes_that_opens_a_request_is_no_answer() {
    let m = breakfast();
    for text in [
        "yeah can i get a latte",
        "yes um let me get a latte",
        "yeah i'll have a latte",
    ] {
        let e = m.extract(text);
        assert!(e.intents.is_empty(), "{text}: {:?}", e.intents);
        assert_eq!(e.lines.len(), 1, "{text}");
    }
    let e = m.extract("yes a latte too");
    assert_eq!(e.intents, [Intent::Yes]);
}

#[test]
fn a_family_name_means_its_one_plain_member() {
    let m = menu(
        vec![
            item("Classic Waffle", &[], &[]),
            item("Pecan Waffle", &[], &[]),
            item("Cheese Bun", &[], &[]),
            item("Garlic Bun", &[], &[]),
            item("Plain Bun", &[], &[]),
            item("Plain Bun Deluxe", &[], &[]),
        ],
        vec![],
    );
    assert_eq!(said(&m, "a waffle"), ["1 classic_waffle@"]);
    // A family of more than two is asked about.
    assert_eq!(
        said(&m, "a bun"),
        ["1 cheese_bun|garlic_bun|plain_bun|plain_bun_deluxe@"]
    );
}

/// A family in a category of its own: the plain base ("Cheese Flatbread"), named variants and
/// a required choice that is no addition.
fn flatbreads() -> CompiledMenu {
    let in_cat = |mut i: Item| {
        i.category = Some("flatbreads".into());
        i
    };
    let sizes = &["Sm 10\"", "Lg 14\""];
    let mut bake = group("bake", 1, &["Crispy", "Soft"]);
    bake.min = 1;
    CompiledMenu::new(Menu {
        categories: vec![Category {
            code: "flatbreads".into(),
            name: "Flatbreads".into(),
            ..Default::default()
        }],
        items: vec![
            in_cat(item("Cheese Flatbread", sizes, &["toppings", "bake"])),
            in_cat(item("Fig Flatbread", sizes, &["toppings", "bake"])),
            in_cat(item("Chkn Pesto Flatbread", sizes, &["toppings", "bake"])),
            in_cat(item("Harvest (Squash, Sage)", sizes, &["toppings", "bake"])),
        ],
        groups: vec![group("toppings", 0, &["Olives", "Mushrooms"]), bake],
        ..Default::default()
    })
}

#[test]
fn additions_ordered_for_a_family_go_on_its_plain_base() {
    let m = flatbreads();
    // Nothing named, a count or article and additions: the plain base.
    assert_eq!(
        said(&m, "a large with olives"),
        ["1 cheese_flatbread@lg_14 toppings=olives"]
    );
    assert_eq!(
        said(&m, "two large mushroom and olive"),
        ["2 cheese_flatbread@lg_14 toppings=mushrooms toppings=olives"]
    );
    // The family named, of more than two, with additions: the plain base too.
    assert_eq!(
        said(&m, "a small flatbread with mushrooms"),
        ["1 cheese_flatbread@sm_10 toppings=mushrooms"]
    );
    // No additions: still asked about.
    assert_eq!(
        said(&m, "a small flatbread"),
        ["1 cheese_flatbread|fig_flatbread|chkn_pesto_flatbread@sm_10"]
    );
    // A required choice is no addition, and "one of those" points at a thing already said.
    assert!(said(&m, "a large crispy")[0].contains('|'));
    assert!(said(&m, "one of those with olives")[0].contains('|'));
}

#[test]
fn a_piece_shared_with_a_mix_of_options_names_the_single_option() {
    let m = menu(
        vec![item("Crispy Thighs", &[], &["glaze"])],
        vec![group(
            "glaze",
            1,
            &["Garlic Herb", "Red Chili", "Mixed (Garlic Herb / Chili)"],
        )],
    );
    assert_eq!(
        said(&m, "crispy thighs chili"),
        ["1 crispy_thighs@ glaze=red_chili"]
    );
    // The mix is still named by its own name.
    assert_eq!(
        said(&m, "crispy thighs mixed"),
        ["1 crispy_thighs@ glaze=mixed_garlic_herb_chili"]
    );
}

#[test]
fn a_percentage_alone_is_said_with_what_it_is_of() {
    let mut sugar = group("sugar", 1, &["0%", "50%", "100%"]);
    sugar.name = "Sugar Level".into();
    let m = menu(
        vec![
            item("Milk Tea", &[], &["sugar"]),
            item("Rice Bowl", &[], &["toppings"]),
            item("Roast Duck", &["Half (4 pc)", "Whole (8 pc)"], &[]),
        ],
        vec![sugar, group("toppings", 0, &["Sesame Seeds", "Scallions"])],
    );
    assert_eq!(said(&m, "a milk tea half sugar"), ["1 milk_tea@ sugar=50"]);
    assert_eq!(said(&m, "a milk tea no sugar"), ["1 milk_tea@ sugar=0"]);
    assert_eq!(said(&m, "a milk tea zero percent"), ["1 milk_tea@ sugar=0"]);
    // "no" and "half" alone are no sugar level.
    assert_eq!(
        said(&m, "a rice bowl with no sesame seeds"),
        ["1 rice_bowl@ !toppings=sesame_seeds"]
    );
    assert_eq!(said(&m, "a half roast duck"), ["1 roast_duck@half_4_pc"]);
}

#[test]
fn pieces_counted_are_orders_of_a_size_that_counts_pieces() {
    let m = menu(
        vec![
            item("Scallop", &["Seared 2 pc", "Raw 3 pc"], &[]),
            item("Squid", &["Seared 2 pc", "Raw 3 pc"], &[]),
        ],
        vec![],
    );
    assert_eq!(
        said(&m, "six pieces of scallop raw"),
        ["2 scallop@raw_3_pc"]
    );
    assert_eq!(
        said(&m, "four pieces of squid seared"),
        ["2 squid@seared_2_pc"]
    );
    // Without "pieces" the count is of orders.
    assert_eq!(said(&m, "two squid seared"), ["2 squid@seared_2_pc"]);
}

#[test]
fn an_amount_in_brackets_is_no_name() {
    let m = menu(
        vec![
            item("Chili Oil (Extra)", &[], &[]),
            item("Noodles", &[], &["toppings"]),
        ],
        vec![group("toppings", 0, &["Scallions", "Chili Oil"])],
    );
    let e = m.extract("noodles with extra scallions");
    assert_eq!(
        e.lines.len(),
        1,
        "{:?}",
        said(&m, "noodles with extra scallions")
    );
    assert_eq!(e.lines[0].modifiers[0].qualifier, Some(Qualifier::Extra));
    assert_eq!(said(&m, "noodles and a chili oil").len(), 2);
}

#[test]
fn a_number_said_after_a_phone_cue_is_the_phone_not_a_time() {
    let m = grill();
    for text in [
        "text me at 415 555 0123",
        "send it to 415 555 0123",
        "you can reach me at four one five five five five zero one two three",
        "two fries and text me at 415 555 0123",
    ] {
        let e = m.extract(text);
        assert_eq!(e.details.phone.as_deref(), Some("4155550123"), "{text}");
        assert_eq!(e.details.time, None, "{text}");
    }
    // "at NNN" followed by more digits is no time even without a phone cue.
    let e = m.extract("a large fries, it's at 415 555 0123");
    assert_eq!(e.details.phone.as_deref(), Some("4155550123"));
    assert_eq!(e.details.time, None);
    assert_eq!(
        said(&m, "two fries and text me at 415 555 0123"),
        ["2 fries@"]
    );
    // A time after "at" stays a time, an address after "send it to" an address.
    assert!(matches!(
        m.extract("two fries at 6:30").details.time,
        Some(RequestedTime::At { minute: 30, .. })
    ));
    let e = m.extract("send it to 412 main street");
    assert_eq!(e.details.phone, None);
    assert_eq!(e.details.address.as_deref(), Some("412 main street"));
}

#[test]
fn amount_phrases_qualify_the_option() {
    let m = grill();
    for (text, q) in [
        (
            "a small coffee with just a touch of oat milk",
            Qualifier::Light,
        ),
        ("a small coffee, go light on the oat milk", Qualifier::Light),
        (
            "a small coffee with a little less oat milk",
            Qualifier::Light,
        ),
        ("a small coffee, go heavy on the oat milk", Qualifier::Extra),
        (
            "a small coffee and double up on the oat milk",
            Qualifier::Double,
        ),
    ] {
        let e = m.extract(text);
        assert_eq!(
            said(&m, text),
            ["1 drip_coffee@small milk=oat_milk"],
            "{text}"
        );
        assert_eq!(e.lines[0].modifiers[0].qualifier, Some(q), "{text}");
    }
}

#[test]
fn make_it_inside_the_line_replaces_a_single_choice_or_the_count() {
    let m = grill();
    // A single-choice group: the value said after "make it" replaces the one before.
    assert_eq!(
        said(&m, "a steak plate rare, actually make it well done"),
        ["1 steak_plate@ doneness=well_done"]
    );
    assert_eq!(
        said(&m, "a steak plate rare wait make it medium"),
        ["1 steak_plate@ doneness=medium"]
    );
    // A many-choice group keeps both.
    assert_eq!(
        said(&m, "eight nuggets with ranch and make it honey mustard"),
        ["1 nuggets@8_pc dip=honey_mustard dip=ranch"]
    );
    // A count alone after the cue is the line's count.
    assert_eq!(
        said(&m, "a steak plate well done, actually make it two"),
        ["2 steak_plate@ doneness=well_done"]
    );
    // A count with a menu word after it is still a line of its own.
    assert_eq!(said(&m, "a steak plate, and make it two fries").len(), 2);
}

#[test]
fn a_size_in_inches_is_the_size_not_a_count() {
    let m = menu(
        vec![
            item(
                "Cheese Pie",
                &["Sm 12\"", "Med 14\"", "XL 18 in"],
                &["toppings"],
            ),
            item(
                "Garden Pie",
                &["Sm 12\"", "Med 14\"", "XL 18 in"],
                &["toppings"],
            ),
            item("Hero", &["6\"", "Footlong"], &[]),
        ],
        vec![group("toppings", 0, &["Bacon", "Onions"])],
    );
    assert_eq!(
        said(&m, "fourteen inch garden pie"),
        ["1 garden_pie@med_14"]
    );
    assert_eq!(
        said(&m, "two eighteen inch cheese pies with bacon"),
        ["2 cheese_pie@xl_18_in toppings=bacon"]
    );
    assert_eq!(said(&m, "a 12 inch garden pie"), ["1 garden_pie@sm_12"]);
    assert_eq!(said(&m, "a six inch hero"), ["1 hero@6"]);
    // The size's name without the measure is still the size.
    assert_eq!(said(&m, "a medium garden pie"), ["1 garden_pie@med_14"]);
}

#[test]
fn a_size_named_by_a_fraction_or_a_weight_is_said_in_words() {
    let m = menu(
        vec![
            item("Roast Beef (by wt)", &["1/2 lb", "1 lb"], &["cut"]),
            item("Roast Pork (by wt)", &["1/2 lb", "1 lb"], &[]),
            item("Hen", &["1/4 Dark", "1/2 Bird"], &[]),
            item("Slaw", &["Pint", "Qt"], &[]),
        ],
        vec![group("cut", 1, &["Lean", "Fatty"])],
    );
    assert_eq!(
        said(&m, "a pound of roast beef, lean"),
        ["1 roast_beef_by_wt@1_lb cut=lean"]
    );
    assert_eq!(
        said(&m, "half a pound of roast pork"),
        ["1 roast_pork_by_wt@1_2_lb"]
    );
    assert_eq!(
        said(&m, "a half pound of roast pork"),
        ["1 roast_pork_by_wt@1_2_lb"]
    );
    assert_eq!(said(&m, "a quarter dark hen"), ["1 hen@1_4_dark"]);
    assert_eq!(said(&m, "a pint of slaw"), ["1 slaw@pint"]);
    // A portion in brackets describes its item: "half rack" is the size, not the plate.
    let m = menu(
        vec![
            item("Ribs", &["1/2 Rack", "Full Rack"], &[]),
            item("Rib Plate (1/2 rack)", &[], &[]),
        ],
        vec![],
    );
    assert_eq!(said(&m, "a half rack of ribs"), ["1 ribs@1_2_rack"]);
}

#[test]
fn an_item_named_before_a_category_word_is_the_member_named_after_it() {
    let mut items = vec![
        item("Smoked Ham (by wt)", &["1/2 lb", "1 lb"], &[]),
        item("Roast Turkey (by wt)", &["1/2 lb", "1 lb"], &[]),
        item("Smoked Ham Sammy", &[], &["toppings"]),
        item("Roast Turkey Sammy", &[], &["toppings"]),
    ];
    for i in &mut items[2..] {
        i.category = Some("sammies".into());
    }
    let mut m = menu(items, vec![group("toppings", 0, &["Pickles", "Onions"])]).menu;
    m.categories.push(Category {
        code: "sammies".into(),
        name: "Sandwiches".into(),
        aliases: vec!["sandwich".into()],
        ..Default::default()
    });
    let m = CompiledMenu::new(m);
    assert_eq!(said(&m, "a smoked ham sandwich"), ["1 smoked_ham_sammy@"]);
    assert_eq!(
        said(&m, "two roast turkey sandwiches with pickles"),
        ["2 roast_turkey_sammy@ toppings=pickles"]
    );
    // The item alone, and the item then another line, stay as they are.
    assert_eq!(
        said(&m, "a pound of smoked ham"),
        ["1 smoked_ham_by_wt@1_lb"]
    );
    assert_eq!(said(&m, "a pound of smoked ham and a sandwich").len(), 2);
}

#[test]
fn a_measure_typed_after_a_name_is_not_said() {
    let m = menu(
        vec![
            item("Burnt Tips 1/2 lb", &[], &["sauce"]),
            item("Hot Links 2 pc", &[], &[]),
            item("Meat Plate", &[], &["plate_meat"]),
        ],
        vec![
            group("plate_meat", 1, &["Burnt Tips", "Hot Links"]),
            group("sauce", 0, &["Spicy", "Sweet"]),
        ],
    );
    assert_eq!(
        said(&m, "burnt tips with the spicy and the sweet"),
        ["1 burnt_tips_1_2_lb@ sauce=spicy sauce=sweet"]
    );
    assert_eq!(said(&m, "two hot links"), ["2 hot_links_2_pc@"]);
    assert_eq!(
        said(&m, "a meat plate with burnt tips"),
        ["1 meat_plate@ plate_meat=burnt_tips"]
    );
}

#[test]
fn parts_counted_short_of_the_whole_leave_the_rest_plain() {
    // The rest comes first, where the whole was said.
    let m = menu(
        vec![
            item("Veal Hero", &[], &["extras"]),
            item("Corn Muffin", &[], &["extras"]),
            item("Rice Bowl", &["Sm", "Lg"], &["extras"]),
        ],
        vec![group("extras", 0, &["Peppers", "Honey Butter", "Rice"])],
    );
    assert_eq!(
        said(&m, "two veal heros one with peppers"),
        ["1 veal_hero@", "1 veal_hero@ extras=peppers"]
    );
    assert_eq!(
        said(&m, "four corn muffins, one with no honey butter"),
        ["3 corn_muffin@", "1 corn_muffin@ !extras=honey_butter"]
    );
    assert_eq!(
        said(&m, "two large rice bowls one plain one with peppers"),
        ["1 rice_bowl@lg", "1 rice_bowl@lg extras=peppers"]
    );
    // Parts that add up still replace the whole; an article is no part.
    assert_eq!(
        said(&m, "two veal heros one with peppers and one with rice"),
        ["1 veal_hero@ extras=peppers", "1 veal_hero@ extras=rice"]
    );
    assert_eq!(said(&m, "two veal heros and a rice bowl").len(), 2);
}

#[test]
fn a_question_opened_without_a_cue_word_orders_nothing() {
    let m = menu(
        vec![
            item("Panang Curry", &[], &["heat"]),
            item("Wing Pack (20 pc)", &[], &[]),
            item("Fried Haddock", &[], &[]),
        ],
        vec![group("heat", 1, &["Mild", "Hot"])],
    );
    let asks = |text: &str| {
        let e = m.extract(text);
        e.lines.is_empty()
            && e.intents
                .iter()
                .any(|i| matches!(i, Intent::MenuQuestion { .. }))
    };
    for q in [
        "is the panang curry spicy",
        "are the wing packs big",
        "yeah hi um is the haddock fresh or frozen",
        "how many wings come in the wing pack",
        "how spicy is the panang curry",
        "what is panang curry",
        "what's the difference between the panang curry and the haddock",
        "what's your hottest curry",
        "do you do fried haddock",
    ] {
        assert!(asks(q), "{q:?} is a question: {:?}", m.extract(q));
    }
    // Inside a request the same words order what they name.
    assert_eq!(
        said(&m, "a panang curry hot and the fried haddock"),
        ["1 panang_curry@ heat=hot", "1 fried_haddock@"]
    );
}

#[test]
fn what_follows_instead_of_is_no_line() {
    let m = menu(
        vec![
            item("Veal Hero", &[], &["roll", "toppings"]),
            item("Fries", &["Reg", "Lg"], &[]),
            item("Side Pasta", &[], &[]),
        ],
        vec![
            group("roll", 1, &["Garlic Roll", "Seeded Roll"]),
            group("toppings", 0, &["Mayo", "Spicy Mayo", "Lettuce"]),
        ],
    );
    assert_eq!(
        said(&m, "veal hero lettuce instead of the side pasta"),
        ["1 veal_hero@ toppings=lettuce"]
    );
    assert_eq!(
        said(
            &m,
            "a veal hero with spicy mayo instead of the regular mayo"
        ),
        ["1 veal_hero@ !toppings=mayo toppings=spicy_mayo"]
    );
    assert_eq!(
        said(&m, "a veal hero on garlic roll instead of the fries"),
        ["1 veal_hero@ roll=garlic_roll"]
    );
    // Not after "instead of": the fries are ordered.
    assert_eq!(
        said(&m, "a veal hero with a garlic roll and the fries"),
        ["1 veal_hero@ roll=garlic_roll", "1 fries@"]
    );
}

#[test]
fn a_group_named_after_no_or_an_amount_is_its_default() {
    let mut grain = group("grain", 1, &["Jasmine", "Quinoa"]);
    grain.options[0].default = true;
    let mut dressing = group("Dressing", 1, &["House Vinaigrette", "Miso Tahini"]);
    dressing.options[0].default = true;
    // Two defaults: "no toppings" does not say which.
    let mut toppings = group("toppings", 0, &["Scallion", "Sesame", "Nori"]);
    toppings.options[0].default = true;
    toppings.options[1].default = true;
    let m = menu(
        vec![
            item("Harvest Plate", &[], &["grain", "Dressing", "toppings"]),
            item("Side Grain", &[], &[]),
        ],
        vec![grain, dressing, toppings],
    );
    assert_eq!(
        said(&m, "a harvest plate no dressing"),
        ["1 harvest_plate@ !Dressing=house_vinaigrette"]
    );
    assert_eq!(
        said(&m, "harvest plate no grain"),
        ["1 harvest_plate@ !grain=jasmine"]
    );
    let e = m.extract("a harvest plate extra grain light on the dressing");
    let mods: Vec<(String, Option<Qualifier>)> = e.lines[..]
        .iter()
        .flat_map(|l| &l.modifiers)
        .map(|x| (x.option.clone(), x.qualifier))
        .collect();
    assert_eq!(e.lines.len(), 1, "{e:?}");
    assert_eq!(
        mods,
        [
            ("jasmine".to_string(), Some(Qualifier::Extra)),
            ("house_vinaigrette".to_string(), Some(Qualifier::Light)),
        ]
    );
    // A named option is itself; a group with two defaults is not guessed; the item of that
    // name, ordered alone, is the item.
    assert_eq!(
        said(&m, "a harvest plate with quinoa no sesame"),
        ["1 harvest_plate@ !toppings=sesame grain=quinoa"]
    );
    assert_ne!(
        said(&m, "a harvest plate no toppings"),
        ["1 harvest_plate@ !toppings=scallion"]
    );
    assert_eq!(said(&m, "and a side grain"), ["1 side_grain@"]);
}

#[test]
fn a_group_named_after_its_option_names_no_item() {
    let m = menu(
        vec![
            item("Harvest Plate", &[], &["grain", "legume"]),
            item("Side Grain", &[], &["grain_pick"]),
            item("Side Legume", &[], &[]),
        ],
        vec![
            group("grain", 1, &["Jasmine", "Quinoa"]),
            group("legume", 1, &["Lentil", "Chickpea"]),
            group("grain_pick", 1, &["Jasmine", "Quinoa"]),
        ],
    );
    assert_eq!(
        said(&m, "a harvest plate with quinoa grain and chickpea legume"),
        ["1 harvest_plate@ grain=quinoa legume=chickpea"]
    );
    // Ordered alone, the side is the item.
    assert_eq!(
        said(&m, "a side grain quinoa"),
        ["1 side_grain@ grain_pick=quinoa"]
    );
}

#[test]
fn pieces_counted_are_orders_of_what_one_order_holds() {
    let m = menu(
        vec![
            item("Shrimp Dumpling (steamed) 4pc", &[], &[]),
            item("Custard Tarts (3)", &[], &[]),
            item("Veg Rolls (Summer Rolls 2 pc)", &[], &[]),
            item("Potstickers", &["8 pc", "12 pc"], &["cook"]),
            item("Hand Pies", &["3 pc", "6 pc", "Dozen"], &[]),
            item("Combo Box (20 Wings, 2 Fries)", &[], &[]),
        ],
        vec![group("cook", 1, &["Steamed", "Pan Fried"])],
    );
    // A multiple of one order's pieces is that many orders.
    assert_eq!(
        said(&m, "eight shrimp dumplings"),
        ["2 shrimp_dumpling_steamed_4pc@"]
    );
    assert_eq!(said(&m, "nine custard tarts"), ["3 custard_tarts_3@"]);
    assert_eq!(
        said(&m, "four summer rolls"),
        ["2 veg_rolls_summer_rolls_2_pc@"]
    );
    // Sizes by count: the largest size the pieces fill.
    assert_eq!(
        said(&m, "sixteen potstickers pan fried"),
        ["2 potstickers@8_pc cook=pan_fried"]
    );
    assert_eq!(
        said(&m, "twenty four potstickers steamed"),
        ["2 potstickers@12_pc cook=steamed"]
    );
    // "Dozen" is a size of twelve.
    assert_eq!(said(&m, "a dozen hand pies"), ["1 hand_pies@dozen"]);
    assert_eq!(said(&m, "twelve hand pies"), ["1 hand_pies@dozen"]);
    // One order's pieces, a count that is no multiple, orders counted, a list in brackets:
    // orders, as said.
    assert_eq!(said(&m, "three custard tarts"), ["3 custard_tarts_3@"]);
    assert_eq!(said(&m, "two custard tarts"), ["2 custard_tarts_3@"]);
    assert_eq!(
        said(&m, "six orders of custard tarts"),
        ["6 custard_tarts_3@"]
    );
    assert_eq!(
        said(&m, "four combo boxes"),
        ["4 combo_box_20_wings_2_fries@"]
    );
}

#[test]
fn a_name_means_the_member_whose_other_words_are_a_code_or_its_category() {
    // Items in two categories, numbered as a POS numbers them.
    let cat = |code_: &str, name: &str| Category {
        code: code_.into(),
        name: name.into(),
        ..Default::default()
    };
    let mut items = vec![
        item("N1 Broth Bowl Plain", &["Reg", "Lg"], &[]),
        item("N2 Broth Bowl Beef", &["Reg", "Lg"], &[]),
        item("N3 Broth Bowl Beef Tendon", &["Reg", "Lg"], &[]),
        item("Herb Flatbread", &["Reg", "Lg"], &["veg"]),
        item("1/2 Herb 1/2 Cheese", &["Reg", "Lg"], &["veg"]),
    ];
    for it in &mut items[..3] {
        it.category = Some("bowls".into());
    }
    for it in &mut items[3..] {
        it.category = Some("flatbreads".into());
    }
    let m = CompiledMenu::new(Menu {
        categories: vec![cat("bowls", "Bowls"), cat("flatbreads", "Flatbread")],
        items,
        groups: vec![group("veg", 0, &["Tomato", "Mint"])],
        ..Default::default()
    });
    // The code is not said: "broth bowl beef" is N2, not N3.
    assert_eq!(
        said(&m, "a large broth bowl beef"),
        ["1 n2_broth_bowl_beef@lg"]
    );
    // The rest of the name is the category's word: "herb" is the Herb Flatbread.
    assert_eq!(
        said(&m, "two herb with no tomato"),
        ["2 herb_flatbread@ !veg=tomato"]
    );
    // What was said is the last word of another one's name: asked.
    let m2 = CompiledMenu::new(Menu {
        categories: vec![cat("all", "Hoagies")],
        items: vec![
            item("Garden Hoagie", &[], &[]),
            item("Roast Turkey Garden", &[], &[]),
        ],
        ..Default::default()
    });
    assert_eq!(
        said(&m2, "a garden"),
        ["1 garden_hoagie|roast_turkey_garden@"]
    );
    // A family of three is still asked about.
    assert_eq!(
        said(&m, "a broth bowl"),
        ["1 n1_broth_bowl_plain|n2_broth_bowl_beef|n3_broth_bowl_beef_tendon@"]
    );
}

#[test]
fn big_is_the_size_named_large() {
    let m = menu(
        vec![
            item("Broth Bowl", &["Reg", "Lg (xtra noodle)"], &[]),
            item("Stew Dinner", &["Sm", "Med", "Large"], &[]),
        ],
        vec![],
    );
    assert_eq!(
        said(&m, "a big bowl of broth bowl"),
        ["1 broth_bowl@lg_xtra_noodle"]
    );
    assert_eq!(said(&m, "a big stew dinner"), ["1 stew_dinner@large"]);
    // Not a piece: "size" alone names no size.
    assert_eq!(said(&m, "the family size stew dinner"), ["1 stew_dinner@"]);
    // "a big order" counts no size.
    assert_eq!(
        said(&m, "i need a big order for pickup"),
        Vec::<String>::new()
    );
}

#[test]
fn the_x_one_and_a_count_said_after_belong_to_the_line_before() {
    let m = menu(
        vec![
            item("Fizzy Soda", &[], &["flavor"]),
            item("Stew Dinner", &["Sm", "Large"], &[]),
            item("Crispy Claws", &[], &[]),
            item("Custard Tarts (3)", &[], &[]),
        ],
        vec![group("flavor", 1, &["Melon", "Lychee"])],
    );
    assert_eq!(
        said(&m, "a fizzy soda, the melon one"),
        ["1 fizzy_soda@ flavor=melon"]
    );
    assert_eq!(
        said(&m, "stew dinner, the big one"),
        ["1 stew_dinner@large"]
    );
    assert_eq!(said(&m, "crispy claws two orders"), ["2 crispy_claws@"]);
    // Pieces counted after the item: nine tarts are three orders of three.
    assert_eq!(
        said(&m, "custard tarts, nine of them"),
        ["3 custard_tarts_3@"]
    );
}

#[test]
fn options_written_in_another_language_are_said_in_english() {
    let m = menu(
        vec![
            item("1/4 Pollo (w/ 2 sides)", &[], &["sides"]),
            item("1/2 Pollo (w/ 2 sides)", &[], &["sides"]),
            item("Noodle Wok", &[], &["protein", "add"]),
        ],
        vec![
            group("sides", 2, &["Papas Fritas", "Arroz Blanco", "Frijoles"]),
            group("protein", 1, &["Pollo", "Carne", "Mariscos"]),
            group("add", 3, &["Huevo Frito"]),
        ],
    );
    assert_eq!(
        said(&m, "a half chicken with fries and white rice"),
        ["1 1_2_pollo_w_2_sides@ sides=arroz_blanco sides=papas_fritas"]
    );
    assert_eq!(
        said(&m, "a quarter chicken with rice and beans"),
        ["1 1_4_pollo_w_2_sides@ sides=arroz_blanco sides=frijoles"]
    );
    assert_eq!(
        said(&m, "noodle wok with beef and a fried egg"),
        ["1 noodle_wok@ add=huevo_frito protein=carne"]
    );
    assert_eq!(
        said(&m, "a noodle wok with seafood"),
        ["1 noodle_wok@ protein=mariscos"]
    );
}

#[test]
fn veg_and_medio_are_said_veggie_and_medium() {
    let m = menu(
        vec![item("Noodle Wok", &[], &["protein", "heat"])],
        vec![
            group("protein", 1, &["Pollo", "Carne", "Veg"]),
            group("heat", 1, &["Mild", "Medio", "Picante"]),
        ],
    );
    assert_eq!(
        said(&m, "a noodle wok veggie, medium"),
        ["1 noodle_wok@ heat=medio protein=veg"]
    );
}

#[test]
fn ltr_is_said_liter() {
    let m = menu(vec![item("Fizzy Soda", &["Can", "2 Ltr"], &[])], vec![]);
    assert_eq!(said(&m, "a two liter fizzy soda"), ["1 fizzy_soda@2_ltr"]);
}

#[test]
fn an_item_said_after_with_and_an_article_is_the_option_the_line_takes() {
    let m = menu(
        vec![
            item(
                "House Combo",
                &[],
                &["combo_side", "combo_drink", "doneness"],
            ),
            item("Side Salad", &[], &[]),
            item("Bottled Water", &[], &[]),
            item("Egg Roll", &[], &[]),
            item("Noodle Bowl", &[], &["bowl_add"]),
        ],
        vec![
            group("combo_side", 1, &["Fries", "Side Salad"]),
            group("combo_drink", 1, &["Soda", "Bottled Water"]),
            group("doneness", 1, &["Medium", "Well Done"]),
            group("bowl_add", 3, &["Egg Roll", "Fried Egg"]),
        ],
    );
    assert_eq!(
        said(&m, "a house combo with a side salad and a water, well done"),
        ["1 house_combo@ combo_drink=bottled_water combo_side=side_salad doneness=well_done"]
    );
    assert_eq!(
        said(&m, "a noodle bowl with an egg roll"),
        ["1 noodle_bowl@ bowl_add=egg_roll"]
    );
    // Without "with", "and a" still orders the item on its own.
    assert_eq!(
        said(&m, "a noodle bowl and an egg roll"),
        ["1 noodle_bowl@", "1 egg_roll@"]
    );
    // A second value of a single-choice group the line has is ordered on its own.
    let m = menu(
        vec![
            item("Veggie Omelette", &[], &["potato"]),
            item("Fresh Fruit Cup", &[], &[]),
        ],
        vec![group("potato", 1, &["Home Fries", "Sub Fruit Cup"])],
    );
    assert_eq!(
        said(&m, "a veggie omelette with home fries, and a fruit cup"),
        ["1 veggie_omelette@ potato=home_fries", "1 fresh_fruit_cup@"]
    );
}

#[test]
fn a_word_that_is_another_items_full_option_is_the_head_of_the_lines_own_option() {
    let m = menu(
        vec![
            item("Spicy Noodles", &[], &["noodle_adds"]),
            item("Fried Rice", &[], &["rice_adds"]),
        ],
        vec![
            group("noodle_adds", 3, &["Mozz Cheese", "Fish Cake"]),
            group("rice_adds", 3, &["Cheese", "Egg"]),
        ],
    );
    assert_eq!(
        said(&m, "spicy noodles with cheese"),
        ["1 spicy_noodles@ noodle_adds=mozz_cheese"]
    );
    // The full name still wins where the line's item takes it.
    assert_eq!(
        said(&m, "fried rice with cheese"),
        ["1 fried_rice@ rice_adds=cheese"]
    );
}

#[test]
fn a_second_option_of_a_many_choice_group_after_and_a_stays_on_the_line() {
    let m = menu(
        vec![item("Rice Cake Pot", &[], &["pot_adds", "broth"])],
        vec![
            group("pot_adds", 3, &["Ramen Noodles", "Boiled Egg", "Fish Cake"]),
            group("broth", 1, &["Mild Broth", "Spicy Broth"]),
        ],
    );
    assert_eq!(
        said(&m, "a rice cake pot with ramen noodles and a boiled egg"),
        ["1 rice_cake_pot@ pot_adds=boiled_egg pot_adds=ramen_noodles"]
    );
    // A second value of a single-choice group is another line.
    assert_eq!(
        said(&m, "a rice cake pot with mild broth and a spicy broth"),
        [
            "1 rice_cake_pot@ broth=mild_broth",
            "1 rice_cake_pot@ broth=spicy_broth"
        ]
    );
}

/// The qualifier of each option said, "group=option+qualifier", in order.
fn amounts(m: &CompiledMenu, text: &str) -> Vec<String> {
    m.extract(text)
        .lines
        .iter()
        .flat_map(|l| l.modifiers.iter())
        .map(|x| format!("{}={}+{:?}", x.group, x.option, x.qualifier))
        .collect()
}

#[test]
fn extra_said_of_an_option_named_extra_is_that_option_once() {
    let m = menu(
        vec![item(
            "Steak Sub",
            &[],
            &["sub_cheese", "sub_adds", "sub_tops"],
        )],
        vec![
            group("sub_cheese", 1, &["American", "Provolone"]),
            group("sub_adds", 3, &["Xtra Cheese", "Dbl Meat"]),
            group("sub_tops", 3, &["Onions", "Peppers"]),
        ],
    );
    assert_eq!(
        amounts(&m, "a steak sub with extra cheese, american"),
        ["sub_adds=xtra_cheese+None", "sub_cheese=american+None"]
    );
    assert_eq!(
        amounts(&m, "a steak sub with double meat"),
        ["sub_adds=dbl_meat+None"]
    );
    // An option not named for its amount keeps the amount said.
    assert_eq!(
        amounts(&m, "a steak sub with extra onions"),
        ["sub_tops=onions+Some(Extra)"]
    );
}

#[test]
fn a_side_of_an_option_names_the_side_item_of_that_name() {
    let m = menu(
        vec![
            item("Bowl", &[], &["bowl_adds"]),
            item("Side Queso (4oz)", &[], &[]),
            item("Side Order", &[], &["side_type"]),
        ],
        vec![
            group("bowl_adds", 3, &["Queso", "Guac"]),
            group("side_type", 1, &["Chips", "Fries"]),
        ],
    );
    assert_eq!(said(&m, "a side of queso"), ["1 side_queso_4oz@"]);
    assert_eq!(
        said(&m, "a bowl and a side of queso"),
        ["1 bowl@", "1 side_queso_4oz@"]
    );
    // On the line of an item that takes it, it is the option.
    assert_eq!(
        said(&m, "a bowl with a side of queso"),
        ["1 bowl@ bowl_adds=queso"]
    );
    // A side item that takes the option said is ordered with that option.
    assert_eq!(said(&m, "side chips"), ["1 side_order@ side_type=chips"]);
}

#[test]
fn extra_before_a_word_names_the_item_sold_as_extra() {
    let m = menu(
        vec![
            item("Fish Plate", &[], &["sauces"]),
            item("Xtra Tartar (2oz)", &[], &[]),
        ],
        vec![group("sauces", 3, &["Tartar", "Cocktail"])],
    );
    assert_eq!(said(&m, "two extra tartars"), ["2 xtra_tartar_2oz@"]);
    // On the line of an item that takes it, it is the option, with its amount.
    assert_eq!(
        amounts(&m, "a fish plate with extra tartar"),
        ["sauces=tartar+Some(Extra)"]
    );
}

#[test]
fn an_options_group_word_said_after_it_names_its_kind() {
    let m = menu(
        vec![
            item("Wrap", &[], &["rice", "sauce"]),
            item("Side Rice", &[], &["rice_pick"]),
            item("Kids Rice Plate", &[], &[]),
        ],
        vec![
            group("rice", 1, &["Red (spanish)", "Cilantro Lime"]),
            group("rice_pick", 1, &["Red (spanish)", "Cilantro Lime"]),
            group("sauce", 1, &["Mild", "Hottest"]),
        ],
    );
    // Off: the rice was a side order with the red rice, the wrap left without it.
    assert_eq!(
        said(&m, "a wrap with red rice instead of the cilantro rice"),
        ["1 wrap@ rice=red_spanish"]
    );
    assert_eq!(
        said(&m, "wrap with the hottest sauce"),
        ["1 wrap@ sauce=hottest"]
    );
    // Said on its own, the side is ordered.
    assert_eq!(
        said(&m, "a wrap with mild sauce and a side of red rice"),
        ["1 wrap@ sauce=mild", "1 side_rice@ rice_pick=red_spanish"]
    );
}

#[test]
fn an_item_swapped_in_with_instead_of_is_the_lines_option() {
    let m = menu(
        vec![
            item("Fish Plate", &[], &["swap", "sauce"]),
            item("Onion Rings", &["Reg", "Lg"], &[]),
            item("Cole Slaw", &["Pint"], &[]),
            item("Chips", &[], &[]),
            item("Soda", &[], &["soda_flavor"]),
        ],
        vec![
            group("swap", 1, &["Sub Onion Rings", "Sub Cole Slaw", "No Chips"]),
            group("sauce", 0, &["Tartar", "Malt Vinegar", "Sour Cherry Glaze"]),
            group("soda_flavor", 1, &["Sour Cherry", "Lime"]),
        ],
    );
    // Off: a soda with the sour cherry flavour.
    assert_eq!(
        said(&m, "a fish plate with sour cherry instead of the tartar"),
        ["1 fish_plate@ !sauce=tartar sauce=sour_cherry_glaze"]
    );
    // Off: the onion rings were a line of their own.
    assert_eq!(
        said(&m, "a fish plate with onion rings instead of the chips"),
        ["1 fish_plate@ swap=sub_onion_rings"]
    );
    assert_eq!(
        said(&m, "fish plate, cole slaw rather than chips, and tartar"),
        ["1 fish_plate@ sauce=tartar swap=sub_cole_slaw"]
    );
    // Not before "instead of": the side is ordered.
    assert_eq!(
        said(&m, "a fish plate with onion rings"),
        ["1 fish_plate@", "1 onion_rings@"]
    );
}

#[test]
fn a_questions_subject_said_before_its_cue_orders_nothing() {
    let m = menu(
        vec![
            item("Grain Bowl", &[], &["dressing"]),
            item("Fish Taco", &[], &[]),
        ],
        vec![group("dressing", 1, &["Lemon Herb", "Green Goddess"])],
    );
    let asks = |text: &str| {
        let e = m.extract(text);
        e.lines.is_empty()
            && e.intents
                .iter()
                .any(|i| matches!(i, Intent::MenuQuestion { .. }))
    };
    // Off: the bowl (and a bowl with a dressing) were ordered beside the question.
    for q in [
        "the fish taco how much is it",
        "what dressings do you have",
        "um the grain bowl, what comes on it",
    ] {
        assert!(asks(q), "{q:?} is a question: {:?}", m.extract(q));
    }
    // An order said before a question is still an order.
    assert_eq!(said(&m, "a fish taco, how much is that"), ["1 fish_taco@"]);
}

#[test]
fn a_word_said_as_the_item_is_not_also_its_extra_option() {
    // An option named an amount word + the item's head word ("Xtra Pork") is more of it:
    // the bare word ordered is the item alone; "extra pork" on it is still the option.
    let m = menu(
        vec![
            item("Roast Pork", &[], &["dip", "pork_add"]),
            item("Soda", &[], &[]),
        ],
        vec![
            group("dip", 1, &["Dry", "Wet"]),
            group("pork_add", 2, &["Xtra Pork", "Gravy on Side"]),
        ],
    );
    assert_eq!(said(&m, "a pork, dry"), ["1 roast_pork@ dip=dry"]);
    assert_eq!(
        said(&m, "pork wet and a soda"),
        ["1 roast_pork@ dip=wet", "1 soda@"]
    );
    assert_eq!(
        said(&m, "a pork with extra pork, dry"),
        ["1 roast_pork@ dip=dry pork_add=xtra_pork"]
    );
}

#[test]
fn a_correction_said_after_content_takes_back_what_was_just_said() {
    let m = menu(
        vec![
            item("Beef Plate", &["Sm", "Lg"], &["heat"]),
            item("Goat Plate", &["Sm", "Lg"], &["heat"]),
            item("Flatbread", &[], &[]),
        ],
        vec![group("heat", 1, &["Mild", "Hot"])],
    );
    // "sorry" and "wait" take back the line being said, or only its size.
    assert_eq!(
        said(&m, "a beef plate, sorry, a goat plate, large"),
        ["1 goat_plate@lg"]
    );
    assert_eq!(
        said(&m, "a beef plate, small, wait, large"),
        ["1 beef_plate@lg"]
    );
    // "actually" after something ordered in the same breath does the same.
    assert_eq!(
        said(&m, "a beef plate uh actually make that the goat plate, hot"),
        ["1 goat_plate@ heat=hot"]
    );
    // A count said after the retract, counting nothing named after it, changes only the count.
    assert_eq!(said(&m, "two flatbreads, actually three"), ["3 flatbread@"]);
    assert_eq!(
        said(&m, "four beef plates, sorry five, hot"),
        ["5 beef_plate@ heat=hot"]
    );
    assert_eq!(
        said(&m, "a goat plate and uh actually make it two"),
        ["2 goat_plate@"]
    );
    // A count of a thing named after it is a new line in its place.
    assert_eq!(
        said(&m, "a beef plate, wait, two goat plates"),
        ["2 goat_plate@"]
    );
    // "actually" opening the utterance still changes a line of an earlier turn.
    assert!(m
        .extract("actually make it two")
        .lines
        .iter()
        .all(|l| l.item.is_none()));
}

#[test]
fn a_question_opened_by_what_and_a_subject_orders_nothing() {
    let m = menu(
        vec![
            item("Wing Combo", &[], &["side"]),
            item("Cheese Flatbread", &[], &["cheese"]),
            item("Kibbeh", &[], &[]),
        ],
        vec![
            group("side", 1, &["Fries", "Slaw"]),
            group("cheese", 1, &["Feta", "Mozz"]),
        ],
    );
    let asks = |text: &str| {
        let e = m.extract(text);
        e.lines.is_empty()
            && e.intents
                .iter()
                .any(|i| matches!(i, Intent::MenuQuestion { .. }))
    };
    // Off: the combo, the flatbread and the kibbeh were ordered.
    for q in [
        "what sides come with the wing combo",
        "what cheese is in the cheese flatbread",
        "what's a kibbeh",
    ] {
        assert!(asks(q), "{q:?} is a question: {:?}", m.extract(q));
    }
    // Inside an order the same words still order.
    assert_eq!(
        said(&m, "a wing combo to come with slaw"),
        ["1 wing_combo@ side=slaw"]
    );
    assert_eq!(
        said(&m, "a kibbeh and a cheese flatbread"),
        ["1 kibbeh@", "1 cheese_flatbread@"]
    );
}

#[test]
fn no_before_an_article_takes_back_what_was_just_said() {
    // The recogniser's commas are gone: "a cola, no, a diet cola" reaches us as "a cola no a
    // diet cola", and "no" before an article negates nothing.
    let m = menu(
        vec![
            item("Fountain", &["Sm", "Lg"], &["flavor"]),
            item("Bowl", &[], &["protein"]),
        ],
        vec![
            group("flavor", 1, &["Cola", "Diet Cola"]),
            group("protein", 1, &["Chicken", "Steak"]),
        ],
    );
    assert_eq!(
        said(&m, "a cola, no, a diet cola, large"),
        ["1 fountain@lg flavor=diet_cola"]
    );
    assert_eq!(
        said(&m, "a chicken, no, a steak bowl"),
        ["1 bowl@ protein=steak"]
    );
    // "no" before the option is still its negation.
    assert_eq!(said(&m, "a bowl, no chicken"), ["1 bowl@ !protein=chicken"]);
}

#[test]
fn a_word_the_option_name_negates_is_not_that_option() {
    // "Sin Bun (in a bowl)": the caller who says "bun" wants one; the option is named by
    // "no bun", "without bun", "sin bun" or its other words.
    let m = menu(
        vec![
            item("Pulled Pork", &[], &["style", "add"]),
            item("Brisket", &[], &["style"]),
        ],
        vec![
            group("style", 1, &["Sin Bun (bowl w/ rice)", "Toasted"]),
            group("add", 0, &["Pickles", "Slaw"]),
        ],
    );
    // Off: both lines kept style=sin_bun_bowl_w_rice; without the English forms "no bun" and
    // "without bun" negated nothing.
    assert_eq!(
        said(&m, "a pulled pork bun with pickles"),
        ["1 pulled_pork@ add=pickles"]
    );
    assert_eq!(said(&m, "one brisket bun"), ["1 brisket@"]);
    for text in [
        "a pulled pork, no bun",
        "a pulled pork without bun",
        "a pulled pork sin bun",
    ] {
        assert_eq!(
            said(&m, text),
            ["1 pulled_pork@ style=sin_bun_bowl_w_rice"],
            "{text:?}"
        );
    }
}

#[test]
fn a_menu_number_said_names_the_numbered_item() {
    // "#1 Wrap Combo": callers order it as "a number one" or "the number two".
    let m = menu(
        vec![
            item("#1 Wrap Combo (2 wraps + side)", &[], &["side"]),
            item("#2 Bowl Combo (w/ side)", &[], &["side"]),
            item("Loaded Fries", &[], &[]),
        ],
        vec![group("side", 1, &["Fries", "Slaw"])],
    );
    // Off: "number" was an unknown word and "one" a count, so "a number one with fries" was
    // left open between both combos.
    assert_eq!(
        said(&m, "a number one with fries"),
        ["1 1_wrap_combo_2_wraps_side@ side=fries"]
    );
    assert_eq!(
        said(&m, "the number two with slaw"),
        ["1 2_bowl_combo_w_side@ side=slaw"]
    );
    assert_eq!(
        said(&m, "two number ones with slaw"),
        ["2 1_wrap_combo_2_wraps_side@ side=slaw"]
    );
}

#[test]
fn extra_before_a_level_named_x_that_level_is_the_x_level() {
    // Levels "Hot" and "X-Hot": "extra hot" is the level X-Hot, not Hot with an amount.
    let m = menu(
        vec![item("Tender Plate", &[], &["heat"])],
        vec![group("heat", 1, &["Mild", "Hot", "X-Hot"])],
    );
    // Off: heat=hot (with the amount "extra").
    assert_eq!(
        said(&m, "a tender plate, extra hot"),
        ["1 tender_plate@ heat=x_hot"]
    );
    assert_eq!(
        said(&m, "a tender plate, hot"),
        ["1 tender_plate@ heat=hot"]
    );
}

#[test]
fn a_dish_named_without_the_combo_word_is_the_dish_not_its_combo() {
    // "Spicy Bird Sando" beside "#3 Sando Combo": "a sando" is the sando; "sando combo" the
    // combo; a combo that holds the word only in what it contains is still asked.
    let m = menu(
        vec![
            item("Spicy Bird Sando", &[], &["heat"]),
            item("#3 Sando Combo (w/ side)", &[], &["heat", "side"]),
            item("Roast Pork", &[], &[]),
            item("Combo (pork + sando)", &[], &[]),
        ],
        vec![
            group("heat", 1, &["Mild", "Hot"]),
            group("side", 1, &["Fries", "Slaw"]),
        ],
    );
    // Off: "1 3_sando_combo_w_side|spicy_bird_sando@ heat=hot", left open between both.
    assert_eq!(said(&m, "a sando, hot"), ["1 spicy_bird_sando@ heat=hot"]);
    assert_eq!(
        said(&m, "two sandos, one hot one mild"),
        [
            "1 spicy_bird_sando@ heat=hot",
            "1 spicy_bird_sando@ heat=mild"
        ]
    );
    assert_eq!(
        said(&m, "a sando combo, hot, with slaw"),
        ["1 3_sando_combo_w_side@ heat=hot side=slaw"]
    );
    // The combo holds "pork" only in what it contains, a "+" list that starts with another
    // item's name (round 16): no name of the combo, so "a pork" is the roast pork. (Round 15
    // left it asked, because a caller's answer to the question naming the item again was
    // ordered as a second line; the dialog now takes that as a confirmation.)
    assert_eq!(said(&m, "a pork"), ["1 roast_pork@"]);
}

#[test]
fn a_filling_said_with_the_dish_word_is_the_dish_named_of_that_filling() {
    // "Empanada de Queso" beside a pastry whose filling options are the bare words: "a cheese
    // empanada" names the empanada of cheese, not the pastry with cheese and an empanada left
    // open among the others.
    let m = menu(
        vec![
            item("Empanada de Queso", &[], &["extras"]),
            item("Empanada de Pollo", &[], &["extras"]),
            item("Empanada Carne c/ Queso", &[], &["extras"]),
            item("Open Pie", &[], &["fill"]),
        ],
        vec![
            group("extras", 0, &["Olives", "Egg"]),
            group("fill", 1, &["Queso", "Pollo", "Carne"]),
        ],
    );
    // Off: ["2 open_pie@ fill=queso", "..."] (the pie, and the empanada left open).
    assert_eq!(
        said(&m, "two cheese empanadas please"),
        ["2 empanada_de_queso@"]
    );
    assert_eq!(
        said(&m, "a chicken empanada with egg"),
        ["1 empanada_de_pollo@ extras=egg"]
    );
    // The dish word first, the filling after it: said filling first too.
    assert_eq!(
        said(&m, "a beef empanada with egg"),
        ["1 empanada_carne_c_queso@ extras=egg"]
    );
    assert_eq!(
        said(&m, "an open pie with cheese"),
        ["1 open_pie@ fill=queso"]
    );
}

#[test]
fn a_size_said_by_its_measure_is_that_size() {
    // 'Whole (12in)', the unit typed against the number: "twelve inch" and "a footlong" name
    // it, as "six inch" names 'Half (6in)'.
    let m = menu(
        vec![
            item("Shrimp Loaf", &["Half (6in)", "Whole (12in)"], &[]),
            item("Pickles", &[], &[]),
        ],
        vec![],
    );
    // Off: "1 shrimp_loaf@" (the size not read).
    assert_eq!(
        said(&m, "a shrimp loaf, twelve inch"),
        ["1 shrimp_loaf@whole_12in"]
    );
    assert_eq!(
        said(&m, "a footlong shrimp loaf"),
        ["1 shrimp_loaf@whole_12in"]
    );
    assert_eq!(
        said(&m, "a six inch shrimp loaf"),
        ["1 shrimp_loaf@half_6in"]
    );
}

#[test]
fn a_count_equal_to_a_pack_size_is_one_order_of_that_pack() {
    // Packs named "Half Dz" / "Dz", "3 Sticks" / "Party 10 Sticks", "8pc": a caller saying
    // that count takes the pack, one line of it, not that many single ones; another count of
    // an item also sold one at a time stays that many singles.
    let m = menu(
        vec![
            item("Fritter", &["Ea", "Half Dz", "Dz"], &[]),
            item(
                "Beef Stick",
                &["1 Stick", "3 Sticks", "Party 10 Sticks"],
                &[],
            ),
            item("Dumplings", &["4pc", "8pc"], &[]),
        ],
        vec![],
    );
    // Off (`names::size_count` as before): "12 fritter@", "6 fritter@", "3 beef_stick@",
    // "10 beef_stick@", "8 dumplings@".
    assert_eq!(said(&m, "a dozen fritters"), ["1 fritter@dz"]);
    assert_eq!(said(&m, "half a dozen fritters"), ["1 fritter@half_dz"]);
    assert_eq!(said(&m, "six fritters"), ["1 fritter@half_dz"]);
    assert_eq!(said(&m, "three beef sticks"), ["1 beef_stick@3_sticks"]);
    assert_eq!(
        said(&m, "ten beef sticks"),
        ["1 beef_stick@party_10_sticks"]
    );
    assert_eq!(said(&m, "eight dumplings"), ["1 dumplings@8pc"]);
    // Off (`names::is_single_size` ignored): "2 beef_stick@3_sticks".
    assert_eq!(said(&m, "six beef sticks"), ["6 beef_stick@"]);
    assert_eq!(said(&m, "sixteen dumplings"), ["2 dumplings@8pc"]);
}

#[test]
fn one_pick_of_a_pick_two_plate_said_alone_is_the_dish_of_that_name() {
    // "#6 Pick 2 Plate" whose picks are the proteins, beside numbered dishes whose names hold
    // them: one pick said with no item named is the dish, the plate's other groups kept; two
    // picks are the plate.
    let mut pick = group(
        "pick",
        2,
        &["Pork Chop", "Tofu", "Egg Meatloaf", "Lemongrass Beef"],
    );
    pick.min = 2;
    let m = CompiledMenu::new(Menu {
        categories: vec![Category {
            code: "all".into(),
            name: "Plates".into(),
            ..Default::default()
        }],
        items: vec![
            item("#1 Rice Bowl (grilled pork chop)", &[], &["rice", "add"]),
            item("#2 Noodle Bowl (lemongrass beef)", &[], &["rice", "add"]),
            item("#6 Pick 2 Plate", &[], &["pick", "rice", "add"]),
        ],
        groups: vec![
            pick,
            group("rice", 1, &["Broken Rice", "Jasmine Rice"]),
            group("add", 3, &["Fried Egg", "Sausage"]),
        ],
        ..Default::default()
    });
    // Off: "1 6_pick_2_plate@ pick=pork_chop rice=broken_rice".
    assert_eq!(
        said(&m, "the pork chop broken rice"),
        ["1 1_rice_bowl_grilled_pork_chop@ rice=broken_rice"]
    );
    // Off: the plate with the picks pork chop and egg meatloaf ("egg").
    assert_eq!(
        said(&m, "pork chop plate add an egg"),
        ["1 1_rice_bowl_grilled_pork_chop@ add=fried_egg"]
    );
    assert_eq!(
        said(&m, "pork chop and tofu with jasmine rice"),
        ["1 6_pick_2_plate@ pick=pork_chop pick=tofu rice=jasmine_rice"]
    );
    // A second pick said on a line of its own (an answer naming the plate's two picks): the
    // plate keeps its pick. Off (that guard): "1 1_rice_bowl_grilled_pork_chop@".
    assert_eq!(
        said(&m, "pork chop and lemongrass beef"),
        [
            "1 6_pick_2_plate@ pick=pork_chop",
            "1 2_noodle_bowl_lemongrass_beef@"
        ]
    );
}

#[test]
fn sugar_and_fruit_named_in_spanish_are_said_in_english() {
    // Options typed as the kitchen names them ("Azucar", "Guayaba y Queso") are ordered in
    // English ("no sugar", "guava and cheese"), and "sin" said by the caller is "without".
    let m = menu(
        vec![
            item("Coffee", &[], &["sugar"]),
            item("Pastry", &[], &["flavor"]),
        ],
        vec![
            group("sugar", 2, &["Azucar", "Splenda"]),
            group("flavor", 1, &["Guayaba", "Guayaba y Queso", "Queso"]),
        ],
    );
    // Off (no "guayaba" in `menu_words::WORDS`): "1 pastry@", then "flavor=queso".
    assert_eq!(said(&m, "a guava pastry"), ["1 pastry@ flavor=guayaba"]);
    assert_eq!(
        said(&m, "four pastries, guava and cheese"),
        ["4 pastry@ flavor=guayaba_y_queso"]
    );
    // Off (no "azucar"): "1 coffee@", then "1 coffee@ sugar=splenda".
    assert_eq!(said(&m, "a coffee no sugar"), ["1 coffee@ !sugar=azucar"]);
    assert_eq!(
        said(&m, "a coffee with splenda instead of sugar"),
        ["1 coffee@ !sugar=azucar sugar=splenda"]
    );
    // Off ("sin" not in `lexicon::NEGATIONS`): "1 coffee@ sugar=azucar".
    assert_eq!(said(&m, "a coffee sin azucar"), ["1 coffee@ !sugar=azucar"]);
}

#[test]
fn names_typed_with_c_slash_or_w_slash_are_said_in_full() {
    // "c/" is the Spanish "con" and "w/" is "with"; a "con" between two menu words of another
    // language is said "with" or "and" ("Frijol c/ Queso" is ordered "bean and cheese").
    let m = menu(
        vec![
            item("Frijol c/ Queso", &[], &[]),
            item("Queso", &[], &[]),
            item("Tamal", &[], &["fill"]),
            item("Rice Bowl", &[], &[]),
            item("Rice Bowl w/Tofu", &[], &[]),
        ],
        vec![group("fill", 1, &["Pollo", "Frijol"])],
    );
    // Off ("c/" kept as typed): "2 tamal@ fill=frijol", then a line for "cheese".
    assert_eq!(said(&m, "two bean and cheese"), ["2 frijol_c_queso@"]);
    assert_eq!(said(&m, "one beans with cheese"), ["1 frijol_c_queso@"]);
    // Off ("w/" kept as typed): "1 rice_bowl@".
    assert_eq!(said(&m, "a rice bowl with tofu"), ["1 rice_bowl_w_tofu@"]);
}

#[test]
fn the_category_word_after_an_item_of_that_category_is_that_item() {
    // "a shrimp pupusa" where "Pupusa" is the category's name and a piece of other pupusas'
    // names ("Pupusa de Queso") but not of the one named ("Camaron (shrimp)").
    let pies = |name: &str| Item {
        category: Some("pies".into()),
        ..item(name, &[], &["crust"])
    };
    let m = CompiledMenu::new(Menu {
        categories: vec![Category {
            code: "pies".into(),
            name: "Pies".into(),
            ..Default::default()
        }],
        items: vec![pies("Apple"), pies("Pie of the Day"), pies("Cherry Pie")],
        groups: vec![group("crust", 1, &["Lattice", "Crumb"])],
        ..Default::default()
    });
    // Off: "1 apple@", then "1 pie_of_the_day|cherry_pie@ crust=crumb".
    assert_eq!(
        said(&m, "an apple pie with crumb"),
        ["1 apple@ crust=crumb"]
    );
    assert_eq!(said(&m, "a cherry pie"), ["1 cherry_pie@"]);
}

#[test]
fn a_list_in_brackets_that_starts_with_another_items_name_is_no_name() {
    // "Sifrina (reina pepiada + amarillo)" is what is in it: "two reinas" is the other item. A
    // list that starts with words of its own still names its item.
    let m = menu(
        vec![
            item("Reina Pepiada", &[], &[]),
            item("Sifrina (reina pepiada + amarillo)", &[], &[]),
            item("Lechon Kawali (crispy pork belly + rice)", &[], &[]),
            item("Garlic Rice", &[], &[]),
        ],
        vec![],
    );
    // Off: "2 reina_pepiada|sifrina_reina_pepiada_amarillo@".
    assert_eq!(said(&m, "two reinas"), ["2 reina_pepiada@"]);
    assert_eq!(
        said(&m, "a crispy pork belly"),
        ["1 lechon_kawali_crispy_pork_belly_rice@"]
    );
}

#[test]
fn one_after_the_items_own_name_is_that_item() {
    // "the char one, the italian": "one" is the pronoun after the name too, not a second line.
    let m = menu(
        vec![
            item("Char Sausage (Italian)", &[], &[]),
            item("Polish Sausage", &[], &[]),
        ],
        vec![],
    );
    // Off: "1 char_sausage_italian@", "1 char_sausage_italian@".
    assert_eq!(
        said(&m, "the char one, the italian"),
        ["1 char_sausage_italian@"]
    );
}

#[test]
fn another_is_one_more() {
    // "another" counts as "a" does, so the dialog tells "another coffee" (one more) from "the
    // coffee" said again (no count: a confirmation of the line just added).
    let m = menu(
        vec![item("Coffee", &[], &["milk"])],
        vec![group("milk", 1, &["Oat", "Almond"])],
    );
    let explicit = |text: &str| m.extract(text).lines[0].quantity_explicit;
    // Off: false, as for "the coffee".
    assert!(explicit("another coffee"));
    assert!(!explicit("the coffee"));
    assert_eq!(
        said(&m, "a coffee with oat and another coffee with almond"),
        ["1 coffee@ milk=oat", "1 coffee@ milk=almond"]
    );
}

#[test]
fn an_option_said_with_its_groups_name_is_the_lines_own_option() {
    // "a milk tea with condensed milk": the tea's "Condensed" in its group "tea milk", not the
    // French toast's "Condensed Milk" opening a second line.
    let m = menu(
        vec![
            item("Milk Tea", &[], &["tea_milk"]),
            item("French Toast", &[], &["toast_top"]),
        ],
        vec![
            group("tea_milk", 1, &["Condensed", "Evaporated"]),
            group("toast_top", 2, &["Condensed Milk", "Butter"]),
        ],
    );
    // Off: "1 milk_tea@", "1 french_toast@ toast_top=condensed_milk".
    assert_eq!(
        said(&m, "a milk tea with condensed milk"),
        ["1 milk_tea@ tea_milk=condensed"]
    );
    assert_eq!(
        said(&m, "a french toast with condensed milk"),
        ["1 french_toast@ toast_top=condensed_milk"]
    );
}

#[test]
fn a_two_word_name_written_as_one_word_is_that_name() {
    // The recogniser writes "Vita Soy" as "vitasoy"; the glued form is no word to repair
    // towards ("tamales" stays the tamal, not "tamalea" of "Tamal ea").
    let m = menu(
        vec![
            item("Vita Soy (box)", &[], &[]),
            item("Hash Browns", &[], &[]),
            item("Tamal ea", &[], &[]),
        ],
        vec![],
    );
    // Off: "2 ?@".
    assert_eq!(said(&m, "two vitasoy"), ["2 vita_soy_box@"]);
    assert_eq!(said(&m, "a side of hashbrowns"), ["1 hash_browns@"]);
    // With the glued form among the words to repair towards: "2 ?@".
    assert_eq!(said(&m, "two tamales please"), ["2 tamal_ea@"]);
}

#[test]
fn a_percentage_with_a_gloss_is_no_bare_negation() {
    // "0% (no sugar)": "no" alone is the caller's negation of what follows, not the sugar
    // level opening a tea.
    let mut sugar = group("sugar", 1, &["100%", "50%", "0% (no sugar)"]);
    sugar.name = "Sugar".into();
    let m = menu(
        vec![
            item("Milk Tea", &[], &["sugar"]),
            item("Pork Rice", &[], &["herbs"]),
        ],
        vec![sugar, group("herbs", 3, &["Cilantro", "Shallot"])],
    );
    // Off: "1 pork_rice@", "1 milk_tea@ sugar=0_no_sugar", "1 pork_rice@ herbs=cilantro".
    assert_eq!(
        said(&m, "a pork rice no cilantro"),
        ["1 pork_rice@ !herbs=cilantro"]
    );
    assert_eq!(
        said(&m, "a milk tea no sugar"),
        ["1 milk_tea@ sugar=0_no_sugar"]
    );
    assert_eq!(
        said(&m, "a milk tea zero percent"),
        ["1 milk_tea@ sugar=0_no_sugar"]
    );
}

#[test]
fn a_bare_name_of_a_side_portion_is_the_dish_it_is_the_side_of() {
    // "Chkn Rice (side)" beside "Hainanese Chkn Rice", whose rice pick defaults to the same
    // words: a bare "chicken rice" is the dish; the side is said as one.
    let mut rice = group("rice", 1, &["Chkn Rice", "Plain Rice"]);
    rice.options[0].default = true;
    let m = menu(
        vec![
            item("Hainanese Chkn Rice", &["Reg", "Lg"], &["rice"]),
            item("Char Siu Rice", &[], &["rice"]),
            item("Chkn Rice (side)", &["Sm", "Lg"], &[]),
        ],
        vec![rice],
    );
    // Without the side rule: "1 chkn_rice_side@"; without the default exception: the line
    // left open among the rice plates.
    assert_eq!(said(&m, "a chicken rice"), ["1 hainanese_chkn_rice@"]);
    assert_eq!(said(&m, "a side of chicken rice"), ["1 chkn_rice_side@"]);
    assert_eq!(said(&m, "a large side rice"), ["1 chkn_rice_side@lg"]);
}

#[test]
fn a_price_in_brackets_hides_no_gloss() {
    // "Nasi Uduk (coconut) (+1.00)": the price is no name, and the gloss before it is one, on
    // the plate's rice pick as on the side order's size. "Gunpowder (podi) (+0.75)" beside
    // "Podi": the option whose own name was said wins.
    let mut rice = group(
        "rice_pick",
        1,
        &["Nasi Putih (white)", "Nasi Uduk (coconut) (+1.00)"],
    );
    rice.name = "Rice".into();
    let m = menu(
        vec![
            item("Ayam Bakar", &["Qtr", "Half (+5.00)"], &["rice_pick"]),
            item("Beef Rendang w/ Rice", &[], &["rice_pick"]),
            item("Nasi Goreng (fried rice)", &[], &[]),
            item(
                "Side Rice",
                &["Nasi Putih (white)", "Nasi Uduk (coconut)"],
                &[],
            ),
            item("Uttapam", &[], &["utt_top", "dosa_add"]),
        ],
        vec![
            rice,
            group(
                "dosa_add",
                3,
                &["Gunpowder (podi) (+0.75)", "Paneer (+3.00)"],
            ),
            group("utt_top", 3, &["Onion", "Podi (+0.75)"]),
        ],
    );
    // Off: "1 ayam_bakar@half", "1 side_rice@nasi_uduk_coconut".
    assert_eq!(
        said(&m, "half ayam bakar with coconut rice"),
        ["1 ayam_bakar@half_5_00 rice_pick=nasi_uduk_coconut_1_00"]
    );
    // Off (the size said by the item's name word after it): "1 beef_rendang_w_rice|side_rice@
    // rice_pick=nasi_uduk_coconut_1_00".
    assert_eq!(
        said(&m, "side of coconut rice"),
        ["1 side_rice@nasi_uduk_coconut"]
    );
    // Off (own name first): "dosa_add=gunpowder_podi_0_75".
    assert_eq!(said(&m, "a podi uttapam"), ["1 uttapam@ utt_top=podi_0_75"]);
}

#[test]
fn a_with_list_goes_on_with_the_listed_items_own_option() {
    // "with provolone and a fried egg" where "Fried Egg" is another sandwich's option and this
    // one has "Add Fried Egg": the article opens no sandwich of the other kind.
    let m = menu(
        vec![
            item("Chorizo Sandwich", &[], &["chori_top"]),
            item("Steak Sandwich", &[], &["steak_top"]),
        ],
        vec![
            group(
                "chori_top",
                3,
                &["Add Provolone", "Add Fried Egg", "Chimichurri"],
            ),
            group("steak_top", 3, &["Fried Egg", "Ham", "Cheese"]),
        ],
    );
    // Off: "1 chorizo_sandwich@ chori_top=add_provolone", "1 steak_sandwich@
    // steak_top=fried_egg".
    assert_eq!(
        said(&m, "a chorizo sandwich with provolone and a fried egg"),
        ["1 chorizo_sandwich@ chori_top=add_fried_egg chori_top=add_provolone"]
    );
    assert_eq!(
        said(&m, "a steak sandwich with ham and a fried egg"),
        ["1 steak_sandwich@ steak_top=fried_egg steak_top=ham"]
    );
}

#[test]
fn a_level_glossed_as_no_sugar_is_said_unsweetened() {
    // "Tawar (no sugar)": a gloss "no ..." describes, but none of a sweetness is the level's
    // name in English.
    let m = menu(
        vec![
            item("Iced Tea", &[], &["tea_sugar"]),
            item("Cendol", &[], &["palm_sugar"]),
        ],
        vec![
            group("tea_sugar", 1, &["Manis (sweet)", "Tawar (no sugar)"]),
            group("palm_sugar", 3, &["Palm Sugar", "Coconut Milk"]),
        ],
    );
    // Off: "2 iced_tea@".
    assert_eq!(
        said(&m, "two iced teas, unsweetened"),
        ["2 iced_tea@ tea_sugar=tawar_no_sugar"]
    );
    assert_eq!(
        said(&m, "an iced tea no sugar"),
        ["1 iced_tea@ tea_sugar=tawar_no_sugar"]
    );
}

#[test]
fn a_number_hyphened_into_a_name_is_the_name_not_a_count() {
    // "3-Way", "2-Meat Combo": the caller says the number as a word ("a three way"); read as
    // a count, it left a line of three open among every name with "way" in it.
    let m = menu(
        vec![
            item("3-Way (spag, chili)", &["Sm", "Lg"], &[]),
            item("4-Way (onion or bean)", &["Sm", "Lg"], &[]),
            item("Kids 3-Way", &[], &[]),
            item("2-Meat Combo", &[], &[]),
        ],
        vec![],
    );
    // Off: "3 ?@" (a line of three, no item).
    assert_eq!(
        said(&m, "hi can I get a three way"),
        ["1 3_way_spag_chili@"]
    );
    assert_eq!(said(&m, "two three ways"), ["2 3_way_spag_chili@"]);
    assert_eq!(said(&m, "a large four way"), ["1 4_way_onion_or_bean@lg"]);
    assert_eq!(said(&m, "a kids three way"), ["1 kids_3_way@"]);
    assert_eq!(said(&m, "the two meat combo"), ["1 2_meat_combo@"]);
}

#[test]
fn crm_is_cream() {
    // "Sour Crm (+.50)": typed short like "Chz"; read only as "sour", the caller's "cream"
    // went to another item's plain cream.
    let m = menu(
        vec![
            item("Chili Burrito", &[], &["burrito_top"]),
            item("Coffee", &[], &["cream_sugar"]),
        ],
        vec![
            group("burrito_top", 3, &["Chz", "Sour Crm (+.50)"]),
            group("cream_sugar", 2, &["Cream", "Sugar"]),
        ],
    );
    // Off: "1 chili_burrito@", "1 coffee@ cream_sugar=cream".
    assert_eq!(
        said(&m, "a chili burrito with sour cream"),
        ["1 chili_burrito@ burrito_top=sour_crm_50"]
    );
}

#[test]
fn a_word_that_heads_a_family_of_kinds_is_the_name_it_starts() {
    // "Kottu Roti" beside "String Hopper Kottu" and "Chz Kottu": the others put a word the
    // caller did not say before the word said; the one it starts is what a person takes.
    let m = menu(
        vec![
            item("Pancake Stack", &["Reg", "Lg"], &["protein"]),
            item("Blueberry Pancake", &["Reg", "Lg"], &["protein"]),
            item("Chz Pancake (mozz)", &["Reg", "Lg"], &["protein"]),
            item("Smoked Fritter", &[], &[]),
            item("Fritter Sandwich", &[], &[]),
        ],
        vec![group("protein", 1, &["Chkn", "Bacon"])],
    );
    // Off: "1 pancake_stack|blueberry_pancake|chz_pancake_mozz@ protein=chkn".
    assert_eq!(
        said(&m, "hi can I get a chicken pancake"),
        ["1 pancake_stack@ protein=chkn"]
    );
    assert_eq!(said(&m, "a large pancake"), ["1 pancake_stack@lg"]);
    // A kind said is that kind.
    assert_eq!(said(&m, "a blueberry pancake"), ["1 blueberry_pancake@"]);
    // One name beside one other shows no family: asked.
    assert_eq!(
        said(&m, "a fritter"),
        ["1 smoked_fritter|fritter_sandwich@"]
    );
}

#[test]
fn qt_is_quart_and_broc_is_broccoli() {
    // "Qt (32oz, to go)", "Broc Cheddar": typed short like "Chz"; the caller says the word.
    let m = menu(
        vec![
            item("Broc Soup", &["Cup", "Qt (32oz)"], &[]),
            item("Bean Soup", &["Cup", "Qt (32oz)"], &[]),
        ],
        vec![],
    );
    // Off: without "qt", "1 broc_soup@"; without "broc", "1 broc_soup|bean_soup@qt_32oz".
    assert_eq!(
        said(&m, "a quart of the broccoli soup"),
        ["1 broc_soup@qt_32oz"]
    );
}

#[test]
fn a_half_item_is_its_half_size_until_the_combo_is_said() {
    // "1/2 Caesar" is the pick of a soup-and-half combo, and Caesar Salad comes in a Half
    // size: "half caesar" with no combo said is the salad in that size.
    let mut combo = item("Pick 2 (soup + 1/2 salad)", &[], &["p2_soup", "p2_half"]);
    combo.code = "pick2".into();
    let m = menu(
        vec![
            combo,
            item("Caesar Salad", &["Half", "Full"], &["caesar_std"]),
            item("House Salad", &["Half", "Full"], &[]),
            item("Lentil Soup", &["Cup", "Bowl"], &[]),
        ],
        vec![
            group("p2_soup", 1, &["Lentil"]),
            group("p2_half", 1, &["1/2 Caesar", "1/2 House Salad"]),
            group("caesar_std", 3, &["Croutons", "Dressing"]),
        ],
    );
    // Off: "1 pick2@ p2_half=1_2_caesar", "1 caesar_salad@ !caesar_std=croutons".
    assert_eq!(
        said(&m, "half caesar no croutons"),
        ["1 caesar_salad@half !caesar_std=croutons"]
    );
    assert_eq!(said(&m, "two half house salads"), ["2 house_salad@half"]);
    // The combo said: its pick.
    assert_eq!(
        said(&m, "a pick two with the lentil and a half caesar"),
        ["1 pick2@ p2_half=1_2_caesar p2_soup=lentil"]
    );
}

#[test]
fn heat_said_against_the_scale_is_its_hottest_or_mildest_level() {
    // "very spicy", "not too spicy": no level is named so; the scale runs mild to hot.
    let m = menu(
        vec![
            item("Fried Noodles", &[], &["spice", "noodle_add"]),
            item("Wings", &[], &["sauce"]),
        ],
        vec![
            group("spice", 1, &["Mild", "Med", "Hot", "Fire (v. hot!)"]),
            group("noodle_add", 3, &["Egg"]),
            group("sauce", 1, &["Spicy", "Honey"]),
        ],
    );
    // Off: "1 fried_noodles@", "1 wings@ sauce=spicy".
    assert_eq!(
        said(&m, "fried noodles, very spicy"),
        ["1 fried_noodles@ spice=fire_v_hot"]
    );
    // Off: "1 fried_noodles@ spice=hot" (with "extra" as its amount).
    assert_eq!(
        said(&m, "fried noodles extra hot"),
        ["1 fried_noodles@ spice=fire_v_hot"]
    );
    // Off: "1 fried_noodles@", "1 wings@ !sauce=spicy".
    assert_eq!(
        said(&m, "fried noodles with egg, not too spicy"),
        ["1 fried_noodles@ noodle_add=egg spice=mild"]
    );
}

/// An item with sizes priced in order (cents).
fn priced(name: &str, sizes: &[(&str, i64)], groups: &[&str]) -> Item {
    let mut i = item(name, &[], groups);
    i.variations = sizes
        .iter()
        .map(|(s, p)| Variation {
            code: code(s),
            name: (*s).into(),
            price_cents: *p,
            available: true,
            ..Default::default()
        })
        .collect();
    i
}

#[test]
fn a_plain_size_word_is_the_size_a_menu_names_its_own_way() {
    let m = menu(
        vec![
            priced(
                "Agua Fresca",
                &[("Chica (16oz)", 400), ("Grande (32oz)", 600)],
                &["flavor"],
            ),
            priced(
                "Corn Cup",
                &[
                    ("Chico (8oz)", 500),
                    ("Mediano (12oz)", 650),
                    ("Grande (16oz)", 800),
                ],
                &[],
            ),
            priced("Fruit Cup", &[("Med (16oz)", 600), ("Lg (24oz)", 800)], &[]),
            priced("Patty Melt", &[("Single", 900), ("Double", 1200)], &[]),
        ],
        vec![group("flavor", 1, &["Horchata", "Jamaica"])],
    );
    // Off: "1 fruit_cup@lg_24oz", "1 agua_fresca@ flavor=horchata".
    assert_eq!(
        said(&m, "a large horchata"),
        ["1 agua_fresca@grande_32oz flavor=horchata"]
    );
    assert_eq!(
        said(&m, "two medium corn cups and a small jamaica"),
        [
            "2 corn_cup@mediano_12oz",
            "1 agua_fresca@chica_16oz flavor=jamaica"
        ]
    );
    assert_eq!(
        said(&m, "a corn cup, the big one"),
        ["1 corn_cup@grande_16oz"]
    );
    // The menu's own large stays its own; patties are no size.
    assert_eq!(said(&m, "a large fruit cup"), ["1 fruit_cup@lg_24oz"]);
    assert_eq!(said(&m, "a small patty melt"), ["1 patty_melt@"]);
}

#[test]
fn options_said_on_one_of_a_count_are_that_ones() {
    let m = menu(
        vec![
            item("Street Corn", &[], &["toppings"]),
            item("Shrimp Cocktail", &[], &["shrimp_sauce"]),
        ],
        vec![
            group("toppings", 0, &["Mayo", "Lime", "Cotija"]),
            group("shrimp_sauce", 0, &["Cocktail Sauce", "Lemon"]),
        ],
    );
    // Off: "1 street_corn@ !toppings=lime" twice.
    assert_eq!(
        said(&m, "two street corns, no lime on one"),
        ["1 street_corn@", "1 street_corn@ !toppings=lime"]
    );
    // Off: the extra sauce on both.
    assert_eq!(
        said(
            &m,
            "two shrimp cocktails, extra cocktail sauce on one of them"
        ),
        [
            "1 shrimp_cocktail@",
            "1 shrimp_cocktail@ shrimp_sauce=cocktail_sauce"
        ]
    );
}

#[test]
fn mid_is_said_for_medium() {
    let m = menu(
        vec![
            item("Sirloin", &[], &["temp"]),
            item("Ribeye", &[], &["doneness"]),
        ],
        vec![
            group(
                "temp",
                1,
                &["Rare (cool red)", "Med Rare (warm red)", "Med Well"],
            ),
            group("doneness", 1, &["Rare", "Medium Rare"]),
        ],
    );
    // Off: "1 sirloin@ temp=rare_cool_red".
    assert_eq!(
        said(&m, "a sirloin mid rare"),
        ["1 sirloin@ temp=med_rare_warm_red"]
    );
    assert_eq!(said(&m, "sirloin mid well"), ["1 sirloin@ temp=med_well"]);
    assert_eq!(
        said(&m, "a ribeye mid rare"),
        ["1 ribeye@ doneness=medium_rare"]
    );
}

#[test]
fn a_gloss_that_only_says_side_names_nothing() {
    let m = menu(
        vec![
            item("Strip Steak", &[], &["steak_side"]),
            item("Sauteed Mushrooms (side)", &[], &[]),
            item("Caesar", &[], &[]),
        ],
        vec![group("steak_side", 1, &["Fries", "Side Salad"])],
    );
    // Off: "1 strip_steak@", "1 sauteed_mushrooms_side@", "1 strip_steak@ steak_side=fries".
    assert_eq!(
        said(&m, "a strip steak with a side of fries"),
        ["1 strip_steak@ steak_side=fries"]
    );
    assert_eq!(
        said(&m, "a side of mushrooms"),
        ["1 sauteed_mushrooms_side@"]
    );
}

#[test]
fn a_size_coded_one_is_not_every_one_said() {
    let mut bread = item("Flatbread", &["1 pc", "3 pc"], &["spread"]);
    bread.variations[0].code = "one".into();
    bread.variations[1].code = "three".into();
    let m = menu(
        vec![
            bread,
            item("Honey Cake", &["Small", "Large"], &[]),
            item("Shakshouka", &[], &[]),
        ],
        vec![group("spread", 1, &["Cheese"])],
    );
    // Off: "1 honey_cake@small", "1 flatbread@one".
    assert_eq!(
        said(&m, "a honey cake, the small one"),
        ["1 honey_cake@small"]
    );
    // Off: "1 shakshouka@", "1 flatbread@one".
    assert_eq!(said(&m, "one shakshouka"), ["1 shakshouka@"]);
    // A count of the pack is still the pack.
    assert_eq!(said(&m, "three flatbreads"), ["1 flatbread@three"]);
}

#[test]
fn sizes_counted_in_the_menus_own_unit_are_the_count_said() {
    let m = menu(
        vec![
            item("Kebabs", &["5 kom", "10 kom"], &[]),
            item("Soda", &["12 oz", "20 oz"], &[]),
        ],
        vec![],
    );
    // Off: "10 kebabs@".
    assert_eq!(said(&m, "ten kebabs"), ["1 kebabs@10_kom"]);
    // Off: "1 kebabs@" (five said of a piece, no size).
    assert_eq!(said(&m, "a five piece kebabs"), ["1 kebabs@5_kom"]);
    // A measure is no count.
    assert_eq!(said(&m, "two sodas"), ["2 soda@"]);
}

#[test]
fn every_abbreviation_of_a_name_is_said_at_once() {
    let m = menu(
        vec![
            item("Dbl Choc Chunk", &[], &[]),
            item("Choc Chunk", &[], &[]),
            item("PB Choc Chip", &[], &[]),
        ],
        vec![],
    );
    // Off: only one abbreviation was said out per form ("double choc chunk", "dbl chocolate
    // chunk"): "1 choc_chunk@" with a double amount.
    assert_eq!(said(&m, "a double chocolate chunk"), ["1 dbl_choc_chunk@"]);
    assert_eq!(
        said(&m, "a peanut butter chocolate chip and a chocolate chunk"),
        ["1 pb_choc_chip@", "1 choc_chunk@"]
    );
}

#[test]
fn the_house_version_named_in_its_own_language_is_the_name_said() {
    let m = menu(
        vec![
            item("Tagine Classique (w/ olives)", &[], &[]),
            item("Tagine Kefta", &[], &[]),
            item("Tagine Poulet", &[], &[]),
            item("Tagine Wrap", &[], &[]),
            item("Classic Shake", &[], &[]),
            item("Mango Shake", &[], &[]),
            item("Berry Shake", &[], &[]),
        ],
        vec![],
    );
    // Off: the four tagines left open.
    assert_eq!(said(&m, "a tagine"), ["1 tagine_classique_w_olives@"]);
    assert_eq!(
        said(&m, "two tagines please"),
        ["2 tagine_classique_w_olives@"]
    );
    // A word the menu does not know after the name may be a longer name said loosely.
    assert_eq!(
        said(&m, "a tagine sandwich"),
        ["1 tagine_classique_w_olives|tagine_kefta|tagine_poulet|tagine_wrap@"]
    );
    // "Classic" in English is one flavour among flavours: asked.
    assert_eq!(
        said(&m, "a shake"),
        ["1 classic_shake|mango_shake|berry_shake@"]
    );
}

#[test]
fn a_gloss_inside_a_name_says_the_words_before_it() {
    let m = menu(
        vec![
            item("Sucuk (spicy sausage) Wrap", &[], &[]),
            item("Kofte Wrap", &[], &[]),
            item("Rice Bowl", &[], &["adds"]),
        ],
        vec![group("adds", 3, &["Sausage", "Egg"])],
    );
    // Off: "1 rice_bowl@ adds=sausage", "1 sucuk_spicy_sausage_wrap|kofte_wrap@".
    assert_eq!(said(&m, "a sausage wrap"), ["1 sucuk_spicy_sausage_wrap@"]);
    assert_eq!(
        said(&m, "two spicy sausage wraps"),
        ["2 sucuk_spicy_sausage_wrap@"]
    );
}

#[test]
fn a_with_gloss_that_says_the_name_word_for_word_is_said_with_it() {
    let m = menu(
        vec![
            item("Fatta", &[], &["adds"]),
            item("Fatta Bil Lahma (w/ beef)", &[], &[]),
            item("Beans Plate (w/ bread, salad)", &[], &[]),
        ],
        vec![group("adds", 3, &["Beef", "Egg"])],
    );
    // Off: "1 fatta@ adds=beef" both times.
    assert_eq!(said(&m, "a beef fatta"), ["1 fatta_bil_lahma_w_beef@"]);
    assert_eq!(
        said(&m, "one fatta with beef"),
        ["1 fatta_bil_lahma_w_beef@"]
    );
    // The plain dish with another add is still the plain dish.
    assert_eq!(said(&m, "a fatta with egg"), ["1 fatta@ adds=egg"]);
}

#[test]
fn a_dish_named_with_what_it_is_served_in_is_the_dish_said() {
    let m = menu(
        vec![
            item("Kofta u Lepinji (beef)", &[], &[]),
            item("Kofta Tanjir", &[], &[]),
            item("Chicken in Garlic Sauce", &[], &[]),
            item("Chicken Fried Rice", &[], &[]),
        ],
        vec![],
    );
    // Off: "1 kofta_u_lepinji_beef|kofta_tanjir@".
    assert_eq!(said(&m, "a kofta please"), ["1 kofta_u_lepinji_beef@"]);
    // English "in" joins no such name: asked.
    assert_eq!(
        said(&m, "a chicken"),
        ["1 chicken_in_garlic_sauce|chicken_fried_rice@"]
    );
}

#[test]
fn a_pick_said_out_past_an_items_name_is_the_item_said() {
    let m = menu(
        vec![
            item("Spicy Root (Root Beer + chili)", &[], &["extras"]),
            item("Mix Your Own", &[], &["base", "extras"]),
        ],
        vec![
            group("base", 1, &["Root Beer", "Cream Soda"]),
            group("extras", 0, &["Lime", "Vanilla"]),
        ],
    );
    // Off: "1 spicy_root_root_beer_chili@", "1 mix_your_own@ base=root_beer extras=lime".
    assert_eq!(
        said(&m, "a spicy root beer with lime"),
        ["1 spicy_root_root_beer_chili@ extras=lime"]
    );
    assert_eq!(
        said(&m, "a mix your own with root beer"),
        ["1 mix_your_own@ base=root_beer"]
    );
}

#[test]
fn a_size_typed_as_a_glued_measure_is_said_apart() {
    let m = menu(
        vec![item("Fizz Cup", &["12oz (sm)", "20oz (lg)"], &[])],
        vec![],
    );
    // Off: "20 fizz_cup@".
    assert_eq!(said(&m, "a 20 ounce fizz cup"), ["1 fizz_cup@20oz_lg"]);
}

#[test]
fn one_pick_of_a_box_of_up_to_two_is_the_dish_of_that_name() {
    // A box that takes one or two picks named after the shop's own dishes: one pick said with
    // no item named is the dish, as for a plate that must take two (`one_pick_names_dish`).
    let mut picks = group("box_pick", 2, &["Traditional", "Cheese & Onion"]);
    picks.min = 1;
    let m = menu(
        vec![
            item("Traditional Cornish (beef, potato)", &[], &["served"]),
            item("Cheese & Onion", &[], &["served"]),
            item("Mini Box (6) - pick 2", &[], &["box_pick", "served"]),
        ],
        vec![picks, group("served", 1, &["Hot", "Frozen"])],
    );
    // Off: "1 mini_box_6_pick_2@ box_pick=traditional served=hot".
    assert_eq!(
        said(&m, "a traditional hot"),
        ["1 traditional_cornish_beef_potato@ served=hot"]
    );
    assert_eq!(
        said(&m, "a mini box with traditional and cheese and onion"),
        ["1 mini_box_6_pick_2@ box_pick=cheese_onion box_pick=traditional"]
    );
}

#[test]
fn a_level_typed_after_its_number_and_a_dash_is_said_by_its_words() {
    // "3 - Hot" beside "4 - Fire Hot": "hot" was a piece of both, too vague, and went unread.
    let m = menu(
        vec![item("Noodle Salad", &[], &["meat", "spice"])],
        vec![
            group("meat", 1, &["Chicken", "Pork"]),
            group(
                "spice",
                1,
                &["0 - No Spice", "1 - Mild", "3 - Hot", "4 - Fire Hot"],
            ),
        ],
    );
    // Off: "1 noodle_salad@ meat=chicken".
    assert_eq!(
        said(&m, "the noodle salad with chicken, hot"),
        ["1 noodle_salad@ meat=chicken spice=3_hot"]
    );
    assert_eq!(
        said(&m, "a noodle salad fire hot"),
        ["1 noodle_salad@ spice=4_fire_hot"]
    );
}

#[test]
fn large_is_the_dearer_of_regular_and_another_size_when_the_menu_says_large_nowhere() {
    let priced = |mut it: Item| {
        for (k, v) in it.variations.iter_mut().enumerate() {
            v.price_cents = 900 + 300 * k as i64;
        }
        it
    };
    let m = menu(
        vec![priced(item("Fish Soup", &["Reg", "Grande"], &[]))],
        vec![],
    );
    // Off: "1 fish_soup@" for both.
    assert_eq!(said(&m, "a large fish soup"), ["1 fish_soup@grande"]);
    assert_eq!(said(&m, "fish soup, small"), ["1 fish_soup@reg"]);
    // A menu that names other sizes large has its own word for it and chose another here.
    let m = menu(
        vec![
            priced(item("Fish Soup", &["Regular", "Grande"], &[])),
            priced(item("Lemonade", &["Small", "Large"], &[])),
        ],
        vec![],
    );
    assert_eq!(said(&m, "a large fish soup"), ["1 fish_soup@"]);
}

#[test]
fn loads_of_an_option_is_extra() {
    let m = menu(
        vec![item("Chips", &[], &["toppings"])],
        vec![group("toppings", 0, &["Salt", "Malt Vinegar"])],
    );
    // Off: "1 chips@ toppings=malt_vinegar" with no amount.
    let ext = m.extract("chips, loads of vinegar");
    assert_eq!(ext.lines.len(), 1);
    assert_eq!(ext.lines[0].modifiers[0].option, "malt_vinegar");
    assert_eq!(ext.lines[0].modifiers[0].qualifier, Some(Qualifier::Extra));
}

#[test]
fn a_bare_number_in_brackets_is_the_count_of_a_pack_named_without_one() {
    // `Docena (12)`, `Short Stack (3)`: the name says no count of its own, the brackets say
    // how many pieces the pack holds.
    let m = menu(
        vec![
            item("Beef Saltena", &["c/u", "Docena (12)"], &[]),
            item("Pancakes", &["Short Stack (3)", "Full Stack (5)"], &[]),
        ],
        vec![],
    );
    // Off: "12 beef_saltena@", "3 pancakes@".
    assert_eq!(
        said(&m, "a dozen beef saltenas"),
        ["1 beef_saltena@docena_12"]
    );
    assert_eq!(said(&m, "three pancakes"), ["1 pancakes@short_stack_3"]);
    // A measure in brackets is no count.
    let m = menu(
        vec![item("Lemonade", &["Sm (16 oz)", "Lg (32 oz)"], &[])],
        vec![],
    );
    assert_eq!(said(&m, "two lemonades"), ["2 lemonade@"]);
}

#[test]
fn a_count_said_in_dozens_is_of_the_dozen_even_beside_a_single() {
    // `Single` / `Half Doz (6)` / `Doz (12)`: "two dozen" is two of the dozen, not
    // twenty-four singles; twenty-four said as a number stays singles, as said.
    let m = menu(
        vec![item(
            "Biscuit",
            &["Single", "Half Doz (6)", "Doz (12)"],
            &[],
        )],
        vec![],
    );
    // Off: "24 biscuit@", "36 biscuit@".
    assert_eq!(said(&m, "two dozen biscuits"), ["2 biscuit@doz_12"]);
    assert_eq!(said(&m, "three dozen biscuits"), ["3 biscuit@doz_12"]);
    assert_eq!(said(&m, "twenty four biscuits"), ["24 biscuit@"]);
}

#[test]
fn half_dozen_with_no_article_is_six() {
    let m = menu(
        vec![
            item("Mikate", &["6 pc", "12 pc"], &[]),
            item("Grilled Chicken", &["Half", "Whole"], &[]),
        ],
        vec![],
    );
    // Off: "1 mikate@" ("half" and "dozen" read apart, no count).
    assert_eq!(said(&m, "half dozen mikate"), ["1 mikate@6_pc"]);
}

#[test]
fn what_a_side_items_brackets_call_it_names_the_plates_pick_of_that_name() {
    // A plate's pick of one `Makemba +2` beside the side item `Makemba (fried plantain)`:
    // "with plantains" on the plate is its pick, not a side ordered beside it.
    let mut starch = group("starch", 1, &["Fufu", "Makemba +2"]);
    starch.min = 1;
    let m = menu(
        vec![
            item("Grilled Chicken", &[], &["starch"]),
            item("Fufu (1 ball)", &[], &[]),
            item("Makemba (fried plantain)", &[], &[]),
        ],
        vec![starch],
    );
    // Off: "1 grilled_chicken@", "1 makemba_fried_plantain@".
    assert_eq!(
        said(&m, "a grilled chicken with plantains"),
        ["1 grilled_chicken@ starch=makemba_2"]
    );
    // Alone it is still the side.
    assert_eq!(said(&m, "fried plantains"), ["1 makemba_fried_plantain@"]);
}

#[test]
fn a_gloss_of_how_a_side_is_sold_does_not_name_the_pick() {
    // `Chips (bag)` beside the sandwiches' side pick `Chips` (blind batch 31's
    // chicken-salad-shop, after round 27 made a side item's gloss a name of the pick): "a bag of
    // jalapeno chips" is the bag, not the sandwich's chips too.
    let m = crate::test_venues::blind_venue("venues-blind-31/chicken-salad-shop");
    let lines = said(
        &m,
        "a pimento cheese sandwich with bacon on sourdough, and a bag of jalapeno chips",
    );
    // Off: the sandwich's line also had `sandwich_side=chips`.
    assert!(
        lines.iter().all(|l| !l.contains("sandwich_side")),
        "{lines:?}"
    );
    assert_eq!(lines.len(), 2, "{lines:?}");
}

#[test]
fn sizes_counted_in_the_menus_own_unit_keep_their_count_beside_a_bracket() {
    // `12 st` / `20 st` / `30 st (to share)`: what the brackets say of the last pack does not
    // take the count in the menu's own unit from all three.
    let m = menu(
        vec![item(
            "Poffertjes",
            &["12 st", "20 st", "30 st (to share)"],
            &[],
        )],
        vec![],
    );
    // Off: "12 poffertjes@", "20 poffertjes@".
    assert_eq!(said(&m, "a dozen poffertjes"), ["1 poffertjes@12_st"]);
    assert_eq!(said(&m, "twenty poffertjes"), ["1 poffertjes@20_st"]);
}

#[test]
fn a_measure_typed_after_a_sizes_word_is_said_by_its_number_and_unit() {
    // `Sm 12oz` / `Lg 20oz`: "twelve ounce", "the 20 ounce" name the size as "12 oz" would.
    let m = menu(vec![item("Latte", &["Sm 12oz", "Lg 20oz"], &[])], vec![]);
    // Off: "12 latte@", "1 latte@".
    assert_eq!(said(&m, "twelve ounce latte"), ["1 latte@sm_12oz"]);
    assert_eq!(said(&m, "a latte, the 20 ounce"), ["1 latte@lg_20oz"]);
}

#[test]
fn a_number_after_an_article_is_the_size_it_measures() {
    // `16oz (sm)` / `32oz (lg)`: "a 32 cola" is the 32 ounce, one of it.
    let m = menu(vec![item("Cola", &["16oz (sm)", "32oz (lg)"], &[])], vec![]);
    // Off: "32 cola@".
    assert_eq!(said(&m, "a 32 cola"), ["1 cola@32oz_lg"]);
    // Said without the article it stays a count.
    assert_eq!(said(&m, "two colas"), ["2 cola@"]);
}
