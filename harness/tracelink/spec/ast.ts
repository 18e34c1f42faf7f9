// The TLA+ expression tree the parser builds and the evaluator walks. `line` is kept where an evaluation error
// needs to say where it happened.

export interface Bound {
  readonly names: readonly string[];
  /** The set the names range over; undefined for the unbounded `\E x : P` (which the evaluator refuses). */
  readonly set: Expr | undefined;
}

export type PathStep = { readonly k: "idx"; readonly args: readonly Expr[] } | { readonly k: "fld"; readonly name: string };

export type Expr =
  | { readonly t: "num"; readonly v: bigint }
  | { readonly t: "str"; readonly v: string }
  | { readonly t: "bool"; readonly v: boolean }
  | { readonly t: "id"; readonly name: string; readonly args: readonly Expr[] | undefined; readonly line: number }
  | { readonly t: "dollar"; readonly name: "variable" | "value" }
  | { readonly t: "at" }
  | { readonly t: "prime"; readonly e: Expr }
  | { readonly t: "app"; readonly f: Expr; readonly args: readonly Expr[]; readonly line: number }
  | { readonly t: "dot"; readonly e: Expr; readonly field: string; readonly line: number }
  | { readonly t: "bin"; readonly op: string; readonly l: Expr; readonly r: Expr; readonly line: number }
  | { readonly t: "un"; readonly op: string; readonly e: Expr; readonly line: number }
  | { readonly t: "and" | "or"; readonly items: readonly Expr[] }
  | { readonly t: "quant"; readonly q: "A" | "E"; readonly binds: readonly Bound[]; readonly body: Expr; readonly line: number }
  | { readonly t: "choose"; readonly name: string; readonly set: Expr | undefined; readonly body: Expr; readonly line: number }
  | { readonly t: "setEnum" | "tuple"; readonly items: readonly Expr[] }
  | { readonly t: "setFilter"; readonly name: string; readonly set: Expr; readonly pred: Expr }
  | { readonly t: "setMap"; readonly e: Expr; readonly binds: readonly Bound[] }
  | { readonly t: "fnCtor"; readonly binds: readonly Bound[]; readonly body: Expr }
  | { readonly t: "rec" | "recSet"; readonly fields: readonly (readonly [string, Expr])[] }
  | { readonly t: "fnSet"; readonly dom: Expr; readonly rng: Expr }
  | { readonly t: "cross"; readonly items: readonly Expr[] }
  | { readonly t: "except"; readonly f: Expr; readonly updates: readonly (readonly [readonly PathStep[], Expr])[]; readonly line: number }
  | { readonly t: "if"; readonly c: Expr; readonly a: Expr; readonly b: Expr }
  | { readonly t: "case"; readonly arms: readonly (readonly [Expr, Expr])[]; readonly other: Expr | undefined; readonly line: number }
  | { readonly t: "let"; readonly defs: readonly Def[]; readonly body: Expr }
  | { readonly t: "lambda"; readonly params: readonly string[]; readonly body: Expr }
  /** Temporal formulas (`[]`, `<>`, `WF_`, `[A]_v`, `~>`): parsed so a module reads, refused if evaluated. */
  | { readonly t: "temporal"; readonly what: string; readonly line: number };

export interface Param {
  readonly name: string;
  /** 0 for an ordinary parameter, n for an operator parameter `F(_, _)`. */
  readonly arity: number;
}

export interface Def {
  readonly name: string;
  readonly params: readonly Param[];
  /** `f[x \in S] == e` defines a (possibly recursive) function. */
  readonly fnBinds: readonly Bound[] | undefined;
  readonly body: Expr;
  readonly line: number;
}
