// A TLA+ module as PGo's specs write it: EXTENDS, CONSTANTS, VARIABLES and operator definitions. Each unit
// starts at column 0; a definition is parsed when first used, so a construct the evaluator never needs (a
// temporal property, a THEOREM) cannot make a spec unreadable.
import type { Def } from "./ast.ts";
import { SpecError, tokenize, type Token } from "./lexer.ts";
import { ExprParser } from "./parser.ts";

export interface TlaModule {
  readonly name: string;
  readonly file: string;
  readonly extends: readonly string[];
  readonly constants: readonly string[];
  readonly variables: readonly string[];
  /** Definitions by name; a later definition of the same name replaces an earlier one. */
  readonly defs: ReadonlyMap<string, LazyDef>;
}

export interface LazyDef {
  readonly name: string;
  readonly line: number;
  /** Parses on first call; throws SpecError naming file:line when the definition is not understood. */
  get(): Def;
}

export function parseModule(text: string, file: string): TlaModule {
  const toks = tokenize(text, file);
  let i = 0;
  const at = (t: Token) => `${file}:${t.line}`;
  // ---- MODULE name ----
  while (i < toks.length && !(toks[i]!.text === "MODULE" && toks[i]!.kind === "ident")) i++;
  if (i >= toks.length - 1) throw new SpecError(`${file}: expected "---- MODULE <name> ----"`);
  const name = toks[i + 1]!.text;
  i += 2;
  if (toks[i]?.text === "----") i++;
  const ext: string[] = [];
  const constants: string[] = [];
  const variables: string[] = [];
  const defs = new Map<string, LazyDef>();
  // Unit boundaries: tokens at column 0.
  const starts: number[] = [];
  let end = i;
  for (; end < toks.length; end++) {
    const t = toks[end]!;
    if (t.kind === "eof" || (t.text === "====" && t.kind === "op")) break;
    if (t.col === 0 && (t.kind === "ident" || t.text === "----")) starts.push(end);
  }
  if (starts.length === 0 || starts[0] !== i) starts.unshift(i);
  for (let u = 0; u < starts.length; u++) {
    const from = starts[u]!;
    const to = u + 1 < starts.length ? starts[u + 1]! : end;
    if (from >= to) continue;
    const first = toks[from]!;
    const slice = [...toks.slice(from, to), { kind: "eof", text: "", line: toks[to]!.line, col: -1 } as Token];
    const names = () => slice.filter((t, k) => k > 0 && t.kind === "ident").map((t) => t.text);
    switch (first.text) {
      case "----":
        continue;
      case "EXTENDS":
        ext.push(...names());
        continue;
      case "CONSTANT":
      case "CONSTANTS":
        // `CONSTANT F(_)` declares an operator constant; only plain names are supported (refused when used).
        constants.push(...names().filter((n) => n !== "_"));
        continue;
      case "VARIABLE":
      case "VARIABLES":
        variables.push(...names());
        continue;
      case "ASSUME":
      case "THEOREM":
      case "RECURSIVE":
        continue;
      case "LOCAL":
      case "INSTANCE":
        throw new SpecError(`${at(first)}: ${first.text} is not supported`);
    }
    if (first.kind !== "ident") throw new SpecError(`${at(first)}: expected a definition, got ${JSON.stringify(first.text)}`);
    let parsed: Def | undefined;
    const lazy: LazyDef = {
      name: first.text,
      line: first.line,
      get: () => {
        if (parsed !== undefined) return parsed;
        const p = new ExprParser(slice, file);
        const d = p.definition();
        if (p.peek().kind !== "eof") p.fail("the end of the definition");
        parsed = d;
        return d;
      },
    };
    defs.set(first.text, lazy);
  }
  return { name, file, extends: ext, constants, variables, defs };
}
