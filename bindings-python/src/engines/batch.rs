//! `faultdesk.DecisionBatch`: the decisions of `Correlator.ingest_columns`, kept as Rust values.
//! A `faultdesk.Decision` is built only for the decisions that are read (by index, slice or
//! iteration); `counts()`, `kinds()`, `alarm_ids()` and `event_indices()` read all of them as
//! columns without building one.

use super::correlator::{PyDecision, py_uuid};
use fault_core::{AlarmEvent, Decision};
use pyo3::exceptions::{PyIndexError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyInt, PyList, PySlice, PyString};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Decisions of one `Correlator.ingest_columns` call, in order, without a Python object per
/// decision: `len(batch)`, `batch[i]` / `batch[i:j]` / iteration build `Decision`s when read;
/// `counts()` (kind → count), `kinds()`, `alarm_ids()`, `event_indices()` (the row of each
/// decision's event) read them as columns; `to_list()` builds them all.
#[pyclass(frozen, name = "DecisionBatch", module = "faultdesk")]
pub struct PyDecisionBatch {
    decisions: Vec<Decision>,
    /// the row (index in the columns) of each decision's event
    rows: Vec<u32>,
    /// (index in `decisions`, its event) of each `Created` decision, by index
    created: Vec<(usize, AlarmEvent)>,
}

impl PyDecisionBatch {
    /// A batch of `decisions`, `rows` giving each one's row, `created` the event of each
    /// `Created` decision by index in `decisions` (ascending).
    pub fn new(
        decisions: Vec<Decision>,
        rows: Vec<u32>,
        created: Vec<(usize, AlarmEvent)>,
    ) -> Self {
        PyDecisionBatch {
            decisions,
            rows,
            created,
        }
    }

    /// Decision `k` as a `faultdesk.Decision` (a created one with its event).
    fn decision(&self, k: usize) -> PyDecision {
        let inner = self.decisions[k].clone();
        let event = match inner {
            Decision::Created { .. } => self
                .created
                .binary_search_by_key(&k, |(j, _)| *j)
                .ok()
                .map(|p| Box::new(self.created[p].1.clone())),
            _ => None,
        };
        PyDecision { inner, event }
    }

    /// The kinds and how many decisions of each, in order of first appearance.
    fn kind_counts(&self) -> Vec<(&'static str, usize)> {
        let mut out: Vec<(&'static str, usize)> = Vec::new();
        for d in &self.decisions {
            let k = d.kind();
            match out.iter_mut().find(|(n, _)| *n == k) {
                Some((_, c)) => *c += 1,
                None => out.push((k, 1)),
            }
        }
        out
    }
}

#[pymethods]
impl PyDecisionBatch {
    /// The number of decisions.
    fn __len__(&self) -> usize {
        self.decisions.len()
    }

    /// `batch[i]` (negative counts from the end; `IndexError` outside) or `batch[i:j:k]` (a
    /// list of `Decision`).
    fn __getitem__<'py>(
        &self,
        py: Python<'py>,
        index: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let n = self.decisions.len();
        if let Ok(s) = index.cast::<PySlice>() {
            let ix = s.indices(isize::try_from(n).unwrap_or(isize::MAX))?;
            let picked = (0..ix.slicelength)
                .map(|j| (ix.start + j as isize * ix.step) as usize)
                .map(|k| self.decision(k));
            return Ok(PyList::new(py, picked)?.into_any());
        }
        let Ok(i) = index.extract::<isize>() else {
            if index.is_instance_of::<PyInt>() {
                return Err(PyIndexError::new_err(format!(
                    "DecisionBatch index {index} out of range ({n} decisions)"
                )));
            }
            return Err(PyTypeError::new_err(format!(
                "DecisionBatch indices must be integers or slices, not {}",
                index.get_type().name()?
            )));
        };
        let k = if i < 0 { i + n as isize } else { i };
        if k < 0 || k as usize >= n {
            return Err(PyIndexError::new_err(format!(
                "DecisionBatch index {i} out of range ({n} decisions)"
            )));
        }
        Ok(Bound::new(py, self.decision(k as usize))?.into_any())
    }

    /// An iterator building each `Decision` as it is reached.
    fn __iter__(slf: Bound<'_, Self>) -> PyDecisionBatchIter {
        PyDecisionBatchIter {
            batch: slf.unbind(),
            next: AtomicUsize::new(0),
        }
    }

    /// How many decisions of each kind (`{"created": 2, "deduplicated": 5, ...}`, kinds in
    /// order of first appearance; kinds without a decision are absent).
    fn counts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (k, c) in self.kind_counts() {
            d.set_item(k, c)?;
        }
        Ok(d)
    }

    /// The kind of each decision (`created`, `deduplicated`, ...), in order.
    fn kinds<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        // one str object per kind, shared by its decisions
        let mut names: Vec<(&'static str, Bound<'py, PyString>)> = Vec::new();
        let mut out = Vec::with_capacity(self.decisions.len());
        for d in &self.decisions {
            let k = d.kind();
            let s = match names.iter().find(|(n, _)| *n == k) {
                Some((_, s)) => s.clone(),
                None => {
                    let s = PyString::new(py, k);
                    names.push((k, s.clone()));
                    s
                }
            };
            out.push(s);
        }
        PyList::new(py, out)
    }

    /// The alarm (`uuid.UUID`) each decision is about, in order.
    fn alarm_ids<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let ids = self
            .decisions
            .iter()
            .map(|d| py_uuid(py, d.alarm_id()))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, ids)
    }

    /// The row (index in the columns given to `ingest_columns`) of the event each decision
    /// was decided for, in order.
    fn event_indices(&self) -> Vec<u32> {
        self.rows.clone()
    }

    /// Every decision as a `Decision`, in a list.
    fn to_list<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, (0..self.decisions.len()).map(|k| self.decision(k)))
    }

    /// `DecisionBatch(len=..., counts={...})`.
    fn __repr__(&self) -> String {
        let counts = self
            .kind_counts()
            .into_iter()
            .map(|(k, c)| format!("'{k}': {c}"))
            .collect::<Vec<_>>()
            .join(", ");
        format!(
            "DecisionBatch(len={}, counts={{{counts}}})",
            self.decisions.len()
        )
    }
}

/// Iterator over a `DecisionBatch` (built by `iter(batch)`).
#[pyclass(frozen, name = "DecisionBatchIterator", module = "faultdesk")]
pub struct PyDecisionBatchIter {
    batch: Py<PyDecisionBatch>,
    next: AtomicUsize,
}

#[pymethods]
impl PyDecisionBatchIter {
    /// Itself.
    fn __iter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    /// The next decision (`StopIteration` at the end).
    fn __next__(&self, py: Python<'_>) -> Option<PyDecision> {
        let b = self.batch.bind(py).get();
        let k = self.next.fetch_add(1, Ordering::Relaxed);
        if k < b.decisions.len() {
            Some(b.decision(k))
        } else {
            // stays exhausted
            self.next.store(b.decisions.len(), Ordering::Relaxed);
            None
        }
    }
}
