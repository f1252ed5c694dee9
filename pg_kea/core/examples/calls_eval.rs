//! The persona calls of every venue (`tests/venues*/*/calls.txt`) through the dialog alone:
//! pass rate per venue, and with `--errors` what went wrong in each failed call.
//!
//! cargo run -p kea_core --release --example calls_eval -- [--errors] [VENUE...]

#[path = "../tests/common/mod.rs"]
mod common;

use common::{calls, venues};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let show = args.iter().any(|a| a == "--errors");
    let only: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    let (mut ok_all, mut n_all) = (0, 0);
    for (name, dir, menu) in calls::venues() {
        if !only.is_empty() && !only.contains(&&name) {
            continue;
        }
        let scripts = calls::scripts(&dir);
        let mut ok = 0;
        for c in &scripts {
            let outs = calls::run(&menu, &c.says);
            match calls::judge(&menu, c, &outs) {
                None => ok += 1,
                Some(why) if show => println!("{name} / {}: {why}\n", c.name),
                Some(_) => {}
            }
        }
        let blind = if venues::is_blind(&dir) {
            " (blind)"
        } else {
            ""
        };
        println!(
            "{name}{blind}: calls {ok}/{} = {:.1}%",
            scripts.len(),
            100.0 * ok as f64 / scripts.len() as f64
        );
        ok_all += ok;
        n_all += scripts.len();
    }
    println!(
        "all: calls {ok_all}/{n_all} = {:.1}%",
        100.0 * ok_all as f64 / n_all.max(1) as f64
    );
}
