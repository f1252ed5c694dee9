//! The persona calls of every venue (`tests/venues/*/calls.txt`, `tests/venues-blind*/*/calls.txt`)
//! through the dialog alone, without Postgres (tests/tests/venue_calls.rs runs them through the
//! real gateway). Each venue's pass rate must stay at or above its floor; a call marked `known`
//! that passes is an error.

mod common;

use common::calls;

/// Least share of calls (percent) ending as the script says, per venue.
const FLOOR: &[(&str, f64)] = &[
    ("afghan-kitchen", 45.0),
    ("arepa-bar", 55.0),
    ("baleada-stand", 30.0),
    ("biscuit-shop", 60.0),
    ("boba", 100.0),
    ("bolivian-salteneria", 45.0),
    ("breakfast", 70.0),
    ("burgers", 70.0),
    ("burmese", 95.0),
    ("burrito-bowl", 70.0),
    ("cevapi-grill", 40.0),
    ("chamorro-bbq", 55.0),
    ("cheesesteak", 60.0),
    ("chicken-rice-stall", 55.0),
    ("chicken-salad-shop", 65.0),
    ("chili-parlor", 70.0),
    ("churrasqueira", 55.0),
    ("clam-shack", 45.0),
    ("coffee", 100.0),
    ("com-tam", 60.0),
    ("congolese-kitchen", 50.0),
    ("cookie-shop", 35.0),
    ("creole-kitchen", 70.0),
    ("cuban-ventanita", 90.0),
    ("curry-house", 65.0),
    ("deli", 70.0),
    ("dim-sum", 75.0),
    ("diner", 100.0),
    ("dirty-soda-shop", 65.0),
    ("dosa-house", 65.0),
    ("dutch-pancake-house", 40.0),
    ("ecuadorian-kitchen", 60.0),
    ("elote-stand", 55.0),
    ("empanada-house", 45.0),
    ("espresso-bar", 50.0),
    ("fair-food-stand", 70.0),
    ("falafel-stand", 55.0),
    ("fish-chips", 50.0),
    ("frybread-stand", 70.0),
    ("grilled-cheese-bar", 60.0),
    ("gyro-shop", 45.0),
    ("haitian-kitchen", 30.0),
    ("hibachi-express", 65.0),
    ("hk-cafe", 60.0),
    ("hot-chicken", 70.0),
    ("indian", 100.0),
    ("indonesian-warung", 60.0),
    ("iraqi-kitchen", 60.0),
    ("irish-kitchen", 45.0),
    ("italian-beef", 65.0),
    ("jerk-chicken", 70.0),
    ("khachapuri-bakery", 70.0),
    ("khmer-noodle", 65.0),
    ("kolache-bakery", 60.0),
    ("korean-chicken", 70.0),
    ("koshari-house", 50.0),
    ("kottu-hut", 65.0),
    ("langos-stand", 85.0),
    ("lao-kitchen", 60.0),
    ("mac-cheese", 90.0),
    ("manoushe-bakery", 65.0),
    ("meat-and-three", 40.0),
    ("milanesa-bar", 45.0),
    ("moroccan-kitchen", 55.0),
    ("onigiri-stand", 65.0),
    ("pasta-parm", 35.0),
    ("pastel-stand", 35.0),
    ("pastizzeria", 40.0),
    ("pasty-shop", 70.0),
    ("persian-kabob", 45.0),
    ("pho-banhmi", 55.0),
    ("pide-doner", 45.0),
    ("pie-shop", 40.0),
    ("pinoy-grill", 70.0),
    ("pit-beef-stand", 60.0),
    ("pizzeria", 70.0),
    ("poboy-shop", 85.0),
    ("pollo-brasa", 45.0),
    ("pozoleria", 25.0),
    ("pupuseria", 50.0),
    ("raclette-stand", 45.0),
    ("ramen", 60.0),
    ("roti-shop", 75.0),
    ("sandwich", 60.0),
    ("seafood-boil", 55.0),
    ("silog", 65.0),
    ("smokehouse", 45.0),
    ("somali-kitchen", 45.0),
    ("soup-shop", 55.0),
    ("steakhouse", 60.0),
    ("sushi", 85.0),
    ("taiwanese-bento", 60.0),
    ("tamale-shop", 15.0),
    ("taqueria", 100.0),
    ("tea-room", 65.0),
    ("thai", 85.0),
    ("tlayuda-stand", 35.0),
    ("tortas", 70.0),
    ("uyghur-skewer-house", 65.0),
    ("vegan-cafe", 45.0),
    ("wings", 40.0),
    ("wurst-haus", 45.0),
    ("yemeni-kitchen", 55.0),
];

#[test]
fn venue_calls_without_postgres() {
    let mut failures = Vec::new();
    for (name, dir, menu) in calls::venues() {
        let scripts = calls::scripts(&dir);
        let mut passed = 0;
        for c in &scripts {
            let outs = calls::run(&menu, &c.says);
            match (calls::judge(&menu, c, &outs), &c.known) {
                (None, None) => passed += 1,
                (None, Some(why)) => failures.push(format!(
                    "{name} / {}: marked known ({why}) but passes: remove its `known` line from {}",
                    c.name,
                    dir.join("calls.txt").display()
                )),
                (Some(_), Some(why)) => println!("{name} / {}: known failure ({why})", c.name),
                (Some(why), None) => println!("{name} / {}: {why}", c.name),
            }
        }
        let pct = 100.0 * passed as f64 / scripts.len() as f64;
        println!("{name}: {passed}/{} = {pct:.1}%", scripts.len());
        let floor = FLOOR
            .iter()
            .find(|(f, _)| *f == name)
            .unwrap_or_else(|| panic!("{name}: no floor: add (\"{name}\", {pct:.1})"))
            .1;
        if pct < floor {
            failures.push(format!("{name}: {pct:.1}% of calls < floor {floor}%"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
