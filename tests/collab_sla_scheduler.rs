//! The SLA scheduler (`run_due`) on every backend: warnings and breaches at their instants,
//! one `SLA_BREACH` per target, escalation when configured, met targets left alone.

mod common;

use chrono::{DateTime, Duration, Utc};
use common::*;
use faultdesk::ticket::comment::Visibility;
use faultdesk::{DeskConfig, NewTicketInput, SchedulerConfig};
use uuid::Uuid;

/// Sets a ticket's SLA due instants and next check as the SLA clock would.
async fn set_due(td: &TestDesk, tenant: &str, id: Uuid, fr: DateTime<Utc>, res: DateTime<Utc>) {
    let tx = td.store().begin().await.unwrap();
    let mut row = tx.get_ticket(tenant, id).await.unwrap().unwrap();
    row.first_response_due_at = Some(fr);
    row.resolution_due_at = Some(res);
    tx.update_ticket(&row).await.unwrap();
    tx.set_sla_next_check(tenant, id, Some(fr - Duration::minutes(30)))
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

fn breaches(h: &[faultdesk::ticket::audit::AuditEvent]) -> Vec<String> {
    h.iter()
        .filter(|e| e.event_type.as_str() == "SLA_BREACH")
        .map(|e| e.field.clone().unwrap_or_default())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warnings_and_breaches_happen_once_at_their_instants() {
    each(|td| async move {
        let agent = engineer("acme", "eng-1");
        let user = end_user("acme", "cust-1");
        let t = td
            .create_ticket(&user, NewTicketInput::new("P1 outage"))
            .await
            .unwrap();
        let quiet = td
            .create_ticket(&user, NewTicketInput::new("no SLA"))
            .await
            .unwrap();
        set_due(
            &td,
            "acme",
            t.id,
            t0() + Duration::hours(1),
            t0() + Duration::hours(4),
        )
        .await;
        // Nothing due yet.
        let r = td.run_due(t0()).await.unwrap();
        assert_eq!(r.tickets, 0, "{}", td.name);
        // Warning instant of the first response.
        let r = td.run_due(t0() + Duration::minutes(30)).await.unwrap();
        assert_eq!(
            (r.tickets, r.warnings, r.breaches),
            (1, 1, 0),
            "{}",
            td.name
        );
        // Same instant again: nothing.
        let r = td.run_due(t0() + Duration::minutes(30)).await.unwrap();
        assert_eq!(r.tickets, 0);
        // Just after the due instant: breach, recorded once.
        let at = t0() + Duration::hours(1) + Duration::seconds(1);
        td.clock.set(at);
        let r = td.run_due(at).await.unwrap();
        assert_eq!(
            (r.tickets, r.warnings, r.breaches),
            (1, 0, 1),
            "{}",
            td.name
        );
        let r = td.run_due(at + Duration::minutes(10)).await.unwrap();
        assert_eq!(r.breaches, 0);
        let h = td.ticket_history(&agent, t.id).await.unwrap();
        assert_eq!(breaches(&h), vec!["first_response".to_string()]);
        // A first response now does not undo the breach; resolution is still watched.
        td.add_comment(&agent, t.id, "on it", Visibility::Public)
            .await
            .unwrap();
        let r = td.run_due(t0() + Duration::hours(5)).await.unwrap();
        assert_eq!(
            (r.warnings, r.breaches),
            (0, 1),
            "late run: breach without warning"
        );
        let h = td.ticket_history(&agent, t.id).await.unwrap();
        assert_eq!(
            breaches(&h),
            vec!["first_response".to_string(), "resolution".to_string()]
        );
        let r = td.run_due(t0() + Duration::days(30)).await.unwrap();
        assert_eq!(r.tickets, 0, "nothing left to watch");
        let kinds: Vec<String> = td
            .events_since(&agent, 0, 100)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.kind.starts_with("sla."))
            .map(|e| format!("{}:{}", e.kind, e.payload["target"].as_str().unwrap()))
            .collect();
        assert_eq!(
            kinds,
            vec![
                "sla.warning:first_response",
                "sla.breached:first_response",
                "sla.breached:resolution"
            ],
            "{}",
            td.name
        );
        assert!(breaches(&td.ticket_history(&agent, quiet.id).await.unwrap()).is_empty());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn met_targets_are_not_breached() {
    each(|td| async move {
        let agent = engineer("acme", "eng-1");
        let user = end_user("acme", "cust-1");
        let t = td
            .create_ticket(&user, NewTicketInput::new("answered in time"))
            .await
            .unwrap();
        set_due(
            &td,
            "acme",
            t.id,
            t0() + Duration::hours(1),
            t0() + Duration::hours(4),
        )
        .await;
        td.add_comment(&agent, t.id, "hello", Visibility::Public)
            .await
            .unwrap();
        // The first response moved the next check to the resolution warning instant.
        let tx = td.store().begin_read().await.unwrap();
        let row = tx.get_ticket("acme", t.id).await.unwrap().unwrap();
        tx.rollback().await.unwrap();
        assert_eq!(
            row.sla_next_check_at,
            Some(t0() + Duration::hours(4) - Duration::minutes(30)),
            "{}",
            td.name
        );
        let r = td.run_due(t0() + Duration::hours(2)).await.unwrap();
        assert_eq!(
            r.tickets, 0,
            "{}: nothing due before the resolution warning",
            td.name
        );
        assert_eq!(r.breaches, 0, "{}", td.name);
        assert!(breaches(&td.ticket_history(&agent, t.id).await.unwrap()).is_empty());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn breaches_escalate_when_configured() {
    each_with(
        |c: DeskConfig| {
            c.with_scheduler(SchedulerConfig {
                escalate_to: Some("ESCALATED".into()),
                ..Default::default()
            })
        },
        |td| async move {
            let agent = engineer("acme", "eng-1");
            let t = td
                .create_ticket(&agent, NewTicketInput::new("escalate me"))
                .await
                .unwrap();
            td.transition_ticket(&agent, t.id, "OPEN", Default::default())
                .await
                .unwrap();
            set_due(
                &td,
                "acme",
                t.id,
                t0() + Duration::hours(1),
                t0() + Duration::hours(4),
            )
            .await;
            let r = td.run_due(t0() + Duration::hours(5)).await.unwrap();
            // Leaving NEW was the first response: only the resolution target breaches.
            assert_eq!(r.breaches, 1, "{}", td.name);
            assert_eq!(r.escalations, 1, "{}", td.name);
            let now = td.get_ticket(&agent, t.id).await.unwrap();
            assert_eq!(now.status, "ESCALATED");
            let comments = td.list_comments(&agent, t.id).await.unwrap();
            assert_eq!(comments.len(), 1);
            assert_eq!(comments[0].visibility, Visibility::System);
            assert!(comments[0].body.starts_with("Escalated automatically"));
            let h = td.ticket_history(&agent, t.id).await.unwrap();
            assert!(h.iter().any(|e| e.event_type.as_str() == "ESCALATED"));
        },
    )
    .await;
}
