//! Interval algebra on a timeline of integer nanoseconds since the Unix epoch.
//!
//! An [`IntervalSet`] is a sorted list of disjoint, non-touching, half-open intervals
//! `[start, end)`. Inserting or removing an interval touches only the neighbours it overlaps
//! (binary search plus a local splice), and reports exactly the pieces it newly covered or
//! uncovered, so callers can keep running totals without re-scanning the set.

/// A sorted set of disjoint half-open intervals `[start, end)` of nanoseconds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct IntervalSet {
    iv: Vec<(i64, i64)>,
    total: i64,
}

impl IntervalSet {
    /// An empty set.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// A set holding one interval (empty if `start >= end`).
    pub(crate) fn single(start: i64, end: i64) -> Self {
        let mut s = Self::new();
        s.insert(start, end, |_, _| {});
        s
    }

    /// The intervals, sorted.
    pub(crate) fn intervals(&self) -> &[(i64, i64)] {
        &self.iv
    }

    /// Total covered length.
    pub(crate) fn total(&self) -> i64 {
        self.total
    }

    /// Whether `t` lies inside the set.
    pub(crate) fn contains(&self, t: i64) -> bool {
        let i = self.iv.partition_point(|x| x.1 <= t);
        i < self.iv.len() && self.iv[i].0 <= t
    }

    /// Adds `[start, end)`, calling `on_new(a, b)` for every piece that was not covered before
    /// (in order). Touching or overlapping neighbours are merged.
    pub(crate) fn insert(&mut self, start: i64, end: i64, mut on_new: impl FnMut(i64, i64)) {
        if start >= end {
            return;
        }
        // Intervals that overlap or touch [start, end): those with x.1 >= start and x.0 <= end.
        let i = self.iv.partition_point(|x| x.1 < start);
        let j = self.iv.partition_point(|x| x.0 <= end);
        if i >= j {
            self.iv.insert(i, (start, end));
            self.total += end - start;
            on_new(start, end);
            return;
        }
        let mut cursor = start;
        for &(a, b) in &self.iv[i..j] {
            if a > cursor {
                let gap_end = a.min(end);
                if gap_end > cursor {
                    on_new(cursor, gap_end);
                    self.total += gap_end - cursor;
                }
            }
            cursor = cursor.max(b);
        }
        if cursor < end {
            on_new(cursor, end);
            self.total += end - cursor;
        }
        let merged = (start.min(self.iv[i].0), end.max(self.iv[j - 1].1));
        self.iv[i] = merged;
        self.iv.drain(i + 1..j);
    }

    /// Removes `[start, end)`, calling `on_removed(a, b)` for every piece that was covered.
    pub(crate) fn remove(&mut self, start: i64, end: i64, mut on_removed: impl FnMut(i64, i64)) {
        if start >= end {
            return;
        }
        let i = self.iv.partition_point(|x| x.1 <= start);
        let j = self.iv.partition_point(|x| x.0 < end);
        if i >= j {
            return;
        }
        for &(a, b) in &self.iv[i..j] {
            let (ca, cb) = (a.max(start), b.min(end));
            on_removed(ca, cb);
            self.total -= cb - ca;
        }
        let first = self.iv[i];
        let last = self.iv[j - 1];
        let mut keep: [(i64, i64); 2] = [(0, 0); 2];
        let mut n = 0;
        if first.0 < start {
            keep[n] = (first.0, start);
            n += 1;
        }
        if last.1 > end {
            keep[n] = (end, last.1);
            n += 1;
        }
        self.iv.splice(i..j, keep[..n].iter().copied());
    }

    /// The pieces of the set inside `[start, end)`, clipped, in order.
    pub(crate) fn pieces_in(&self, start: i64, end: i64) -> impl Iterator<Item = (i64, i64)> + '_ {
        let i = self.iv.partition_point(|x| x.1 <= start);
        self.iv[i..]
            .iter()
            .take_while(move |x| x.0 < end)
            .map(move |&(a, b)| (a.max(start), b.min(end)))
            .filter(|(a, b)| a < b)
    }

    /// The length of the set inside `[start, end)`.
    pub(crate) fn measure_in(&self, start: i64, end: i64) -> i64 {
        if start >= end {
            return 0;
        }
        self.pieces_in(start, end).map(|(a, b)| b - a).sum()
    }

    /// The pieces of `[start, end)` that the set does not cover, in order.
    pub(crate) fn gaps_in(&self, start: i64, end: i64) -> Vec<(i64, i64)> {
        let mut out = Vec::new();
        let mut cursor = start;
        for (a, b) in self.pieces_in(start, end) {
            if a > cursor {
                out.push((cursor, a));
            }
            cursor = b;
        }
        if cursor < end {
            out.push((cursor, end));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn model(ops: &[(bool, i64, i64)]) -> Vec<bool> {
        let mut bits = vec![false; 160];
        for &(ins, a, b) in ops {
            for bit in bits
                .iter_mut()
                .take(b.max(0) as usize)
                .skip(a.max(0) as usize)
            {
                *bit = ins;
            }
        }
        bits
    }

    #[test]
    fn insert_merges_touching_and_reports_new_pieces() {
        let mut s = IntervalSet::new();
        s.insert(10, 20, |_, _| {});
        s.insert(30, 40, |_, _| {});
        let mut new = vec![];
        s.insert(15, 35, |a, b| new.push((a, b)));
        assert_eq!(new, vec![(20, 30)]);
        assert_eq!(s.intervals(), &[(10, 40)]);
        s.insert(40, 50, |_, _| {});
        assert_eq!(s.intervals(), &[(10, 50)]);
        assert_eq!(s.total(), 40);
        s.insert(5, 5, |_, _| panic!("empty insert reported a piece"));
    }

    #[test]
    fn remove_splits() {
        let mut s = IntervalSet::single(0, 100);
        let mut gone = vec![];
        s.remove(40, 60, |a, b| gone.push((a, b)));
        assert_eq!(gone, vec![(40, 60)]);
        assert_eq!(s.intervals(), &[(0, 40), (60, 100)]);
        assert_eq!(s.total(), 80);
        assert!(s.contains(39) && !s.contains(40) && s.contains(60));
        assert_eq!(s.gaps_in(30, 70), vec![(40, 60)]);
        assert_eq!(s.measure_in(30, 70), 20);
    }

    proptest! {
        #[test]
        fn matches_a_bitmap_model(ops in proptest::collection::vec((any::<bool>(), 0i64..100, 0i64..30), 0..40)) {
            let ops: Vec<(bool, i64, i64)> = ops.into_iter().map(|(i, a, l)| (i, a, a + l)).collect();
            let mut s = IntervalSet::new();
            for &(ins, a, b) in &ops {
                let before = s.clone();
                let mut changed = 0;
                if ins {
                    s.insert(a, b, |x, y| { changed += y - x; });
                    prop_assert_eq!(changed, s.total() - before.total());
                } else {
                    s.remove(a, b, |x, y| { changed += y - x; });
                    prop_assert_eq!(changed, before.total() - s.total());
                }
            }
            let bits = model(&ops);
            for (t, &bit) in bits.iter().enumerate() {
                prop_assert_eq!(s.contains(t as i64), bit, "at {}", t);
            }
            prop_assert_eq!(s.total(), bits.iter().filter(|b| **b).count() as i64);
            for w in s.intervals().windows(2) {
                prop_assert!(w[0].1 < w[1].0, "not disjoint/non-touching: {:?}", w);
            }
            let (qa, qb) = (20, 80);
            let expect = bits[20..80].iter().filter(|b| **b).count() as i64;
            prop_assert_eq!(s.measure_in(qa, qb), expect);
            let gaps: i64 = s.gaps_in(qa, qb).iter().map(|(a, b)| b - a).sum();
            prop_assert_eq!(gaps, 60 - expect);
        }
    }
}
