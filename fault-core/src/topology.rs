//! The resource graph (OLT -> splitter -> ONT, router -> port): a forest of resources, each with at
//! most one parent. Edges are added and removed incrementally; an edge that would close a cycle is
//! rejected. Walking a resource's ancestors costs O(depth).
//!
//! Nodes are opaque `u64` keys (the correlator packs tenant and resource symbols into one); see
//! [`crate::correlator::Correlator::add_topology_edges`] for the string-keyed API.

use crate::fxhash::FxHashMap;
use serde::{Deserialize, Serialize};

/// A parent -> child edge between two resource ids (as users load them).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TopologyEdge {
    /// Upstream resource id (e.g. the OLT).
    pub parent: String,
    /// Downstream resource id (e.g. the ONT).
    pub child: String,
}

impl TopologyEdge {
    /// Shorthand constructor.
    pub fn new(parent: impl Into<String>, child: impl Into<String>) -> Self {
        TopologyEdge {
            parent: parent.into(),
            child: child.into(),
        }
    }
}

const NONE: u64 = u64::MAX;

#[derive(Debug, Clone, Copy)]
struct Node {
    parent: u64,
    children: u32,
}

/// Why an edge could not be added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EdgeError {
    /// The edge would close a cycle; the path runs from the proposed parent up to the child.
    Cycle(Vec<u64>),
    /// The child already has another parent.
    HasParent(u64),
    /// An edge from a node to itself.
    SelfLoop,
}

/// The resource forest.
#[derive(Debug, Clone, Default)]
pub struct Topology {
    nodes: FxHashMap<u64, Node>,
    edges: usize,
}

impl Topology {
    /// Add `parent -> child`. Re-adding an existing edge is a no-op.
    pub fn add_edge(&mut self, parent: u64, child: u64) -> Result<bool, EdgeError> {
        if parent == child {
            return Err(EdgeError::SelfLoop);
        }
        if let Some(n) = self.nodes.get(&child)
            && n.parent != NONE
        {
            return if n.parent == parent {
                Ok(false)
            } else {
                Err(EdgeError::HasParent(n.parent))
            };
        }
        // cycle: child must not be an ancestor of parent (or parent itself)
        let mut path = vec![parent];
        let mut cur = parent;
        while let Some(n) = self.nodes.get(&cur) {
            if n.parent == NONE {
                break;
            }
            cur = n.parent;
            path.push(cur);
            if cur == child {
                return Err(EdgeError::Cycle(path));
            }
        }
        self.nodes
            .entry(child)
            .or_insert(Node {
                parent: NONE,
                children: 0,
            })
            .parent = parent;
        self.nodes
            .entry(parent)
            .or_insert(Node {
                parent: NONE,
                children: 0,
            })
            .children += 1;
        self.edges += 1;
        Ok(true)
    }

    /// Remove `parent -> child`; returns false when the edge does not exist.
    pub fn remove_edge(&mut self, parent: u64, child: u64) -> bool {
        match self.nodes.get_mut(&child) {
            Some(n) if n.parent == parent => {
                n.parent = NONE;
                let drop_child = n.children == 0;
                if drop_child {
                    self.nodes.remove(&child);
                }
            }
            _ => return false,
        }
        if let Some(p) = self.nodes.get_mut(&parent) {
            p.children -= 1;
            if p.children == 0 && p.parent == NONE {
                self.nodes.remove(&parent);
            }
        }
        self.edges -= 1;
        true
    }

    /// The parent of a node.
    #[inline]
    pub fn parent(&self, node: u64) -> Option<u64> {
        self.nodes
            .get(&node)
            .map(|n| n.parent)
            .filter(|&p| p != NONE)
    }

    /// True when the node takes part in at least one edge.
    #[inline]
    pub fn contains(&self, node: u64) -> bool {
        self.nodes.contains_key(&node)
    }

    /// Ancestors from nearest to root (O(depth)).
    #[inline]
    pub fn ancestors(&self, node: u64) -> Ancestors<'_> {
        Ancestors {
            topo: self,
            cur: node,
        }
    }

    /// True when `ancestor` is a strict ancestor of `node`.
    pub fn is_ancestor(&self, ancestor: u64, node: u64) -> bool {
        self.ancestors(node).any(|a| a == ancestor)
    }

    /// Number of edges.
    pub fn edge_count(&self) -> usize {
        self.edges
    }
}

/// Iterator over a node's ancestors.
pub struct Ancestors<'a> {
    topo: &'a Topology,
    cur: u64,
}

impl Iterator for Ancestors<'_> {
    type Item = u64;
    #[inline]
    fn next(&mut self) -> Option<u64> {
        let p = self.topo.parent(self.cur)?;
        self.cur = p;
        Some(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_ancestors_and_removal() {
        let mut t = Topology::default();
        assert_eq!(t.add_edge(1, 2), Ok(true));
        assert_eq!(t.add_edge(2, 3), Ok(true));
        assert_eq!(t.add_edge(2, 3), Ok(false));
        assert_eq!(t.ancestors(3).collect::<Vec<_>>(), vec![2, 1]);
        assert!(t.is_ancestor(1, 3));
        assert!(!t.is_ancestor(3, 1));
        assert_eq!(t.edge_count(), 2);
        assert!(t.remove_edge(1, 2));
        assert!(!t.remove_edge(1, 2));
        assert_eq!(t.ancestors(3).collect::<Vec<_>>(), vec![2]);
        assert!(!t.contains(1));
        assert!(t.contains(2));
    }

    #[test]
    fn cycles_self_loops_and_second_parents_are_rejected() {
        let mut t = Topology::default();
        t.add_edge(1, 2).unwrap();
        t.add_edge(2, 3).unwrap();
        assert_eq!(t.add_edge(3, 1), Err(EdgeError::Cycle(vec![3, 2, 1])));
        assert_eq!(t.add_edge(4, 4), Err(EdgeError::SelfLoop));
        assert_eq!(t.add_edge(9, 3), Err(EdgeError::HasParent(2)));
        assert_eq!(t.edge_count(), 2);
    }
}
