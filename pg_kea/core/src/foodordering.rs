//! The FoodOrdering venue format (amazon-science/food-ordering-semantic-parsing-dataset):
//! import a venue (`schema.json` + `alias/*.txt`) as a kea [`Menu`], export an [`Extraction`]
//! as the venue's EXR parse, and compare EXR strings by unordered exact match.
//!
//! Mapping, the same for every venue:
//! - each intent (PIZZAORDER, DRINK_ORDER, ...) -> an item: code = intent name, aliases = its
//!   `entityNames`, groups = its content slots;
//! - each content slot -> one modifier group (code = slot name) shared by the intents that list
//!   it; options are the alias values (code = value, e.g. `banana_peppers`), aliases are the
//!   surface forms; `qualified`, `negatable`, prefixes, suffixes and `canBeGlobal` carry over;
//! - alias files whose values are `number(..)`, `quantity(..)` or `NOT(..)` are grammar, not
//!   groups: they go to [`Menu::lexicon`].
//!
//! EXR conventions of the format: every order node has `(NUMBER n )` (1 when unsaid), a
//! qualified option is `(COMPLEX (QUANTITY extra ) (SLOT value ) )`, a negated one is wrapped in
//! `(NOT ... )`, and an `Or(a,b)` value is `(OR a b )`.

use std::collections::HashMap;
use std::path::Path;

use crate::extract::{Extraction, Intent, LineMention, Qualifier};
use crate::menu::{Item, LexNumber, LexQualifier, Menu, ModOption, ModifierGroup};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("reading {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("schema.json: {0}")]
    Json(#[from] serde_json::Error),
    #[error("schema.json: {0}")]
    Schema(String),
}

fn read(path: &Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.display().to_string(),
        source,
    })
}

/// One `surface<TAB>TAG(value)` line.
fn parse_alias_line(line: &str) -> Option<(String, String, String)> {
    let (surface, rest) = line.split_once('\t')?;
    let rest = rest.trim();
    let open = rest.find('(')?;
    let close = rest.rfind(')')?;
    let tag = rest[..open].trim().to_lowercase();
    let value = rest[open + 1..close].trim().to_string();
    let surface = surface.trim().to_string();
    (!surface.is_empty() && !value.is_empty()).then_some((surface, tag, value))
}

/// Imports a venue directory as a menu.
pub fn import_dir(path: impl AsRef<Path>) -> Result<Menu, Error> {
    let dir = path.as_ref();
    let schema: serde_json::Value = serde_json::from_str(&read(&dir.join("schema.json"))?)?;
    let intents = schema["intents"]
        .as_array()
        .ok_or_else(|| Error::Schema("no intents".into()))?;
    let mut menu = Menu {
        name: dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        ..Default::default()
    };
    let mut files: HashMap<String, Vec<(String, String, String)>> = HashMap::new();
    let mut grammar_done: Vec<String> = Vec::new();
    for (ii, intent) in intents.iter().enumerate() {
        let name = intent["name"]
            .as_str()
            .ok_or_else(|| Error::Schema("intent without name".into()))?;
        let mut item = Item {
            id: ii as i64 + 1,
            code: name.to_string(),
            name: name.to_string(),
            available: true,
            ..Default::default()
        };
        for e in intent["entityNames"].as_array().into_iter().flatten() {
            if let Some(s) = e.as_str() {
                item.aliases.push(s.to_string());
            }
        }
        for slot in intent["slots"].as_array().into_iter().flatten() {
            let slot_name = slot["slotName"].as_str().unwrap_or_default().to_string();
            let file = slot["path"].as_str().unwrap_or_default().to_string();
            if !files.contains_key(&file) {
                let text = read(&dir.join(&file))?;
                files.insert(
                    file.clone(),
                    text.lines().filter_map(parse_alias_line).collect(),
                );
            }
            let entries = &files[&file];
            let grammar = entries
                .first()
                .is_some_and(|e| matches!(e.1.as_str(), "number" | "quantity" | "not"));
            if grammar {
                if !grammar_done.contains(&file) {
                    grammar_done.push(file.clone());
                    for (surface, tag, value) in entries {
                        match tag.as_str() {
                            "number" => {
                                if let Ok(v) = value.parse() {
                                    menu.lexicon.numbers.push(LexNumber {
                                        phrase: surface.clone(),
                                        value: v,
                                    });
                                }
                            }
                            "quantity" => menu.lexicon.qualifiers.push(LexQualifier {
                                phrase: surface.clone(),
                                qualifier: value.clone(),
                            }),
                            _ => menu.lexicon.negations.push(surface.clone()),
                        }
                    }
                }
                continue;
            }
            let strings = |key: &str| -> Vec<String> {
                slot[key]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            };
            let gi = match menu.groups.iter().position(|g| g.code == slot_name) {
                Some(gi) => gi,
                None => {
                    let mut g = ModifierGroup {
                        id: menu.groups.len() as i64 + 1,
                        code: slot_name.clone(),
                        name: slot_name.to_lowercase().replace('_', " "),
                        ..Default::default()
                    };
                    for (surface, _, value) in entries {
                        match g.options.iter_mut().find(|o| &o.code == value) {
                            Some(o) => o.aliases.push(surface.clone()),
                            None => g.options.push(ModOption {
                                id: g.options.len() as i64 + 1,
                                code: value.clone(),
                                name: surface.clone(),
                                aliases: vec![surface.clone()],
                                available: true,
                                ..Default::default()
                            }),
                        }
                    }
                    menu.groups.push(g);
                    menu.groups.len() - 1
                }
            };
            let g = &mut menu.groups[gi];
            g.qualified |= slot["qualified"].as_bool().unwrap_or(false);
            g.negatable |= slot["negatable"].as_bool().unwrap_or(false);
            g.global |= slot["canBeGlobal"].as_bool().unwrap_or(false);
            for p in strings("optionalPrefixes") {
                if !g.prefixes.contains(&p) {
                    g.prefixes.push(p);
                }
            }
            for p in strings("optionalSuffixes") {
                if !g.suffixes.contains(&p) {
                    g.suffixes.push(p);
                }
            }
            if !item.groups.contains(&slot_name) {
                item.groups.push(slot_name);
            }
        }
        menu.items.push(item);
    }
    add_all_options(&mut menu);
    Ok(menu)
}

/// The format writes "all the toppings" as the value `all_toppings` of the slot (pizza's STYLE
/// lists it as an alias; other venues use it without one). Each content slot gets that value,
/// `all_` + slot name + `s`, with the spoken forms "all (the) <slot name>(s)" and, for a
/// multi-word slot name, "all (the) <first word>(s)", unless another value already owns them.
fn add_all_options(menu: &mut Menu) {
    let taken: Vec<String> = menu
        .groups
        .iter()
        .flat_map(|g| g.options.iter().flat_map(|o| o.aliases.iter().cloned()))
        .collect();
    for g in &mut menu.groups {
        let name = g.code.to_lowercase().replace('_', " ");
        let code = format!("all_{}s", g.code.to_lowercase());
        if g.options.iter().any(|o| o.code == code) {
            continue;
        }
        let mut heads = vec![name.clone()];
        if let Some(first) = name.split(' ').next().filter(|f| *f != name) {
            heads.push(first.to_string());
        }
        let mut aliases = Vec::new();
        for h in heads {
            for a in [
                format!("all {h}"),
                format!("all {h}s"),
                format!("all the {h}"),
                format!("all the {h}s"),
            ] {
                if !taken.contains(&a) {
                    aliases.push(a);
                }
            }
        }
        if aliases.is_empty() {
            continue;
        }
        g.options.push(ModOption {
            id: g.options.len() as i64 + 1,
            code,
            name: aliases[0].clone(),
            aliases,
            available: true,
            ..Default::default()
        });
    }
}

/// `Or(a,b)` -> `(OR a b )`; other values as they are.
fn exr_value(code: &str) -> String {
    if let Some(inner) = code
        .strip_prefix("Or(")
        .or_else(|| code.strip_prefix("OR("))
        .and_then(|s| s.strip_suffix(')'))
    {
        let parts: Vec<&str> = inner.split(',').map(str::trim).collect();
        return format!("(OR {} )", parts.join(" "));
    }
    code.to_string()
}

/// `Or(a,b)` is subsumed by `a` or `b` said for the same line ("a bean burrito with black
/// beans" is black beans).
fn subsumed(line: &LineMention, m: &crate::extract::ModMention) -> bool {
    let Some(inner) = m
        .option
        .strip_prefix("Or(")
        .and_then(|s| s.strip_suffix(')'))
    else {
        return false;
    };
    let members: Vec<&str> = inner.split(',').map(str::trim).collect();
    line.modifiers.iter().any(|x| {
        x.group == m.group && x.negated == m.negated && members.contains(&x.option.as_str())
    })
}

/// The EXR forest of an extraction: its lines, and the lines said as changes ("make that two
/// teas"), since the format parses what was said.
pub fn to_exr(menu: &Menu, ext: &Extraction) -> String {
    let mut out = String::new();
    let changed = ext.intents.iter().filter_map(|i| match i {
        Intent::Modify { changes, .. } => Some(changes),
        _ => None,
    });
    for line in ext.lines.iter().chain(changed) {
        let item = match &line.item {
            Some(code) => menu.item(code),
            // The format needs an order kind: the first whose slots cover what was heard.
            None => {
                if line.modifiers.is_empty() && line.variation.is_none() {
                    continue;
                }
                menu.items.iter().find(|i| {
                    line.modifiers.iter().all(|m| i.groups.contains(&m.group))
                        && line
                            .variation
                            .as_ref()
                            .is_none_or(|v| i.variation(v).is_some())
                })
            }
        };
        let Some(item) = item else { continue };
        if !out.is_empty() {
            out.push(' ');
        }
        out.push('(');
        out.push_str(&item.code);
        out.push_str(&format!(" (NUMBER {} )", line.quantity));
        if let Some(v) = &line.variation {
            let slot = item.variation_slot.as_deref().unwrap_or("SIZE");
            out.push_str(&format!(" ({slot} {} )", exr_value(v)));
        }
        for m in &line.modifiers {
            if subsumed(line, m) {
                continue;
            }
            let mut node = format!("({} {} )", m.group, exr_value(&m.option));
            if let Some(q) = m.qualifier {
                let q = match q {
                    Qualifier::Light => "light",
                    Qualifier::Extra | Qualifier::Double => "extra",
                };
                node = format!("(COMPLEX (QUANTITY {q} ) {node} )");
            }
            if m.negated {
                node = format!("(NOT {node} )");
            }
            out.push(' ');
            out.push_str(&node);
        }
        out.push_str(" )");
    }
    out
}

#[derive(Debug)]
enum Tree {
    Atom(String),
    Node(String, Vec<Tree>),
}

fn parse_forest(s: &str) -> Option<Vec<Tree>> {
    let spaced = s.replace('(', " ( ").replace(')', " ) ");
    let toks: Vec<&str> = spaced.split_whitespace().collect();
    let mut pos = 0;
    let mut out = Vec::new();
    while pos < toks.len() {
        out.push(parse_tree(&toks, &mut pos)?);
    }
    Some(out)
}

fn parse_tree(toks: &[&str], pos: &mut usize) -> Option<Tree> {
    let t = *toks.get(*pos)?;
    *pos += 1;
    if t == ")" {
        return None;
    }
    if t != "(" {
        return Some(Tree::Atom(t.to_string()));
    }
    let label = toks.get(*pos)?.to_string();
    *pos += 1;
    let mut kids = Vec::new();
    loop {
        match *toks.get(*pos)? {
            ")" => {
                *pos += 1;
                return Some(Tree::Node(label, kids));
            }
            _ => kids.push(parse_tree(toks, pos)?),
        }
    }
}

/// Order-free canonical form: children sorted at every level.
fn canonical(t: &Tree) -> String {
    match t {
        Tree::Atom(a) => a.clone(),
        Tree::Node(label, kids) => {
            let mut k: Vec<String> = kids.iter().map(canonical).collect();
            k.sort();
            format!("({label} {})", k.join(" "))
        }
    }
}

/// Unordered exact match: equal forests up to the order of children at every level (children
/// compared as multisets).
/// Canonical form of each top-level node (order line) of an EXR forest, children sorted:
/// lines of two forests compare with `==` (used to score lines one by one).
pub fn exr_lines(s: &str) -> Option<Vec<String>> {
    Some(parse_forest(s)?.iter().map(canonical).collect())
}

pub fn exr_equal_unordered(a: &str, b: &str) -> bool {
    let (Some(fa), Some(fb)) = (parse_forest(a), parse_forest(b)) else {
        return false;
    };
    let mut ca: Vec<String> = fa.iter().map(canonical).collect();
    let mut cb: Vec<String> = fb.iter().map(canonical).collect();
    ca.sort();
    cb.sort();
    ca == cb
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unordered_match_ignores_child_order_only() {
        let a = "(PIZZAORDER (NUMBER 2 ) (SIZE medium ) (COMPLEX (QUANTITY extra ) (TOPPING cheese ) ) (TOPPING pepperoni ) )";
        let b = "(PIZZAORDER (TOPPING pepperoni ) (COMPLEX (TOPPING cheese ) (QUANTITY extra ) ) (SIZE medium ) (NUMBER 2 ) )";
        assert!(exr_equal_unordered(a, b));
        let c = "(PIZZAORDER (NUMBER 2 ) (SIZE medium ) (TOPPING cheese ) (TOPPING pepperoni ) )";
        assert!(!exr_equal_unordered(a, c));
        // Multisets: a repeated child counts.
        let d = "(X (T a ) (T a ) )";
        let e = "(X (T a ) )";
        assert!(!exr_equal_unordered(d, e));
        assert!(exr_equal_unordered(
            "(A (N 1 ) ) (B (N 2 ) )",
            "(B (N 2 ) ) (A (N 1 ) )"
        ));
        assert!(!exr_equal_unordered(
            "(A (N 1 ) )",
            "(A (N 1 ) ) (A (N 1 ) )"
        ));
    }

    #[test]
    fn alias_lines_parse() {
        assert_eq!(
            parse_alias_line("black olives\ttopping(OLIVES)"),
            Some(("black olives".into(), "topping".into(), "OLIVES".into()))
        );
        assert_eq!(
            parse_alias_line("beans\tBEAN_FILLING(Or(black_beans,pinto_beans))").map(|x| x.2),
            Some("Or(black_beans,pinto_beans)".into())
        );
        assert_eq!(exr_value("Or(a,b)"), "(OR a b )");
    }
}
