//! The correlation engine: [`AlarmEvent`]s in, [`Decision`]s out.
//!
//! ```
//! use fault_core::correlator::{Correlator, CorrelatorConfig, SEED_002_RULE_JSON};
//! use fault_core::decision::Decision;
//! use fault_core::event::AlarmEvent;
//! use fault_core::topology::TopologyEdge;
//! use fault_core::Severity;
//! use chrono::{TimeZone, Utc};
//!
//! let cfg = CorrelatorConfig::default().with_rules_json(SEED_002_RULE_JSON).unwrap();
//! let mut c = Correlator::new(cfg).unwrap();
//! c.add_topology_edges("t1", &[TopologyEdge::new("olt-1", "ont-1")]).unwrap();
//! let t = Utc.with_ymd_and_hms(2026, 1, 14, 10, 0, 0).unwrap();
//! let olt = c.ingest(&AlarmEvent::new("t1", "device.down", "olt", "olt-1", t), t).unwrap();
//! let ont = AlarmEvent::new("t1", "cpe.signal_loss", "ont", "ont-1", t + chrono::Duration::seconds(20))
//!     .with_alarm_type("signal.loss");
//! let d = c.ingest(&ont, t).unwrap();
//! assert!(d.iter().any(|d| matches!(d, Decision::Correlated { parent_id, .. } if *parent_id == olt[0].alarm_id())));
//! ```
//!
//! # Semantics
//!
//! * **Reduction key**: `tenant|source|alarm_type|resource_type|resource_id` (a `|` or `\` inside a
//!   value is escaped with `\`), or a rule's template. The working set is keyed by a 128-bit
//!   fingerprint of the key (two independent 64-bit hashes), as Alertmanager keys alerts by a label
//!   fingerprint; the full key string is kept on the alarm.
//! * **Ids**: UUID v7 built from the event's `occurred_at` (milliseconds) and a per-correlator counter
//!   mixed with [`CorrelatorConfig::id_seed`]: no randomness, no wall clock. Give each correlator
//!   instance (each process start) its own seed to keep ids unique across restarts.
//! * **Time**: windows run on `occurred_at`; timers (maintenance end, unacknowledged timeout,
//!   flapping quiet period, group close) fire when the high-water mark of `occurred_at` (or the
//!   `now` given to [`Correlator::tick`]) passes them. `now` in `ingest` only bounds how far in the
//!   future an event may claim to be ([`CorrelatorConfig::max_future_skew_secs`]).
//! * **Parent/child correlation**: a child matches a rule's child condition, a parent its parent
//!   condition; both raised within `time_window` of each other (parent's latest raise, child's
//!   raise); the parent on an ancestor of the child's resource (scope `topology`), or anywhere in
//!   the tenant (scope `tenant`); `auto` uses topology when the child's resource is in the graph.
//!   `equal` fields must be equal. Competing parents: earliest first occurrence wins, ties by
//!   reduction key. A child arriving first is re-parented when a better parent arrives. An alarm
//!   that has a parent is never a parent, and a root cause is never a child.
//! * **Parent clears**: non-flapping parent clears/resolves release their still-active children,
//!   which are re-correlated to another matching parent (Reparented) or un-suppressed. A flapping
//!   parent keeps its children until it stops flapping while cleared.
//! * **Flapping**: the Nth clear of a key inside the window keeps the alarm in the working set as
//!   flapping; raises and clears then update it (Flapping decisions) until a quiet period passes.
//! * **Rule changes** apply to alarms raised afterwards; to re-evaluate existing alarms, rebuild.
//! * **Topology changes** apply to alarms raised afterwards.

mod restore;

use crate::alarm::{Alarm, AlarmSource, AlarmStatus};
use crate::decision::{Decision, NewAlarm, SuppressionReason, UnsuppressionReason};
use crate::error::{Error, Result};
use crate::event::AlarmEvent;
use crate::flapping::{FlapHistory, FlappingConfig};
use crate::fxhash::{FxHashMap, FxHasher, Interner, NO_SYM, Sym};
use crate::maintenance::{MaintenanceStatus, MaintenanceWindow};
use crate::mapping::{MappingAction, MappingTable};
use crate::rule::{CompiledRule, CorrelationScope, Field, FieldSource, Rule, RuleKind, RuleShape};
use crate::severity::Severity;
use crate::topology::{EdgeError, Topology, TopologyEdge};
use crate::trigger::{TicketTrigger, TriggerConfig};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};
use std::hash::Hasher;
use uuid::Uuid;

/// Seed 002's example rule, verbatim.
pub const SEED_002_RULE_JSON: &str = r#"{
  "name": "OLT to ONT Correlation",
  "type": "correlation",
  "conditions": {
    "parent": {
      "alarm_type": "device.down",
      "resource_type": "olt"
    },
    "child": {
      "alarm_type": "signal.loss",
      "resource_type": "ont"
    }
  },
  "actions": {
    "mark_parent_as_root_cause": true,
    "suppress_child_alarms": true,
    "create_correlation_id": true
  },
  "time_window": 300
}"#;

/// Correlator settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct CorrelatorConfig {
    /// Event mapping (rows; empty means seed 002's table).
    pub mapping: Vec<crate::mapping::EventMapping>,
    /// Rules.
    pub rules: Vec<Rule>,
    /// Flapping detection.
    pub flapping: FlappingConfig,
    /// Auto-ticket triggers (off by default).
    pub triggers: TriggerConfig,
    /// Maintenance windows.
    pub maintenance_windows: Vec<MaintenanceWindow>,
    /// Seed for deterministic alarm ids.
    pub id_seed: u64,
    /// Events more than this many seconds after `now` are rejected (`None`: no check).
    pub max_future_skew_secs: Option<u64>,
}

impl Default for CorrelatorConfig {
    fn default() -> Self {
        CorrelatorConfig {
            mapping: Vec::new(),
            rules: Vec::new(),
            flapping: FlappingConfig::default(),
            triggers: TriggerConfig::default(),
            maintenance_windows: Vec::new(),
            id_seed: 0,
            max_future_skew_secs: Some(300),
        }
    }
}

impl CorrelatorConfig {
    /// Add rules from JSON (one rule or an array).
    pub fn with_rules_json(mut self, json: &str) -> Result<Self> {
        self.rules.extend(Rule::list_from_json(json)?);
        Ok(self)
    }

    /// Set the id seed.
    pub fn with_id_seed(mut self, seed: u64) -> Self {
        self.id_seed = seed;
        self
    }

    /// Set the triggers.
    pub fn with_triggers(mut self, t: TriggerConfig) -> Self {
        self.triggers = t;
        self
    }

    /// Set flapping.
    pub fn with_flapping(mut self, f: FlappingConfig) -> Self {
        self.flapping = f;
        self
    }
}

/// Outcome of [`Correlator::ingest_batch`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BatchOutcome {
    /// Decisions of the accepted events, in order.
    pub decisions: Vec<Decision>,
    /// Rejected events: index in the batch and the error (they changed nothing).
    pub errors: Vec<(usize, Error)>,
}

/// The correlator's view of one alarm in its working set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlarmState {
    /// Id.
    pub id: Uuid,
    /// Reduction key.
    pub reduction_key: String,
    /// Status.
    pub status: AlarmStatus,
    /// Severity.
    pub severity: Severity,
    /// Occurrences.
    pub occurrence_count: u32,
    /// Current parent (None after the parent cleared; the alarm row keeps it as history).
    pub parent_id: Option<Uuid>,
    /// Children ever correlated.
    pub child_count: u32,
    /// Root cause flag.
    pub is_root_cause: bool,
    /// Correlation id.
    pub correlation_id: Option<Uuid>,
    /// Flapping flag.
    pub is_flapping: bool,
    /// Flap count.
    pub flap_count: u32,
    /// A ticket was requested or linked.
    pub ticket_requested: bool,
}

const NONE: u32 = u32::MAX;
const NO_NODE: u64 = u64::MAX;

// hot flags
const F_LIVE: u8 = 1;
const F_ROOT: u8 = 2;
const F_FLAPPING: u8 = 4;
const F_TICKET: u8 = 8;
const F_SUPP_PARENT: u8 = 16;
const F_SUPP_MAINT: u8 = 32;
const F_SUPP_RULE: u8 = 64;
const F_SUPP_ANY: u8 = F_SUPP_PARENT | F_SUPP_MAINT | F_SUPP_RULE;

/// Hot part of a slot: what the repeat path touches (one cache line).
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Hot {
    h2: u64,
    id: Uuid,
    first_us: i64,
    last_us: i64,
    occurrences: u32,
    subscribers: u32,
    epoch: u32,
    severity: Severity,
    raised: Severity,
    status: AlarmStatus,
    flags: u8,
    /// severity floor set by escalation rules
    floor: Severity,
}

/// Cold part of a slot.
struct Cold {
    /// The reduction key when it came from a template or a restored row; `None` for the default
    /// key, which is rebuilt from the interned fields when needed (saves an allocation per alarm).
    key: Option<Box<str>>,
    h1: u64,
    tenant: Sym,
    alarm_type: Sym,
    resource_type: Sym,
    resource: Sym,
    customer: Sym,
    source: AlarmSource,
    restore: AlarmStatus,
    node: u64,
    res_prev: u32,
    res_next: u32,
    parent: u32,
    parent_rule: u32,
    first_child: u32,
    next_sib: u32,
    prev_sib: u32,
    child_count: u32,
    flap_count: u32,
    maint: u32,
    raised_us: i64,
    last_flap_us: i64,
    correlation_id: Option<Uuid>,
    labels: Box<[(Sym, Sym)]>,
    /// index into `Correlator::rule_sets` (parent rules, child rules)
    roles: u32,
}

#[derive(Default)]
struct Bucket {
    parent: Vec<u32>,
    child: Vec<u32>,
    group: Vec<u32>,
    suppress: Vec<u32>,
    escalate: Vec<u32>,
    key: Vec<u32>,
}

/// Open-addressing (linear probing, load <= 1/2) table from the first fingerprint half to slots;
/// the second half is checked on the slot. Backward-shift deletion, no tombstones. Probes can
/// be prefetched, which the batch path uses to overlap cache misses.
struct KeyTable {
    entries: Vec<(u64, u32)>,
    len: usize,
}

const EMPTY: u32 = u32::MAX;

impl KeyTable {
    fn new() -> Self {
        KeyTable {
            entries: vec![(0, EMPTY); 16],
            len: 0,
        }
    }

    #[inline]
    fn mask(&self) -> usize {
        self.entries.len() - 1
    }

    #[inline]
    fn find(&self, h1: u64, h2: u64, hot: &[Hot]) -> Option<u32> {
        let mask = self.mask();
        let mut i = h1 as usize & mask;
        loop {
            let (k, s) = self.entries[i];
            if s == EMPTY {
                return None;
            }
            if k == h1 && hot[s as usize].h2 == h2 {
                return Some(s);
            }
            i = (i + 1) & mask;
        }
    }

    /// The first slot stored under `h1` (a hint for prefetching).
    #[inline]
    fn peek(&self, h1: u64) -> Option<u32> {
        let mask = self.mask();
        let mut i = h1 as usize & mask;
        loop {
            let (k, s) = self.entries[i];
            if s == EMPTY {
                return None;
            }
            if k == h1 {
                return Some(s);
            }
            i = (i + 1) & mask;
        }
    }

    #[inline]
    fn prefetch(&self, h1: u64) {
        let i = h1 as usize & self.mask();
        prefetch_read(&self.entries[i]);
    }

    fn insert(&mut self, h1: u64, slot: u32) {
        if (self.len + 1) * 2 > self.entries.len() {
            let bigger = vec![(0, EMPTY); self.entries.len() * 2];
            let old = std::mem::replace(&mut self.entries, bigger);
            self.len = 0;
            for (k, s) in old {
                if s != EMPTY {
                    self.insert(k, s);
                }
            }
        }
        let mask = self.mask();
        let mut i = h1 as usize & mask;
        while self.entries[i].1 != EMPTY {
            i = (i + 1) & mask;
        }
        self.entries[i] = (h1, slot);
        self.len += 1;
    }

    fn remove(&mut self, h1: u64, slot: u32) {
        let mask = self.mask();
        let mut i = h1 as usize & mask;
        loop {
            let (k, s) = self.entries[i];
            if s == EMPTY {
                return;
            }
            if k == h1 && s == slot {
                break;
            }
            i = (i + 1) & mask;
        }
        let mut j = i;
        loop {
            j = (j + 1) & mask;
            let (k, s) = self.entries[j];
            if s == EMPTY {
                break;
            }
            let home = k as usize & mask;
            let stays = if i <= j {
                i < home && home <= j
            } else {
                i < home || home <= j
            };
            if !stays {
                self.entries[i] = self.entries[j];
                i = j;
            }
        }
        self.entries[i] = (0, EMPTY);
        self.len -= 1;
    }
}

#[inline]
fn prefetch_read<T>(p: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: prefetching is a hint; the pointer comes from a live reference.
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>((p as *const T).cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// What [`Correlator::classify`] made of an event: raise or clear, severity, source, and the
/// event time in microseconds.
#[derive(Clone, Copy)]
struct Classified {
    action: MappingAction,
    severity: Severity,
    source: AlarmSource,
    t: i64,
}

type BatchStep = (Result<Classified>, Option<(u64, u64)>);

/// (rules the alarm can be parent in, rules it can be child in)
type RoleSet = (Box<[u32]>, Box<[u32]>);

#[derive(Default)]
struct PendingList {
    refs: Vec<u64>,
    /// per parent (ref): how far it already scanned
    cursors: Vec<(u64, u32)>,
}

struct Group {
    correlation_id: Uuid,
    opened_us: i64,
}

struct WindowState {
    w: MaintenanceWindow,
    tenant: Sym,
    start_us: i64,
    end_us: i64,
    members: Vec<u64>,
    ended: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum TimerKind {
    FlapQuiet,
    FlapHistory,
    Unack,
    MaintEnd,
    GroupClose,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Timer {
    at: i64,
    seq: u64,
    kind: TimerKind,
    a: u64,
    b: u64,
}

/// The view of an event (plus alarm state) that rule conditions and key templates read.
struct EventView<'a> {
    e: &'a AlarmEvent,
    alarm_type: &'a str,
    severity: Severity,
    source: AlarmSource,
    status: AlarmStatus,
    occurrences: u32,
}

impl FieldSource for EventView<'_> {
    fn text(&self, f: &Field) -> Option<&str> {
        let e = self.e;
        match f {
            Field::TenantId => Some(&e.tenant_id),
            Field::Source => Some(self.source.as_str()),
            Field::AlarmType => Some(self.alarm_type),
            Field::EventType => Some(&e.event_type),
            Field::Severity => Some(self.severity.as_str()),
            Field::Status => Some(self.status.as_str()),
            Field::ResourceType => e.resource_type.as_deref(),
            Field::ResourceId => e.resource_id.as_deref(),
            Field::ResourceName => e.resource_name.as_deref(),
            Field::CustomerId => e.customer_id.as_deref(),
            Field::CustomerName => e.customer_name.as_deref(),
            Field::Title => e.title.as_deref(),
            Field::Description => e.description.as_deref(),
            Field::ProbableCause => e.probable_cause.as_deref(),
            Field::ExternalAlarmId => e.external_alarm_id.as_deref(),
            Field::Label(l) => e.labels.get(l).map(String::as_str),
            Field::SubscriberCount | Field::OccurrenceCount => None,
        }
    }
    fn number(&self, f: &Field) -> Option<f64> {
        match f {
            Field::SubscriberCount => Some(self.e.subscriber_count as f64),
            Field::OccurrenceCount => Some(self.occurrences as f64),
            Field::Severity => Some(self.severity.rank() as f64),
            _ => None,
        }
    }
}

impl FieldSource for Alarm {
    fn text(&self, f: &Field) -> Option<&str> {
        match f {
            Field::TenantId => Some(&self.tenant_id),
            Field::Source => Some(self.source.as_str()),
            Field::AlarmType => Some(&self.alarm_type),
            Field::EventType => Some(&self.event_type),
            Field::Severity => Some(self.effective_severity().as_str()),
            Field::Status => Some(self.status.as_str()),
            Field::ResourceType => self.resource_type.as_deref(),
            Field::ResourceId => self.resource_id.as_deref(),
            Field::ResourceName => self.resource_name.as_deref(),
            Field::CustomerId => self.customer_id.as_deref(),
            Field::CustomerName => self.customer_name.as_deref(),
            Field::Title => Some(&self.title),
            Field::Description => self.description.as_deref(),
            Field::ProbableCause => self.probable_cause.as_deref(),
            Field::ExternalAlarmId => self.external_alarm_id.as_deref(),
            Field::Label(l) => self.labels.get(l).map(String::as_str),
            Field::SubscriberCount | Field::OccurrenceCount => None,
        }
    }
    fn number(&self, f: &Field) -> Option<f64> {
        match f {
            Field::SubscriberCount => Some(self.subscriber_count as f64),
            Field::OccurrenceCount => Some(self.occurrence_count as f64),
            Field::Severity => Some(self.effective_severity().rank() as f64),
            _ => None,
        }
    }
}

/// True when `b` contains `|` or `\` (eight bytes at a time).
#[inline]
fn needs_escape(b: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    #[inline]
    fn has(x: u64, byte: u8) -> bool {
        let v = x ^ (ONES * byte as u64);
        v.wrapping_sub(ONES) & !v & HIGH != 0
    }
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        let x = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        if has(x, b'|') || has(x, b'\\') {
            return true;
        }
    }
    chunks.remainder().iter().any(|&c| c == b'|' || c == b'\\')
}

#[inline]
fn push_escaped(buf: &mut String, s: &str) {
    if !needs_escape(s.as_bytes()) {
        buf.push_str(s);
    } else {
        for ch in s.chars() {
            if ch == '|' || ch == '\\' {
                buf.push('\\');
            }
            buf.push(ch);
        }
    }
}

/// Write the default reduction key `tenant|source|alarm_type|resource_type|resource_id`.
pub fn default_reduction_key(
    tenant: &str,
    source: AlarmSource,
    alarm_type: &str,
    resource_type: Option<&str>,
    resource_id: Option<&str>,
) -> String {
    let mut s = String::new();
    write_default_key(
        &mut s,
        tenant,
        source,
        alarm_type,
        resource_type,
        resource_id,
    );
    s
}

#[inline]
fn write_default_key(
    buf: &mut String,
    tenant: &str,
    source: AlarmSource,
    alarm_type: &str,
    resource_type: Option<&str>,
    resource_id: Option<&str>,
) {
    let (rt, rid) = (resource_type.unwrap_or(""), resource_id.unwrap_or(""));
    let src = source.as_str();
    let mut k = KeyBuf([0; KEY_BUF]);
    if let Some(n) = k.default_key(tenant, source, alarm_type, rt, rid) {
        // the pieces are `str`s and `|`: valid UTF-8
        buf.push_str(std::str::from_utf8(&k.0[..n]).expect("pieces of str and '|'"));
        return;
    }
    buf.reserve(tenant.len() + src.len() + alarm_type.len() + rt.len() + rid.len() + 4);
    if needs_escape(tenant.as_bytes())
        || needs_escape(alarm_type.as_bytes())
        || needs_escape(rt.as_bytes())
        || needs_escape(rid.as_bytes())
    {
        push_escaped(buf, tenant);
        buf.push('|');
        buf.push_str(src);
        buf.push('|');
        push_escaped(buf, alarm_type);
        buf.push('|');
        push_escaped(buf, rt);
        buf.push('|');
        push_escaped(buf, rid);
    } else {
        buf.push_str(tenant);
        buf.push('|');
        buf.push_str(src);
        buf.push('|');
        buf.push_str(alarm_type);
        buf.push('|');
        buf.push_str(rt);
        buf.push('|');
        buf.push_str(rid);
    }
}

const FP_K1: u64 = 0x9E37_79B9_7F4A_7C15;
const FP_K2: u64 = 0xC2B2_AE3D_27D4_EB4F;

/// 128-bit fingerprint of a key: two independent multiply-rotate lanes over 8-byte words, the
/// length mixed in at the end. Only ever compared inside one process: never stored.
#[inline]
fn fingerprint(b: &[u8]) -> (u64, u64) {
    let mut a: u64 = 0x2545_F491_4F6C_DD1D;
    let mut c: u64 = 0x1656_67B1_9E37_79F9;
    let mut step = |x: u64| {
        a = (a ^ x).wrapping_mul(FP_K1).rotate_left(31);
        c = (c.rotate_left(27) ^ x).wrapping_mul(FP_K2).wrapping_add(a);
    };
    let mut chunks = b.chunks_exact(8);
    for w in &mut chunks {
        step(u64::from_le_bytes(w.try_into().expect("eight bytes")));
    }
    let r = chunks.remainder();
    if !r.is_empty() {
        step(load_partial(r));
    }
    let len = b.len() as u64;
    (
        fmix(a ^ len.wrapping_mul(FP_K2)),
        fmix(c ^ a.rotate_left(17) ^ len.rotate_left(32)),
    )
}

/// Up to 7 bytes as a little-endian word, zero-padded (a few loads, no loop).
#[inline(always)]
fn load_partial(p: &[u8]) -> u64 {
    let n = p.len();
    debug_assert!(n < 8);
    if n >= 4 {
        let lo = u32::from_le_bytes([p[0], p[1], p[2], p[3]]) as u64;
        let hi = u32::from_le_bytes([p[n - 4], p[n - 3], p[n - 2], p[n - 1]]) as u64;
        lo | (hi << (8 * (n - 4)))
    } else if n > 0 {
        p[0] as u64 | ((p[n / 2] as u64) << (8 * (n / 2))) | ((p[n - 1] as u64) << (8 * (n - 1)))
    } else {
        0
    }
}

/// Eight bytes at `i` as a little-endian word.
#[inline(always)]
fn word_at(p: &[u8], i: usize) -> u64 {
    u64::from_le_bytes(p[i..i + 8].try_into().expect("eight bytes"))
}

/// Byte equality of short strings without a `memcmp` call (up to 16 bytes: two word loads
/// per side).
#[inline(always)]
fn short_eq(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n < 8 {
        load_partial(a) == load_partial(b)
    } else if n <= 16 {
        word_at(a, 0) == word_at(b, 0) && word_at(a, n - 8) == word_at(b, n - 8)
    } else {
        a == b
    }
}

/// True when a byte of `x` is `|` or `\` (zero padding never matches).
#[inline]
fn word_needs_escape(x: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let p = x ^ (ONES * b'|' as u64);
    let q = x ^ (ONES * b'\\' as u64);
    (p.wrapping_sub(ONES) & !p | q.wrapping_sub(ONES) & !q) & HIGH != 0
}

/// Bytes of a [`KeyBuf`]; 16 of them stay free as slack for the word stores.
const KEY_BUF: usize = 256;

/// A scratch buffer a default reduction key is assembled in for hashing: short pieces (up to
/// 16 bytes) are copied with one or two word stores and checked for bytes that need escaping
/// on the way, so the repeat path hashes its key without a heap write or a `memcpy` call.
struct KeyBuf([u8; KEY_BUF]);

impl KeyBuf {
    /// Writes `piece` at `at`; the new length, or `None` when it does not fit. Sets `escape`
    /// when the piece holds `|` or `\`.
    #[inline(always)]
    fn put(&mut self, at: usize, p: &[u8], escape: &mut bool) -> Option<usize> {
        let n = p.len();
        if at + n + 16 > KEY_BUF {
            return None;
        }
        let b = &mut self.0;
        if n < 8 {
            let x = load_partial(p);
            *escape |= word_needs_escape(x);
            b[at..at + 8].copy_from_slice(&x.to_le_bytes());
        } else if n <= 16 {
            let (x, y) = (word_at(p, 0), word_at(p, n - 8));
            *escape |= word_needs_escape(x) | word_needs_escape(y);
            b[at..at + 8].copy_from_slice(&x.to_le_bytes());
            b[at + n - 8..at + n].copy_from_slice(&y.to_le_bytes());
        } else {
            *escape |= needs_escape(p);
            b[at..at + n].copy_from_slice(p);
        }
        Some(at + n)
    }

    /// Writes the default key `tenant|source|alarm_type|resource_type|resource_id`; its length,
    /// or `None` when a part needs escaping or the key does not fit.
    #[inline(always)]
    fn default_key(
        &mut self,
        tenant: &str,
        source: AlarmSource,
        alarm_type: &str,
        resource_type: &str,
        resource_id: &str,
    ) -> Option<usize> {
        let mut escape = false;
        let mut at = self.put(0, tenant.as_bytes(), &mut escape)?;
        for part in [source.as_str(), alarm_type, resource_type, resource_id] {
            // room for the separator: `put` leaves 16 bytes of slack
            self.0[at] = b'|';
            at = self.put(at + 1, part.as_bytes(), &mut escape)?;
        }
        (!escape).then_some(at)
    }
}

/// The fingerprint of a reduction key. Keys in the default form (see
/// [`parse_default_key`]) are hashed from their parts ([`default_key_fingerprint`]), so an
/// event's key is hashed straight from its fields without being written out; any other key
/// (a template's) by its bytes. Either way a function of the key string.
fn key_fingerprint(key: &str) -> (u64, u64) {
    match parse_default_key(key) {
        Some((t, s, a, r, i)) => default_key_fingerprint(&t, s, &a, &r, &i),
        None => fingerprint(key.as_bytes()),
    }
}

/// A default key's parts: tenant, source, alarm type, resource type, resource id (unescaped).
type DefaultKeyParts<'a> = (
    std::borrow::Cow<'a, str>,
    AlarmSource,
    std::borrow::Cow<'a, str>,
    std::borrow::Cow<'a, str>,
    std::borrow::Cow<'a, str>,
);

/// The parts of a key in the default form `tenant|source|alarm_type|resource_type|resource_id`
/// (five `|`-separated parts, `\|` and `\\` escapes only, a source name as written by
/// [`AlarmSource::as_str`]); `None` for any other string.
fn parse_default_key(key: &str) -> Option<DefaultKeyParts<'_>> {
    use std::borrow::Cow;
    let mut parts: Vec<Cow<'_, str>> = Vec::with_capacity(5);
    let b = key.as_bytes();
    let mut start = 0;
    let mut owned: Option<String> = None;
    let mut i = 0;
    while i <= b.len() {
        if i == b.len() || b[i] == b'|' {
            parts.push(match owned.take() {
                Some(mut o) => {
                    o.push_str(&key[start..i]);
                    Cow::Owned(o)
                }
                None => Cow::Borrowed(&key[start..i]),
            });
            if parts.len() > 5 {
                return None;
            }
            start = i + 1;
            i += 1;
        } else if b[i] == b'\\' {
            // only `\|` and `\\` are escapes the default key writes
            if i + 1 >= b.len() || (b[i + 1] != b'|' && b[i + 1] != b'\\') {
                return None;
            }
            let o = owned.get_or_insert_with(String::new);
            o.push_str(&key[start..i]);
            start = i + 1;
            i += 2;
        } else {
            i += 1;
        }
    }
    if parts.len() != 5 {
        return None;
    }
    let source = AlarmSource::ALL
        .into_iter()
        .find(|s| s.as_str() == parts[1])?;
    let mut it = parts.into_iter();
    let tenant = it.next()?;
    let _ = it.next();
    Some((tenant, source, it.next()?, it.next()?, it.next()?))
}

/// The fingerprint of the default key of these parts, from the parts (no key is written): each
/// part's length and words, the source as a number.
#[inline]
fn default_key_fingerprint(
    tenant: &str,
    source: AlarmSource,
    alarm_type: &str,
    resource_type: &str,
    resource_id: &str,
) -> (u64, u64) {
    let mut a: u64 = 0x6A09_E667_F3BC_C908;
    let mut c: u64 = 0xBB67_AE85_84CA_A73B;
    #[inline(always)]
    fn step(a: &mut u64, c: &mut u64, x: u64) {
        *a = (*a ^ x).wrapping_mul(FP_K1).rotate_left(31);
        *c = (c.rotate_left(27) ^ x).wrapping_mul(FP_K2).wrapping_add(*a);
    }
    // each part's step inputs determine the part: a short part is one word tagged with its
    // length in the top byte; a longer one is a length word (top bit set) and then its words
    #[inline(always)]
    fn part(a: &mut u64, c: &mut u64, p: &[u8]) {
        let n = p.len();
        if n < 8 {
            step(a, c, load_partial(p) | ((n as u64) << 56));
            return;
        }
        step(a, c, (1 << 63) | n as u64);
        if n <= 16 {
            step(a, c, word_at(p, 0));
            step(a, c, word_at(p, n - 8));
        } else {
            let mut chunks = p.chunks_exact(8);
            for w in &mut chunks {
                step(a, c, u64::from_le_bytes(w.try_into().expect("eight bytes")));
            }
            step(a, c, load_partial(chunks.remainder()));
        }
    }
    part(&mut a, &mut c, tenant.as_bytes());
    step(&mut a, &mut c, source as u64);
    part(&mut a, &mut c, alarm_type.as_bytes());
    part(&mut a, &mut c, resource_type.as_bytes());
    part(&mut a, &mut c, resource_id.as_bytes());
    (fmix(a), fmix(c ^ a.rotate_left(17)))
}

#[inline]
fn fmix(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

#[inline]
fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

#[inline]
fn slot_hint(id: Uuid) -> u32 {
    let b = id.as_bytes();
    u32::from_le_bytes([b[12], b[13], b[14], b[15]])
}

#[inline]
fn mkref(slot: u32, epoch: u32) -> u64 {
    ((epoch as u64) << 32) | slot as u64
}

/// The correlation engine. See the module docs for the semantics.
pub struct Correlator {
    mapping: MappingTable,
    rules: Vec<CompiledRule>,
    by_type: FxHashMap<Box<str>, Bucket>,
    wild: Bucket,
    any_rules: bool,
    has_key_rules: bool,
    has_escalation: bool,
    flapping: FlappingConfig,
    flap_window_us: i64,
    flap_quiet_us: i64,
    triggers: TriggerConfig,
    id_seed: u64,
    counter: u64,
    max_skew_us: Option<i64>,

    syms: Interner,
    /// last symbols interned for tenant, alarm type, resource type (storms repeat them)
    sym_memo: [Sym; 3],
    hot: Vec<Hot>,
    cold: Vec<Cold>,
    free: Vec<u32>,
    live: usize,
    keys: KeyTable,
    /// ids whose embedded slot hint is wrong (alarms restored by `rebuild`)
    by_id: FxHashMap<Uuid, u32>,
    rule_sets: Vec<RoleSet>,
    rule_set_ids: FxHashMap<u64, Vec<u32>>,
    role_scratch: (Vec<u32>, Vec<u32>),
    by_node: FxHashMap<u64, u32>,
    topology: Topology,

    pending_node: FxHashMap<(u32, u64), PendingList>,
    pending_tenant: FxHashMap<(u32, Sym), PendingList>,
    parents_tenant: FxHashMap<(u32, Sym), BTreeSet<(i64, u32)>>,
    groups: FxHashMap<(u32, u64), Group>,
    flap_hist: FxHashMap<(u64, u64), FlapHistory>,
    escalated: FxHashMap<u32, Vec<u32>>,

    windows: Vec<WindowState>,
    window_ids: FxHashMap<Uuid, u32>,
    win_by_node: FxHashMap<u64, Vec<u32>>,
    win_by_rtype: FxHashMap<(Sym, Sym), Vec<u32>>,
    win_by_customer: FxHashMap<(Sym, Sym), Vec<u32>>,
    win_by_label: FxHashMap<Sym, Vec<u32>>,
    open_windows: usize,

    timers: BinaryHeap<Reverse<Timer>>,
    batch_plan: Vec<BatchStep>,
    timer_seq: u64,
    watermark: i64,
    scratch: String,
    /// `scratch` holds a templated key (not rebuildable from the interned fields)
    scratch_templated: bool,
    /// recent event types classified and their mapping rows, direct-mapped (see `mapping_of`)
    mapping_memo: [MappingMemo; 4],
    /// the last `now` passed in and its timestamp in microseconds
    now_memo: (DateTime<Utc>, i64),
    /// the day of the last event and its start in microseconds
    day_memo: (chrono::NaiveDate, i64),
    /// the alarm created by the event being processed; its row is built once the event's
    /// processing is over, from the borrowed event (copies) or the owned one (moves)
    created: Option<PendingCreated>,
    events_ingested: u64,
}

/// An event type, its mapping row (action, severity, source), and whether the entry is set.
type MappingMemo = (
    String,
    Option<(MappingAction, Option<Severity>, AlarmSource)>,
    bool,
);

/// A `Created` decision waiting for the new alarm's state at the end of its event.
struct PendingCreated {
    /// index in the decision buffer where `Created` goes (before the alarm's other decisions)
    at: usize,
    slot: u32,
    source: AlarmSource,
    key: String,
    /// the creating event's `occurred_at`
    first: DateTime<Utc>,
}

impl std::fmt::Debug for Correlator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Correlator")
            .field("active_alarms", &self.live)
            .field("rules", &self.rules.len())
            .field("topology_edges", &self.topology.edge_count())
            .finish()
    }
}

impl Correlator {
    /// Build an empty correlator from a config (validates mapping, rules and windows).
    pub fn new(config: CorrelatorConfig) -> Result<Self> {
        let mapping = if config.mapping.is_empty() {
            MappingTable::default()
        } else {
            let mut m = MappingTable::empty();
            m.extend(config.mapping.clone())?;
            m
        };
        if config.flapping.enabled && config.flapping.threshold < 2 {
            return Err(Error::validation(
                "Flapping threshold must be at least 2 raise/clear cycles",
            ));
        }
        let mut c = Correlator {
            mapping,
            rules: Vec::new(),
            by_type: FxHashMap::default(),
            wild: Bucket::default(),
            any_rules: false,
            has_key_rules: false,
            has_escalation: false,
            flapping: config.flapping,
            flap_window_us: config.flapping.window_secs as i64 * 1_000_000,
            flap_quiet_us: config.flapping.quiet_period_secs as i64 * 1_000_000,
            triggers: config.triggers,
            id_seed: config.id_seed,
            counter: 0,
            max_skew_us: config.max_future_skew_secs.map(|s| s as i64 * 1_000_000),
            syms: Interner::default(),
            sym_memo: [NO_SYM; 3],
            hot: Vec::new(),
            cold: Vec::new(),
            free: Vec::new(),
            live: 0,
            keys: KeyTable::new(),
            by_id: FxHashMap::default(),
            rule_sets: vec![(Box::new([]), Box::new([]))],
            rule_set_ids: FxHashMap::default(),
            role_scratch: (Vec::new(), Vec::new()),
            by_node: FxHashMap::default(),
            topology: Topology::default(),
            pending_node: FxHashMap::default(),
            pending_tenant: FxHashMap::default(),
            parents_tenant: FxHashMap::default(),
            groups: FxHashMap::default(),
            flap_hist: FxHashMap::default(),
            escalated: FxHashMap::default(),
            windows: Vec::new(),
            window_ids: FxHashMap::default(),
            win_by_node: FxHashMap::default(),
            win_by_rtype: FxHashMap::default(),
            win_by_customer: FxHashMap::default(),
            win_by_label: FxHashMap::default(),
            open_windows: 0,
            timers: BinaryHeap::new(),
            batch_plan: Vec::new(),
            timer_seq: 0,
            watermark: i64::MIN,
            scratch: String::with_capacity(128),
            scratch_templated: false,
            mapping_memo: Default::default(),
            now_memo: (
                DateTime::<Utc>::MIN_UTC,
                DateTime::<Utc>::MIN_UTC.timestamp_micros(),
            ),
            day_memo: (
                chrono::NaiveDate::MIN,
                DateTime::<Utc>::MIN_UTC.timestamp_micros(),
            ),
            created: None,
            events_ingested: 0,
        };
        c.set_rules(config.rules)?;
        for w in config.maintenance_windows {
            c.add_maintenance_window(w)?;
        }
        Ok(c)
    }

    fn set_rules(&mut self, rules: Vec<Rule>) -> Result<()> {
        let mut compiled = Vec::with_capacity(rules.len());
        let mut seen = std::collections::HashSet::new();
        for r in rules {
            if !seen.insert(r.key().to_string()) {
                return Err(Error::validation(format!(
                    "Rule id '{}' is used twice",
                    r.key()
                )));
            }
            // Compiling also checks that `equal` / `group_by` name identifying fields.
            let c = CompiledRule::compile(r)?;
            if c.rule.enabled {
                compiled.push(c);
            }
        }
        // stable order: priority, then position
        let mut order: Vec<usize> = (0..compiled.len()).collect();
        order.sort_by_key(|&i| (compiled[i].rule.priority, i));
        let mut sorted: Vec<Option<CompiledRule>> = compiled.into_iter().map(Some).collect();
        self.rules = order
            .into_iter()
            .map(|i| sorted[i].take().expect("each index once"))
            .collect();
        self.by_type.clear();
        self.wild = Bucket::default();
        for (i, r) in self.rules.iter().enumerate() {
            let i = i as u32;
            let mut add = |cond: &crate::rule::Condition,
                           pick: fn(&mut Bucket) -> &mut Vec<u32>| {
                match cond.alarm_types() {
                    Some(types) => {
                        for t in types {
                            pick(self.by_type.entry(t.into_boxed_str()).or_default()).push(i);
                        }
                    }
                    None => pick(&mut self.wild).push(i),
                }
            };
            match (&r.shape, r.rule.kind) {
                (RuleShape::ParentChild { parent, child }, _) => {
                    add(parent, |b| &mut b.parent);
                    add(child, |b| &mut b.child);
                }
                (RuleShape::Flat(c), RuleKind::Correlation) => add(c, |b| &mut b.group),
                (RuleShape::Flat(c), RuleKind::Suppression) => add(c, |b| &mut b.suppress),
                (RuleShape::Flat(c), RuleKind::Escalation) => add(c, |b| &mut b.escalate),
            }
            if r.key_template.is_some() {
                add(r.subject(), |b| &mut b.key);
            }
        }
        self.any_rules = !self.rules.is_empty();
        self.has_key_rules = self.rules.iter().any(|r| r.key_template.is_some());
        self.has_escalation = self
            .rules
            .iter()
            .any(|r| r.rule.kind == RuleKind::Escalation);
        Ok(())
    }

    /// Rebuild a correlator from the raised alarms in storage (active, acknowledged, suppressed,
    /// and flapping alarms that are currently cleared). Parent links of suppressed children whose
    /// parent is in the list are restored; other alarms are ignored.
    pub fn rebuild(
        config: CorrelatorConfig,
        alarms: impl IntoIterator<Item = Alarm>,
    ) -> Result<Self> {
        Correlator::new(config)?.restore_alarms(alarms)
    }

    /// Restores raised alarms into a fresh correlator (see [`Correlator::rebuild`]); its
    /// topology must already be in place, so restored alarms are indexed under it.
    fn restore_alarms(mut self, alarms: impl IntoIterator<Item = Alarm>) -> Result<Self> {
        let c = &mut self;
        let mut list: Vec<Alarm> = alarms
            .into_iter()
            .filter(|a| a.status.is_raised() || (a.is_flapping && a.status == AlarmStatus::Cleared))
            .collect();
        list.sort_by(|a, b| {
            (a.first_occurrence, &a.reduction_key).cmp(&(b.first_occurrence, &b.reduction_key))
        });
        let mut parents: Vec<(u32, Uuid)> = Vec::new();
        for a in &list {
            let slot = c.restore_alarm(a)?;
            if let Some(p) = a.parent_alarm_id
                && a.status == AlarmStatus::Suppressed
            {
                parents.push((slot, p));
            }
        }
        for (slot, pid) in parents {
            let Ok(p) = c.slot_of(pid) else {
                continue;
            };
            let rule = c.rule_sets[c.cold[slot as usize].roles as usize]
                .1
                .iter()
                .copied()
                .find(|r| c.rule_sets[c.cold[p as usize].roles as usize].0.contains(r));
            if let Some(r) = rule {
                c.link_child(slot, p, r);
                c.hot[slot as usize].flags |= F_SUPP_PARENT;
            }
        }
        // anything else still suppressed without a known reason stays suppressed by "rule"
        for i in 0..c.hot.len() {
            let h = c.hot[i];
            if h.flags & F_LIVE != 0
                && h.status == AlarmStatus::Suppressed
                && h.flags & F_SUPP_ANY == 0
            {
                c.hot[i].flags |= F_SUPP_RULE;
            }
        }
        c.timers.clear();
        c.timer_seq = 0;
        for i in 0..c.hot.len() {
            let h = c.hot[i];
            if h.flags & F_LIVE == 0 {
                continue;
            }
            if h.flags & F_FLAPPING != 0 {
                let at = c.cold[i].last_flap_us + c.flap_quiet_us;
                c.push_timer(at, TimerKind::FlapQuiet, mkref(i as u32, h.epoch), 0);
            }
            if let Some(to) = c.unack_timeout_us()
                && h.flags & F_TICKET == 0
            {
                c.push_timer(
                    h.first_us + to,
                    TimerKind::Unack,
                    mkref(i as u32, h.epoch),
                    0,
                );
            }
        }
        Ok(self)
    }

    fn restore_alarm(&mut self, a: &Alarm) -> Result<u32> {
        let (h1, h2) = key_fingerprint(&a.reduction_key);
        if self.lookup(h1, h2).is_some() {
            return Err(Error::Conflict(format!(
                "Two raised alarms share reduction key '{}'",
                a.reduction_key
            )));
        }
        let tenant = self.syms.intern(&a.tenant_id);
        let mut child_rules = Vec::new();
        let mut parent_rules = Vec::new();
        self.rule_memberships(&a.alarm_type, a, &mut parent_rules, &mut child_rules);
        let roles = self.intern_roles(&parent_rules, &child_rules);
        let labels: Vec<(Sym, Sym)> = a
            .labels
            .iter()
            .map(|(k, v)| (self.syms.intern(k), self.syms.intern(v)))
            .collect();
        let resource = self.syms.intern_opt(a.resource_id.as_deref());
        let node = if resource == NO_SYM {
            NO_NODE
        } else {
            ((tenant.0 as u64) << 32) | resource.0 as u64
        };
        let alarm_type = self.syms.intern(&a.alarm_type);
        let resource_type = self.syms.intern_opt(a.resource_type.as_deref());
        let customer = self.syms.intern_opt(a.customer_id.as_deref());
        let slot = self.alloc(
            Hot {
                h2,
                id: a.id,
                first_us: a.first_occurrence.timestamp_micros(),
                last_us: a.last_occurrence.timestamp_micros(),
                occurrences: a.occurrence_count,
                subscribers: a.subscriber_count,
                epoch: 0,
                severity: a.severity,
                raised: a.effective_severity(),
                status: a.status,
                floor: Severity::Cleared,
                flags: F_LIVE
                    | if a.is_root_cause { F_ROOT } else { 0 }
                    | if a.is_flapping { F_FLAPPING } else { 0 }
                    | if a.ticket_id.is_some() { F_TICKET } else { 0 },
            },
            Cold {
                key: Some(a.reduction_key.as_str().into()),
                h1,
                tenant,
                alarm_type,
                resource_type,
                resource,
                customer,
                source: a.source,
                restore: a.status_before_suppression.unwrap_or(AlarmStatus::Active),
                node,
                res_prev: NONE,
                res_next: NONE,
                parent: NONE,
                parent_rule: NONE,
                first_child: NONE,
                next_sib: NONE,
                prev_sib: NONE,
                child_count: a.child_count,
                flap_count: a.flap_count,
                maint: NONE,
                raised_us: a.first_occurrence.timestamp_micros(),
                last_flap_us: a.last_occurrence.timestamp_micros(),
                correlation_id: a.correlation_id,
                labels: labels.into_boxed_slice(),
                roles,
            },
        );
        self.index_slot(slot);
        self.register_roles(slot);
        let t = a.last_occurrence.timestamp_micros();
        if t > self.watermark {
            self.watermark = t;
        }
        Ok(slot)
    }

    // ---------------------------------------------------------------- public API

    /// Ingest one event and return its decisions.
    pub fn ingest(&mut self, event: &AlarmEvent, now: DateTime<Utc>) -> Result<Vec<Decision>> {
        let mut out = Vec::new();
        self.ingest_into(event, now, &mut out)?;
        Ok(out)
    }

    /// Ingest a batch; rejected events are reported with their index and change nothing.
    pub fn ingest_batch(&mut self, events: &[AlarmEvent], now: DateTime<Utc>) -> BatchOutcome {
        let mut o = BatchOutcome::default();
        self.ingest_batch_into(events, now, &mut o.decisions, &mut o.errors);
        o
    }

    /// Ingest one event, appending its decisions to `out` (no allocation on the repeat path once
    /// `out` has capacity).
    pub fn ingest_into(
        &mut self,
        e: &AlarmEvent,
        now: DateTime<Utc>,
        out: &mut Vec<Decision>,
    ) -> Result<()> {
        let c = self.classify(e, now)?;
        self.process(e, c, None, out);
        self.finish_event(out);
        Ok(())
    }

    /// Ingest a batch, appending decisions to `out` and rejected events (index, error) to
    /// `errors`. Same decisions as ingesting one by one; the batch path computes reduction-key
    /// fingerprints ahead and prefetches the key table and alarm slots of upcoming events, so
    /// cache misses overlap.
    pub fn ingest_batch_into(
        &mut self,
        events: &[AlarmEvent],
        now: DateTime<Utc>,
        out: &mut Vec<Decision>,
        errors: &mut Vec<(usize, Error)>,
    ) {
        self.batch_core(events, now, out, errors, None);
    }

    /// [`Self::ingest_batch_into`] that also tells which event each decision is for: for each
    /// accepted event, in order, `ends` gets its index in `events` and the length of `out`
    /// after its decisions (they are `out[end of the previous entry..end]`; the first starts at
    /// the length `out` had). Same decisions as [`Self::ingest_batch_into`].
    pub fn ingest_batch_into_marked(
        &mut self,
        events: &[AlarmEvent],
        now: DateTime<Utc>,
        out: &mut Vec<Decision>,
        errors: &mut Vec<(usize, Error)>,
        ends: &mut Vec<(usize, usize)>,
    ) {
        self.batch_core(events, now, out, errors, Some(ends));
    }

    fn batch_core(
        &mut self,
        events: &[AlarmEvent],
        now: DateTime<Utc>,
        out: &mut Vec<Decision>,
        errors: &mut Vec<(usize, Error)>,
        mut ends: Option<&mut Vec<(usize, usize)>>,
    ) {
        const AHEAD: usize = 8;
        let mut plan = std::mem::take(&mut self.batch_plan);
        plan.clear();
        let n = events.len();
        for e in events {
            let c = self.classify(e, now);
            let fp = match &c {
                Ok(Classified {
                    action: MappingAction::Raise,
                    severity,
                    source,
                    ..
                }) => {
                    let view = EventView {
                        e,
                        alarm_type: e.alarm_type(),
                        severity: *severity,
                        source: *source,
                        status: AlarmStatus::Active,
                        occurrences: 1,
                    };
                    Some(self.key_fp(&view))
                }
                _ => None,
            };
            plan.push((c, fp));
        }
        for (_, fp) in plan.iter().take(AHEAD) {
            if let Some((h1, _)) = fp {
                self.keys.prefetch(*h1);
            }
        }
        for i in 0..n {
            if i + AHEAD < n
                && let Some((h1, _)) = plan[i + AHEAD].1
            {
                self.keys.prefetch(h1);
            }
            if i + AHEAD / 2 < n
                && let Some((h1, _)) = plan[i + AHEAD / 2].1
                && let Some(s) = self.keys.peek(h1)
            {
                prefetch_read(&self.hot[s as usize]);
            }
            match std::mem::replace(
                &mut plan[i].0,
                Ok(Classified {
                    action: MappingAction::Clear,
                    severity: Severity::Cleared,
                    source: AlarmSource::System,
                    t: 0,
                }),
            ) {
                Ok(c) => {
                    self.process(&events[i], c, plan[i].1, out);
                    self.finish_event(out);
                    if let Some(ends) = ends.as_deref_mut() {
                        ends.push((i, out.len()));
                    }
                }
                Err(err) => errors.push((i, err)),
            }
        }
        plan.clear();
        self.batch_plan = plan;
    }

    /// The mapping row of an event type as (action, severity, source), memoized for the last
    /// event type seen (storms repeat event types; the mapping table never changes).
    #[inline]
    fn mapping_of(
        &mut self,
        event_type: &str,
    ) -> Option<(MappingAction, Option<Severity>, AlarmSource)> {
        let b = event_type.as_bytes();
        let i = b.last().map_or(0, |&l| (b.len() ^ l as usize) & 3);
        let memo = &mut self.mapping_memo[i];
        if memo.2 && short_eq(memo.0.as_bytes(), b) {
            return memo.1;
        }
        let m = self
            .mapping
            .get(event_type)
            .map(|m| (m.action, m.severity, m.source));
        memo.0.clear();
        memo.0.push_str(event_type);
        memo.1 = m;
        memo.2 = true;
        m
    }

    /// `at.timestamp_micros()`, with the start of the day memoized (events of a storm share
    /// their day).
    #[inline]
    fn micros(&mut self, at: DateTime<Utc>) -> i64 {
        use chrono::Timelike;
        let n = at.naive_utc();
        let d = n.date();
        if self.day_memo.0 != d {
            self.day_memo = (
                d,
                d.and_time(chrono::NaiveTime::MIN)
                    .and_utc()
                    .timestamp_micros(),
            );
        }
        let time = n.time();
        self.day_memo.1
            + time.num_seconds_from_midnight() as i64 * 1_000_000
            + (time.nanosecond() / 1_000) as i64
    }

    fn classify(&mut self, e: &AlarmEvent, now: DateTime<Utc>) -> Result<Classified> {
        if e.tenant_id.is_empty() {
            return Err(Error::validation("Event tenant_id must not be empty"));
        }
        if e.event_type.is_empty() {
            return Err(Error::validation("Event event_type must not be empty"));
        }
        let t = self.micros(e.occurred_at);
        if self.now_memo.0 != now {
            self.now_memo = (now, now.timestamp_micros());
        }
        if let Some(skew) = self.max_skew_us
            && t > self.now_memo.1 + skew
        {
            return Err(Error::validation(format!(
                "Event occurred_at {} is more than {} s after now ({})",
                e.occurred_at.to_rfc3339(),
                skew / 1_000_000,
                now.to_rfc3339()
            )));
        }
        let (action, severity, source) = match self.mapping_of(&e.event_type) {
            Some((m_action, m_severity, m_source)) => match m_action {
                MappingAction::Raise => (
                    MappingAction::Raise,
                    e.severity.or(m_severity).unwrap_or(Severity::Major),
                    e.source.unwrap_or(m_source),
                ),
                MappingAction::Clear => (
                    MappingAction::Clear,
                    Severity::Cleared,
                    e.source.unwrap_or(m_source),
                ),
            },
            None => match e.severity {
                Some(Severity::Cleared) => (
                    MappingAction::Clear,
                    Severity::Cleared,
                    e.source.unwrap_or_default(),
                ),
                Some(s) => (MappingAction::Raise, s, e.source.unwrap_or_default()),
                None => {
                    return Err(Error::validation(format!(
                        "Unknown event type '{}': not in the mapping table and no severity given",
                        e.event_type
                    )));
                }
            },
        };
        let (action, severity) = if action == MappingAction::Raise && severity == Severity::Cleared
        {
            (MappingAction::Clear, Severity::Cleared)
        } else {
            (action, severity)
        };
        Ok(Classified {
            action,
            severity,
            source,
            t,
        })
    }

    fn process(
        &mut self,
        e: &AlarmEvent,
        Classified {
            action,
            severity,
            source,
            t,
        }: Classified,
        fp: Option<(u64, u64)>,
        out: &mut Vec<Decision>,
    ) {
        if t > self.watermark {
            self.watermark = t;
            if let Some(Reverse(top)) = self.timers.peek()
                && top.at <= t
            {
                self.run_timers(t, out);
            }
        }
        self.events_ingested += 1;
        match action {
            MappingAction::Raise => self.raise(e, t, severity, source, fp, out),
            MappingAction::Clear => self.clear_event(e, t, source, out),
        }
    }

    /// Fire the timers due at `now` (maintenance ends, unacknowledged timeouts, flapping quiet
    /// periods, group closes).
    pub fn tick(&mut self, now: DateTime<Utc>) -> Vec<Decision> {
        let mut out = Vec::new();
        let t = now.timestamp_micros();
        if t > self.watermark {
            self.watermark = t;
        }
        self.run_timers(t, &mut out);
        out
    }

    /// Number of raised alarms in the working set.
    pub fn active_count(&self) -> usize {
        self.live
    }

    /// Raise events ingested so far (accepted ones).
    pub fn events_ingested(&self) -> u64 {
        self.events_ingested
    }

    /// The working-set view of an alarm.
    pub fn alarm_state(&self, id: Uuid) -> Option<AlarmState> {
        let s = self.slot_of(id).ok()?;
        Some(self.state_of(s))
    }

    /// All alarms in the working set, ordered by first occurrence then reduction key.
    pub fn alarm_states(&self) -> Vec<AlarmState> {
        let mut v: Vec<(i64, std::borrow::Cow<'_, str>, u32)> = (0..self.hot.len() as u32)
            .filter(|&s| self.hot[s as usize].flags & F_LIVE != 0)
            .map(|s| (self.hot[s as usize].first_us, self.key_of(s), s))
            .collect();
        v.sort();
        v.into_iter().map(|(_, _, s)| self.state_of(s)).collect()
    }

    /// Find the working-set alarm of a reduction key.
    pub fn find_by_key(&self, reduction_key: &str) -> Option<Uuid> {
        let (h1, h2) = key_fingerprint(reduction_key);
        self.lookup(h1, h2).map(|s| self.hot[s as usize].id)
    }

    fn state_of(&self, s: u32) -> AlarmState {
        let h = &self.hot[s as usize];
        let c = &self.cold[s as usize];
        AlarmState {
            id: h.id,
            reduction_key: self.key_of(s).into_owned(),
            status: h.status,
            severity: h.severity,
            occurrence_count: h.occurrences,
            parent_id: (c.parent != NONE).then(|| self.hot[c.parent as usize].id),
            child_count: c.child_count,
            is_root_cause: h.flags & F_ROOT != 0,
            correlation_id: c.correlation_id,
            is_flapping: h.flags & F_FLAPPING != 0,
            flap_count: c.flap_count,
            ticket_requested: h.flags & F_TICKET != 0,
        }
    }

    /// Operator acknowledgement of an alarm in the working set.
    pub fn acknowledge(&mut self, id: Uuid, by: &str, at: DateTime<Utc>) -> Result<Vec<Decision>> {
        let s = self.slot_of(id)?;
        let h = &mut self.hot[s as usize];
        match h.status {
            AlarmStatus::Active => h.status = AlarmStatus::Acknowledged,
            AlarmStatus::Suppressed if self.cold[s as usize].restore == AlarmStatus::Active => {
                self.cold[s as usize].restore = AlarmStatus::Acknowledged
            }
            st => {
                return Err(Error::InvalidTransition {
                    alarm_id: id,
                    action: "acknowledge",
                    status: st.as_str(),
                });
            }
        }
        Ok(vec![Decision::Acknowledged {
            alarm_id: id,
            status: h.status,
            by: by.to_string(),
            at,
        }])
    }

    /// Operator clear: the alarm leaves the working set, its children are released.
    pub fn clear(&mut self, id: Uuid, by: &str, at: DateTime<Utc>) -> Result<Vec<Decision>> {
        let s = self.slot_of(id)?;
        if !self.hot[s as usize].status.is_raised() {
            return Err(Error::InvalidTransition {
                alarm_id: id,
                action: "clear",
                status: self.hot[s as usize].status.as_str(),
            });
        }
        let mut out = Vec::new();
        let t = at.timestamp_micros();
        let fc = self.record_flap(s, t);
        out.push(Decision::Cleared {
            alarm_id: id,
            cleared_at: at,
            cleared_by: Some(by.to_string()),
            raised_severity: self.hot[s as usize].raised,
            flap_count: fc,
        });
        self.release_children(s, &mut out);
        self.remove_slot(s);
        Ok(out)
    }

    /// Operator resolution: the alarm leaves the working set, its children are released.
    pub fn resolve(&mut self, id: Uuid, by: &str, at: DateTime<Utc>) -> Result<Vec<Decision>> {
        let s = self.slot_of(id)?;
        let mut out = vec![Decision::Resolved {
            alarm_id: id,
            by: by.to_string(),
            at,
        }];
        self.release_children(s, &mut out);
        self.remove_slot(s);
        Ok(out)
    }

    /// Record that the alarm got a ticket (no trigger will request another).
    pub fn link_ticket(&mut self, id: Uuid) -> Result<()> {
        let s = self.slot_of(id)?;
        self.hot[s as usize].flags |= F_TICKET;
        Ok(())
    }

    /// An SLA breach concerning the alarm: requests a ticket when the trigger is on.
    pub fn sla_breached(&mut self, id: Uuid, breach_id: Option<Uuid>) -> Result<Vec<Decision>> {
        let s = self.slot_of(id)?;
        let mut out = Vec::new();
        if self.triggers.enabled && self.triggers.sla_breach {
            self.request_ticket(s, TicketTrigger::SlaBreach { breach_id }, &mut out);
        }
        Ok(out)
    }

    fn slot_of(&self, id: Uuid) -> Result<u32> {
        let hint = slot_hint(id);
        if let Some(h) = self.hot.get(hint as usize)
            && h.id == id
            && h.flags & F_LIVE != 0
        {
            return Ok(hint);
        }
        self.by_id.get(&id).copied().ok_or(Error::AlarmNotFound(id))
    }

    /// Add topology edges for a tenant, all or nothing. Cycles, self-loops and second parents are
    /// rejected with a clear error.
    pub fn add_topology_edges(&mut self, tenant: &str, edges: &[TopologyEdge]) -> Result<()> {
        let ts = self.syms.intern(tenant);
        let mut added: Vec<(u64, u64)> = Vec::new();
        for e in edges {
            let p = self.node_key(ts, &e.parent);
            let c = self.node_key(ts, &e.child);
            match self.topology.add_edge(p, c) {
                Ok(true) => added.push((p, c)),
                Ok(false) => {}
                Err(err) => {
                    for (p, c) in added.into_iter().rev() {
                        self.topology.remove_edge(p, c);
                    }
                    return Err(match err {
                        EdgeError::SelfLoop => Error::validation(format!(
                            "Topology edge {} -> {} links a resource to itself",
                            e.parent, e.child
                        )),
                        EdgeError::HasParent(other) => Error::Conflict(format!(
                            "Resource {} already has parent {}; remove that edge first",
                            e.child,
                            self.node_name(other)
                        )),
                        EdgeError::Cycle(path) => Error::TopologyCycle {
                            parent: e.parent.clone(),
                            child: e.child.clone(),
                            path: path
                                .iter()
                                .map(|&n| self.node_name(n).to_string())
                                .collect::<Vec<_>>()
                                .join(" -> "),
                        },
                    });
                }
            }
        }
        Ok(())
    }

    /// Remove topology edges; returns how many existed.
    pub fn remove_topology_edges(&mut self, tenant: &str, edges: &[TopologyEdge]) -> usize {
        let Some(ts) = self.syms.get(tenant) else {
            return 0;
        };
        let mut n = 0;
        for e in edges {
            let (Some(p), Some(c)) = (self.syms.get(&e.parent), self.syms.get(&e.child)) else {
                continue;
            };
            let pk = ((ts.0 as u64) << 32) | p.0 as u64;
            let ck = ((ts.0 as u64) << 32) | c.0 as u64;
            if self.topology.remove_edge(pk, ck) {
                n += 1;
            }
        }
        n
    }

    /// The topology graph.
    pub fn topology(&self) -> &Topology {
        &self.topology
    }

    fn node_key(&mut self, tenant: Sym, resource: &str) -> u64 {
        ((tenant.0 as u64) << 32) | self.syms.intern(resource).0 as u64
    }

    fn node_name(&self, node: u64) -> &str {
        self.syms.resolve(Sym(node as u32))
    }

    /// Add a maintenance window (validated). Alarms raised in scope while it runs are suppressed.
    pub fn add_maintenance_window(&mut self, w: MaintenanceWindow) -> Result<()> {
        w.validate()?;
        if self.window_ids.contains_key(&w.id) {
            return Err(Error::Conflict(format!(
                "Maintenance window {} already exists",
                w.id
            )));
        }
        let idx = self.windows.len() as u32;
        let tenant = self.syms.intern(&w.tenant_id);
        for r in &w.scope.resources {
            let k = self.node_key(tenant, r);
            self.win_by_node.entry(k).or_default().push(idx);
        }
        for r in &w.scope.resource_types {
            let s = self.syms.intern(r);
            self.win_by_rtype.entry((tenant, s)).or_default().push(idx);
        }
        for r in &w.scope.customers {
            let s = self.syms.intern(r);
            self.win_by_customer
                .entry((tenant, s))
                .or_default()
                .push(idx);
        }
        if !w.scope.labels.is_empty() {
            self.win_by_label.entry(tenant).or_default().push(idx);
        }
        let end_us = w.end.timestamp_micros();
        let cancelled = w.status == MaintenanceStatus::Cancelled;
        self.window_ids.insert(w.id, idx);
        self.windows.push(WindowState {
            tenant,
            start_us: w.start.timestamp_micros(),
            end_us,
            members: Vec::new(),
            ended: cancelled,
            w,
        });
        if !cancelled {
            self.open_windows += 1;
            self.push_timer(end_us, TimerKind::MaintEnd, idx as u64, 0);
        }
        Ok(())
    }

    /// Cancel a window now: alarms it suppressed return to their previous status.
    pub fn cancel_maintenance_window(&mut self, id: Uuid) -> Result<Vec<Decision>> {
        let &idx = self
            .window_ids
            .get(&id)
            .ok_or_else(|| Error::NotFound(format!("Maintenance window {id} not found")))?;
        let mut out = Vec::new();
        self.windows[idx as usize].w.status = MaintenanceStatus::Cancelled;
        self.end_window(idx, &mut out);
        Ok(out)
    }

    /// The maintenance windows known to the correlator, with their stored status.
    pub fn maintenance_windows(&self) -> impl Iterator<Item = &MaintenanceWindow> {
        self.windows.iter().map(|w| &w.w)
    }

    // ---------------------------------------------------------------- key handling

    #[inline]
    fn lookup(&self, h1: u64, h2: u64) -> Option<u32> {
        self.keys.find(h1, h2, &self.hot)
    }

    /// The template rule whose key applies to `v`, if any.
    #[inline]
    fn key_rule(&self, v: &EventView<'_>) -> Option<u32> {
        if !self.has_key_rules {
            return None;
        }
        let b = self.by_type.get(v.alarm_type);
        let cands = b.map(|b| b.key.as_slice()).unwrap_or(&[]);
        cands
            .iter()
            .chain(self.wild.key.iter())
            .copied()
            .find(|&r| self.rules[r as usize].subject().matches(v))
    }

    /// The fingerprint of the reduction key of `view`. The default key is hashed from its parts
    /// without being written out (unless a part needs escaping); `self.scratch` is clobbered.
    #[inline]
    fn key_fp(&mut self, v: &EventView<'_>) -> (u64, u64) {
        let rule = self.key_rule(v);
        if rule.is_none() {
            let e = v.e;
            return default_key_fingerprint(
                &e.tenant_id,
                v.source,
                v.alarm_type,
                e.resource_type.as_deref().unwrap_or(""),
                e.resource_id.as_deref().unwrap_or(""),
            );
        }
        self.write_key_with(v, rule);
        key_fingerprint(&self.scratch)
    }

    /// Writes the reduction key of `view` into `self.scratch` (and whether it came from a
    /// template into `self.scratch_templated`).
    fn write_key(&mut self, v: &EventView<'_>) {
        let rule = self.key_rule(v);
        self.write_key_with(v, rule);
    }

    fn write_key_with(&mut self, v: &EventView<'_>, rule: Option<u32>) {
        let mut buf = std::mem::take(&mut self.scratch);
        buf.clear();
        match rule {
            Some(r) => self.rules[r as usize]
                .key_template
                .as_ref()
                .expect("key bucket has templates")
                .render_into(v, &mut buf),
            None => {
                let e = v.e;
                write_default_key(
                    &mut buf,
                    &e.tenant_id,
                    v.source,
                    v.alarm_type,
                    e.resource_type.as_deref(),
                    e.resource_id.as_deref(),
                );
            }
        }
        self.scratch = buf;
        self.scratch_templated = rule.is_some();
    }

    fn alloc(&mut self, mut hot: Hot, cold: Cold) -> u32 {
        self.live += 1;
        match self.free.pop() {
            Some(i) => {
                hot.epoch = self.hot[i as usize].epoch.wrapping_add(1);
                self.hot[i as usize] = hot;
                self.cold[i as usize] = cold;
                i
            }
            None => {
                self.hot.push(hot);
                self.cold.push(cold);
                (self.hot.len() - 1) as u32
            }
        }
    }

    fn index_slot(&mut self, s: u32) {
        let h1 = self.cold[s as usize].h1;
        self.keys.insert(h1, s);
        if slot_hint(self.hot[s as usize].id) != s {
            self.by_id.insert(self.hot[s as usize].id, s);
        }
        let node = self.cold[s as usize].node;
        if node != NO_NODE {
            let head = self.by_node.insert(node, s).unwrap_or(NONE);
            self.cold[s as usize].res_next = head;
            self.cold[s as usize].res_prev = NONE;
            if head != NONE {
                self.cold[head as usize].res_prev = s;
            }
        }
    }

    fn remove_slot(&mut self, s: u32) {
        let si = s as usize;
        // key chain
        let h1 = self.cold[si].h1;
        self.keys.remove(h1, s);
        if !self.by_id.is_empty() {
            self.by_id.remove(&self.hot[si].id);
        }
        // resource list
        let (prev, nxt, node) = (
            self.cold[si].res_prev,
            self.cold[si].res_next,
            self.cold[si].node,
        );
        if node != NO_NODE {
            if prev == NONE {
                if nxt == NONE {
                    self.by_node.remove(&node);
                } else {
                    self.by_node.insert(node, nxt);
                }
            } else {
                self.cold[prev as usize].res_next = nxt;
            }
            if nxt != NONE {
                self.cold[nxt as usize].res_prev = prev;
            }
        }
        // parent link
        if self.cold[si].parent != NONE {
            self.unlink_child(s);
        }
        // tenant parent sets
        let tenant = self.cold[si].tenant;
        let key_us = self.hot[si].first_us;
        for i in 0..self.rule_sets[self.cold[si].roles as usize].0.len() {
            let r = self.rule_sets[self.cold[si].roles as usize].0[i];
            if let Some(set) = self.parents_tenant.get_mut(&(r, tenant)) {
                set.remove(&(key_us, s));
                if set.is_empty() {
                    self.parents_tenant.remove(&(r, tenant));
                }
            }
        }
        self.escalated.remove(&s);
        let c = &mut self.cold[si];
        c.key = None;
        c.labels = Box::new([]);
        self.hot[si].flags = 0;
        self.hot[si].epoch = self.hot[si].epoch.wrapping_add(1);
        self.free.push(s);
        self.live -= 1;
    }

    #[inline]
    fn valid(&self, r: u64) -> Option<u32> {
        let s = r as u32;
        let h = self.hot.get(s as usize)?;
        (h.epoch == (r >> 32) as u32 && h.flags & F_LIVE != 0).then_some(s)
    }

    /// A UUID v7 whose last four bytes hint at the slot (`NONE` for non-alarm ids).
    fn next_id(&mut self, t_us: i64, slot: u32) -> Uuid {
        self.counter += 1;
        let r = splitmix(self.id_seed ^ splitmix(self.counter));
        let mut b = [0u8; 10];
        b[..6].copy_from_slice(&r.to_le_bytes()[..6]);
        b[6..].copy_from_slice(&slot.to_le_bytes());
        let ms = (t_us.div_euclid(1000)).max(0) as u64;
        uuid::Builder::from_unix_timestamp_millis(ms, &b).into_uuid()
    }

    fn push_timer(&mut self, at: i64, kind: TimerKind, a: u64, b: u64) {
        self.timer_seq += 1;
        self.timers.push(Reverse(Timer {
            at,
            seq: self.timer_seq,
            kind,
            a,
            b,
        }));
    }

    fn unack_timeout_us(&self) -> Option<i64> {
        if self.triggers.enabled {
            self.triggers
                .unacknowledged_timeout_secs
                .map(|s| s as i64 * 1_000_000)
        } else {
            None
        }
    }

    // ---------------------------------------------------------------- raise / clear

    fn raise(
        &mut self,
        e: &AlarmEvent,
        t: i64,
        severity: Severity,
        source: AlarmSource,
        fp: Option<(u64, u64)>,
        out: &mut Vec<Decision>,
    ) {
        let view = EventView {
            e,
            alarm_type: e.alarm_type(),
            severity,
            source,
            status: AlarmStatus::Active,
            occurrences: 1,
        };
        let (h1, h2) = match fp {
            Some(fp) => fp,
            None => self.key_fp(&view),
        };
        let Some(s) = self.lookup(h1, h2) else {
            // a new alarm: write its key out
            self.write_key(&view);
            self.create(e, &view, h1, h2, t, out);
            return;
        };
        let si = s as usize;
        let h = &mut self.hot[si];
        h.occurrences = h.occurrences.saturating_add(1);
        if t > h.last_us {
            h.last_us = t;
        }
        if h.status.is_raised() {
            let floor = h.floor;
            let new_sev = severity.max(floor);
            let changed = new_sev != h.severity;
            h.severity = new_sev;
            h.raised = new_sev;
            let (id, occ, sev, subs, status) =
                (h.id, h.occurrences, h.severity, h.subscribers, h.status);
            out.push(Decision::Deduplicated {
                alarm_id: id,
                occurrence_count: occ,
                last_occurrence: e.occurred_at,
                severity: sev,
                severity_changed: changed,
            });
            if changed
                && status != AlarmStatus::Suppressed
                && self.triggers.enabled
                && let Some(tr) = self.triggers.on_raise(sev, subs)
            {
                self.request_ticket(s, tr, out);
            }
            if self.has_escalation {
                self.escalate(s, &view, out);
            }
        } else {
            // a flapping alarm that is currently cleared: re-raise the same alarm
            h.status = AlarmStatus::Active;
            h.severity = severity;
            h.raised = severity;
            let (id, occ) = (h.id, h.occurrences);
            let c = &mut self.cold[si];
            c.last_flap_us = t;
            let old_raised = c.raised_us;
            c.raised_us = t;
            let _ = old_raised;
            out.push(Decision::Flapping {
                alarm_id: id,
                flap_count: c.flap_count,
                status: AlarmStatus::Active,
                severity,
                occurrence_count: occ,
                at: e.occurred_at,
            });
            if !self.rule_sets[self.cold[si].roles as usize].0.is_empty() {
                self.adopt(s, out);
            }
        }
    }

    #[inline]
    fn intern_memo(&mut self, k: usize, s: &str) -> Sym {
        let m = self.sym_memo[k];
        if m != NO_SYM && self.syms.resolve(m) == s {
            return m;
        }
        let v = self.syms.intern(s);
        self.sym_memo[k] = v;
        v
    }

    fn intern_roles(&mut self, parent: &[u32], child: &[u32]) -> u32 {
        if parent.is_empty() && child.is_empty() {
            return 0;
        }
        let mut h = FxHasher::default();
        for &x in parent {
            h.write_u32(x);
        }
        h.write_u32(u32::MAX);
        for &x in child {
            h.write_u32(x);
        }
        let key = h.finish();
        if let Some(cands) = self.rule_set_ids.get(&key) {
            for &i in cands {
                let (p, c) = &self.rule_sets[i as usize];
                if **p == *parent && **c == *child {
                    return i;
                }
            }
        }
        let i = self.rule_sets.len() as u32;
        self.rule_sets.push((parent.into(), child.into()));
        self.rule_set_ids.entry(key).or_default().push(i);
        i
    }

    fn rule_memberships(
        &self,
        alarm_type: &str,
        v: &impl FieldSource,
        parent_rules: &mut Vec<u32>,
        child_rules: &mut Vec<u32>,
    ) {
        if !self.any_rules {
            return;
        }
        let b = self.by_type.get(alarm_type);
        let empty = Bucket::default();
        let b = b.unwrap_or(&empty);
        for &r in b.parent.iter().chain(self.wild.parent.iter()) {
            if let RuleShape::ParentChild { parent, .. } = &self.rules[r as usize].shape
                && parent.matches(v)
            {
                parent_rules.push(r);
            }
        }
        for &r in b.child.iter().chain(self.wild.child.iter()) {
            if let RuleShape::ParentChild { child, .. } = &self.rules[r as usize].shape
                && child.matches(v)
            {
                child_rules.push(r);
            }
        }
        parent_rules.sort_unstable();
        parent_rules.dedup();
        child_rules.sort_unstable();
        child_rules.dedup();
    }

    fn create(
        &mut self,
        e: &AlarmEvent,
        v: &EventView<'_>,
        h1: u64,
        h2: u64,
        t: i64,
        out: &mut Vec<Decision>,
    ) {
        let start = out.len();
        let next_slot = self.free.last().copied().unwrap_or(self.hot.len() as u32);
        let id = self.next_id(t, next_slot);
        let (mut parent_rules, mut child_rules) = std::mem::take(&mut self.role_scratch);
        parent_rules.clear();
        child_rules.clear();
        self.rule_memberships(v.alarm_type, v, &mut parent_rules, &mut child_rules);
        let roles = self.intern_roles(&parent_rules, &child_rules);
        self.role_scratch = (parent_rules, child_rules);
        let flap_count = if self.flapping.enabled && !self.flap_hist.is_empty() {
            self.flap_hist
                .get_mut(&(h1, h2))
                .map_or(0, |fh| fh.count_at(t, self.flap_window_us))
        } else {
            0
        };
        let tenant = self.intern_memo(0, &e.tenant_id);
        let resource = self.syms.intern_opt(e.resource_id.as_deref());
        let node = if resource == NO_SYM {
            NO_NODE
        } else {
            ((tenant.0 as u64) << 32) | resource.0 as u64
        };
        let labels: Box<[(Sym, Sym)]> = if e.labels.is_empty() {
            Box::new([])
        } else {
            e.labels
                .iter()
                .map(|(k, v)| (self.syms.intern(k), self.syms.intern(v)))
                .collect()
        };
        let key: Option<Box<str>> = self.scratch_templated.then(|| self.scratch.as_str().into());
        let alarm_type = self.intern_memo(1, v.alarm_type);
        let resource_type = match e.resource_type.as_deref() {
            Some(r) => self.intern_memo(2, r),
            None => NO_SYM,
        };
        let customer = self.syms.intern_opt(e.customer_id.as_deref());
        let s = self.alloc(
            Hot {
                h2,
                id,
                first_us: t,
                last_us: t,
                occurrences: 1,
                subscribers: e.subscriber_count,
                epoch: 0,
                severity: v.severity,
                raised: v.severity,
                status: AlarmStatus::Active,
                flags: F_LIVE,
                floor: Severity::Cleared,
            },
            Cold {
                key,
                h1,
                tenant,
                alarm_type,
                resource_type,
                resource,
                customer,
                source: v.source,
                restore: AlarmStatus::Active,
                node,
                res_prev: NONE,
                res_next: NONE,
                parent: NONE,
                parent_rule: NONE,
                first_child: NONE,
                next_sib: NONE,
                prev_sib: NONE,
                child_count: 0,
                flap_count,
                maint: NONE,
                raised_us: t,
                last_flap_us: t,
                correlation_id: None,
                labels,
                roles,
            },
        );
        self.index_slot(s);
        if self.any_rules {
            self.apply_flat_rules(s, v, t, out);
        }
        if self.open_windows > 0 {
            self.check_maintenance(s, e, t, out);
        }
        if !self.rule_sets[self.cold[s as usize].roles as usize]
            .1
            .is_empty()
            && let Some((p, r)) = self.find_parent(s)
        {
            self.attach(s, p, r, out);
        }
        self.register_roles(s);
        if !self.rule_sets[self.cold[s as usize].roles as usize]
            .0
            .is_empty()
        {
            self.adopt(s, out);
        }
        if self.has_escalation {
            self.escalate(s, v, out);
        }
        if self.triggers.enabled {
            let h = self.hot[s as usize];
            if h.status != AlarmStatus::Suppressed
                && let Some(tr) = self.triggers.on_raise(h.severity, h.subscribers)
            {
                self.request_ticket(s, tr, out);
            }
            if let Some(to) = self.unack_timeout_us()
                && self.hot[s as usize].flags & F_TICKET == 0
            {
                self.push_timer(
                    t + to,
                    TimerKind::Unack,
                    mkref(s, self.hot[s as usize].epoch),
                    0,
                );
            }
        }
        self.created = Some(PendingCreated {
            at: start,
            slot: s,
            source: v.source,
            key: self.scratch.as_str().into(),
            first: e.occurred_at,
        });
    }

    /// Completes the event just processed: inserts the `Created` decision of the alarm it
    /// created (if any) with the alarm's state after the event.
    #[inline]
    fn finish_event(&mut self, out: &mut Vec<Decision>) {
        let Some(p) = self.created.take() else {
            return;
        };
        let h = &self.hot[p.slot as usize];
        let c = &self.cold[p.slot as usize];
        let alarm = NewAlarm {
            id: h.id,
            reduction_key: p.key,
            severity: h.severity,
            raised_severity: h.raised,
            status: h.status,
            status_before_suppression: (h.status == AlarmStatus::Suppressed).then_some(c.restore),
            source: p.source,
            parent_alarm_id: (c.parent != NONE).then(|| self.hot[c.parent as usize].id),
            child_count: c.child_count,
            is_root_cause: h.flags & F_ROOT != 0,
            correlation_id: c.correlation_id,
            first_occurrence: p.first,
            occurrence_count: h.occurrences,
            is_flapping: h.flags & F_FLAPPING != 0,
            flap_count: c.flap_count,
        };
        out.insert(p.at, Decision::Created { alarm });
    }

    fn clear_event(
        &mut self,
        e: &AlarmEvent,
        t: i64,
        source: AlarmSource,
        out: &mut Vec<Decision>,
    ) {
        // the alarm types this clear applies to
        let mut targets: Vec<(String, AlarmSource)> = Vec::new();
        if let Some(at) = &e.alarm_type {
            targets.push((at.clone(), source));
        } else {
            let cleared: Vec<(String, AlarmSource)> = self
                .mapping
                .cleared_by(&e.event_type)
                .map(|m| (m.event_type.clone(), e.source.unwrap_or(m.source)))
                .collect();
            if cleared.is_empty() {
                targets.push((e.event_type.clone(), source));
            } else {
                targets = cleared;
            }
        }
        for (at, src) in targets {
            let view = EventView {
                e,
                alarm_type: &at,
                severity: Severity::Cleared,
                source: src,
                status: AlarmStatus::Cleared,
                occurrences: 0,
            };
            let (h1, h2) = self.key_fp(&view);
            if let Some(s) = self.lookup(h1, h2) {
                self.clear_slot(s, e.occurred_at, t, out);
            }
        }
    }

    /// Records a clear in the key's flap history; returns the cycle count.
    fn record_flap(&mut self, s: u32, t: i64) -> u32 {
        if !self.flapping.enabled {
            return 0;
        }
        let key = (self.cold[s as usize].h1, self.hot[s as usize].h2);
        let w = self.flap_window_us;
        let n = self.flap_hist.entry(key).or_default().record_clear(t, w);
        self.cold[s as usize].flap_count = n;
        self.push_timer(t + w, TimerKind::FlapHistory, key.0, key.1);
        n
    }

    fn clear_slot(&mut self, s: u32, at: DateTime<Utc>, t: i64, out: &mut Vec<Decision>) {
        let si = s as usize;
        if !self.hot[si].status.is_raised() {
            return; // flapping alarm already cleared: nothing to do
        }
        let flapping = self.hot[si].flags & F_FLAPPING != 0;
        let n = self.record_flap(s, t);
        let id = self.hot[si].id;
        if flapping || (self.flapping.enabled && n >= self.flapping.threshold) {
            let h = &mut self.hot[si];
            if h.severity != Severity::Cleared {
                h.raised = h.severity;
            }
            h.severity = Severity::Cleared;
            h.status = AlarmStatus::Cleared;
            let newly = h.flags & F_FLAPPING == 0;
            h.flags |= F_FLAPPING;
            let occ = h.occurrences;
            let epoch = h.epoch;
            self.cold[si].last_flap_us = t;
            out.push(Decision::Flapping {
                alarm_id: id,
                flap_count: n,
                status: AlarmStatus::Cleared,
                severity: Severity::Cleared,
                occurrence_count: occ,
                at,
            });
            if newly {
                self.push_timer(
                    t + self.flap_quiet_us,
                    TimerKind::FlapQuiet,
                    mkref(s, epoch),
                    0,
                );
            }
            return;
        }
        out.push(Decision::Cleared {
            alarm_id: id,
            cleared_at: at,
            cleared_by: None,
            raised_severity: self.hot[si].raised,
            flap_count: n,
        });
        self.release_children(s, out);
        self.remove_slot(s);
    }

    // ---------------------------------------------------------------- correlation

    fn field_sym(&self, s: u32, f: &Field) -> Sym {
        let c = &self.cold[s as usize];
        match f {
            Field::TenantId => c.tenant,
            Field::Source => Sym(0x8000_0000 | c.source as u32),
            Field::AlarmType => c.alarm_type,
            Field::ResourceType => c.resource_type,
            Field::ResourceId => c.resource,
            Field::CustomerId => c.customer,
            Field::Label(l) => match self.syms.get(l) {
                Some(k) => c
                    .labels
                    .iter()
                    .find(|(x, _)| *x == k)
                    .map_or(NO_SYM, |p| p.1),
                None => NO_SYM,
            },
            _ => NO_SYM,
        }
    }

    fn equal_ok(&self, rule: &CompiledRule, a: u32, b: u32) -> bool {
        rule.equal.iter().all(|f| {
            let x = self.field_sym(a, f);
            x != NO_SYM && x == self.field_sym(b, f)
        })
    }

    /// (first occurrence, key) order: smaller is the better parent.
    fn parent_cmp(&self, a: u32, b: u32) -> std::cmp::Ordering {
        self.hot[a as usize]
            .first_us
            .cmp(&self.hot[b as usize].first_us)
            .then_with(|| self.key_of(a).cmp(&self.key_of(b)))
    }

    /// True when `a` is a better parent than `b`.
    #[inline]
    fn parent_before(&self, a: u32, b: u32) -> bool {
        self.parent_cmp(a, b) == std::cmp::Ordering::Less
    }

    /// The reduction key of a slot (rebuilt from the interned fields for default keys).
    fn key_of(&self, s: u32) -> std::borrow::Cow<'_, str> {
        let c = &self.cold[s as usize];
        match &c.key {
            Some(k) => std::borrow::Cow::Borrowed(k),
            None => {
                let mut b = String::with_capacity(48);
                write_default_key(
                    &mut b,
                    self.syms.resolve(c.tenant),
                    c.source,
                    self.syms.resolve(c.alarm_type),
                    Some(self.syms.resolve(c.resource_type)),
                    Some(self.syms.resolve(c.resource)),
                );
                std::borrow::Cow::Owned(b)
            }
        }
    }

    fn eligible_parent(&self, p: u32, r: u32, c: u32) -> bool {
        if p == c {
            return false;
        }
        let hp = &self.hot[p as usize];
        let cp = &self.cold[p as usize];
        if hp.flags & F_LIVE == 0 || !hp.status.is_raised() || cp.parent != NONE {
            return false;
        }
        if !self.rule_sets[cp.roles as usize].0.contains(&r) {
            return false;
        }
        let rule = &self.rules[r as usize];
        let cc = &self.cold[c as usize];
        if cp.tenant != cc.tenant {
            return false;
        }
        (cp.raised_us - cc.raised_us).abs() <= rule.window_us && self.equal_ok(rule, p, c)
    }

    fn use_topology(&self, rule: &CompiledRule, node: u64) -> bool {
        match rule.rule.scope {
            CorrelationScope::Topology => true,
            CorrelationScope::Tenant => false,
            CorrelationScope::Auto => node != NO_NODE && self.topology.contains(node),
        }
    }

    fn find_parent(&self, c: u32) -> Option<(u32, u32)> {
        let cc = &self.cold[c as usize];
        if self.hot[c as usize].flags & F_ROOT != 0 {
            return None;
        }
        let mut best: Option<(u32, u32)> = None;
        let better = |this: &Self, best: &Option<(u32, u32)>, p: u32| match best {
            None => true,
            Some((b, _)) => this.parent_before(p, *b),
        };
        for &r in self.rule_sets[cc.roles as usize].1.iter() {
            let rule = &self.rules[r as usize];
            if self.use_topology(rule, cc.node) {
                if cc.node == NO_NODE {
                    continue;
                }
                for anc in self.topology.ancestors(cc.node) {
                    let mut p = self.by_node.get(&anc).copied().unwrap_or(NONE);
                    while p != NONE {
                        if self.eligible_parent(p, r, c) && better(self, &best, p) {
                            best = Some((p, r));
                        }
                        p = self.cold[p as usize].res_next;
                    }
                }
            } else if let Some(set) = self.parents_tenant.get(&(r, cc.tenant)) {
                let lo = cc.raised_us - rule.window_us - 31 * 86_400_000_000;
                // parents are ordered by first occurrence; the first eligible one is the best
                // unless another shares its first occurrence (then the smaller key wins)
                let mut found_at: Option<i64> = None;
                for &(first, p) in set.range((lo, 0)..) {
                    if let Some(f) = found_at
                        && first != f
                    {
                        break;
                    }
                    if self.eligible_parent(p, r, c) {
                        if better(self, &best, p) {
                            best = Some((p, r));
                        }
                        found_at = Some(first);
                    }
                }
            }
        }
        best
    }

    fn link_child(&mut self, c: u32, p: u32, r: u32) {
        let head = self.cold[p as usize].first_child;
        let cc = &mut self.cold[c as usize];
        cc.parent = p;
        cc.parent_rule = r;
        cc.prev_sib = NONE;
        cc.next_sib = head;
        if head != NONE {
            self.cold[head as usize].prev_sib = c;
        }
        self.cold[p as usize].first_child = c;
    }

    fn unlink_child(&mut self, c: u32) {
        let (p, prev, next) = {
            let cc = &self.cold[c as usize];
            (cc.parent, cc.prev_sib, cc.next_sib)
        };
        if prev == NONE {
            self.cold[p as usize].first_child = next;
        } else {
            self.cold[prev as usize].next_sib = next;
        }
        if next != NONE {
            self.cold[next as usize].prev_sib = prev;
        }
        let cc = &mut self.cold[c as usize];
        cc.parent = NONE;
        cc.parent_rule = NONE;
        cc.prev_sib = NONE;
        cc.next_sib = NONE;
    }

    fn attach(&mut self, c: u32, p: u32, r: u32, out: &mut Vec<Decision>) {
        let old = self.cold[c as usize].parent;
        if old == p {
            return;
        }
        if old != NONE {
            self.unlink_child(c);
        }
        self.link_child(c, p, r);
        let rule = &self.rules[r as usize];
        let (mark, suppress, make_corr, rkey) = (
            rule.rule.actions.mark_parent_as_root_cause,
            rule.rule.actions.suppress_child_alarms,
            rule.rule.actions.create_correlation_id,
            rule.key.clone(),
        );
        let pi = p as usize;
        self.cold[pi].child_count += 1;
        let mut announce = false;
        if make_corr && self.cold[pi].correlation_id.is_none() {
            let t = self.hot[pi].first_us;
            self.cold[pi].correlation_id = Some(self.next_id(t, NONE));
            announce = self.hot[pi].flags & F_ROOT != 0;
        }
        if mark && self.hot[pi].flags & F_ROOT == 0 {
            self.hot[pi].flags |= F_ROOT;
            announce = true;
        }
        let corr = if make_corr {
            self.cold[pi].correlation_id
        } else {
            self.cold[c as usize].correlation_id
        };
        if announce {
            out.push(Decision::RootCause {
                alarm_id: self.hot[pi].id,
                correlation_id: self.cold[pi].correlation_id,
            });
        }
        self.cold[c as usize].correlation_id = corr;
        if suppress {
            self.set_supp(c, F_SUPP_PARENT);
        } else {
            self.hot[c as usize].flags &= !F_SUPP_PARENT;
            self.maybe_restore(c);
        }
        let (cid, pid, st, pcc) = (
            self.hot[c as usize].id,
            self.hot[pi].id,
            self.hot[c as usize].status,
            self.cold[pi].child_count,
        );
        out.push(if old == NONE {
            Decision::Correlated {
                alarm_id: cid,
                parent_id: pid,
                correlation_id: corr,
                rule: rkey,
                status: st,
                parent_child_count: pcc,
            }
        } else {
            Decision::Reparented {
                alarm_id: cid,
                from_parent_id: self.hot[old as usize].id,
                parent_id: pid,
                correlation_id: corr,
                rule: rkey,
                status: st,
                parent_child_count: pcc,
            }
        });
    }

    fn set_supp(&mut self, s: u32, flag: u8) {
        let h = &mut self.hot[s as usize];
        if h.status != AlarmStatus::Suppressed {
            self.cold[s as usize].restore = h.status;
            h.status = AlarmStatus::Suppressed;
        }
        h.flags |= flag;
    }

    /// Restores the status when no suppression reason is left; true when it changed.
    fn maybe_restore(&mut self, s: u32) -> bool {
        let h = &mut self.hot[s as usize];
        if h.status == AlarmStatus::Suppressed && h.flags & F_SUPP_ANY == 0 {
            h.status = self.cold[s as usize].restore;
            true
        } else {
            false
        }
    }

    /// Registers a new alarm in the indexes used to find it later as child or parent.
    fn register_roles(&mut self, s: u32) {
        let si = s as usize;
        let node = self.cold[si].node;
        let tenant = self.cold[si].tenant;
        let r = mkref(s, self.hot[si].epoch);
        let wm = self.watermark;
        for i in 0..self.rule_sets[self.cold[si].roles as usize].1.len() {
            let rule_idx = self.rule_sets[self.cold[si].roles as usize].1[i];
            let rule = &self.rules[rule_idx as usize];
            let w = rule.window_us;
            if self.use_topology(rule, node) {
                if node == NO_NODE {
                    continue;
                }
                let mut anc = self
                    .topology
                    .ancestors(node)
                    .collect::<smallvec_lite::Stack>();
                for &a in anc.as_slice() {
                    let list = self.pending_node.entry((rule_idx, a)).or_default();
                    push_pending(list, r, &self.hot, &self.cold, wm, w);
                }
                anc.clear();
            } else {
                let list = self.pending_tenant.entry((rule_idx, tenant)).or_default();
                push_pending(list, r, &self.hot, &self.cold, wm, w);
            }
        }
        let first = self.hot[si].first_us;
        for i in 0..self.rule_sets[self.cold[si].roles as usize].0.len() {
            let rule_idx = self.rule_sets[self.cold[si].roles as usize].0[i];
            if self.rules[rule_idx as usize].rule.scope != CorrelationScope::Topology {
                self.parents_tenant
                    .entry((rule_idx, tenant))
                    .or_default()
                    .insert((first, s));
            }
        }
    }

    /// A (new or re-raised) parent looks for children that arrived before it.
    fn adopt(&mut self, p: u32, out: &mut Vec<Decision>) {
        let pi = p as usize;
        if self.cold[pi].parent != NONE {
            return;
        }
        let pref = mkref(p, self.hot[pi].epoch);
        let node = self.cold[pi].node;
        let tenant = self.cold[pi].tenant;
        for i in 0..self.rule_sets[self.cold[pi].roles as usize].0.len() {
            let r = self.rule_sets[self.cold[pi].roles as usize].0[i];
            let scope = self.rules[r as usize].rule.scope;
            if scope != CorrelationScope::Tenant
                && node != NO_NODE
                && let Some(mut list) = self.pending_node.remove(&(r, node))
            {
                self.adopt_from(p, pref, r, &mut list, out);
                self.pending_node.insert((r, node), list);
            }
            if scope != CorrelationScope::Topology
                && let Some(mut list) = self.pending_tenant.remove(&(r, tenant))
            {
                self.adopt_from(p, pref, r, &mut list, out);
                self.pending_tenant.insert((r, tenant), list);
            }
        }
    }

    fn adopt_from(
        &mut self,
        p: u32,
        pref: u64,
        r: u32,
        list: &mut PendingList,
        out: &mut Vec<Decision>,
    ) {
        let w = self.rules[r as usize].window_us;
        let from = list
            .cursors
            .iter()
            .find(|(x, _)| *x == pref)
            .map_or(0, |c| c.1 as usize);
        let mut dead = 0usize;
        for i in from..list.refs.len() {
            let Some(c) = self.valid(list.refs[i]) else {
                dead += 1;
                continue;
            };
            if !self.hot[c as usize].status.is_raised() || self.hot[c as usize].flags & F_ROOT != 0
            {
                continue;
            }
            if !self.rule_sets[self.cold[c as usize].roles as usize]
                .1
                .contains(&r)
            {
                continue;
            }
            if !self.eligible_parent(p, r, c) {
                continue;
            }
            let cur = self.cold[c as usize].parent;
            if cur == NONE || self.parent_before(p, cur) {
                self.attach(c, p, r, out);
            }
        }
        if dead * 2 > list.refs.len() {
            prune_pending(list, &self.hot, &self.cold, self.watermark, w, |s| {
                self.valid(s)
            });
        }
        let upto = list.refs.len() as u32;
        list.cursors.retain(|(x, _)| {
            let s = *x as u32;
            (s as usize) < self.hot.len() && self.hot[s as usize].epoch == (*x >> 32) as u32
        });
        match list.cursors.iter_mut().find(|(x, _)| *x == pref) {
            Some(c) => c.1 = upto,
            None => list.cursors.push((pref, upto)),
        }
    }

    /// A parent left (cleared / resolved / stopped flapping while cleared): re-correlate or
    /// un-suppress its children.
    fn release_children(&mut self, p: u32, out: &mut Vec<Decision>) {
        let mut c = self.cold[p as usize].first_child;
        if c == NONE {
            return;
        }
        let pid = self.hot[p as usize].id;
        // mark parent as not raised so it is not picked again
        let saved = self.hot[p as usize].status;
        self.hot[p as usize].status = AlarmStatus::Cleared;
        let mut kids = Vec::new();
        while c != NONE {
            kids.push(c);
            c = self.cold[c as usize].next_sib;
        }
        for &k in &kids {
            self.unlink_child(k);
            // invalidate cursors of the departing parent implicitly (epoch changes on removal)
        }
        // deterministic order: by first occurrence then key
        kids.sort_by(|&a, &b| self.parent_cmp(a, b));
        for k in kids {
            if !self.hot[k as usize].status.is_raised() {
                continue;
            }
            match self.find_parent(k) {
                Some((np, r)) => {
                    // attach() reports Reparented from the old parent: re-link first
                    self.cold[k as usize].parent = p;
                    let head = self.cold[p as usize].first_child;
                    self.cold[k as usize].next_sib = head;
                    if head != NONE {
                        self.cold[head as usize].prev_sib = k;
                    }
                    self.cold[p as usize].first_child = k;
                    self.attach(k, np, r, out);
                }
                None => {
                    self.hot[k as usize].flags &= !F_SUPP_PARENT;
                    if self.maybe_restore(k) {
                        out.push(Decision::Unsuppressed {
                            alarm_id: self.hot[k as usize].id,
                            status: self.hot[k as usize].status,
                            reason: UnsuppressionReason::ParentCleared { parent_id: pid },
                        });
                        self.after_unsuppress(k, out);
                    }
                }
            }
        }
        self.hot[p as usize].status = saved;
    }

    fn after_unsuppress(&mut self, s: u32, out: &mut Vec<Decision>) {
        if self.triggers.enabled {
            let h = self.hot[s as usize];
            if let Some(tr) = self.triggers.on_raise(h.severity, h.subscribers) {
                self.request_ticket(s, tr, out);
            }
        }
    }

    fn request_ticket(&mut self, s: u32, trigger: TicketTrigger, out: &mut Vec<Decision>) {
        let h = &mut self.hot[s as usize];
        if h.flags & F_TICKET != 0 {
            return;
        }
        h.flags |= F_TICKET;
        out.push(Decision::TicketRequested {
            alarm_id: h.id,
            trigger,
        });
    }

    // ---------------------------------------------------------------- flat rules

    fn apply_flat_rules(&mut self, s: u32, v: &EventView<'_>, t: i64, out: &mut Vec<Decision>) {
        let Some(b) = self.by_type.get(v.alarm_type).or(Some(&self.wild)) else {
            return;
        };
        let b_is_wild = std::ptr::eq(b, &self.wild);
        let mut supp: Option<u32> = None;
        let groups: Vec<u32> = {
            let iter_supp = b.suppress.iter().chain(if b_is_wild {
                [].iter()
            } else {
                self.wild.suppress.iter()
            });
            for &r in iter_supp {
                if self.rules[r as usize].subject().matches(v)
                    && self.rules[r as usize].rule.actions.suppress
                {
                    supp = Some(r);
                    break;
                }
            }
            b.group
                .iter()
                .chain(if b_is_wild {
                    [].iter()
                } else {
                    self.wild.group.iter()
                })
                .copied()
                .filter(|&r| self.rules[r as usize].subject().matches(v))
                .collect()
        };
        if let Some(r) = supp {
            self.set_supp(s, F_SUPP_RULE);
            out.push(Decision::Suppressed {
                alarm_id: self.hot[s as usize].id,
                reason: SuppressionReason::Rule {
                    rule: self.rules[r as usize].key.clone(),
                },
            });
        }
        for r in groups {
            let mut hasher = FxHasher::default();
            hasher.write_u32(self.cold[s as usize].tenant.0);
            for f in self.rules[r as usize].group_by.iter() {
                hasher.write_u32(self.field_sym(s, f).0);
            }
            let gk = (r, hasher.finish());
            let w = self.rules[r as usize].window_us;
            let make = self.rules[r as usize].rule.actions.create_correlation_id;
            let open = self
                .groups
                .get(&gk)
                .filter(|g| t - g.opened_us <= w && t >= g.opened_us)
                .map(|g| g.correlation_id);
            let cid = match open {
                Some(c) => c,
                None => {
                    let c = self.next_id(t, NONE);
                    self.groups.insert(
                        gk,
                        Group {
                            correlation_id: c,
                            opened_us: t,
                        },
                    );
                    self.push_timer(t + w, TimerKind::GroupClose, r as u64, gk.1);
                    c
                }
            };
            if make && self.cold[s as usize].correlation_id.is_none() {
                self.cold[s as usize].correlation_id = Some(cid);
            }
            out.push(Decision::Grouped {
                alarm_id: self.hot[s as usize].id,
                correlation_id: cid,
                rule: self.rules[r as usize].key.clone(),
            });
        }
    }

    fn escalate(&mut self, s: u32, v: &EventView<'_>, out: &mut Vec<Decision>) {
        let b = self.by_type.get(v.alarm_type);
        let n = b.map_or(0, |b| b.escalate.len()) + self.wild.escalate.len();
        if n == 0 {
            return;
        }
        let h = self.hot[s as usize];
        let view = EventView {
            e: v.e,
            alarm_type: v.alarm_type,
            severity: h.severity,
            source: v.source,
            status: h.status,
            occurrences: h.occurrences,
        };
        let cands: Vec<u32> = b
            .map(|b| b.escalate.as_slice())
            .unwrap_or(&[])
            .iter()
            .chain(self.wild.escalate.iter())
            .copied()
            .filter(|&r| self.rules[r as usize].subject().matches(&view))
            .collect();
        for r in cands {
            let done = self.escalated.entry(s).or_default();
            if done.contains(&r) {
                continue;
            }
            done.push(r);
            let rule = &self.rules[r as usize];
            let (to, ticket, key) = (
                rule.rule.actions.escalate_to,
                rule.rule.actions.create_ticket,
                rule.key.clone(),
            );
            if let Some(to) = to {
                let from = self.hot[s as usize].severity;
                if to > from {
                    self.hot[s as usize].severity = to;
                    self.hot[s as usize].raised = to;
                    self.hot[s as usize].floor = to;
                    out.push(Decision::Escalated {
                        alarm_id: self.hot[s as usize].id,
                        rule: key.clone(),
                        from,
                        to,
                    });
                }
            }
            if ticket {
                self.request_ticket(s, TicketTrigger::Escalation { rule: key }, out);
            }
        }
    }

    // ---------------------------------------------------------------- maintenance

    fn window_candidates(&self, s: u32) -> Vec<u32> {
        let c = &self.cold[s as usize];
        let mut v = Vec::new();
        if c.node != NO_NODE {
            if let Some(ws) = self.win_by_node.get(&c.node) {
                v.extend_from_slice(ws);
            }
            for a in self.topology.ancestors(c.node) {
                if let Some(ws) = self.win_by_node.get(&a) {
                    v.extend(
                        ws.iter()
                            .filter(|&&w| self.windows[w as usize].w.scope.include_descendants),
                    );
                }
            }
        }
        if let Some(ws) = self.win_by_rtype.get(&(c.tenant, c.resource_type)) {
            v.extend_from_slice(ws);
        }
        if let Some(ws) = self.win_by_customer.get(&(c.tenant, c.customer)) {
            v.extend_from_slice(ws);
        }
        if let Some(ws) = self.win_by_label.get(&c.tenant) {
            v.extend_from_slice(ws);
        }
        v.sort_unstable();
        v.dedup();
        v
    }

    fn check_maintenance(&mut self, s: u32, e: &AlarmEvent, t: i64, out: &mut Vec<Decision>) {
        let cands = self.window_candidates(s);
        for w in cands {
            let ws = &self.windows[w as usize];
            if ws.ended
                || t < ws.start_us
                || t >= ws.end_us
                || ws.tenant != self.cold[s as usize].tenant
            {
                continue;
            }
            // labels-only windows need the full label match
            let in_scope = {
                let sc = &ws.w.scope;
                let direct = e
                    .resource_id
                    .as_ref()
                    .is_some_and(|r| sc.resources.contains(r))
                    || e.resource_type
                        .as_ref()
                        .is_some_and(|r| sc.resource_types.contains(r))
                    || e.customer_id
                        .as_ref()
                        .is_some_and(|r| sc.customers.contains(r))
                    || (!sc.labels.is_empty()
                        && sc.labels.iter().all(|(k, v)| e.labels.get(k) == Some(v)));
                let node = self.cold[s as usize].node;
                direct
                    || (sc.include_descendants
                        && node != NO_NODE
                        && self.topology.ancestors(node).any(|a| {
                            let name = self.node_name(a);
                            sc.resources.iter().any(|r| r == name)
                        }))
            };
            if !in_scope {
                continue;
            }
            let id = ws.w.id;
            let r = mkref(s, self.hot[s as usize].epoch);
            self.windows[w as usize].members.push(r);
            self.cold[s as usize].maint = w;
            self.set_supp(s, F_SUPP_MAINT);
            out.push(Decision::Suppressed {
                alarm_id: self.hot[s as usize].id,
                reason: SuppressionReason::Maintenance { window_id: id },
            });
            return;
        }
    }

    fn end_window(&mut self, w: u32, out: &mut Vec<Decision>) {
        let ws = &mut self.windows[w as usize];
        if ws.ended {
            return;
        }
        ws.ended = true;
        self.open_windows -= 1;
        let id = ws.w.id;
        let members = std::mem::take(&mut ws.members);
        for r in members {
            let Some(s) = self.valid(r) else { continue };
            if self.cold[s as usize].maint != w {
                continue;
            }
            self.cold[s as usize].maint = NONE;
            self.hot[s as usize].flags &= !F_SUPP_MAINT;
            if self.maybe_restore(s) {
                out.push(Decision::Unsuppressed {
                    alarm_id: self.hot[s as usize].id,
                    status: self.hot[s as usize].status,
                    reason: UnsuppressionReason::MaintenanceEnded { window_id: id },
                });
                self.after_unsuppress(s, out);
            }
        }
    }

    // ---------------------------------------------------------------- timers

    fn run_timers(&mut self, t: i64, out: &mut Vec<Decision>) {
        while let Some(Reverse(top)) = self.timers.peek() {
            if top.at > t {
                break;
            }
            let Reverse(tm) = self.timers.pop().expect("peeked");
            match tm.kind {
                TimerKind::MaintEnd => self.end_window(tm.a as u32, out),
                TimerKind::GroupClose => {
                    let gk = (tm.a as u32, tm.b);
                    if let Some(g) = self.groups.get(&gk)
                        && g.opened_us + self.rules[gk.0 as usize].window_us <= tm.at
                    {
                        self.groups.remove(&gk);
                    }
                }
                TimerKind::FlapHistory => {
                    let k = (tm.a, tm.b);
                    if let Some(h) = self.flap_hist.get_mut(&k)
                        && h.count_at(tm.at, self.flap_window_us) == 0
                    {
                        self.flap_hist.remove(&k);
                    }
                }
                TimerKind::Unack => {
                    let Some(s) = self.valid(tm.a) else { continue };
                    let h = self.hot[s as usize];
                    if h.status == AlarmStatus::Active
                        && matches!(h.severity, Severity::Critical | Severity::Major)
                        && let Some(to) = self.triggers.unacknowledged_timeout_secs
                    {
                        self.request_ticket(
                            s,
                            TicketTrigger::Unacknowledged { timeout_secs: to },
                            out,
                        );
                    }
                }
                TimerKind::FlapQuiet => {
                    let Some(s) = self.valid(tm.a) else { continue };
                    let due = self.cold[s as usize].last_flap_us + self.flap_quiet_us;
                    if due > tm.at {
                        self.push_timer(due, TimerKind::FlapQuiet, tm.a, 0);
                        continue;
                    }
                    let si = s as usize;
                    self.hot[si].flags &= !F_FLAPPING;
                    let st = self.hot[si].status;
                    out.push(Decision::FlappingEnded {
                        alarm_id: self.hot[si].id,
                        status: st,
                    });
                    if !st.is_raised() {
                        self.release_children(s, out);
                        self.remove_slot(s);
                    }
                }
            }
        }
    }
}

fn push_pending(list: &mut PendingList, r: u64, hot: &[Hot], cold: &[Cold], wm: i64, w: i64) {
    if list.refs.len() == list.refs.capacity() && list.refs.len() >= 16 {
        let valid = |x: u64| {
            let s = x as u32;
            let h = &hot[s as usize];
            (h.epoch == (x >> 32) as u32 && h.flags & F_LIVE != 0).then_some(s)
        };
        prune_pending(list, hot, cold, wm, w, valid);
        // pruning freed less than half: grow, so that pushes stay amortized O(1) instead of
        // re-scanning a nearly full list every few pushes
        if list.refs.len() * 2 > list.refs.capacity() {
            list.refs.reserve(list.refs.capacity());
        }
    }
    list.refs.push(r);
}

/// Drops dead entries and children raised more than two windows before the high-water mark.
fn prune_pending(
    list: &mut PendingList,
    hot: &[Hot],
    cold: &[Cold],
    wm: i64,
    w: i64,
    valid: impl Fn(u64) -> Option<u32>,
) {
    let _ = hot;
    let before = list.refs.len();
    list.refs.retain(|&x| match valid(x) {
        Some(s) => cold[s as usize].raised_us >= wm.saturating_sub(2 * w),
        None => false,
    });
    if list.refs.len() != before {
        list.cursors.clear();
    }
}

/// A tiny fixed-capacity stack for ancestor walks (no heap allocation for depth <= 16).
mod smallvec_lite {
    /// Up to 16 inline values, spilling to a Vec.
    pub struct Stack {
        inline: [u64; 16],
        len: usize,
        spill: Vec<u64>,
    }
    impl Stack {
        pub fn as_slice(&self) -> &[u64] {
            if self.spill.is_empty() {
                &self.inline[..self.len]
            } else {
                &self.spill
            }
        }
        pub fn clear(&mut self) {
            self.len = 0;
            self.spill.clear();
        }
    }
    impl FromIterator<u64> for Stack {
        fn from_iter<I: IntoIterator<Item = u64>>(iter: I) -> Self {
            let mut s = Stack {
                inline: [0; 16],
                len: 0,
                spill: Vec::new(),
            };
            for x in iter {
                if s.spill.is_empty() && s.len < 16 {
                    s.inline[s.len] = x;
                    s.len += 1;
                } else {
                    if s.spill.is_empty() {
                        s.spill.extend_from_slice(&s.inline[..s.len]);
                    }
                    s.spill.push(x);
                }
            }
            s
        }
    }
}

/// Reusable summary used by statistics over the working set.
pub fn working_set_counts(c: &Correlator) -> BTreeMap<&'static str, u64> {
    let mut m = BTreeMap::new();
    for h in c.hot.iter().filter(|h| h.flags & F_LIVE != 0) {
        *m.entry(h.status.as_str()).or_insert(0) += 1;
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_check_agrees_with_a_byte_scan() {
        let cases = [
            "",
            "a",
            "olt-1",
            "ont-123456789",
            "t|1",
            "abcdefgh|",
            "abcdefghijklmno\\",
            "\\",
            "||||||||",
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx|",
            "\u{7c}x",
            "é|ü",
            "ÿÿÿÿÿÿÿÿ}",
        ];
        for c in cases {
            let naive = c.bytes().any(|b| b == b'|' || b == b'\\');
            assert_eq!(needs_escape(c.as_bytes()), naive, "{c:?}");
        }
        // every position and every byte value next to the two special bytes
        for len in 0..20 {
            for pos in 0..len {
                for b in [
                    b'|', b'\\', b'{', b'}', b'[', b']', 0x7b, 0x7d, 0x5b, 0x5d, 0xfc, 0xdc,
                ] {
                    let mut v = vec![b'a'; len];
                    v[pos] = b;
                    let naive = v.iter().any(|&x| x == b'|' || x == b'\\');
                    assert_eq!(needs_escape(&v), naive, "{v:?}");
                }
            }
        }
    }

    #[test]
    fn default_key_fast_path_agrees_with_escaping_every_field() {
        fn reference(parts: [&str; 4], src: AlarmSource) -> String {
            let esc = |s: &str| s.replace('\\', "\\\\").replace('|', "\\|");
            format!(
                "{}|{}|{}|{}|{}",
                esc(parts[0]),
                src.as_str(),
                esc(parts[1]),
                esc(parts[2]),
                esc(parts[3])
            )
        }
        let pieces = [
            "",
            "t1",
            "a|b",
            "\\",
            "signal.loss",
            "x\\|y",
            "|",
            "ont-1234567",
            "abcdefgh|ijk",
            "é",
            "}}}}}}}}",
            "||||",
            "long-resource-identifier-0001",
        ];
        for a in pieces {
            for b in pieces {
                for c in ["", "ont", "o|t"] {
                    for d in pieces {
                        let got = default_reduction_key(
                            a,
                            AlarmSource::NetworkDevice,
                            b,
                            Some(c),
                            Some(d),
                        );
                        assert_eq!(got, reference([a, b, c, d], AlarmSource::NetworkDevice));
                    }
                }
            }
        }
    }

    proptest::proptest! {
        /// The key of any parts parses back to them, and hashing the parts equals hashing the
        /// written key (lengths across word boundaries and past 16 bytes, separators and
        /// backslashes in the parts, multi-byte UTF-8).
        #[test]
        fn default_key_parses_back_and_hashes_like_its_parts(
            parts in proptest::collection::vec("[a-z0-9.|\\\\é-]{0,21}", 4),
            long in 0usize..3,
            src in 0usize..5,
        ) {
            let src = AlarmSource::ALL[src];
            let rid = format!("{}{}", parts[3], "x".repeat([0, 9, 300][long]));
            let key = default_reduction_key(&parts[0], src, &parts[1], Some(&parts[2]), Some(&rid));
            let (t, s, a, r, i) = parse_default_key(&key).expect("a default key parses");
            proptest::prop_assert_eq!((&*t, s, &*a, &*r, &*i), (&*parts[0], src, &*parts[1], &*parts[2], rid.as_str()));
            proptest::prop_assert_eq!(
                key_fingerprint(&key),
                default_key_fingerprint(&parts[0], src, &parts[1], &parts[2], &rid)
            );
        }

        /// Distinct keys get distinct fingerprints (parts that differ only in where a
        /// separator or a length boundary falls included).
        #[test]
        fn distinct_keys_get_distinct_fingerprints(
            keys in proptest::collection::vec(("[ab|]{0,3}", "[ab|]{0,10}", "[ab]{0,18}"), 1..30),
        ) {
            let mut seen: std::collections::HashMap<(u64, u64), String> = Default::default();
            for (x, y, z) in keys {
                let key = default_reduction_key(&x, AlarmSource::Cpe, &y, Some(&z), Some(&x));
                if let Some(prev) = seen.insert(key_fingerprint(&key), key.clone()) {
                    proptest::prop_assert_eq!(prev, key.clone());
                }
                // the same bytes as a non-default key are a different key
                let other = format!("{key}|extra");
                proptest::prop_assert_ne!(key_fingerprint(&other), key_fingerprint(&key));
            }
        }

        /// Byte equality of short strings agrees with `==`.
        #[test]
        fn short_eq_agrees_with_slice_equality(
            a in proptest::collection::vec(0u8..3, 0..24),
            b in proptest::collection::vec(0u8..3, 0..24),
        ) {
            proptest::prop_assert_eq!(short_eq(&a, &b), a == b);
            proptest::prop_assert!(short_eq(&a, &a));
        }

        /// Pieces written into a key buffer are their concatenation.
        #[test]
        fn key_buffer_holds_the_concatenation(
            pieces in proptest::collection::vec(proptest::collection::vec(proptest::num::u8::ANY, 0..30), 0..12),
        ) {
            let mut k = KeyBuf([0xAA; KEY_BUF]);
            let mut want = Vec::new();
            let mut at = 0;
            let mut escape = false;
            for p in &pieces {
                match k.put(at, p, &mut escape) {
                    None => {
                        proptest::prop_assert!(want.len() + p.len() + 16 > KEY_BUF);
                        break;
                    }
                    Some(n) => at = n,
                }
                want.extend_from_slice(p);
                proptest::prop_assert_eq!(&k.0[..at], &want[..]);
            }
            let special = want.iter().any(|&b| b == b'|' || b == b'\\');
            proptest::prop_assert_eq!(escape, special);
        }
    }

    #[test]
    fn memoized_micros_equal_chrono_timestamps() {
        use chrono::{NaiveDate, TimeZone};
        let mut c = Correlator::new(CorrelatorConfig::default()).unwrap();
        let leap = NaiveDate::from_ymd_opt(2016, 12, 31)
            .unwrap()
            .and_hms_nano_opt(23, 59, 59, 1_500_000_000)
            .unwrap()
            .and_utc();
        let cases = [
            Utc.with_ymd_and_hms(2026, 1, 14, 10, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 1, 14, 23, 59, 59).unwrap()
                + chrono::Duration::nanoseconds(999_999_999),
            Utc.with_ymd_and_hms(2026, 1, 15, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(1969, 12, 31, 23, 59, 59).unwrap()
                + chrono::Duration::microseconds(1),
            Utc.with_ymd_and_hms(1900, 2, 28, 12, 0, 0).unwrap(),
            leap,
            DateTime::<Utc>::MIN_UTC,
            DateTime::<Utc>::MAX_UTC,
            Utc.with_ymd_and_hms(2026, 1, 14, 10, 0, 1).unwrap(),
        ];
        for at in cases {
            assert_eq!(c.micros(at), at.timestamp_micros(), "{at:?}");
        }
    }

    #[test]
    fn only_default_form_keys_parse() {
        assert!(parse_default_key("t1|cpe|signal.loss|ont|ont-1").is_some());
        assert!(parse_default_key("t1|cpe|signal.loss||").is_some());
        for k in [
            "",
            "t1|cpe|signal.loss|ont",
            "t1|cpe|signal.loss|ont|ont-1|x",
            "t1|CPE|signal.loss|ont|ont-1",
            "t1|cpe |signal.loss|ont|ont-1",
            "t1|cpe|sig\\nal|ont|ont-1",
            "t1|cpe|signal.loss|ont|ont-1\\",
            "custom-key-{resource_id}",
        ] {
            assert!(parse_default_key(k).is_none(), "{k:?}");
            assert_eq!(key_fingerprint(k), fingerprint(k.as_bytes()));
        }
        let (t, _, a, _, _) = parse_default_key("t\\|1|cpe|a\\\\b|ont|x").unwrap();
        assert_eq!((&*t, &*a), ("t|1", "a\\b"));
    }

    #[test]
    fn default_key_escapes_separators() {
        assert_eq!(
            default_reduction_key("t|1", AlarmSource::Cpe, "a\\b", Some("ont"), Some("x")),
            "t\\|1|cpe|a\\\\b|ont|x"
        );
        assert_eq!(
            default_reduction_key("t1", AlarmSource::Cpe, "signal.loss", None, Some("ont-1")),
            "t1|cpe|signal.loss||ont-1"
        );
    }
}
