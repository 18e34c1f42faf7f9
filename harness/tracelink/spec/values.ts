// Operations of TLA+ on the TraceLink value model (../tla-value.ts): the evaluator builds and takes apart the
// same values the traces carry, so a recorded value and a computed one compare by fingerprint (`fingerprintKey`:
// sets, function domains and equality of differently represented values are keyed by it, as TLC's are).
// A tuple, a record and a function are one kind of thing in TLA+; the helpers accept each wherever TLA+ does.
import { canonical, deriveFingerprint, fingerprint, fingerprintKey, formatTlaValue, hiddenMemo, knownFingerprint, sameFingerprint, type TlaValue } from "../tla-value.ts";

/** A value the evaluator cannot handle here (a type error, a key outside a domain); TLC would stop too. */
export class EvalError extends Error {
  override name = "EvalError";
}

/** A construct this evaluator does not support (TLC might): the run cannot be judged here — never a verdict. */
export class Unsupported extends EvalError {
  override name = "Unsupported";
}

export const TRUE: TlaValue = { kind: "bool", value: true };
export const FALSE: TlaValue = { kind: "bool", value: false };
export const bool = (b: boolean): TlaValue => (b ? TRUE : FALSE);
export const int = (n: bigint): TlaValue => ({ kind: "int", value: n });
export const str = (s: string): TlaValue => ({ kind: "string", value: s });
export const EMPTY_SEQ: TlaValue = { kind: "seq", items: [] };

export const show = (v: TlaValue): string => {
  const s = formatTlaValue(v);
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
};

/** TLA+ equality; structural with fast paths, fingerprints where representations differ. */
export function eq(a: TlaValue, b: TlaValue): boolean {
  if (a === b) return true;
  // Known fingerprints decide (as the state set does): comparing two large networks is then O(1).
  if (a.kind !== "int" && a.kind !== "string" && a.kind !== "bool") {
    const fa = knownFingerprint(a);
    const fb = fa === undefined ? undefined : knownFingerprint(b);
    if (fb !== undefined) return sameFingerprint(fa!, fb);
  }
  switch (a.kind) {
    case "int":
      return b.kind === "int" && a.value === b.value;
    case "string":
      return b.kind === "string" && a.value === b.value;
    case "bool":
      return b.kind === "bool" && a.value === b.value;
    case "model":
      return b.kind === "model" && a.name === b.name;
    case "set":
      return b.kind === "set" && a.items.length === b.items.length && a.items.every((x) => setHas(b, x));
    case "seq":
      if (b.kind === "seq") return a.items.length === b.items.length && a.items.every((x, i) => eq(x, b.items[i]!));
      break;
    case "record":
      if (b.kind === "record") {
        if (a.fields.size !== b.fields.size) return false;
        for (const [k, x] of a.fields) {
          const y = b.fields.get(k);
          if (y === undefined || !eq(x, y)) return false;
        }
        return true;
      }
      break;
    case "function":
      if (b.kind === "function") {
        if (a.pairs.length !== b.pairs.length) return false;
        for (const [k, x] of a.pairs) {
          const y = tryApply(b, k);
          if (y === undefined || !eq(x, y)) return false;
        }
        return true;
      }
      break;
  }
  const composite = (k: string) => k === "seq" || k === "record" || k === "function";
  if (!composite(a.kind) || !composite(b.kind)) return false;
  return sameFingerprint(fingerprint(a), fingerprint(b));
}

export function makeSet(items: readonly TlaValue[]): TlaValue {
  const seen = new Map<string, TlaValue>();
  for (const x of items) {
    const k = fingerprintKey(x);
    if (!seen.has(k)) seen.set(k, x);
  }
  const out: TlaValue = { kind: "set", items: [...seen.values()] };
  memberMemo.set(out, new Set(seen.keys()));
  return out;
}

const memberMemo = hiddenMemo<Set<string>>("members");
export function setHas(s: TlaValue & { kind: "set" }, x: TlaValue): boolean {
  let m = memberMemo.get(s);
  if (m === undefined) {
    m = new Set(s.items.map(fingerprintKey));
    memberMemo.set(s, m);
  }
  return m.has(fingerprintKey(x));
}

/** A function from pairs; keys 1..n make a tuple and all-string keys a record, as TLC prints them. */
export function makeFunction(pairs: readonly (readonly [TlaValue, TlaValue])[]): TlaValue {
  if (pairs.length === 0) return EMPTY_SEQ;
  if (pairs.every(([k]) => k.kind === "string")) return { kind: "record", fields: new Map(pairs.map(([k, v]) => [(k as { value: string }).value, v])) };
  if (pairs.every(([k], i) => k.kind === "int" && k.value === BigInt(i + 1))) return { kind: "seq", items: pairs.map(([, v]) => v) };
  const dedup = new Map<string, readonly [TlaValue, TlaValue]>();
  for (const p of pairs) dedup.set(fingerprintKey(p[0]), p);
  return { kind: "function", pairs: [...dedup.values()] };
}

/**
 * The representation the evaluator builds for a value (records for string-keyed functions, tuples for 1..n),
 * so trace values and computed values compare on the fast path of `eq`.
 */
export function normalize(v: TlaValue): TlaValue {
  switch (v.kind) {
    case "set":
      return makeSet(v.items.map(normalize));
    case "seq":
      return { kind: "seq", items: v.items.map(normalize) };
    case "record":
      return { kind: "record", fields: new Map([...v.fields].map(([k, x]) => [k, normalize(x)])) };
    case "function":
      return makeFunction(v.pairs.map(([k, x]) => [normalize(k), normalize(x)] as const));
    default:
      return v;
  }
}

// A function's keys by fingerprint -> position in `pairs`. EXCEPT keeps the keys and their positions, so the
// updated function shares its original's index; adding a key (a send into a bag) or removing one (a receive)
// makes a layer over the original's index instead of a copy, flattened again once layers pile up.
type FnIndex =
  | { readonly map: Map<string, number> }
  | { readonly parent: FnIndex; readonly depth: number; readonly added: string; readonly pos: number }
  | { readonly parent: FnIndex; readonly depth: number; readonly removed: number };
const MAX_INDEX_DEPTH = 16;
const indexMemo = hiddenMemo<FnIndex>("index");
function fnIndex(f: TlaValue & { kind: "function" }): FnIndex {
  let m = indexMemo.get(f);
  if (m === undefined) {
    m = { map: new Map(f.pairs.map(([k], i) => [fingerprintKey(k), i])) };
    indexMemo.set(f, m);
  }
  return m;
}
function indexLookup(ix: FnIndex, k: string): number | undefined {
  if ("map" in ix) return ix.map.get(k);
  if ("added" in ix) return ix.added === k ? ix.pos : indexLookup(ix.parent, k);
  const p = indexLookup(ix.parent, k);
  return p === undefined || p === ix.removed ? undefined : p > ix.removed ? p - 1 : p;
}
const depthOf = (ix: FnIndex) => ("map" in ix ? 0 : ix.depth);
/** The position of key k in f; a small function without an index is searched instead of indexed. */
function position(f: TlaValue & { kind: "function" }, k: string): number | undefined {
  const ix = indexMemo.get(f);
  if (ix === undefined && f.pairs.length <= 8) {
    for (let i = 0; i < f.pairs.length; i++) if (fingerprintKey(f.pairs[i]![0]) === k) return i;
    return undefined;
  }
  return indexLookup(ix ?? fnIndex(f), k);
}
const fnLookup = (f: TlaValue & { kind: "function" }) => ({
  get: (k: string): TlaValue | undefined => {
    const i = position(f, k);
    return i === undefined ? undefined : f.pairs[i]![1];
  },
  has: (k: string): boolean => position(f, k) !== undefined,
});

/** f[x], or undefined when x is not in DOMAIN f; EvalError when f is not a function. */
export function tryApply(f: TlaValue, x: TlaValue): TlaValue | undefined {
  switch (f.kind) {
    case "seq":
      if (x.kind !== "int") return undefined;
      return f.items[Number(x.value) - 1];
    case "record":
      return x.kind === "string" ? f.fields.get(x.value) : undefined;
    case "function":
      return fnLookup(f).get(fingerprintKey(x));
    default:
      throw new EvalError(`${show(f)} is not a function, so it cannot be applied to ${show(x)}`);
  }
}

export function apply(f: TlaValue, x: TlaValue): TlaValue {
  const v = tryApply(f, x);
  if (v === undefined) throw new EvalError(`${show(x)} is not in the domain of ${show(f)}`);
  return v;
}

export function domain(f: TlaValue): TlaValue {
  switch (f.kind) {
    case "seq":
      return makeSet(f.items.map((_, i) => int(BigInt(i + 1))));
    case "record":
      return makeSet([...f.fields.keys()].map(str));
    case "function":
      return makeSet(f.pairs.map(([k]) => k));
    default:
      throw new EvalError(`DOMAIN of ${show(f)}, which is not a function`);
  }
}

export function pairsOf(f: TlaValue): (readonly [TlaValue, TlaValue])[] {
  switch (f.kind) {
    case "seq":
      return f.items.map((v, i) => [int(BigInt(i + 1)), v] as const);
    case "record":
      return [...f.fields].map(([k, v]) => [str(k), v] as const);
    case "function":
      return [...f.pairs];
    default:
      throw new EvalError(`${show(f)} is not a function`);
  }
}

/** [f EXCEPT ![x] = v]; x must be in DOMAIN f (TLC: the EXCEPT leaves f unchanged otherwise — we refuse). */
export function update(f: TlaValue, x: TlaValue, v: TlaValue): TlaValue {
  switch (f.kind) {
    case "seq": {
      const i = x.kind === "int" ? Number(x.value) - 1 : -1;
      if (i < 0 || i >= f.items.length) break;
      const items = f.items.slice();
      items[i] = v;
      const out: TlaValue = { kind: "seq", items };
      deriveFingerprint(out, f, x, f.items[i], v);
      return out;
    }
    case "record": {
      if (x.kind !== "string" || !f.fields.has(x.value)) break;
      const fields = new Map(f.fields);
      fields.set(x.value, v);
      const out: TlaValue = { kind: "record", fields };
      deriveFingerprint(out, f, x, f.fields.get(x.value), v);
      return out;
    }
    case "function": {
      const index = fnIndex(f);
      const i = indexLookup(index, fingerprintKey(x));
      if (i === undefined) break;
      const pairs = f.pairs.slice();
      pairs[i] = [f.pairs[i]![0], v];
      const out: TlaValue = { kind: "function", pairs };
      indexMemo.set(out, index);
      deriveFingerprint(out, f, x, f.pairs[i]![1], v);
      return out;
    }
    default:
      throw new EvalError(`EXCEPT on ${show(f)}, which is not a function`);
  }
  // TLA+: [f EXCEPT ![x] = v] with x outside DOMAIN f equals f.
  return f;
}

/**
 * f with x mapped to v, x added (at the end) when it is not in DOMAIN f: what a bag's (+) with one element does,
 * without rebuilding the bag.
 */
export function extend(f: TlaValue, x: TlaValue, v: TlaValue): TlaValue {
  if (tryApply(f, x) !== undefined) return update(f, x, v);
  if (f.kind !== "function" || x.kind === "string" || x.kind === "int") return makeFunction([...pairsOf(f), [x, v]]);
  const pairs = [...f.pairs, [x, v] as const];
  const out: TlaValue = { kind: "function", pairs };
  const index = indexMemo.get(f);
  if (index !== undefined && depthOf(index) < MAX_INDEX_DEPTH) indexMemo.set(out, { parent: index, depth: depthOf(index) + 1, added: fingerprintKey(x), pos: f.pairs.length });
  deriveFingerprint(out, f, x, undefined, v);
  return out;
}

/** f without x in its domain (the order of the other keys kept): a bag's (-) taking an element's last copy. */
export function without(f: TlaValue, x: TlaValue): TlaValue {
  const old = tryApply(f, x);
  if (old === undefined) return f;
  if (f.kind !== "function") return makeFunction(pairsOf(f).filter(([k]) => !eq(k, x)));
  const index = fnIndex(f);
  const i = indexLookup(index, fingerprintKey(x))!;
  const pairs = [...f.pairs.slice(0, i), ...f.pairs.slice(i + 1)];
  // What is left may be a tuple or a record (as makeFunction represents it).
  if (pairs.every(([k]) => k.kind === "string") || pairs.every(([k], i) => k.kind === "int" && k.value === BigInt(i + 1))) return makeFunction(pairs);
  const out: TlaValue = { kind: "function", pairs };
  if (depthOf(index) < MAX_INDEX_DEPTH) indexMemo.set(out, { parent: index, depth: depthOf(index) + 1, removed: i });
  deriveFingerprint(out, f, x, old, undefined);
  return out;
}

export function asSeq(v: TlaValue, what: string): readonly TlaValue[] {
  if (v.kind === "seq") return v.items;
  if (v.kind === "record" && v.fields.size === 0) return [];
  if (v.kind === "function") {
    const m = fnLookup(v);
    const items: TlaValue[] = [];
    for (let i = 1; i <= v.pairs.length; i++) {
      const x = m.get(fingerprintKey(int(BigInt(i))));
      if (x === undefined) throw new EvalError(`${what}: ${show(v)} is not a sequence`);
      items.push(x);
    }
    return items;
  }
  throw new EvalError(`${what}: ${show(v)} is not a sequence`);
}

export function asInt(v: TlaValue, what: string): bigint {
  if (v.kind !== "int") throw new EvalError(`${what}: ${show(v)} is not an integer`);
  return v.value;
}

export function asBool(v: TlaValue, what: string): boolean {
  if (v.kind !== "bool") throw new EvalError(`${what}: ${show(v)} is not a Boolean`);
  return v.value;
}

/** TLC's order for CHOOSE and enumeration: integers by value, then strings, then everything else by form. */
export function compareValues(a: TlaValue, b: TlaValue): number {
  if (a.kind === "int" && b.kind === "int") return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  if (a.kind === "string" && b.kind === "string") return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  const ca = canonical(a);
  const cb = canonical(b);
  return ca < cb ? -1 : ca > cb ? 1 : 0;
}
