//! The availability SLA service (`src/desk/sla.rs`): definitions, instances, status,
//! compliance reports and breaches.

use super::{Args, to_json};
use faultdesk::fault::sla::SlaDefinition;
use faultdesk::{Actor, Desk, Error, Result};
use serde_json::Value;

/// The names answered here.
pub const METHODS: &[&str] = &[
    "create_sla_definition",
    "get_sla_definition",
    "list_sla_definitions",
    "update_sla_definition",
    "delete_sla_definition",
    "create_sla_instance",
    "create_sla_instances",
    "get_sla_instance",
    "list_sla_instances",
    "update_sla_instance",
    "delete_sla_instance",
    "sla_status",
    "sla_compliance_report",
    "list_sla_breaches",
    "record_sla_measurements",
];

/// Argument `definition` (a dict or a JSON string) read with fault-core's own reader, so its
/// errors name the offending field.
fn definition(args: &Args) -> Result<SlaDefinition> {
    SlaDefinition::from_json(&args.json_text("definition")?)
        .map_err(|e| Error::validation(e.to_string()))
}

/// Calls `method` if it is an SLA use-case (`Ok(None)` otherwise).
pub async fn call(desk: &Desk, a: &Actor, method: &str, args: &Args) -> Result<Option<Value>> {
    Ok(Some(match method {
        "create_sla_definition" => {
            to_json(desk.create_sla_definition(a, definition(args)?).await?)?
        }
        "get_sla_definition" => to_json(
            desk.get_sla_definition(a, args.id("definition_id")?)
                .await?,
        )?,
        "list_sla_definitions" => to_json(desk.list_sla_definitions(a).await?)?,
        "update_sla_definition" => to_json(
            desk.update_sla_definition(a, args.id("definition_id")?, definition(args)?)
                .await?,
        )?,
        "delete_sla_definition" => {
            desk.delete_sla_definition(a, args.id("definition_id")?)
                .await?;
            Value::Null
        }
        "create_sla_instance" => to_json(desk.create_sla_instance(a, args.get("input")?).await?)?,
        "create_sla_instances" => {
            to_json(desk.create_sla_instances(a, args.get("inputs")?).await?)?
        }
        "get_sla_instance" => to_json(desk.get_sla_instance(a, args.id("instance_id")?).await?)?,
        "list_sla_instances" => to_json(desk.list_sla_instances(a, args.get("query")?).await?)?,
        "update_sla_instance" => to_json(
            desk.update_sla_instance(a, args.id("instance_id")?, args.get("patch")?)
                .await?,
        )?,
        "delete_sla_instance" => {
            desk.delete_sla_instance(a, args.id("instance_id")?).await?;
            Value::Null
        }
        "sla_status" => to_json(desk.sla_status(a, args.id("instance_id")?).await?)?,
        "sla_compliance_report" => {
            to_json(desk.sla_compliance_report(a, args.get("query")?).await?)?
        }
        "list_sla_breaches" => to_json(desk.list_sla_breaches(a, args.get("query")?).await?)?,
        "record_sla_measurements" => to_json(
            desk.record_sla_measurements(a, args.id("instance_id")?, args.get("samples")?)
                .await?,
        )?,
        _ => return Ok(None),
    }))
}
