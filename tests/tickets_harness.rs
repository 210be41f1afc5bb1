//! Checks of the shared test harness itself (tests/common).

mod common;
use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_backend_opens_empty_at_t0() {
    let all = backends().await;
    assert!(
        all.len() >= 2,
        "sqlite file and memory are always available"
    );
    for td in all {
        assert_eq!(td.desk.now(), t0(), "{}", td.name);
        for (table, n) in td.counts().await {
            assert_eq!(n, 0, "{}: table {table} not empty", td.name);
        }
        td.advance(chrono::Duration::minutes(5));
        assert_eq!(td.desk.now(), t0() + chrono::Duration::minutes(5));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inserted_alarm_rows_are_counted() {
    each(|td| async move {
        let row = alarm_row("acme", "r1", t0());
        td.insert_alarm(&row).await;
        assert_eq!(td.count("alarms").await, 1, "{}", td.name);
        assert_eq!(
            td.count_where("alarms", "tenant_id = 'other'").await,
            0,
            "{}",
            td.name
        );
    })
    .await;
}
