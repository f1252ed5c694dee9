//! The schema can be distributed by merchant (docs/scaling.md), checked in the catalog of one
//! PostgreSQL: every app table is placed (`app.table_placement`); every tenant table (placed
//! `distributed`) has `merchant_id` in its primary key and in every unique constraint and
//! unique index, and every foreign key between tenant tables includes `merchant_id` on both
//! sides, matched to each other. Citus refuses anything else, so a migration that breaks this
//! fails here long before anyone runs scripts/citus.

use kea_tests::admin;

/// Every problem the catalog shows, one line each.
async fn problems(db: &impl tokio_postgres::GenericClient) -> Vec<String> {
    let rows = db
        .query(
            "with tenant as (
                 select ('app.' || quote_ident(table_name))::regclass as rel
                   from app.table_placement where placement = 'distributed'
             ), keys as (
                 -- Primary keys, unique constraints and unique indexes (partial ones too).
                 select i.indrelid as rel, c.relname as name, i.indisprimary as primary_key,
                        array(select a.attname from unnest(i.indkey) k
                               join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k)
                            as cols
                   from pg_index i join pg_class c on c.oid = i.indexrelid
                  where i.indisunique
             )
             select format('%s has no placement in app.table_placement (a new table without merchant_id: place it)',
                           'app.' || table_name)
               from app.table_placement where placement is null
             union all
             select format('%s: no primary key', t.rel)
               from tenant t
              where not exists (select 1 from keys k where k.rel = t.rel and k.primary_key)
             union all
             select format('%s: %s %s (%s) lacks merchant_id', t.rel,
                           case when k.primary_key then 'primary key' else 'unique key' end,
                           k.name, array_to_string(k.cols, ', '))
               from tenant t join keys k on k.rel = t.rel
              where not 'merchant_id' = any (k.cols)
             union all
             select format('%s: foreign key %s to %s does not match merchant_id to merchant_id',
                           f.conrelid::regclass, f.conname, f.confrelid::regclass)
               from pg_constraint f
               join tenant a on a.rel = f.conrelid
               join tenant b on b.rel = f.confrelid
              where f.contype = 'f'
                and not exists (
                    select 1 from unnest(f.conkey, f.confkey) as p(k, fk)
                     where (select attname from pg_attribute
                             where attrelid = f.conrelid and attnum = p.k) = 'merchant_id'
                       and (select attname from pg_attribute
                             where attrelid = f.confrelid and attnum = p.fk) = 'merchant_id')
             order by 1",
            &[],
        )
        .await
        .expect("catalog query");
    rows.iter().map(|r| r.get(0)).collect()
}

#[tokio::test]
async fn every_tenant_key_includes_merchant_id() {
    let db = admin().await;
    let tenant: i64 = db
        .query_one(
            "select count(*) from app.table_placement where placement = 'distributed'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    // The tables a turn and an order write are tenant tables: a placement view that placed
    // them elsewhere (or nothing at all) would make the checks below vacuous.
    for t in [
        "calls",
        "turns",
        "orders",
        "order_lines",
        "order_history",
        "tasks",
    ] {
        let placement: Option<String> = db
            .query_one(
                "select placement from app.table_placement where table_name = $1",
                &[&t],
            )
            .await
            .unwrap()
            .get(0);
        assert_eq!(placement.as_deref(), Some("distributed"), "app.{t}");
    }
    assert!(tenant >= 6, "only {tenant} distributed tables");
    let found = problems(&db).await;
    assert!(
        found.is_empty(),
        "the schema cannot be distributed by merchant (docs/scaling.md):\n  {}",
        found.join("\n  ")
    );
}

/// The checks find what they look for: a unique key without merchant_id, a foreign key that
/// skips it and an unplaced table, made in a transaction that is rolled back.
#[tokio::test]
async fn the_checks_catch_a_bad_key() {
    let mut db = admin().await;
    let tx = db.transaction().await.unwrap();
    tx.batch_execute(
        "create unique index catalog_test_bad on app.turns (call_id, seq);
         create unique index catalog_test_order_id on app.orders (id);
         alter table app.order_lines add constraint catalog_test_fk
             foreign key (order_id) references app.orders (id) not valid;
         create table app.catalog_test_unplaced (id bigint primary key);",
    )
    .await
    .unwrap();
    let found = problems(&tx).await;
    tx.rollback().await.unwrap();
    let joined = found.join("\n");
    assert!(
        joined.contains("catalog_test_bad (call_id, seq) lacks merchant_id"),
        "{joined}"
    );
    assert!(
        joined.contains("foreign key catalog_test_fk to app.orders does not match"),
        "{joined}"
    );
    assert!(
        joined.contains("app.catalog_test_unplaced has no placement"),
        "{joined}"
    );
}
