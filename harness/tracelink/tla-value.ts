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
