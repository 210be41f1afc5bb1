//! Availability SLAs of the simulated month: one definition per paying customer tier, one
//! instance per business and enterprise customer (scope: the customer and its ONT), created
//! through the Desk's SLA service before the replay. The replayed alarms feed them (outages,
//! maintenance as planned downtime, breaches by `run_due`); at the end the compliance report
//! per tier gives availability against target, breaches and credits.

use crate::scenario::{Scenario, Tier};
use chrono::Duration;
use faultdesk::fault::Severity;
use faultdesk::fault::sla::{
    CreditSchedule, CreditTier, MeasurementPeriod, SlaDefinition, SlaPeriod,
};
use faultdesk::{Actor, Desk, NewSlaInstance, SlaReportQuery};
use rust_decimal::Decimal;
use serde::Serialize;
use uuid::Uuid;

/// The currency of fees and credits.
const CURRENCY: &str = "EUR";

/// One tier's terms.
struct Terms {
    tier: Tier,
    name: &'static str,
    /// Target in per mille of a per cent (99.9 % = 999).
    target_permille: i64,
    /// Monthly fee in cents.
    fee_cents: i64,
    /// (below %, credit %) tiers, and the cap.
    credits: &'static [(i64, i64)],
    cap: i64,
}

const TERMS: [Terms; 2] = [
    Terms {
        tier: Tier::Business,
        name: "Business Fibre 99.5%",
        target_permille: 995,
        fee_cents: 14_900,
        credits: &[(995, 10), (990, 25)],
        cap: 25,
    },
    Terms {
        tier: Tier::Enterprise,
        name: "Enterprise Fibre 99.9%",
        target_permille: 999,
        fee_cents: 119_000,
        credits: &[(999, 10), (995, 25), (990, 50)],
        cap: 50,
    },
];

/// The SLA definitions created for the month (tier → definition id).
pub struct Provisioned {
    tiers: Vec<(Tier, Uuid, &'static str)>,
    period: SlaPeriod,
    /// Instances created.
    pub instances: usize,
}

/// One tier's line of the report.
#[derive(Debug, Clone, Serialize)]
pub struct TierReport {
    /// Tier name.
    pub tier: String,
    /// The definition's name.
    pub definition: String,
    /// Availability target (fraction).
    pub target: Decimal,
    /// Customers (instances) of the tier.
    pub customers: usize,
    /// Mean availability over the tier's instances (fraction).
    pub average_availability: Option<Decimal>,
    /// Worst availability of one instance.
    pub min_availability: Option<Decimal>,
    /// Instances compliant / at risk / breached at the end of the month.
    pub compliant: usize,
    /// See `compliant`.
    pub at_risk: usize,
    /// See `compliant`.
    pub breached: usize,
    /// Breaches (availability and response) over the tier.
    pub breaches: usize,
    /// Credits owed over the tier, rounded to cents per instance.
    pub credits: Decimal,
    /// Currency of `credits`.
    pub currency: String,
    /// Planned (maintenance) downtime over the tier, minutes.
    pub planned_downtime_minutes: i64,
    /// Unplanned downtime over the tier, minutes.
    pub unplanned_downtime_minutes: i64,
}

/// Creates the tier definitions and one instance per business/enterprise customer.
pub async fn provision(
    desk: &Desk,
    actor: &Actor,
    scenario: &Scenario,
) -> faultdesk::Result<Provisioned> {
    let start = scenario.config.start;
    let days = scenario.config.days;
    let period = SlaPeriod::new(start, start + Duration::days(days)).expect("days ≥ 1");
    let mut tiers = Vec::new();
    let mut instances = 0;
    for t in &TERMS {
        let def = SlaDefinition::new(
            t.name,
            Decimal::new(t.target_permille, 3),
            MeasurementPeriod::days(days as u32, start),
        )
        .with_response_minutes(Severity::Critical, 15)
        .with_monthly_fee(Decimal::new(t.fee_cents, 2))
        .with_credit_schedule(CreditSchedule::tiers(
            t.credits
                .iter()
                .map(|&(below, credit)| CreditTier {
                    below_percent: Decimal::new(below, 1),
                    credit_percent: Decimal::from(credit),
                })
                .collect(),
            Decimal::from(t.cap),
        ));
        let stored = desk.create_sla_definition(actor, def).await?;
        let n = &scenario.network;
        let inputs: Vec<NewSlaInstance> = (0..n.onts.len())
            .filter(|&i| n.tier_of(i) == t.tier)
            .map(|i| {
                NewSlaInstance::new(stored.id, n.customer_of(i))
                    .with_resources([n.onts[i].clone()])
                    .with_period(period)
                    .with_monthly_fee(Decimal::new(t.fee_cents, 2), CURRENCY)
            })
            .collect();
        for chunk in inputs.chunks(faultdesk::MAX_SLA_INSTANCES_PER_CALL) {
            instances += desk
                .create_sla_instances(actor, chunk.to_vec())
                .await?
                .len();
        }
        tiers.push((t.tier, stored.id, t.name));
    }
    Ok(Provisioned {
        tiers,
        period,
        instances,
    })
}

/// The compliance report per tier at the Desk clock's now.
pub async fn report(
    desk: &Desk,
    actor: &Actor,
    p: &Provisioned,
) -> faultdesk::Result<Vec<TierReport>> {
    let mut out = Vec::new();
    for (tier, id, name) in &p.tiers {
        let r = desk
            .sla_compliance_report(
                actor,
                SlaReportQuery {
                    definition_id: Some(*id),
                    ..SlaReportQuery::range(p.period.start, p.period.end)
                },
            )
            .await?;
        let target = r
            .instances
            .first()
            .map(|i| i.status.availability_target)
            .unwrap_or_default();
        out.push(TierReport {
            tier: tier.as_str().to_string(),
            definition: name.to_string(),
            target,
            customers: r.totals.instance_count,
            average_availability: r.totals.average_availability.map(|a| a.round_dp(6)),
            min_availability: r
                .instances
                .iter()
                .map(|i| i.status.availability)
                .min()
                .map(|a| a.round_dp(6)),
            compliant: r.totals.compliant,
            at_risk: r.totals.at_risk,
            breached: r.totals.breached,
            breaches: r.totals.total_breaches,
            credits: r.totals.total_credits,
            currency: CURRENCY.to_string(),
            planned_downtime_minutes: r.totals.planned_downtime.num_minutes(),
            unplanned_downtime_minutes: r.totals.unplanned_downtime.num_minutes(),
        });
    }
    Ok(out)
}

/// `99.9123 %` from a fraction.
fn pct(d: Option<Decimal>) -> String {
    d.map_or("-".to_string(), |v| {
        format!("{:.4} %", v * Decimal::ONE_HUNDRED)
    })
}

/// Prints the tiers' lines of the report.
pub fn print(tiers: &[TierReport]) {
    println!("  SLA compliance per tier");
    for t in tiers {
        println!(
            "    {:<11} {:<23} target {}  customers {}",
            t.tier,
            t.definition,
            pct(Some(t.target)),
            t.customers
        );
        println!(
            "      availability avg {}  min {}  compliant {} / at risk {} / breached {}",
            pct(t.average_availability),
            pct(t.min_availability),
            t.compliant,
            t.at_risk,
            t.breached
        );
        println!(
            "      breaches {}  credits {} {}  downtime {} min unplanned, {} min planned",
            t.breaches,
            t.credits,
            t.currency,
            t.unplanned_downtime_minutes,
            t.planned_downtime_minutes
        );
    }
}
