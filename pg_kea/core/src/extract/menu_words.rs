//! Common menu words of the other languages US menus are written in, with the English words
//! callers say for them. A POS menu may write its options as the kitchen names them ("Papas
//! Fritas", "Arroz Blanco", "Pollo", "Huevo Frito") while the caller orders in English ("fries",
//! "white rice", "chicken", "a fried egg"); every name then also gets the English form
//! (`names::spoken_forms`). Only ingredients, cooking words and colours: no dish is named here,
//! a dish's own name (ceviche, tonkotsu, pierogi) is what callers say too.

use super::normalise::fold_accent;

/// What a word is, for word order: Romance languages put the adjective after the noun ("arroz
/// blanco" is "white rice").
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Noun,
    Adjective,
    /// Said as a whole ("papas fritas" is "fries", not "fried potatoes").
    Phrase,
}

use Kind::{Adjective as A, Noun as N, Phrase as P};

/// Foreign word or phrase (lower case, accents folded) -> the English a caller says, most
/// usual first. Words that are also English words or dish names callers keep ("salsa", "pasta",
/// "chorizo", "pan", "grande", "sake") are left out on purpose.
const WORDS: &[(&str, &[&str], Kind)] = &[
    // Spanish
    ("papas fritas", &["fries", "french fries"], P),
    ("carne asada", &["steak"], P),
    ("de casa", &["house"], P),
    ("de la casa", &["house"], P),
    ("pollo", &["chicken"], N),
    // Not "meat": "dark meat" is said of chicken.
    ("carne", &["beef"], N),
    ("res", &["beef"], N),
    ("cerdo", &["pork"], N),
    ("puerco", &["pork"], N),
    ("camaron", &["shrimp"], N),
    ("camarones", &["shrimp"], N),
    ("pescado", &["fish"], N),
    ("mariscos", &["seafood"], N),
    ("huevo", &["egg"], N),
    ("huevos", &["eggs"], N),
    ("arroz", &["rice"], N),
    ("frijoles", &["beans"], N),
    ("frijol", &["beans"], N),
    ("papas", &["potatoes", "fries"], N),
    ("papa", &["potato"], N),
    ("queso", &["cheese"], N),
    ("azucar", &["sugar"], N),
    ("guayaba", &["guava"], N),
    ("canela", &["cinnamon"], N),
    ("jamon", &["ham"], N),
    ("tocino", &["bacon"], N),
    ("lechuga", &["lettuce"], N),
    ("tomate", &["tomato"], N),
    ("cebolla", &["onion"], N),
    ("cebollas", &["onions"], N),
    ("aguacate", &["avocado"], N),
    ("hongos", &["mushrooms"], N),
    ("champinones", &["mushrooms"], N),
    ("ensalada", &["salad"], N),
    ("sopa", &["soup"], N),
    ("jugo", &["juice"], N),
    ("leche", &["milk"], N),
    ("maiz", &["corn"], N),
    ("platano", &["plantain"], N),
    ("platanos", &["plantains"], N),
    ("verduras", &["vegetables", "veggies"], N),
    ("vegetales", &["vegetables", "veggies"], N),
    // "Raclette Classique", "Pizza Clásica": the house's own version ("classic").
    ("classique", &["classic"], A),
    ("clasico", &["classic"], A),
    ("clasica", &["classic"], A),
    ("classico", &["classic"], A),
    ("classica", &["classic"], A),
    ("blanco", &["white"], A),
    ("blanca", &["white"], A),
    ("negro", &["black"], A),
    ("negros", &["black"], A),
    ("rojo", &["red"], A),
    ("verde", &["green"], A),
    ("frito", &["fried"], A),
    ("frita", &["fried"], A),
    ("fritos", &["fried"], A),
    ("picante", &["spicy", "hot"], A),
    ("entero", &["whole"], A),
    // A level of heat or a size: "Medio" in a heat group is "medium".
    ("medio", &["medium"], A),
    ("mediano", &["medium"], A),
    ("entera", &["whole"], A),
    // Italian
    ("frutti di mare", &["seafood"], P),
    ("manzo", &["beef"], N),
    ("maiale", &["pork"], N),
    ("gamberi", &["shrimp"], N),
    ("gamberetti", &["shrimp"], N),
    ("pesce", &["fish"], N),
    ("funghi", &["mushrooms"], N),
    ("formaggio", &["cheese"], N),
    ("salsiccia", &["sausage"], N),
    ("pomodoro", &["tomato"], N),
    ("melanzane", &["eggplant"], N),
    ("vitello", &["veal"], N),
    ("spinaci", &["spinach"], N),
    ("vongole", &["clams"], N),
    ("cozze", &["mussels"], N),
    ("patate", &["potatoes"], N),
    ("insalata", &["salad"], N),
    ("zuppa", &["soup"], N),
    ("bianco", &["white"], A),
    ("bianca", &["white"], A),
    ("rosso", &["red"], A),
    ("fritto", &["fried"], A),
    ("fritti", &["fried"], A),
    ("piccante", &["spicy", "hot"], A),
    // French
    ("pommes frites", &["fries", "french fries"], P),
    ("pommes de terre", &["potatoes"], P),
    ("poulet", &["chicken"], N),
    ("boeuf", &["beef"], N),
    ("porc", &["pork"], N),
    ("jambon", &["ham"], N),
    ("fromage", &["cheese"], N),
    ("oeuf", &["egg"], N),
    ("oeufs", &["eggs"], N),
    ("frites", &["fries"], N),
    ("champignons", &["mushrooms"], N),
    ("crevettes", &["shrimp"], N),
    ("poisson", &["fish"], N),
    ("saumon", &["salmon"], N),
    ("epinards", &["spinach"], N),
    ("blanc", &["white"], A),
    ("rouge", &["red"], A),
    ("vert", &["green"], A),
    // Portuguese
    ("batata frita", &["fries", "french fries"], P),
    ("batatas fritas", &["fries", "french fries"], P),
    ("frango", &["chicken"], N),
    ("porco", &["pork"], N),
    ("camarao", &["shrimp"], N),
    ("peixe", &["fish"], N),
    ("ovo", &["egg"], N),
    ("ovos", &["eggs"], N),
    ("feijao", &["beans"], N),
    ("queijo", &["cheese"], N),
    ("acucar", &["sugar"], N),
    ("goiaba", &["guava"], N),
    ("salada", &["salad"], N),
    ("branco", &["white"], A),
    // Japanese (romanised)
    ("ebi", &["shrimp"], N),
    ("tori", &["chicken"], N),
    ("gyu", &["beef"], N),
    ("buta", &["pork"], N),
    ("tamago", &["egg"], N),
    ("yasai", &["vegetable", "veggie"], N),
    ("gohan", &["rice"], N),
    // Korean (romanised)
    ("dak", &["chicken"], N),
    ("dwaeji", &["pork"], N),
    ("gyeran", &["egg"], N),
    ("yachae", &["vegetable", "veggie"], N),
];

/// Words joining two nouns: "jugo de naranja" is said "orange juice" (the second noun first),
/// "con" / "com" is "with" or "and" ("Frijol c/ Queso" is ordered "bean and cheese"), "y" is
/// "and".
const JOINS: &[(&str, &[&str])] = &[
    ("de", &[]),
    ("di", &[]),
    ("con", &["with", "and"]),
    ("com", &["with", "and"]),
    ("y", &["and"]),
];

/// At most this many English forms per name (each word may have two renderings).
const MAX_FORMS: usize = 4;

/// The English forms of a lower-case spoken form that holds at least one foreign menu word
/// ("arroz blanco" -> "white rice"; "1/2 pollo" -> "1/2 chicken"; "pollo saltado" -> "chicken
/// saltado"); empty when it holds none.
pub fn english_forms(form: &str) -> Vec<String> {
    let words: Vec<String> = form
        .split_whitespace()
        .map(|w| w.chars().map(|c| fold_accent(c).unwrap_or(c)).collect())
        .collect();
    // Tokens: (renderings, kind; None for a word kept as it is).
    let mut toks: Vec<(Vec<String>, Option<Kind>)> = Vec::new();
    let mut i = 0;
    let mut any = false;
    while i < words.len() {
        let hit = (1..=3).rev().find_map(|n| {
            let end = i + n;
            (end <= words.len())
                .then(|| words[i..end].join(" "))
                .and_then(|k| WORDS.iter().find(|(w, _, _)| *w == k))
                .map(|e| (n, e))
        });
        match hit {
            Some((n, (_, english, kind))) => {
                toks.push((english.iter().map(|s| s.to_string()).collect(), Some(*kind)));
                any = true;
                i += n;
            }
            None => {
                toks.push((vec![words[i].clone()], None));
                i += 1;
            }
        }
    }
    if !any {
        return Vec::new();
    }
    let translated = |t: &(Vec<String>, Option<Kind>)| matches!(t.1, Some(N) | Some(P));
    // Word order: noun + adjective -> adjective + noun; noun "de" noun -> second noun first;
    // "con" / "y" between translated words are said in English.
    let mut j = 0;
    while j < toks.len() {
        if j + 1 < toks.len() && translated(&toks[j]) && toks[j + 1].1 == Some(A) {
            toks.swap(j, j + 1);
            j += 2;
            continue;
        }
        if j + 2 < toks.len() && toks[j + 1].1.is_none() && translated(&toks[j + 2]) {
            if let Some((_, said)) = JOINS.iter().find(|(w, _)| toks[j + 1].0 == [*w]) {
                if !said.is_empty() {
                    toks[j + 1].0 = said.iter().map(|s| s.to_string()).collect();
                } else if translated(&toks[j]) {
                    toks.remove(j + 1);
                    toks.swap(j, j + 1);
                }
            }
        }
        j += 1;
    }
    let mut out = render(&toks);
    // "Frijoles Charros": a translated noun before a word kept as it is is also said the
    // English way round ("charro beans").
    if let [(noun, Some(N)), (kept, None)] = &toks[..] {
        for n in noun {
            out.push(format!("{} {n}", kept[0]));
        }
    }
    // "Pastel Frango c/ Catupiry": a dish's own word followed by a translated noun is also
    // said with the noun first ("chicken pastel with catupiry").
    if toks.len() > 2 && toks[0].1.is_none() && toks[1].1 == Some(N) {
        let mut swapped = toks.clone();
        swapped.swap(0, 1);
        out.extend(render(&swapped));
    }
    // "Pastel de Queijo", "Empanada de Pollo": a dish's own word, then "de" and a translated
    // noun, is said with the noun first ("cheese pastel", "chicken empanada"), as "sopa de
    // pollo" is "chicken soup".
    if let [(kept, None), (de, None), (noun, Some(N))] = &toks[..] {
        if de[0] == "de" {
            for n in noun {
                out.push(format!("{n} {}", kept[0]));
            }
        }
    }
    out.retain(|f| f != form);
    out
}

/// Every rendering of the tokens, word by word, at most [`MAX_FORMS`].
fn render(toks: &[(Vec<String>, Option<Kind>)]) -> Vec<String> {
    let mut out: Vec<String> = vec![String::new()];
    for (renderings, _) in toks {
        out = out
            .iter()
            .flat_map(|pre| {
                renderings.iter().map(move |r| {
                    if pre.is_empty() {
                        r.clone()
                    } else {
                        format!("{pre} {r}")
                    }
                })
            })
            .take(MAX_FORMS)
            .collect();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::english_forms;

    #[test]
    fn english_forms_of_menu_words() {
        assert_eq!(english_forms("arroz blanco"), vec!["white rice"]);
        assert_eq!(english_forms("huevo frito"), vec!["fried egg"]);
        assert_eq!(english_forms("papas fritas"), vec!["fries", "french fries"]);
        assert_eq!(english_forms("pollo"), vec!["chicken"]);
        assert_eq!(
            english_forms("frijoles charros"),
            vec!["beans charros", "charros beans"]
        );
        assert_eq!(english_forms("half pollo"), vec!["half chicken"]);
        // "naranja" is no entry: only the words that are.
        assert_eq!(english_forms("jugo de naranja"), vec!["juice de naranja"]);
        assert_eq!(
            english_forms("empanada de pollo"),
            vec!["empanada de chicken", "chicken empanada"]
        );
        assert_eq!(
            english_forms("empanada pollo con queso"),
            vec![
                "empanada chicken with cheese",
                "empanada chicken and cheese",
                "chicken empanada with cheese",
                "chicken empanada and cheese"
            ]
        );
        assert_eq!(english_forms("sopa de pollo"), vec!["chicken soup"]);
        assert_eq!(english_forms("pollo entero"), vec!["whole chicken"]);
        assert_eq!(
            english_forms("choclo con queso"),
            vec!["choclo with cheese", "choclo and cheese"]
        );
        assert!(english_forms("garden salad").is_empty());
    }
}
