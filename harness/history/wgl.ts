// The Wing–Gong linearizability search as Lowe improved it (and Porcupine implements it): walk the history's
// call/return entries in time order, tentatively linearize a pending call when the model accepts it, and back
// up at a return whose call could not be placed. A (linearized set, state) pair seen before is never explored
// twice. Operations with an unknown outcome return at +Infinity and need not be linearized at all.
//
// Beyond Porcupine:
// - States are interned (one small integer per distinct state, by the model's hash/equal or key), and each
//   operation keeps its last few steps (state id → state id) in a small direct-mapped cache: the search meets
//   the same (operation, state) pair again and again under different linearized sets.
// - A read-only operation (the model says it changes no state) that the current state accepts is linearized
//   at once and never backed out of sideways: if no linearization follows from placing it now, none follows
//   from placing something else first (moving a state-preserving operation to the front of any witness keeps
//   it a witness), so the search backs up one more level instead of trying its siblings.
// - The search is resumable (`PartSearch.run(steps)`), so a checker can interleave the parts of a history the
//   way Porcupine's goroutines do and stop all of them at the first illegal one.
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

/** Steps between two looks at the clock and the signal, so a look costs nothing measurable. */
export const POLL = 1024;

/** Interns a model's states: equal states get the same small integer. */
class StateTable {
  readonly states: unknown[] = [];
  private readonly hashOf: ((s: unknown) => number) | undefined;
  private readonly equal: ((a: unknown, b: unknown) => boolean) | undefined;
  private readonly byKey: Map<string, number> | undefined;
  private readonly keyOf: (s: unknown) => string;
  private slots = new Int32Array(16); // id + 1; 0 = empty
  private hashes = new Int32Array(8);

  constructor(model: AnyModel) {
    this.keyOf = model.key.bind(model);
    if (model.hash !== undefined && model.equal !== undefined) {
      this.hashOf = model.hash.bind(model);
      this.equal = model.equal.bind(model);
    } else this.byKey = new Map();
  }

  intern(s: unknown): number {
    if (this.byKey !== undefined) {
      const key = this.keyOf(s);
      const known = this.byKey.get(key);
      if (known !== undefined) return known;
      const id = this.states.length;
      this.states.push(s);
      this.byKey.set(key, id);
      return id;
    }
    const h = this.hashOf!(s) | 0;
    const mask = this.slots.length - 1;
    let k = (Math.imul(h, 0x9e3779b1) >>> 0) & mask;
    for (let e = this.slots[k]!; e !== 0; k = (k + 1) & mask, e = this.slots[k]!) {
      if (this.hashes[e - 1] === h && this.equal!(this.states[e - 1], s)) return e - 1;
    }
    const id = this.states.length;
    this.states.push(s);
    if (id === this.hashes.length) {
      const grown = new Int32Array(id * 2);
      grown.set(this.hashes);
      this.hashes = grown;
    }
    this.hashes[id] = h;
    this.slots[k] = id + 1;
    if ((id + 1) * 2 > this.slots.length) {
      const grown = new Int32Array(this.slots.length * 2);
      const m = grown.length - 1;
      for (let i = 0; i <= id; i++) {
        let j = (Math.imul(this.hashes[i]!, 0x9e3779b1) >>> 0) & m;
        while (grown[j] !== 0) j = (j + 1) & m;
        grown[j] = i + 1;
      }
      this.slots = grown;
    }
    return id;
  }
}

/** Per operation, the last few steps taken from a state (by state id & mask): id after, or -1 (refused). */
const STEP_CACHE_BITS = 3;
const STEP_CACHE_MASK = (1 << STEP_CACHE_BITS) - 1;

/**
 * The memo of (linearized set, state id) pairs seen, in an open-addressing hash table. The set's hash is the
 * XOR of per-operation random words (updated in O(1) as the set changes), mixed with the state id; entries keep
 * the exact bitset (in one growing arena), so a collision is never taken for a hit.
 */
class ConfigMemo {
  private slots: Int32Array; // entry + 1; 0 = empty
  private count = 0;
  private arena: Uint32Array;
  private hashes: Int32Array;
  private stateIds: Int32Array;
  private readonly words: number;

  /** Starts with room for `capacity` entries (a power of two) in `buffer` from `offset` (see `bytes`). */
  constructor(words: number, capacity: number, buffer: ArrayBuffer, offset: number) {
    this.words = words;
    this.slots = new Int32Array(buffer, offset, 2 * capacity);
    this.hashes = new Int32Array(buffer, offset + 8 * capacity, capacity);
    this.stateIds = new Int32Array(buffer, offset + 12 * capacity, capacity);
    this.arena = new Uint32Array(buffer, offset + 16 * capacity, words * capacity);
  }

  static bytes(words: number, capacity: number): number {
    return 16 * capacity + 4 * words * capacity;
  }

  /** Adds (bits, state) unless present; returns whether it was new. */
  add(setHash: number, state: number, bits: Uint32Array): boolean {
    const words = this.words;
    const h = (setHash ^ Math.imul(state + 1, 0x85ebca6b)) | 0;
    const mask = this.slots.length - 1;
    let k = (Math.imul(h, 0x9e3779b1) >>> 0) & mask;
    for (let e = this.slots[k]!; e !== 0; k = (k + 1) & mask, e = this.slots[k]!) {
      const idx = e - 1;
      if (this.hashes[idx] !== h || this.stateIds[idx] !== state) continue;
      let equal = true;
      for (let w = 0, base = idx * words; w < words; w++) {
        if (this.arena[base + w] !== bits[w]) {
          equal = false;
          break;
        }
      }
      if (equal) return false;
    }
    const idx = this.count;
    if (idx === this.hashes.length) this.growEntries();
    this.arena.set(bits, idx * words);
    this.hashes[idx] = h;
    this.stateIds[idx] = state;
    this.count = idx + 1;
    this.slots[k] = idx + 1;
    if (this.count * 2 > this.slots.length) this.growSlots();
    return true;
  }

  private growEntries(): void {
    const size = this.hashes.length * 2;
    const arena = new Uint32Array(size * this.words);
    arena.set(this.arena);
    this.arena = arena;
    const hashes = new Int32Array(size);
    hashes.set(this.hashes);
    this.hashes = hashes;
    const ids = new Int32Array(size);
    ids.set(this.stateIds);
    this.stateIds = ids;
  }

  private growSlots(): void {
    const grown = new Int32Array(this.slots.length * 2);
    const mask = grown.length - 1;
    for (let i = 0; i < this.count; i++) {
      let k = (Math.imul(this.hashes[i]!, 0x9e3779b1) >>> 0) & mask;
      while (grown[k] !== 0) k = (k + 1) & mask;
      grown[k] = i + 1;
    }
    this.slots = grown;
  }
}

/** Where a search stands after `run`: still going, or decided. */
export type PartStatus = "running" | "ok" | "illegal";

/** The search over one part (already partitioned) of a history, run in slices of steps. */
export class PartSearch {
  private readonly n: number;
  private readonly isCall: Int32Array;
  private readonly opOf: Int32Array;
  private readonly match: Int32Array;
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  private readonly unknown: Int32Array;
  private readonly readOnly: Int32Array;
  private readonly zobrist: Int32Array;
  private readonly bits: Uint32Array;
  private readonly table: StateTable;
  private readonly cacheFrom: Int32Array;
  private readonly cacheTo: Int32Array;
  private readonly memo: ConfigMemo;
  private readonly stackEntry: Int32Array;
  private readonly stackState: Int32Array;
  private readonly longestEntries: Int32Array;
  private readonly longestStates: Int32Array;
  private depth = 0;
  private state: number;
  private entry: number;
  private setHash = 0;
  private remainingKnown: number;
  private longestDepth = -1;
  /** Search steps taken so far. */
  steps = 0;
  status: PartStatus = "running";

  private readonly model: AnyModel;
  private readonly ops: readonly Operation[];

  constructor(model: AnyModel, ops: readonly Operation[]) {
    this.model = model;
    this.ops = ops;
    const n = ops.length;
    this.n = n;
    const TAIL = 2 * n + 1;
    const E = TAIL + 1;
    const words = Math.ceil(n / 32) || 1;
    // All fixed-size arrays in one buffer: a check of a small history makes many of these, and each separate
    // typed array is a separate allocation outside the JS heap.
    let memoCapacity = 16;
    while (memoCapacity < 2 * n && memoCapacity < 1024) memoCapacity *= 2;
    const fixed = 4 * (5 * E + 10 * n + 2 + 2 * (n << STEP_CACHE_BITS) + words);
    const buffer = new ArrayBuffer(fixed + ConfigMemo.bytes(words, memoCapacity));
    let at = 0;
    const take = (length: number) => {
      const view = new Int32Array(buffer, 4 * at, length);
      at += length;
      return view;
    };
    this.isCall = take(E);
    this.opOf = take(E);
    this.match = take(E);
    this.next = take(E);
    this.prev = take(E);
    this.unknown = take(n);
    this.readOnly = take(n);
    this.zobrist = take(n);
    this.stackEntry = take(n + 1);
    this.stackState = take(n + 1);
    this.longestEntries = take(n);
    this.longestStates = take(n);
    this.cacheFrom = take(n << STEP_CACHE_BITS).fill(-1);
    this.cacheTo = take(n << STEP_CACHE_BITS);
    const callEntry = take(n);
    const order = take(2 * n);
    this.bits = new Uint32Array(buffer, 4 * at, words);
    // Entries 1..2n in time order; 0 is the head sentinel, 2n+1 the tail sentinel. At equal times calls come
    // first, so touching operations count as concurrent (as in Porcupine).
    const time = new Float64Array(2 * n);
    for (let k = 0; k < 2 * n; k++) {
      order[k] = k;
      time[k] = k & 1 ? ops[k >> 1]!.return : ops[k >> 1]!.call;
    }
    order.sort((a, b) => {
      const ta = time[a]!;
      const tb = time[b]!;
      return ta !== tb ? (ta < tb ? -1 : 1) : (a & 1) - (b & 1) || a - b;
    });
    for (let k = 0; k < 2 * n; k++) {
      const idx = k + 1;
      const e = order[k]!;
      const op = e >> 1;
      this.opOf[idx] = op;
      if ((e & 1) === 0) {
        this.isCall[idx] = 1;
        callEntry[op] = idx;
      } else this.match[callEntry[op]!] = idx;
    }
    for (let i = 0; i <= TAIL; i++) {
      this.next[i] = i + 1;
      this.prev[i] = i - 1;
    }
    let known = 0;
    for (let i = 0; i < n; i++) {
      const op = ops[i]!;
      if (op.return === Infinity) this.unknown[i] = 1;
      else known++;
      if (model.readOnly?.(op) === true) this.readOnly[i] = 1;
    }
    this.remainingKnown = known;
    let seed = 0x9e3779b9;
    for (let i = 0; i < n; i++) {
      seed = (seed ^ (seed << 13)) >>> 0;
      seed = (seed ^ (seed >>> 17)) >>> 0;
      seed = (seed ^ (seed << 5)) >>> 0;
      this.zobrist[i] = seed | 0;
    }
    this.memo = new ConfigMemo(words, memoCapacity, buffer, fixed);
    this.table = new StateTable(model);
    this.state = this.table.intern(model.init());
    this.entry = this.next[0]!;
    if (known === 0) this.status = "ok";
  }

  /** Runs at most `maxSteps` steps (fewer when decided first). */
  run(maxSteps: number): PartStatus {
    if (this.status !== "running") return this.status;
    const { isCall, opOf, match, next, prev, unknown, readOnly, zobrist, bits, memo, stackEntry, stackState, ops, model, table } = this;
    const { cacheFrom, cacheTo } = this;
    let { depth, state, entry, setHash, remainingKnown } = this;
    let left = maxSteps;
    let status: PartStatus = "running";
    while (left-- > 0) {
      if (remainingKnown === 0) {
        status = "ok";
        break;
      }
      const i = opOf[entry]!;
      if (isCall[entry] === 1) {
        // A small direct-mapped cache of this operation's recent steps (by state id) spares most model calls.
        const slot = (i << STEP_CACHE_BITS) | (state & STEP_CACHE_MASK);
        let after: number;
        if (cacheFrom[slot] === state) after = cacheTo[slot]!;
        else {
          const op = ops[i]!;
          const s = model.step(table.states[state], op.input, unknown[i] === 1 ? undefined : op.output);
          after = s === ILLEGAL ? -1 : table.intern(s);
          cacheFrom[slot] = state;
          cacheTo[slot] = after;
        }
        if (after >= 0) {
          const w = i >>> 5;
          const b = 1 << (i & 31);
          bits[w]! |= b;
          if (memo.add(setHash ^ zobrist[i]!, after, bits)) {
            setHash ^= zobrist[i]!;
            stackEntry[depth] = entry;
            stackState[depth] = state;
            depth++;
            state = after;
            // lift: take the call and its return out of the list
            const m = match[entry]!;
            next[prev[entry]!] = next[entry]!;
            prev[next[entry]!] = prev[entry]!;
            next[prev[m]!] = next[m]!;
            prev[next[m]!] = prev[m]!;
            if (unknown[i] === 0) remainingKnown--;
            entry = next[0]!;
            continue;
          }
          bits[w]! &= ~b;
          // Seen before, so it led nowhere: for a read-only operation nothing else can be tried here either.
          if (readOnly[i] === 0) {
            entry = next[entry]!;
            continue;
          }
        } else {
          entry = next[entry]!;
          continue;
        }
      }
      // A return whose call is still pending (or a read-only dead end): undo the last step, and keep undoing
      // while the undone operation was read-only (its siblings cannot do better, see the file's comment).
      // About to shorten the stack: remember it first if it is the longest yet (cheaper than at every push).
      if (depth > this.longestDepth) this.keepLongest(depth, state);
      let e = 0;
      let j = 0;
      do {
        if (depth === 0) {
          e = 0;
          break;
        }
        depth--;
        e = stackEntry[depth]!;
        state = stackState[depth]!;
        j = opOf[e]!;
        bits[j >>> 5]! &= ~(1 << (j & 31));
        setHash ^= zobrist[j]!;
        // unlift: put the call and its return back
        const m = match[e]!;
        prev[next[m]!] = m;
        next[prev[m]!] = m;
        prev[next[e]!] = e;
        next[prev[e]!] = e;
        if (unknown[j] === 0) remainingKnown++;
      } while (readOnly[j] === 1);
      if (e === 0) {
        status = "illegal";
        break;
      }
      entry = next[e]!;
    }
    this.steps += maxSteps - Math.max(left, 0);
    this.depth = depth;
    this.state = state;
    this.entry = entry;
    this.setHash = setHash;
    this.remainingKnown = remainingKnown;
    this.status = status;
    return status;
  }

  private keepLongest(depth: number, state: number): void {
    this.longestEntries.set(this.stackEntry.subarray(0, depth));
    this.longestStates.set(this.stackState.subarray(1, depth));
    this.longestStates[depth - 1] = state;
    this.longestDepth = depth;
  }

  /** The longest partial linearization built so far. */
  longest(): PartialLinearization {
    if (this.depth > this.longestDepth) this.keepLongest(this.depth, this.state);
    const d = Math.max(this.longestDepth, 0);
    const ops: number[] = [];
    const states: unknown[] = [];
    for (let k = 0; k < d; k++) {
      ops.push(this.ops[this.opOf[this.longestEntries[k]!]!]!.id);
      states.push(this.table.states[this.longestStates[k]!]);
    }
    return { ops, states };
  }
}

/** Searches one part (already partitioned) of a history to the end, or until the deadline or the signal. */
export function searchLinearization(model: AnyModel, ops: readonly Operation[], options: SearchOptions = {}): SearchResult {
  const search = new PartSearch(model, ops);
  let outcome: SearchOutcome | undefined;
  while (outcome === undefined) {
    if (options.signal?.aborted === true) outcome = "unknown";
    else if (options.deadline !== undefined && performance.now() > options.deadline) outcome = "unknown";
    else {
      const s = search.run(POLL);
      if (s !== "running") outcome = s;
    }
  }
  return { outcome, longest: search.longest(), steps: search.steps };
}
