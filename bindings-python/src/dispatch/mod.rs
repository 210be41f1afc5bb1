//! The Desk use-cases by name.
//!
//! `NativeDesk.call(method, actor, args)` looks `method` up here. `args` is the JSON object of
//! the use-case's parameters (already converted from Python by `convert::to_value`); each arm
//! reads them with the Desk's own serde input types, calls the Desk and serialises the result.
//! One arm per use-case and no logic of its own: the tables are split by subject like
//! `src/desk/` (`tickets`, `collaboration`, `alarms`, `sla`, `work`).

mod alarms;
mod collaboration;
mod sla;
mod tickets;
mod work;

use faultdesk::{Actor, Desk, Error, Result};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use uuid::Uuid;

/// Every method name the tables answer to (for the binding's completeness tests).
pub fn methods() -> Vec<&'static str> {
    [
        tickets::METHODS,
        collaboration::METHODS,
        alarms::METHODS,
        sla::METHODS,
        work::METHODS,
    ]
    .concat()
}

/// The arguments of one call: a JSON object.
pub struct Args(pub Value);

impl Args {
    fn raw(&self, name: &str) -> Option<&Value> {
        self.0.get(name).filter(|v| !v.is_null())
    }

    /// Argument `name` read as `T` (absent is `null`, which `Option`s and `#[serde(default)]`
    /// types accept).
    pub fn get<T: DeserializeOwned>(&self, name: &str) -> Result<T> {
        let v = self.0.get(name).cloned().unwrap_or(Value::Null);
        serde_json::from_value(v).map_err(|e| Error::validation(format!("invalid {name}: {e}")))
    }

    /// A required faultdesk object id (the text of a `uuid.UUID` or a `str`).
    pub fn id(&self, name: &str) -> Result<Uuid> {
        match self.raw(name) {
            Some(Value::String(s)) => Uuid::parse_str(s.trim())
                .map_err(|_| Error::validation(format!("{name} is not a valid UUID: {s:?}"))),
            Some(_) => Err(Error::validation(format!(
                "{name} must be a uuid.UUID or str"
            ))),
            None => Err(Error::validation(format!("{name} is required"))),
        }
    }

    /// An optional object id.
    pub fn opt_id(&self, name: &str) -> Result<Option<Uuid>> {
        match self.raw(name) {
            None => Ok(None),
            Some(_) => self.id(name).map(Some),
        }
    }

    /// A required string.
    pub fn text(&self, name: &str) -> Result<String> {
        match self.raw(name) {
            Some(Value::String(s)) => Ok(s.clone()),
            Some(_) => Err(Error::validation(format!("{name} must be a str"))),
            None => Err(Error::validation(format!("{name} is required"))),
        }
    }

    /// A JSON document given as a `str` or as a dict/list (serialised here).
    pub fn json_text(&self, name: &str) -> Result<String> {
        match self.raw(name) {
            Some(Value::String(s)) => Ok(s.clone()),
            Some(v @ (Value::Object(_) | Value::Array(_))) => Ok(v.to_string()),
            Some(_) => Err(Error::validation(format!(
                "{name} must be a dict or a JSON str"
            ))),
            None => Err(Error::validation(format!("{name} is required"))),
        }
    }

    /// An optional duration given in seconds (a `timedelta`'s `total_seconds()`).
    pub fn duration(&self, name: &str) -> Result<Option<chrono::Duration>> {
        let Some(v) = self.raw(name) else {
            return Ok(None);
        };
        let secs = v
            .as_f64()
            .filter(|s| s.is_finite() && *s >= 0.0)
            .ok_or_else(|| Error::validation(format!("{name} must be a non-negative timedelta")))?;
        let micros = secs * 1e6;
        if micros >= i64::MAX as f64 {
            return Err(Error::validation(format!("{name} is too large")));
        }
        Ok(Some(chrono::Duration::microseconds(micros.round() as i64)))
    }
}

/// Serialises a Desk result.
pub fn to_json<T: Serialize>(v: T) -> Result<Value> {
    serde_json::to_value(v).map_err(|e| Error::storage(format!("cannot serialise result: {e}")))
}

/// What a use-case returns: JSON, plus the content bytes for `open_attachment` and the
/// correlator decisions of `ingest`/`ingest_batch` (handed to Python as `Decision` objects,
/// not as JSON).
#[derive(Default)]
pub struct Out {
    /// The result.
    pub value: Value,
    /// Attachment content.
    pub content: Option<Vec<u8>>,
    /// Decisions of an ingest call (the `decisions` key of the result).
    pub decisions: Option<Vec<faultdesk::fault::Decision>>,
}

/// Calls use-case `method` of `desk` as `actor`. `content` is the upload of `add_attachment`.
pub async fn dispatch(
    desk: Desk,
    actor: Actor,
    method: String,
    args: Value,
    content: Option<Vec<u8>>,
) -> Result<Out> {
    let args = Args(args);
    let (d, a, m) = (&desk, &actor, method.as_str());
    if m == "open_attachment" {
        let (meta, bytes) = collaboration::open_attachment(d, a, &args).await?;
        return Ok(Out {
            value: meta,
            content: Some(bytes),
            ..Out::default()
        });
    }
    if let Some(mut outcome) = alarms::ingest(d, a, m, &args).await? {
        let decisions = std::mem::take(&mut outcome.decisions);
        return Ok(Out {
            value: to_json(outcome)?,
            decisions: Some(decisions),
            ..Out::default()
        });
    }
    let found = match tickets::call(d, a, m, &args).await? {
        Some(v) => Some(v),
        None => match collaboration::call(d, a, m, &args, content).await? {
            Some(v) => Some(v),
            None => match alarms::call(d, a, m, &args).await? {
                Some(v) => Some(v),
                None => match sla::call(d, a, m, &args).await? {
                    Some(v) => Some(v),
                    None => work::call(d, a, m, &args).await?,
                },
            },
        },
    };
    match found {
        Some(value) => Ok(Out {
            value,
            ..Out::default()
        }),
        None => Err(Error::validation(format!("unknown Desk method: {method}"))),
    }
}
