// The assertion catalog of a system, from its Go sources, before anything runs: what
// antithesis-go-instrumentor catalogs (scanners/assertions) for Antithesis — every call of the SDK's assert
// package, its kind and its place. It names the property tests, which Vitest needs before the run starts.
// A message built at run time ("raftkvs: "+prop) cannot be known here: its call site is one catalog entry,
// named with ‹expr› for the parts computed at run time, and matched to what the run asserts by file and line.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";

export type Kind = "Always" | "AlwaysOrUnreachable" | "Sometimes" | "Reachable" | "Unreachable";

export interface CatalogEntry {
  /** The message, or for a computed one its template ("raftkvs: ‹prop›"). */
  readonly name: string;
  /** False when the message is computed at run time. */
  readonly literal: boolean;
  readonly kind: Kind;
  /** The SDK function called, e.g. "AlwaysGreaterThan". */
  readonly form: string;
  /** Path inside its module, with forward slashes, e.g. "server/server.go". */
  readonly file: string;
  readonly module: string;
  readonly line: number;
  readonly function: string;
}

const ASSERT_PKG = "github.com/antithesishq/antithesis-sdk-go/assert";

/** Each SDK assertion function: its kind and which argument is the message. */
const FORMS: Readonly<Record<string, { kind: Kind; message: number }>> = {
  Always: { kind: "Always", message: 1 },
  AlwaysOrUnreachable: { kind: "AlwaysOrUnreachable", message: 1 },
  Sometimes: { kind: "Sometimes", message: 1 },
  Reachable: { kind: "Reachable", message: 0 },
  Unreachable: { kind: "Unreachable", message: 0 },
  AlwaysGreaterThan: { kind: "Always", message: 2 },
  AlwaysGreaterThanOrEqualTo: { kind: "Always", message: 2 },
  AlwaysLessThan: { kind: "Always", message: 2 },
  AlwaysLessThanOrEqualTo: { kind: "Always", message: 2 },
  SometimesGreaterThan: { kind: "Sometimes", message: 2 },
  SometimesGreaterThanOrEqualTo: { kind: "Sometimes", message: 2 },
  SometimesLessThan: { kind: "Sometimes", message: 2 },
  SometimesLessThanOrEqualTo: { kind: "Sometimes", message: 2 },
  AlwaysSome: { kind: "Always", message: 1 },
  SometimesAll: { kind: "Sometimes", message: 1 },
};

/** The kind an SDK record stands for (assert_type and must_hit, as Antithesis reads them). */
export function kindOf(assertType: string, mustHit: boolean): Kind {
  if (assertType === "sometimes") return "Sometimes";
  if (assertType === "reachability") return mustHit ? "Reachable" : "Unreachable";
  return mustHit ? "Always" : "AlwaysOrUnreachable";
}

/** Scans Go source text; `file` is its path inside the module. */
export function scanGoSource(text: string, file: string, module: string): CatalogEntry[] {
  const alias = assertAlias(text);
  if (alias === undefined) return [];
  const out: CatalogEntry[] = [];
  const code = blankComments(text);
  const call = new RegExp(`(?<![\\w.])${alias}\\.(\\w+)\\s*\\(`, "g");
  for (const m of code.matchAll(call)) {
    const form = FORMS[m[1]!];
    if (form === undefined) continue;
    const args = splitArgs(code, m.index + m[0].length);
    const expr = args[form.message];
    if (expr === undefined) continue;
    const message = messageOf(text.slice(expr.start, expr.end));
    out.push({
      name: message.text,
      literal: message.literal,
      kind: form.kind,
      form: m[1]!,
      file,
      module,
      line: lineAt(text, m.index),
      function: functionAt(code, m.index),
    });
  }
  return out;
}

/** Every .go file (tests included: `go test -c` binaries assert too) under each module directory. */
export function scanModules(modules: readonly { readonly name: string; readonly dir: string }[]): CatalogEntry[] {
  const out: CatalogEntry[] = [];
  for (const m of modules) {
    for (const path of goFiles(m.dir)) {
      out.push(...scanGoSource(readFileSync(path, "utf8"), relative(m.dir, path).split(sep).join("/"), m.name));
    }
  }
  return out;
}

function goFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith(".") || name === "vendor" || name === "testdata" || name === "node_modules") continue;
    const path = join(dir, name);
    const st = statSync(path);
    if (st.isDirectory()) out.push(...goFiles(path));
    else if (name.endsWith(".go")) out.push(path);
  }
  return out;
}

function assertAlias(text: string): string | undefined {
  const m = new RegExp(`(?:^|[\\s(])(?:(\\w+)\\s+)?"${ASSERT_PKG.replace(/[./]/g, "\\$&")}"`, "m").exec(text);
  if (m === null) return undefined;
  const alias = m[1];
  return alias === undefined || alias === "import" ? "assert" : alias === "_" ? undefined : alias;
}

/** The text with comments replaced by spaces (string literals kept), so offsets and lines stay the same. */
function blankComments(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; ) {
    const c = text[i]!;
    if (c === '"' || c === "`" || c === "'") {
      const end = literalEnd(text, i);
      out += text.slice(i, end);
      i = end;
    } else if (text.startsWith("//", i)) {
      const end = text.indexOf("\n", i);
      const stop = end < 0 ? text.length : end;
      out += " ".repeat(stop - i);
      i = stop;
    } else if (text.startsWith("/*", i)) {
      const end = text.indexOf("*/", i + 2);
      const stop = end < 0 ? text.length : end + 2;
      out += text.slice(i, stop).replace(/[^\n]/g, " ");
      i = stop;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Offset just past the string, raw string or rune literal starting at i. */
function literalEnd(text: string, i: number): number {
  const q = text[i]!;
  let j = i + 1;
  while (j < text.length && text[j] !== q) {
    if (q !== "`" && text[j] === "\\") j++;
    if (q !== "`" && text[j] === "\n") break;
    j++;
  }
  return j + 1;
}

/** The top-level arguments of a call whose "(" ends just before `from`. */
function splitArgs(code: string, from: number): { start: number; end: number }[] {
  const args: { start: number; end: number }[] = [];
  let depth = 0;
  let start = from;
  for (let i = from; i < code.length; i++) {
    const c = code[i]!;
    if (c === '"' || c === "`" || c === "'") {
      i = literalEnd(code, i) - 1;
    } else if (c === "(" || c === "[" || c === "{") {
      depth++;
    } else if (c === ")" || c === "]" || c === "}") {
      if (depth === 0) {
        if (code.slice(start, i).trim() !== "") args.push(trimmed(code, start, i));
        return args;
      }
      depth--;
    } else if (c === "," && depth === 0) {
      args.push(trimmed(code, start, i));
      start = i + 1;
    }
  }
  return args;
}

function trimmed(code: string, start: number, end: number): { start: number; end: number } {
  while (start < end && /\s/.test(code[start]!)) start++;
  while (end > start && /\s/.test(code[end - 1]!)) end--;
  return { start, end };
}

/** A message expression: string literals joined by +, other operands shown as ‹expr›. */
function messageOf(expr: string): { text: string; literal: boolean } {
  const parts: string[] = [];
  let literal = true;
  let depth = 0;
  let start = 0;
  const operands: string[] = [];
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i]!;
    if (c === '"' || c === "`" || c === "'") i = literalEnd(expr, i) - 1;
    else if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") depth--;
    else if (c === "+" && depth === 0) {
      operands.push(expr.slice(start, i).trim());
      start = i + 1;
    }
  }
  operands.push(expr.slice(start).trim());
  for (const op of operands) {
    const s = stringLiteral(op);
    if (s !== undefined) parts.push(s);
    else {
      literal = false;
      parts.push(`‹${op.replace(/\s+/g, " ")}›`);
    }
  }
  return { text: parts.join(""), literal };
}

function stringLiteral(op: string): string | undefined {
  if (op.length >= 2 && op.startsWith("`") && op.endsWith("`")) return op.slice(1, -1);
  if (op.length >= 2 && op.startsWith('"') && op.endsWith('"') && literalEnd(op, 0) === op.length) {
    try {
      return JSON.parse(op.replace(/\\x([0-9a-fA-F]{2})/g, "\\u00$1")) as string;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** The name of the top-level function declared last before `offset` ("(*T).m" style for methods: "T.m"). */
function functionAt(code: string, offset: number): string {
  let name = "";
  for (const m of code.slice(0, offset).matchAll(/^func\s+(?:\(\s*\w*\s*\*?\s*(\w+)[^)]*\)\s*)?(\w+)/gm)) {
    name = m[1] !== undefined ? `${m[1]}.${m[2]}` : m[2]!;
  }
  return name;
}
