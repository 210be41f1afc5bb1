//! Seed 000 ("Manual Ticket Creation from Alarms") end to end on every backend: the exact
//! response, subject, body, metadata, type and priority mappings, error texts, tenant
//! isolation, and exactly one ticket under concurrent calls.

mod common;

use chrono::Duration;
use common::*;
use faultdesk::storage::AlarmRow;
use faultdesk::ticket::{Priority, TicketType};
use faultdesk::{CreateTicketFromAlarm, ErrorKind, TicketFromAlarm};
use serde_json::json;
use uuid::Uuid;

async fn stored_alarm(td: &TestDesk, tenant: &str, id: Uuid) -> AlarmRow {
    let tx = td.store().begin_read().await.unwrap();
    let a = tx.get_alarm(tenant, id).await.unwrap().expect("alarm row");
    tx.rollback().await.unwrap();
    a
}

fn notes(text: &str) -> CreateTicketFromAlarm {
    CreateTicketFromAlarm {
        additional_notes: Some(text.into()),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_000_flow_with_exact_texts_and_metadata() {
    each(|td| async move {
        let alarm = alarm_row("acme", "k1", t0() - Duration::minutes(30));
        td.insert_alarm(&alarm).await;
        let op = operator("acme");
        let req = CreateTicketFromAlarm {
            priority: None,
            additional_notes: Some(
                "Customer reporting intermittent service. High priority business customer.".into(),
            ),
            assign_to_user_id: Some("550e8400-e29b-41d4-a716-446655440000".into()),
        };
        let out = td
            .create_ticket_from_alarm(&op, alarm.id, req)
            .await
            .unwrap();
        assert_eq!(
            out,
            TicketFromAlarm {
                alarm_id: alarm.id,
                ticket_id: out.ticket_id,
                ticket_number: "TKT-2026-000001".into(),
                message: "Ticket TKT-2026-000001 created successfully from alarm".into(),
            },
            "{}",
            td.name
        );
        let t = td.get_ticket(&admin("acme"), out.ticket_id).await.unwrap();
        assert_eq!(t.number, out.ticket_number);
        assert_eq!(t.subject, "[ALARM] Port down on k1");
        let expected_body = format!(
            "## Alarm Details\n\n- **ID:** {id}\n- **External ID:** ALM-k1\n- **Severity:** critical\n- **Source:** network_device\n- **Type:** port_down\n- **Status:** active\n\n\
## Description\n\nInterface ge-0/0/1 stopped passing traffic\n\n\
## Affected Resource\n\n- **Type:** device\n- **ID:** router-001\n- **Name:** Core Router 1\n\n\
## Customer Impact\n\n- **Customer:** ACME Corp (cust-1)\n- **Affected Subscribers:** 150\n\n\
## Probable Cause\n\nFibre cut\n\n\
## Recommended Action\n\nDispatch field technician\n\n\
## Additional Notes\n\nCustomer reporting intermittent service. High priority business customer.\n\n\
## Timing\n\n- **First Occurrence:** 2026-03-02T08:30:00+00:00\n- **Last Occurrence:** 2026-03-02T08:35:00+00:00\n- **Occurrence Count:** 3\n",
            id = alarm.id
        );
        assert_eq!(t.description, expected_body, "{}", td.name);
        assert_eq!(
            t.metadata,
            json!({
                "alarm_id": alarm.id.to_string(),
                "external_alarm_id": "ALM-k1",
                "alarm_severity": "critical",
                "alarm_source": "network_device",
                "alarm_type": "port_down",
                "resource_type": "device",
                "resource_id": "router-001",
                "created_from_alarm": true,
                "affected_subscribers": 150,
            })
        );
        assert_eq!(t.priority, Priority::Critical);
        assert_eq!(t.ticket_type, TicketType::Fault);
        assert_eq!(t.customer_id.as_deref(), Some("cust-1"));
        assert_eq!(
            t.assignee_id.as_deref(),
            Some("550e8400-e29b-41d4-a716-446655440000")
        );
        assert_eq!(t.reporter_id, "op-1");
        assert_eq!(t.status, "NEW");
        // The alarm retains the reference (alarms.ticket_id), plain SQL too.
        assert_eq!(
            stored_alarm(&td, "acme", alarm.id).await.ticket_id,
            Some(out.ticket_id)
        );
        assert_eq!(
            td.count_where("alarms", "ticket_id IS NOT NULL").await,
            1
        );
        assert_eq!(td.count_where("tickets", "alarm_id IS NOT NULL").await, 1);
        // Audit: CREATED by the operator, with the alarm in its metadata.
        let h = td.ticket_history(&admin("acme"), t.id).await.unwrap();
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].event_type.as_str(), "CREATED");
        assert_eq!(h[0].actor_id, "op-1");
        assert_eq!(h[0].ip.as_deref(), Some("10.0.0.2"));
        assert_eq!(h[0].metadata["alarm_id"], json!(alarm.id));
        // Outbox: ticket.created then alarm.ticket_linked.
        let ev = td.events_since(&admin("acme"), 0, 100).await.unwrap();
        let kinds: Vec<&str> = ev.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["ticket.created", "alarm.ticket_linked"], "{}", td.name);
        assert_eq!(ev[1].payload["ticket_number"], "TKT-2026-000001");
        assert_eq!(ev[1].entity_id.as_deref(), Some(alarm.id.to_string().as_str()));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn second_ticket_for_an_alarm_is_a_conflict_with_the_seed_text() {
    each(|td| async move {
        let alarm = alarm_row("acme", "k1", t0());
        td.insert_alarm(&alarm).await;
        let op = operator("acme");
        let first = td
            .create_ticket_from_alarm(&op, alarm.id, CreateTicketFromAlarm::default())
            .await
            .unwrap();
        let before = td.counts().await;
        let e = td
            .create_ticket_from_alarm(&op, alarm.id, notes("again"))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Conflict);
        assert_eq!(
            e.message(),
            format!(
                "Alarm {} already has ticket {}. Please update the existing ticket instead.",
                alarm.id, first.ticket_id
            )
        );
        assert_eq!(td.counts().await, before, "{}", td.name);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_foreign_and_forbidden_alarms() {
    each(|td| async move {
        let alarm = alarm_row("acme", "k1", t0());
        td.insert_alarm(&alarm).await;
        let before = td.counts().await;
        // Unknown id.
        let ghost = Uuid::now_v7();
        let e = td
            .create_ticket_from_alarm(&operator("acme"), ghost, CreateTicketFromAlarm::default())
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert_eq!(e.message(), format!("Alarm {ghost} not found"));
        // Another tenant's alarm is not found either, and stays untouched.
        let e = td
            .create_ticket_from_alarm(
                &operator("globex"),
                alarm.id,
                CreateTicketFromAlarm::default(),
            )
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert_eq!(e.message(), format!("Alarm {} not found", alarm.id));
        // Permission: faults.alarms.write.
        for who in [viewer("acme"), end_user("acme", "alice"), lead("acme")] {
            let e = td
                .create_ticket_from_alarm(&who, alarm.id, CreateTicketFromAlarm::default())
                .await
                .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::PermissionDenied);
            assert_eq!(
                e.message(),
                "Permission denied. Required permission: faults.alarms.write"
            );
        }
        // A direct grant is enough.
        let granted =
            faultdesk::Actor::new("acme", "svc").with_permissions(["faults.alarms.write"]);
        assert_eq!(td.counts().await, before, "{}", td.name);
        td.create_ticket_from_alarm(&granted, alarm.id, CreateTicketFromAlarm::default())
            .await
            .unwrap();
        assert!(
            stored_alarm(&td, "acme", alarm.id)
                .await
                .ticket_id
                .is_some()
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_are_validation_errors_and_write_nothing() {
    each(|td| async move {
        let alarm = alarm_row("acme", "k1", t0());
        td.insert_alarm(&alarm).await;
        let before = td.counts().await;
        let op = operator("acme");
        let bad = [
            CreateTicketFromAlarm {
                priority: Some("extreme".into()),
                ..Default::default()
            },
            CreateTicketFromAlarm {
                assign_to_user_id: Some("   ".into()),
                ..Default::default()
            },
            CreateTicketFromAlarm {
                additional_notes: Some("n".repeat(64 * 1024 + 1)),
                ..Default::default()
            },
        ];
        for req in bad {
            let e = td
                .create_ticket_from_alarm(&op, alarm.id, req)
                .await
                .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Validation, "{}: {e}", td.name);
        }
        let e = td
            .create_ticket_from_alarm(
                &op,
                alarm.id,
                CreateTicketFromAlarm {
                    priority: Some("extreme".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap_err();
        assert!(e.message().starts_with("Invalid priority 'extreme'"), "{e}");
        assert_eq!(td.counts().await, before);
        assert_eq!(stored_alarm(&td, "acme", alarm.id).await.ticket_id, None);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn priority_and_type_mappings() {
    each(|td| async move {
        let op = operator("acme");
        let a = admin("acme");
        // Severity -> priority when none is given.
        for (sev, want) in [
            ("critical", Priority::Critical),
            ("major", Priority::High),
            ("minor", Priority::Normal),
            ("warning", Priority::Low),
            ("info", Priority::Low),
        ] {
            let mut row = alarm_row("acme", sev, t0());
            row.severity = sev.into();
            td.insert_alarm(&row).await;
            let out = td
                .create_ticket_from_alarm(&op, row.id, CreateTicketFromAlarm::default())
                .await
                .unwrap();
            let t = td.get_ticket(&a, out.ticket_id).await.unwrap();
            assert_eq!(t.priority, want, "{}: severity {sev}", td.name);
            assert_eq!(t.metadata["alarm_severity"], sev);
        }
        // An explicit priority wins (case-insensitive).
        for (given, want) in [
            ("high", Priority::High),
            ("LOW", Priority::Low),
            ("critical", Priority::Critical),
            ("normal", Priority::Normal),
        ] {
            let row = alarm_row("acme", &format!("p-{given}"), t0());
            td.insert_alarm(&row).await;
            let out = td
                .create_ticket_from_alarm(
                    &op,
                    row.id,
                    CreateTicketFromAlarm {
                        priority: Some(given.into()),
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
            assert_eq!(
                td.get_ticket(&a, out.ticket_id).await.unwrap().priority,
                want
            );
        }
        // Alarm type -> ticket type.
        for (alarm_type, want) in [
            ("fiber_outage", TicketType::Outage),
            ("OUTAGE.regional", TicketType::Outage),
            ("scheduled_maintenance", TicketType::Maintenance),
            ("port_down", TicketType::Fault),
            ("signal.loss", TicketType::Fault),
        ] {
            let mut row = alarm_row("acme", &format!("t-{alarm_type}"), t0());
            row.alarm_type = alarm_type.into();
            td.insert_alarm(&row).await;
            let out = td
                .create_ticket_from_alarm(&op, row.id, CreateTicketFromAlarm::default())
                .await
                .unwrap();
            let t = td.get_ticket(&a, out.ticket_id).await.unwrap();
            assert_eq!(t.ticket_type, want, "{}: {alarm_type}", td.name);
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn optional_metadata_keys_and_minimal_alarms() {
    each(|td| async move {
        let op = operator("acme");
        let a = admin("acme");
        // Correlated alarm: correlation_id added.
        let mut row = alarm_row("acme", "corr", t0());
        let corr = Uuid::now_v7();
        row.correlation_id = Some(corr);
        td.insert_alarm(&row).await;
        let out = td
            .create_ticket_from_alarm(&op, row.id, CreateTicketFromAlarm::default())
            .await
            .unwrap();
        let t = td.get_ticket(&a, out.ticket_id).await.unwrap();
        assert_eq!(t.metadata["correlation_id"], corr.to_string());
        assert_eq!(t.metadata.as_object().unwrap().len(), 10);
        // Minimal alarm: no external id, resource, customer, subscribers or notes.
        let mut row = alarm_row("acme", "min", t0());
        row.external_alarm_id = None;
        row.description = None;
        row.resource_type = None;
        row.resource_id = None;
        row.resource_name = None;
        row.customer_id = None;
        row.customer_name = None;
        row.subscriber_count = 0;
        row.probable_cause = None;
        row.recommended_action = None;
        td.insert_alarm(&row).await;
        let out = td
            .create_ticket_from_alarm(&op, row.id, CreateTicketFromAlarm::default())
            .await
            .unwrap();
        let t = td.get_ticket(&a, out.ticket_id).await.unwrap();
        assert_eq!(
            t.metadata,
            json!({
                "alarm_id": row.id.to_string(),
                "external_alarm_id": null,
                "alarm_severity": "critical",
                "alarm_source": "network_device",
                "alarm_type": "port_down",
                "resource_type": null,
                "resource_id": null,
                "created_from_alarm": true,
            }),
            "{}",
            td.name
        );
        for absent in [
            "## Description",
            "## Affected Resource",
            "## Customer Impact",
            "## Probable Cause",
            "## Recommended Action",
            "## Additional Notes",
            "External ID",
        ] {
            assert!(
                !t.description.contains(absent),
                "{absent} in {}",
                t.description
            );
        }
        assert!(t.description.starts_with("## Alarm Details\n\n"));
        assert!(t.description.contains("## Timing\n\n"));
        assert_eq!(t.customer_id, None);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cleared_alarms_can_still_get_a_ticket() {
    each(|td| async move {
        let mut row = alarm_row("acme", "done", t0() - Duration::hours(2));
        row.severity = "major".into();
        row.status = "cleared".into();
        row.cleared_at = Some(t0() - Duration::hours(1));
        td.insert_alarm(&row).await;
        let out = td
            .create_ticket_from_alarm(&operator("acme"), row.id, notes("post-incident"))
            .await
            .unwrap();
        let t = td.get_ticket(&admin("acme"), out.ticket_id).await.unwrap();
        assert!(
            t.description.contains("- **Status:** cleared"),
            "{}",
            t.description
        );
        assert_eq!(t.priority, Priority::High, "{}", td.name);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_calls_for_one_alarm_create_exactly_one_ticket() {
    for td in concurrent_backends().await {
        for round in 0..3 {
            let alarm = alarm_row("acme", &format!("race-{round}"), t0());
            td.insert_alarm(&alarm).await;
            let tickets_before = td.count("tickets").await;
            let mut tasks = Vec::new();
            for i in 0..8 {
                let desk = td.desk.clone();
                let id = alarm.id;
                tasks.push(tokio::spawn(async move {
                    desk.create_ticket_from_alarm(
                        &operator("acme"),
                        id,
                        notes(&format!("caller {i}")),
                    )
                    .await
                }));
            }
            let mut won = Vec::new();
            let mut lost = Vec::new();
            for t in tasks {
                match t.await.unwrap() {
                    Ok(v) => won.push(v),
                    Err(e) => lost.push(e),
                }
            }
            assert_eq!(won.len(), 1, "{}: winners {won:?} errors {lost:?}", td.name);
            let winner = &won[0];
            for e in &lost {
                assert_eq!(e.kind(), ErrorKind::Conflict, "{}: {e}", td.name);
                assert_eq!(
                    e.message(),
                    format!(
                        "Alarm {} already has ticket {}. Please update the existing ticket instead.",
                        alarm.id, winner.ticket_id
                    )
                );
            }
            assert_eq!(td.count("tickets").await, tickets_before + 1, "{}", td.name);
            assert_eq!(
                stored_alarm(&td, "acme", alarm.id).await.ticket_id,
                Some(winner.ticket_id)
            );
        }
        // Numbers stayed consecutive (rolled-back allocations are reused).
        let page = td
            .list_tickets(
                &admin("acme"),
                faultdesk::TicketQuery::default().sort(["number"]),
            )
            .await
            .unwrap();
        let numbers: Vec<&str> = page.items.iter().map(|t| t.number.as_str()).collect();
        assert_eq!(
            numbers,
            ["TKT-2026-000001", "TKT-2026-000002", "TKT-2026-000003"],
            "{}",
            td.name
        );
    }
}
