//! Exact accounting for the workloads whose elements are unique: every acknowledged SADD
//! element and LPUSH item must be found exactly once, and sessions must live exactly their TTL.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::history::{Call, Op, Outcome, Reply};

/// The tally of one set or queue workload.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Tally {
    /// Acknowledged writes.
    pub acknowledged: usize,
    /// Writes with an unknown outcome.
    pub indeterminate: usize,
    /// Acknowledged elements found nowhere (beyond what unknown pops may explain).
    pub lost: Vec<String>,
    /// Elements seen twice (popped twice, or popped and still queued).
    pub duplicated: Vec<String>,
    /// Elements read that no client ever wrote.
    pub unexpected: Vec<String>,
    /// Nodes whose own final state differs from the linearizable final read.
    pub diverged_nodes: Vec<u64>,
}

impl Tally {
    pub fn ok(&self) -> bool {
        self.lost.is_empty()
            && self.duplicated.is_empty()
            && self.unexpected.is_empty()
            && self.diverged_nodes.is_empty()
    }
}

/// Checks SADD elements against the final read (`final_read`, linearizable) and each node's
/// own state (`per_node`).
pub fn check_set(
    ops: &[Op],
    final_read: &HashSet<String>,
    per_node: &[(u64, HashSet<String>)],
) -> Tally {
    let mut t = Tally::default();
    let mut attempted = HashSet::new();
    for op in ops {
        if let Call::Add { element } = &op.call {
            attempted.insert(element.clone());
            match op.outcome {
                Outcome::Ok => {
                    t.acknowledged += 1;
                    if !final_read.contains(element) {
                        t.lost.push(element.clone());
                    }
                }
                Outcome::Unknown => t.indeterminate += 1,
                Outcome::Fail => {
                    if final_read.contains(element) {
                        t.unexpected.push(element.clone());
                    }
                }
            }
        }
    }
    t.unexpected.extend(
        final_read
            .iter()
            .filter(|e| !attempted.contains(*e))
            .cloned(),
    );
    t.diverged_nodes = per_node
        .iter()
        .filter(|(_, s)| s != final_read)
        .map(|(id, _)| *id)
        .collect();
    t.lost.sort();
    t.unexpected.sort();
    t
}

/// Checks LPUSH/BRPOP against what is left in the queue at the end (`remaining`).
pub fn check_queue(ops: &[Op], remaining: &[String]) -> Tally {
    let mut t = Tally::default();
    let mut pushed = HashSet::new();
    let mut acked = Vec::new();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut unknown_pops = 0;
    for op in ops {
        match (&op.call, op.outcome, &op.reply) {
            (Call::Push { item }, outcome, _) => {
                pushed.insert(item.as_str());
                match outcome {
                    Outcome::Ok => {
                        t.acknowledged += 1;
                        acked.push(item.as_str());
                    }
                    Outcome::Unknown => t.indeterminate += 1,
                    Outcome::Fail => {}
                }
            }
            (Call::Pop, Outcome::Ok, Reply::Item { item: Some(item) }) => {
                *seen.entry(item.as_str()).or_default() += 1;
            }
            (Call::Pop, Outcome::Unknown, _) => unknown_pops += 1,
            _ => {}
        }
    }
    for item in remaining {
        *seen.entry(item.as_str()).or_default() += 1;
    }
    let mut dup: Vec<String> = seen
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(i, _)| i.to_string())
        .collect();
    dup.sort();
    t.duplicated = dup;
    let mut unexpected: Vec<String> = seen
        .keys()
        .filter(|i| !pushed.contains(*i))
        .map(|i| i.to_string())
        .collect();
    unexpected.sort();
    t.unexpected = unexpected;
    let missing: Vec<String> = acked
        .into_iter()
        .filter(|i| !seen.contains_key(i))
        .map(str::to_string)
        .collect();
    // A BRPOP whose answer was lost may have taken one item each.
    if missing.len() > unknown_pops {
        t.lost = missing;
    }
    t
}

/// A session read that contradicts its TTL.
#[derive(Clone, Debug, Serialize)]
pub struct SessionError {
    pub key: String,
    pub problem: String,
    pub setex: Op,
    pub get: Op,
}

/// Checks every GET of a session key against its SETEX: present while the TTL certainly has
/// not passed, absent once it certainly has (`margin_ms` for clock granularity). `wall_ms`
/// converts history time to unix milliseconds.
pub fn check_sessions(
    ops: &[Op],
    margin_ms: u64,
    wall_ms: impl Fn(u64) -> u64,
) -> (usize, Vec<SessionError>) {
    let mut sets: HashMap<&str, &Op> = HashMap::new();
    for op in ops {
        if matches!(op.call, Call::SetEx { .. }) {
            sets.insert(op.key.as_str(), op);
        }
    }
    let mut checked = 0;
    let mut errors = Vec::new();
    for get in ops {
        let (Call::Get, Outcome::Ok, Reply::Value { value }) = (&get.call, get.outcome, &get.reply)
        else {
            continue;
        };
        let Some(set) = sets.get(get.key.as_str()) else {
            continue;
        };
        let Call::SetEx { ttl_ms } = set.call else {
            continue;
        };
        checked += 1;
        let present = value.is_some();
        let problem = match set.outcome {
            Outcome::Fail if present => Some("present though its SETEX failed"),
            Outcome::Ok => {
                let surely_alive = wall_ms(get.complete_ns) + margin_ms
                    < wall_ms(set.invoke_ns) + ttl_ms
                    && get.invoke_ns > set.complete_ns;
                let surely_dead =
                    wall_ms(get.invoke_ns) > wall_ms(set.complete_ns) + ttl_ms + margin_ms;
                if surely_alive && !present {
                    Some("gone before its TTL passed")
                } else if surely_dead && present {
                    Some("present after its TTL passed")
                } else {
                    None
                }
            }
            _ => None,
        };
        if let Some(problem) = problem {
            errors.push(SessionError {
                key: get.key.clone(),
                problem: problem.to_string(),
                setex: (*set).clone(),
                get: get.clone(),
            });
        }
    }
    (checked, errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(call: Call, reply: Reply, outcome: Outcome, t: u64) -> Op {
        Op {
            client: 0,
            node: 1,
            key: "k".to_string(),
            call,
            reply,
            outcome,
            invoke_ns: t * 1_000_000,
            complete_ns: (t + 1) * 1_000_000,
        }
    }
    fn push(i: &str, o: Outcome) -> Op {
        op(Call::Push { item: i.into() }, Reply::None, o, 0)
    }
    fn pop(i: Option<&str>, o: Outcome) -> Op {
        op(
            Call::Pop,
            Reply::Item {
                item: i.map(str::to_string),
            },
            o,
            5,
        )
    }

    #[test]
    fn queue_accounting() {
        let ops = vec![
            push("a", Outcome::Ok),
            push("b", Outcome::Ok),
            push("c", Outcome::Unknown),
            pop(Some("a"), Outcome::Ok),
        ];
        let t = check_queue(&ops, &["b".to_string()]);
        assert!(t.ok(), "{t:?}");
        // b acknowledged, never popped, not in the queue: lost.
        let t = check_queue(&ops, &[]);
        assert_eq!(t.lost, vec!["b".to_string()]);
        // ... unless a BRPOP whose answer was lost took it.
        let mut with_unknown = ops.clone();
        with_unknown.push(pop(None, Outcome::Unknown));
        assert!(check_queue(&with_unknown, &[]).ok());
        // a popped twice.
        let mut twice = ops.clone();
        twice.push(pop(Some("a"), Outcome::Ok));
        assert_eq!(
            check_queue(&twice, &["b".to_string()]).duplicated,
            vec!["a".to_string()]
        );
        // z was never pushed.
        let t = check_queue(&ops, &["b".to_string(), "z".to_string()]);
        assert_eq!(t.unexpected, vec!["z".to_string()]);
    }

    #[test]
    fn set_accounting() {
        let add = |e: &str, o| op(Call::Add { element: e.into() }, Reply::None, o, 0);
        let ops = vec![
            add("a", Outcome::Ok),
            add("b", Outcome::Unknown),
            add("c", Outcome::Fail),
        ];
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<HashSet<_>>();
        assert!(check_set(&ops, &s(&["a"]), &[(1, s(&["a"]))]).ok());
        assert!(check_set(&ops, &s(&["a", "b"]), &[]).ok());
        assert_eq!(check_set(&ops, &s(&["b"]), &[]).lost, vec!["a".to_string()]);
        assert_eq!(
            check_set(&ops, &s(&["a", "c"]), &[]).unexpected,
            vec!["c".to_string()]
        );
        assert_eq!(
            check_set(&ops, &s(&["a"]), &[(2, s(&[]))]).diverged_nodes,
            vec![2]
        );
    }

    #[test]
    fn sessions_live_their_ttl() {
        let setex = op(Call::SetEx { ttl_ms: 1000 }, Reply::None, Outcome::Ok, 0);
        let get = |t: u64, present: bool| {
            op(
                Call::Get,
                Reply::Value {
                    value: present.then_some(1),
                },
                Outcome::Ok,
                t,
            )
        };
        let wall = |ns: u64| ns / 1_000_000;
        let (n, e) = check_sessions(&[setex.clone(), get(100, true), get(2000, false)], 10, wall);
        assert_eq!((n, e.len()), (2, 0));
        let (_, e) = check_sessions(&[setex.clone(), get(100, false)], 10, wall);
        assert_eq!(e[0].problem, "gone before its TTL passed");
        let (_, e) = check_sessions(&[setex.clone(), get(2000, true)], 10, wall);
        assert_eq!(e[0].problem, "present after its TTL passed");
        // Near the deadline either answer is fine.
        let (_, e) = check_sessions(&[setex, get(999, true), get(1000, false)], 10, wall);
        assert!(e.is_empty());
    }
}
