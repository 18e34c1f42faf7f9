// The Wing–Gong linearizability search as Lowe improved it (and Porcupine implements it): walk the history's
// call/return entries in time order, tentatively linearize a pending call when the model accepts it, and back
// up at a return whose call could not be placed. A (linearized set, state) pair seen before is never explored
// twice. Operations with an unknown outcome return at +Infinity and need not be linearized at all.
import type { AnyModel } from "./model.ts";
import { ILLEGAL } from "./model.ts";
import type { Operation } from "./operation.ts";

export type SearchOutcome = "ok" | "illegal" | "unknown";

export interface SearchOptions {
  /** Give up (outcome "unknown") at this `performance.now()` time. */
  readonly deadline?: number;
  readonly signal?: AbortSignal;
}

export interface PartialLinearization {
  /** Operation ids in linearization order. */
  readonly ops: readonly number[];
  /** The state after each of `ops` (same length). */
  readonly states: readonly unknown[];
}

export interface SearchResult {
  readonly outcome: SearchOutcome;
  /** The longest partial linearization the search built (for an illegal part: how far it got). */
  readonly longest: PartialLinearization;
  /** Search steps taken, for the bench. */
  readonly steps: number;
}

/** Thrown-free abort check is done every this many steps, so a check costs nothing measurable. */
const POLL = 1024;

/** Searches one part (already partitioned) of a history. */
export function searchLinearization(model: AnyModel, ops: readonly Operation[], options: SearchOptions = {}): SearchResult {
  const n = ops.length;
  // Entries 1..2n in time order; 0 is the head sentinel, 2n+1 the tail sentinel.
  const raw: { time: number; call: boolean; op: number }[] = [];
  ops.forEach((op, i) => {
    raw.push({ time: op.call, call: true, op: i }, { time: op.return, call: false, op: i });
  });
  // At equal times calls come first, so touching operations count as concurrent (as in Porcupine).
  raw.sort((a, b) => (a.time !== b.time ? a.time - b.time : a.call === b.call ? 0 : a.call ? -1 : 1));
  const HEAD = 0;
  const TAIL = 2 * n + 1;
  const isCall = new Uint8Array(TAIL + 1);
  const opOf = new Int32Array(TAIL + 1);
  const match = new Int32Array(TAIL + 1);
  const next = new Int32Array(TAIL + 1);
  const prev = new Int32Array(TAIL + 1);
  const callEntry = new Int32Array(n);
  raw.forEach((e, k) => {
    const idx = k + 1;
    isCall[idx] = e.call ? 1 : 0;
    opOf[idx] = e.op;
    if (e.call) callEntry[e.op] = idx;
    else match[callEntry[e.op]!] = idx;
  });
  for (let i = 0; i <= TAIL; i++) {
    next[i] = i + 1;
    prev[i] = i - 1;
  }
  const unknown = ops.map((op) => op.return === Infinity);
  let remainingKnown = unknown.filter((u) => !u).length;

  const lift = (e: number) => {
    const m = match[e]!;
    next[prev[e]!] = next[e]!;
    prev[next[e]!] = prev[e]!;
    next[prev[m]!] = next[m]!;
    prev[next[m]!] = prev[m]!;
  };
  const unlift = (e: number) => {
    const m = match[e]!;
    prev[next[m]!] = m;
    next[prev[m]!] = m;
    prev[next[e]!] = e;
    next[prev[e]!] = e;
  };

  // The memo: a (linearized set, state) pair is hashed (XOR of per-operation random words, mixed with the
  // state key's hash) into buckets that hold the exact bitset and state key, so a collision is never a hit.
  const words = Math.ceil(n / 32) || 1;
  const bits = new Uint32Array(words);
  const zobrist = new Uint32Array(n);
  let seed = 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    seed = (seed ^ (seed << 13)) >>> 0;
    seed = (seed ^ (seed >>> 17)) >>> 0;
    seed = (seed ^ (seed << 5)) >>> 0;
    zobrist[i] = seed;
  }
  let setHash = 0;
  const seen = new Map<number, { bits: Uint32Array; state: string }[]>();
  const remember = (stateKey: string): boolean => {
    let h = setHash ^ 0x811c9dc5;
    for (let c = 0; c < stateKey.length; c++) h = Math.imul(h ^ stateKey.charCodeAt(c), 0x01000193);
    const bucket = seen.get(h);
    if (bucket !== undefined) {
      outer: for (const e of bucket) {
        if (e.state !== stateKey) continue;
        for (let w = 0; w < words; w++) if (e.bits[w] !== bits[w]) continue outer;
        return false;
      }
      bucket.push({ bits: bits.slice(), state: stateKey });
    } else {
      seen.set(h, [{ bits: bits.slice(), state: stateKey }]);
    }
    return true;
  };
  const stackEntry: number[] = [];
  const stackState: unknown[] = [];
  let state: unknown = model.init();
  let longest: PartialLinearization = { ops: [], states: [] };
  let steps = 0;

  const done = (outcome: SearchOutcome): SearchResult => ({ outcome, longest, steps });
  let entry = next[HEAD]!;
  while (remainingKnown > 0) {
    if (++steps % POLL === 0) {
      if (options.signal?.aborted === true) return done("unknown");
      if (options.deadline !== undefined && performance.now() > options.deadline) return done("unknown");
    }
    if (entry === TAIL) return done("illegal"); // unreachable: a known op's finite return precedes the tail
    const i = opOf[entry]!;
    if (isCall[entry] === 1) {
      const op = ops[i]!;
      const after = model.step(state, op.input, unknown[i] ? undefined : op.output);
      if (after !== ILLEGAL) {
        bits[i >>> 5]! |= 1 << (i & 31);
        setHash ^= zobrist[i]!;
        if (remember(model.key(after))) {
          stackEntry.push(entry);
          stackState.push(state);
          state = after;
          lift(entry);
          if (!unknown[i]) remainingKnown--;
          if (stackEntry.length > longest.ops.length) {
            longest = { ops: stackEntry.map((e) => ops[opOf[e]!]!.id), states: [...stackState.slice(1), state] };
          }
          entry = next[HEAD]!;
          continue;
        }
        bits[i >>> 5]! &= ~(1 << (i & 31));
        setHash ^= zobrist[i]!;
      }
      entry = next[entry]!;
    } else {
      // A return whose call is still pending: everything linearized since must be undone.
      if (stackEntry.length === 0) return done("illegal");
      const e = stackEntry.pop()!;
      state = stackState.pop();
      const j = opOf[e]!;
      bits[j >>> 5]! &= ~(1 << (j & 31));
      setHash ^= zobrist[j]!;
      unlift(e);
      if (!unknown[j]) remainingKnown++;
      entry = next[e]!;
    }
  }
  return done("ok");
}
