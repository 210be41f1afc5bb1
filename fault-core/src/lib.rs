//! # fault-core
//!
//! The pure fault domain of faultdesk: alarms, event mapping, de-duplication, correlation,
//! maintenance windows, auto-ticket triggers, alarm-to-ticket drafts and availability SLAs.
//! No I/O, no clock: every call that needs time takes `now`.
//!
//! - [`alarm`]: the alarm model and its checked lifecycle.
//! - [`event`]: [`event::AlarmEvent`], the correlator's input.
//! - [`mapping`]: seed 002's event mapping table (data, extensible).
//! - [`rule`]: rules in seed 002's JSON format, compiled conditions.
//! - [`topology`]: the resource graph.
//! - [`maintenance`]: maintenance windows.
//! - [`flapping`], [`trigger`]: flapping detection and auto-ticket triggers.
//! - [`correlator`]: the engine; [`decision`]: what it decides.
//! - [`unack`]: seed 000's unacknowledged-alarm check.
//! - [`draft`]: alarm -> ticket draft (seed 000).
//! - [`stats`]: alarm statistics.
//! - [`sla`]: availability SLAs.

pub mod alarm;
pub mod correlator;
pub mod decision;
pub mod draft;
pub mod error;
pub mod event;
pub mod flapping;
pub mod fxhash;
pub mod maintenance;
pub mod mapping;
pub mod rule;
pub mod severity;
pub mod sla;
pub mod stats;
pub mod topology;
pub mod trigger;
pub mod unack;

pub use alarm::{Alarm, AlarmSource, AlarmStatus};
pub use correlator::{Correlator, CorrelatorConfig};
pub use decision::Decision;
pub use error::{Error, Result};
pub use event::AlarmEvent;
pub use severity::Severity;
