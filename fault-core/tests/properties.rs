//! Property tests of the correlator.

use chrono::{DateTime, Duration, TimeZone, Utc};
use fault_core::correlator::{Correlator, CorrelatorConfig, SEED_002_RULE_JSON};
use fault_core::decision::Decision;
use fault_core::event::AlarmEvent;
use fault_core::topology::TopologyEdge;
use fault_core::{AlarmStatus, Severity};
use proptest::prelude::*;
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

fn t(ms: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 14, 10, 0, 0).unwrap() + Duration::milliseconds(ms)
}

fn far() -> DateTime<Utc> {
    t(1_000_000_000)
}

#[derive(Debug, Clone)]
enum Ev {
    OltDown(u8, i64),
    OntLoss(u8, i64),
}

fn to_event(e: &Ev) -> AlarmEvent {
    match e {
        Ev::OltDown(i, ms) => {
            AlarmEvent::new("t1", "device.down", "olt", format!("olt-{i}"), t(*ms))
        }
        Ev::OntLoss(i, ms) => {
            AlarmEvent::new("t1", "cpe.signal_loss", "ont", format!("ont-{i}"), t(*ms))
                .with_alarm_type("signal.loss")
        }
    }
}

fn correlator(rules: &str) -> Correlator {
    let mut c =
        Correlator::new(CorrelatorConfig::default().with_rules_json(rules).unwrap()).unwrap();
    let mut edges = Vec::new();
    for ont in 0..12u8 {
        // ONTs 0..8 hang below OLTs 0..3 via a splitter; 8..12 are not in the graph
        if ont < 8 {
            edges.push(TopologyEdge::new(
                format!("sp-{}", ont % 4),
                format!("ont-{ont}"),
            ));
        }
    }
    for sp in 0..4u8 {
        edges.push(TopologyEdge::new(
            format!("olt-{}", sp % 3),
            format!("sp-{sp}"),
        ));
    }
    c.add_topology_edges("t1", &edges).unwrap();
    c
}

/// Final parent/child structure keyed by reduction key.
/// (`is_root_cause` is history — an alarm that lost its children to a better parent keeps it —
/// so the structure is the parent links and statuses.)
fn structure(c: &Correlator) -> BTreeMap<String, (Option<String>, AlarmStatus)> {
    let states = c.alarm_states();
    let key_of: HashMap<Uuid, String> = states
        .iter()
        .map(|s| (s.id, s.reduction_key.clone()))
        .collect();
    states
        .iter()
        .map(|s| {
            (
                s.reduction_key.clone(),
                (s.parent_id.map(|p| key_of[&p].clone()), s.status),
            )
        })
        .collect()
}

fn events_within_window() -> impl Strategy<Value = Vec<Ev>> {
    // every event inside 250 s: all pairs are inside the 300 s window
    prop::collection::vec(
        prop_oneof![
            (0u8..3, 0i64..250_000).prop_map(|(i, ms)| Ev::OltDown(i, ms)),
            (0u8..12, 0i64..250_000).prop_map(|(i, ms)| Ev::OntLoss(i, ms)),
        ],
        1..25,
    )
    .prop_map(|mut v| {
        // one raise per key (repeats would change "first occurrence" by arrival order)
        let mut seen = std::collections::HashSet::new();
        v.retain(|e| {
            seen.insert(match e {
                Ev::OltDown(i, _) => (0, *i),
                Ev::OntLoss(i, _) => (1, *i),
            })
        });
        v
    })
}

const TENANT_RULE: &str = r#"{"name":"tenant","type":"correlation","scope":"tenant",
  "conditions":{"parent":{"alarm_type":"device.down"},"child":{"alarm_type":"signal.loss"}}}"#;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn arrival_order_within_window_does_not_change_structure(
        events in events_within_window(),
        perm in any::<prop::sample::Index>(),
        rules in prop::sample::select(vec![SEED_002_RULE_JSON, TENANT_RULE]),
    ) {
        let mut sorted = events.clone();
        sorted.sort_by_key(|e| match e { Ev::OltDown(_, t) | Ev::OntLoss(_, t) => *t });
        let mut shuffled = events.clone();
        // a deterministic permutation derived from the index
        let n = shuffled.len();
        let mut seed = perm.index(usize::MAX / 2) as u64 | 1;
        for i in (1..n).rev() {
            seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17;
            shuffled.swap(i, (seed % (i as u64 + 1)) as usize);
        }
        let mut a = correlator(rules);
        for e in &sorted { a.ingest(&to_event(e), far()).unwrap(); }
        let mut b = correlator(rules);
        for e in &shuffled { b.ingest(&to_event(e), far()).unwrap(); }
        prop_assert_eq!(structure(&a), structure(&b));
    }

    #[test]
    fn no_alarm_is_both_root_cause_and_child(
        ops in prop::collection::vec((0u8..4, 0u8..6, 0i64..2_000_000), 1..60),
    ) {
        // overlapping rules: device.down on anything can be parent of device.down on a child node
        let rules = r#"[
          {"name":"a","type":"correlation","conditions":{"parent":{"alarm_type":"device.down"},"child":{"alarm_type":"device.down"}}},
          {"name":"b","type":"correlation","scope":"tenant","conditions":{"parent":{"alarm_type":"device.down"},"child":{"alarm_type":"signal.loss"}}}
        ]"#;
        let mut c = correlator(rules);
        let mut now = 0i64;
        for (kind, idx, dt) in ops {
            now += dt / 100;
            let res = match idx % 3 { 0 => format!("olt-{idx}"), 1 => format!("sp-{idx}"), _ => format!("ont-{idx}") };
            let e = match kind {
                0 => AlarmEvent::new("t1", "device.down", "x", res, t(now)),
                1 => AlarmEvent::new("t1", "device.up", "x", res, t(now)),
                2 => AlarmEvent::new("t1", "cpe.signal_loss", "x", res, t(now)).with_alarm_type("signal.loss"),
                _ => AlarmEvent::new("t1", "cpe.online", "x", res, t(now)).with_alarm_type("signal.loss"),
            };
            c.ingest(&e, far()).unwrap();
            for s in c.alarm_states() {
                prop_assert!(!(s.is_root_cause && s.parent_id.is_some()), "{:?}", s);
                if s.parent_id.is_none() {
                    prop_assert!(s.status != AlarmStatus::Suppressed, "suppressed without a parent: {:?}", s);
                }
            }
        }
    }

    #[test]
    fn occurrence_counts_add_up_to_raise_events(
        ops in prop::collection::vec((0u8..3, 0u8..5, 0i64..120_000), 1..200),
    ) {
        let mut c = correlator(SEED_002_RULE_JSON);
        let mut last: HashMap<Uuid, u32> = HashMap::new();
        let mut raises = 0u64;
        let mut now = 0i64;
        for (kind, idx, dt) in ops {
            now += dt;
            let e = match kind {
                0 => { raises += 1; AlarmEvent::new("t1", "device.down", "olt", format!("olt-{idx}"), t(now)) }
                1 => { raises += 1; AlarmEvent::new("t1", "x.alarm", "olt", format!("olt-{idx}"), t(now)).with_severity(Severity::Minor) }
                _ => AlarmEvent::new("t1", "device.up", "olt", format!("olt-{idx}"), t(now)),
            };
            for d in c.ingest(&e, far()).unwrap() {
                match d {
                    Decision::Created { alarm } => { last.insert(alarm.id, alarm.occurrence_count); }
                    Decision::Deduplicated { alarm_id, occurrence_count, .. }
                    | Decision::Flapping { alarm_id, occurrence_count, .. } => { last.insert(alarm_id, occurrence_count); }
                    _ => {}
                }
            }
        }
        prop_assert_eq!(last.values().map(|&n| n as u64).sum::<u64>(), raises);
        for s in c.alarm_states() {
            prop_assert_eq!(last[&s.id], s.occurrence_count);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100))]

    /// The prefetching batch path decides exactly what one-by-one ingestion decides, and the
    /// row of every created alarm, built from its event, agrees with the working set and the
    /// event (both ways of building it give the same row).
    #[test]
    fn batch_ingest_equals_single_ingest_and_rows_build_from_events(
        ops in prop::collection::vec((0u8..6, 0u8..40, 0i64..30_000), 1..400),
        chunk in 1usize..64,
    ) {
        let mut now = 0i64;
        let events: Vec<AlarmEvent> = ops
            .iter()
            .map(|&(kind, idx, dt)| {
                now += dt;
                match kind {
                    0 => AlarmEvent::new("t1", "device.down", "olt", format!("olt-{}", idx % 3), t(now)),
                    1 => AlarmEvent::new("t1", "device.up", "olt", format!("olt-{}", idx % 3), t(now)),
                    2 => AlarmEvent::new("t1", "cpe.online", "ont", format!("ont-{}", idx % 12), t(now)).with_alarm_type("signal.loss"),
                    3 => AlarmEvent::new("t1", "mystery", "ont", format!("ont-{idx}"), t(now)),
                    4 => {
                        // every optional field set: the owned path must move each one
                        let mut e = AlarmEvent::new("t1", "cpe.signal_loss", "ont", format!("ont-{}", idx % 12), t(now))
                            .with_alarm_type("signal.loss")
                            .with_title(format!("LOS {idx}"))
                            .with_customer(format!("c-{}", idx % 4), Some("ACME".into()))
                            .with_subscribers(idx as u32)
                            .with_label("pon", format!("1/{}", idx % 2))
                            .with_external_id(format!("x-{idx}"));
                        e.resource_name = Some(format!("ONT {idx}"));
                        e.description = Some("optical loss".into());
                        e.probable_cause = Some("fiber cut".into());
                        e.recommended_action = Some("dispatch".into());
                        e.raw = serde_json::json!({"idx": idx});
                        e
                    }
                    _ => AlarmEvent::new("t1", "cpe.signal_loss", "ont", format!("ont-{}", idx % 12), t(now)).with_alarm_type("signal.loss"),
                }
            })
            .collect();
        let mut a = correlator(SEED_002_RULE_JSON);
        let mut single = Vec::new();
        let mut single_err = Vec::new();
        let mut rows = Vec::new();
        let mut single_ends = Vec::new();
        for (i, e) in events.iter().enumerate() {
            let start = single.len();
            match a.ingest_into(e, far(), &mut single) {
                Ok(()) => single_ends.push((i, single.len())),
                Err(err) => single_err.push((i, err)),
            }
            for d in &single[start..] {
                if let Decision::Created { alarm } = d {
                    let row = alarm.to_alarm(e);
                    prop_assert_eq!(&row, &alarm.clone().into_alarm(e.clone()));
                    prop_assert_eq!(row.id, alarm.id);
                    prop_assert_eq!(&row.tenant_id, &e.tenant_id);
                    prop_assert_eq!(row.alarm_type.as_str(), e.alarm_type());
                    prop_assert_eq!(&row.resource_id, &e.resource_id);
                    prop_assert_eq!(&row.customer_id, &e.customer_id);
                    prop_assert_eq!(&row.labels, &e.labels);
                    prop_assert_eq!(&row.raw_payload, &e.raw);
                    prop_assert_eq!(row.first_occurrence, e.occurred_at);
                    prop_assert_eq!(row.occurrence_count, 1);
                    prop_assert_eq!(row.status, alarm.status);
                    prop_assert_eq!(
                        row.title.clone(),
                        e.title.clone().unwrap_or_else(|| format!(
                            "{} on {}",
                            e.alarm_type(),
                            e.resource_name.as_deref().or(e.resource_id.as_deref()).unwrap_or("")
                        ))
                    );
                    rows.push(row);
                }
            }
        }
        let mut b = correlator(SEED_002_RULE_JSON);
        let mut batched = Vec::new();
        let mut batch_err = Vec::new();
        for (ci, part) in events.chunks(chunk).enumerate() {
            let mut errs = Vec::new();
            b.ingest_batch_into(part, far(), &mut batched, &mut errs);
            batch_err.extend(errs.into_iter().map(|(i, e)| (ci * chunk + i, e)));
        }
        prop_assert_eq!(&single, &batched);
        prop_assert_eq!(&single_err, &batch_err);
        // the marked batch path decides the same and tells each accepted event's decisions
        let mut m = correlator(SEED_002_RULE_JSON);
        let (mut marked, mut marked_err, mut marked_ends) = (Vec::new(), Vec::new(), Vec::new());
        for (ci, part) in events.chunks(chunk).enumerate() {
            let (mut errs, mut ends) = (Vec::new(), Vec::new());
            m.ingest_batch_into_marked(part, far(), &mut marked, &mut errs, &mut ends);
            marked_err.extend(errs.into_iter().map(|(i, e)| (ci * chunk + i, e)));
            marked_ends.extend(ends.into_iter().map(|(i, end)| (ci * chunk + i, end)));
        }
        prop_assert_eq!(&single, &marked);
        prop_assert_eq!(&single_err, &marked_err);
        prop_assert_eq!(&single_ends, &marked_ends);
        prop_assert_eq!(structure(&a), structure(&b));
        prop_assert_eq!(a.alarm_states(), b.alarm_states());
        // the key a created row carries is the working set's key of that alarm
        for s in a.alarm_states() {
            if let Some(r) = rows.iter().find(|r| r.id == s.id) {
                prop_assert_eq!(&r.reduction_key, &s.reduction_key);
            }
        }
    }
}
