//! The live timeline's state: a bounded ring of entries plus counters, so a flood of events
//! can never exhaust memory, with the view's filter, scroll, pause and lanes. Entries are kept
//! in `t_ms` order: a wire row (a packet's kernel timestamp) that arrives after a later socket
//! event is inserted before it, so an RST sits before the `close hadError=true` it caused.

use crate::trace::Entry;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

/// Most timeline entries kept for display; older ones are dropped (and counted).
pub const TIMELINE_CAP: usize = 2000;

/// The live timeline: a bounded ring plus counters, so a flood cannot exhaust memory.
#[derive(Clone, Debug, Default)]
pub struct Timeline {
    pub entries: VecDeque<Arc<Entry>>,
    /// Entries dropped off the front of the ring.
    pub dropped: u64,
    /// Entries that never reached the UI (the channel was full).
    pub lagged: u64,
    /// Every event seen, by name (for the "look for" ticks), including dropped ones.
    pub counts: BTreeMap<&'static str, u64>,
    /// Show only this connection.
    pub filter: Option<u32>,
    /// Lines up from the newest; 0 follows the tail.
    pub scroll: usize,
    /// Columns scrolled right (←/→ with the pane focused), so a line longer than the pane
    /// can be read to its end; 0 shows the lines' start.
    pub hscroll: usize,
    /// Frozen: new entries are counted but the view stays.
    pub paused: bool,
    /// Draw client ↔ server arrows instead of a list.
    pub lanes: bool,
    /// Leave out the `>`/`<` head lines under HTTP request and response events (they are
    /// shown by default, as `netlab serve` prints them).
    pub hide_heads: bool,
    /// A server or demo was (re)started: entries are ignored until its `listening`, so the
    /// previous run's last events (its `server.close()`, `close`), which reach the UI after
    /// the restart, do not land on the new timeline.
    pub awaiting_start: bool,
}

impl Timeline {
    /// Add an entry at its place in `t_ms` order (at the end, unless it is older than the
    /// newest: then after the last entry not newer than it).
    pub fn push(&mut self, e: Arc<Entry>) {
        if self.awaiting_start {
            if !matches!(e.event, crate::trace::Event::Listening { .. }) {
                return;
            }
            self.awaiting_start = false;
        }
        *self.counts.entry(e.event.name()).or_default() += 1;
        if self.entries.len() == TIMELINE_CAP {
            self.entries.pop_front();
            self.dropped += 1;
        }
        if self.entries.back().is_some_and(|last| last.t_ms > e.t_ms) {
            let at = self.entries.partition_point(|x| x.t_ms <= e.t_ms);
            self.entries.insert(at, e);
        } else {
            self.entries.push_back(e);
        }
        if self.scroll > 0 || self.paused {
            self.scroll += 1; // keep the same lines in view
        }
    }

    pub fn clear(&mut self) {
        let keep = (self.filter, self.lanes, self.hide_heads);
        *self = Timeline::default();
        (self.filter, self.lanes, self.hide_heads) = keep;
    }

    /// [`Timeline::clear`] for a new run: what arrives before its `listening` belongs to the
    /// run before and is left out.
    pub fn restart(&mut self) {
        self.clear();
        self.awaiting_start = true;
    }

    /// Entries passing the filter.
    pub fn visible(&self) -> impl Iterator<Item = &Arc<Entry>> {
        self.entries
            .iter()
            .filter(move |e| self.filter.is_none_or(|c| conn_of(e) == Some(c)))
    }

    /// Connection numbers seen, in order.
    pub fn conns(&self) -> Vec<u32> {
        let set: BTreeSet<u32> = self.entries.iter().filter_map(|e| conn_of(e)).collect();
        set.into_iter().collect()
    }
}

/// The connection an entry belongs to (its socket, requests and responses, the demo
/// client's socket, and its packets on the wire), for the `f` filter.
pub fn conn_of(e: &Entry) -> Option<u32> {
    e.scope.conn()
}
