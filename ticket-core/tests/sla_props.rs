//! Property tests for the SLA clock on random ticket histories.

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use proptest::prelude::*;
use ticket_core::Priority;
use ticket_core::calendar::BusinessCalendar;
use ticket_core::category::StateCategory;
use ticket_core::sla::{ReopenBehaviour, SlaEvent, SlaEventKind, SlaPolicy, SlaStatus};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 20, 8, 13, 0).unwrap()
}

fn office() -> BusinessCalendar {
    let t = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap();
    BusinessCalendar::builder(chrono_tz::Europe::Berlin)
        .weekdays(t(9), t(12))
        .weekdays(t(13), t(17))
        .yearly_holiday(4, 3)
        .build()
        .unwrap()
}

fn priority() -> impl Strategy<Value = Priority> {
    prop::sample::select(Priority::ALL.to_vec())
}

fn category() -> impl Strategy<Value = StateCategory> {
    prop::sample::select(StateCategory::ALL.to_vec())
}

fn kind() -> impl Strategy<Value = SlaEventKind> {
    prop_oneof![
        4 => category().prop_map(|c| SlaEventKind::StatusChanged { to_category: c }),
        1 => Just(SlaEventKind::FirstResponse),
        1 => priority().prop_map(|p| SlaEventKind::PriorityChanged { priority: p }),
        1 => Just(SlaEventKind::Reopened),
    ]
}

fn history() -> impl Strategy<Value = Vec<SlaEvent>> {
    (
        priority(),
        prop::collection::vec((1i64..600, kind()), 0..30),
    )
        .prop_map(|(p, steps)| {
            let mut at = t0();
            let mut v = vec![SlaEvent::new(
                at,
                SlaEventKind::Created {
                    priority: p,
                    category: StateCategory::New,
                },
            )];
            for (gap, k) in steps {
                at += Duration::minutes(gap);
                v.push(SlaEvent::new(at, k));
            }
            v
        })
}

fn policy() -> impl Strategy<Value = SlaPolicy> {
    (any::<bool>(), any::<bool>()).prop_map(|(biz, resume)| {
        let mut p = SlaPolicy::itsm();
        if biz {
            p = p.with_calendar(office());
        }
        if resume {
            p.reopen = ReopenBehaviour::Resume;
        }
        p
    })
}

fn last_at(ev: &[SlaEvent]) -> DateTime<Utc> {
    ev.last().unwrap().at
}

fn changed(a: &SlaStatus, b: &SlaStatus) -> bool {
    a.first_response.breached != b.first_response.breached
        || a.resolution.breached != b.resolution.breached
        || a.first_response.warnings_crossed != b.first_response.warnings_crossed
        || a.resolution.warnings_crossed != b.resolution.warnings_crossed
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn invariants(p in policy(), ev in history(), extra in 0i64..20_000) {
        let now = last_at(&ev) + Duration::minutes(extra);
        let s = p.evaluate(&ev, now);
        for t in [&s.first_response, &s.resolution] {
            prop_assert!(t.elapsed >= Duration::zero());
            prop_assert!(t.elapsed <= now - t0(), "business time cannot exceed real time");
            prop_assert_eq!(t.remaining, t.budget - t.elapsed);
            prop_assert_eq!(t.breached, t.breached_at.is_some());
            prop_assert!(!(t.met && t.breached));
            prop_assert_eq!(t.met, t.completed_at.is_some() && !t.breached);
            if t.paused {
                prop_assert!(t.completed_at.is_none());
                if !t.breached {
                    prop_assert!(t.due >= now, "a paused target's due is never in the past");
                }
            }
            if t.completed_at.is_none() && !t.breached {
                prop_assert!(t.elapsed <= t.budget);
            }
            let pct = t.elapsed.num_milliseconds() as f64 * 100.0 / t.budget.num_milliseconds() as f64;
            prop_assert!((t.percent_used - pct).abs() < 1e-9);
        }
        if let Some(n) = s.next_change {
            prop_assert!(n > now);
        }
    }

    #[test]
    fn next_change_is_exact(p in policy(), ev in history(), extra in 0i64..5_000) {
        let now = last_at(&ev) + Duration::minutes(extra);
        let s = p.evaluate(&ev, now);
        if let Some(n) = s.next_change {
            let before = p.evaluate(&ev, n - Duration::nanoseconds(1));
            let at = p.evaluate(&ev, n);
            prop_assert!(!changed(&s, &before), "nothing changes before next_change");
            prop_assert!(changed(&before, &at), "something changes at next_change {}", n);
        } else {
            // nothing ever changes again (within a long horizon)
            let later = p.evaluate(&ev, now + Duration::days(400));
            prop_assert!(!changed(&s, &later));
        }
    }

    #[test]
    fn events_after_now_are_ignored(p in policy(), ev in history(), cut in 0usize..30) {
        let cut = cut.min(ev.len() - 1);
        let now = ev[cut].at;
        let a = p.evaluate(&ev[..=cut], now);
        // events strictly later than `now` must not matter
        let later: Vec<SlaEvent> = ev.iter().filter(|e| e.at <= now).cloned().collect();
        prop_assert_eq!(a, p.evaluate(&later, now));
    }

    #[test]
    fn elapsed_grows_with_now_without_events(p in policy(), ev in history(), x in 0i64..3000, y in 0i64..3000) {
        let n1 = last_at(&ev) + Duration::minutes(x);
        let n2 = n1 + Duration::minutes(y);
        let a = p.evaluate(&ev, n1);
        let b = p.evaluate(&ev, n2);
        for (ta, tb) in [(&a.first_response, &b.first_response), (&a.resolution, &b.resolution)] {
            prop_assert!(tb.elapsed >= ta.elapsed);
            prop_assert_eq!(tb.cycle, ta.cycle);
            if ta.breached { prop_assert_eq!(tb.breached_at, ta.breached_at); }
            if !ta.paused && ta.completed_at.is_none() && !ta.breached && !tb.breached {
                prop_assert_eq!(tb.due, ta.due, "a running target's due does not move");
            }
            if ta.paused { prop_assert!(tb.due >= ta.due, "a paused target's due moves forward"); }
        }
    }

    #[test]
    fn always_calendar_without_pauses_due_is_creation_plus_budget(pr in priority(), extra in 0i64..10_000) {
        let p = SlaPolicy::itsm();
        let ev = [SlaEvent::new(t0(), SlaEventKind::Created { priority: pr, category: StateCategory::Open })];
        let s = p.evaluate(&ev, t0() + Duration::minutes(extra));
        let t = p.target(pr);
        prop_assert_eq!(s.first_response.due, t0() + Duration::minutes(t.first_response_minutes));
        prop_assert_eq!(s.resolution.due, t0() + Duration::minutes(t.resolution_minutes));
        prop_assert_eq!(s.resolution.breached, extra > t.resolution_minutes);
    }
}
