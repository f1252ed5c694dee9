//! "half caesar" where `1/2 Caesar` is the pick of a soup-and-half combo and `Caesar Salad`
//! comes in a `Half` size: an option named by a size of one item and that item's name says
//! the item in that size; it is the combo's pick only once the combo was said.

use super::super::names::spoken_forms;
use super::super::normalise::phrase_stems;
use super::after::item_name_stems;
use crate::menu::Menu;

/// The one (item, variation) an option's name is a size of and the start of the item's name
/// ("1/2 Caesar": size `Half` of `Caesar Salad`), said in any of their spoken forms; `None`
/// when no item or more than one fits, or the option's own group is the item's.
pub(in crate::extract) fn sized_item(menu: &Menu, group: u32, opt: u32) -> Option<(u32, u32)> {
    let name = &menu.groups[group as usize].options[opt as usize].name;
    let forms: Vec<Vec<String>> = spoken_forms(name).iter().map(|f| phrase_stems(f)).collect();
    let mut found = None;
    for (i, item) in menu.items.iter().enumerate() {
        if item.variations.is_empty() || menu.group_indexes(i).contains(&group) {
            continue;
        }
        let item_words = item_name_stems(menu, i as u32);
        for (v, var) in item.variations.iter().enumerate() {
            let sizes: Vec<Vec<String>> = spoken_forms(&var.name)
                .iter()
                .map(|f| phrase_stems(f))
                .filter(|f| !f.is_empty())
                .collect();
            let fits = forms.iter().any(|f| {
                sizes.iter().any(|s| {
                    f.len() > s.len()
                        && f[..s.len()] == s[..]
                        && item_words.starts_with(&f[s.len()..])
                })
            });
            if fits {
                if found.is_some_and(|x| x != (i as u32, v as u32)) {
                    return None;
                }
                found = Some((i as u32, v as u32));
            }
        }
    }
    found
}
