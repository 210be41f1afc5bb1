//! The SLA scheduler: [`Desk::run_due`] acts on tickets whose SLA warning or breach instant
//! has come.
//!
//! Each ticket row carries `sla_next_check_at`, the next instant at which its SLA state
//! changes (a target's warning instant, or the first instant after a due instant), computed
//! from the due instants the SLA clock writes (`first_response_due_at`,
//! `resolution_due_at`). `run_due` claims only rows whose instant has come — through the
//! partial index on `sla_next_check_at`, never a scan of all tickets — and for each:
//!
//! - emits `sla.warning` once per target when its warning instant (due − `warning_before`)
//!   has passed and the target is still unmet;
//! - on the first instant strictly after a due instant, with the target unmet, records one
//!   `SLA_BREACH` audit event (never twice for the same target), emits `sla.breached`, and,
//!   when [`SchedulerConfig::escalate_to`] names a state the ticket's workflow can move to,
//!   escalates the ticket (audit `STATUS_CHANGE` + `ESCALATED`, a system comment, outbox
//!   `ticket.status_changed`);
//! - stores the ticket's next instant (or none when every target is met or breached).
//!
//! It also evaluates the availability SLA instances whose `next_check_at` has come (an outage
//! that has lasted past the downtime allowance is a breach even if no alarm changed; see the
//! `sla` module), recording their breaches once.
//!
//! It is a system call and takes no actor: it acts for every tenant, as the configured
//! `system_user`. Run it from a timer (e.g. every minute); concurrent runs claim different
//! tickets (`FOR UPDATE SKIP LOCKED` on PostgreSQL).

use crate::desk::notifications::Related;
use crate::desk::sla::SlaTracked;
use crate::desk::ticket_rows::{ticket_from_row, write_ticket_to_row};
use crate::desk::tickets::insert_audit;
use crate::desk::{Desk, Work, read_statement, write_tx};
use crate::error::Result;
use chrono::{DateTime, Duration, Utc};
use faultdesk_storage::TicketRow;
use serde::{Deserialize, Serialize};
use serde_json::json;
use ticket_core::audit::{AuditActor, AuditEvent, AuditEventType, diff};
use ticket_core::rbac::PermissionSet;
use ticket_core::workflow::TransitionContext;

/// SLA scheduler settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchedulerConfig {
    /// How long before a due instant `sla.warning` is emitted. Default 30 minutes.
    pub warning_before: Duration,
    /// The workflow state a breached ticket is moved to (e.g. `ESCALATED`), when its
    /// workflow allows that transition from the current state. `None` (default): no
    /// automatic escalation.
    pub escalate_to: Option<String>,
    /// Tickets, and availability-SLA instances, claimed per `run_due` transaction. Default 200.
    pub batch_size: u32,
}

impl Default for SchedulerConfig {
    fn default() -> Self {
        SchedulerConfig {
            warning_before: Duration::minutes(30),
            escalate_to: None,
            batch_size: 200,
        }
    }
}

/// What one [`Desk::run_due`] call did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunDueReport {
    /// Tickets whose SLA instant had come.
    pub tickets: usize,
    /// `sla.warning` events emitted.
    pub warnings: usize,
    /// Breaches recorded (`SLA_BREACH` audit + `sla.breached`).
    pub breaches: usize,
    /// Tickets escalated.
    pub escalations: usize,
    /// Availability SLA instances evaluated because their check instant had come.
    pub sla_instances: usize,
    /// Availability SLA breaches recorded by those evaluations (`sla.instance_breach`).
    pub sla_breaches: usize,
    /// Tickets opened for those breaches (auto-tickets on).
    pub sla_tickets: Vec<uuid::Uuid>,
}

/// One SLA target of a ticket row: name, due instant, met.
fn targets(row: &TicketRow) -> [(&'static str, Option<DateTime<Utc>>, bool); 2] {
    let done = row.resolved_at.is_some() || row.closed_at.is_some() || !row.is_open;
    [
        (
            "first_response",
            row.first_response_due_at,
            row.first_response_at.is_some() || done,
        ),
        ("resolution", row.resolution_due_at, done),
    ]
}

/// The next instant after `now` at which the SLA state of `row` changes: an unmet target's
/// warning instant or the first microsecond after its due instant. `None` when nothing is
/// left to watch. Use it whenever due instants or the met state of a ticket change.
pub(crate) fn sla_next_check(
    row: &TicketRow,
    now: DateTime<Utc>,
    warning_before: Duration,
) -> Option<DateTime<Utc>> {
    let mut next: Option<DateTime<Utc>> = None;
    for (_, due, met) in targets(row) {
        let (Some(due), false) = (due, met) else {
            continue;
        };
        for at in [due - warning_before, due + Duration::microseconds(1)] {
            if at > now && next.is_none_or(|n| at < n) {
                next = Some(at);
            }
        }
    }
    next
}

impl Desk {
    /// Acts on every ticket whose SLA warning or breach instant is at or before `now` (see
    /// the [module documentation](self)). A system call without an actor; returns what it
    /// did. Running it twice for the same `now` does nothing the second time.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use faultdesk::{Desk, DeskConfig};
    /// let desk = Desk::open("sqlite::memory:", DeskConfig::default()).await?;
    /// // From a timer: act on every ticket whose SLA instant has come.
    /// let report = desk.run_due(desk.now()).await?;
    /// assert_eq!(report.breaches, 0);
    /// # Ok::<(), faultdesk::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn run_due(&self, now: DateTime<Utc>) -> Result<RunDueReport> {
        let mut report = RunDueReport::default();
        let batch = self.inner.config.scheduler.batch_size.max(1);
        // Most calls find nothing due: one read statement says so without taking the write
        // lock (SQLite) or opening a transaction.
        let (mut tickets_left, mut sla_left) =
            read_statement!(self, |tx| Ok(tx.sla_checks_due(now).await?))?;
        // One transaction per round claims a batch of due tickets and a batch of due SLA
        // instances (both `FOR UPDATE SKIP LOCKED`), so a call with nothing due costs one
        // short transaction; rounds go on while either kind filled its batch.
        while tickets_left || sla_left {
            let (r, claimed_sla, sla) = write_tx!(self, |w| {
                let mut r = RunDueReport::default();
                if tickets_left {
                    let rows = w.tx.claim_due_sla_tickets(now, batch).await?;
                    r.tickets = rows.len();
                    for row in rows {
                        self.sla_check_ticket(w, row, now, &mut r).await?;
                    }
                }
                let (claimed_sla, sla) = if sla_left {
                    self.sla_run_due_batch(w, now, batch).await?
                } else {
                    (0, SlaTracked::default())
                };
                Ok((r, claimed_sla, sla))
            })?;
            report.tickets += r.tickets;
            report.warnings += r.warnings;
            report.breaches += r.breaches;
            report.escalations += r.escalations;
            report.sla_instances += sla.instances;
            report.sla_breaches += sla.breaches;
            report.sla_tickets.extend(sla.tickets);
            tickets_left = tickets_left && r.tickets >= batch as usize;
            sla_left = sla_left && claimed_sla >= batch as usize;
        }
        Ok(report)
    }

    async fn sla_check_ticket(
        &self,
        w: &mut Work,
        row: TicketRow,
        now: DateTime<Utc>,
        report: &mut RunDueReport,
    ) -> Result<()> {
        let cfg = &self.inner.config.scheduler;
        let tenant = row.tenant_id.clone();
        let from = row.sla_next_check_at.unwrap_or(now);
        let related = Related {
            ticket_id: Some(row.id),
            alarm_id: row.alarm_id,
        };
        let mut breached_now = Vec::new();
        for (target, due, met) in targets(&row) {
            let (Some(due), false) = (due, met) else {
                continue;
            };
            let warn_at = due - cfg.warning_before;
            if warn_at >= from && warn_at <= now && now <= due {
                self.emit_notify(
                    w,
                    &tenant,
                    "sla.warning",
                    Some(row.id.to_string()),
                    false,
                    json!({"id": row.id, "number": row.number, "target": target, "due_at": due}),
                    related,
                );
                report.warnings += 1;
            }
            if now > due {
                breached_now.push((target, due));
            }
        }
        if !breached_now.is_empty() {
            let existing = w.tx.list_ticket_events(&tenant, row.id).await?;
            let system = AuditActor::system();
            let mut escalate = false;
            for (target, due) in breached_now {
                let already = existing.iter().any(|e| {
                    e.event_type == AuditEventType::SlaBreach.as_str()
                        && e.field.as_deref() == Some(target)
                });
                if already {
                    continue;
                }
                let at = faultdesk_storage::truncate_micros(w.now);
                let mut ev = AuditEvent::sla_breach(target, due, &system, at);
                ev.actor_id = self.inner.config.system_user.clone();
                insert_audit(&w.tx, &tenant, row.id, &[ev]).await?;
                self.emit_notify(
                    w,
                    &tenant,
                    "sla.breached",
                    Some(row.id.to_string()),
                    false,
                    json!({"id": row.id, "number": row.number, "target": target, "due_at": due}),
                    related,
                );
                tracing::warn!(tenant_id = %tenant, ticket = %row.number, target, %due, "sla.breached");
                report.breaches += 1;
                escalate = true;
            }
            if escalate
                && let Some(state) = &cfg.escalate_to
                && self.sla_escalate(w, &row, state).await?
            {
                report.escalations += 1;
            }
        }
        // The row may have changed (escalation): recompute from the stored state.
        let current = w.tx.get_ticket(&tenant, row.id).await?.unwrap_or(row);
        let next = sla_next_check(&current, now, cfg.warning_before);
        w.tx.set_sla_next_check(&tenant, current.id, next).await?;
        Ok(())
    }

    /// Moves a breached ticket to `state` when its workflow allows it; `Ok(false)` otherwise.
    async fn sla_escalate(&self, w: &mut Work, row: &TicketRow, state: &str) -> Result<bool> {
        let wf = self.ticket_workflow(row)?;
        let labels = w.tx.get_ticket_labels(&row.tenant_id, row.id).await?;
        let old = ticket_from_row(row, labels, wf)?;
        let perms = PermissionSet::superuser();
        let ctx = TransitionContext::new(&perms, w.now)
            .with_assignee(old.assignee_id.is_some())
            .with_resolution_times(old.resolved_at, old.closed_at);
        let effects = match wf.check_transition(&old.status, state, &ctx) {
            Ok(e) => e,
            Err(e) => {
                tracing::debug!(ticket = %row.number, error = %e, "sla.escalation_skipped");
                return Ok(false);
            }
        };
        let now = faultdesk_storage::truncate_micros(w.now);
        let mut new = old.clone();
        effects.apply(&mut new, now);
        let system = AuditActor::new(&self.inner.config.system_user);
        let mut events = diff(&old, &new, &system, now);
        for e in &mut events {
            if let serde_json::Value::Object(m) = &mut e.metadata {
                m.insert("reason".into(), json!("sla_breach"));
            }
        }
        let mut r = row.clone();
        write_ticket_to_row(&new, wf, &mut r);
        w.tx.update_ticket(&r).await?;
        insert_audit(&w.tx, &row.tenant_id, row.id, &events).await?;
        self.add_system_comment(
            w,
            &row.tenant_id,
            row.id,
            &format!(
                "Escalated automatically: SLA breached (status {} → {}).",
                old.status, new.status
            ),
        )
        .await?;
        self.emit_notify(
            w,
            &row.tenant_id,
            "ticket.status_changed",
            Some(row.id.to_string()),
            false,
            json!({
                "id": row.id,
                "number": new.number,
                "from": old.status,
                "to": new.status,
                "reason": "sla_breach",
            }),
            Related {
                ticket_id: Some(row.id),
                alarm_id: row.alarm_id,
            },
        );
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn row() -> TicketRow {
        let t = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
        TicketRow {
            id: uuid::Uuid::nil(),
            tenant_id: "t".into(),
            number: "TKT-2026-000001".into(),
            number_year: 2026,
            number_seq: 1,
            subject: "s".into(),
            description: String::new(),
            ticket_type: "incident".into(),
            status: "open".into(),
            category: "open".into(),
            is_open: true,
            workflow: "itsm".into(),
            priority: 2,
            reporter_id: "u".into(),
            assignee_id: None,
            assigned_team: None,
            customer_id: None,
            alarm_id: None,
            metadata: serde_json::Value::Null,
            due_at: None,
            first_response_at: None,
            first_response_due_at: Some(t + Duration::hours(1)),
            resolution_due_at: Some(t + Duration::hours(4)),
            resolved_at: None,
            closed_at: None,
            sla_next_check_at: None,
            deleted_at: None,
            deleted_by: None,
            version: 1,
            created_at: t,
            updated_at: t,
        }
    }

    #[test]
    fn next_check_walks_warning_then_breach_instants() {
        let r = row();
        let t = r.created_at;
        let w = Duration::minutes(30);
        assert_eq!(sla_next_check(&r, t, w), Some(t + Duration::minutes(30)));
        assert_eq!(
            sla_next_check(&r, t + Duration::minutes(30), w),
            Some(t + Duration::hours(1) + Duration::microseconds(1))
        );
        assert_eq!(
            sla_next_check(&r, t + Duration::hours(2), w),
            Some(t + Duration::minutes(210))
        );
        assert_eq!(sla_next_check(&r, t + Duration::hours(5), w), None);
    }

    #[test]
    fn met_targets_are_not_watched() {
        let mut r = row();
        let t = r.created_at;
        r.first_response_at = Some(t);
        assert_eq!(
            sla_next_check(&r, t, Duration::minutes(30)),
            Some(t + Duration::minutes(210))
        );
        r.resolved_at = Some(t);
        assert_eq!(sla_next_check(&r, t, Duration::minutes(30)), None);
    }
}
