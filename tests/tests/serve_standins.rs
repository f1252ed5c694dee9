//! `scripts/serve --standins` after `scripts/demo`: the demo leaves Tony's Pizza connected to
//! the demo's own POS stand-in (gone once the demo ends); serve's stand-ins must take the demo
//! merchant's orders, or every approved order waits on a POS no one answers.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};

use kea_tests::{admin_to, drop_database, script};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test]
async fn serve_with_standins_connects_the_demo_merchant_to_its_pos_standin() {
    let db = "kea_test_serve_standins";
    let out = Command::new(script("create-db"))
        .args([db, "--fresh"])
        .output()
        .unwrap();
    assert!(out.status.success(), "create-db: {out:?}");
    let c = admin_to(db).await;
    // Tony's Pizza as scripts/demo leaves it: on the demo's POS stand-in.
    c.batch_execute(
        "insert into app.merchants (slug, name, time_zone, tax_rate_bp, transfer_number, prep_minutes)
         values ('tonys-pizza', 'Tony''s Pizza', 'America/New_York', 825, '+15555550199', 20);
         select api.connect_pos(id, 'webhook', 'http://127.0.0.1:18091/orders', 'kea-demo-pos-secret', null)
           from app.merchants where slug = 'tonys-pizza'",
    )
    .await
    .unwrap();

    let mut serve = Command::new(script("serve"))
        .arg("--standins")
        .env("KEA_DB", db)
        .env(
            "KEA_DATABASE_URL",
            format!("postgres://kea_authenticator:kea@127.0.0.1:5432/{db}"),
        )
        .env("KEA_LISTEN", format!("127.0.0.1:{}", free_port()))
        .env("KEA_METRICS_LISTEN", "off")
        .env("KEA_WORKER_METRICS", format!("127.0.0.1:{}", free_port()))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        // Its own process group: the script, its stand-ins, worker and gateway stop together.
        .process_group(0)
        .spawn()
        .unwrap();
    let pgid = serve.id() as i32;
    let mut said = String::new();
    let mut up = false;
    for line in BufReader::new(serve.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        said.push_str(&line);
        said.push('\n');
        if line.contains("kea-gateway on") {
            up = true;
            break;
        }
    }
    let connection: Option<(String, String)> = c
        .query_opt(
            "select p.base_url, p.secret from app.pos_connections p
               join app.merchants m on m.id = p.merchant_id where m.slug = 'tonys-pizza'",
            &[],
        )
        .await
        .unwrap()
        .map(|r| (r.get(0), r.get(1)));
    unsafe { libc::kill(-pgid, libc::SIGTERM) };
    let _ = serve.wait();
    drop(c);
    drop_database(db).await;

    assert!(up, "scripts/serve --standins did not start:\n{said}");
    assert_eq!(
        connection,
        Some((
            "http://127.0.0.1:9101/orders".to_string(),
            "kea-dev-pos-secret".to_string()
        )),
        "Tony's Pizza is not connected to serve's POS stand-in:\n{said}"
    );
}
