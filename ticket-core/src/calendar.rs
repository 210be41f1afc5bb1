//! Business calendars: an IANA time zone, working intervals per weekday (several per day, for
//! lunch breaks), holidays (fixed dates and yearly recurring dates), and 24x7 as a special case.
//!
//! # Semantics
//!
//! - **Business time is real elapsed time inside wall-clock working intervals.** An interval
//!   01:00–04:00 lasts 2 h on a spring-forward day and 4 h on a fall-back day.
//! - **Wall times map to instants by "first instant showing that time or later"**: a normal wall
//!   time is its unique instant; an *ambiguous* wall time (the repeated hour of a fall-back) is its
//!   *first* occurrence; a *nonexistent* wall time (skipped by a spring-forward) is the instant of
//!   the jump. This applies to interval starts and ends alike and is deterministic. A consequence:
//!   during the repeated hour of a fall-back, an instant is working iff the wall time just before
//!   the clocks went back was working.
//! - **Boundary rule**: adding business time that runs out exactly at a closing instant yields
//!   that closing instant (17:00 the same day), never the next opening. Formally,
//!   `add_business_time(s, d)` is the *earliest* instant `u` with
//!   `business_time_between(s, u) >= d`.
//! - Intervals are half-open `[start, end)`; an end of `00:00` in the builder (or `"24:00"` in
//!   JSON) means midnight at the end of the day. Boundaries are whole seconds.
//! - A yearly holiday on 29 February applies only in leap years.
//! - Offset changes are taken from chrono-tz's tzdb for 1700–2100 (cached per zone and thread);
//!   outside that range the offset is treated as constant.
//!
//! # Cost
//!
//! Whole weeks are handled arithmetically from the precomputed week total; only partial days,
//! holidays in range and DST transitions in range are handled individually, so
//! [`BusinessCalendar::business_time_between`] and [`BusinessCalendar::add_business_time`] take
//! time proportional to the number of holidays and transitions spanned, not to minutes or days.
//!
//! # JSON form
//!
//! ```json
//! {
//!   "timezone": "Europe/Berlin",
//!   "week": {
//!     "mon": [["09:00", "12:00"], ["13:00", "17:00"]],
//!     "fri": [["09:00", "15:30"]]
//!   },
//!   "holidays": ["2026-12-24"],
//!   "yearly_holidays": ["12-25", "01-01"]
//! }
//! ```
//!
//! Weekday keys are `mon`..`sun` (missing days are non-working); times are `HH:MM` or
//! `HH:MM:SS`; `holidays` are ISO dates; `yearly_holidays` are `MM-DD`. `{"always": true}` (with
//! an optional `timezone`) is the 24x7 calendar.
//!
//! ```
//! use chrono::{NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
//! use ticket_core::calendar::BusinessCalendar;
//!
//! let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
//! let mut b = BusinessCalendar::builder(chrono_tz::Europe::Berlin);
//! for d in [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri] {
//!     b = b.interval(d, t(9, 0), t(12, 0)).interval(d, t(13, 0), t(17, 0));
//! }
//! let cal = b.yearly_holiday(12, 25).build().unwrap();
//! // Monday 2026-01-05 15:00 Berlin (14:00 UTC) + 4 business hours = Tuesday 11:00 Berlin.
//! let start = Utc.with_ymd_and_hms(2026, 1, 5, 14, 0, 0).unwrap();
//! let due = cal.add_business_time(start, chrono::Duration::hours(4));
//! assert_eq!(due, Utc.with_ymd_and_hms(2026, 1, 6, 10, 0, 0).unwrap());
//! assert_eq!(cal.business_time_between(start, due), chrono::Duration::hours(4));
//! ```

mod zone;

use crate::error::{Error, Result};
use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeDelta, Timelike, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use zone::Zone;

const DAY: i64 = 86_400;
const NANOS: i128 = 1_000_000_000;
const WEEKDAY_KEYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// A business calendar: when the clock of a business-time SLA runs.
///
/// Build one with [`BusinessCalendar::builder`], [`BusinessCalendar::always`] or
/// [`BusinessCalendar::from_json`]. See the [module docs](self) for the exact semantics (DST,
/// boundary rule) and the JSON form.
#[derive(Clone, Serialize, Deserialize)]
#[serde(try_from = "CalendarSpec", into = "CalendarSpec")]
pub struct BusinessCalendar {
    tz: Tz,
    /// Merged, sorted working intervals per weekday (Monday first), in seconds of the day.
    week: [Vec<(i64, i64)>; 7],
    /// Sorted, deduplicated holiday dates.
    holidays: Vec<NaiveDate>,
    /// Sorted (month, day) pairs of yearly holidays.
    yearly: Vec<(u32, u32)>,
    // ---- derived ----
    holiday_days: Vec<i64>,
    day_total: [i64; 7],
    /// cum[i] = working seconds of weekdays 0..i.
    cum: [i64; 8],
    week_total: i64,
    always: bool,
    zone: Arc<Zone>,
}

impl PartialEq for BusinessCalendar {
    fn eq(&self, other: &Self) -> bool {
        self.tz == other.tz
            && self.week == other.week
            && self.holidays == other.holidays
            && self.yearly == other.yearly
    }
}

impl fmt::Debug for BusinessCalendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BusinessCalendar")
            .field("tz", &self.tz.name())
            .field("week", &self.week)
            .field("holidays", &self.holidays)
            .field("yearly", &self.yearly)
            .finish()
    }
}

/// Builder for [`BusinessCalendar`]; obtained from [`BusinessCalendar::builder`].
#[derive(Debug, Clone)]
pub struct CalendarBuilder {
    tz: Tz,
    intervals: Vec<(Weekday, NaiveTime, NaiveTime)>,
    holidays: Vec<NaiveDate>,
    yearly: Vec<(u32, u32)>,
}

impl CalendarBuilder {
    /// Adds a working interval `[start, end)` on `day`. An `end` of `00:00` means midnight at the
    /// end of the day. Call several times per day for lunch breaks. Adjacent intervals merge;
    /// overlapping ones are rejected by [`CalendarBuilder::build`].
    pub fn interval(mut self, day: Weekday, start: NaiveTime, end: NaiveTime) -> Self {
        self.intervals.push((day, start, end));
        self
    }

    /// Adds the same interval on Monday to Friday.
    pub fn weekdays(mut self, start: NaiveTime, end: NaiveTime) -> Self {
        for d in [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
        ] {
            self.intervals.push((d, start, end));
        }
        self
    }

    /// Adds a one-off holiday (no working time that local date).
    pub fn holiday(mut self, date: NaiveDate) -> Self {
        self.holidays.push(date);
        self
    }

    /// Adds a holiday recurring every year on `month`/`day` (29 February: leap years only).
    pub fn yearly_holiday(mut self, month: u32, day: u32) -> Self {
        self.yearly.push((month, day));
        self
    }

    /// Validates and builds the calendar.
    ///
    /// Errors ([`Error::Validation`]): an interval that is empty, reversed or has sub-second
    /// boundaries; overlapping intervals on one day; no working interval at all; an invalid
    /// yearly date; yearly holidays covering every day of the year.
    pub fn build(self) -> Result<BusinessCalendar> {
        let mut week: [Vec<(i64, i64)>; 7] = Default::default();
        for (day, s, e) in &self.intervals {
            if s.nanosecond() != 0 || e.nanosecond() != 0 {
                return Err(Error::validation(format!(
                    "Working interval {} {}-{} must have whole-second boundaries",
                    day,
                    fmt_secs(s.num_seconds_from_midnight() as i64),
                    fmt_secs(e.num_seconds_from_midnight() as i64)
                )));
            }
            let ss = s.num_seconds_from_midnight() as i64;
            let mut es = e.num_seconds_from_midnight() as i64;
            if es == 0 {
                es = DAY;
            }
            if es <= ss {
                return Err(Error::validation(format!(
                    "Working interval {} {}-{} ends before it starts; an interval cannot cross midnight (split it into {}-24:00 and 00:00-{} of the next day)",
                    day,
                    fmt_secs(ss),
                    fmt_secs(es),
                    fmt_secs(ss),
                    fmt_secs(es)
                )));
            }
            week[day.num_days_from_monday() as usize].push((ss, es));
        }
        for (i, iv) in week.iter_mut().enumerate() {
            iv.sort();
            let mut merged: Vec<(i64, i64)> = Vec::with_capacity(iv.len());
            for &(s, e) in iv.iter() {
                if let Some(last) = merged.last_mut() {
                    if s < last.1 {
                        return Err(Error::validation(format!(
                            "Overlapping working intervals on {}: {}-{} and {}-{}",
                            WEEKDAY_KEYS[i],
                            fmt_secs(last.0),
                            fmt_secs(last.1),
                            fmt_secs(s),
                            fmt_secs(e)
                        )));
                    }
                    if s == last.1 {
                        last.1 = e;
                        continue;
                    }
                }
                merged.push((s, e));
            }
            *iv = merged;
        }
        let mut yearly = self.yearly;
        for &(m, d) in &yearly {
            if NaiveDate::from_ymd_opt(2000, m, d).is_none() {
                return Err(Error::validation(format!(
                    "Invalid yearly holiday {m:02}-{d:02}: not a day of the year"
                )));
            }
        }
        yearly.sort();
        yearly.dedup();
        if yearly.len() >= 366 {
            return Err(Error::validation(
                "Yearly holidays cover every day of the year: the calendar would never be working",
            ));
        }
        let mut holidays = self.holidays;
        holidays.sort();
        holidays.dedup();
        BusinessCalendar::assemble(self.tz, week, holidays, yearly)
    }
}

fn fmt_secs(s: i64) -> String {
    if s % 60 == 0 {
        format!("{:02}:{:02}", s / 3600, (s % 3600) / 60)
    } else {
        format!("{:02}:{:02}:{:02}", s / 3600, (s % 3600) / 60, s % 60)
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// (year, month, day) of a day number (inverse of [`days_from_civil`]).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn date_to_days(d: NaiveDate) -> i64 {
    days_from_civil(d.year() as i64, d.month(), d.day())
}

/// Monday = 0.
fn weekday_of(day: i64) -> usize {
    (day + 3).rem_euclid(7) as usize
}

fn to_datetime(secs: i64, nanos: u32) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, nanos).unwrap_or(if secs < 0 {
        DateTime::<Utc>::MIN_UTC
    } else {
        DateTime::<Utc>::MAX_UTC
    })
}

impl BusinessCalendar {
    fn assemble(
        tz: Tz,
        week: [Vec<(i64, i64)>; 7],
        holidays: Vec<NaiveDate>,
        yearly: Vec<(u32, u32)>,
    ) -> Result<Self> {
        let mut day_total = [0i64; 7];
        let mut cum = [0i64; 8];
        for i in 0..7 {
            day_total[i] = week[i].iter().map(|(s, e)| e - s).sum();
            cum[i + 1] = cum[i] + day_total[i];
        }
        let week_total = cum[7];
        if week_total == 0 {
            return Err(Error::validation(
                "A business calendar needs at least one working interval",
            ));
        }
        let always = holidays.is_empty()
            && yearly.is_empty()
            && week.iter().all(|d| d.as_slice() == [(0, DAY)]);
        let holiday_days = holidays.iter().map(|d| date_to_days(*d)).collect();
        Ok(BusinessCalendar {
            tz,
            week,
            holidays,
            yearly,
            holiday_days,
            day_total,
            cum,
            week_total,
            always,
            zone: zone::zone(tz),
        })
    }

    /// The 24x7 calendar in UTC: business time equals elapsed time.
    ///
    /// ```
    /// use chrono::{Duration, TimeZone, Utc};
    /// use ticket_core::calendar::BusinessCalendar;
    /// let cal = BusinessCalendar::always();
    /// let t = Utc.with_ymd_and_hms(2026, 3, 7, 23, 0, 0).unwrap(); // a Saturday night
    /// assert_eq!(cal.add_business_time(t, Duration::hours(2)), t + Duration::hours(2));
    /// ```
    pub fn always() -> Self {
        let week: [Vec<(i64, i64)>; 7] = std::array::from_fn(|_| vec![(0, DAY)]);
        Self::assemble(chrono_tz::UTC, week, Vec::new(), Vec::new()).expect("valid")
    }

    /// Starts a calendar in time zone `tz` with no working intervals.
    ///
    /// ```
    /// use chrono::{NaiveTime, Weekday};
    /// use ticket_core::calendar::BusinessCalendar;
    /// let t = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap();
    /// let cal = BusinessCalendar::builder(chrono_tz::America::New_York)
    ///     .interval(Weekday::Mon, t(9), t(12))
    ///     .interval(Weekday::Mon, t(13), t(17))
    ///     .yearly_holiday(7, 4)
    ///     .build()
    ///     .unwrap();
    /// assert!(!cal.is_always());
    /// // an interval that ends before it starts is a Validation error
    /// assert!(BusinessCalendar::builder(chrono_tz::UTC)
    ///     .interval(Weekday::Mon, t(17), t(9))
    ///     .build()
    ///     .is_err());
    /// ```
    pub fn builder(tz: Tz) -> CalendarBuilder {
        CalendarBuilder {
            tz,
            intervals: Vec::new(),
            holidays: Vec::new(),
            yearly: Vec::new(),
        }
    }

    /// Parses and validates the JSON form (see the [module docs](self)).
    ///
    /// ```
    /// use ticket_core::calendar::BusinessCalendar;
    /// let cal = BusinessCalendar::from_json(
    ///     r#"{"timezone":"Europe/Berlin","week":{"mon":[["09:00","17:00"]]},"yearly_holidays":["12-25"]}"#,
    /// ).unwrap();
    /// assert_eq!(cal.timezone(), chrono_tz::Europe::Berlin);
    /// let err = BusinessCalendar::from_json(r#"{"timezone":"Mars/Olympus","week":{}}"#).unwrap_err();
    /// assert!(err.to_string().contains("Mars/Olympus"));
    /// ```
    pub fn from_json(s: &str) -> Result<Self> {
        let spec: CalendarSpec = serde_json::from_str(s)
            .map_err(|e| Error::validation(format!("Invalid business calendar JSON: {e}")))?;
        Self::try_from(spec)
    }

    /// The calendar's JSON form (the inverse of [`BusinessCalendar::from_json`]).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("calendar serialises")
    }

    /// The calendar's time zone.
    pub fn timezone(&self) -> Tz {
        self.tz
    }

    /// True when every instant is business time (every day 00:00–24:00, no holidays).
    pub fn is_always(&self) -> bool {
        self.always
    }

    /// Working intervals of `day` as `(start, end)` seconds of the day (end may be 86 400).
    pub fn intervals_of(&self, day: Weekday) -> &[(i64, i64)] {
        &self.week[day.num_days_from_monday() as usize]
    }

    /// Working seconds in a nominal (23/25-hour days not considered) week.
    pub fn nominal_week(&self) -> TimeDelta {
        TimeDelta::seconds(self.week_total)
    }

    /// True when `date` (a local date) is a holiday, fixed or yearly.
    pub fn is_holiday(&self, date: NaiveDate) -> bool {
        self.is_holiday_day(date_to_days(date))
    }

    // ---------------------------------------------------------------- wall-time arithmetic

    fn is_holiday_day(&self, day: i64) -> bool {
        if self.holiday_days.binary_search(&day).is_ok() {
            return true;
        }
        if self.yearly.is_empty() {
            return false;
        }
        let (_, m, d) = civil_from_days(day);
        self.yearly.binary_search(&(m, d)).is_ok()
    }

    /// Working seconds of weekday `wd` in `[0, sod)`.
    fn within_day(&self, wd: usize, sod: i64) -> i64 {
        let mut acc = 0;
        for &(s, e) in &self.week[wd] {
            if sod <= s {
                break;
            }
            acc += sod.min(e) - s;
        }
        acc
    }

    /// Working seconds (holidays ignored) from the Monday-aligned origin to wall time `w`.
    fn base(&self, w: i64) -> i64 {
        let day = w.div_euclid(DAY);
        let sod = w - day * DAY;
        let md = day + 3;
        let wk = md.div_euclid(7);
        let wd = (md - wk * 7) as usize;
        wk * self.week_total + self.cum[wd] + self.within_day(wd, sod)
    }

    /// Calls `f(day)` for every holiday day number in `[d1, d2]` (each once).
    fn for_each_holiday(&self, d1: i64, d2: i64, mut f: impl FnMut(i64)) {
        if d2 < d1 {
            return;
        }
        if d2 - d1 < 4 {
            // short spans: a direct membership test per day is cheaper than expanding years
            for h in d1..=d2 {
                if self.is_holiday_day(h) {
                    f(h);
                }
            }
            return;
        }
        let a = self.holiday_days.partition_point(|&h| h < d1);
        let b = self.holiday_days.partition_point(|&h| h <= d2);
        for &h in &self.holiday_days[a..b] {
            f(h);
        }
        if self.yearly.is_empty() {
            return;
        }
        let (y1, _, _) = civil_from_days(d1);
        let (y2, _, _) = civil_from_days(d2);
        for y in y1..=y2 {
            let leap = is_leap(y);
            for &(m, d) in &self.yearly {
                if m == 2 && d == 29 && !leap {
                    continue;
                }
                let h = days_from_civil(y, m, d);
                if h < d1 || h > d2 || self.holiday_days.binary_search(&h).is_ok() {
                    continue;
                }
                f(h);
            }
        }
    }

    /// Nominal working seconds in wall range `[w1, w2)`.
    fn nominal(&self, w1: i64, w2: i64) -> i64 {
        if w2 <= w1 {
            return 0;
        }
        let mut r = self.base(w2) - self.base(w1);
        self.for_each_holiday(w1.div_euclid(DAY), (w2 - 1).div_euclid(DAY), |h| {
            let wd = weekday_of(h);
            let lo = (w1 - h * DAY).max(0);
            let hi = (w2 - h * DAY).min(DAY);
            r -= self.within_day(wd, hi) - self.within_day(wd, lo);
        });
        r
    }

    /// Whole-day holiday loss for days in `[d1, d2)`.
    fn holiday_loss_days(&self, d1: i64, d2: i64) -> i64 {
        let mut lost = 0;
        self.for_each_holiday(d1, d2 - 1, |h| lost += self.day_total[weekday_of(h)]);
        lost
    }

    /// Is wall second `[w, w+1)` working?
    fn wall_working(&self, w: i64) -> bool {
        let day = w.div_euclid(DAY);
        let sod = w - day * DAY;
        self.week[weekday_of(day)]
            .iter()
            .any(|&(s, e)| s <= sod && sod < e)
            && !self.is_holiday_day(day)
    }

    /// Earliest wall time `w >= w0` with `nominal(w0, w) >= need` (`need > 0`).
    fn seek(&self, w0: i64, mut need: i64) -> i64 {
        let mut day = w0.div_euclid(DAY);
        let sod = w0 - day * DAY;
        if !self.is_holiday_day(day) {
            for &(s, e) in &self.week[weekday_of(day)] {
                let s2 = s.max(sod);
                if s2 < e {
                    let len = e - s2;
                    if need <= len {
                        return day * DAY + s2 + need;
                    }
                    need -= len;
                }
            }
        }
        day += 1;
        loop {
            if need > self.week_total {
                let q = (need - 1) / self.week_total;
                let lost = self.holiday_loss_days(day, day + 7 * q);
                need = need - q * self.week_total + lost;
                day += 7 * q;
                continue;
            }
            let wd = weekday_of(day);
            if self.day_total[wd] > 0 && !self.is_holiday_day(day) {
                if need <= self.day_total[wd] {
                    for &(s, e) in &self.week[wd] {
                        let len = e - s;
                        if need <= len {
                            return day * DAY + s + need;
                        }
                        need -= len;
                    }
                }
                need -= self.day_total[wd];
            }
            day += 1;
        }
    }

    // ---------------------------------------------------------------- instant arithmetic (s)

    fn working_sec(&self, u: i64) -> bool {
        if self.always {
            return true;
        }
        match self.zone.in_repeat(u) {
            Some(t) => self.wall_working(t.wall_before() - 1),
            None => self.wall_working(u + self.zone.offset_at(u) as i64),
        }
    }

    fn between_secs(&self, a: i64, b: i64) -> i64 {
        if b <= a {
            return 0;
        }
        if self.always {
            return b - a;
        }
        let z = &self.zone;
        let tr = &z.transitions;
        // one binary search, then a scan over the (few) transitions up to `b`
        let start = tr.partition_point(|t| t.at <= a - 2 * DAY);
        let mut end = start;
        while end < tr.len() && tr[end].at <= b {
            end += 1;
        }
        let near = &tr[start..end];
        let before = if start == 0 {
            z.initial
        } else {
            tr[start - 1].after
        };
        let eff = |u: i64| -> i64 {
            let k = near.partition_point(|t| t.at <= u);
            if k == 0 {
                return u + before as i64;
            }
            let t = &near[k - 1];
            if t.delta() < 0 && u < t.repeat_end() {
                t.wall_before()
            } else {
                u + t.after as i64
            }
        };
        let mut r = self.nominal(eff(a), eff(b));
        for t in near {
            if t.delta() > 0 {
                if t.at > a {
                    r -= self.nominal(t.wall_before(), t.wall_after());
                }
            } else if t.delta() < 0 {
                let ov = b.min(t.repeat_end()) - a.max(t.at);
                if ov > 0 && self.wall_working(t.wall_before() - 1) {
                    r += ov;
                }
            }
        }
        r
    }

    fn add_secs(&self, a: i64, mut need: i64) -> i64 {
        if need <= 0 {
            return a;
        }
        if self.always {
            return a.saturating_add(need);
        }
        let z = &self.zone;
        let mut cur = a;
        if let Some(t) = z.in_repeat(cur) {
            let end = t.repeat_end();
            if self.wall_working(t.wall_before() - 1) {
                if need <= end - cur {
                    return cur + need;
                }
                need -= end - cur;
            }
            cur = end;
        }
        loop {
            let off = z.offset_at(cur) as i64;
            let w = cur + off;
            let target = self.seek(w, need) - off;
            let Some(t) = z.next_after(cur) else {
                return target;
            };
            if target <= t.at {
                return target;
            }
            need -= self.nominal(w, t.wall_before());
            if t.delta() > 0 {
                cur = t.at;
            } else {
                let end = t.repeat_end();
                if self.wall_working(t.wall_before() - 1) {
                    if need <= end - t.at {
                        return t.at + need;
                    }
                    need -= end - t.at;
                }
                cur = end;
            }
        }
    }

    // ---------------------------------------------------------------- public queries

    /// True when instant `t` is business time. Intervals are half-open: at exactly the closing
    /// instant the calendar is no longer working.
    ///
    /// ```
    /// use chrono::{NaiveTime, TimeZone, Utc, Weekday};
    /// use ticket_core::calendar::BusinessCalendar;
    /// let t = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap();
    /// let cal = BusinessCalendar::builder(chrono_tz::UTC).interval(Weekday::Mon, t(9), t(17)).build().unwrap();
    /// assert!(cal.is_working(Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap()));
    /// assert!(!cal.is_working(Utc.with_ymd_and_hms(2026, 1, 5, 17, 0, 0).unwrap()));
    /// ```
    pub fn is_working(&self, t: DateTime<Utc>) -> bool {
        self.working_sec(t.timestamp())
    }

    /// The earliest instant `u` with `business_time_between(start, u) >= d`; `start` itself
    /// when `d <= 0`. When the business time runs out exactly at a closing instant, that closing
    /// instant is returned (not the next opening). Saturates at the largest representable instant.
    ///
    /// ```
    /// use chrono::{Duration, NaiveTime, TimeZone, Utc, Weekday};
    /// use ticket_core::calendar::BusinessCalendar;
    /// let t = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap();
    /// let cal = BusinessCalendar::builder(chrono_tz::UTC)
    ///     .weekdays(t(9), t(17))
    ///     .build()
    ///     .unwrap();
    /// let mon_13 = Utc.with_ymd_and_hms(2026, 1, 5, 13, 0, 0).unwrap();
    /// // exactly 4 h left in the day: due at 17:00 the same day, not 09:00 Tuesday
    /// assert_eq!(
    ///     cal.add_business_time(mon_13, Duration::hours(4)),
    ///     Utc.with_ymd_and_hms(2026, 1, 5, 17, 0, 0).unwrap()
    /// );
    /// ```
    pub fn add_business_time(&self, start: DateTime<Utc>, d: TimeDelta) -> DateTime<Utc> {
        if d <= TimeDelta::zero() {
            return start;
        }
        let s = start.timestamp();
        let sn = start.timestamp_subsec_nanos() as i128;
        let total = d.num_seconds() as i128 * NANOS + d.subsec_nanos() as i128;
        let (base, need) = if sn > 0 {
            if self.working_sec(s) {
                (s, total + sn)
            } else {
                (s + 1, total)
            }
        } else {
            (s, total)
        };
        let need_s = (need / NANOS) as i64;
        let rem = (need % NANOS) as u32;
        let p = self.add_secs(base, need_s);
        if rem == 0 {
            return to_datetime(p, 0);
        }
        let q = self.add_secs(p, 1) - 1;
        to_datetime(q, rem)
    }

    /// Business time in `[from, to)`; zero when `to <= from`.
    ///
    /// ```
    /// use chrono::{Duration, NaiveTime, TimeZone, Utc, Weekday};
    /// use ticket_core::calendar::BusinessCalendar;
    /// let t = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap();
    /// let cal = BusinessCalendar::builder(chrono_tz::UTC).weekdays(t(9), t(17)).build().unwrap();
    /// let from = Utc.with_ymd_and_hms(2026, 1, 2, 16, 0, 0).unwrap(); // Friday 16:00
    /// let to = Utc.with_ymd_and_hms(2026, 1, 5, 10, 0, 0).unwrap(); // Monday 10:00
    /// assert_eq!(cal.business_time_between(from, to), Duration::hours(2));
    /// assert_eq!(cal.business_time_between(to, from), Duration::zero());
    /// ```
    pub fn business_time_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> TimeDelta {
        if to <= from {
            return TimeDelta::zero();
        }
        let (fs, fns) = (from.timestamp(), from.timestamp_subsec_nanos() as i64);
        let (ts, tns) = (to.timestamp(), to.timestamp_subsec_nanos() as i64);
        let secs = self.between_secs(fs, ts);
        let mut nanos = 0i64;
        if fns > 0 && self.working_sec(fs) {
            nanos -= fns;
        }
        if tns > 0 && self.working_sec(ts) {
            nanos += tns;
        }
        TimeDelta::seconds(secs) + TimeDelta::nanoseconds(nanos)
    }

    /// The working intervals clipped to `[from, to)`, in order, adjacent pieces merged (e.g. a
    /// Monday 22:00–24:00 interval followed by Tuesday 00:00–06:00 is one interval).
    ///
    /// ```
    /// use chrono::{NaiveTime, TimeZone, Utc, Weekday};
    /// use ticket_core::calendar::BusinessCalendar;
    /// let t = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap();
    /// let cal = BusinessCalendar::builder(chrono_tz::UTC)
    ///     .interval(Weekday::Mon, t(9), t(12))
    ///     .interval(Weekday::Mon, t(13), t(17))
    ///     .build()
    ///     .unwrap();
    /// let at = |h| Utc.with_ymd_and_hms(2026, 1, 5, h, 0, 0).unwrap();
    /// let v: Vec<_> = cal.working_intervals(at(10), at(14)).collect();
    /// assert_eq!(v, vec![(at(10), at(12)), (at(13), at(14))]);
    /// ```
    pub fn working_intervals(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> impl Iterator<Item = (DateTime<Utc>, DateTime<Utc>)> + '_ {
        let (day, last_day) = if to <= from || self.always {
            (1, 0)
        } else {
            let ew = |u: DateTime<Utc>| self.zone.effective_wall(u.timestamp());
            (ew(from).div_euclid(DAY), ew(to).div_euclid(DAY))
        };
        let always_piece = (self.always && from < to).then_some((from, to));
        WorkingIntervals {
            cal: self,
            from,
            to,
            day,
            last_day,
            idx: 0,
            pending: None,
        }
        .chain(always_piece)
    }
}

/// Iterator behind [`BusinessCalendar::working_intervals`].
struct WorkingIntervals<'a> {
    cal: &'a BusinessCalendar,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    day: i64,
    last_day: i64,
    idx: usize,
    pending: Option<(i64, i64)>,
}

impl WorkingIntervals<'_> {
    /// Next mapped (unclipped, unmerged) piece in whole seconds.
    fn next_piece(&mut self) -> Option<(i64, i64)> {
        loop {
            if self.day > self.last_day {
                return None;
            }
            let wd = weekday_of(self.day);
            let ivs = &self.cal.week[wd];
            if self.idx == 0 && (ivs.is_empty() || self.cal.is_holiday_day(self.day)) {
                self.day += 1;
                continue;
            }
            if self.idx >= ivs.len() {
                self.day += 1;
                self.idx = 0;
                continue;
            }
            let (s, e) = ivs[self.idx];
            self.idx += 1;
            let z = &self.cal.zone;
            let a = z.first_instant_at_or_after(self.day * DAY + s);
            let b = z.first_instant_at_or_after(self.day * DAY + e);
            if b > a {
                return Some((a, b));
            }
        }
    }
}

impl Iterator for WorkingIntervals<'_> {
    type Item = (DateTime<Utc>, DateTime<Utc>);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let piece = self.next_piece();
            let out = match (self.pending, piece) {
                (None, None) => return None,
                (None, Some(p)) => {
                    self.pending = Some(p);
                    continue;
                }
                (Some(cur), Some(p)) if p.0 <= cur.1 => {
                    self.pending = Some((cur.0, cur.1.max(p.1)));
                    continue;
                }
                (Some(cur), next) => {
                    self.pending = next;
                    cur
                }
            };
            let a = to_datetime(out.0, 0).max(self.from);
            let b = to_datetime(out.1, 0).min(self.to);
            if a < b {
                return Some((a, b));
            }
            self.pending?;
        }
    }
}

// -------------------------------------------------------------------- JSON form

/// The serde form of a calendar (see the module docs).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarSpec {
    #[serde(default = "default_tz")]
    timezone: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    always: bool,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    week: BTreeMap<String, Vec<(String, String)>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    holidays: Vec<NaiveDate>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    yearly_holidays: Vec<String>,
}

fn default_tz() -> String {
    "UTC".to_string()
}

fn parse_clock(s: &str, what: &str) -> Result<i64> {
    let bad = || {
        Error::validation(format!(
            "Invalid {what} time '{s}' in business calendar: expected HH:MM or HH:MM:SS (24:00 allowed as an end)"
        ))
    };
    let parts: Vec<&str> = s.trim().split(':').collect();
    if parts.len() < 2 || parts.len() > 3 {
        return Err(bad());
    }
    let num = |p: &str| p.parse::<i64>().map_err(|_| bad());
    let (h, m) = (num(parts[0])?, num(parts[1])?);
    let sec = if parts.len() == 3 { num(parts[2])? } else { 0 };
    if !(0..60).contains(&m) || !(0..60).contains(&sec) || !(0..=24).contains(&h) {
        return Err(bad());
    }
    let v = h * 3600 + m * 60 + sec;
    if v > DAY || (v == DAY && what != "end") {
        return Err(bad());
    }
    Ok(v)
}

impl TryFrom<CalendarSpec> for BusinessCalendar {
    type Error = Error;

    fn try_from(spec: CalendarSpec) -> Result<Self> {
        let tz: Tz = spec.timezone.parse().map_err(|_| {
            Error::validation(format!(
                "Unknown time zone '{}' in business calendar: expected an IANA name such as Europe/Berlin",
                spec.timezone
            ))
        })?;
        if spec.always {
            if !spec.week.is_empty()
                || !spec.holidays.is_empty()
                || !spec.yearly_holidays.is_empty()
            {
                return Err(Error::validation(
                    "A business calendar with \"always\": true cannot also list week intervals or holidays",
                ));
            }
            let week: [Vec<(i64, i64)>; 7] = std::array::from_fn(|_| vec![(0, DAY)]);
            return Self::assemble(tz, week, Vec::new(), Vec::new());
        }
        let mut b = BusinessCalendar::builder(tz);
        for (key, ivs) in &spec.week {
            let i = WEEKDAY_KEYS
                .iter()
                .position(|k| k.eq_ignore_ascii_case(key))
                .ok_or_else(|| {
                    Error::validation(format!(
                        "Unknown weekday '{key}' in business calendar: expected one of mon, tue, wed, thu, fri, sat, sun"
                    ))
                })?;
            let day = Weekday::try_from(i as u8).expect("0..7");
            for (s, e) in ivs {
                let ss = parse_clock(s, "start")?;
                let es = parse_clock(e, "end")?;
                let nt = |v: i64| {
                    NaiveTime::from_num_seconds_from_midnight_opt((v % DAY) as u32, 0)
                        .expect("valid")
                };
                if es == 0 {
                    return Err(Error::validation(format!(
                        "Working interval {key} {s}-{e} ends before it starts (use 24:00 for midnight at the end of the day)"
                    )));
                }
                b = b.interval(day, nt(ss), nt(es));
            }
        }
        for h in spec.holidays {
            b = b.holiday(h);
        }
        for y in &spec.yearly_holidays {
            let bad = || {
                Error::validation(format!(
                    "Invalid yearly holiday '{y}': expected MM-DD, e.g. 12-25"
                ))
            };
            let (m, d) = y.trim().split_once('-').ok_or_else(bad)?;
            let m: u32 = m.parse().map_err(|_| bad())?;
            let d: u32 = d.parse().map_err(|_| bad())?;
            b = b.yearly_holiday(m, d);
        }
        b.build()
    }
}

impl From<BusinessCalendar> for CalendarSpec {
    fn from(c: BusinessCalendar) -> Self {
        if c.always {
            return CalendarSpec {
                timezone: c.tz.name().to_string(),
                always: true,
                week: BTreeMap::new(),
                holidays: Vec::new(),
                yearly_holidays: Vec::new(),
            };
        }
        let mut week = BTreeMap::new();
        for (i, ivs) in c.week.iter().enumerate() {
            if !ivs.is_empty() {
                week.insert(
                    WEEKDAY_KEYS[i].to_string(),
                    ivs.iter()
                        .map(|&(s, e)| (fmt_secs(s), fmt_secs(e)))
                        .collect(),
                );
            }
        }
        CalendarSpec {
            timezone: c.tz.name().to_string(),
            always: false,
            week,
            holidays: c.holidays,
            yearly_holidays: c
                .yearly
                .iter()
                .map(|(m, d)| format!("{m:02}-{d:02}"))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests;
