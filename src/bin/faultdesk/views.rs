//! Read commands: `alarms list`, `tickets list`, `tickets show`, `stats`.

use crate::exit::CliError;
use crate::output::{self, Report, Sheet, opt, opt_time, time};
use crate::time_arg::{parse_from_str, parse_instant};
use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use faultdesk::fault::{Alarm, AlarmSource, AlarmStatus, Severity};
use faultdesk::ticket::{Priority, StateCategory, Ticket, TicketType};
use faultdesk::{Actor, AlarmQuery, Desk, MAX_PAGE_SIZE, Page, TicketQuery};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use uuid::Uuid;

/// Page options shared by the list commands.
#[derive(Debug, Args)]
pub struct PageArgs {
    /// Page number, from 1.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    page: u32,

    /// Items per page, 1 to 100.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=MAX_PAGE_SIZE as i64))]
    page_size: u32,

    /// Every matching item (all pages), instead of one page.
    #[arg(long, conflicts_with = "page")]
    all: bool,
}

/// `faultdesk alarms ...`
#[derive(Debug, Subcommand)]
pub enum AlarmsCommand {
    /// List the tenant's alarms, newest first, with seed 002's filters.
    #[command(long_about = "\
List the acting tenant's alarms (faults.alarms.read), newest first, with seed 002's filters.
Lists take several values comma-separated (--severity critical,major).

--json: {\"items\": [alarm, ...], \"total\", \"page\", \"page_size\", \"next_cursor\"} (with --all:
        {\"items\", \"total\"})
--csv:  id,severity,status,alarm_type,source,resource_type,resource_id,resource_name,title,
        customer_id,subscriber_count,occurrence_count,first_occurrence,last_occurrence,
        is_root_cause,parent_alarm_id,correlation_id,ticket_id")]
    List(AlarmListArgs),
}

/// Filters of `alarms list`.
#[derive(Debug, Args)]
pub struct AlarmListArgs {
    /// Severities: critical, major, minor, warning, info, cleared.
    #[arg(long, value_delimiter = ',', value_parser = parse_from_str::<Severity>)]
    severity: Vec<Severity>,

    /// Statuses: active, acknowledged, suppressed, cleared, resolved.
    #[arg(long, value_delimiter = ',', value_parser = parse_from_str::<AlarmStatus>)]
    status: Vec<AlarmStatus>,

    /// Sources: network_device, monitoring, cpe, service, system.
    #[arg(long, value_delimiter = ',', value_parser = parse_from_str::<AlarmSource>)]
    source: Vec<AlarmSource>,

    /// Alarm type (e.g. device.down).
    #[arg(long = "type", value_name = "ALARM_TYPE")]
    alarm_type: Option<String>,

    /// Resource type (e.g. olt).
    #[arg(long)]
    resource_type: Option<String>,

    /// Resource id.
    #[arg(long)]
    resource_id: Option<String>,

    /// Customer id.
    #[arg(long)]
    customer: Option<String>,

    /// Correlation group id.
    #[arg(long)]
    correlation_id: Option<Uuid>,

    /// Only root-cause alarms.
    #[arg(long)]
    root_cause: bool,

    /// First occurrence at or after (RFC 3339 with offset, or a date meaning 00:00 UTC).
    #[arg(long, value_parser = parse_instant)]
    from: Option<DateTime<Utc>>,

    /// First occurrence before (RFC 3339 with offset, or a date meaning 00:00 UTC).
    #[arg(long, value_parser = parse_instant)]
    to: Option<DateTime<Utc>>,

    #[command(flatten)]
    page: PageArgs,
}

/// `faultdesk tickets ...`
#[derive(Debug, Subcommand)]
pub enum TicketsCommand {
    /// List the tenant's tickets with the Desk's filters.
    #[command(long_about = "\
List the acting tenant's tickets (tickets.read; END_USER sees their own) with the Desk's
filters. Lists take several values comma-separated (--priority critical,high). --status takes
workflow state names, --category state categories; --open means categories new, open, pending.

--json: {\"items\": [ticket, ...], \"total\", \"page\", \"page_size\", \"next_cursor\"} (with --all:
        {\"items\", \"total\"})
--csv:  number,id,status,priority,type,subject,assignee,reporter,customer_id,labels,created_at,
        updated_at,resolved_at,closed_at (labels as key=value;key=value)")]
    List(Box<TicketListArgs>),

    /// Show one ticket by number: fields, labels, history, comments and SLA.
    #[command(long_about = "\
Show one ticket by its number (e.g. TKT-2026-000123): its fields and labels, its audit history,
its comments (internal ones only for actors with tickets.comments.internal) and, when the Desk
tracks ticket SLAs, its first-response and resolution targets. Exit code 4 when the tenant has
no such ticket.

--json: {\"ticket\", \"history\": [audit event, ...], \"comments\": [...], \"sla\": {...}|null}
--csv:  the ticket as one row, with the columns of `tickets list --csv`")]
    Show {
        /// The ticket number.
        number: String,
    },
}

/// Filters of `tickets list`.
#[derive(Debug, Args)]
pub struct TicketListArgs {
    /// Workflow state names (case-insensitive), e.g. OPEN,IN_PROGRESS.
    #[arg(long, value_delimiter = ',')]
    status: Vec<String>,

    /// State categories: new, open, pending, resolved, closed.
    #[arg(long, value_delimiter = ',', value_parser = parse_from_str::<StateCategory>)]
    category: Vec<StateCategory>,

    /// Only open tickets (categories new, open, pending).
    #[arg(long)]
    open: bool,

    /// Priorities: critical, high, medium, low.
    #[arg(long, value_delimiter = ',', value_parser = parse_from_str::<Priority>)]
    priority: Vec<Priority>,

    /// Ticket types (e.g. incident, problem, service_request).
    #[arg(long = "type", value_name = "TYPE", value_delimiter = ',', value_parser = parse_from_str::<TicketType>)]
    ticket_type: Vec<TicketType>,

    /// Assigned to this user.
    #[arg(long, conflicts_with = "unassigned")]
    assignee: Option<String>,

    /// Only unassigned tickets.
    #[arg(long)]
    unassigned: bool,

    /// Reported by this user.
    #[arg(long)]
    reporter: Option<String>,

    /// Customer id.
    #[arg(long)]
    customer: Option<String>,

    /// Label filter KEY=VALUE (repeatable; all must match).
    #[arg(long = "label", value_name = "KEY=VALUE", value_parser = parse_label)]
    labels: Vec<(String, String)>,

    /// Created at or after (RFC 3339 with offset, or a date meaning 00:00 UTC).
    #[arg(long, value_parser = parse_instant)]
    from: Option<DateTime<Utc>>,

    /// Created before (RFC 3339 with offset, or a date meaning 00:00 UTC).
    #[arg(long, value_parser = parse_instant)]
    to: Option<DateTime<Utc>>,

    /// Text in the subject or description.
    #[arg(long)]
    text: Option<String>,

    /// Sort keys, `-` for descending (e.g. -priority,created_at). Default: newest first.
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    sort: Vec<String>,

    /// Continue after this cursor (the `next_cursor` of a previous page).
    #[arg(long, conflicts_with_all = ["page", "all"])]
    cursor: Option<String>,

    #[command(flatten)]
    page: PageArgs,
}

/// `faultdesk stats`
#[derive(Debug, Args)]
#[command(long_about = "\
Alarm statistics (faults.alarms.read: counts by severity, status, source and resource type, mean
times to acknowledge and to clear, top flapping resources) and ticket statistics (tickets.read:
total, open, counts by status, category, priority and type) of the acting tenant.

--json: {\"alarms\": {...}, \"tickets\": {...}}
--csv:  section,key,value (e.g. alarms.by_severity,critical,3; tickets,open,12)")]
pub struct StatsArgs {
    /// Alarms first raised / tickets created at or after (RFC 3339 with offset, or a date).
    #[arg(long, value_parser = parse_instant)]
    from: Option<DateTime<Utc>>,

    /// Alarms first raised / tickets created before (RFC 3339 with offset, or a date).
    #[arg(long, value_parser = parse_instant)]
    to: Option<DateTime<Utc>>,

    /// Only this customer's alarms and tickets.
    #[arg(long)]
    customer: Option<String>,
}

fn parse_label(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(format!("'{s}' is not KEY=VALUE")),
    }
}

fn page_json<T: serde::Serialize>(p: &Page<T>) -> Value {
    output::json(p)
}

fn page_note(what: &str, total: i64, page: u32, page_size: u32, shown: usize, all: bool) -> String {
    if all {
        return format!("{shown} {what}");
    }
    let pages = if total <= 0 {
        0
    } else {
        (total as u64).div_ceil(page_size as u64)
    };
    format!("{shown} of {total} {what} (page {page} of {pages})")
}

// ------------------------------------------------------------------------------------ alarms

const ALARM_COLUMNS: [&str; 18] = [
    "id",
    "severity",
    "status",
    "alarm_type",
    "source",
    "resource_type",
    "resource_id",
    "resource_name",
    "title",
    "customer_id",
    "subscriber_count",
    "occurrence_count",
    "first_occurrence",
    "last_occurrence",
    "is_root_cause",
    "parent_alarm_id",
    "correlation_id",
    "ticket_id",
];

fn alarm_row(a: &Alarm) -> Vec<String> {
    vec![
        a.id.to_string(),
        a.severity.as_str().into(),
        a.status.as_str().into(),
        a.alarm_type.clone(),
        a.source.as_str().into(),
        opt(a.resource_type.as_ref()),
        opt(a.resource_id.as_ref()),
        opt(a.resource_name.as_ref()),
        a.title.clone(),
        opt(a.customer_id.as_ref()),
        a.subscriber_count.to_string(),
        a.occurrence_count.to_string(),
        time(a.first_occurrence),
        time(a.last_occurrence),
        a.is_root_cause.to_string(),
        opt(a.parent_alarm_id),
        opt(a.correlation_id),
        opt(a.ticket_id),
    ]
}

fn alarm_table_row(a: &Alarm) -> Vec<String> {
    let relation = if a.is_root_cause {
        format!("root ({} children)", a.child_count)
    } else if let Some(p) = a.parent_alarm_id {
        format!("child of {}", short(p))
    } else {
        String::new()
    };
    vec![
        short(a.id),
        a.severity.as_str().into(),
        a.status.as_str().into(),
        a.alarm_type.clone(),
        a.resource_id.clone().unwrap_or_default(),
        a.title.clone(),
        a.occurrence_count.to_string(),
        time(a.last_occurrence),
        relation,
    ]
}

/// The first 8 hex digits of an id (tables only; JSON and CSV have full ids).
fn short(id: Uuid) -> String {
    id.simple().to_string()[..8].to_string()
}

/// Runs `faultdesk alarms ...`.
pub async fn run_alarms(
    desk: &Desk,
    actor: &Actor,
    cmd: &AlarmsCommand,
) -> Result<Report, CliError> {
    let AlarmsCommand::List(a) = cmd;
    let mut query = AlarmQuery {
        severity: a.severity.iter().map(|s| s.as_str().to_string()).collect(),
        status: a.status.iter().map(|s| s.as_str().to_string()).collect(),
        source: a.source.iter().map(|s| s.as_str().to_string()).collect(),
        alarm_type: a.alarm_type.clone(),
        resource_type: a.resource_type.clone(),
        resource_id: a.resource_id.clone(),
        customer_id: a.customer.clone(),
        correlation_id: a.correlation_id,
        root_cause_only: a.root_cause,
        from: a.from,
        to: a.to,
        page: Some(a.page.page),
        page_size: Some(a.page.page_size),
    };
    let (items, json, total) = if a.page.all {
        let mut items = Vec::new();
        let mut page = 1;
        let total = loop {
            query.page = Some(page);
            let p = desk
                .list_alarms(actor, query.clone())
                .await
                .map_err(CliError::from_desk)?;
            let n = p.items.len();
            items.extend(p.items);
            if n < p.page_size as usize || items.len() as i64 >= p.total {
                break p.total;
            }
            page += 1;
        };
        let json = json!({"items": items, "total": total});
        (items, json, total)
    } else {
        let p = desk
            .list_alarms(actor, query)
            .await
            .map_err(CliError::from_desk)?;
        let json = page_json(&p);
        let total = p.total;
        (p.items, json, total)
    };
    let mut csv = Sheet::new(ALARM_COLUMNS);
    let mut table = Sheet::new([
        "id",
        "severity",
        "status",
        "type",
        "resource",
        "title",
        "count",
        "last",
        "correlation",
    ]);
    for alarm in &items {
        csv.push(alarm_row(alarm));
        table.push(alarm_table_row(alarm));
    }
    let note = page_note(
        "alarm(s)",
        total,
        a.page.page,
        a.page.page_size,
        items.len(),
        a.page.all,
    );
    Ok(Report::new(json, vec![table]).with_csv(csv).note(note))
}

// ------------------------------------------------------------------------------------ tickets

const TICKET_COLUMNS: [&str; 14] = [
    "number",
    "id",
    "status",
    "priority",
    "type",
    "subject",
    "assignee",
    "reporter",
    "customer_id",
    "labels",
    "created_at",
    "updated_at",
    "resolved_at",
    "closed_at",
];

fn labels_cell(labels: &BTreeMap<String, String>) -> String {
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(";")
}

fn ticket_row(t: &Ticket) -> Vec<String> {
    vec![
        t.number.clone(),
        t.id.to_string(),
        t.status.clone(),
        t.priority.as_str().into(),
        t.ticket_type.to_string(),
        t.subject.clone(),
        opt(t.assignee_id.as_ref()),
        t.reporter_id.clone(),
        opt(t.customer_id.as_ref()),
        labels_cell(&t.labels),
        time(t.created_at),
        time(t.updated_at),
        opt_time(t.resolved_at),
        opt_time(t.closed_at),
    ]
}

fn ticket_table_row(t: &Ticket) -> Vec<String> {
    vec![
        t.number.clone(),
        t.status.clone(),
        t.priority.as_str().into(),
        t.ticket_type.to_string(),
        t.subject.clone(),
        opt(t.assignee_id.as_ref()),
        time(t.created_at),
    ]
}

fn ticket_query(a: &TicketListArgs) -> TicketQuery {
    TicketQuery {
        status: a.status.clone(),
        category: a.category.iter().map(|c| c.to_string()).collect(),
        open_only: a.open,
        priority: a.priority.clone(),
        ticket_type: a.ticket_type.clone(),
        assignee: a.assignee.clone(),
        unassigned: a.unassigned,
        reporter: a.reporter.clone(),
        customer_id: a.customer.clone(),
        labels: a.labels.iter().cloned().collect(),
        created_from: a.from,
        created_to: a.to,
        text: a.text.clone(),
        sort: a.sort.clone(),
        page: Some(a.page.page),
        page_size: Some(a.page.page_size),
        cursor: a.cursor.clone(),
    }
}

/// Runs `faultdesk tickets ...`.
pub async fn run_tickets(
    desk: &Desk,
    actor: &Actor,
    cmd: &TicketsCommand,
) -> Result<Report, CliError> {
    match cmd {
        TicketsCommand::List(a) => {
            let mut query = ticket_query(a);
            let (items, json, total, page) = if a.page.all {
                // Keyset pages: stable and fast however deep.
                query.page = None;
                let mut items = Vec::new();
                let total = loop {
                    let p = desk
                        .list_tickets(actor, query.clone())
                        .await
                        .map_err(CliError::from_desk)?;
                    items.extend(p.items);
                    match p.next_cursor {
                        Some(c) if !c.is_empty() => query.cursor = Some(c),
                        _ => break p.total,
                    }
                };
                let json = json!({"items": items, "total": total});
                (items, json, total, 1)
            } else {
                let p = desk
                    .list_tickets(actor, query)
                    .await
                    .map_err(CliError::from_desk)?;
                let json = page_json(&p);
                (p.items, json, p.total, p.page)
            };
            let mut csv = Sheet::new(TICKET_COLUMNS);
            let mut table = Sheet::new([
                "number", "status", "priority", "type", "subject", "assignee", "created",
            ]);
            for t in &items {
                csv.push(ticket_row(t));
                table.push(ticket_table_row(t));
            }
            let mut note = page_note(
                "ticket(s)",
                total,
                page,
                a.page.page_size,
                items.len(),
                a.page.all,
            );
            if a.cursor.is_some() {
                note = format!("{} of {total} ticket(s) after the cursor", items.len());
            }
            if let Some(c) = json.get("next_cursor").and_then(Value::as_str) {
                note.push_str(&format!("; next page: --cursor {c}"));
            }
            Ok(Report::new(json, vec![table]).with_csv(csv).note(note))
        }
        TicketsCommand::Show { number } => show_ticket(desk, actor, number).await,
    }
}

async fn show_ticket(desk: &Desk, actor: &Actor, number: &str) -> Result<Report, CliError> {
    let t = desk
        .get_ticket_by_number(actor, number.trim())
        .await
        .map_err(CliError::from_desk)?;
    let history = desk
        .ticket_history(actor, t.id)
        .await
        .map_err(CliError::from_desk)?;
    let comments = desk
        .list_comments(actor, t.id)
        .await
        .map_err(CliError::from_desk)?;
    let sla = desk
        .ticket_sla(actor, t.id)
        .await
        .map_err(CliError::from_desk)?;

    let mut fields = vec![
        ("number", t.number.clone()),
        ("id", t.id.to_string()),
        ("subject", t.subject.clone()),
        ("status", t.status.clone()),
        ("workflow", t.workflow.clone()),
        ("priority", t.priority.as_str().into()),
        ("type", t.ticket_type.to_string()),
        ("assignee", opt(t.assignee_id.as_ref())),
        ("reporter", t.reporter_id.clone()),
        ("customer_id", opt(t.customer_id.as_ref())),
        ("labels", labels_cell(&t.labels)),
        ("created_at", time(t.created_at)),
        ("updated_at", time(t.updated_at)),
        ("first_responded_at", opt_time(t.first_responded_at)),
        ("resolved_at", opt_time(t.resolved_at)),
        ("closed_at", opt_time(t.closed_at)),
        ("due_at", opt_time(t.due_at)),
    ];
    if !t.description.is_empty() {
        fields.push(("description", t.description.clone()));
    }
    if t.metadata.as_object().is_some_and(|m| !m.is_empty()) {
        fields.push(("metadata", t.metadata.to_string()));
    }
    let mut sheets = vec![Sheet::record(fields).titled(format!("Ticket {}", t.number))];

    let mut h = Sheet::new(["at", "event", "field", "old", "new", "actor"]).titled("History");
    for e in &history {
        h.push(vec![
            time(e.at),
            e.event_type.to_string(),
            opt(e.field.as_ref()),
            e.old_value.as_ref().map(output::cell).unwrap_or_default(),
            e.new_value.as_ref().map(output::cell).unwrap_or_default(),
            e.actor_id.clone(),
        ]);
    }
    sheets.push(h);

    let mut c = Sheet::new(["at", "author", "visibility", "body"]).titled("Comments");
    for cm in comments.iter().filter(|c| c.deleted_at.is_none()) {
        c.push(vec![
            time(cm.created_at),
            cm.author_id.clone(),
            cm.visibility.to_string(),
            cm.body.clone(),
        ]);
    }
    sheets.push(c);

    if let Some(s) = &sla {
        let mut table = Sheet::new(["target", "due", "met", "breached", "paused", "percent_used"])
            .titled(format!("SLA ({} priority)", s.priority.as_str()));
        for (name, target) in [
            ("first_response", &s.first_response),
            ("resolution", &s.resolution),
        ] {
            table.push(vec![
                name.into(),
                time(target.due),
                target.met.to_string(),
                target.breached.to_string(),
                target.paused.to_string(),
                format!("{:.1}", target.percent_used),
            ]);
        }
        sheets.push(table);
    }
    let mut csv = Sheet::new(TICKET_COLUMNS);
    csv.push(ticket_row(&t));
    let json = json!({"ticket": t, "history": history, "comments": comments, "sla": sla});
    Ok(Report::new(json, sheets).with_csv(csv))
}

// ------------------------------------------------------------------------------------ stats

/// Runs `faultdesk stats`.
pub async fn run_stats(desk: &Desk, actor: &Actor, a: &StatsArgs) -> Result<Report, CliError> {
    let alarms = desk
        .alarm_stats(
            actor,
            AlarmQuery {
                customer_id: a.customer.clone(),
                from: a.from,
                to: a.to,
                ..AlarmQuery::default()
            },
        )
        .await
        .map_err(CliError::from_desk)?;
    let tickets = desk
        .ticket_stats(
            actor,
            TicketQuery {
                customer_id: a.customer.clone(),
                created_from: a.from,
                created_to: a.to,
                ..TicketQuery::default()
            },
        )
        .await
        .map_err(CliError::from_desk)?;

    let mut csv = Sheet::new(["section", "key", "value"]);
    let mut sheets = Vec::new();

    let mut overview = Vec::new();
    let secs = |v: Option<f64>| v.map(|s| format!("{s:.0}")).unwrap_or_default();
    for (k, v) in [
        ("alarms.total", alarms.total.to_string()),
        (
            "alarms.mean_time_to_acknowledge_secs",
            secs(alarms.mean_time_to_acknowledge_secs),
        ),
        (
            "alarms.mean_time_to_clear_secs",
            secs(alarms.mean_time_to_clear_secs),
        ),
        ("tickets.total", tickets.total.to_string()),
        ("tickets.open", tickets.open.to_string()),
    ] {
        let (section, key) = k.split_once('.').expect("dotted");
        csv.push(vec![section.into(), key.into(), v.clone()]);
        overview.push((k, v));
    }
    sheets.push(Sheet::record(overview).titled("Totals"));

    let groups: [(&str, BTreeMap<String, String>); 8] = [
        ("alarms.by_severity", counts(&alarms.by_severity)),
        ("alarms.by_status", counts(&alarms.by_status)),
        ("alarms.by_source", counts(&alarms.by_source)),
        ("alarms.by_resource_type", counts(&alarms.by_resource_type)),
        ("tickets.by_status", counts(&tickets.by_status)),
        ("tickets.by_category", counts(&tickets.by_category)),
        ("tickets.by_priority", counts(&tickets.by_priority)),
        ("tickets.by_type", counts(&tickets.by_type)),
    ];
    for (section, map) in groups {
        let mut s = Sheet::new(["key", "count"]).titled(section);
        for (k, v) in &map {
            s.push(vec![k.clone(), v.clone()]);
            csv.push(vec![section.into(), k.clone(), v.clone()]);
        }
        sheets.push(s);
    }
    let mut flap = Sheet::new(["resource_type", "resource_id", "flaps", "alarms"])
        .titled("alarms.top_flapping");
    for f in &alarms.top_flapping {
        let key = format!(
            "{}/{}",
            f.resource_type.as_deref().unwrap_or(""),
            f.resource_id.as_deref().unwrap_or("")
        );
        flap.push(vec![
            opt(f.resource_type.as_ref()),
            opt(f.resource_id.as_ref()),
            f.flap_count.to_string(),
            f.alarms.to_string(),
        ]);
        csv.push(vec![
            "alarms.top_flapping".into(),
            key,
            f.flap_count.to_string(),
        ]);
    }
    sheets.push(flap);
    let json = json!({"alarms": alarms, "tickets": tickets});
    Ok(Report::new(json, sheets).with_csv(csv))
}

fn counts<N: ToString>(m: &BTreeMap<String, N>) -> BTreeMap<String, String> {
    m.iter().map(|(k, v)| (k.clone(), v.to_string())).collect()
}
