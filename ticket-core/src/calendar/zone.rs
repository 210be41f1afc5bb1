//! UTC-offset transitions of an IANA time zone, extracted once per zone from `chrono-tz` and
//! cached process-wide, so that calendar arithmetic needs no time-zone look-ups per day.

use chrono::{DateTime, Offset, TimeZone};
use chrono_tz::Tz;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

/// First instant scanned for transitions (1700-01-01T00:00:00Z).
const SCAN_START: i64 = -8_520_336_000;
/// End of the scanned range (2101-01-01T00:00:00Z); chrono-tz has no transitions after 2100.
const SCAN_END: i64 = 4_133_980_800;
/// 1900-01-01T00:00:00Z: before it the scan samples weekly, after it every two days.
const Y1900: i64 = -2_208_988_800;

/// One change of the zone's total UTC offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Transition {
    /// The UTC instant (seconds) from which `after` applies.
    pub at: i64,
    /// Offset (seconds east of UTC) before `at`.
    pub before: i32,
    /// Offset (seconds east of UTC) from `at` on.
    pub after: i32,
}

impl Transition {
    /// The wall-clock reading the clock approaches just before the change.
    pub fn wall_before(&self) -> i64 {
        self.at + self.before as i64
    }
    /// The wall-clock reading right after the change.
    pub fn wall_after(&self) -> i64 {
        self.at + self.after as i64
    }
    /// Positive for spring-forward (a gap), negative for fall-back (a repeated hour).
    pub fn delta(&self) -> i64 {
        (self.after - self.before) as i64
    }
    /// End of the repeated period of a fall-back (`at` for a spring-forward).
    pub fn repeat_end(&self) -> i64 {
        if self.delta() < 0 {
            self.at - self.delta()
        } else {
            self.at
        }
    }
}

/// The offset history of one zone.
#[derive(Debug)]
pub(crate) struct Zone {
    /// Offset before the first transition.
    pub initial: i32,
    /// Transitions in time order.
    pub transitions: Vec<Transition>,
}

thread_local! {
    /// Offset histories computed on this thread. Per thread rather than one locked map: no
    /// lock is held across a computation, so a process that forks (Python's `os.fork()`)
    /// never leaves its child waiting on a lock that another thread of the parent held.
    static ZONES: RefCell<HashMap<Tz, Arc<Zone>>> = RefCell::new(HashMap::new());
}

/// The cached offset history of `tz` (computed on first use, ~1 ms per zone per thread).
pub(crate) fn zone(tz: Tz) -> Arc<Zone> {
    ZONES.with(|zones| {
        zones
            .borrow_mut()
            .entry(tz)
            .or_insert_with(|| Arc::new(Zone::compute(tz)))
            .clone()
    })
}

fn chrono_offset(tz: Tz, u: i64) -> i32 {
    let dt = DateTime::from_timestamp(u, 0)
        .expect("in range")
        .naive_utc();
    tz.offset_from_utc_datetime(&dt).fix().local_minus_utc()
}

impl Zone {
    /// Scans chrono-tz's data for total-offset changes between 1700 and 2100. Offsets are sampled
    /// (weekly before 1900, every two days after) and each change is located to the second by
    /// bisection. Two changes that cancel out within one sampling step would be missed; tzdb has
    /// none after 1900. Outside the scanned range the offset is taken as constant.
    fn compute(tz: Tz) -> Zone {
        let initial = chrono_offset(tz, SCAN_START);
        let mut transitions = Vec::new();
        let (mut lo, mut lo_off) = (SCAN_START, initial);
        while lo < SCAN_END {
            let step = if lo < Y1900 { 7 * 86_400 } else { 2 * 86_400 };
            let hi = (lo + step).min(SCAN_END);
            let hi_off = chrono_offset(tz, hi);
            if hi_off == lo_off {
                lo = hi;
                continue;
            }
            // bisect: offset(a) == lo_off, offset(b) != lo_off
            let (mut a, mut b) = (lo, hi);
            while b - a > 1 {
                let m = a + (b - a) / 2;
                if chrono_offset(tz, m) == lo_off {
                    a = m;
                } else {
                    b = m;
                }
            }
            let after = chrono_offset(tz, b);
            transitions.push(Transition {
                at: b,
                before: lo_off,
                after,
            });
            lo = b;
            lo_off = after;
        }
        Zone {
            initial,
            transitions,
        }
    }

    /// Index of the first transition with `at > u`.
    fn after_idx(&self, u: i64) -> usize {
        self.transitions.partition_point(|t| t.at <= u)
    }

    /// The last transition at or before `u`.
    pub fn last_at_or_before(&self, u: i64) -> Option<&Transition> {
        let i = self.after_idx(u);
        if i == 0 {
            None
        } else {
            Some(&self.transitions[i - 1])
        }
    }

    /// The first transition strictly after `u`.
    pub fn next_after(&self, u: i64) -> Option<&Transition> {
        self.transitions.get(self.after_idx(u))
    }

    /// Total UTC offset at instant `u`.
    pub fn offset_at(&self, u: i64) -> i32 {
        self.last_at_or_before(u).map_or(self.initial, |t| t.after)
    }

    /// If `u` lies in the repeated period of a fall-back, that transition.
    pub fn in_repeat(&self, u: i64) -> Option<&Transition> {
        self.last_at_or_before(u)
            .filter(|t| t.delta() < 0 && u < t.repeat_end())
    }

    /// The "effective" wall-clock reading at `u`: the highest reading the clock has shown up to
    /// `u`. Equal to the reading except during the repeated period of a fall-back, where it stays
    /// at the reading just before the clocks went back.
    pub fn effective_wall(&self, u: i64) -> i64 {
        match self.last_at_or_before(u) {
            Some(t) if t.delta() < 0 && u < t.repeat_end() => t.wall_before(),
            Some(t) => u + t.after as i64,
            None => u + self.initial as i64,
        }
    }

    /// The first instant at which the wall clock shows `w` or later: the unique instant for a
    /// normal time, the first occurrence for an ambiguous time, the instant of the jump for a
    /// time skipped by a spring-forward.
    pub fn first_instant_at_or_after(&self, w: i64) -> i64 {
        let lo = w - 2 * 86_400;
        let i = self.after_idx(lo);
        let mut seg_start = i64::MIN;
        let mut off = if i == 0 {
            self.initial
        } else {
            self.transitions[i - 1].after
        };
        for t in &self.transitions[i..] {
            let cand = seg_start.max(w - off as i64);
            if cand < t.at {
                return cand;
            }
            seg_start = t.at;
            off = t.after;
        }
        seg_start.max(w - off as i64)
    }

    /// Transitions with `lo < at <= hi`.
    #[cfg(test)]
    pub fn between(&self, lo: i64, hi: i64) -> &[Transition] {
        let a = self.after_idx(lo);
        let b = self.after_idx(hi);
        &self.transitions[a..b.max(a)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn berlin_2026_transitions_found_exactly() {
        let z = zone(chrono_tz::Europe::Berlin);
        // 2026-03-29T01:00:00Z (+1h -> +2h) and 2026-10-25T01:00:00Z (+2h -> +1h)
        let spring = 1_774_746_000;
        let fall = 1_792_890_000;
        let ts = z.between(spring - 1, fall);
        assert_eq!(ts.len(), 2, "{ts:?}");
        assert_eq!(
            ts[0],
            Transition {
                at: spring,
                before: 3600,
                after: 7200
            }
        );
        assert_eq!(
            ts[1],
            Transition {
                at: fall,
                before: 7200,
                after: 3600
            }
        );
        assert_eq!(z.offset_at(spring - 1), 3600);
        assert_eq!(z.offset_at(spring), 7200);
    }

    #[test]
    fn utc_has_no_transitions() {
        assert!(zone(chrono_tz::UTC).transitions.is_empty());
    }
}
