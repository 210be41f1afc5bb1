//! # faultdesk
//!
//! Embeddable fault-management and ticketing engine: alarms in, correlated incidents and
//! SLA-tracked tickets out.
//!
//! The [`Desk`] is the application service: every use-case takes an [`Actor`] (tenant, user,
//! roles), checks its permission, runs in one transaction and publishes [`Event`]s after commit.
//! The pure engines are re-exported as [`ticket`] and [`fault`], the storage layer as
//! [`storage`], so a Rust user depends on this one crate.

mod actor;
mod blobs;
mod clock;
mod config;
mod desk;
mod error;
mod events;
pub mod ids;

pub use actor::Actor;
pub use blobs::{BlobStore, BlobStoreConfig, ByteStream, STREAM_CHUNK_BYTES};
pub use clock::{Clock, ManualClock, SystemClock};
pub use config::DeskConfig;
pub use desk::{
    AlarmNote, AlarmQuery, DEFAULT_ARCHIVE_AFTER_DAYS, IngestOutcome, MAX_EVENT_FIELD_CHARS,
    MAX_EVENT_PAYLOAD_BYTES, MAX_EVENT_TEXT_BYTES, MAX_EVENT_TITLE_CHARS, NewMaintenanceWindow,
    StoredRule,
};
pub use desk::{
    Attachment, AttachmentDownload, CHANNELS, DeliveryReport, NewAttachment, Notification,
    NotificationConfig, NotificationRoute, Notifier, OrphanReport, RunDueReport, SIGNATURE_HEADER,
    ScanRequest, ScanVerdict, Scanner, SchedulerConfig, WebhookNotifier,
};
pub use desk::{
    CreateTicketFromAlarm, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, NewTicketInput, Page, TicketFromAlarm,
    TicketQuery, TicketSearchHit, TicketStatistics, TransitionOptions,
};
pub use desk::{Desk, MIN_INSTANT, Subscription, max_instant};
pub use desk::{
    MAX_SLA_INSTANCES_PER_CALL, MAX_SLA_MEASUREMENTS_PER_CALL, NewSlaInstance,
    SLA_LATE_ALARM_HORIZON, SlaBreachQuery, SlaBreachRecord, SlaInstancePatch, SlaInstanceQuery,
    SlaInstanceStatus, SlaReportQuery, StoredSlaDefinition, StoredSlaInstance,
};
pub use error::{Error, ErrorKind, Result};
pub use events::{Event, EventFilter};

/// The pure fault domain (re-export of `fault-core`).
pub use fault_core as fault;
/// The storage layer (re-export of `faultdesk-storage`).
pub use faultdesk_storage as storage;
/// The pure ticket domain (re-export of `ticket-core`).
pub use ticket_core as ticket;

#[cfg(test)]
mod send_checks {
    /// Desk futures must be `Send` so bindings can run them on a multi-threaded runtime.
    #[allow(dead_code)]
    fn assert_send<T: Send>(_: &T) {}

    #[allow(dead_code)]
    async fn desk_futures_are_send(desk: crate::Desk, actor: crate::Actor) {
        let f = desk.events_since(&actor, 0, 10);
        assert_send(&f);
        let id = uuid::Uuid::nil();
        // alarms helper send checks
        let ev = fault_core::AlarmEvent::default();
        assert_send(&desk.ingest(&actor, ev.clone()));
        assert_send(&desk.ingest_batch(&actor, vec![ev]));
        assert_send(&desk.get_alarm(&actor, id));
        assert_send(&desk.list_alarms(&actor, Default::default()));
        assert_send(&desk.acknowledge_alarm(&actor, id));
        assert_send(&desk.clear_alarm(&actor, id));
        assert_send(&desk.resolve_alarm(&actor, id));
        assert_send(&desk.assign_alarm(&actor, id, "u"));
        assert_send(&desk.add_alarm_note(&actor, id, "comment", "x"));
        assert_send(&desk.list_alarm_notes(&actor, id));
        assert_send(&desk.alarm_children(&actor, id));
        assert_send(&desk.correlation_group(&actor, id));
        assert_send(&desk.alarm_stats(&actor, Default::default()));
        assert_send(&desk.check_unacknowledged(Some(&actor)));
        assert_send(&desk.archive_cleared(&actor, None));
        assert_send(&desk.create_rule(&actor, "{}"));
        assert_send(&desk.list_rules(&actor));
        assert_send(&desk.update_rule(&actor, id, "{}"));
        assert_send(&desk.delete_rule(&actor, id));
        assert_send(&desk.add_topology_edges(&actor, vec![]));
        assert_send(&desk.remove_topology_edges(&actor, vec![]));
        assert_send(&desk.list_maintenance_windows(&actor));
        assert_send(&desk.cancel_maintenance_window(&actor, id));
        // end alarms helper send checks
        assert_send(&desk.create_ticket(&actor, crate::NewTicketInput::new("s")));
        assert_send(&desk.get_ticket(&actor, id));
        assert_send(&desk.get_ticket_by_number(&actor, "TKT-2026-000001"));
        assert_send(&desk.update_ticket(&actor, id, Default::default()));
        assert_send(&desk.delete_ticket(&actor, id));
        assert_send(&desk.assign_ticket(&actor, id, None));
        assert_send(&desk.transition_ticket(&actor, id, "OPEN", Default::default()));
        assert_send(&desk.reopen_ticket(&actor, id, "r"));
        assert_send(&desk.ticket_history(&actor, id));
        assert_send(&desk.list_tickets(&actor, Default::default()));
        assert_send(&desk.search_tickets(&actor, "x", Default::default()));
        assert_send(&desk.ticket_stats(&actor, Default::default()));
        assert_send(&desk.create_ticket_from_alarm(&actor, id, Default::default()));
        assert_send(&desk.ticket_sla(&actor, id));
        let c = ticket_core::comment::Visibility::Public;
        assert_send(&desk.add_comment(&actor, id, "b", c));
        assert_send(&desk.edit_comment(&actor, id, "b"));
        assert_send(&desk.delete_comment(&actor, id));
        assert_send(&desk.list_comments(&actor, id));
        assert_send(&desk.get_comment(&actor, id));
        let new_attachment = crate::NewAttachment::new("a.txt");
        assert_send(&desk.add_attachment_bytes(&actor, id, new_attachment, "x"));
        assert_send(&desk.list_attachments(&actor, id));
        assert_send(&desk.open_attachment(&actor, id));
        assert_send(&desk.delete_attachment(&actor, id));
        assert_send(&desk.collect_orphan_blobs("t", chrono::Duration::hours(1)));
        assert_send(&desk.deliver_notifications());
        assert_send(&desk.list_notifications(&actor, None, 10));
        assert_send(&desk.run_due(chrono::Utc::now()));
        // SLA service
        let def = fault_core::sla::SlaDefinition::new(
            "d",
            rust_decimal::Decimal::ONE,
            fault_core::sla::MeasurementPeriod::utc_month(),
        );
        assert_send(&desk.create_sla_definition(&actor, def.clone()));
        assert_send(&desk.get_sla_definition(&actor, id));
        assert_send(&desk.list_sla_definitions(&actor));
        assert_send(&desk.update_sla_definition(&actor, id, def));
        assert_send(&desk.delete_sla_definition(&actor, id));
        assert_send(&desk.create_sla_instance(&actor, crate::NewSlaInstance::new(id, "c")));
        assert_send(&desk.create_sla_instances(&actor, vec![]));
        assert_send(&desk.get_sla_instance(&actor, id));
        assert_send(&desk.list_sla_instances(&actor, Default::default()));
        assert_send(&desk.update_sla_instance(&actor, id, Default::default()));
        assert_send(&desk.delete_sla_instance(&actor, id));
        assert_send(&desk.record_sla_measurements(&actor, id, vec![]));
        assert_send(&desk.sla_status(&actor, id));
        let now = chrono::Utc::now();
        assert_send(&desk.sla_compliance_report(&actor, crate::SlaReportQuery::range(now, now)));
        assert_send(&desk.list_sla_breaches(&actor, Default::default()));
        let w = async {
            crate::desk::write_tx!(desk, |w| {
                w.emit("t", "k", None, false, serde_json::Value::Null);
                Ok(())
            })
        };
        assert_send(&w);
    }
}
