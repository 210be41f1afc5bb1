//! Outbox events on every backend: a subscriber that disconnects and resumes from its last
//! sequence receives every event exactly once; tenant isolation of streams.

mod common;

use common::*;
use faultdesk::ticket::comment::Visibility;
use faultdesk::{Desk, DeskConfig, ErrorKind, EventFilter, NewTicketInput};
use std::collections::BTreeSet;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resuming_subscriber_sees_every_event_exactly_once() {
    each(|td| async move {
        let agent = engineer("acme", "eng-1");
        let mut received: Vec<i64> = Vec::new();
        let mut sub = td.subscribe(&agent, EventFilter::default()).unwrap();
        let t = td
            .create_ticket(&agent, NewTicketInput::new("Streamed"))
            .await
            .unwrap();
        for i in 0..5 {
            td.add_comment(&agent, t.id, &format!("c{i}"), Visibility::Public)
                .await
                .unwrap();
        }
        // Read three events live, then "disconnect".
        for _ in 0..3 {
            received.push(sub.next().await.unwrap().seq);
        }
        drop(sub);
        // Changes while disconnected.
        for i in 0..4 {
            td.add_comment(&agent, t.id, &format!("offline {i}"), Visibility::Internal)
                .await
                .unwrap();
        }
        // Resume: catch up from the last sequence, in pages of 2, then go live again.
        let mut last = *received.last().unwrap();
        let mut live = td.subscribe(&agent, EventFilter::default()).unwrap();
        loop {
            let page = td.events_since(&agent, last, 2).await.unwrap();
            if page.is_empty() {
                break;
            }
            for e in page {
                received.push(e.seq);
                last = e.seq;
            }
        }
        td.add_comment(&agent, t.id, "after resume", Visibility::Public)
            .await
            .unwrap();
        // The live stream repeats what catch-up already delivered: skip seq <= last.
        loop {
            let e = live.next().await.unwrap();
            if e.seq <= last {
                continue;
            }
            received.push(e.seq);
            assert_eq!(e.kind, "ticket.commented");
            assert_eq!(e.payload["body"], "after resume");
            break;
        }
        let all: Vec<i64> = td
            .events_since(&agent, 0, 1000)
            .await
            .unwrap()
            .iter()
            .map(|e| e.seq)
            .collect();
        assert_eq!(received, all, "{}", td.name);
        let unique: BTreeSet<_> = received.iter().collect();
        assert_eq!(unique.len(), received.len(), "no duplicates");
        assert_eq!(all.len(), 1 + 5 + 4 + 1);
        assert!(all.windows(2).all(|w| w[0] < w[1]), "monotonic");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streams_are_per_tenant_and_filtered() {
    each(|td| async move {
        let a = engineer("acme", "eng-1");
        let b = engineer("beta", "eng-1");
        let mut sub_a = td
            .subscribe(&a, EventFilter::kinds(["ticket.commented"]))
            .unwrap();
        let ta = td
            .create_ticket(&a, NewTicketInput::new("A"))
            .await
            .unwrap();
        let tb = td
            .create_ticket(&b, NewTicketInput::new("B"))
            .await
            .unwrap();
        td.add_comment(&b, tb.id, "beta secret", Visibility::Public)
            .await
            .unwrap();
        td.add_comment(&a, ta.id, "acme", Visibility::Public)
            .await
            .unwrap();
        let e = sub_a.next().await.unwrap();
        assert_eq!(e.tenant_id, "acme");
        assert_eq!(e.kind, "ticket.commented");
        assert!(sub_a.try_next().is_none(), "{}", td.name);
        let evs = td.events_since(&a, 0, 100).await.unwrap();
        assert!(evs.iter().all(|e| e.tenant_id == "acme"));
        let err = td.events_since(&a, 0, 0).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Validation);
    })
    .await;
}

/// A subscription taken right after `Desk::open` on a SQLite file sees the first commit, even
/// while the feed's tailer is reading the outbox's highest sequence for an idle Desk (that
/// read used to move the cursor past the commit, which then was never published). A race with
/// the tailer's first poll: repeated on fresh files, subscribing 0–2 ms after the open (the
/// window is the length of that read).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscription_right_after_open_sees_the_first_commit() {
    let agent = engineer("acme", "eng-1");
    for round in 0..40 {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/desk.db", dir.path().display());
        let desk = Desk::open(&url, DeskConfig::default()).await.unwrap();
        // Blocking on purpose: the tailer runs on the other worker meanwhile.
        std::thread::sleep(std::time::Duration::from_micros(50 * round));
        let mut sub = desk.subscribe(&agent, EventFilter::default()).unwrap();
        let t = desk
            .create_ticket(&agent, NewTicketInput::new("first"))
            .await
            .unwrap();
        let got = tokio::time::timeout(std::time::Duration::from_secs(10), sub.next())
            .await
            .unwrap_or_else(|_| panic!("round {round}: the first commit's event never arrived"))
            .unwrap();
        assert_eq!(
            (got.kind.as_str(), got.entity_id),
            ("ticket.created", Some(t.id.to_string())),
            "round {round}"
        );
        desk.close().await.unwrap();
    }
}
