use super::*;
use chrono::{NaiveTime, TimeZone};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap() // Monday
}
fn h(x: i64) -> Duration {
    Duration::hours(x)
}
fn created(p: Priority) -> SlaEvent {
    SlaEvent::new(
        t0(),
        SlaEventKind::Created {
            priority: p,
            category: StateCategory::New,
        },
    )
}
fn to(at: Duration, c: StateCategory) -> SlaEvent {
    SlaEvent::new(t0() + at, SlaEventKind::StatusChanged { to_category: c })
}
fn ev(at: Duration, k: SlaEventKind) -> SlaEvent {
    SlaEvent::new(t0() + at, k)
}

#[test]
fn presets_match_seeds() {
    let p = SlaPolicy::itsm();
    let want = [
        (Priority::Critical, 1, 4),
        (Priority::High, 4, 12),
        (Priority::Normal, 8, 48),
        (Priority::Low, 24, 120),
    ];
    for (prio, fr, res) in want {
        assert_eq!(p.target(prio), PriorityTargets::hours(fr, res), "{prio}");
    }
    assert!(p.calendar.is_always());
    p.validate().unwrap();
    let v = SlaPolicy::vms();
    v.validate().unwrap();
    assert_eq!(v.target(Priority::Critical).first_response_minutes, 15);
    assert!(
        v.target(Priority::Critical).resolution_minutes
            < v.target(Priority::Low).resolution_minutes
    );
}

#[test]
fn running_clock_due_remaining_and_warnings() {
    let p = SlaPolicy::itsm();
    let s = p.evaluate(&[created(Priority::High)], t0() + h(3));
    let r = &s.first_response; // 4h budget
    assert_eq!(r.due, t0() + h(4));
    assert_eq!(r.elapsed, h(3));
    assert_eq!(r.remaining, h(1));
    assert_eq!(r.percent_used, 75.0);
    assert_eq!(r.warnings_crossed, vec![50, 75]);
    assert!(!r.paused && !r.breached && !r.met);
    // next change: FR 90% at 3h36m
    assert_eq!(s.next_change, Some(t0() + Duration::minutes(216)));
    assert_eq!(s.resolution.due, t0() + h(12));
}

#[test]
fn breached_strictly_after_due() {
    let p = SlaPolicy::itsm();
    let e1 = [created(Priority::Critical)];
    let at_due = p.evaluate(&e1, t0() + h(1));
    assert!(!at_due.first_response.breached);
    assert_eq!(at_due.first_response.warnings_crossed, vec![50, 75, 90]);
    assert_eq!(
        at_due.next_change,
        Some(t0() + h(1) + Duration::nanoseconds(1))
    );
    let after = p.evaluate(&e1, t0() + h(1) + Duration::nanoseconds(1));
    assert!(after.first_response.breached);
    assert_eq!(after.first_response.breached_at, Some(t0() + h(1)));
    assert!(after.any_breached());
    // next change is now the resolution clock's 50 % (2h)
    assert_eq!(after.next_change, Some(t0() + h(2)));
}

#[test]
fn response_exactly_at_due_is_met() {
    let p = SlaPolicy::itsm();
    let s = p.evaluate(
        &[
            created(Priority::Critical),
            ev(h(1), SlaEventKind::FirstResponse),
        ],
        t0() + h(2),
    );
    assert!(s.first_response.met);
    assert!(!s.first_response.breached);
    assert_eq!(s.first_response.completed_at, Some(t0() + h(1)));
    assert_eq!(s.first_response.due, t0() + h(1));
    let late = p.evaluate(
        &[
            created(Priority::Critical),
            ev(h(1) + Duration::seconds(1), SlaEventKind::FirstResponse),
        ],
        t0() + h(2),
    );
    assert!(!late.first_response.met && late.first_response.breached);
}

#[test]
fn pending_pauses_and_due_moves_forward() {
    let p = SlaPolicy::itsm();
    let e1 = [
        created(Priority::Critical),
        ev(Duration::minutes(10), SlaEventKind::FirstResponse),
        to(h(1), StateCategory::Pending),
    ];
    let a = p.evaluate(&e1, t0() + h(2));
    let b = p.evaluate(&e1, t0() + h(5));
    assert!(a.resolution.paused && b.resolution.paused);
    assert_eq!(a.resolution.elapsed, h(1));
    assert_eq!(a.resolution.due, t0() + h(5));
    assert_eq!(b.resolution.due, t0() + h(8));
    assert!(!b.resolution.breached);
    assert_eq!(b.next_change, None, "nothing changes while paused");
    // pause sets are per target: only resolution pauses
    let mut q = SlaPolicy::itsm();
    q.first_response_pause.clear();
    let s = q.evaluate(
        &[
            created(Priority::Critical),
            to(Duration::minutes(5), StateCategory::Pending),
        ],
        t0() + h(2),
    );
    assert!(!s.first_response.paused && s.first_response.breached);
    assert!(s.resolution.paused && !s.resolution.breached);
}

#[test]
fn resolve_completes_both_and_reopen_starts_new_cycle() {
    let p = SlaPolicy::itsm();
    let e1 = [
        created(Priority::Critical),
        to(h(5), StateCategory::Resolved), // resolution breached at 4h
        ev(h(6), SlaEventKind::Reopened),
        to(h(6), StateCategory::Open),
    ];
    let done = p.evaluate(&e1[..2], t0() + h(6));
    assert!(done.resolution.breached && !done.resolution.met);
    assert_eq!(done.resolution.breached_at, Some(t0() + h(4)));
    assert_eq!(done.first_response.completed_at, Some(t0() + h(5)));
    assert_eq!(done.next_change, None);
    let s = p.evaluate(&e1, t0() + h(7));
    assert_eq!(s.resolution.cycle, 2);
    assert_eq!(s.resolution.earlier_breaches, 1);
    assert!(!s.resolution.breached);
    assert_eq!(s.resolution.elapsed, h(1));
    assert_eq!(s.resolution.due, t0() + h(10));
    assert_eq!(s.first_response.cycle, 1);
}

#[test]
fn reopen_by_status_change_can_resume() {
    let mut p = SlaPolicy::itsm();
    p.reopen = ReopenBehaviour::Resume;
    let ev = [
        created(Priority::Critical),
        to(h(1), StateCategory::Closed),
        to(h(3), StateCategory::Open),
    ];
    let s = p.evaluate(&ev, t0() + h(4));
    assert_eq!(s.resolution.cycle, 1);
    assert_eq!(s.resolution.elapsed, h(2));
    assert_eq!(s.resolution.due, t0() + h(6));
    assert_eq!(s.resolution.completed_at, None);
}

#[test]
fn priority_change_retargets_from_creation() {
    let p = SlaPolicy::itsm();
    // normal: 8h response; upgraded to critical (1h) after 30 min -> due at creation + 1h
    let e1 = [
        created(Priority::Normal),
        ev(
            Duration::minutes(30),
            SlaEventKind::PriorityChanged {
                priority: Priority::Critical,
            },
        ),
    ];
    let s = p.evaluate(&e1, t0() + Duration::minutes(40));
    assert_eq!(s.priority, Priority::Critical);
    assert_eq!(s.first_response.due, t0() + h(1));
    assert_eq!(s.resolution.due, t0() + h(4));
    // upgraded after 2h: already over the 1h budget -> breached at the change
    let ev2 = [
        created(Priority::Normal),
        ev(
            h(2),
            SlaEventKind::PriorityChanged {
                priority: Priority::Critical,
            },
        ),
    ];
    let s = p.evaluate(&ev2, t0() + h(2) + Duration::seconds(1));
    assert!(s.first_response.breached);
    assert_eq!(s.first_response.breached_at, Some(t0() + h(2)));
    assert!(!s.resolution.breached);
    // downgrade extends the deadline
    let ev3 = [
        created(Priority::Critical),
        ev(
            Duration::minutes(30),
            SlaEventKind::PriorityChanged {
                priority: Priority::Low,
            },
        ),
    ];
    let s = p.evaluate(&ev3, t0() + h(2));
    assert!(!s.first_response.breached);
    assert_eq!(s.first_response.due, t0() + h(24));
}

#[test]
fn business_calendar_policy() {
    let t = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap();
    let cal = BusinessCalendar::builder(chrono_tz::UTC)
        .weekdays(t(9), t(12))
        .weekdays(t(13), t(17))
        .build()
        .unwrap();
    let p = SlaPolicy::itsm().with_calendar(cal);
    let fri16 = Utc.with_ymd_and_hms(2026, 1, 9, 16, 0, 0).unwrap();
    let ev = [SlaEvent::new(
        fri16,
        SlaEventKind::Created {
            priority: Priority::High,
            category: StateCategory::Open,
        },
    )];
    let s = p.evaluate(&ev, fri16 + h(48));
    // 1h Friday + 3h Monday (09-12) = Monday 12:00, the lunch-break closing instant
    assert_eq!(
        s.first_response.due,
        Utc.with_ymd_and_hms(2026, 1, 12, 12, 0, 0).unwrap()
    );
    assert_eq!(s.first_response.elapsed, h(1));
    assert!(!s.first_response.breached);
    // the weekend is not business time: the next change is the 50 % warning Monday 10:00
    assert_eq!(
        s.next_change,
        Some(Utc.with_ymd_and_hms(2026, 1, 12, 10, 0, 0).unwrap())
    );
}

#[test]
fn unordered_and_future_events() {
    let p = SlaPolicy::itsm();
    let e1 = [
        ev(h(10), SlaEventKind::FirstResponse), // in the future of `now`
        to(h(1), StateCategory::Pending),
        created(Priority::Critical),
    ];
    let s = p.evaluate(&e1, t0() + h(2));
    assert!(s.first_response.paused);
    assert_eq!(s.first_response.completed_at, None);
    assert_eq!(s.category, StateCategory::Pending);
}

#[test]
fn try_evaluate_rejects_bad_histories() {
    let p = SlaPolicy::itsm();
    let e = p
        .try_evaluate(&[ev(h(1), SlaEventKind::FirstResponse)], t0())
        .unwrap_err();
    assert!(e.to_string().contains("no Created event"), "{e}");
    let e = p
        .try_evaluate(
            &[
                created(Priority::Low),
                ev(-h(1), SlaEventKind::FirstResponse),
            ],
            t0(),
        )
        .unwrap_err();
    assert!(
        e.to_string().contains("before the ticket was created"),
        "{e}"
    );
    // evaluate falls back to the earliest event at normal priority
    let s = p.evaluate(&[to(Duration::zero(), StateCategory::Open)], t0() + h(1));
    assert_eq!(s.priority, Priority::Normal);
    assert_eq!(s.first_response.due, t0() + h(8));
}

#[test]
fn policy_json_roundtrip_and_validation() {
    let p = SlaPolicy::itsm();
    let json = serde_json::to_string(&p).unwrap();
    assert!(
        json.contains("\"critical\":{\"first_response_minutes\":60,\"resolution_minutes\":240}"),
        "{json}"
    );
    assert_eq!(SlaPolicy::from_json(&json).unwrap(), p);
    for (bad, needle) in [
        (r#"{"targets":{}}"#, "at least one priority"),
        (
            r#"{"targets":{"p1":{"first_response_minutes":0,"resolution_minutes":5}}}"#,
            "must be positive",
        ),
        (
            r#"{"targets":{"low":{"first_response_minutes":1,"resolution_minutes":5}},"warnings":[75,50]}"#,
            "strictly ascending",
        ),
        (
            r#"{"targets":{"low":{"first_response_minutes":1,"resolution_minutes":5}},"resolution_pause":["resolved"]}"#,
            "both pause and complete",
        ),
        (
            r#"{"targets":{"bogus":{"first_response_minutes":1,"resolution_minutes":5}}}"#,
            "Invalid priority 'bogus'",
        ),
        (
            r#"{"targets":{"low":{"first_response_minutes":1,"resolution_minutes":5}},"calendar":{"timezone":"X/Y"}}"#,
            "X/Y",
        ),
        (
            r#"{"targets":{"low":{"first_response_minutes":1,"resolution_minutes":5}},"reopen":"sometimes"}"#,
            "sometimes",
        ),
    ] {
        let e = SlaPolicy::from_json(bad).unwrap_err();
        assert!(matches!(e, Error::Validation(_)));
        assert!(e.to_string().contains(needle), "{bad}: {e}");
    }
    // plain serde deserialisation validates too
    assert!(serde_json::from_str::<SlaPolicy>(r#"{"targets":{}}"#).is_err());
    // a policy mutated to have no targets does not panic
    let mut empty = SlaPolicy::itsm();
    empty.targets.clear();
    assert!(
        !empty
            .evaluate(&[created(Priority::Low)], t0() + h(1000))
            .any_breached()
    );
    // fallback to the nearest lower priority with targets
    let q = SlaPolicy::from_json(
        r#"{"targets":{"normal":{"first_response_minutes":30,"resolution_minutes":60}}}"#,
    )
    .unwrap();
    assert_eq!(q.target(Priority::Critical).first_response_minutes, 30);
    assert_eq!(q.target(Priority::Low).first_response_minutes, 30);
    let s =
        serde_json::to_value(SlaPolicy::itsm().evaluate(&[created(Priority::Low)], t0())).unwrap();
    assert_eq!(s["priority"], "low");
}
