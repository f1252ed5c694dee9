//! The worker's pooled sessions: `SET ROLE kea_worker`, with kea_worker's own settings.

mod harness;

/// `ALTER ROLE kea_worker SET statement_timeout` (migration 0010) applies at login only, and the
/// worker logs in as kea_authenticator: the pool applies it after its SET ROLE.
#[tokio::test]
async fn pooled_sessions_are_kea_worker_with_its_statement_timeout() {
    let pg: tokio_postgres::Config = harness::database_url().await.parse().unwrap();
    let pool = kea_worker::queue::pool(pg, 1).unwrap();
    let client = pool.get().await.unwrap();
    let row = client
        .query_one(
            "select current_user::text, current_setting('statement_timeout'),
                    (select substr(c, length('statement_timeout=') + 1)
                       from pg_db_role_setting d, unnest(d.setconfig) c
                      where d.setrole = 'kea_worker'::regrole and c like 'statement_timeout=%'
                      limit 1)",
            &[],
        )
        .await
        .unwrap();
    let (user, timeout, configured): (String, String, Option<String>) =
        (row.get(0), row.get(1), row.get(2));
    assert_eq!(user, "kea_worker");
    let configured = configured.expect("migration 0010 sets kea_worker's statement_timeout");
    assert_eq!(timeout, configured, "the role's timeout, not the login's");
}
