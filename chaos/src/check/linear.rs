//! A linearizability checker for the history of one key: the Wing–Gong search with Lowe's
//! memoization, as Porcupine does it. Operations whose outcome is unknown never return:
//! each may be linearized anywhere after its invocation, or never. The search is bounded in
//! time, and says so ("unknown") rather than guessing.

use std::collections::HashSet;
use std::hash::Hash;
use std::time::{Duration, Instant};

/// A sequential specification of one object.
pub trait Model {
    type State: Clone + Eq + Hash;
    type Input: Hash + Eq;
    type Output;
    fn init(&self) -> Self::State;
    /// The state after applying `input` that answered `output`, or `None` if that answer is
    /// impossible from `state`.
    fn step(
        &self,
        state: &Self::State,
        input: &Self::Input,
        output: &Self::Output,
    ) -> Option<Self::State>;
    /// The state after `input` took effect with an answer nobody saw.
    fn step_unseen(&self, state: &Self::State, input: &Self::Input) -> Self::State;
    /// Whether the operation `input` of unknown outcome can have been observed by any of
    /// `ops`. One that cannot is first assumed never to have taken effect (always a valid
    /// choice for an unknown outcome), which spares the search its subsets.
    fn observable(
        &self,
        _input: &Self::Input,
        _ops: &[Operation<Self::Input, Self::Output>],
    ) -> bool {
        true
    }
}

/// One operation to check: `output` is `None` when its outcome is unknown.
#[derive(Clone, Debug)]
pub struct Operation<I, O> {
    pub input: I,
    pub output: Option<O>,
    pub call: u64,
    /// Ignored for unknown outcomes.
    pub ret: u64,
}

/// The verdict on one key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Linearizable,
    /// Not linearizable: the indexes of a small witness (the longest linearization the search
    /// reached, ending with the operation that could not follow it).
    Violation {
        witness: Vec<usize>,
    },
    /// The search ran out of time.
    Unknown,
}

#[derive(Clone, Copy)]
struct Entry {
    op: usize,
    is_call: bool,
    /// For a call: the index of its return entry (`usize::MAX`: none, unknown outcome).
    matching: usize,
    prev: usize,
    next: usize,
}

/// A doubly linked list of call and return entries, with a head sentinel at index 0.
struct Events {
    e: Vec<Entry>,
}

const NIL: usize = usize::MAX;

/// The operations that may be linearized next: the calls before the first return left.
struct Window {
    /// Call entries, those with a known outcome first: an unknown operation may never have
    /// taken effect, and trying the known ones first finds that order without enumerating
    /// every subset of the unknown ones.
    calls: Vec<usize>,
    /// The operation of that first return (`NIL`: none left).
    blocker: usize,
}

impl Events {
    fn window<I: Hash + Eq, O>(&self, ops: &[Operation<I, O>]) -> Window {
        let (mut known, mut unknown) = (Vec::new(), Vec::new());
        let mut unknown_inputs = HashSet::new();
        let mut blocker = NIL;
        let mut cur = self.e[0].next;
        while cur != NIL {
            let entry = self.e[cur];
            if !entry.is_call {
                blocker = entry.op;
                break;
            }
            if ops[entry.op].output.is_some() {
                known.push(cur);
            } else if unknown_inputs.insert(&ops[entry.op].input) {
                // Of unknown operations with the same input, only the first invoked is a
                // candidate: any linearization placing a later one can place it instead (it
                // was invoked no later) and the later one where that one went, so trying the
                // others only repeats the search (a kill's unknown INCRs, say).
                unknown.push(cur);
            }
            cur = entry.next;
        }
        known.append(&mut unknown);
        Window {
            calls: known,
            blocker,
        }
    }

    fn lift(&mut self, call: usize) {
        self.unlink(call);
        let m = self.e[call].matching;
        if m != NIL {
            self.unlink(m);
        }
    }

    fn unlift(&mut self, call: usize) {
        let m = self.e[call].matching;
        if m != NIL {
            self.relink(m);
        }
        self.relink(call);
    }

    fn unlink(&mut self, i: usize) {
        let Entry { prev, next, .. } = self.e[i];
        self.e[prev].next = next;
        if next != NIL {
            self.e[next].prev = prev;
        }
    }

    fn relink(&mut self, i: usize) {
        let Entry { prev, next, .. } = self.e[i];
        self.e[prev].next = i;
        if next != NIL {
            self.e[next].prev = i;
        }
    }
}

/// Checks `ops` against `model` within `budget`.
///
/// Operations of unknown outcome that nothing can have observed are first left out: if the
/// rest is linearizable, so is the whole (they never took effect). Otherwise the whole history
/// is searched.
pub fn check<M: Model>(
    model: &M,
    ops: &[Operation<M::Input, M::Output>],
    budget: Duration,
) -> Verdict
where
    M::Input: Clone,
    M::Output: Clone,
{
    let started = Instant::now();
    let kept: Vec<Operation<M::Input, M::Output>> = ops
        .iter()
        .filter(|op| op.output.is_some() || model.observable(&op.input, ops))
        .cloned()
        .collect();
    if kept.len() < ops.len() && search(model, &kept, budget / 2) == Verdict::Linearizable {
        return Verdict::Linearizable;
    }
    search(model, ops, budget.saturating_sub(started.elapsed()))
}

/// The Wing–Gong search over every operation of `ops`.
fn search<M: Model>(
    model: &M,
    ops: &[Operation<M::Input, M::Output>],
    budget: Duration,
) -> Verdict {
    // Events by time; at equal times calls come first (the more lenient order).
    let mut times: Vec<(u64, bool, usize)> = Vec::with_capacity(ops.len() * 2);
    for (i, op) in ops.iter().enumerate() {
        times.push((op.call, true, i));
        if op.output.is_some() {
            times.push((op.ret.max(op.call), false, i));
        }
    }
    times.sort_by_key(|&(t, is_call, i)| (t, !is_call, i));
    let mut e = vec![Entry {
        op: NIL,
        is_call: false,
        matching: NIL,
        prev: NIL,
        next: NIL,
    }];
    let mut call_entry = vec![NIL; ops.len()];
    for &(_, is_call, op) in &times {
        let idx = e.len();
        let prev = idx - 1;
        e[prev].next = idx;
        e.push(Entry {
            op,
            is_call,
            matching: NIL,
            prev,
            next: NIL,
        });
        if is_call {
            call_entry[op] = idx;
        } else {
            e[call_entry[op]].matching = idx;
        }
    }
    let mut events = Events { e };
    let mut known_left = ops.iter().filter(|o| o.output.is_some()).count();
    let words = ops.len().div_ceil(64);
    let mut linearized = vec![0u64; words];
    let mut cache: HashSet<(Vec<u64>, M::State)> = HashSet::new();
    // (call entry, state before it)
    let mut stack: Vec<(usize, M::State)> = Vec::new();
    let mut state = model.init();
    let mut best: Vec<usize> = Vec::new();
    let mut best_blocker = NIL;
    let started = Instant::now();
    let mut steps: u64 = 0;
    let mut window = events.window(ops);
    let mut pos = 0;
    loop {
        if known_left == 0 {
            return Verdict::Linearizable;
        }
        steps += 1;
        if steps.is_multiple_of(4096) && started.elapsed() > budget {
            return Verdict::Unknown;
        }
        let Some(&cur) = window.calls.get(pos) else {
            // No candidate can go next: every order from here failed.
            if window.blocker != NIL && stack.len() + 1 >= best.len() && best_blocker == NIL {
                best = stack.iter().map(|&(c, _)| events.e[c].op).collect();
                best_blocker = window.blocker;
            }
            let Some((call, s)) = backtrack(
                &mut events,
                &mut stack,
                &mut linearized,
                &mut known_left,
                ops,
            ) else {
                break;
            };
            state = s;
            window = events.window(ops);
            pos = window
                .calls
                .iter()
                .position(|&c| c == call)
                .map_or(0, |p| p + 1);
            continue;
        };
        let op = &ops[events.e[cur].op];
        let next_state = match &op.output {
            Some(out) => model.step(&state, &op.input, out),
            None => Some(model.step_unseen(&state, &op.input)),
        };
        if let Some(next_state) = next_state {
            let i = events.e[cur].op;
            linearized[i / 64] |= 1 << (i % 64);
            if cache.insert((linearized.clone(), next_state.clone())) {
                stack.push((cur, state));
                state = next_state;
                events.lift(cur);
                if op.output.is_some() {
                    known_left -= 1;
                }
                if stack.len() >= best.len() {
                    best = stack.iter().map(|&(c, _)| events.e[c].op).collect();
                    best_blocker = NIL;
                }
                window = events.window(ops);
                pos = 0;
                continue;
            }
            linearized[i / 64] &= !(1 << (i % 64));
        }
        pos += 1;
    }
    let mut witness: Vec<usize> = best.into_iter().rev().take(4).collect();
    witness.reverse();
    if best_blocker != NIL {
        witness.push(best_blocker);
    }
    Verdict::Violation { witness }
}

/// Undoes the last linearized call; returns its call entry and the state before it.
fn backtrack<I, O, S>(
    events: &mut Events,
    stack: &mut Vec<(usize, S)>,
    linearized: &mut [u64],
    known_left: &mut usize,
    ops: &[Operation<I, O>],
) -> Option<(usize, S)> {
    let (call, state) = stack.pop()?;
    let op = events.e[call].op;
    linearized[op / 64] &= !(1 << (op % 64));
    if ops[op].output.is_some() {
        *known_left += 1;
    }
    events.unlift(call);
    Some((call, state))
}
