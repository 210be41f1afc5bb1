//! The simulated FTTH network and its month of events.
//!
//! Everything is derived from a seed, so a run is reproducible. Events are produced lazily in
//! time order by merging "episodes" (an ONT losing signal for a while, an OLT failure, a flapping
//! port, ...), so a month of millions of events never sits in memory at once.

use chrono::{DateTime, Duration, TimeZone, Utc};
use faultdesk::fault::AlarmEvent;
use faultdesk::fault::Severity;
use faultdesk::fault::alarm::AlarmSource;
use faultdesk::fault::topology::TopologyEdge;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// The tenant the simulated operator runs as.
pub const TENANT: &str = "fibrenet";

/// Size and shape of the simulation.
#[derive(Debug, Clone)]
pub struct ScenarioConfig {
    /// Core routers.
    pub routers: usize,
    /// OLTs.
    pub olts: usize,
    /// PON ports per OLT (one 1:N splitter each).
    pub ports_per_olt: usize,
    /// ONTs behind each splitter.
    pub onts_per_port: usize,
    /// Days simulated.
    pub days: i64,
    /// Minimum number of events to generate (background noise is scaled to reach it).
    pub min_events: u64,
    /// Random seed.
    pub seed: u64,
    /// First simulated instant.
    pub start: DateTime<Utc>,
}

impl Default for ScenarioConfig {
    fn default() -> Self {
        ScenarioConfig {
            routers: 4,
            olts: 20,
            ports_per_olt: 16,
            onts_per_port: 64,
            days: 30,
            min_events: 1_000_000,
            seed: 7,
            start: Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap(),
        }
    }
}

/// Customer tier, which decides the SLA definition a customer gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tier {
    /// Home users (no SLA instance).
    Residential,
    /// Small businesses: 99.5 %.
    Business,
    /// Enterprises: 99.9 %.
    Enterprise,
}

impl Tier {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Residential => "residential",
            Tier::Business => "business",
            Tier::Enterprise => "enterprise",
        }
    }

    fn of(ont: usize) -> Tier {
        match ont % 20 {
            0 => Tier::Enterprise,
            1..=3 => Tier::Business,
            _ => Tier::Residential,
        }
    }

    /// Subscribers behind one ONT of this tier.
    pub fn subscribers(self) -> u32 {
        match self {
            Tier::Residential => 1,
            Tier::Business => 5,
            Tier::Enterprise => 20,
        }
    }
}

/// The generated network.
#[derive(Debug, Clone)]
pub struct Network {
    /// Router ids.
    pub routers: Vec<String>,
    /// OLT ids.
    pub olts: Vec<String>,
    /// PON port ids (`olt-01/pon-01`), `ports_per_olt` per OLT.
    pub ports: Vec<String>,
    /// ONT ids.
    pub onts: Vec<String>,
    /// Topology edges (router → OLT → port → splitter → ONT).
    pub edges: Vec<TopologyEdge>,
    ports_per_olt: usize,
    onts_per_port: usize,
}

impl Network {
    /// Builds the topology.
    pub fn generate(c: &ScenarioConfig) -> Network {
        let routers: Vec<String> = (1..=c.routers).map(|r| format!("rtr-{r:02}")).collect();
        let mut olts = Vec::new();
        let mut ports = Vec::new();
        let mut onts = Vec::new();
        let mut edges = Vec::new();
        for o in 0..c.olts {
            let olt = format!("olt-{:02}", o + 1);
            edges.push(TopologyEdge::new(
                routers[o % routers.len()].clone(),
                olt.clone(),
            ));
            for p in 0..c.ports_per_olt {
                let port = format!("{olt}/pon-{:02}", p + 1);
                let splitter = format!("{port}/spl");
                edges.push(TopologyEdge::new(olt.clone(), port.clone()));
                edges.push(TopologyEdge::new(port.clone(), splitter.clone()));
                for _ in 0..c.onts_per_port {
                    let ont = format!("ont-{:06}", onts.len() + 1);
                    edges.push(TopologyEdge::new(splitter.clone(), ont.clone()));
                    onts.push(ont);
                }
                ports.push(port);
            }
            olts.push(olt);
        }
        Network {
            routers,
            olts,
            ports,
            onts,
            edges,
            ports_per_olt: c.ports_per_olt,
            onts_per_port: c.onts_per_port,
        }
    }

    /// The customer id of ONT number `i`.
    pub fn customer_of(&self, ont: usize) -> String {
        format!("cust-{:06}", ont + 1)
    }

    /// The tier of ONT number `i`'s customer.
    pub fn tier_of(&self, ont: usize) -> Tier {
        Tier::of(ont)
    }

    /// ONT indexes behind OLT `o`.
    pub fn onts_of_olt(&self, o: usize) -> std::ops::Range<usize> {
        let per = self.ports_per_olt * self.onts_per_port;
        o * per..(o + 1) * per
    }

    /// ONT indexes behind port `p` (global port index).
    pub fn onts_of_port(&self, p: usize) -> std::ops::Range<usize> {
        p * self.onts_per_port..(p + 1) * self.onts_per_port
    }

    /// Subscribers behind OLT `o`.
    pub fn subscribers_of_olt(&self, o: usize) -> u32 {
        self.onts_of_olt(o).map(|i| Tier::of(i).subscribers()).sum()
    }
}

/// What an episode is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Story {
    /// A single ONT loses signal (customer-side issue), repeats, then comes back.
    OntSignalLoss,
    /// ONTs losing signal because their OLT failed.
    OltFailureOnt,
    /// The OLT failure itself.
    OltFailure,
    /// A fibre cut on a PON port.
    FibreCut,
    /// ONTs behind the cut.
    FibreCutOnt,
    /// An ONT flapping between online and signal loss.
    Flapping,
    /// A router crossing a monitoring threshold.
    Threshold,
    /// Events during the maintenance window.
    Maintenance,
}

#[derive(Debug, Clone)]
struct Episode {
    story: Story,
    /// Resource kind: 0 ONT, 1 OLT, 2 port, 3 router.
    kind: u8,
    index: usize,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    repeat: Duration,
    /// For flapping: half period.
    flap: Option<Duration>,
}

/// The maintenance window of the month: OLT `olt` from `start` to `end`.
#[derive(Debug, Clone)]
pub struct Maintenance {
    /// OLT index.
    pub olt: usize,
    /// Start.
    pub start: DateTime<Utc>,
    /// End.
    pub end: DateTime<Utc>,
}

/// The month: network, maintenance window and a lazily produced event stream.
#[derive(Debug)]
pub struct Scenario {
    /// Configuration.
    pub config: ScenarioConfig,
    /// Network.
    pub network: Network,
    /// The planned maintenance.
    pub maintenance: Maintenance,
    /// The OLT that fails (index) and when.
    pub olt_failure: (usize, DateTime<Utc>),
    /// The PON port that is cut (global index) and when.
    pub fibre_cut: (usize, DateTime<Utc>),
    episodes: Vec<Episode>,
    /// Expected number of events (exact).
    pub total_events: u64,
}

impl Scenario {
    /// Builds the month for `config`.
    pub fn generate(config: ScenarioConfig) -> Scenario {
        let network = Network::generate(&config);
        let mut rng = StdRng::seed_from_u64(config.seed);
        let start = config.start;
        let end = start + Duration::days(config.days);
        let mut episodes = Vec::new();
        let day = |d: i64, h: u32, m: i64| {
            start + Duration::days(d) + Duration::hours(h as i64) + Duration::minutes(m)
        };

        // The OLT failure: ONT signal losses arrive from 2 minutes before to 3 minutes after
        // the OLT's own alarm; everything recovers two hours later.
        let failed_olt = 2 % config.olts;
        let fail_at = day(4.min(config.days - 1), 10, 0);
        let recover_at = fail_at + Duration::hours(2);
        episodes.push(Episode {
            story: Story::OltFailure,
            kind: 1,
            index: failed_olt,
            start: fail_at,
            end: recover_at,
            repeat: Duration::minutes(1),
            flap: None,
        });
        for i in network.onts_of_olt(failed_olt) {
            let jitter = Duration::seconds(rng.random_range(-120..180));
            episodes.push(Episode {
                story: Story::OltFailureOnt,
                kind: 0,
                index: i,
                start: fail_at + jitter,
                end: recover_at + Duration::seconds(rng.random_range(10..300)),
                repeat: Duration::minutes(10),
                flap: None,
            });
        }

        // A fibre cut on one PON port of another OLT.
        let cut_port = (7 % config.olts) * config.ports_per_olt + 4 % config.ports_per_olt;
        let cut_at = day(11.min(config.days - 1), 14, 30);
        let repaired_at = cut_at + Duration::hours(5);
        episodes.push(Episode {
            story: Story::FibreCut,
            kind: 2,
            index: cut_port,
            start: cut_at,
            end: repaired_at,
            repeat: Duration::minutes(5),
            flap: None,
        });
        for i in network.onts_of_port(cut_port) {
            episodes.push(Episode {
                story: Story::FibreCutOnt,
                kind: 0,
                index: i,
                start: cut_at + Duration::seconds(rng.random_range(0..60)),
                end: repaired_at + Duration::seconds(rng.random_range(10..120)),
                repeat: Duration::minutes(10),
                flap: None,
            });
        }

        // Planned maintenance on one OLT at night: it and its ONTs go down inside the window.
        let maint_olt = 11 % config.olts;
        let m_start = day(19.min(config.days - 1), 2, 0);
        let m_end = m_start + Duration::hours(2);
        episodes.push(Episode {
            story: Story::Maintenance,
            kind: 1,
            index: maint_olt,
            start: m_start + Duration::minutes(15),
            end: m_start + Duration::minutes(75),
            repeat: Duration::minutes(1),
            flap: None,
        });
        for i in network.onts_of_olt(maint_olt) {
            episodes.push(Episode {
                story: Story::Maintenance,
                kind: 0,
                index: i,
                start: m_start + Duration::minutes(15) + Duration::seconds(rng.random_range(0..60)),
                end: m_start + Duration::minutes(76),
                repeat: Duration::minutes(10),
                flap: None,
            });
        }

        // Flapping ONTs: a few flap every couple of minutes for an hour, on several days.
        for d in (1..config.days).step_by(3) {
            for _ in 0..4 {
                let i = rng.random_range(0..network.onts.len());
                let s = day(d, rng.random_range(6..20), rng.random_range(0..60));
                episodes.push(Episode {
                    story: Story::Flapping,
                    kind: 0,
                    index: i,
                    start: s,
                    end: s + Duration::hours(1),
                    repeat: Duration::minutes(1),
                    flap: Some(Duration::seconds(rng.random_range(60..150))),
                });
            }
        }

        // Router threshold alarms: a few a day, repeating every minute while exceeded.
        for d in 0..config.days {
            for _ in 0..3 {
                let r = rng.random_range(0..network.routers.len());
                let s = day(d, rng.random_range(0..24), rng.random_range(0..60));
                episodes.push(Episode {
                    story: Story::Threshold,
                    kind: 3,
                    index: r,
                    start: s,
                    end: s + Duration::minutes(rng.random_range(5..90)),
                    repeat: Duration::minutes(1),
                    flap: None,
                });
            }
        }

        // Background: single ONTs losing signal, repeating every 5 minutes, until the event
        // count reaches the target.
        let mut total: u64 = episodes.iter().map(count_events).sum();
        while total < config.min_events {
            let i = rng.random_range(0..network.onts.len());
            let s = start + Duration::seconds(rng.random_range(0..config.days * 86_400));
            let e = (s + Duration::minutes(rng.random_range(10..360))).min(end);
            if e <= s + Duration::minutes(5) {
                continue;
            }
            let ep = Episode {
                story: Story::OntSignalLoss,
                kind: 0,
                index: i,
                start: s,
                end: e,
                repeat: Duration::minutes(5),
                flap: None,
            };
            total += count_events(&ep);
            episodes.push(ep);
        }
        episodes.sort_by_key(|e| e.start);
        Scenario {
            maintenance: Maintenance {
                olt: maint_olt,
                start: m_start,
                end: m_end,
            },
            olt_failure: (failed_olt, fail_at),
            fibre_cut: (cut_port, cut_at),
            config,
            network,
            episodes,
            total_events: total,
        }
    }

    /// The events in time order (ties broken deterministically).
    pub fn events(&self) -> EventStream<'_> {
        EventStream {
            scenario: self,
            next_episode: 0,
            heap: BinaryHeap::new(),
        }
    }

    /// The event of `episode` at step `step` (0 = raise).
    fn event(&self, ep: &Episode, at: DateTime<Utc>, clear: bool) -> AlarmEvent {
        let n = &self.network;
        match ep.kind {
            0 => {
                let (event_type, severity) = if clear {
                    ("cpe.online", None)
                } else {
                    ("cpe.signal_loss", Some(Severity::Major))
                };
                let mut e =
                    AlarmEvent::new(TENANT, event_type, "ont", n.onts[ep.index].clone(), at)
                        .with_alarm_type("signal.loss")
                        .with_source(AlarmSource::Cpe)
                        .with_customer(n.customer_of(ep.index), None)
                        .with_subscribers(n.tier_of(ep.index).subscribers())
                        .with_title(format!("Signal loss on {}", n.onts[ep.index]))
                        .with_label("tier", n.tier_of(ep.index).as_str())
                        .with_label("story", story_label(ep.story));
                e.severity = severity;
                e
            }
            1 => {
                let event_type = if clear { "device.up" } else { "device.down" };
                AlarmEvent::new(TENANT, event_type, "olt", n.olts[ep.index].clone(), at)
                    .with_alarm_type("device.down")
                    .with_source(AlarmSource::NetworkDevice)
                    .with_subscribers(n.subscribers_of_olt(ep.index))
                    .with_title(format!("OLT {} down", n.olts[ep.index]))
                    .with_label("story", story_label(ep.story))
            }
            2 => {
                let event_type = if clear { "device.up" } else { "device.down" };
                AlarmEvent::new(
                    TENANT,
                    event_type,
                    "pon_port",
                    n.ports[ep.index].clone(),
                    at,
                )
                .with_alarm_type("device.down")
                .with_source(AlarmSource::NetworkDevice)
                .with_subscribers(
                    n.onts_of_port(ep.index)
                        .map(|i| n.tier_of(i).subscribers())
                        .sum(),
                )
                .with_title(format!("Fibre cut on {}", n.ports[ep.index]))
                .with_label("story", story_label(ep.story))
            }
            _ => {
                let event_type = if clear {
                    "monitoring.check_recovered"
                } else {
                    "monitoring.threshold_exceeded"
                };
                AlarmEvent::new(
                    TENANT,
                    event_type,
                    "router",
                    n.routers[ep.index].clone(),
                    at,
                )
                .with_alarm_type("monitoring.threshold_exceeded")
                .with_source(AlarmSource::Monitoring)
                .with_title(format!(
                    "Uplink utilisation above 90 % on {}",
                    n.routers[ep.index]
                ))
                .with_label("story", story_label(ep.story))
            }
        }
    }
}

fn story_label(s: Story) -> &'static str {
    match s {
        Story::OntSignalLoss => "ont_signal_loss",
        Story::OltFailureOnt => "olt_failure_ont",
        Story::OltFailure => "olt_failure",
        Story::FibreCut => "fibre_cut",
        Story::FibreCutOnt => "fibre_cut_ont",
        Story::Flapping => "flapping",
        Story::Threshold => "threshold",
        Story::Maintenance => "maintenance",
    }
}

/// Number of events an episode produces.
fn count_events(ep: &Episode) -> u64 {
    let mut n = 0;
    let mut cur = Cursor::new(ep);
    while cur.advance(ep).is_some() {
        n += 1;
    }
    n
}

/// Where an episode is: the next event's time and whether it is a clear.
#[derive(Debug, Clone, Copy)]
pub struct Cursor {
    at: DateTime<Utc>,
    raised: bool,
    done: bool,
}

impl Cursor {
    fn new(ep: &Episode) -> Cursor {
        Cursor {
            at: ep.start,
            raised: false,
            done: false,
        }
    }

    /// Returns (time, is_clear) of the next event and moves on.
    fn advance(&mut self, ep: &Episode) -> Option<(DateTime<Utc>, bool)> {
        if self.done {
            return None;
        }
        let at = self.at;
        if at >= ep.end {
            self.done = true;
            return Some((ep.end, true));
        }
        match ep.flap {
            Some(half) => {
                // Alternate raise / clear every `half`.
                let clear = self.raised;
                self.raised = !self.raised;
                self.at = at + half;
                if self.at >= ep.end && !self.raised {
                    self.done = true;
                }
                Some((at, clear))
            }
            None => {
                self.raised = true;
                self.at = at + ep.repeat;
                Some((at, false))
            }
        }
    }
}

/// Lazily merged, time-ordered events of a [`Scenario`].
pub struct EventStream<'a> {
    scenario: &'a Scenario,
    next_episode: usize,
    heap: BinaryHeap<Reverse<(DateTime<Utc>, usize, u8)>>,
}

impl EventStream<'_> {
    /// The next event and the story it belongs to.
    pub fn next_event(&mut self, cursors: &mut Vec<Option<Cursor>>) -> Option<(AlarmEvent, Story)> {
        let eps = &self.scenario.episodes;
        loop {
            let next_start = eps.get(self.next_episode).map(|e| e.start);
            let heap_top = self.heap.peek().map(|Reverse((t, _, _))| *t);
            let take_new = match (next_start, heap_top) {
                (Some(s), Some(t)) => s <= t,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => return None,
            };
            if take_new {
                let i = self.next_episode;
                self.next_episode += 1;
                if cursors.len() <= i {
                    cursors.resize(i + 1, None);
                }
                let c = Cursor::new(&eps[i]);
                self.heap.push(Reverse((c.at, i, 0)));
                cursors[i] = Some(c);
                continue;
            }
            let Reverse((_, i, _)) = self.heap.pop()?;
            let ep = &eps[i];
            let cur = cursors[i].as_mut()?;
            let (at, clear) = cur.advance(ep)?;
            if cur.done {
                cursors[i] = None;
            } else {
                self.heap.push(Reverse((cur.at.min(ep.end), i, 0)));
            }
            return Some((self.scenario.event(ep, at, clear), ep.story));
        }
    }
}

/// Iterates a scenario's events with the cursor storage kept inside.
pub struct Events<'a> {
    stream: EventStream<'a>,
    cursors: Vec<Option<Cursor>>,
}

impl<'a> Events<'a> {
    /// All events of `scenario`, in time order.
    pub fn of(scenario: &'a Scenario) -> Self {
        Events {
            stream: scenario.events(),
            cursors: Vec::new(),
        }
    }
}

impl Iterator for Events<'_> {
    type Item = (AlarmEvent, Story);

    fn next(&mut self) -> Option<Self::Item> {
        self.stream.next_event(&mut self.cursors)
    }
}
