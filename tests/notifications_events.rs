//! Notification intents for ticket, alarm and SLA events on every backend: created, assigned,
//! transitioned and reopened tickets, ticket SLA warnings and breaches, critical alarms raised
//! and cleared, availability SLA breaches — each written through the configured routes in the
//! transaction of the change (a change that fails leaves none).

mod common;

use chrono::{Duration, TimeZone, Utc};
use common::*;
use faultdesk::fault::sla::{MeasurementPeriod, SlaDefinition};
use faultdesk::fault::{AlarmEvent, Severity};
use faultdesk::storage::NotificationRow;
use faultdesk::ticket::sla::SlaPolicy;
use faultdesk::{DeskConfig, NewSlaInstance, NewTicketInput, NotificationRoute, TransitionOptions};
use rust_decimal::Decimal;

fn routes(c: DeskConfig) -> DeskConfig {
    c.with_notification_route(NotificationRoute::new(
        ["ticket.*", "sla.*"],
        "email",
        "noc@example.com",
    ))
    .unwrap()
    .with_notification_route(NotificationRoute::new(
        ["alarm.raised", "alarm.cleared"],
        "sms",
        "+15550100",
    ))
    .unwrap()
    .with_sla_policy(SlaPolicy::itsm())
    .unwrap()
}

async fn intents(td: &TestDesk) -> Vec<NotificationRow> {
    let mut v = td
        .list_notifications(&admin("acme"), None, 1000)
        .await
        .unwrap();
    v.reverse(); // oldest first
    v
}

fn kinds(v: &[NotificationRow]) -> Vec<String> {
    v.iter()
        .map(|n| format!("{}:{}", n.channel, n.template))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ticket_lifecycle_and_ticket_sla_events_notify() {
    each_with(routes, |td| async move {
        let lead = lead("acme");
        let t = td
            .create_ticket(&lead, NewTicketInput::new("Fibre cut on Main St"))
            .await
            .unwrap();
        td.assign_ticket(&lead, t.id, Some("eng-1".into()))
            .await
            .unwrap();
        td.transition_ticket(&lead, t.id, "IN_PROGRESS", TransitionOptions::default())
            .await
            .unwrap();
        let got = intents(&td).await;
        assert_eq!(
            kinds(&got),
            vec![
                "email:ticket.created",
                "email:ticket.assigned",
                "email:ticket.status_changed"
            ],
            "{}",
            td.name
        );
        assert!(
            got.iter()
                .all(|n| n.ticket_id == Some(t.id) && n.status == "pending")
        );
        assert_eq!(got[2].payload["payload"]["to"], "IN_PROGRESS");
        let seq = got[0].payload["seq"].as_i64().unwrap();
        let ev = td.events_since(&admin("acme"), seq - 1, 1).await.unwrap();
        assert_eq!(
            ev[0].kind, "ticket.created",
            "the intent names its outbox event"
        );

        // A transition the workflow refuses writes no intent (nor anything else).
        let before = td.count("notification_log").await;
        td.transition_ticket(&lead, t.id, "NO_SUCH_STATE", TransitionOptions::default())
            .await
            .unwrap_err();
        assert_eq!(td.count("notification_log").await, before);

        // Ticket SLA warning and breach (run_due) notify too.
        td.advance(Duration::days(3));
        let r = td.run_due(td.now()).await.unwrap();
        assert!(r.breaches > 0, "{}: {r:?}", td.name);
        let got = intents(&td).await;
        let k = kinds(&got);
        assert!(k.contains(&"email:sla.breached".to_string()), "{k:?}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn critical_alarms_notify_when_raised_and_cleared() {
    each_with(routes, |td| async move {
        let noc = admin("acme");
        let at = td.now();
        // Critical by the mapping: raised and cleared notify.
        let crit = AlarmEvent::new("acme", "device.down", "olt", "olt-1", at);
        let id = td.ingest(&noc, crit).await.unwrap().alarm_ids[0];
        // Major: no intents (default alarm_severities = critical).
        let major = AlarmEvent::new("acme", "device.down", "olt", "olt-2", at)
            .with_severity(Severity::Major);
        td.ingest(&noc, major).await.unwrap();
        td.ingest(
            &noc,
            AlarmEvent::new("acme", "device.up", "olt", "olt-2", at),
        )
        .await
        .unwrap();
        // A repeat is not a new raise.
        td.ingest(
            &noc,
            AlarmEvent::new("acme", "device.down", "olt", "olt-1", at),
        )
        .await
        .unwrap();
        td.ingest(
            &noc,
            AlarmEvent::new(
                "acme",
                "device.up",
                "olt",
                "olt-1",
                at + Duration::minutes(5),
            ),
        )
        .await
        .unwrap();
        let got = intents(&td).await;
        assert_eq!(
            kinds(&got),
            vec!["sms:alarm.raised", "sms:alarm.cleared"],
            "{}",
            td.name
        );
        assert!(got.iter().all(|n| n.alarm_id == Some(id)));
        assert_eq!(got[1].payload["payload"]["raised_severity"], "critical");
        // An operator clear of a critical alarm notifies as well.
        let crit = AlarmEvent::new("acme", "device.down", "olt", "olt-3", at);
        let id3 = td.ingest(&noc, crit).await.unwrap().alarm_ids[0];
        td.clear_alarm(&noc, id3).await.unwrap();
        let got = intents(&td).await;
        assert_eq!(got.len(), 4);
        assert_eq!(got[3].template, "alarm.cleared");
        assert_eq!(got[3].alarm_id, Some(id3));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn major_alarms_notify_when_configured() {
    each_with(
        |c| {
            let mut c = routes(c);
            c.notifications.alarm_severities = vec![Severity::Critical, Severity::Major];
            c
        },
        |td| async move {
            let noc = admin("acme");
            let major = AlarmEvent::new("acme", "device.down", "olt", "olt-2", td.now())
                .with_severity(Severity::Major);
            td.ingest(&noc, major).await.unwrap();
            assert_eq!(
                kinds(&intents(&td).await),
                vec!["sms:alarm.raised"],
                "{}",
                td.name
            );
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn availability_breaches_notify_once() {
    each_with(routes, |td| async move {
        let admin = admin("acme");
        let may = |d, h| Utc.with_ymd_and_hms(2026, 5, d, h, 0, 0).unwrap();
        td.clock.set(may(1, 0));
        let def = td
            .create_sla_definition(
                &admin,
                SlaDefinition::new("Gold", Decimal::new(999, 3), MeasurementPeriod::utc_month()),
            )
            .await
            .unwrap();
        let inst = td
            .create_sla_instance(
                &admin,
                NewSlaInstance::new(def.id, "cust-1").with_resources(["olt-1"]),
            )
            .await
            .unwrap();
        let down = AlarmEvent::new("acme", "device.down", "olt", "olt-1", may(2, 0))
            .with_severity(Severity::Major);
        td.clock.set(may(2, 0));
        td.ingest(&admin, down).await.unwrap();
        // At risk after 34.56 min (20 % of the 43.2 min allowance left), breached after 43.2.
        let at_risk = may(2, 0) + Duration::minutes(40);
        td.clock.set(at_risk);
        td.run_due(at_risk).await.unwrap();
        td.clock.set(may(2, 2));
        td.run_due(may(2, 2)).await.unwrap();
        td.run_due(may(2, 2)).await.unwrap();
        let got: Vec<NotificationRow> = intents(&td)
            .await
            .into_iter()
            .filter(|n| n.template.starts_with("sla."))
            .collect();
        assert_eq!(
            kinds(&got),
            vec!["email:sla.instance_at_risk", "email:sla.instance_breach"],
            "{}",
            td.name
        );
        assert_eq!(
            got[1].payload["payload"]["instance_id"],
            inst.id.to_string()
        );
        assert_eq!(got[1].payload["payload"]["breach_type"], "availability");
    })
    .await;
}
