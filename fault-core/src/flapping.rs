//! Flapping detection: N raise/clear cycles of one reduction key inside a window (default 3 in
//! 10 minutes) mark the alarm flapping; while flapping, raises and clears update that one alarm;
//! it stops flapping after a quiet period without transitions.

use serde::{Deserialize, Serialize};

/// Flapping settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FlappingConfig {
    /// Detect flapping at all.
    pub enabled: bool,
    /// Cycles (clears) inside the window that make a key flap.
    pub threshold: u32,
    /// The window, in seconds.
    pub window_secs: u64,
    /// A flapping alarm without raise/clear transitions for this long stops flapping.
    pub quiet_period_secs: u64,
}

impl Default for FlappingConfig {
    fn default() -> Self {
        FlappingConfig {
            enabled: true,
            threshold: 3,
            window_secs: 600,
            quiet_period_secs: 600,
        }
    }
}

/// The clear times of one key inside the window (microseconds since the epoch).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlapHistory {
    clears: Vec<i64>,
}

impl FlapHistory {
    /// Record a clear at `t_us`, forget clears older than the window, and return the cycle count.
    pub fn record_clear(&mut self, t_us: i64, window_us: i64) -> u32 {
        self.clears.push(t_us);
        self.prune(t_us, window_us);
        self.clears.len() as u32
    }

    /// Cycles inside the window ending at `t_us`.
    pub fn count_at(&mut self, t_us: i64, window_us: i64) -> u32 {
        self.prune(t_us, window_us);
        self.clears.len() as u32
    }

    /// The latest clear, if any.
    pub fn last(&self) -> Option<i64> {
        self.clears.iter().copied().max()
    }

    fn prune(&mut self, t_us: i64, window_us: i64) {
        self.clears.retain(|&c| c > t_us - window_us);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_inside_window_only() {
        let w = 600_000_000;
        let mut h = FlapHistory::default();
        assert_eq!(h.record_clear(0, w), 1);
        assert_eq!(h.record_clear(100_000_000, w), 2);
        assert_eq!(
            h.record_clear(650_000_000, w),
            2,
            "first clear fell out of the window"
        );
        assert_eq!(h.count_at(1_400_000_000, w), 0);
        assert_eq!(h.last(), None);
    }
}
