//! ticket_sla and the SLA due instants stored on tickets (every backend).

mod common;

use chrono::Duration;
use common::*;
use faultdesk::ticket::sla::SlaPolicy;
use faultdesk::ticket::{Priority, TicketPatch};
use faultdesk::{DeskConfig, ErrorKind, NewTicketInput, TransitionOptions};

fn itsm(c: DeskConfig) -> DeskConfig {
    c.with_sla_policy(SlaPolicy::itsm()).unwrap()
}

async fn stored_dues(
    td: &TestDesk,
    id: uuid::Uuid,
) -> (
    Option<chrono::DateTime<chrono::Utc>>,
    Option<chrono::DateTime<chrono::Utc>>,
    Option<chrono::DateTime<chrono::Utc>>,
) {
    let tx = td.store().begin_read().await.unwrap();
    let r = tx.get_ticket("acme", id).await.unwrap().unwrap();
    tx.rollback().await.unwrap();
    (
        r.first_response_due_at,
        r.resolution_due_at,
        r.sla_next_check_at,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sla_follows_the_audit_log_and_dues_are_stored() {
    each_with(itsm, |td| async move {
        let a = admin("acme");
        // ITSM policy, normal priority: 8 h first response, 48 h resolution, 24x7.
        let t = td
            .create_ticket(&a, NewTicketInput::new("slow link"))
            .await
            .unwrap();
        let s = td.ticket_sla(&a, t.id).await.unwrap().unwrap();
        assert_eq!(s.priority, Priority::Normal);
        assert_eq!(
            s.first_response.due,
            t0() + Duration::hours(8),
            "{}",
            td.name
        );
        assert_eq!(s.resolution.due, t0() + Duration::hours(48));
        assert!(!s.any_breached());
        let (fr, res, next) = stored_dues(&td, t.id).await;
        assert_eq!(fr, Some(t0() + Duration::hours(8)));
        assert_eq!(res, Some(t0() + Duration::hours(48)));
        // Next check: the first-response warning (30 min before its due instant).
        assert_eq!(
            next,
            Some(t0() + Duration::hours(8) - Duration::minutes(30))
        );

        // First response by moving to OPEN after 1 h.
        td.advance(Duration::hours(1));
        td.transition_ticket(&a, t.id, "OPEN", TransitionOptions::default())
            .await
            .unwrap();
        let s = td.ticket_sla(&a, t.id).await.unwrap().unwrap();
        assert!(s.first_response.met);
        assert_eq!(
            s.first_response.completed_at,
            Some(t0() + Duration::hours(1))
        );

        // Upgrading to critical re-targets resolution from creation: 4 h.
        td.advance(Duration::hours(1));
        td.update_ticket(
            &a,
            t.id,
            TicketPatch {
                priority: Some(Priority::Critical),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let s = td.ticket_sla(&a, t.id).await.unwrap().unwrap();
        assert_eq!(s.priority, Priority::Critical);
        assert_eq!(s.resolution.due, t0() + Duration::hours(4));
        let (_, res, _) = stored_dues(&td, t.id).await;
        assert_eq!(res, Some(t0() + Duration::hours(4)), "{}", td.name);

        // Past the due instant: breached.
        td.advance(Duration::hours(3));
        let s = td.ticket_sla(&a, t.id).await.unwrap().unwrap();
        assert!(s.resolution.breached);
        assert_eq!(s.resolution.breached_at, Some(t0() + Duration::hours(4)));

        // Resolving completes the target (late).
        td.transition_ticket(
            &a,
            t.id,
            "RESOLVED",
            TransitionOptions::resolution_note("ok"),
        )
        .await
        .unwrap();
        let s = td.ticket_sla(&a, t.id).await.unwrap().unwrap();
        assert!(!s.resolution.met);
        assert_eq!(s.resolution.completed_at, Some(t0() + Duration::hours(5)));
        let (_, _, next) = stored_dues(&td, t.id).await;
        assert_eq!(next, None, "nothing left to watch");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_pauses_the_resolution_clock() {
    each_with(itsm, |td| async move {
        let a = admin("acme");
        let t = td
            .create_ticket(&a, NewTicketInput::new("waiting").priority(Priority::High))
            .await
            .unwrap();
        // High: 4 h / 12 h. Open at once, pending from +2 h to +5 h.
        td.transition_ticket(&a, t.id, "OPEN", TransitionOptions::default())
            .await
            .unwrap();
        td.advance(Duration::hours(2));
        td.transition_ticket(&a, t.id, "PENDING_INFO", TransitionOptions::default())
            .await
            .unwrap();
        td.advance(Duration::hours(3));
        let s = td.ticket_sla(&a, t.id).await.unwrap().unwrap();
        assert!(s.resolution.paused, "{}", td.name);
        assert_eq!(s.resolution.elapsed, Duration::hours(2));
        td.transition_ticket(&a, t.id, "OPEN", TransitionOptions::default())
            .await
            .unwrap();
        let s = td.ticket_sla(&a, t.id).await.unwrap().unwrap();
        assert!(!s.resolution.paused);
        assert_eq!(s.resolution.due, t0() + Duration::hours(15));
        let (_, res, _) = stored_dues(&td, t.id).await;
        assert_eq!(res, Some(t0() + Duration::hours(15)));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sla_reads_are_permission_and_tenant_checked() {
    each_with(itsm, |td| async move {
        let alice = end_user("acme", "alice");
        let t = td
            .create_ticket(&alice, NewTicketInput::new("mine"))
            .await
            .unwrap();
        let e = td.ticket_sla(&alice, t.id).await.unwrap_err();
        assert_eq!(
            e.message(),
            "Permission denied. Required permission: tickets.sla.read"
        );
        let e = td.ticket_sla(&admin("globex"), t.id).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert_eq!(e.message(), format!("Ticket {} not found", t.id));
        assert!(td.ticket_sla(&engineer("acme", "e"), t.id).await.is_ok());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sla_policy_is_configurable() {
    let c = DeskConfig::from_json(r#"{"sla_policy": "vms"}"#).unwrap();
    assert_eq!(c.sla_policy.unwrap().name, "vms");
    assert!(DeskConfig::default().sla_policy.is_none());
    let c = DeskConfig::from_json(r#"{"sla_policy": null}"#).unwrap();
    assert!(c.sla_policy.is_none());
    let e = DeskConfig::from_json(r#"{"sla_policy": "gold"}"#).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    let e = DeskConfig::from_json(r#"{"sla_policy": {"targets": {}}}"#).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    let custom = r#"{"sla_policy": {"targets": {"normal": {"first_response_minutes": 30, "resolution_minutes": 120}}}}"#;
    each_with(
        |_| DeskConfig::from_json(custom).unwrap(),
        |td| async move {
            let a = admin("acme");
            let t = td
                .create_ticket(&a, NewTicketInput::new("x"))
                .await
                .unwrap();
            let s = td.ticket_sla(&a, t.id).await.unwrap().unwrap();
            assert_eq!(
                s.first_response.due,
                t0() + Duration::minutes(30),
                "{}",
                td.name
            );
            assert_eq!(s.resolution.due, t0() + Duration::minutes(120));
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_policy_nothing_is_tracked() {
    each(|td| async move {
        let a = admin("acme");
        let t = td
            .create_ticket(&a, NewTicketInput::new("x"))
            .await
            .unwrap();
        td.transition_ticket(&a, t.id, "OPEN", TransitionOptions::default())
            .await
            .unwrap();
        assert_eq!(td.ticket_sla(&a, t.id).await.unwrap(), None);
        assert_eq!(
            stored_dues(&td, t.id).await,
            (None, None, None),
            "{}",
            td.name
        );
    })
    .await;
}
