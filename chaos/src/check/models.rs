//! Sequential specifications of the keys the register and counter workloads use.

use super::linear::{Model, Operation};
use crate::history::{Call, Reply};

/// A string key read with GET, written with SET and compare-and-set (WATCH/MULTI/EXEC).
/// Values are integers; a missing key is `None`.
pub struct Register;

impl Model for Register {
    type State = Option<i64>;
    type Input = Call;
    type Output = Reply;

    fn init(&self) -> Option<i64> {
        None
    }

    fn step(&self, s: &Option<i64>, input: &Call, output: &Reply) -> Option<Option<i64>> {
        match (input, output) {
            (Call::Get, Reply::Value { value }) => (value == s).then_some(*s),
            (Call::Set { value }, _) => Some(Some(*value)),
            (Call::Cas { expected, new }, Reply::Applied { applied: true }) => {
                (s == expected).then_some(Some(*new))
            }
            (Call::Cas { expected, .. }, Reply::Applied { applied: false }) => {
                (s != expected).then_some(*s)
            }
            _ => None,
        }
    }

    fn step_unseen(&self, s: &Option<i64>, input: &Call) -> Option<i64> {
        match input {
            Call::Set { value } => Some(*value),
            Call::Cas { expected, new } if s == expected => Some(*new),
            _ => *s,
        }
    }

    /// Values are unique per write: a write is observable only through a read of its value
    /// or a compare-and-set that expected it. (A write nobody saw could still explain a failed
    /// compare-and-set; the full search, run when the pruned one fails, covers that.)
    fn observable(&self, input: &Call, ops: &[Operation<Call, Reply>]) -> bool {
        let written = match input {
            Call::Set { value } => *value,
            Call::Cas { new, .. } => *new,
            _ => return false,
        };
        ops.iter().any(|op| {
            matches!(op.output, Some(Reply::Value { value: Some(v) }) if v == written)
                || matches!(op.input, Call::Cas { expected: Some(e), .. } if e == written)
        })
    }
}

/// A counter: INCR answers the new value, GET the current one (missing: 0).
pub struct Counter;

impl Model for Counter {
    type State = i64;
    type Input = Call;
    type Output = Reply;

    fn init(&self) -> i64 {
        0
    }

    fn step(&self, s: &i64, input: &Call, output: &Reply) -> Option<i64> {
        match (input, output) {
            (Call::Incr, Reply::Int { value }) => (*value == s + 1).then_some(s + 1),
            (Call::Get, Reply::Value { value }) => (value.unwrap_or(0) == *s).then_some(*s),
            _ => None,
        }
    }

    fn step_unseen(&self, s: &i64, input: &Call) -> i64 {
        match input {
            Call::Incr => s + 1,
            _ => *s,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::check::linear::{Operation, Verdict, check};

    fn op(input: Call, output: Option<Reply>, call: u64, ret: u64) -> Operation<Call, Reply> {
        Operation {
            input,
            output,
            call,
            ret,
        }
    }
    fn get(v: Option<i64>) -> Option<Reply> {
        Some(Reply::Value { value: v })
    }
    fn set(v: i64) -> Call {
        Call::Set { value: v }
    }
    const OK: Option<Reply> = Some(Reply::None);
    const SEC: Duration = Duration::from_secs(5);

    #[test]
    fn sequential_register_history_is_linearizable() {
        let h = vec![
            op(Call::Get, get(None), 0, 1),
            op(set(1), OK, 2, 3),
            op(Call::Get, get(Some(1)), 4, 5),
        ];
        assert_eq!(check(&Register, &h, SEC), Verdict::Linearizable);
    }

    #[test]
    fn concurrent_reads_may_see_either_value() {
        // set(1) overlaps both reads: one sees the old value, the later one the new.
        let h = vec![
            op(set(1), OK, 0, 10),
            op(Call::Get, get(Some(1)), 1, 2),
            op(Call::Get, get(None), 3, 4),
        ];
        // A read that saw 1 then a later read that saw nil: not linearizable.
        assert!(matches!(
            check(&Register, &h, SEC),
            Verdict::Violation { .. }
        ));
        let h = vec![
            op(set(1), OK, 0, 10),
            op(Call::Get, get(None), 1, 2),
            op(Call::Get, get(Some(1)), 3, 4),
        ];
        assert_eq!(check(&Register, &h, SEC), Verdict::Linearizable);
    }

    #[test]
    fn a_stale_read_after_an_acknowledged_write_is_a_violation() {
        let h = vec![
            op(set(1), OK, 0, 1),
            op(set(2), OK, 2, 3),
            op(Call::Get, get(Some(1)), 4, 5),
        ];
        match check(&Register, &h, SEC) {
            Verdict::Violation { witness } => assert!(witness.contains(&2), "{witness:?}"),
            v => panic!("{v:?}"),
        }
    }

    #[test]
    fn unknown_writes_may_take_effect_late_or_never() {
        // The unknown set(2) shows up long after it was sent...
        let h = vec![
            op(set(1), OK, 0, 1),
            op(set(2), None, 2, 3),
            op(Call::Get, get(Some(1)), 10, 11),
            op(Call::Get, get(Some(2)), 20, 21),
        ];
        assert_eq!(check(&Register, &h, SEC), Verdict::Linearizable);
        // ...or never.
        let h = vec![
            op(set(1), OK, 0, 1),
            op(set(2), None, 2, 3),
            op(Call::Get, get(Some(1)), 10, 11),
        ];
        assert_eq!(check(&Register, &h, SEC), Verdict::Linearizable);
        // But not before it was sent.
        let h = vec![op(Call::Get, get(Some(2)), 0, 1), op(set(2), None, 2, 3)];
        assert!(matches!(
            check(&Register, &h, SEC),
            Verdict::Violation { .. }
        ));
        // And not twice: 2, then 1, then 2 again.
        let h = vec![
            op(set(1), OK, 0, 1),
            op(set(2), None, 2, 3),
            op(Call::Get, get(Some(2)), 10, 11),
            op(set(1), OK, 12, 13),
            op(Call::Get, get(Some(2)), 20, 21),
        ];
        assert!(matches!(
            check(&Register, &h, SEC),
            Verdict::Violation { .. }
        ));
    }

    #[test]
    fn compare_and_set() {
        let cas = |e: Option<i64>, n: i64| Call::Cas {
            expected: e,
            new: n,
        };
        let applied = |a: bool| Some(Reply::Applied { applied: a });
        let h = vec![
            op(set(1), OK, 0, 1),
            op(cas(Some(1), 2), applied(true), 2, 5),
            op(cas(Some(1), 3), applied(false), 3, 6),
            op(Call::Get, get(Some(2)), 7, 8),
        ];
        assert_eq!(check(&Register, &h, SEC), Verdict::Linearizable);
        // Two compare-and-sets from the same value cannot both apply.
        let h = vec![
            op(set(1), OK, 0, 1),
            op(cas(Some(1), 2), applied(true), 2, 5),
            op(cas(Some(1), 3), applied(true), 3, 6),
        ];
        assert!(matches!(
            check(&Register, &h, SEC),
            Verdict::Violation { .. }
        ));
    }

    #[test]
    fn counter_increments() {
        let incr = |v: i64| Some(Reply::Int { value: v });
        let h = vec![
            op(Call::Incr, incr(1), 0, 5),
            op(Call::Incr, incr(2), 1, 6),
            op(Call::Incr, None, 2, 3),
            op(Call::Get, get(Some(3)), 10, 11),
            op(Call::Incr, incr(4), 12, 13),
        ];
        assert_eq!(check(&Counter, &h, SEC), Verdict::Linearizable);
        // Two increments that answered the same value: one was counted twice or lost.
        let h = vec![op(Call::Incr, incr(1), 0, 5), op(Call::Incr, incr(1), 1, 6)];
        assert!(matches!(
            check(&Counter, &h, SEC),
            Verdict::Violation { .. }
        ));
        // A lost acknowledged increment.
        let h = vec![
            op(Call::Incr, incr(1), 0, 1),
            op(Call::Incr, incr(2), 2, 3),
            op(Call::Get, get(Some(1)), 4, 5),
        ];
        assert!(matches!(
            check(&Counter, &h, SEC),
            Verdict::Violation { .. }
        ));
    }

    #[test]
    fn the_search_is_bounded() {
        // Many overlapping unknown increments and no way to satisfy the last read.
        let mut h: Vec<_> = (0..60).map(|i| op(Call::Incr, None, i, i + 1)).collect();
        h.push(op(Call::Get, get(Some(-1)), 100, 101));
        let v = check(&Counter, &h, Duration::from_millis(50));
        assert!(
            matches!(v, Verdict::Unknown | Verdict::Violation { .. }),
            "{v:?}"
        );
    }

    #[test]
    fn unknown_writes_nobody_read_do_not_blow_up_the_search() {
        // A kill leaves forty writes with unknown outcomes; the reads after them saw none of
        // them. Trying every subset of the unknown writes first would take 2^40 steps.
        let mut h: Vec<_> = (0..40)
            .map(|i| op(set(100 + i), None, i as u64, 0))
            .collect();
        for t in 0..20 {
            h.push(op(Call::Get, get(None), 60 + 2 * t, 61 + 2 * t));
        }
        assert_eq!(
            check(&Register, &h, Duration::from_secs(2)),
            Verdict::Linearizable
        );
    }

    #[test]
    fn unknown_writes_nobody_saw_are_left_out_first() {
        // Thirty writes of unknown outcome nobody saw, then one of unknown outcome that a read
        // saw: trying the unseen ones' subsets before the seen one would take 2^30 steps.
        let mut h: Vec<_> = (0..30)
            .map(|i| op(set(100 + i), None, i as u64, 0))
            .collect();
        h.push(op(set(7), None, 40, 0));
        for t in 0..10 {
            h.push(op(Call::Get, get(Some(7)), 50 + 2 * t, 51 + 2 * t));
        }
        assert_eq!(
            check(&Register, &h, Duration::from_secs(2)),
            Verdict::Linearizable
        );
        // The full search still runs when the pruned history fails: a write nobody saw
        // explains a failed compare-and-set of the value before it.
        let h = vec![
            op(set(1), OK, 0, 1),
            op(set(2), None, 2, 0),
            op(
                Call::Cas {
                    expected: Some(1),
                    new: 3,
                },
                Some(Reply::Applied { applied: false }),
                5,
                6,
            ),
        ];
        assert_eq!(check(&Register, &h, SEC), Verdict::Linearizable);
    }

    #[test]
    fn unknown_increments_are_interchangeable() {
        // Forty increments of unknown outcome (a kill), then reads: the search places the
        // earliest unknown ones first instead of trying every subset of them.
        let mut h: Vec<_> = (0..40).map(|i| op(Call::Incr, None, i, 0)).collect();
        h.push(op(Call::Incr, Some(Reply::Int { value: 8 }), 50, 51));
        for t in 0..10 {
            h.push(op(Call::Get, get(Some(8)), 60 + 2 * t, 61 + 2 * t));
        }
        assert_eq!(
            check(&Counter, &h, Duration::from_secs(2)),
            Verdict::Linearizable
        );
        // And a read no number of them explains is a violation, found without running out
        // of time.
        h.push(op(Call::Get, get(Some(100)), 90, 91));
        assert!(matches!(
            check(&Counter, &h, Duration::from_secs(5)),
            Verdict::Violation { .. }
        ));
    }
}
