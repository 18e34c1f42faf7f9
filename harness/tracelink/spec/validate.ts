// Validates a TraceLink run against its MPCal spec with the semantics of PGo's `tracegen` + TLC:
//
// - A state is the spec's variables plus how many records of each instance are consumed. The initial state is
//   the spec's Init with nothing consumed.
// - An instance's next record can be taken when its clock allows (its own entry is one more than consumed,
//   every other entry at most what is consumed). Taking it runs the record's elements in order from the
//   current state: `pc[self]` must be the record's label; a read of a local/global must equal the state; a
//   write replaces it (an `oldValue` must equal what is overwritten); a read/write of a mapped resource runs
//   the mapping macro's read/write body, with `yield` of a read compared with the recorded value. A committed
//   record's final state is the successor; an aborted record's elements must still run, but the state stays.
// - Every transition must be a step of the spec (`__IsRefinement == [][Next \/ __Stuttering]_vars`): either
//   the spec's Next holds between the two states, or the variables are unchanged.
// - With `progressInv` (tracegen's default) every reachable state must let each ready record be taken
//   (`__progress_inv_<self>`); a state other than the end where no record can be taken is a deadlock.
// - With `allPaths` (tracegen's default) every reachable state is explored and must satisfy the above; with
//   `--noall-paths` TLC stops at the first state where all records are consumed.
//
// The exploration memoises (consumed counts, variables); it stops with `unknown` when the state budget runs out.
import { basename } from "node:path";
import { canonical, fingerprintKey, parseTlaValue, type TlaValue } from "../tla-value.ts";
import type { TraceRecord } from "../record.ts";
import type { Expr } from "./ast.ts";
import { Evaluator, type EvalCtx, type State } from "./eval.ts";
import { type IncarnatedInstance, isRestart, restartStep, withRestarts } from "./incarnations.ts";
import type { Stmt } from "./mpcal.ts";
import type { SpecModel, SpecVar } from "./spec-model.ts";
import { apply, eq, EvalError, normalize, show, str, tryApply, Unsupported, update } from "./values.ts";

export interface TraceEntry {
  readonly file: string;
  readonly line: number;
  readonly record: TraceRecord;
  /** The record's incarnation (its file's place among its instance's files, from 0); absent: 0. */
  readonly incarnation?: number;
}

export interface ValidateOptions {
  readonly allPaths?: boolean;
  readonly progressInv?: boolean;
  /** Distinct states explored before the answer is `unknown` (default 200,000). */
  readonly maxStates?: number;
  readonly signal?: AbortSignal;
  /** Wall-clock budget in ms: the search is synchronous, so a signal cannot stop it; this can (`unknown`). */
  readonly timeoutMs?: number;
}

export type Verdict =
  | { readonly verdict: "ok"; readonly states: number; readonly records: number }
  | { readonly verdict: "violation"; readonly states: number; readonly records: number; readonly explanation: string }
  | { readonly verdict: "unknown"; readonly states: number; readonly records: number; readonly reason: string };

/** An instance's records in order; `deps` per record: clock entries on other instances as (instance index, count). */
type Instance = IncarnatedInstance<TraceEntry>;

/** Why a record could not be taken from a state: the element and what the spec wanted there. */
interface Refusal {
  readonly element: number | undefined;
  readonly message: string;
}

type StepResult = { readonly ok: true; readonly finals: readonly State[]; readonly foreign?: ReadonlySet<State> } | { readonly ok: false; readonly refusal: Refusal };

/** Thrown where tracegen itself would refuse the run (an element it cannot map); a violation, not a guess. */
class Refused extends Error {}

export function validateRun(spec: SpecModel, entries: readonly TraceEntry[], opts: ValidateOptions = {}): Verdict {
  const records = entries.length;
  // Restarted processes: the design's Restart(n) is taken between a node's incarnations (incarnations.ts).
  const planned = withRestarts(spec, groupInstances(entries));
  if (typeof planned === "string") return { verdict: "violation", states: 0, records, explanation: planned };
  let shapes: Shapes;
  try {
    shapes = shapesOf(spec, entries);
  } catch (e) {
    if (e instanceof Refused) return { verdict: "violation", states: 0, records, explanation: `tracegen refuses the run: ${e.message}` };
    throw e;
  }
  return new Search(spec, planned, shapes, records, opts).run();
}

/** A state of the search: what each instance has consumed, and (until it is expanded) the variables. */
interface Node {
  readonly consumed: Int32Array;
  /** Released (undefined) once the node is expanded: the parent chain is only walked for `via`. */
  state: State | undefined;
  /** Parent and the record taken to get here (for explanations). */
  readonly parent: Node | undefined;
  readonly via: TraceEntry | undefined;
  /** Per instance: its ready record's step from this state (undefined: not ready). */
  steps: readonly (StepResult | undefined)[] | undefined;
}

/** A state on the search's current path, being expanded child by child. */
interface Frame {
  readonly node: Node;
  /** Kept in every CHECKPOINT-th frame and the top one; others are recomputed from one when backtracked into. */
  state: State | undefined;
  /** The new successors, as (instance, index among that step's final states). */
  readonly children: readonly (readonly [number, number])[];
  next: number;
  /** The last recomputed step (instance and its final states), reused for its next child. */
  cached: { readonly i: number; readonly finals: readonly State[] } | undefined;
  /** The new successors as generated by the expansion (dropped once the search descends below this frame). */
  pending: readonly (Node | undefined)[] | undefined;
}

/**
 * A path of thousands of states, each with its own copy of a large network bag, does not fit in the heap:
 * frames between checkpoints give their state up when the search descends, and get it back by replaying the
 * choices from the checkpoint above them (rare: only when the search backtracks into them).
 */
const CHECKPOINT = 64;

/** The exploration: depth-first over (consumed, variables), as TLC's --dfs. */
class Search {
  private readonly spec: SpecModel;
  private readonly ev: Evaluator;
  private readonly instances: readonly Instance[];
  private readonly n: number;
  private readonly shapes: Shapes;
  private readonly records: number;
  private readonly opts: ValidateOptions;
  private readonly allPaths: boolean;
  private readonly progressInv: boolean;
  private readonly maxStates: number;
  // A state's key: the consumed counts and, per variable, the number of its value's 128-bit fingerprint, as TLC
  // keeps states (values unchanged by a step keep their object and its memoised fingerprint; a changed one's is
  // updated per EXCEPT, so a network of thousands of messages is not walked, let alone written out, per step).
  private readonly interned = new Map<string, number>();
  private readonly varNames: readonly string[];
  private readonly seen = new Set<string>();

  constructor(spec: SpecModel, instances: readonly Instance[], shapes: Shapes, records: number, opts: ValidateOptions) {
    this.spec = spec;
    this.ev = spec.evaluator;
    this.instances = instances;
    this.n = instances.length;
    this.shapes = shapes;
    this.records = records;
    this.opts = opts;
    this.allPaths = opts.allPaths ?? true;
    this.progressInv = opts.progressInv ?? true;
    this.maxStates = opts.maxStates ?? 200_000;
    this.varNames = Object.keys(spec.init).sort();
  }

  private keyOf(c: Int32Array, s: State): string {
    let k = c.join(",");
    for (const name of this.varNames) {
      const v = s[name]!;
      const form = fingerprintKey(v);
      let id = this.interned.get(form);
      if (id === undefined) this.interned.set(form, (id = this.interned.size));
      k += `|${id}`;
    }
    return k;
  }

  private ready(consumed: Int32Array, i: number): boolean {
    const inst = this.instances[i]!;
    const k = consumed[i]!;
    if (k >= inst.entries.length) return false;
    for (const [j, c] of inst.deps[k]!) if (j < 0 || consumed[j]! < c) return false;
    return true;
  }

  private isDone(c: Int32Array): boolean {
    for (let i = 0; i < this.n; i++) if (c[i]! < this.instances[i]!.entries.length) return false;
    return true;
  }

  private violation(explanation: string): Verdict {
    return { verdict: "violation", states: this.seen.size, records: this.records, explanation };
  }

  /**
   * As TLC: a new state is checked when it is generated — each ready record's step is computed then (the
   * progress invariant). The steps are kept until the state is expanded, which for the state the search
   * descends into comes right after; only the top frame's other new successors are held (not one per state on
   * the path: a long run under faults, whose network bags hold thousands of lost messages, otherwise exhausted
   * the heap), and they are generated again if the search backtracks into them.
   */
  private generate(consumed: Int32Array, state: State, parent: Node | undefined, via: TraceEntry | undefined): Node | string {
    const steps: (StepResult | undefined)[] = [];
    const node: Node = { consumed, state, parent, via, steps };
    for (let i = 0; i < this.n; i++) {
      if (!this.ready(consumed, i)) continue;
      const inst = this.instances[i]!;
      const entry = inst.entries[consumed[i]!]!;
      let result: StepResult;
      try {
        result = step(this.spec, this.ev, this.shapes, inst, entry, state);
      } catch (e) {
        if (e instanceof Refused) return `${where(entry)}: tracegen refuses this record: ${e.message}`;
        if (e instanceof Unsupported) throw e;
        if (e instanceof EvalError) return `${describe(entry)}\n  evaluating the spec failed (TLC stops with an error here): ${e.message}\n  ${pathOf(node)}`;
        throw e;
      }
      if (!result.ok && this.progressInv) return explainRefusal(this.spec, entry, result.refusal, state, pathOf(node));
      steps[i] = result;
    }
    return node;
  }

  private successors(node: Node, state: State, i: number): { finals: readonly State[]; foreign: ReadonlySet<State> | undefined } {
    const inst = this.instances[i]!;
    // Computed before, when the state was generated, so it cannot fail now.
    const r = step(this.spec, this.ev, this.shapes, inst, inst.entries[node.consumed[i]!]!, state);
    if (!r.ok) throw new Error("internal: a step that could be taken when its state was generated cannot be taken now");
    return { finals: r.finals, foreign: r.foreign };
  }

  /**
   * Expands a node: a frame, or the verdict the expansion reaches (a violation, or done). Expanding a state
   * generates every successor and checks it, as TLC does (the invariants when a state is generated, then the
   * step's action property), but keeps only which successors were new: one is computed again when the search
   * descends into it. So only the states on the current path are held.
   */
  private expand(node: Node): Frame | Verdict {
    const { spec, ev, seen } = this;
    const state = node.state!;
    const steps = node.steps!;
    // Only `via` and `consumed` of a node are read again once it is expanded (explanations walk the parents).
    node.state = undefined;
    node.steps = undefined;
    const children: [number, number][] = [];
    const pending: Node[] = [];
    let anyReady = false;
    for (let i = 0; i < this.n; i++) {
      const r = steps[i];
      if (r === undefined || !r.ok) continue;
      anyReady = true;
      const inst = this.instances[i]!;
      const entry = inst.entries[node.consumed[i]!]!;
      const { finals, foreign } = r;
      for (const [j, s2] of finals.entries()) {
        const consumed = node.consumed.slice();
        consumed[i]!++;
        const k = this.keyOf(consumed, s2);
        let isNew: Node | undefined;
        if (!seen.has(k)) {
          seen.add(k);
          if (seen.size > this.maxStates) return { verdict: "unknown", states: seen.size, records: this.records, reason: `more than ${this.maxStates} distinct states (raise the budget)` };
          const child = this.generate(consumed, s2, node, entry);
          if (typeof child === "string") return this.violation(child);
          isNew = child;
        }
        if (!entry.record.isAbort && !isRestart(entry) && !sameState(state, s2)) {
          let refines: boolean;
          try {
            refines = labelActionHolds(spec, entry, inst.self, state, s2) || ev.holds(nextFormula(spec), { state, next: s2, memo: new Map() });
          } catch (e) {
            if (e instanceof Unsupported) throw e;
            if (e instanceof EvalError) return this.violation(`${describe(entry)}\n  evaluating the spec's Next failed (TLC stops with an error here): ${e.message}\n  ${pathOf(node)}`);
            throw e;
          }
          if (!refines) return this.violation(explainRefinement(spec, entry, state, s2, pathOf(node), foreign?.has(s2) === true));
        }
        // With --noall-paths TLC stops at the first state where every record is consumed.
        if (isNew !== undefined && !this.allPaths && this.isDone(consumed)) return { verdict: "ok", states: seen.size, records: this.records };
        if (isNew !== undefined) {
          children.push([i, j]);
          pending.push(isNew);
        }
      }
    }
    if (!anyReady && !this.isDone(node.consumed)) return this.violation(`deadlock: no record can be taken, ${pathOf(node)}; frontier:\n${this.frontier(node).join("\n")}`);
    return { node, state, children, next: 0, cached: undefined, pending };
  }

  /** What each unfinished instance's next record waits for (a deadlock's explanation). */
  private frontier(node: Node): string[] {
    const { instances } = this;
    return instances
      .map((inst, i) => {
        const k = node.consumed[i]!;
        if (k >= inst.entries.length) return undefined;
        const waits = inst.deps[k]!
          .filter(([j, c]) => j < 0 || node.consumed[j]! < c)
          .map(([j, c]) => (j === i ? "its own clock entry to be the next count" : j < 0 ? `an instance with no trace (#${c})` : `${instances[j]!.key} #${c} (consumed ${node.consumed[j]})`));
        return `  ${where(inst.entries[k]!)} waits for ${waits.join(", ")}`;
      })
      .filter((x) => x !== undefined);
  }

  /** A frame's state, replayed from the checkpoint above it when it gave it up. */
  private stateOf(frames: readonly Frame[], at: number): State {
    const f = frames[at]!;
    if (f.state !== undefined) return f.state;
    let a = at - 1;
    while (frames[a]!.state === undefined) a--;
    let s = frames[a]!.state!;
    for (let t = a; t < at; t++) {
      const [i, j] = frames[t]!.children[frames[t]!.next - 1]!;
      s = this.successors(frames[t]!.node, s, i).finals[j]!;
    }
    f.state = s;
    return s;
  }

  run(): Verdict {
    const { opts, seen, records } = this;
    const first = this.generate(new Int32Array(this.n), this.spec.init, undefined, undefined);
    if (typeof first === "string") return { verdict: "violation", states: 1, records, explanation: first };
    seen.add(this.keyOf(first.consumed, first.state!));
    if (this.isDone(first.consumed) && !this.allPaths) return { verdict: "ok", states: seen.size, records };
    const root = this.expand(first);
    if (!("node" in root)) return root;
    const frames: Frame[] = [root];
    const deadline = opts.timeoutMs === undefined ? Infinity : performance.now() + opts.timeoutMs;
    let tick = 0;
    while (frames.length > 0) {
      if (opts.signal?.aborted === true) return { verdict: "unknown", states: seen.size, records, reason: "aborted" };
      if ((++tick & 63) === 0 && performance.now() > deadline) return { verdict: "unknown", states: seen.size, records, reason: `the time budget (${Math.round(opts.timeoutMs! / 1000)} s) ran out` };
      const top = frames.length - 1;
      const f = frames[top]!;
      if (f.next >= f.children.length) {
        frames.pop();
        continue;
      }
      const at = f.next++;
      const [i, j] = f.children[at]!;
      let child = f.pending?.[at];
      f.pending = undefined;
      if (child === undefined) {
        if (f.cached?.i !== i) f.cached = { i, finals: this.successors(f.node, this.stateOf(frames, top), i).finals };
        const s2 = f.cached.finals[j]!;
        f.cached = undefined;
        const consumed = f.node.consumed.slice();
        consumed[i]!++;
        const again = this.generate(consumed, s2, f.node, this.instances[i]!.entries[f.node.consumed[i]!]!);
        if (typeof again === "string") return this.violation(again);
        child = again;
      }
      if (top % CHECKPOINT !== 0) f.state = undefined;
      const opened = this.expand(child);
      if (!("node" in opened)) return opened;
      frames.push(opened);
    }
    return { verdict: "ok", states: seen.size, records };
  }
}

/** Where a state was reached: the last records taken to get there. */
function pathOf(node: Node | undefined): string {
  const out: string[] = [];
  for (let x: Node | undefined = node; x?.via !== undefined && out.length < 6; x = x.parent) out.push(`${x.via.file}:${x.via.line}`);
  return out.length === 0 ? "(the initial state)" : `after ${out.reverse().join(", ")}${out.length === 6 ? " (last 6)" : ""}`;
}

function where(e: TraceEntry): string {
  return `${e.file}:${e.line}`;
}

function describe(e: TraceEntry): string {
  const r = e.record;
  const label = r.csElements[0]?.value ?? "?";
  const els = r.csElements.slice(1).map((x) => `${x.tag} ${x.name.name}${x.indices.map((i) => `[${i}]`).join("")} = ${x.value}${x.oldValue !== undefined ? ` (was ${x.oldValue})` : ""}`);
  return `${where(e)}: ${r.archetypeName} self ${r.self} at ${label}${r.isAbort ? " (aborted)" : ""}: ${els.join("; ")}`;
}

function sameState(a: State, b: State): boolean {
  for (const k of Object.keys(a)) if (!eq(a[k]!, b[k]!)) return false;
  return true;
}

const nextCache = new WeakMap<SpecModel, Expr>();
function nextFormula(spec: SpecModel): Expr {
  let e = nextCache.get(spec);
  if (e === undefined) {
    const d = spec.module.defs.get("Next");
    if (d === undefined) throw new EvalError(`${spec.file}: no Next`);
    e = d.get().body;
    nextCache.set(spec, e);
  }
  return e;
}

/**
 * The translation's action for the record's label, `label(self)`, is a disjunct of Next for that self; when it
 * holds, so does Next (a cheap first try; when it does not, Next is evaluated in full).
 */
function labelActionHolds(spec: SpecModel, entry: TraceEntry, self: TlaValue, s: State, s2: State): boolean {
  const label = labelOf(entry.record.csElements[0]!.value);
  const d = spec.module.defs.get(label);
  if (d === undefined) return false;
  let def;
  try {
    def = d.get();
  } catch {
    return false;
  }
  if (def.params.length !== 1 || def.params[0]!.arity !== 0 || def.fnBinds !== undefined) return false;
  type Scope = Parameters<Evaluator["ev"]>[2];
  return spec.evaluator.holds(def.body, { state: s, next: s2, memo: new Map() }, { name: def.params[0]!.name, value: self, lazy: undefined, parent: undefined } as Scope);
}

function groupInstances(entries: readonly TraceEntry[]): Instance[] {
  // tracegen keys records and clocks by the self value alone (the archetype name is not part of the key).
  const byKey = new Map<string, TraceEntry[]>();
  for (const e of entries) {
    const key = canonical(parseTlaValue(e.record.self));
    let list = byKey.get(key);
    if (list === undefined) byKey.set(key, (list = []));
    list.push(e);
  }
  const keys = [...byKey.keys()].sort();
  const index = new Map(keys.map((k, i) => [k, i]));
  return keys.map((key, me) => {
    const list = byKey.get(key)!;
    const first = list[0]!.record;
    const deps = list.map((e, k) => {
      const clock = new Map<number, number>();
      for (const [[, s], c] of e.record.clock) clock.set(index.get(canonical(parseTlaValue(s))) ?? -1 - clock.size, c);
      // The own entry must be exactly the next count; a missing or wrong one makes the record never ready.
      const out: [number, number][] = [[me, clock.get(me) === k + 1 ? k : Number.MAX_SAFE_INTEGER]];
      for (const [j, c] of clock) if (j !== me && c > 0) out.push([j, c]);
      return out;
    });
    return { self: normalize(parseTlaValue(first.self)), selfText: first.self, key: `${first.archetypeName}:${first.self}`, entries: list, deps };
  });
}

// ---- one record as one step ---------------------------------------------------------------------------------

// Records repeat the same value texts (messages, labels, indices): each text is parsed once.
const parseCache = new Map<string, TlaValue>();
export function parsed(text: string): TlaValue {
  let v = parseCache.get(text);
  if (v === undefined) {
    if (parseCache.size > 100_000) parseCache.clear();
    v = normalize(parseTlaValue(text));
    parseCache.set(text, v);
  }
  return v;
}

function labelOf(v: string): string {
  const s = v.replace(/^"|"$/g, "");
  const parts = s.split(".");
  if (parts.length < 2) throw new Refused(`couldn't auto split ${s}`);
  return parts[parts.length - 1]!;
}

// tracegen writes one TLA+ action per distinct *shape* of record (label, abort flag, and per element: name,
// tag, number of indices, the literal label of a .pc element, whether an oldValue is checked) and lets any
// record be taken by any action whose label, length, abort flag and element names match: the values come from
// the record, the tags and .pc labels from the shape. So a record can also be taken "as" a sibling record
// (e.g. a loop head that once went on to its body and once to Done), which TLC then explores.
interface ShapeElement {
  readonly name: string;
  readonly v: SpecVar;
  readonly tag: "read" | "write";
  readonly indices: number;
  readonly pcLabel: string | undefined;
  readonly hasOld: boolean;
}
interface Shape {
  readonly key: string;
  readonly els: readonly ShapeElement[];
}
type Shapes = ReadonlyMap<string, readonly Shape[]>;

function matchKey(r: TraceRecord): string {
  return `${labelOf(r.csElements[0]!.value)}|${r.isAbort}|${r.csElements.map((e) => (e.name.name === ".pc" ? ".pc" : `${r.archetypeName}.${e.name.name}`)).join(",")}`;
}

function shapeOf(spec: SpecModel, e: TraceEntry): Shape {
  const r = e.record;
  const els = r.csElements.slice(1).map((el): ShapeElement => {
    const name = el.name.name === ".pc" ? ".pc" : `${r.archetypeName}.${el.name.name}`;
    const v = spec.vars.get(name);
    if (v === undefined) throw new Refused(`${where(e)}: key not found: ${name} (the spec has no such variable for this archetype)`);
    return {
      name,
      v,
      tag: el.tag,
      indices: el.indices.length,
      pcLabel: name === ".pc" ? labelOf(el.value) : undefined,
      hasOld: el.oldValue !== undefined && el.oldValue !== "defaultInitValue" && name !== ".pc",
    };
  });
  return { key: `${matchKey(r)}|${els.map((x) => `${x.tag}:${x.indices}:${x.pcLabel ?? ""}:${x.hasOld}`).join(",")}`, els };
}

/** Every record's shape, grouped by what a record must match to be taken by it; Refused as tracegen refuses. */
export function shapesOf(spec: SpecModel, entries: readonly TraceEntry[]): Shapes {
  const out = new Map<string, Shape[]>();
  const seen = new Set<string>();
  for (const e of entries) {
    if (e.record.csElements[0]!.name.name !== ".pc") throw new Refused(`${where(e)}: the first element is not a read of .pc`);
    const sh = shapeOf(spec, e);
    if (seen.has(sh.key)) continue;
    seen.add(sh.key);
    const k = matchKey(e.record);
    let list = out.get(k);
    if (list === undefined) out.set(k, (list = []));
    list.push(sh);
  }
  return out;
}

/** What a record's steps need, computed once per record (a record is stepped from many states). */
interface Prepared {
  readonly label: string;
  readonly match: string;
  readonly own: string;
  readonly values: readonly (TlaValue | undefined)[];
  readonly indices: readonly (readonly TlaValue[])[];
  readonly old: readonly (TlaValue | undefined)[];
}
const preparedMemo = new WeakMap<TraceEntry, Prepared>();
function prepare(spec: SpecModel, entry: TraceEntry): Prepared {
  let p = preparedMemo.get(entry);
  if (p !== undefined) return p;
  const els = entry.record.csElements;
  p = {
    label: labelOf(els[0]!.value),
    match: matchKey(entry.record),
    own: shapeOf(spec, entry).key,
    values: els.map((el) => (el.name.name === ".pc" ? undefined : parsed(el.value))),
    indices: els.map((el) => el.indices.map(parsed)),
    old: els.map((el) => (el.oldValue === undefined || el.oldValue === "defaultInitValue" || el.name.name === ".pc" ? undefined : parsed(el.oldValue))),
  };
  preparedMemo.set(entry, p);
  return p;
}

function step(spec: SpecModel, ev: Evaluator, shapes: Shapes, inst: Instance, entry: TraceEntry, state: State): StepResult {
  if (isRestart(entry)) return restartStep(spec, entry, state);
  const r = entry.record;
  const els = r.csElements;
  const prep = prepare(spec, entry);
  const label = prep.label;
  const self = inst.self;
  const ctx0: EvalCtx = { state, next: undefined, memo: new Map() };
  const pc = tryApply(state.pc!, self);
  if (pc === undefined) throw new EvalError(`pc has no entry for self ${inst.selfText}`);
  if (!eq(pc, str(label))) return { ok: false, refusal: { element: 0, message: `pc[${inst.selfText}] is ${show(pc)}, the record is at "${label}"` } };
  const finals: State[] = [];
  const foreign = new Set<State>();
  let firstRefusal: Refusal | undefined;
  const own = prep.own;
  // Messages are built only for the refusal that is reported (formatting values is costly on large states).
  let reporting = false;
  const refuse = (element: number, message: () => string) => {
    if (reporting && firstRefusal === undefined) firstRefusal = { element, message: message() };
  };
  const found = shapes.get(prep.match) ?? [];
  const candidates = found.length === 1 ? found : [...found].sort((a, b) => (a.key === own ? -1 : b.key === own ? 1 : 0));
  for (const shape of candidates) {
    reporting = shape.key === own;
    const run = (k: number, s: State): void => {
      if (k === els.length) {
        const f = r.isAbort ? state : s;
        finals.push(f);
        if (shape.key !== own) foreign.add(f);
        return;
      }
      const el = els[k]!;
      const sh = shape.els[k - 1]!;
      const v = sh.v;
      const value = sh.pcLabel !== undefined ? str(sh.pcLabel) : prep.values[k] ?? parsed(el.value);
      if (el.indices.length < sh.indices) throw new EvalError(`${where(entry)}: element ${k} has ${el.indices.length} indices where a record of the same shape has ${sh.indices}`);
      const all = prep.indices[k]!;
      const indices = all.length === sh.indices ? all : all.slice(0, sh.indices);
      if (v.kind === "mapping") {
        runMacro(spec, ev, ctx0, v, sh.tag === "read", self, indices, value, s, (s2) => run(k + 1, s2), (msg) => refuse(k, msg));
        return;
      }
      const path = v.kind === "local" ? [self, ...pathKey(indices)] : pathKey(indices);
      const cur = getPath(s[v.tlaVar]!, path);
      if (sh.tag === "read") {
        if (cur === undefined) throw new EvalError(`${where(entry)}: ${v.tlaVar}${fmtPath(path)} does not exist`);
        if (!eq(cur, value)) return refuse(k, () => `the read of ${el.name.name} gives ${show(value)}, the state has ${v.tlaVar}${fmtPath(path)} = ${show(cur)}`);
        run(k + 1, s);
        return;
      }
      const old = prep.old[k];
      if (sh.hasOld && old !== undefined && sh.name !== ".pc") {
        if (cur === undefined) throw new EvalError(`${where(entry)}: ${v.tlaVar}${fmtPath(path)} does not exist`);
        if (!eq(cur, old)) return refuse(k, () => `the write of ${el.name.name} says it overwrote ${show(old)}, the state has ${v.tlaVar}${fmtPath(path)} = ${show(cur)}`);
      }
      run(k + 1, withVar(s, v.tlaVar, setPath(s[v.tlaVar]!, path, value)));
    };
    run(1, state);
  }
  if (finals.length === 0) return { ok: false, refusal: firstRefusal ?? { element: undefined, message: "no way to take the record" } };
  if (finals.length === 1) return { ok: true, finals, foreign };
  // Distinct finals only (a handful: one per shape and choice).
  const uniq: State[] = [];
  for (const f of finals) if (!uniq.some((u) => sameState(u, f))) uniq.push(f);
  return { ok: true, finals: uniq, foreign };
}

/** s with one variable replaced (a copy with the same keys keeps V8's fast object layout, unlike a computed key). */
function withVar(s: State, name: string, value: TlaValue): State {
  const out: Record<string, TlaValue> = { ...s };
  out[name] = value;
  return out;
}

/** `x[a, b]` in TLA+ is x[<<a, b>>]: tracegen writes all indices in one application. */
function pathKey(indices: readonly TlaValue[]): TlaValue[] {
  if (indices.length === 0) return [];
  if (indices.length === 1) return [indices[0]!];
  return [{ kind: "seq", items: indices }];
}

function fmtPath(path: readonly TlaValue[]): string {
  return path.map((p) => `[${show(p)}]`).join("");
}

function getPath(v: TlaValue, path: readonly TlaValue[]): TlaValue | undefined {
  let x: TlaValue | undefined = v;
  for (const p of path) {
    if (x === undefined) return undefined;
    if (x.kind !== "seq" && x.kind !== "record" && x.kind !== "function") return undefined;
    x = tryApply(x, p);
  }
  return x;
}

function setPath(v: TlaValue, path: readonly TlaValue[], value: TlaValue): TlaValue {
  if (path.length === 0) return value;
  const inner = tryApply(v, path[0]!);
  if (inner === undefined) return v; // EXCEPT outside the domain leaves the function unchanged
  return update(v, path[0]!, setPath(inner, path.slice(1), value));
}

/** Runs a mapping macro's read or write body (as tracegen's `<prefix>_read/_write` operators do). */
function runMacro(
  spec: SpecModel,
  ev: Evaluator,
  ctx0: EvalCtx,
  v: SpecVar & { kind: "mapping" },
  isRead: boolean,
  self: TlaValue,
  indices: readonly TlaValue[],
  value: TlaValue,
  s0: State,
  rest: (s: State) => void,
  refuse: (msg: () => string) => void,
): void {
  if (indices.length < v.mappingCount) throw new EvalError(`${v.prefix}: the record gives ${indices.length} indices, the mapping has ${v.mappingCount}`);
  const idx = indices.slice(0, v.mappingCount);
  const body = isRead ? v.macro.read : v.macro.write;
  type Scope = Parameters<Evaluator["ev"]>[2];
  const bind = (scope: Scope, name: string, x: TlaValue): Scope => ({ name, value: x, lazy: undefined, parent: scope }) as Scope;
  const ctxFor = (s: State): EvalCtx => ({
    state: ctx0.state,
    next: undefined,
    memo: ctx0.memo,
    dollar: {
      variable: () => {
        let x = s[v.stateVar]!;
        for (const i of idx) x = apply(x, i);
        return x;
      },
      value: isRead ? undefined : value,
    },
  });
  const assign = (s: State, path: readonly TlaValue[], x: TlaValue): State => {
    const full = [...idx, ...path];
    return withVar(s, v.stateVar, setPathChained(s[v.stateVar]!, full, x));
  };
  const exec = (stmts: readonly Stmt[], i: number, s: State, scope: Scope, k: (s: State, scope: Scope) => void): void => {
    if (i === stmts.length) return k(s, scope);
    const st = stmts[i]!;
    const ctx = ctxFor(s);
    const go = (s2: State, sc: Scope) => exec(stmts, i + 1, s2, sc, k);
    switch (st.s) {
      case "await":
        if (!ev.holds(st.e, ctx, scope)) return refuse(() => `${v.macro.name}.${isRead ? "read" : "write"} for ${v.prefix}: await at ${spec.file}:${st.line} is false`);
        return go(s, scope);
      case "assert":
        if (!ev.holds(st.e, ctx, scope)) throw new EvalError(`assertion failed at ${spec.file}:${st.line}`);
        return go(s, scope);
      case "print":
      case "skip":
        return go(s, scope);
      case "yield": {
        const y = ev.val(st.e, ctx, scope);
        if (isRead) {
          if (!eq(y, value)) return refuse(() => `the read of ${v.prefix.replace("_", ".")}${idx.map((x) => `[${show(x)}]`).join("")} is recorded as ${show(value)}, the spec's ${v.macro.name} read yields ${show(y)}`);
          return go(s, scope);
        }
        return go(assign(s, [], y), scope);
      }
      case "assign": {
        let s2 = s;
        for (const p of st.pairs) {
          if (p.lhs.base !== "$variable") throw new Unsupported(`${spec.file}:${st.line}: assignment to ${p.lhs.base} in a mapping macro is not supported`);
          const path = p.lhs.path.map((x) => (x.k === "fld" ? str(x.name) : x.args.length === 1 ? ev.val(x.args[0]!, ctx, scope) : ({ kind: "seq", items: x.args.map((a) => ev.val(a, ctx, scope)) } as TlaValue)));
          s2 = assign(s2, path, ev.val(p.rhs, ctx, scope));
        }
        return go(s2, scope);
      }
      case "if":
        return exec(ev.holds(st.c, ctx, scope) ? st.yes : st.no, 0, s, scope, go);
      case "either":
        for (const c of st.cases) exec(c, 0, s, scope, go);
        return;
      case "with": {
        const bindAll = (j: number, sc: Scope): void => {
          if (j === st.binds.length) return exec(st.body, 0, s, sc, go);
          const b = st.binds[j]!;
          if (b.eq !== undefined) return bindAll(j + 1, bind(sc, b.name, ev.val(b.eq, ctx, sc)));
          const set = ev.ev(b.set!, ctx, sc);
          // `with (x \in S) { ...; yield x }` in a read: only x = the recorded value can pass the yield, so
          // that is the only one tried (S may be large, e.g. every request a client could make).
          const last = st.body[st.body.length - 1];
          if (isRead && j === st.binds.length - 1 && last?.s === "yield" && last.e.t === "id" && last.e.name === b.name && last.e.args === undefined && !yieldsInside(st.body.slice(0, -1))) {
            if (!ev.member(value, set)) return refuse(() => `the read of ${v.prefix.replace("_", ".")} is recorded as ${show(value)}, which the spec's ${v.macro.name} read cannot yield`);
            return bindAll(j + 1, bind(sc, b.name, value));
          }
          for (const x of ev.elements(set)) bindAll(j + 1, bind(sc, b.name, x));
        };
        return bindAll(0, scope);
      }
    }
  };
  exec(body, 0, s0, bind(undefined, "self", self), (s) => rest(s));
}

function yieldsInside(stmts: readonly Stmt[]): boolean {
  return stmts.some((st) => st.s === "yield" || (st.s === "with" && yieldsInside(st.body)) || (st.s === "if" && (yieldsInside(st.yes) || yieldsInside(st.no))) || (st.s === "either" && st.cases.some(yieldsInside)));
}

/** Chained application x[i0][i1]… (mapping macro indices are separate applications). */
function setPathChained(v: TlaValue, path: readonly TlaValue[], value: TlaValue): TlaValue {
  return setPath(v, path, value);
}

// ---- explanations ------------------------------------------------------------------------------------------

function stateLines(spec: SpecModel, s: State, only?: ReadonlySet<string>): string {
  return Object.keys(s)
    .filter((k) => only === undefined || only.has(k))
    .map((k) => `    ${k} = ${show(s[k]!)}`)
    .join("\n");
}

function touchedVars(spec: SpecModel, entry: TraceEntry): Set<string> {
  const out = new Set<string>(["pc"]);
  for (const el of entry.record.csElements) {
    const v = spec.vars.get(el.name.name === ".pc" ? ".pc" : `${entry.record.archetypeName}.${el.name.name}`);
    if (v !== undefined) out.add(v.kind === "mapping" ? v.stateVar : v.tlaVar);
  }
  return out;
}

function explainRefusal(spec: SpecModel, entry: TraceEntry, refusal: Refusal, s: State, path: string): string {
  const el = refusal.element === undefined ? undefined : entry.record.csElements[refusal.element];
  return [
    `a record its clock allows cannot be taken (TLC: Invariant __progress_inv is violated): ${describe(entry)}`,
    `  ${el === undefined ? "" : `element ${refusal.element} (${el.tag} ${el.name.name}): `}${refusal.message}`,
    `  from the state reached ${path}:`,
    stateLines(spec, s, touchedVars(spec, entry)),
  ].join("\n");
}

function explainRefinement(spec: SpecModel, entry: TraceEntry, s: State, s2: State, path: string, foreign: boolean): string {
  const changed = Object.keys(s).filter((k) => !eq(s[k]!, s2[k]!));
  const writers = entry.record.csElements
    .slice(1)
    .filter((el) => {
      const v = spec.vars.get(`${entry.record.archetypeName}.${el.name.name}`);
      return el.tag === "write" && v !== undefined && changed.includes(v.kind === "mapping" ? v.stateVar : v.tlaVar) && el.name.name !== ".pc";
    })
    .map((el) => `${el.name.name}${el.indices.map((i) => `[${i}]`).join("")} := ${el.value}`);
  const label = labelOf(entry.record.csElements[0]!.value);
  const hint = failingConjunct(spec, label, entry, s, s2);
  return [
    `the step is not one the spec allows (TLC: Action property __IsRefinement is violated): ${describe(entry)}`,
    ...(foreign
      ? [`  (taken as another record of the same label and elements: tracegen lets a record be taken by any such record's action, with that record's tags and .pc target; here pc becomes ${show(tryApply(s2.pc!, parseTlaValue(entry.record.self)) ?? str("?"))})`]
      : []),
    `  the record's writes ${writers.length > 0 ? writers.join(", ") : "(none but .pc)"} change ${changed.join(", ")}; the spec's action ${label}(self) does not allow that${hint}`,
    `  from the state reached ${path}:`,
    stateLines(spec, s, new Set(changed)),
    `  to:`,
    stateLines(spec, s2, new Set(changed)),
  ].join("\n");
}

/** The first conjunct of the label's action that is false for this step, as "file:line: text (x' is …)". */
function failingConjunct(spec: SpecModel, label: string, entry: TraceEntry, s: State, s2: State): string {
  const d = spec.module.defs.get(label);
  if (d === undefined) return "";
  let def;
  try {
    def = d.get();
  } catch {
    return "";
  }
  if (def.params.length !== 1) return "";
  const ev = spec.evaluator;
  const ctx: EvalCtx = { state: s, next: s2, memo: new Map() };
  type Scope = Parameters<Evaluator["ev"]>[2];
  const self = parseTlaValue(entry.record.self);
  let found: string | undefined;
  const walk = (e: Expr, scope: Scope): boolean => {
    if (e.t === "and") {
      for (const x of e.items) if (!walk(x, scope)) return false;
      return true;
    }
    if (e.t === "if") {
      let c: boolean;
      try {
        c = ev.holds(e.c, ctx, scope);
      } catch {
        return walk(e.c, scope);
      }
      return walk(c ? e.a : e.b, scope);
    }
    if (e.t === "let") {
      let sc = scope;
      for (const dd of e.defs) sc = ev.bindDef(dd, ctx, sc);
      return walk(e.body, sc);
    }
    let ok: boolean;
    try {
      ok = ev.holds(e, ctx, scope);
    } catch (err) {
      found = `${(err as Error).message}`;
      return false;
    }
    if (!ok && found === undefined) {
      const line = "line" in e ? (e as { line: number }).line : undefined;
      let detail = "";
      if (e.t === "bin" && e.op === "=" && e.l.t === "prime" && e.l.e.t === "id") {
        try {
          detail = ` (the spec's value is ${show(ev.val(e.r, ctx, scope))}, the record makes it ${show(ev.val(e.l, ctx, scope))})`;
        } catch {
          detail = "";
        }
      }
      found = line === undefined ? `a conjunct of ${label} is false${detail}` : `${basename(spec.file)}:${line}: ${spec.lines[line - 1]!.trim()}${detail}`;
    }
    return ok;
  };
  walk(def.body, { name: def.params[0]!.name, value: self, lazy: undefined, parent: undefined } as Scope);
  return found === undefined ? "" : `\n  first false conjunct: ${found}`;
}

export { canonical };
