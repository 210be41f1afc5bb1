//! `faultdesk sla report`: the availability SLA compliance report of a date range.

use crate::exit::CliError;
use crate::output::{Report, Sheet, opt, time};
use crate::time_arg::parse_instant;
use chrono::{DateTime, Duration, Utc};
use clap::{Args, Subcommand};
use faultdesk::fault::sla::{ComplianceReport, InstanceCompliance};
use faultdesk::{Actor, Desk, SlaReportQuery};
use rust_decimal::Decimal;
use uuid::Uuid;

/// `faultdesk sla ...`
#[derive(Debug, Subcommand)]
pub enum SlaCommand {
    /// Availability SLA compliance of the instances whose period overlaps a date range.
    #[command(long_about = "\
Seed 002's compliance report (faults.sla.read): every availability SLA instance of the acting
tenant whose measurement period overlaps [--from, --to), each evaluated now: compliance
(compliant, at_risk, breached), availability against the target, planned (maintenance) and
unplanned downtime, breaches and the credits owed; then the totals. --customer, --service and
--definition narrow it down. --to must be after --from (exit code 3 otherwise); an unknown
--definition exits with 4.

Availability and targets are printed as percentages in tables and CSV, and as fractions (the
Desk's form) in JSON; downtime in minutes in tables and CSV, in milliseconds in JSON.

--json: {\"range\": {\"start\", \"end\"}, \"as_of\", \"instances\": [{\"definition_name\", \"scope\":
        {\"customer_id\", \"service_id\", \"resource_ids\"}, \"status\": {...}}, ...], \"totals\":
        {\"instance_count\", \"average_availability\", \"total_breaches\", \"total_credits\",
        \"planned_downtime_ms\", \"unplanned_downtime_ms\", \"compliant\", \"at_risk\", \"breached\"}}
--csv:  instance_id,definition,customer_id,service_id,period_start,period_end,compliance,
        availability_percent,target_percent,planned_downtime_min,unplanned_downtime_min,breaches,
        credit_percent,credits_owed")]
    Report(SlaReportArgs),
}

/// Options of `sla report`.
#[derive(Debug, Args)]
pub struct SlaReportArgs {
    /// Start of the range (RFC 3339 with offset, or a date meaning 00:00 UTC).
    #[arg(long, value_parser = parse_instant)]
    from: DateTime<Utc>,

    /// End of the range, exclusive (RFC 3339 with offset, or a date meaning 00:00 UTC).
    #[arg(long, value_parser = parse_instant)]
    to: DateTime<Utc>,

    /// Only this customer's instances.
    #[arg(long)]
    customer: Option<String>,

    /// Only instances of this service.
    #[arg(long)]
    service: Option<String>,

    /// Only instances of this SLA definition (its name or id).
    #[arg(long, value_name = "NAME|ID")]
    definition: Option<String>,
}

/// The columns of one instance's line (table and CSV).
const INSTANCE_COLUMNS: [&str; 14] = [
    "instance_id",
    "definition",
    "customer_id",
    "service_id",
    "period_start",
    "period_end",
    "compliance",
    "availability_percent",
    "target_percent",
    "planned_downtime_min",
    "unplanned_downtime_min",
    "breaches",
    "credit_percent",
    "credits_owed",
];

/// Runs `faultdesk sla ...`.
pub async fn run(desk: &Desk, actor: &Actor, cmd: &SlaCommand) -> Result<Report, CliError> {
    match cmd {
        SlaCommand::Report(a) => report(desk, actor, a).await,
    }
}

async fn report(desk: &Desk, actor: &Actor, a: &SlaReportArgs) -> Result<Report, CliError> {
    let definition_id = match &a.definition {
        None => None,
        Some(d) => Some(definition_id(desk, actor, d).await?),
    };
    let query = SlaReportQuery {
        customer_id: a.customer.clone(),
        service_id: a.service.clone(),
        definition_id,
        ..SlaReportQuery::range(a.from, a.to)
    };
    let r = desk
        .sla_compliance_report(actor, query)
        .await
        .map_err(CliError::from_desk)?;
    Ok(render(&r))
}

/// The id of the definition named `name_or_id` (an id is taken as it is when the tenant has
/// it); not found (exit 4) otherwise.
async fn definition_id(desk: &Desk, actor: &Actor, name_or_id: &str) -> Result<Uuid, CliError> {
    let definitions = desk
        .list_sla_definitions(actor)
        .await
        .map_err(CliError::from_desk)?;
    let id = Uuid::parse_str(name_or_id.trim()).ok();
    definitions
        .iter()
        .find(|d| Some(d.id) == id || d.definition.name == name_or_id)
        .map(|d| d.id)
        .ok_or_else(|| {
            let known: Vec<&str> = definitions
                .iter()
                .map(|d| d.definition.name.as_str())
                .collect();
            CliError::from_desk(faultdesk::Error::not_found(format!(
                "SLA definition '{name_or_id}' not found (the tenant has: {})",
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            )))
        })
}

/// A fraction as a percentage with three decimals (`0.99952` → `99.952`).
fn percent(fraction: Decimal) -> String {
    format!("{:.3}", fraction * Decimal::ONE_HUNDRED)
}

/// A duration in minutes with one decimal.
fn minutes(d: Duration) -> String {
    format!("{:.1}", d.num_milliseconds() as f64 / 60_000.0)
}

fn instance_row(line: &InstanceCompliance) -> Vec<String> {
    let s = &line.status;
    vec![
        s.instance_id.to_string(),
        line.definition_name.clone(),
        opt(line.scope.customer_id.as_ref()),
        opt(line.scope.service_id.as_ref()),
        time(s.period.start),
        time(s.period.end),
        s.compliance.as_str().to_string(),
        percent(s.availability),
        percent(s.availability_target),
        minutes(s.planned_downtime),
        minutes(s.unplanned_downtime),
        s.breach_count.to_string(),
        s.credit_percent.normalize().to_string(),
        s.credits_owed.to_string(),
    ]
}

/// The columns of the table (a terminal's width): the CSV columns without ids and periods.
const TABLE_COLUMNS: [&str; 10] = [
    "definition",
    "customer",
    "service",
    "compliance",
    "avail %",
    "target %",
    "unplanned min",
    "planned min",
    "breaches",
    "credits",
];

/// A CSV line's cells shown in the table, by index into [`INSTANCE_COLUMNS`].
const TABLE_CELLS: [usize; 10] = [1, 2, 3, 6, 7, 8, 10, 9, 11, 13];

/// The report as tables (instances, totals), JSON (the Desk's report) and CSV (instances with
/// every column).
fn render(r: &ComplianceReport) -> Report {
    let mut csv = Sheet::new(INSTANCE_COLUMNS);
    let mut instances = Sheet::new(TABLE_COLUMNS).titled(format!(
        "SLA compliance {} – {} (as of {})",
        time(r.range.start),
        time(r.range.end),
        time(r.as_of)
    ));
    for line in &r.instances {
        let row = instance_row(line);
        instances.push(TABLE_CELLS.iter().map(|i| row[*i].clone()).collect());
        csv.push(row);
    }
    let t = &r.totals;
    let totals = Sheet::record([
        ("instances", t.instance_count.to_string()),
        (
            "average_availability_percent",
            t.average_availability.map(percent).unwrap_or_default(),
        ),
        ("compliant", t.compliant.to_string()),
        ("at_risk", t.at_risk.to_string()),
        ("breached", t.breached.to_string()),
        ("total_breaches", t.total_breaches.to_string()),
        ("total_credits", t.total_credits.to_string()),
        ("planned_downtime_min", minutes(t.planned_downtime)),
        ("unplanned_downtime_min", minutes(t.unplanned_downtime)),
    ])
    .titled("Totals");
    Report::new(crate::output::json(r), vec![instances, totals]).with_csv(csv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_cells_match_their_columns() {
        fn named(c: &str) -> &str {
            match c {
                "customer" => "customer_id",
                "service" => "service_id",
                "avail %" => "availability_percent",
                "target %" => "target_percent",
                "unplanned min" => "unplanned_downtime_min",
                "planned min" => "planned_downtime_min",
                "credits" => "credits_owed",
                other => other,
            }
        }
        for (column, i) in TABLE_COLUMNS.iter().zip(TABLE_CELLS) {
            assert_eq!(named(column), INSTANCE_COLUMNS[i], "{column}");
        }
    }

    #[test]
    fn percentages_and_minutes() {
        assert_eq!(percent(Decimal::new(99952, 5)), "99.952");
        assert_eq!(percent(Decimal::ONE), "100.000");
        assert_eq!(minutes(Duration::seconds(90)), "1.5");
        assert_eq!(minutes(Duration::zero()), "0.0");
    }
}
