//! The run report: a summary of the history and every checker's verdict, as JSON and Markdown.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::check::accounts::{SessionError, Tally};
use crate::history::{Event, Op, Outcome};

/// A checker's finding.
#[derive(Clone, Debug, Serialize)]
pub struct Violation {
    pub checker: String,
    pub key: String,
    pub what: String,
    /// A few operations that show it.
    pub witness: Vec<Op>,
}

/// A stretch with no successful operation.
#[derive(Clone, Debug, Serialize)]
pub struct Window {
    pub start_s: f64,
    pub end_s: f64,
    pub length_s: f64,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    pub settings: BTreeMap<String, String>,
    pub ops: usize,
    pub outcomes: BTreeMap<String, usize>,
    pub faults_injected: usize,
    /// Per key: linearizable, violation, or unknown (search budget exceeded).
    pub verdicts: BTreeMap<String, String>,
    /// The whole history of each key not found linearizable (violation or unknown), to study.
    pub unproven: BTreeMap<String, Vec<Op>>,
    pub violations: Vec<Violation>,
    pub tallies: BTreeMap<String, Tally>,
    pub lost_acknowledged: usize,
    pub duplicated: usize,
    pub sessions_checked: usize,
    pub session_errors: Vec<SessionError>,
    pub unavailability: Vec<Window>,
    pub longest_unavailability_s: f64,
    pub latency_p50_ms: f64,
    pub latency_p99_ms: f64,
    pub events: Vec<Event>,
}

impl Report {
    /// Fills in what comes from the history alone: outcomes, latency, unavailability (gaps of
    /// more than `gap_s` between successful operations).
    pub fn summarise(&mut self, ops: &[Op], gap_s: f64) {
        self.ops = ops.len();
        for op in ops {
            let name = match op.outcome {
                Outcome::Ok => "ok",
                Outcome::Fail => "fail",
                Outcome::Unknown => "unknown",
            };
            *self.outcomes.entry(name.to_string()).or_default() += 1;
        }
        let mut lat: Vec<u64> = ops
            .iter()
            .filter(|o| o.outcome == Outcome::Ok)
            .map(Op::latency_ns)
            .collect();
        lat.sort_unstable();
        let pct = |p: f64| {
            lat.get(((lat.len() as f64 * p) as usize).min(lat.len().saturating_sub(1)))
                .map_or(0.0, |&n| n as f64 / 1e6)
        };
        self.latency_p50_ms = pct(0.50);
        self.latency_p99_ms = pct(0.99);
        let mut done: Vec<u64> = ops
            .iter()
            .filter(|o| o.outcome == Outcome::Ok)
            .map(|o| o.complete_ns)
            .collect();
        done.sort_unstable();
        let mut longest = 0.0f64;
        for w in done.windows(2) {
            let gap = (w[1] - w[0]) as f64 / 1e9;
            longest = longest.max(gap);
            if gap > gap_s {
                self.unavailability.push(Window {
                    start_s: w[0] as f64 / 1e9,
                    end_s: w[1] as f64 / 1e9,
                    length_s: gap,
                });
            }
        }
        // The longest gap of all, even one too short to list as a window.
        self.longest_unavailability_s = longest;
    }

    pub fn failed(&self) -> bool {
        !self.violations.is_empty()
    }

    pub fn markdown(&self) -> String {
        let mut s = String::new();
        let verdict = if self.failed() { "FAIL" } else { "PASS" };
        let _ = writeln!(s, "# redraft-chaos report: {verdict}\n");
        for (k, v) in &self.settings {
            let _ = writeln!(s, "- {k}: {v}");
        }
        let _ = writeln!(s, "\n## Summary\n");
        let _ = writeln!(s, "| measure | value |\n|---|---|");
        let _ = writeln!(s, "| operations | {} |", self.ops);
        for (k, v) in &self.outcomes {
            let _ = writeln!(s, "| outcome {k} | {v} |");
        }
        let _ = writeln!(s, "| faults injected | {} |", self.faults_injected);
        let _ = writeln!(s, "| violations | {} |", self.violations.len());
        let _ = writeln!(
            s,
            "| lost acknowledged writes | {} |",
            self.lost_acknowledged
        );
        let _ = writeln!(s, "| duplicated | {} |", self.duplicated);
        let _ = writeln!(s, "| sessions reads checked | {} |", self.sessions_checked);
        let _ = writeln!(
            s,
            "| longest unavailability | {:.2} s |",
            self.longest_unavailability_s
        );
        let _ = writeln!(
            s,
            "| latency p50 / p99 | {:.2} / {:.2} ms |",
            self.latency_p50_ms, self.latency_p99_ms
        );
        let _ = writeln!(s, "\n## Verdicts per key\n");
        for (k, v) in &self.verdicts {
            let _ = writeln!(s, "- `{k}`: {v}");
        }
        if !self.violations.is_empty() {
            let _ = writeln!(s, "\n## Violations\n");
            for v in self.violations.iter().take(20) {
                let _ = writeln!(s, "### {} on `{}`: {}\n", v.checker, v.key, v.what);
                for op in &v.witness {
                    let _ = writeln!(
                        s,
                        "- client {} via node {}: {:?} → {:?} ({:?}) [{:.3}s, {:.3}s]",
                        op.client,
                        op.node,
                        op.call,
                        op.reply,
                        op.outcome,
                        op.invoke_ns as f64 / 1e9,
                        op.complete_ns as f64 / 1e9
                    );
                }
                let _ = writeln!(s);
            }
        }
        let _ = writeln!(s, "\n## Unavailability (no successful operation)\n");
        for w in &self.unavailability {
            let _ = writeln!(
                s,
                "- {:.2} s → {:.2} s: {:.2} s",
                w.start_s, w.end_s, w.length_s
            );
        }
        let _ = writeln!(s, "\n## Faults\n");
        for e in &self.events {
            let _ = writeln!(s, "- {:.3} s: {}", e.at_ns as f64 / 1e9, e.what);
        }
        s
    }
}
