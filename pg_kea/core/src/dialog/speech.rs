//! How kea phrases things aloud: quantities, lines, money, lists.

use super::pricing::{PricedLine, PricedOrder};
use crate::extract::Qualifier;
use crate::menu::Cents;

const NUMBER_WORDS: [&str; 21] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
];

pub fn number(n: u32) -> String {
    NUMBER_WORDS
        .get(n as usize)
        .map_or_else(|| n.to_string(), |w| (*w).to_string())
}

/// "first", "second"... up to "tenth"; `None` beyond.
pub fn ordinal(n: usize) -> Option<&'static str> {
    const ORDINALS: [&str; 10] = [
        "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
        "tenth",
    ];
    n.checked_sub(1).and_then(|i| ORDINALS.get(i).copied())
}

/// "$12.99": TTS voices read this form naturally.
pub fn money(cents: Cents) -> String {
    format!("${}.{:02}", cents / 100, cents % 100)
}

/// Naive English plural: enough for menu names ("Pizza" -> "Pizzas", "Garlic Knots" stays).
pub fn plural(name: &str, n: u32) -> String {
    // "Vegetable Samosa (2 pcs)" -> "Vegetable Samosas (2 pcs)": the name, not its bracket.
    if let Some(at) = name.find(" (") {
        return format!("{}{}", plural(&name[..at], n), &name[at..]);
    }
    if n == 1 || name.ends_with('s') {
        return name.to_string();
    }
    if name.ends_with("ch") || name.ends_with("sh") || name.ends_with('x') {
        return format!("{name}es");
    }
    format!("{name}s")
}

/// "a, b and c".
pub fn list(parts: &[String]) -> String {
    list_with(parts, "and")
}

/// "a, b or c" with `conjunction` = "or".
pub fn list_with(parts: &[String], conjunction: &str) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {conjunction} {}", init.join(", "), last),
    }
}

/// "two large Pepperoni Pizzas with extra cheese and no onions".
pub fn describe_line(line: &PricedLine) -> String {
    let mut s = number(line.quantity);
    if let Some(v) = line
        .variation_name
        .as_ref()
        .filter(|_| !line.variation_is_default)
    {
        // "Large (20 oz)" is said "large": the bracket is for the menu board.
        let v = v.split(" (").next().unwrap_or(v);
        s.push(' ');
        s.push_str(&v.to_lowercase());
    }
    s.push(' ');
    s.push_str(&plural(&line.name, line.quantity));
    let mut with = Vec::new();
    let mut without = Vec::new();
    for m in &line.modifiers {
        let name = m.name.to_lowercase();
        if m.choice {
            s.push_str(", ");
            s.push_str(&name);
        } else if m.negated {
            without.push(name);
        } else {
            let q = match m.qualifier {
                Some(Qualifier::Extra) => "extra ",
                Some(Qualifier::Light) => "light ",
                Some(Qualifier::Double) => "double ",
                None => "",
            };
            let n = match m.quantity {
                Some(n) if n > 1 => format!("{} ", number(n)),
                _ => String::new(),
            };
            with.push(format!("{n}{q}{name}"));
        }
    }
    if !with.is_empty() {
        s.push_str(" with ");
        s.push_str(&list(&with));
    }
    if !without.is_empty() {
        s.push_str(if with.is_empty() {
            " with no "
        } else {
            ", no "
        });
        s.push_str(&list(&without));
    }
    s
}

/// The read-back: every line with its price, then subtotal, tax and total.
pub fn read_back(order: &PricedOrder) -> String {
    let lines: Vec<String> = order
        .lines
        .iter()
        .map(|l| format!("{}, {}", describe_line(l), money(l.line_total_cents)))
        .collect();
    format!(
        "Let me read that back. {}. That's {} plus {} tax, {} in total.",
        capitalise(&lines.join("; ")),
        money(order.subtotal_cents),
        money(order.tax_cents),
        money(order.total_cents)
    )
}

pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrasing() {
        assert_eq!(money(4_173), "$41.73");
        assert_eq!(money(5), "$0.05");
        assert_eq!(plural("Pepperoni Pizza", 2), "Pepperoni Pizzas");
        assert_eq!(plural("Garlic Knots", 2), "Garlic Knots");
        assert_eq!(plural("Coke", 1), "Coke");
        assert_eq!(
            plural("Vegetable Samosa (2 pcs)", 3),
            "Vegetable Samosas (2 pcs)"
        );
        assert_eq!(list(&["a".into(), "b".into(), "c".into()]), "a, b and c");
        assert_eq!(number(2), "two");
        assert_eq!(number(42), "42");
    }
}
