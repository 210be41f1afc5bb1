//! Issue 11.3 — the tenant isolation matrix: every Desk use-case, run as tenant B against
//! tenant A's objects (ids and ticket numbers), on every backend.
//!
//! The matrix is a table: a new use-case is one `case!` line. Each case says what tenant B
//! must get:
//!
//! - `NotFound`: a NotFound error, and **no row of any table changes** (full dump equal);
//! - `Nothing`: success that shows none of A's objects (the closure returns how many of A's
//!   objects it saw: ids found in the result, or a total), and no row changes;
//! - `Refused`: a Validation error (e.g. an event naming tenant A), and no row changes;
//! - `OwnOnly`: success that creates B's own objects only: A's rows (every table with a
//!   `tenant_id`) stay byte-identical and the result names none of A's ids.
//!
//! `every_desk_use_case_is_in_the_matrix` reads `src/desk/*.rs` and fails when a public Desk
//! use-case is neither in the matrix nor in the short list of tenant-less system calls.

mod common;
mod reliability;

use chrono::Duration;
use common::*;
use faultdesk::fault::AlarmEvent;
use faultdesk::fault::maintenance::MaintenanceScope;
use faultdesk::fault::sla::{MeasurementPeriod, SlaDefinition};
use faultdesk::fault::topology::TopologyEdge;
use faultdesk::ticket::TicketPatch;
use faultdesk::ticket::comment::Visibility;
use faultdesk::{
    Actor, AlarmQuery, BlobStore, CreateTicketFromAlarm, Desk, ErrorKind, EventFilter,
    NewAttachment, NewMaintenanceWindow, NewSlaInstance, NewTicketInput, NotificationRoute,
    SlaBreachQuery, SlaInstancePatch, SlaInstanceQuery, SlaReportQuery, TicketQuery,
    TransitionOptions,
};
use reliability::{Dumper, assert_same};
use std::future::Future;
use std::pin::Pin;
use uuid::Uuid;

const A: &str = "tenant-a";
const B: &str = "tenant-b";

/// Tenant A's objects, and the two actors.
struct Ctx {
    desk: Desk,
    a: Actor,
    b: Actor,
    /// Alarm with a note and a ticket.
    alarm: Uuid,
    /// Active critical alarm without a ticket, an hour old.
    bare_alarm: Uuid,
    /// Root-cause parent of `child`.
    parent: Uuid,
    child: Uuid,
    correlation: Uuid,
    ticket: Uuid,
    number: String,
    comment: Uuid,
    internal_comment: Uuid,
    attachment: Uuid,
    rule: Uuid,
    window: Uuid,
    /// SLA definition, and an instance of it (on `olt-1`) with an outage and a breach.
    sla_definition: Uuid,
    sla_instance: Uuid,
    /// Every id of A's objects (to detect leaks in results).
    ids: Vec<Uuid>,
}

impl Ctx {
    /// How many of A's ids appear in `result`'s debug text.
    fn leaks(&self, result: &impl std::fmt::Debug) -> usize {
        let text = format!("{result:?}");
        self.ids
            .iter()
            .filter(|id| text.contains(&id.to_string()))
            .count()
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    NotFound,
    Nothing,
    Refused,
    OwnOnly,
}

type BoxFut<'a> = Pin<Box<dyn Future<Output = faultdesk::Result<usize>> + 'a>>;

struct Case {
    name: &'static str,
    expect: Expect,
    run: for<'a> fn(&'a Ctx) -> BoxFut<'a>,
}

/// `case!("use_case", Expect, |c| async-body returning Result<usize>)`.
macro_rules! case {
    ($name:literal, $expect:ident, |$c:ident| $body:expr) => {
        Case {
            name: $name,
            expect: Expect::$expect,
            run: {
                fn run<'a>($c: &'a Ctx) -> BoxFut<'a> {
                    Box::pin(async move { $body })
                }
                run
            },
        }
    };
}

fn zero<T>(_: T) -> usize {
    0
}

/// The matrix. The `name` is the Desk method the case calls (checked for coverage).
fn matrix() -> Vec<Case> {
    vec![
        // ---------------------------------------------------------------- alarms
        case!("ingest", OwnOnly, |c| {
            let e = AlarmEvent::new(B, "device.down", "olt", "olt-1", c.desk.now());
            c.desk.ingest(&c.b, e).await.map(|r| c.leaks(&r))
        }),
        case!("ingest_batch", Refused, |c| {
            let e = AlarmEvent::new(A, "device.down", "olt", "olt-1", c.desk.now());
            c.desk
                .ingest_batch(&c.b, vec![e])
                .await
                .map(|r| c.leaks(&r))
        }),
        case!("get_alarm", NotFound, |c| c
            .desk
            .get_alarm(&c.b, c.alarm)
            .await
            .map(zero)),
        case!("list_alarms", Nothing, |c| c
            .desk
            .list_alarms(&c.b, AlarmQuery::default())
            .await
            .map(|p| c.leaks(&p))),
        case!("acknowledge_alarm", NotFound, |c| c
            .desk
            .acknowledge_alarm(&c.b, c.bare_alarm)
            .await
            .map(zero)),
        case!("clear_alarm", NotFound, |c| c
            .desk
            .clear_alarm(&c.b, c.alarm)
            .await
            .map(zero)),
        case!("resolve_alarm", NotFound, |c| c
            .desk
            .resolve_alarm(&c.b, c.alarm)
            .await
            .map(zero)),
        case!("assign_alarm", NotFound, |c| c
            .desk
            .assign_alarm(&c.b, c.alarm, "intruder")
            .await
            .map(zero)),
        case!("add_alarm_note", NotFound, |c| c
            .desk
            .add_alarm_note(&c.b, c.alarm, "comment", "hello")
            .await
            .map(zero)),
        case!("list_alarm_notes", NotFound, |c| c
            .desk
            .list_alarm_notes(&c.b, c.alarm)
            .await
            .map(zero)),
        case!("alarm_children", NotFound, |c| c
            .desk
            .alarm_children(&c.b, c.parent)
            .await
            .map(zero)),
        case!("correlation_group", Nothing, |c| c
            .desk
            .correlation_group(&c.b, c.correlation)
            .await
            .map(|v| v.len())),
        case!("alarm_stats", Nothing, |c| c
            .desk
            .alarm_stats(&c.b, AlarmQuery::default())
            .await
            .map(|s| s.total as usize)),
        case!("check_unacknowledged", Nothing, |c| c
            .desk
            .check_unacknowledged(Some(&c.b))
            .await
            .map(|v| v.len())),
        case!("archive_cleared", Nothing, |c| c
            .desk
            .archive_cleared(&c.b, Some(Duration::zero()))
            .await
            .map(|n| n as usize)),
        // ---------------------------------------------------------------- rules, topology
        case!("create_rule", OwnOnly, |c| c
            .desk
            .create_rule(&c.b, faultdesk::fault::correlator::SEED_002_RULE_JSON)
            .await
            .map(|r| c.leaks(&r))),
        case!("list_rules", Nothing, |c| c
            .desk
            .list_rules(&c.b)
            .await
            .map(|v| c.leaks(&v))),
        case!("update_rule", NotFound, |c| c
            .desk
            .update_rule(
                &c.b,
                c.rule,
                faultdesk::fault::correlator::SEED_002_RULE_JSON
            )
            .await
            .map(zero)),
        case!("delete_rule", NotFound, |c| c
            .desk
            .delete_rule(&c.b, c.rule)
            .await
            .map(zero)),
        case!("add_topology_edges", OwnOnly, |c| c
            .desk
            .add_topology_edges(&c.b, vec![TopologyEdge::new("olt-1", "ont-9")])
            .await
            .map(zero)),
        case!("remove_topology_edges", Nothing, |c| c
            .desk
            .remove_topology_edges(&c.b, vec![TopologyEdge::new("olt-1", "ont-1")])
            .await
            .map(|n| n as usize)),
        case!("create_maintenance_window", OwnOnly, |c| c
            .desk
            .create_maintenance_window(&c.b, window_input(&c.desk, "B's window"))
            .await
            .map(|w| c.leaks(&w))),
        case!("list_maintenance_windows", Nothing, |c| c
            .desk
            .list_maintenance_windows(&c.b)
            .await
            .map(|v| c.leaks(&v))),
        case!("cancel_maintenance_window", NotFound, |c| c
            .desk
            .cancel_maintenance_window(&c.b, c.window)
            .await
            .map(zero)),
        // ---------------------------------------------------------------- tickets
        case!("create_ticket_from_alarm", NotFound, |c| c
            .desk
            .create_ticket_from_alarm(&c.b, c.bare_alarm, CreateTicketFromAlarm::default())
            .await
            .map(zero)),
        case!("create_ticket", OwnOnly, |c| c
            .desk
            .create_ticket(
                &c.b,
                NewTicketInput::new("B's own").label("contractor_id", "c-1")
            )
            .await
            .map(|t| c.leaks(&t))),
        case!("get_ticket", NotFound, |c| c
            .desk
            .get_ticket(&c.b, c.ticket)
            .await
            .map(zero)),
        case!("get_ticket_by_number", NotFound, |c| c
            .desk
            .get_ticket_by_number(&c.b, &c.number)
            .await
            .map(zero)),
        case!("update_ticket", NotFound, |c| c
            .desk
            .update_ticket(
                &c.b,
                c.ticket,
                TicketPatch {
                    subject: Some("pwned".into()),
                    ..Default::default()
                }
            )
            .await
            .map(zero)),
        case!("delete_ticket", NotFound, |c| c
            .desk
            .delete_ticket(&c.b, c.ticket)
            .await
            .map(zero)),
        case!("assign_ticket", NotFound, |c| c
            .desk
            .assign_ticket(&c.b, c.ticket, Some("intruder".into()))
            .await
            .map(zero)),
        case!("transition_ticket", NotFound, |c| c
            .desk
            .transition_ticket(&c.b, c.ticket, "IN_PROGRESS", TransitionOptions::default())
            .await
            .map(zero)),
        case!("reopen_ticket", NotFound, |c| c
            .desk
            .reopen_ticket(&c.b, c.ticket, "because")
            .await
            .map(zero)),
        case!("ticket_history", NotFound, |c| c
            .desk
            .ticket_history(&c.b, c.ticket)
            .await
            .map(zero)),
        case!("ticket_sla", NotFound, |c| c
            .desk
            .ticket_sla(&c.b, c.ticket)
            .await
            .map(zero)),
        case!("list_tickets", Nothing, |c| c
            .desk
            .list_tickets(&c.b, TicketQuery::default().label("contractor_id", "c-1"))
            .await
            .map(|p| c.leaks(&p))),
        case!("search_tickets", Nothing, |c| c
            .desk
            .search_tickets(&c.b, "splice", TicketQuery::default())
            .await
            .map(|p| c.leaks(&p) + p.total as usize)),
        case!("ticket_stats", Nothing, |c| c
            .desk
            .ticket_stats(&c.b, TicketQuery::default())
            .await
            .map(|s| s.total as usize)),
        // ---------------------------------------------------------------- collaboration
        case!("add_comment", NotFound, |c| c
            .desk
            .add_comment(&c.b, c.ticket, "hello", Visibility::Public)
            .await
            .map(zero)),
        case!("edit_comment", NotFound, |c| c
            .desk
            .edit_comment(&c.b, c.comment, "changed")
            .await
            .map(zero)),
        case!("delete_comment", NotFound, |c| c
            .desk
            .delete_comment(&c.b, c.internal_comment)
            .await
            .map(zero)),
        case!("list_comments", NotFound, |c| c
            .desk
            .list_comments(&c.b, c.ticket)
            .await
            .map(zero)),
        case!("get_comment", NotFound, |c| c
            .desk
            .get_comment(&c.b, c.internal_comment)
            .await
            .map(zero)),
        case!("add_attachment", NotFound, |c| c
            .desk
            .add_attachment(
                &c.b,
                c.ticket,
                NewAttachment::new("x.txt"),
                futures::stream::iter([Ok(bytes::Bytes::from_static(b"x"))])
            )
            .await
            .map(zero)),
        case!("add_attachment_bytes", NotFound, |c| c
            .desk
            .add_attachment_bytes(&c.b, c.ticket, NewAttachment::new("x.txt"), "x")
            .await
            .map(zero)),
        case!("add_attachment_reader", NotFound, |c| c
            .desk
            .add_attachment_reader(&c.b, c.ticket, NewAttachment::new("x.txt"), &b"x"[..])
            .await
            .map(zero)),
        case!("list_attachments", NotFound, |c| c
            .desk
            .list_attachments(&c.b, c.ticket)
            .await
            .map(zero)),
        case!("open_attachment", NotFound, |c| c
            .desk
            .open_attachment(&c.b, c.attachment)
            .await
            .map(zero)),
        case!("delete_attachment", NotFound, |c| c
            .desk
            .delete_attachment(&c.b, c.attachment)
            .await
            .map(zero)),
        case!("collect_orphan_blobs", OwnOnly, |c| c
            .desk
            .collect_orphan_blobs(B, Duration::zero())
            .await
            .map(zero)),
        // ---------------------------------------------------------------- events, notifications
        case!("events_since", Nothing, |c| c
            .desk
            .events_since(&c.b, 0, 1000)
            .await
            .map(|v| v.len() + c.leaks(&v))),
        case!("list_notifications", Nothing, |c| c
            .desk
            .list_notifications(&c.b, Some(c.ticket), 1000)
            .await
            .map(|v| v.len())),
        // ---------------------------------------------------------------- SLA service
        case!("create_sla_definition", OwnOnly, |c| c
            .desk
            .create_sla_definition(&c.b, sla_definition("B's Gold"))
            .await
            .map(|d| c.leaks(&d))),
        case!("get_sla_definition", NotFound, |c| c
            .desk
            .get_sla_definition(&c.b, c.sla_definition)
            .await
            .map(zero)),
        case!("list_sla_definitions", Nothing, |c| c
            .desk
            .list_sla_definitions(&c.b)
            .await
            .map(|v| v.len() + c.leaks(&v))),
        case!("update_sla_definition", NotFound, |c| c
            .desk
            .update_sla_definition(&c.b, c.sla_definition, sla_definition("pwned"))
            .await
            .map(zero)),
        case!("delete_sla_definition", NotFound, |c| c
            .desk
            .delete_sla_definition(&c.b, c.sla_definition)
            .await
            .map(zero)),
        case!("create_sla_instance", NotFound, |c| c
            .desk
            .create_sla_instance(
                &c.b,
                NewSlaInstance::new(c.sla_definition, "cust-b").with_resources(["olt-1"])
            )
            .await
            .map(zero)),
        case!("create_sla_instances", NotFound, |c| c
            .desk
            .create_sla_instances(&c.b, vec![NewSlaInstance::new(c.sla_definition, "cust-b")])
            .await
            .map(zero)),
        case!("get_sla_instance", NotFound, |c| c
            .desk
            .get_sla_instance(&c.b, c.sla_instance)
            .await
            .map(zero)),
        case!("list_sla_instances", Nothing, |c| c
            .desk
            .list_sla_instances(&c.b, SlaInstanceQuery::default())
            .await
            .map(|p| p.total as usize + c.leaks(&p))),
        case!("update_sla_instance", NotFound, |c| c
            .desk
            .update_sla_instance(
                &c.b,
                c.sla_instance,
                SlaInstancePatch {
                    monthly_fee: Some(rust_decimal::Decimal::ZERO),
                    ..Default::default()
                }
            )
            .await
            .map(zero)),
        case!("delete_sla_instance", NotFound, |c| c
            .desk
            .delete_sla_instance(&c.b, c.sla_instance)
            .await
            .map(zero)),
        case!("record_sla_measurements", NotFound, |c| c
            .desk
            .record_sla_measurements(
                &c.b,
                c.sla_instance,
                vec![
                    faultdesk::fault::sla::Measurement::at(c.desk.now())
                        .latency_ms(rust_decimal::Decimal::ONE)
                ]
            )
            .await
            .map(zero)),
        case!("sla_status", NotFound, |c| c
            .desk
            .sla_status(&c.b, c.sla_instance)
            .await
            .map(zero)),
        case!("sla_compliance_report", Nothing, |c| c
            .desk
            .sla_compliance_report(
                &c.b,
                SlaReportQuery::range(c.desk.now() - Duration::days(60), c.desk.now())
            )
            .await
            .map(|r| r.totals.instance_count + c.leaks(&r))),
        case!("list_sla_breaches", Nothing, |c| c
            .desk
            .list_sla_breaches(&c.b, SlaBreachQuery::default())
            .await
            .map(|v| v.len() + c.leaks(&v))),
        case!("list_sla_breaches", NotFound, |c| c
            .desk
            .list_sla_breaches(
                &c.b,
                SlaBreachQuery {
                    instance_id: Some(c.sla_instance),
                    ..Default::default()
                }
            )
            .await
            .map(zero)),
    ]
}

/// A 99.99 % availability definition per UTC month (4.3 minutes of allowance).
fn sla_definition(name: &str) -> SlaDefinition {
    SlaDefinition::new(
        name,
        rust_decimal::Decimal::new(9999, 4),
        MeasurementPeriod::utc_month(),
    )
    .with_monthly_fee(rust_decimal::Decimal::new(10_000, 2))
}

/// Use-cases that take no actor (system-wide jobs over every tenant's due rows, lifecycle):
/// not tenant-scoped by design. `subscribe` is checked by the matrix test itself (a stream
/// opened by B before A's objects exist receives only B's events).
const TENANTLESS: &[&str] = &[
    "open",
    "migrate",
    "close",
    "run_due",
    "deliver_notifications",
    "subscribe",
    // `Subscription::next`, not a Desk method.
    "next",
];

fn window_input(desk: &Desk, title: &str) -> NewMaintenanceWindow {
    NewMaintenanceWindow {
        title: title.into(),
        description: None,
        start: desk.now() + Duration::hours(1),
        end: desk.now() + Duration::hours(2),
        scope: MaintenanceScope {
            resources: vec!["olt-1".into()],
            ..Default::default()
        },
    }
}

/// Builds tenant A's world.
async fn tenant_a(td: &TestDesk) -> Ctx {
    let desk = td.desk.clone();
    let a = admin(A);
    let b = admin(B);
    // Rows inserted directly: a correlated parent/child pair, an old cleared alarm, and an
    // hour-old critical alarm without a ticket.
    let corr = Uuid::now_v7();
    let mut parent = alarm_row(A, "parent-key", t0() - Duration::hours(2));
    parent.is_root_cause = true;
    parent.correlation_id = Some(corr);
    let mut child = alarm_row(A, "child-key", t0() - Duration::hours(2));
    child.parent_alarm_id = Some(parent.id);
    child.correlation_id = Some(corr);
    child.status = "suppressed".into();
    child.suppression_reason = Some("correlated".into());
    let mut cleared = alarm_row(A, "cleared-key", t0() - Duration::days(200));
    cleared.status = "cleared".into();
    cleared.severity = "cleared".into();
    cleared.cleared_at = Some(t0() - Duration::days(100));
    cleared.updated_at = t0() - Duration::days(100);
    let bare = alarm_row(A, "bare-key", t0() - Duration::hours(1));
    for r in [&parent, &child, &cleared, &bare] {
        td.insert_alarm(r).await;
    }
    // An ingested alarm with a note, an assignee and a ticket.
    let e = AlarmEvent::new(
        A,
        "device.down",
        "olt",
        "olt-1",
        t0() - Duration::minutes(30),
    );
    let alarm = desk.ingest(&a, e).await.unwrap().alarm_ids[0];
    desk.add_alarm_note(&a, alarm, "investigation", "looking")
        .await
        .unwrap();
    desk.assign_alarm(&a, alarm, "op-a").await.unwrap();
    let from_alarm = desk
        .create_ticket_from_alarm(&a, alarm, CreateTicketFromAlarm::default())
        .await
        .unwrap();
    let rule = desk
        .create_rule(&a, faultdesk::fault::correlator::SEED_002_RULE_JSON)
        .await
        .unwrap()
        .id;
    desk.add_topology_edges(&a, vec![TopologyEdge::new("olt-1", "ont-1")])
        .await
        .unwrap();
    let window = desk
        .create_maintenance_window(&a, window_input(&desk, "A's window"))
        .await
        .unwrap()
        .id;
    let t = desk
        .create_ticket(
            &a,
            NewTicketInput::new("Splice closure damaged")
                .description("fibre splice on Main St")
                .label("contractor_id", "c-1"),
        )
        .await
        .unwrap();
    let comment = desk
        .add_comment(&a, t.id, "on our way", Visibility::Public)
        .await
        .unwrap()
        .id;
    let internal_comment = desk
        .add_comment(&a, t.id, "customer is difficult", Visibility::Internal)
        .await
        .unwrap()
        .id;
    let attachment = desk
        .add_attachment_bytes(&a, t.id, NewAttachment::new("splice.txt"), "photo notes")
        .await
        .unwrap()
        .id;
    // An SLA instance on olt-1, created after its alarm: the open outage (30 min) is picked
    // up and is past the 4.3-minute allowance, so the instance has a recorded breach.
    let sla_def = desk
        .create_sla_definition(&a, sla_definition("A's Platinum"))
        .await
        .unwrap()
        .id;
    let sla_inst = desk
        .create_sla_instance(
            &a,
            NewSlaInstance::new(sla_def, "cust-a").with_resources(["olt-1"]),
        )
        .await
        .unwrap()
        .id;
    let breaches = desk
        .list_sla_breaches(&a, SlaBreachQuery::default())
        .await
        .unwrap();
    assert_eq!(breaches.len(), 1, "A's instance has a breach to hide");
    // The unacknowledged check needs age: move past 15 minutes.
    td.advance(Duration::minutes(20));
    let ids = vec![
        alarm,
        bare.id,
        parent.id,
        child.id,
        cleared.id,
        corr,
        from_alarm.ticket_id,
        t.id,
        comment,
        internal_comment,
        attachment,
        rule,
        window,
        sla_def,
        sla_inst,
        breaches[0].id,
    ];
    Ctx {
        desk,
        a,
        b,
        alarm,
        bare_alarm: bare.id,
        parent: parent.id,
        child: child.id,
        correlation: corr,
        ticket: t.id,
        number: t.number,
        comment,
        internal_comment,
        attachment,
        rule,
        window,
        sla_definition: sla_def,
        sla_instance: sla_inst,
        ids,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenant_b_cannot_see_or_change_tenant_a() {
    let configure = |c: faultdesk::DeskConfig| {
        c.with_blob_store(BlobStore::in_memory())
            .with_notification_route(NotificationRoute::new(
                ["ticket.*"],
                "email",
                "noc@tenant-a.example",
            ))
            .unwrap()
    };
    each_with(configure, |td| async move {
        // B's stream opens before A's objects exist.
        let mut stream = td
            .desk
            .subscribe(&admin(B), EventFilter::default())
            .unwrap();
        let c = tenant_a(&td).await;
        assert!(
            !c.desk
                .list_notifications(&c.a, None, 100)
                .await
                .unwrap()
                .is_empty(),
            "{}: the route gives A notification rows to hide",
            td.name
        );
        let dumper = Dumper::new(&c.desk).await;
        let a_before = dumper.tenant_dump(A).await;
        let mut ran = 0;
        // Reads and refusals first (B has nothing yet, so totals must be 0), then the cases
        // where B creates its own objects.
        let mut cases = matrix();
        cases.sort_by_key(|c| c.expect == Expect::OwnOnly);
        for case in cases {
            let what = format!("{} / {} ({:?})", td.name, case.name, case.expect);
            let before = dumper.dump().await;
            let result = (case.run)(&c).await;
            match case.expect {
                Expect::NotFound => {
                    let e = result.expect_err(&what);
                    assert_eq!(e.kind(), ErrorKind::NotFound, "{what}: {e}");
                    assert!(!e.message().contains("SELECT"), "{what}: {e}");
                    assert_same(&before, &dumper.dump().await, &what);
                }
                Expect::Refused => {
                    let e = result.expect_err(&what);
                    assert_eq!(e.kind(), ErrorKind::Validation, "{what}: {e}");
                    assert_same(&before, &dumper.dump().await, &what);
                }
                Expect::Nothing => {
                    let seen = result.unwrap_or_else(|e| panic!("{what}: {e}"));
                    assert_eq!(seen, 0, "{what}: B saw A's objects");
                    assert_same(&before, &dumper.dump().await, &what);
                }
                Expect::OwnOnly => {
                    let leaked = result.unwrap_or_else(|e| panic!("{what}: {e}"));
                    assert_eq!(leaked, 0, "{what}: result names A's objects");
                }
            }
            assert_same(&a_before, &dumper.tenant_dump(A).await, &what);
            ran += 1;
        }
        // A's objects are all still there and readable by A.
        let t = c.desk.get_ticket(&c.a, c.ticket).await.unwrap();
        assert_eq!(t.subject, "Splice closure damaged");
        assert!(c.desk.open_attachment(&c.a, c.attachment).await.is_ok());
        assert_eq!(c.desk.get_alarm(&c.a, c.child).await.unwrap().id, c.child);
        // B's stream carried only B's events (from the OwnOnly cases).
        let mut seen = 0;
        while let Some(e) = stream.try_next() {
            assert_eq!(e.tenant_id, B, "{}: B received {e:?}", td.name);
            seen += 1;
        }
        assert!(seen > 0, "{}: B's own writes reach B's stream", td.name);
        eprintln!("{}: {ran} use-cases checked", td.name);
    })
    .await;
}

/// Public `async fn` names in `src/desk/*.rs` (the Desk's use-cases, plus a few helpers that
/// [`TENANTLESS`] lists).
fn desk_use_cases() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/desk");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for marker in ["pub async fn ", "pub fn subscribe"] {
            for (i, _) in text.match_indices(marker) {
                let rest = &text[i + "pub ".len()..];
                let rest = rest.trim_start_matches("async ").trim_start_matches("fn ");
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                out.push(name);
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

#[test]
fn every_desk_use_case_is_in_the_matrix() {
    let covered: Vec<&str> = matrix().iter().map(|c| c.name).collect();
    let missing: Vec<String> = desk_use_cases()
        .into_iter()
        .filter(|n| !covered.contains(&n.as_str()) && !TENANTLESS.contains(&n.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "Desk use-cases missing from the tenant matrix in tests/reliability_tenants.rs \
         (add one `case!` line each): {missing:?}"
    );
    assert!(
        covered.len() >= 50,
        "the matrix lost cases: {}",
        covered.len()
    );
}
