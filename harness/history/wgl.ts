// The Wing–Gong linearizability search as Lowe improved it (and Porcupine implements it): walk the history's
// call/return entries in time order, tentatively linearize a pending call when the model accepts it, and back
// up at a return whose call could not be placed. A (linearized set, state) pair seen before is never explored
// twice. Operations with an unknown outcome return at +Infinity and need not be linearized at all.
import type { AnyModel } from "./model.ts";
import { ILLEGAL } from "./model.ts";
import { stringHash } from "./models.ts";
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

  // The memo: (linearized set, state) pairs in an open-addressing hash table. The set's hash is the XOR of
  // per-operation random words (updated in O(1)), mixed with the state's hash; entries keep the exact bitset
  // (in one growing arena) and state, so a collision is never taken for a hit.
  const words = Math.ceil(n / 32) || 1;
  const bits = new Uint32Array(words);
  const zobrist = new Int32Array(n);
  let seed = 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    seed = (seed ^ (seed << 13)) >>> 0;
    seed = (seed ^ (seed >>> 17)) >>> 0;
    seed = (seed ^ (seed << 5)) >>> 0;
    zobrist[i] = seed | 0;
  }
  let setHash = 0;
  const fast = model.hash !== undefined && model.equal !== undefined;
  const hashOf: (s: unknown) => number = fast ? model.hash!.bind(model) : (s) => stringHash(model.key(s));
  const memoState: (s: unknown) => unknown = fast ? (s) => s : (s) => model.key(s);
  const same: (a: unknown, b: unknown) => boolean = fast ? model.equal!.bind(model) : (a, b) => a === b;
  let slots = new Int32Array(64); // entry index + 1; 0 = empty
  let count = 0;
  let arena = new Uint32Array(words * 32);
  let hashes = new Int32Array(32);
  const states: unknown[] = [];
  const place = (table: Int32Array, h: number, entryPlusOne: number) => {
    const mask = table.length - 1;
    let k = Math.imul(h, 0x9e3779b1) >>> 0 & mask;
    while (table[k] !== 0) k = (k + 1) & mask;
    table[k] = entryPlusOne;
  };
  /** Adds the current (bits, state) unless present; returns whether it was new. */
  const remember = (state: unknown): boolean => {
    const h = (setHash ^ Math.imul(hashOf(state), 0x85ebca6b)) | 0;
    const m = memoState(state);
    const mask = slots.length - 1;
    let k = Math.imul(h, 0x9e3779b1) >>> 0 & mask;
    for (let e = slots[k]!; e !== 0; k = (k + 1) & mask, e = slots[k]!) {
      const idx = e - 1;
      if (hashes[idx] !== h || !same(states[idx], m)) continue;
      let equal = true;
      for (let w = 0, base = idx * words; w < words; w++) {
        if (arena[base + w] !== bits[w]) {
          equal = false;
          break;
        }
      }
      if (equal) return false;
    }
    if (count === hashes.length) {
      const grownArena = new Uint32Array(arena.length * 2);
      grownArena.set(arena);
      arena = grownArena;
      const grownHashes = new Int32Array(hashes.length * 2);
      grownHashes.set(hashes);
      hashes = grownHashes;
    }
    arena.set(bits, count * words);
    hashes[count] = h;
    states.push(m);
    count++;
    slots[k] = count;
    if (count * 2 > slots.length) {
      const grown = new Int32Array(slots.length * 2);
      for (let i = 0; i < count; i++) place(grown, hashes[i]!, i + 1);
      slots = grown;
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
    if (steps++ % POLL === 0) {
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
        if (remember(after)) {
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
