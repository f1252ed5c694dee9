//! Persona calls to the POS menus of `tests/venues/` (issue 12) and `tests/venues-blind*/`
//! (issue 16: written by people who never read the engine): realistic callers
//! (hesitant, chatty, correcting themselves, asking questions, ordering for a family) through
//! the real gateway and database, each checked for the order a competent human order-taker
//! would have taken, and for never saying one prompt more than three times.
//!
//! The calls are data, one file per venue (`tests/venues/<name>/calls.txt`; its format is at the
//! top of the taqueria file). Each venue is one test: its calls run concurrently against one
//! merchant with the venue's menu, and the test prints `venue: passed/total`. A hand-written
//! venue fails on any call that went wrong, with its transcript; a blind venue fails below its
//! floor (its pass rate when last tuned). Every venue fails when a caller confirmed the
//! read-back and then heard the apology: the order the caller agreed to must never be refused.

use std::collections::HashMap;
use std::sync::Arc;

use kea_tests::*;
use serde_json::Value;

/// Most times one prompt may be said in a call.
const MAX_SAME_PROMPT: usize = 3;

#[derive(Debug, Default)]
struct Script {
    name: String,
    says: Vec<String>,
    lines: Vec<String>,
    outcome: String,
    must_say: Vec<String>,
    never_say: Vec<String>,
    /// `known REASON`: a failure understood and left (an extraction limit): counted and
    /// printed, not failed. A known failure that passes fails the test, as in pg_regress's
    /// expected-failure lists, so the line is removed the day it is fixed.
    known: Option<String>,
}

fn parse(text: &str) -> Vec<Script> {
    let mut calls: Vec<Script> = Vec::new();
    for raw in text.lines() {
        let l = raw.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        if let Some(name) = l.strip_prefix("== ") {
            calls.push(Script {
                name: name.to_string(),
                outcome: "ordered".into(),
                ..Script::default()
            });
            continue;
        }
        let c = calls.last_mut().expect("a call starts with '== name'");
        if let Some(s) = l.strip_prefix("> ") {
            c.says.push(s.to_string());
        } else if let Some(s) = l.strip_prefix("= ") {
            c.lines.push(canonical(s));
        } else if let Some(s) = l.strip_prefix("outcome ") {
            c.outcome = s.trim().to_string();
        } else if let Some(s) = l.strip_prefix("? ") {
            c.must_say.push(s.to_lowercase());
        } else if let Some(s) = l.strip_prefix("! ") {
            c.never_say.push(s.to_lowercase());
        } else if let Some(s) = l.strip_prefix("known ") {
            c.known = Some(s.to_string());
        } else if l.starts_with("- ") {
            // The dialog act a writer expected of the turn before ("- menu_question", blind
            // batch 7): a note for the reader, not judged (the call's lines and outcome are).
        } else {
            panic!("unreadable line in calls: {raw}");
        }
    }
    calls
}

/// "QTY ITEM[@VAR] MOD..." with the modifiers sorted, so lines compare as text.
fn canonical(line: &str) -> String {
    let mut words = line.split_whitespace();
    let head: Vec<&str> = words.by_ref().take(2).collect();
    let mut mods: Vec<&str> = words.collect();
    mods.sort_unstable();
    let mut s = head.join(" ");
    for m in mods {
        s.push(' ');
        s.push_str(m);
    }
    s
}

/// An order line of the call summary in the same notation.
fn line_of(l: &Value) -> String {
    let mut s = format!(
        "{} {}",
        l["quantity"].as_i64().unwrap_or(0),
        l["item_code"].as_str().unwrap_or("?")
    );
    if let Some(v) = l["variation_code"].as_str() {
        s.push('@');
        s.push_str(v);
    }
    let mut mods: Vec<String> = l["modifiers"]
        .as_array()
        .map(|ms| {
            ms.iter()
                .map(|m| {
                    let mut t = String::new();
                    if m["negated"] == true {
                        t.push('!');
                    }
                    t.push_str(&format!(
                        "{}={}",
                        m["group"].as_str().unwrap_or("?"),
                        m["option"].as_str().unwrap_or("?")
                    ));
                    if let Some(q) = m["quantity"].as_u64().filter(|&q| q > 1) {
                        t.push_str(&format!("*{q}"));
                    }
                    if let Some(q) = m["qualifier"].as_str() {
                        t.push('+');
                        t.push_str(q);
                    }
                    t
                })
                .collect()
        })
        .unwrap_or_default();
    mods.sort_unstable();
    for m in mods {
        s.push(' ');
        s.push_str(&m);
    }
    s
}

/// What went wrong in one call, or `None` when it ended as it should.
/// Item code -> its default size (`default_variation`): a line of the default size reads the
/// same as one with no size said ("a thai iced tea" is the regular one).
fn default_sizes(menu: &str) -> HashMap<String, String> {
    let menu: Value = serde_json::from_str(menu).expect("menu json");
    menu["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| {
            Some((
                i["code"].as_str()?.to_string(),
                i["default_variation"].as_str()?.to_string(),
            ))
        })
        .collect()
}

/// "1 ITEM@DEFAULT ..." -> "1 ITEM ...".
fn without_default_size(line: &str, defaults: &HashMap<String, String>) -> String {
    let mut words: Vec<String> = line.split_whitespace().map(String::from).collect();
    if let Some((item, size)) = words.get(1).and_then(|w| w.split_once('@')) {
        if defaults.get(item).is_some_and(|d| d == size) {
            words[1] = item.to_string();
        }
    }
    words.join(" ")
}

fn check(
    script: &Script,
    said: &[&str],
    summary: &Value,
    defaults: &HashMap<String, String>,
) -> Option<String> {
    let mut problems = Vec::new();
    let outcome = summary["outcome"].as_str().unwrap_or("none");
    if outcome != script.outcome {
        problems.push(format!("outcome {outcome}, expected {}", script.outcome));
    }
    let mut got: Vec<String> = summary["order"]["lines"]
        .as_array()
        .map(|ls| ls.iter().map(line_of).collect())
        .unwrap_or_default();
    if outcome != "ordered" {
        got.clear();
    }
    let mut want = script.lines.clone();
    for l in got.iter_mut().chain(want.iter_mut()) {
        *l = without_default_size(l, defaults);
    }
    got.sort();
    want.sort();
    if got != want {
        problems.push(format!("lines {got:?}, expected {want:?}"));
    }
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for s in said {
        *counts.entry(s).or_default() += 1;
    }
    if let Some((p, n)) = counts.iter().find(|(_, &n)| n > MAX_SAME_PROMPT) {
        problems.push(format!("said {n} times: {p}"));
    }
    let all = said.join("\n").to_lowercase();
    for m in &script.must_say {
        if !all.contains(m) {
            problems.push(format!("never said {m:?}"));
        }
    }
    for m in &script.never_say {
        if all.contains(m) {
            problems.push(format!("said {m:?}"));
        }
    }
    (!problems.is_empty()).then(|| problems.join("; "))
}

/// `floor`: for a blind venue, the least share of calls (percent) that must pass; `None`: all.
async fn venue(name: &str, menu: &str, calls: &str, floor: Option<f64>) {
    let scripts = parse(calls);
    assert!(scripts.len() >= 20, "{name}: {} calls", scripts.len());
    let defaults = default_sizes(menu);
    let db = admin().await;
    let gw = start_gateway().await;
    let m = merchant_with_menu(&db, "", menu).await;
    let (gw, m) = (Arc::new(gw), Arc::new(m));
    let runs: Vec<_> = scripts
        .iter()
        .map(|s| {
            let says = s.says.clone();
            let (gw, m) = (gw.clone(), m.clone());
            tokio::spawn(async move {
                let says: Vec<&str> = says.iter().map(String::as_str).collect();
                let t = call(&gw, &m, &says).await;
                let summary = summary(&gw, &t.call_sid).await;
                (t, summary)
            })
        })
        .collect();
    let mut results = Vec::with_capacity(runs.len());
    for r in runs {
        results.push(r.await.expect("a call task"));
    }
    let mut failures = Vec::new();
    let mut refused_after_yes = Vec::new();
    let (mut known, mut passed) = (0, 0);
    for (s, (t, summary)) in scripts.iter().zip(&results) {
        if let Some(why) = apology_after_read_back(&t.lines) {
            refused_after_yes.push(format!("  {}: {why}", s.name));
        }
        match (check(s, &t.kea_said(), summary, &defaults), &s.known) {
            (Some(why), Some(reason)) => {
                known += 1;
                println!("{name}: {}: known failure ({reason}): {why}", s.name);
            }
            (Some(why), None) => {
                let transcript: Vec<String> = t
                    .lines
                    .iter()
                    .map(|(who, text)| format!("    {who}: {text}"))
                    .collect();
                failures.push(format!("  {}: {why}\n{}", s.name, transcript.join("\n")));
            }
            (None, Some(reason)) => {
                passed += 1;
                failures.push(format!(
                    "  {}: marked known ({reason}) but passes: remove its `known` line from \
                     tests/venues*/{name}/calls.txt",
                    s.name
                ));
            }
            (None, None) => passed += 1,
        }
    }
    println!(
        "{name}: {passed}/{} calls passed ({known} known failures)",
        scripts.len()
    );
    assert!(
        refused_after_yes.is_empty(),
        "{name}: a confirmed read-back was followed by the apology\n{}",
        refused_after_yes.join("\n")
    );
    match floor {
        None => assert!(
            failures.is_empty(),
            "{name}: {passed}/{} calls passed\n{}",
            scripts.len(),
            failures.join("\n")
        ),
        Some(floor) => {
            let pct = 100.0 * passed as f64 / scripts.len() as f64;
            for f in &failures {
                println!("{name}: {f}");
            }
            assert!(
                pct >= floor,
                "{name}: {pct:.1}% of calls passed, below the floor {floor}%"
            );
        }
    }
}

/// The apology ("we're having trouble") said after the caller answered a read-back: the order
/// the caller confirmed was refused.
fn apology_after_read_back(lines: &[(String, String)]) -> Option<String> {
    let mut read_back = false;
    for (who, text) in lines {
        if who == "kea" && text.contains("Shall I place the order?") {
            read_back = true;
        } else if who == "kea" && read_back && text.contains("having trouble") {
            return Some(format!("kea said {text:?} after the read-back"));
        }
    }
    None
}

macro_rules! venue_test {
    ($name:ident) => {
        #[tokio::test]
        async fn $name() {
            venue(
                stringify!($name),
                include_str!(concat!("../venues/", stringify!($name), "/menu.json")),
                include_str!(concat!("../venues/", stringify!($name), "/calls.txt")),
                None,
            )
            .await;
        }
    };
    ($name:ident, blind $batch:literal / $dir:literal, $floor:expr) => {
        #[tokio::test]
        async fn $name() {
            venue(
                $dir,
                include_str!(concat!("../", $batch, "/", $dir, "/menu.json")),
                include_str!(concat!("../", $batch, "/", $dir, "/calls.txt")),
                Some($floor),
            )
            .await;
        }
    };
}

venue_test!(taqueria);
venue_test!(indian);
venue_test!(boba);
venue_test!(diner);
venue_test!(coffee);

// Written blind (tests/venues-blind*/README.md); floors: the
// pass rate when last tuned. A batch is listed here only after its first run was recorded.
// Every floor below the pass rate of the engine after round 13 (62b47da) was raised to it.
venue_test!(blind_sandwich, blind "venues-blind" / "sandwich", 60.0);
venue_test!(blind_burgers, blind "venues-blind" / "burgers", 70.0);
venue_test!(blind_thai, blind "venues-blind" / "thai", 85.0);
venue_test!(blind_wings, blind "venues-blind" / "wings", 40.0);
venue_test!(blind_breakfast, blind "venues-blind" / "breakfast", 70.0);
venue_test!(blind_pizzeria, blind "venues-blind-2" / "pizzeria", 70.0);
venue_test!(blind_sushi, blind "venues-blind-2" / "sushi", 85.0);
venue_test!(blind_korean_chicken, blind "venues-blind-2" / "korean-chicken", 70.0);
// Batch 3 (tests/venues-blind-3/README.md): floors at the figures of its run after the second
// tuning round, the first through the gateway.
// curry-house prices an option below nothing ("Mixed Veg", -$2.00 against the meats): the import
// accepts a negative option price since b1c633e, so it runs here too (floor: its first run
// through the gateway, 13/20, on the extension at 53182c1).
venue_test!(blind_curry_house, blind "venues-blind-3" / "curry-house", 65.0);
venue_test!(blind_smokehouse, blind "venues-blind-3" / "smokehouse", 45.0);
venue_test!(blind_pho_banhmi, blind "venues-blind-3" / "pho-banhmi", 55.0);
// Batch 4 (tests/venues-blind-4/README.md): floors at the figures of its first run through the
// gateway, before round 4 tuned on it.
venue_test!(blind_pasta_parm, blind "venues-blind-4" / "pasta-parm", 35.0);
venue_test!(blind_fish_chips, blind "venues-blind-4" / "fish-chips", 50.0);
venue_test!(blind_gyro_shop, blind "venues-blind-4" / "gyro-shop", 45.0);
// Batch 5 (tests/venues-blind-5/README.md): floors at the figures of its first run through the
// gateway, before round 5 tuned on it.
venue_test!(blind_ramen, blind "venues-blind-5" / "ramen", 60.0);
venue_test!(blind_burrito_bowl, blind "venues-blind-5" / "burrito-bowl", 70.0);
venue_test!(blind_jerk_chicken, blind "venues-blind-5" / "jerk-chicken", 70.0);
// Batch 6 (tests/venues-blind-6/README.md): floors at the figures of its first run through the
// gateway, before round 6 tuned on it.
venue_test!(blind_dim_sum, blind "venues-blind-6" / "dim-sum", 75.0);
venue_test!(blind_cheesesteak, blind "venues-blind-6" / "cheesesteak", 60.0);
venue_test!(blind_manoushe_bakery, blind "venues-blind-6" / "manoushe-bakery", 65.0);
// Batches 7 and 8 (tests/venues-blind-7/README.md, tests/venues-blind-8/README.md): floors at
// the figures of their first run through the gateway, before any round tuned on them.
venue_test!(blind_pollo_brasa, blind "venues-blind-7" / "pollo-brasa", 45.0);
venue_test!(blind_deli, blind "venues-blind-7" / "deli", 70.0);
venue_test!(blind_silog, blind "venues-blind-7" / "silog", 65.0);
venue_test!(blind_persian_kabob, blind "venues-blind-8" / "persian-kabob", 45.0);
venue_test!(blind_seafood_boil, blind "venues-blind-8" / "seafood-boil", 55.0);
venue_test!(blind_tortas, blind "venues-blind-8" / "tortas", 70.0);
// Batch 9 (tests/venues-blind-9/README.md): floors at the figures of its first run through the
// gateway (engine after round 8), before any round tuned on it.
venue_test!(blind_italian_beef, blind "venues-blind-9" / "italian-beef", 65.0);
venue_test!(blind_pide_doner, blind "venues-blind-9" / "pide-doner", 45.0);
venue_test!(blind_roti_shop, blind "venues-blind-9" / "roti-shop", 75.0);
// Batch 10 (tests/venues-blind-10/README.md): floors at the figures of its first run through the
// gateway (engine after round 10), before any round tuned on it.
venue_test!(blind_hot_chicken, blind "venues-blind-10" / "hot-chicken", 70.0);
venue_test!(blind_arepa_bar, blind "venues-blind-10" / "arepa-bar", 55.0);
venue_test!(blind_burmese, blind "venues-blind-10" / "burmese", 95.0);
// Batch 11 (tests/venues-blind-11/README.md): floors at the figures of its first run through the
// gateway (engine after round 13), before any round tuned on it.
venue_test!(blind_poboy_shop, blind "venues-blind-11" / "poboy-shop", 85.0);
venue_test!(blind_pastel_stand, blind "venues-blind-11" / "pastel-stand", 35.0);
venue_test!(blind_meat_and_three, blind "venues-blind-11" / "meat-and-three", 40.0);
// Batch 12 (tests/venues-blind-12/README.md): floors at the figures of its first run through the
// gateway (engine after round 14), before any round tuned on it.
venue_test!(blind_khmer_noodle, blind "venues-blind-12" / "khmer-noodle", 65.0);
venue_test!(blind_langos_stand, blind "venues-blind-12" / "langos-stand", 85.0);
venue_test!(blind_pinoy_grill, blind "venues-blind-12" / "pinoy-grill", 70.0);
// Batch 13 (tests/venues-blind-13/README.md): floors at the figures of its first run through the
// gateway (engine after round 14), before any round tuned on it.
venue_test!(blind_khachapuri_bakery, blind "venues-blind-13" / "khachapuri-bakery", 70.0);
venue_test!(blind_com_tam, blind "venues-blind-13" / "com-tam", 60.0);
venue_test!(blind_cuban_ventanita, blind "venues-blind-13" / "cuban-ventanita", 90.0);
// Batch 14 (tests/venues-blind-14/README.md): floors at the figures of its first run through the
// gateway (engine after round 15), before any round tuned on it.
venue_test!(blind_pupuseria, blind "venues-blind-14" / "pupuseria", 50.0);
venue_test!(blind_kolache_bakery, blind "venues-blind-14" / "kolache-bakery", 60.0);
venue_test!(blind_hk_cafe, blind "venues-blind-14" / "hk-cafe", 60.0);
// Batch 15 (tests/venues-blind-15/README.md): floors at the figures of its first run through the
// gateway (engine after round 15), before any round tuned on it.
venue_test!(blind_taiwanese_bento, blind "venues-blind-15" / "taiwanese-bento", 60.0);
venue_test!(blind_chicken_rice_stall, blind "venues-blind-15" / "chicken-rice-stall", 55.0);
venue_test!(blind_uyghur_skewer_house, blind "venues-blind-15" / "uyghur-skewer-house", 65.0);
// Batch 16 (tests/venues-blind-16/README.md): floors at the figures of its first run through the
// gateway (engine after round 15), before any round tuned on it.
venue_test!(blind_clam_shack, blind "venues-blind-16" / "clam-shack", 45.0);
venue_test!(blind_dosa_house, blind "venues-blind-16" / "dosa-house", 65.0);
venue_test!(blind_espresso_bar, blind "venues-blind-16" / "espresso-bar", 50.0);
// Batch 17 (tests/venues-blind-17/README.md): floors at the figures of its first run through the
// gateway (engine after round 17), before any round tuned on it.
venue_test!(blind_hibachi_express, blind "venues-blind-17" / "hibachi-express", 65.0);
venue_test!(blind_indonesian_warung, blind "venues-blind-17" / "indonesian-warung", 60.0);
venue_test!(blind_empanada_house, blind "venues-blind-17" / "empanada-house", 45.0);
// Batch 18 (tests/venues-blind-18/README.md): floors at the figures of its first run through the
// gateway (engine after round 18), before any round tuned on it.
venue_test!(blind_chili_parlor, blind "venues-blind-18" / "chili-parlor", 70.0);
venue_test!(blind_tamale_shop, blind "venues-blind-18" / "tamale-shop", 15.0);
venue_test!(blind_falafel_stand, blind "venues-blind-18" / "falafel-stand", 55.0);
// Batch 19 (tests/venues-blind-19/README.md): floors at the figures of its first run through the
// gateway (engine after round 19), before any round tuned on it.
venue_test!(blind_wurst_haus, blind "venues-blind-19" / "wurst-haus", 45.0);
venue_test!(blind_kottu_hut, blind "venues-blind-19" / "kottu-hut", 65.0);
venue_test!(blind_soup_shop, blind "venues-blind-19" / "soup-shop", 55.0);
// Batch 20 (tests/venues-blind-20/README.md): floors at the figures of its first run through the
// gateway (engine after round 20), before any round tuned on it.
venue_test!(blind_pie_shop, blind "venues-blind-20" / "pie-shop", 40.0);
venue_test!(blind_onigiri_stand, blind "venues-blind-20" / "onigiri-stand", 65.0);
venue_test!(blind_mac_cheese, blind "venues-blind-20" / "mac-cheese", 90.0);
// Batch 21 (tests/venues-blind-21/README.md): floors at the figures of its first run through the
// gateway (engine after round 21), before any round tuned on it.
venue_test!(blind_steakhouse, blind "venues-blind-21" / "steakhouse", 60.0);
venue_test!(blind_haitian_kitchen, blind "venues-blind-21" / "haitian-kitchen", 30.0);
venue_test!(blind_elote_stand, blind "venues-blind-21" / "elote-stand", 55.0);
// Batch 22 (tests/venues-blind-22/README.md): floors at the figures of its first run through the
// gateway (engine after round 21, as batch 21), before any round tuned on it.
venue_test!(blind_somali_kitchen, blind "venues-blind-22" / "somali-kitchen", 45.0);
venue_test!(blind_milanesa_bar, blind "venues-blind-22" / "milanesa-bar", 45.0);
venue_test!(blind_baleada_stand, blind "venues-blind-22" / "baleada-stand", 45.0);
// Batch 23 (tests/venues-blind-23/README.md): floors at the figures of its first run through the
// gateway (engine after round 22), before any round tuned on it.
venue_test!(blind_cevapi_grill, blind "venues-blind-23" / "cevapi-grill", 40.0);
venue_test!(blind_frybread_stand, blind "venues-blind-23" / "frybread-stand", 70.0);
venue_test!(blind_yemeni_kitchen, blind "venues-blind-23" / "yemeni-kitchen", 55.0);
// Batch 24 (tests/venues-blind-24/README.md): floors at the figures of its first run through the
// gateway (engine after round 23), before any round tuned on it.
venue_test!(blind_koshari_house, blind "venues-blind-24" / "koshari-house", 50.0);
venue_test!(blind_cookie_shop, blind "venues-blind-24" / "cookie-shop", 35.0);
venue_test!(blind_raclette_stand, blind "venues-blind-24" / "raclette-stand", 45.0);
// Batch 25 (tests/venues-blind-25/README.md): floors at the figures of its first run through the
// gateway (engine after round 23, as batch 24), before any round tuned on it.
venue_test!(blind_churrasqueira, blind "venues-blind-25" / "churrasqueira", 55.0);
venue_test!(blind_biscuit_shop, blind "venues-blind-25" / "biscuit-shop", 60.0);
venue_test!(blind_moroccan_kitchen, blind "venues-blind-25" / "moroccan-kitchen", 55.0);
// Batch 26 (tests/venues-blind-26/README.md): floors at the figures of its first run through the
// gateway (engine after round 24), before any round tuned on it.
venue_test!(blind_dutch_pancake_house, blind "venues-blind-26" / "dutch-pancake-house", 40.0);
venue_test!(blind_tlayuda_stand, blind "venues-blind-26" / "tlayuda-stand", 35.0);
venue_test!(blind_dirty_soda_shop, blind "venues-blind-26" / "dirty-soda-shop", 65.0);
// Batch 27 (tests/venues-blind-27/README.md): floors at the figures of its first run through the
// gateway (engine after round 24, as batch 26), before any round tuned on it.
venue_test!(blind_afghan_kitchen, blind "venues-blind-27" / "afghan-kitchen", 45.0);
venue_test!(blind_ecuadorian_kitchen, blind "venues-blind-27" / "ecuadorian-kitchen", 60.0);
venue_test!(blind_grilled_cheese_bar, blind "venues-blind-27" / "grilled-cheese-bar", 60.0);
// Batch 28 (tests/venues-blind-28/README.md): floors at the figures of its first run through the
// gateway (engine after round 25), before any round tuned on it.
venue_test!(blind_lao_kitchen, blind "venues-blind-28" / "lao-kitchen", 60.0);
venue_test!(blind_creole_kitchen, blind "venues-blind-28" / "creole-kitchen", 70.0);
venue_test!(blind_pasty_shop, blind "venues-blind-28" / "pasty-shop", 70.0);
// Batch 29 (tests/venues-blind-29/README.md): floors at the figures of its first run through the
// gateway (engine after round 25, as batch 28), before any round tuned on it.
venue_test!(blind_bolivian_salteneria, blind "venues-blind-29" / "bolivian-salteneria", 45.0);
venue_test!(blind_chamorro_bbq, blind "venues-blind-29" / "chamorro-bbq", 55.0);
venue_test!(blind_fair_food_stand, blind "venues-blind-29" / "fair-food-stand", 70.0);
// Batch 30 (tests/venues-blind-30/README.md): floors at the figures of its first run through the
// gateway (engine after round 25, as batches 28 and 29), before any round tuned on it.
venue_test!(blind_irish_kitchen, blind "venues-blind-30" / "irish-kitchen", 45.0);
venue_test!(blind_congolese_kitchen, blind "venues-blind-30" / "congolese-kitchen", 50.0);
venue_test!(blind_tea_room, blind "venues-blind-30" / "tea-room", 65.0);
// Batch 31 (tests/venues-blind-31/README.md): floors at the figures of its first run through the
// gateway (engine after round 26 and the dialog's replacement), before any round tuned on it.
venue_test!(blind_iraqi_kitchen, blind "venues-blind-31" / "iraqi-kitchen", 60.0);
venue_test!(blind_chicken_salad_shop, blind "venues-blind-31" / "chicken-salad-shop", 65.0);
venue_test!(blind_vegan_cafe, blind "venues-blind-31" / "vegan-cafe", 45.0);
// Batch 32 (tests/venues-blind-32/README.md): floors at the figures of its first run through the
// gateway (the same engine as batch 31's), before any round tuned on it.
venue_test!(blind_pozoleria, blind "venues-blind-32" / "pozoleria", 25.0);
venue_test!(blind_pit_beef_stand, blind "venues-blind-32" / "pit-beef-stand", 60.0);
venue_test!(blind_pastizzeria, blind "venues-blind-32" / "pastizzeria", 40.0);
