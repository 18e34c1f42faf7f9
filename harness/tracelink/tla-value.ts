// TLA+ value strings as PGo's TraceLink writes them (testdata/tracelink/pgo holds real ones), parsed into a model that
// compares structurally: sets are unordered, records and functions compare by key, and — as in TLA+ — a tuple
// is the function 1..n -> items and a record the function from its field names, so `<<>>`, `[x \in {} |-> x]`
// and an empty record are one value.

export type TlaValue =
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "int"; readonly value: bigint }
  | { readonly kind: "bool"; readonly value: boolean }
  | { readonly kind: "seq"; readonly items: readonly TlaValue[] }
  | { readonly kind: "set"; readonly items: readonly TlaValue[] }
  | { readonly kind: "record"; readonly fields: ReadonlyMap<string, TlaValue> }
  | { readonly kind: "function"; readonly pairs: readonly (readonly [TlaValue, TlaValue])[] }
  /** `defaultInitValue` and other model values (bare identifiers). */
  | { readonly kind: "model"; readonly name: string };

export class TlaParseError extends Error {
  override name = "TlaParseError";
  readonly text: string;
  readonly position: number;
  constructor(text: string, position: number, expected: string) {
    const got = position >= text.length ? "the end" : JSON.stringify(text.slice(position, position + 12));
    super(`TLA+ value at offset ${position}: expected ${expected}, got ${got}`);
    this.text = text;
    this.position = position;
  }
}

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/y;
const INT = /-?[0-9]+/y;
const ESCAPES: Record<string, string> = { '"': '"', "\\": "\\", n: "\n", t: "\t", r: "\r", f: "\f" };

class Parser {
  pos = 0;
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }

  fail(expected: string): never {
    throw new TlaParseError(this.text, this.pos, expected);
  }
  skip(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }
  eat(token: string): boolean {
    this.skip();
    if (!this.text.startsWith(token, this.pos)) return false;
    this.pos += token.length;
    return true;
  }
  expect(token: string): void {
    if (!this.eat(token)) this.fail(`"${token}"`);
  }
  ident(): string | undefined {
    this.skip();
    IDENT.lastIndex = this.pos;
    const m = IDENT.exec(this.text);
    if (m === null) return undefined;
    this.pos += m[0].length;
    return m[0];
  }

  // expr := fn ("@@" fn)*  — `:>` binds tighter than `@@`, so `a :> 1 @@ b :> 2` is a two-entry function.
  expr(): TlaValue {
    const first = this.fn();
    if (!this.eat("@@")) return first;
    const pairs = [...asPairs(first, this)];
    do pairs.push(...asPairs(this.fn(), this));
    while (this.eat("@@"));
    return makeFunction(pairs);
  }
  fn(): TlaValue {
    const key = this.atom();
    if (!this.eat(":>")) return key;
    return { kind: "function", pairs: [[key, this.atom()]] };
  }
  list(close: string): TlaValue[] {
    const items: TlaValue[] = [];
    if (this.eat(close)) return items;
    do items.push(this.expr());
    while (this.eat(","));
    this.expect(close);
    return items;
  }
  atom(): TlaValue {
    this.skip();
    const c = this.text[this.pos];
    if (c === "(") {
      this.pos++;
      const v = this.expr();
      this.expect(")");
      return v;
    }
    if (this.eat("<<")) return { kind: "seq", items: this.list(">>") };
    if (c === "{") {
      this.pos++;
      return makeSet(this.list("}"));
    }
    if (c === "[") {
      this.pos++;
      return this.bracket();
    }
    if (c === '"') return { kind: "string", value: this.string() };
    INT.lastIndex = this.pos;
    const int = INT.exec(this.text);
    if (int !== null) {
      this.pos += int[0].length;
      return { kind: "int", value: BigInt(int[0]) };
    }
    const id = this.ident();
    if (id === "TRUE" || id === "FALSE") return { kind: "bool", value: id === "TRUE" };
    if (id !== undefined) return { kind: "model", name: id };
    return this.fail("a value (string, integer, TRUE/FALSE, <<...>>, {...}, [...], (...) or a model value)");
  }
  string(): string {
    let out = "";
    this.pos++; // the opening quote
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined) this.fail('a closing "');
      this.pos++;
      if (c === '"') return out;
      if (c !== "\\") {
        out += c;
        continue;
      }
      const e = ESCAPES[this.text[this.pos] ?? ""];
      if (e === undefined) this.fail('an escape (\\" \\\\ \\n \\t \\r \\f)');
      out += e;
      this.pos++;
    }
  }
  // After "[": a record `[a |-> 1, b |-> 2]` or a function constructor `[x \in S |-> x]`.
  bracket(): TlaValue {
    const start = this.pos;
    const first = this.ident();
    if (first === undefined) {
      if (this.eat("]")) return { kind: "record", fields: new Map() };
      return this.fail("a field name or a bound variable");
    }
    if (this.eat("\\in")) {
      const domain = this.expr();
      this.expect("|->");
      const bodyAt = this.pos;
      const body = this.ident();
      this.expect("]");
      if (domain.kind !== "set") {
        this.pos = start;
        return this.fail("a set as the domain of [x \\in S |-> ...]");
      }
      if (domain.items.length > 0 && body !== first) {
        this.pos = bodyAt;
        return this.fail(`the bound variable ${first} as the body (only [x \\in S |-> x] is supported)`);
      }
      return makeFunction(domain.items.map((x) => [x, x] as const));
    }
    const fields = new Map<string, TlaValue>();
    let name: string | undefined = first;
    for (;;) {
      this.expect("|->");
      if (fields.has(name)) this.fail(`a new field name, not a second "${name}"`);
      fields.set(name, this.expr());
      if (this.eat("]")) return { kind: "record", fields };
      this.expect(",");
      name = this.ident();
      if (name === undefined) this.fail("a field name");
    }
  }
}

function asPairs(v: TlaValue, p: Parser): (readonly [TlaValue, TlaValue])[] {
  if (v.kind === "function") return [...v.pairs];
  return p.fail('a function "k :> v" on each side of "@@"');
}

/** `f @@ g` keeps f's value for keys in both, as in TLA+. */
function makeFunction(pairs: readonly (readonly [TlaValue, TlaValue])[]): TlaValue {
  const seen = new Map<string, readonly [TlaValue, TlaValue]>();
  for (const pair of pairs) {
    const key = canonical(pair[0]);
    if (!seen.has(key)) seen.set(key, pair);
  }
  return { kind: "function", pairs: [...seen.values()] };
}

function makeSet(items: readonly TlaValue[]): TlaValue {
  const seen = new Map<string, TlaValue>();
  for (const item of items) seen.set(canonical(item), item);
  return { kind: "set", items: [...seen.values()] };
}

/** Parses a TLA+ value string; throws TlaParseError naming the offset and what was expected there. */
export function parseTlaValue(text: string): TlaValue {
  const p = new Parser(text);
  const v = p.expr();
  p.skip();
  if (p.pos !== text.length) p.fail('the end of the value (or "@@", ":>")');
  return v;
}

/**
 * A string equal for exactly the structurally equal values: sets sorted, and tuples, records and functions
 * all written as sorted key/value lists (TLA+ does not tell them apart by representation).
 */
export function canonical(v: TlaValue): string {
  if (v.kind === "string" || v.kind === "int" || v.kind === "bool" || v.kind === "model") return canonicalOf(v);
  // Values are immutable, so a composite's canonical form is computed once (the spec validator compares and
  // hashes the same states and messages many times).
  let c = canonicalMemo.get(v);
  if (c === undefined) {
    c = canonicalOf(v);
    canonicalMemo.set(v, c);
  }
  return c;
}
const canonicalMemo = new WeakMap<TlaValue, string>();

function canonicalOf(v: TlaValue): string {
  switch (v.kind) {
    case "string":
      return JSON.stringify(v.value);
    case "int":
      return v.value.toString();
    case "bool":
      return v.value ? "TRUE" : "FALSE";
    case "model":
      return `@${v.name}`;
    case "set":
      return `{${v.items.map(canonical).sort().join(",")}}`;
    case "seq":
      return `[${v.items.map((x, i) => `${i + 1}:${canonical(x)}`).sort().join(",")}]`;
    case "record":
      return `[${[...v.fields].map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).sort().join(",")}]`;
    case "function":
      return `[${v.pairs.map(([k, x]) => `${canonical(k)}:${canonical(x)}`).sort().join(",")}]`;
  }
}

export function tlaEquals(a: TlaValue, b: TlaValue): boolean {
  return canonical(a) === canonical(b);
}

// The checks compare the same texts again and again (a message against several reads, a label against the
// next section), so canonical forms of recent texts are cached; the cache is dropped when it grows large.
const CACHE_LIMIT = 4096;
let cache = new Map<string, string>();
function canonicalText(text: string): string {
  let c = cache.get(text);
  if (c === undefined) {
    c = canonical(parseTlaValue(text));
    if (cache.size >= CACHE_LIMIT) cache = new Map();
    cache.set(text, c);
  }
  return c;
}

/** Equality of two TLA+ value strings: equal text is equal; otherwise both are parsed and compared. */
export function tlaTextEquals(a: string, b: string): boolean {
  return a === b || canonicalText(a) === canonicalText(b);
}

/** Writes a value in TLC's syntax; parseTlaValue(formatTlaValue(v)) equals v. */
export function formatTlaValue(v: TlaValue): string {
  switch (v.kind) {
    case "string":
      return `"${v.value.replace(/[\\"\n\t\r\f]/g, (c) => `\\${{ "\\": "\\", '"': '"', "\n": "n", "\t": "t", "\r": "r", "\f": "f" }[c]}`)}"`;
    case "int":
      return v.value.toString();
    case "bool":
      return v.value ? "TRUE" : "FALSE";
    case "model":
      return v.name;
    case "set":
      return `{${v.items.map(formatTlaValue).join(", ")}}`;
    case "seq":
      return `<<${v.items.map(formatTlaValue).join(", ")}>>`;
    case "record":
      return v.fields.size === 0 ? "[x \\in {} |-> x]" : `[${[...v.fields].map(([k, x]) => `${k} |-> ${formatTlaValue(x)}`).join(", ")}]`;
    case "function":
      return v.pairs.length === 0
        ? "[x \\in {} |-> x]"
        : `(${v.pairs.map(([k, x]) => `(${formatTlaValue(k)}) :> (${formatTlaValue(x)})`).join(" @@ ")})`;
  }
}

// ---- fingerprints --------------------------------------------------------------------------------------------
// A 128-bit fingerprint per value (four 32-bit lanes), equal for the values `canonical` makes equal, as TLC keeps
// states by fingerprint. A set is the lane-wise sum of its mixed elements and a function (tuple, record) the
// sum of its mixed (key, value) pairs, so [f EXCEPT ![k] = v] has the fingerprint of f minus the old pair plus
// the new one: a step that changes one message of a large network costs O(1) here, not the network's size.

export type Fingerprint = readonly [number, number, number, number];

const C1 = 0x239b961b;
const C2 = 0xab0e9789;
const C3 = 0x38b34ae5;
const C4 = 0xa1e38b93;
const rotl = (x: number, r: number) => (x << r) | (x >>> (32 - r));
const fmix = (h: number) => {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
};

/** MurmurHash3 x86_128 over 32-bit words. */
function hashWords(words: readonly number[], seed: number): Fingerprint {
  let h1 = seed | 0;
  let h2 = seed ^ 0x5bd1e995;
  let h3 = seed ^ 0x1b873593;
  let h4 = seed ^ 0x7fb0ac4d;
  const n = words.length;
  for (let i = 0; i < n; i += 4) {
    let k1 = words[i]! | 0;
    let k2 = (words[i + 1] ?? 0) | 0;
    let k3 = (words[i + 2] ?? 0) | 0;
    let k4 = (words[i + 3] ?? 0) | 0;
    k1 = Math.imul(rotl(Math.imul(k1, C1), 15), C2);
    h1 ^= k1;
    h1 = (Math.imul(rotl(h1, 19) + h2, 5) + 0x561ccd1b) | 0;
    k2 = Math.imul(rotl(Math.imul(k2, C2), 16), C3);
    h2 ^= k2;
    h2 = (Math.imul(rotl(h2, 17) + h3, 5) + 0x0bcaa747) | 0;
    k3 = Math.imul(rotl(Math.imul(k3, C3), 17), C4);
    h3 ^= k3;
    h3 = (Math.imul(rotl(h3, 15) + h4, 5) + 0x96cd1c35) | 0;
    k4 = Math.imul(rotl(Math.imul(k4, C4), 18), C1);
    h4 ^= k4;
    h4 = (Math.imul(rotl(h4, 13) + h1, 5) + 0x32ac3b17) | 0;
  }
  h1 ^= n;
  h2 ^= n;
  h3 ^= n;
  h4 ^= n;
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  h1 = fmix(h1);
  h2 = fmix(h2);
  h3 = fmix(h3);
  h4 = fmix(h4);
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  return [h1, h2, h3, h4];
}

const SEED_STRING = 1;
const SEED_INT = 2;
const SEED_BOOL = 3;
const SEED_MODEL = 4;
const SEED_ELEMENT = 5;
const SEED_PAIR = 6;
// The empty set and the empty function differ; every composite is its tag plus its mixed parts.
const TAG_SET = hashWords([0x5e7], 7);
const TAG_FN = hashWords([0xf0], 8);

function hashString(s: string, seed: number): Fingerprint {
  const words: number[] = [];
  for (let i = 0; i < s.length; i += 2) words.push(s.charCodeAt(i) | (i + 1 < s.length ? s.charCodeAt(i + 1) << 16 : 0));
  // The length is a word of its own: "a" and "a\0" differ.
  words.push(s.length);
  return hashWords(words, seed);
}

const add = (a: Fingerprint, b: Fingerprint): Fingerprint => [(a[0] + b[0]) | 0, (a[1] + b[1]) | 0, (a[2] + b[2]) | 0, (a[3] + b[3]) | 0];
const sub = (a: Fingerprint, b: Fingerprint): Fingerprint => [(a[0] - b[0]) | 0, (a[1] - b[1]) | 0, (a[2] - b[2]) | 0, (a[3] - b[3]) | 0];
const mixElement = (x: Fingerprint): Fingerprint => hashWords(x, SEED_ELEMENT);
const mixPair = (k: Fingerprint, v: Fingerprint): Fingerprint => hashWords([k[0], k[1], k[2], k[3], v[0], v[1], v[2], v[3]], SEED_PAIR);

/**
 * A memo on value objects, kept in one non-enumerable slot per object (invisible to JSON and structural
 * comparison): much cheaper than a WeakMap holding millions of values, whose inserts cost more than what they
 * memoised. Each memo is a field of the slot, so an object is given its slot once.
 */
const SLOT = Symbol("memo");
type Slot = Record<string, unknown>;
export function hiddenMemo<T>(name: string): { get: (v: object) => T | undefined; set: (v: object, x: T) => void } {
  return {
    get: (v) => (v as { [SLOT]?: Slot })[SLOT]?.[name] as T | undefined,
    set: (v, x) => {
      let slot = (v as { [SLOT]?: Slot })[SLOT];
      if (slot === undefined) Object.defineProperty(v, SLOT, { value: (slot = {}) });
      if (slot[name] === undefined) slot[name] = x;
    },
  };
}
const fpMemo = hiddenMemo<Fingerprint>("fingerprint");
const fpKeyMemo = hiddenMemo<string>("fingerprintKey");
const intFps: Fingerprint[] = [];
const fieldFps = new Map<string, Fingerprint>();
const intFp = (n: bigint): Fingerprint => {
  if (n >= 0n && n < 1024n) return (intFps[Number(n)] ??= hashString(n.toString(), SEED_INT));
  return hashString(n.toString(), SEED_INT);
};
const fieldFp = (k: string): Fingerprint => {
  let f = fieldFps.get(k);
  if (f === undefined) {
    f = hashString(k, SEED_STRING);
    if (fieldFps.size < 100_000) fieldFps.set(k, f);
  }
  return f;
};

/** The value's fingerprint (memoised per value object: values are immutable). */
export function fingerprint(v: TlaValue): Fingerprint {
  switch (v.kind) {
    case "int":
      return intFp(v.value);
    case "bool":
      return v.value ? FP_TRUE : FP_FALSE;
    case "string":
      return fieldFp(v.value);
  }
  let f = fpMemo.get(v);
  if (f === undefined) {
    f = fingerprintOf(v);
    fpMemo.set(v, f);
  }
  return f;
}
const FP_TRUE = hashWords([1], SEED_BOOL);
const FP_FALSE = hashWords([0], SEED_BOOL);

function fingerprintOf(v: TlaValue): Fingerprint {
  let acc: Fingerprint;
  switch (v.kind) {
    case "model":
      return hashString(v.name, SEED_MODEL);
    case "set":
      acc = TAG_SET;
      for (const x of v.items) acc = add(acc, mixElement(fingerprint(x)));
      return acc;
    case "seq":
      acc = TAG_FN;
      for (let i = 0; i < v.items.length; i++) acc = add(acc, mixPair(intFp(BigInt(i + 1)), fingerprint(v.items[i]!)));
      return acc;
    case "record":
      acc = TAG_FN;
      for (const [k, x] of v.fields) acc = add(acc, mixPair(fieldFp(k), fingerprint(x)));
      return acc;
    case "function":
      acc = TAG_FN;
      for (const [k, x] of v.pairs) acc = add(acc, mixPair(fingerprint(k), fingerprint(x)));
      return acc;
    default:
      return fingerprint(v);
  }
}

/** The fingerprint if it is already known (computing one walks the whole value). */
export function knownFingerprint(v: TlaValue): Fingerprint | undefined {
  if (v.kind === "int" || v.kind === "bool" || v.kind === "string") return fingerprint(v);
  return fpMemo.get(v);
}

/**
 * Records the fingerprint of `out`, a function made from `f` by setting key k from `before` (undefined: k was
 * absent) to `after` (undefined: k is removed) — only when f's fingerprint is known (no full walk here).
 */
export function deriveFingerprint(out: TlaValue, f: TlaValue, k: TlaValue, before: TlaValue | undefined, after: TlaValue | undefined): void {
  const ff = fpMemo.get(f);
  if (ff === undefined) return;
  const fk = fingerprint(k);
  let acc = ff;
  if (before !== undefined) acc = sub(acc, mixPair(fk, fingerprint(before)));
  if (after !== undefined) acc = add(acc, mixPair(fk, fingerprint(after)));
  fpMemo.set(out, acc);
}

export const sameFingerprint = (a: Fingerprint, b: Fingerprint): boolean => a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3];

/** The fingerprint as a short string (a map key). */
export function fingerprintKey(v: TlaValue): string {
  if (v.kind === "int" || v.kind === "bool" || v.kind === "string") return keyOfFp(fingerprint(v));
  let k = fpKeyMemo.get(v);
  if (k === undefined) fpKeyMemo.set(v, (k = keyOfFp(fingerprint(v))));
  return k;
}
const keyOfFp = (f: Fingerprint) => `${f[0]},${f[1]},${f[2]},${f[3]}`;
