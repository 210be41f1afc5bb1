//! Real concurrency on every backend: ticket numbers, alarm-ticket links and the one open
//! alarm per reduction key. SQLite is also raced across two independent `Store`s on one file
//! (as two processes would), exercising `BEGIN IMMEDIATE` and the busy timeout.

mod common;

use common::*;
use faultdesk_storage::*;
use std::collections::HashSet;
use uuid::Uuid;

/// Runs `op` until it succeeds or fails with a non-retryable error.
async fn retry<T, F, Fut>(op: F) -> Result<T>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    let mut attempts = 0;
    loop {
        match op().await {
            Err(e) if e.is_retryable() && attempts < 50 => {
                attempts += 1;
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
            other => return other,
        }
    }
}

/// The stores to race on: each backend's store, and for a SQLite file a second store on the
/// same file.
async fn racers(db: &Db) -> Vec<Store> {
    let mut stores = vec![db.store.clone()];
    if db.name == "sqlite-file" || db.name == "postgres" {
        stores.push(Store::connect(&db.url).await.unwrap());
    } else {
        stores.push(db.store.clone());
    }
    stores
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_tasks_allocate_distinct_ticket_numbers() {
    each(|db| async move {
        let stores = racers(&db).await;
        let mut handles = Vec::new();
        for i in 0..16 {
            let store = stores[i % stores.len()].clone();
            handles.push(tokio::spawn(async move {
                let mut mine = Vec::new();
                for _ in 0..5 {
                    let n = retry(|| async {
                        let tx = store.begin().await?;
                        let n = tx.allocate_ticket_number("ten", 2026).await?;
                        tx.commit().await?;
                        Ok(n)
                    })
                    .await
                    .unwrap();
                    mine.push(n);
                }
                mine
            }));
        }
        let mut all = Vec::new();
        for h in handles {
            all.extend(h.await.unwrap());
        }
        let set: HashSet<i64> = all.iter().copied().collect();
        assert_eq!(set.len(), 80, "duplicates in {all:?}");
        assert_eq!(*all.iter().max().unwrap(), 80, "no gaps");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_links_have_exactly_one_winner() {
    each(|db| async move {
        let stores = racers(&db).await;
        let a = alarm("ten", "race", t0());
        let tx = db.store.begin().await.unwrap();
        tx.insert_alarm(&a).await.unwrap();
        tx.commit().await.unwrap();
        let mut handles = Vec::new();
        for i in 0..16 {
            let store = stores[i % stores.len()].clone();
            let alarm_id = a.id;
            handles.push(tokio::spawn(async move {
                let ticket_id = Uuid::now_v7();
                retry(|| async {
                    let tx = store.begin().await?;
                    let won = tx
                        .link_alarm_ticket("ten", alarm_id, ticket_id, t0())
                        .await?;
                    tx.commit().await?;
                    Ok(won.then_some(ticket_id))
                })
                .await
                .unwrap()
            }));
        }
        let mut winners = Vec::new();
        for h in handles {
            if let Some(t) = h.await.unwrap() {
                winners.push(t);
            }
        }
        assert_eq!(winners.len(), 1, "exactly one winner");
        let tx = db.store.begin_read().await.unwrap();
        assert_eq!(
            tx.get_alarm("ten", a.id).await.unwrap().unwrap().ticket_id,
            Some(winners[0])
        );
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_claims_have_exactly_one_winner_and_losers_see_it() {
    each(|db| async move {
        let stores = racers(&db).await;
        let a = alarm("ten", "claim-race", t0());
        let tx = db.store.begin().await.unwrap();
        tx.insert_alarm(&a).await.unwrap();
        tx.commit().await.unwrap();
        let mut handles = Vec::new();
        for i in 0..16 {
            let store = stores[i % stores.len()].clone();
            let alarm_id = a.id;
            handles.push(tokio::spawn(async move {
                let ticket_id = Uuid::now_v7();
                let claim = retry(|| async {
                    let tx = store.begin().await?;
                    let claim = tx
                        .claim_alarm_for_ticket("ten", alarm_id, ticket_id, t0())
                        .await?;
                    tx.commit().await?;
                    Ok(claim)
                })
                .await
                .unwrap();
                (ticket_id, claim)
            }));
        }
        let mut winners = Vec::new();
        let mut seen = Vec::new();
        for h in handles {
            match h.await.unwrap() {
                (t, AlarmClaim::Linked(row)) => {
                    assert_eq!(row.ticket_id, Some(t));
                    winners.push(t);
                }
                (_, AlarmClaim::AlreadyLinked(t)) => seen.push(t),
                (_, AlarmClaim::NotFound) => panic!("{}: the alarm exists", db.name),
            }
        }
        assert_eq!(winners.len(), 1, "{}: exactly one winner", db.name);
        assert_eq!(seen.len(), 15);
        assert!(seen.iter().all(|t| *t == winners[0]), "{seen:?}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_inserts_leave_one_open_alarm_per_key() {
    each(|db| async move {
        let stores = racers(&db).await;
        let mut handles = Vec::new();
        for i in 0..16 {
            let store = stores[i % stores.len()].clone();
            handles.push(tokio::spawn(async move {
                retry(|| async {
                    let tx = store.begin().await?;
                    // Read-then-insert, as an ingest would; the unique index is the guard.
                    if tx.find_open_alarm_by_key("ten", "storm").await?.is_some() {
                        tx.rollback().await?;
                        return Ok(false);
                    }
                    match tx.insert_alarm(&alarm("ten", "storm", t0())).await {
                        Ok(()) => {
                            tx.commit().await?;
                            Ok(true)
                        }
                        Err(e) if e.is_conflict() => Ok(false),
                        Err(e) => Err(e),
                    }
                })
                .await
                .unwrap()
            }));
        }
        let mut created = 0;
        for h in handles {
            if h.await.unwrap() {
                created += 1;
            }
        }
        assert_eq!(created, 1);
        let tx = db.store.begin_read().await.unwrap();
        assert_eq!(tx.open_alarms(Some("ten")).await.unwrap().len(), 1);
        tx.commit().await.unwrap();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn outbox_sequence_is_commit_order_under_concurrency() {
    each(|db| async move {
        let stores = racers(&db).await;
        let mut handles = Vec::new();
        for i in 0..8 {
            let store = stores[i % stores.len()].clone();
            handles.push(tokio::spawn(async move {
                for _ in 0..10 {
                    retry(|| async {
                        let tx = store.begin().await?;
                        tx.insert_outbox("ten", "k", None, false, &serde_json::json!({}), t0())
                            .await?;
                        tx.insert_outbox("ten", "k", None, false, &serde_json::json!({}), t0())
                            .await?;
                        tx.commit().await
                    })
                    .await
                    .unwrap();
                }
            }));
        }
        for h in handles {
            h.await.unwrap();
        }
        let tx = db.store.begin_read().await.unwrap();
        let rows = tx.outbox_since(0, None, 1000).await.unwrap();
        assert_eq!(rows.len(), 160);
        assert!(rows.windows(2).all(|w| w[0].seq < w[1].seq));
        tx.commit().await.unwrap();
    })
    .await;
}
