// An evaluator for the TLA+ of PGo's specs, on the TraceLink value model. Actions are evaluated as predicates
// over a known pair of states (the validator always knows both: it computes the successor from the record), so
// `x' = e` is a comparison and no assignment semantics are needed.
import { canonical, type TlaValue } from "../tla-value.ts";
import type { Bound, Def, Expr } from "./ast.ts";
import type { TlaModule } from "./module.ts";
import { SpecError } from "./lexer.ts";
import {
  Unsupported, apply, asBool, asInt, asSeq, bool, compareValues, domain, EMPTY_SEQ, eq, EvalError, FALSE, int, makeFunction, makeSet,
  pairsOf, setHas, show, str, TRUE, tryApply, update, extend, without,
} from "./values.ts";

/** An operator passed as an argument (`F(_)` parameters, LAMBDA). */
export interface Closure {
  readonly kind: "closure";
  readonly arity: number;
  readonly call: (args: readonly Val[]) => Val;
}

/** A set TLC does not enumerate (Nat, STRING, Seq(S), [S -> T], SUBSET S): membership only, or lazily. */
export interface LazySet {
  readonly kind: "lazyset";
  readonly desc: string;
  readonly has: (v: TlaValue) => boolean;
  readonly items: (() => readonly TlaValue[]) | undefined;
}

export type Val = TlaValue | Closure | LazySet;

export type State = Readonly<Record<string, TlaValue>>;

/** A local scope: a persistent list, so closures keep the scope they were made in. */
interface Scope {
  readonly name: string;
  value: Val | undefined;
  /** Lazy LET definition of arity 0 (evaluated once, on first use). */
  readonly lazy: (() => Val) | undefined;
  readonly parent: Scope | undefined;
}

export interface EvalCtx {
  readonly state: State;
  /** The successor state, when an action is evaluated. */
  readonly next: State | undefined;
  /** Memo of zero-arity module definitions for this (state, next) pair. */
  readonly memo: Map<string, Val>;
  /** `$variable` / `$value` inside a mapping macro body. */
  readonly dollar?: { readonly variable: () => TlaValue; readonly value: TlaValue | undefined };
}

export class Evaluator {
  readonly module: TlaModule;
  readonly constants: ReadonlyMap<string, Val>;
  readonly variables: ReadonlySet<string>;
  constructor(module: TlaModule, constants: ReadonlyMap<string, Val>) {
    this.module = module;
    this.constants = constants;
    this.variables = new Set(module.variables);
  }

  err(line: number | undefined, msg: string): never {
    throw new EvalError(line === undefined ? msg : `${this.module.file}:${line}: ${msg}`);
  }

  /** What TLC could evaluate but this evaluator cannot: no verdict may rest on it. */
  unsupported(line: number | undefined, msg: string): never {
    throw new Unsupported(line === undefined ? msg : `${this.module.file}:${line}: ${msg}`);
  }

  value(v: Val, what: string, line?: number): TlaValue {
    if (v.kind === "closure") this.err(line, `${what} is an operator, not a value`);
    if (v.kind === "lazyset") {
      if (v.items === undefined) this.unsupported(line, `${what} is the infinite set ${v.desc}`);
      return makeSet(v.items());
    }
    return v;
  }

  /** Evaluates a Boolean formula. */
  holds(e: Expr, ctx: EvalCtx, scope?: Scope): boolean {
    switch (e.t) {
      case "and":
        for (const x of e.items) if (!this.holds(x, ctx, scope)) return false;
        return true;
      case "or":
        for (const x of e.items) if (this.holds(x, ctx, scope)) return true;
        return false;
    }
    return asBool(this.val(e, ctx, scope), "a condition");
  }

  val(e: Expr, ctx: EvalCtx, scope?: Scope): TlaValue {
    return this.value(this.ev(e, ctx, scope), "an expression", "line" in e ? (e as { line: number }).line : undefined);
  }

  /** Elements of a finite set (lazy sets enumerated when they can be). */
  elements(v: Val, line?: number): readonly TlaValue[] {
    if (v.kind === "set") return v.items;
    if (v.kind === "lazyset") {
      if (v.items === undefined) this.unsupported(line, `cannot enumerate ${v.desc}`);
      return v.items();
    }
    return this.err(line, `${v.kind === "closure" ? "an operator" : show(v)} is not a set`);
  }

  member(x: TlaValue, s: Val, line?: number): boolean {
    if (s.kind === "set") return setHas(s, x);
    if (s.kind === "lazyset") return s.has(x);
    return this.err(line, `\\in: ${s.kind === "closure" ? "an operator" : show(s)} is not a set`);
  }

  /** Every assignment of the bound names, in TLC's order. */
  *bindings(binds: readonly Bound[], ctx: EvalCtx, scope: Scope | undefined, line?: number): Generator<Scope | undefined> {
    const go = function* (this: Evaluator, i: number, sc: Scope | undefined): Generator<Scope | undefined> {
      if (i === binds.length) {
        yield sc;
        return;
      }
      const b = binds[i]!;
      if (b.set === undefined) this.unsupported(line, `an unbounded quantifier over ${b.names.join(", ")}`);
      const items = [...this.elements(this.ev(b.set, ctx, scope), line)];
      const rec = function* (this: Evaluator, k: number, s2: Scope | undefined): Generator<Scope | undefined> {
        if (k === b.names.length) {
          yield* go.call(this, i + 1, s2);
          return;
        }
        for (const x of items) yield* rec.call(this, k + 1, { name: b.names[k]!, value: x, lazy: undefined, parent: s2 });
      };
      yield* rec.call(this, 0, sc);
    };
    yield* go.call(this, 0, scope);
  }

  lookupScope(scope: Scope | undefined, name: string): Scope | undefined {
    for (let s = scope; s !== undefined; s = s.parent) if (s.name === name) return s;
    return undefined;
  }

  ev(e: Expr, ctx: EvalCtx, scope?: Scope): Val {
    switch (e.t) {
      case "num":
        return int(e.v);
      case "str":
        return str(e.v);
      case "bool":
        return bool(e.v);
      case "and":
      case "or":
        return bool(this.holds(e, ctx, scope));
      case "id":
        return this.ident(e.name, e.args, e.line, ctx, scope);
      case "dollar": {
        if (ctx.dollar === undefined) return this.err(undefined, `$${e.name} outside a mapping macro`);
        if (e.name === "variable") return ctx.dollar.variable();
        if (ctx.dollar.value === undefined) return this.err(undefined, "$value in a read body");
        return ctx.dollar.value;
      }
      case "at": {
        const at = this.lookupScope(scope, "@");
        if (at?.value === undefined) return this.err(undefined, "@ outside EXCEPT");
        return at.value;
      }
      case "prime": {
        if (ctx.next === undefined) return this.err(undefined, "a primed expression outside an action");
        return this.ev(e.e, primedCtx(ctx, ctx.next), scope);
      }
      case "app": {
        const f = this.ev(e.f, ctx, scope);
        const args = e.args.map((a) => this.val(a, ctx, scope));
        const x = args.length === 1 ? args[0]! : ({ kind: "seq", items: args } as TlaValue);
        if (f.kind === "closure") return this.err(e.line, "[...] applied to an operator");
        const fv = this.value(f, "a function", e.line);
        const r = tryApply(fv, x);
        if (r === undefined) return this.err(e.line, `${show(x)} is not in the domain of ${show(fv)}`);
        return r;
      }
      case "dot": {
        const r = this.val(e.e, ctx, scope);
        const v = tryApply(r, str(e.field));
        if (v === undefined) return this.err(e.line, `${show(r)} has no field ${e.field}`);
        return v;
      }
      case "bin":
        return this.binary(e.op, e.l, e.r, e.line, ctx, scope);
      case "un":
        return this.unary(e.op, e.e, e.line, ctx, scope);
      case "quant": {
        // `\E x \in S` over a lazy (large) set in an action: first try the values the step produced (a request
        // the client took is in its next state); only when none works is S enumerated.
        if (e.q === "E" && ctx.next !== undefined && e.binds.length === 1 && e.binds[0]!.names.length === 1 && e.binds[0]!.set !== undefined) {
          const set = this.ev(e.binds[0]!.set, ctx, scope);
          if (set.kind === "lazyset") {
            const name = e.binds[0]!.names[0]!;
            for (const x of stepValues(ctx.state, ctx.next)) {
              if (this.member(x, set) && this.holds(e.body, ctx, { name, value: x, lazy: undefined, parent: scope })) return TRUE;
            }
          }
        }
        for (const sc of this.bindings(e.binds, ctx, scope, e.line)) {
          const b = this.holds(e.body, ctx, sc);
          if (e.q === "E" && b) return TRUE;
          if (e.q === "A" && !b) return FALSE;
        }
        return bool(e.q === "A");
      }
      case "choose": {
        if (e.set === undefined) return this.unsupported(e.line, "CHOOSE without a bounding set");
        const items = [...this.elements(this.ev(e.set, ctx, scope), e.line)].sort(compareValues);
        for (const x of items) if (this.holds(e.body, ctx, { name: e.name, value: x, lazy: undefined, parent: scope })) return x;
        return this.err(e.line, "CHOOSE found no element satisfying its condition");
      }
      case "setEnum":
        return makeSet(e.items.map((x) => this.val(x, ctx, scope)));
      case "tuple":
        return { kind: "seq", items: e.items.map((x) => this.val(x, ctx, scope)) };
      case "setFilter": {
        const items = this.elements(this.ev(e.set, ctx, scope));
        return makeSet(items.filter((x) => this.holds(e.pred, ctx, { name: e.name, value: x, lazy: undefined, parent: scope })));
      }
      case "setMap": {
        const out: TlaValue[] = [];
        for (const sc of this.bindings(e.binds, ctx, scope)) out.push(this.val(e.e, ctx, sc));
        return makeSet(out);
      }
      case "fnCtor": {
        const pairs: [TlaValue, TlaValue][] = [];
        const names = e.binds.flatMap((b) => b.names);
        for (const sc of this.bindings(e.binds, ctx, scope)) {
          const key = names.length === 1 ? this.lookupScope(sc, names[0]!)!.value as TlaValue : ({ kind: "seq", items: names.map((n) => this.lookupScope(sc, n)!.value as TlaValue) } as TlaValue);
          pairs.push([key, this.val(e.body, ctx, sc)]);
        }
        return makeFunction(pairs);
      }
      case "rec":
        return { kind: "record", fields: new Map(e.fields.map(([k, x]) => [k, this.val(x, ctx, scope)])) };
      case "recSet": {
        const fields = e.fields.map(([k, x]) => [k, this.ev(x, ctx, scope)] as const);
        return {
          kind: "lazyset",
          desc: "a set of records",
          has: (v) => {
            // A record may arrive as a function with string keys (as trace values are written).
            if (v.kind !== "record" && v.kind !== "function" && v.kind !== "seq") return false;
            if (pairsOf(v).length !== fields.length) return false;
            return fields.every(([k, s]) => {
              const x = tryApply(v, str(k));
              return x !== undefined && this.member(x, s);
            });
          },
          items: () => {
            let acc: Map<string, TlaValue>[] = [new Map()];
            for (const [k, s] of fields) {
              const next: Map<string, TlaValue>[] = [];
              for (const m of acc) for (const x of this.elements(s)) next.push(new Map(m).set(k, x));
              acc = next;
            }
            return acc.map((m) => ({ kind: "record", fields: m }) as TlaValue);
          },
        };
      }
      case "fnSet": {
        const dom = this.ev(e.dom, ctx, scope);
        const rng = this.ev(e.rng, ctx, scope);
        return {
          kind: "lazyset",
          desc: "[S -> T]",
          has: (v) => {
            if (v.kind !== "seq" && v.kind !== "record" && v.kind !== "function") return false;
            const ps = pairsOf(v);
            const d = this.elements(dom);
            return ps.length === d.length && ps.every(([k, x]) => this.member(k, dom) && this.member(x, rng));
          },
          items: () => {
            let acc: [TlaValue, TlaValue][][] = [[]];
            for (const k of this.elements(dom)) {
              const next: [TlaValue, TlaValue][][] = [];
              for (const ps of acc) for (const x of this.elements(rng)) next.push([...ps, [k, x]]);
              acc = next;
            }
            return acc.map(makeFunction);
          },
        };
      }
      case "cross": {
        const sets = e.items.map((x) => this.ev(x, ctx, scope));
        return {
          kind: "lazyset",
          desc: "a Cartesian product",
          has: (v) => v.kind === "seq" && v.items.length === sets.length && v.items.every((x, i) => this.member(x, sets[i]!)),
          items: () => {
            let acc: TlaValue[][] = [[]];
            for (const s of sets) acc = acc.flatMap((p) => this.elements(s).map((x) => [...p, x]));
            return acc.map((items) => ({ kind: "seq", items }) as TlaValue);
          },
        };
      }
      case "except": {
        let f = this.val(e.f, ctx, scope);
        for (const [path, rhs] of e.updates) {
          const keys = path.map((p) => (p.k === "fld" ? str(p.name) : p.args.length === 1 ? this.val(p.args[0]!, ctx, scope) : ({ kind: "seq", items: p.args.map((a) => this.val(a, ctx, scope)) } as TlaValue)));
          const set = (g: TlaValue, i: number): TlaValue => {
            const old = tryApply(g, keys[i]!);
            if (old === undefined) return g;
            const nv = i === keys.length - 1 ? this.val(rhs, ctx, { name: "@", value: old, lazy: undefined, parent: scope }) : set(old, i + 1);
            return update(g, keys[i]!, nv);
          };
          f = set(f, 0);
        }
        return f;
      }
      case "if":
        return this.ev(this.holds(e.c, ctx, scope) ? e.a : e.b, ctx, scope);
      case "case": {
        for (const [c, x] of e.arms) if (this.holds(c, ctx, scope)) return this.ev(x, ctx, scope);
        if (e.other !== undefined) return this.ev(e.other, ctx, scope);
        return this.err(e.line, "no CASE arm applies");
      }
      case "let": {
        let sc = scope;
        for (const d of e.defs) sc = this.bindDef(d, ctx, sc);
        return this.ev(e.body, ctx, sc);
      }
      case "lambda": {
        const params = e.params;
        return {
          kind: "closure",
          arity: params.length,
          call: (args) => {
            let sc = scope;
            params.forEach((p, i) => (sc = { name: p, value: args[i]!, lazy: undefined, parent: sc }));
            return this.ev(e.body, ctx, sc);
          },
        };
      }
      case "temporal":
        return this.unsupported(e.line, `the temporal formula ${e.what} cannot be evaluated on states`);
    }
  }

  /** Adds a LET definition to the scope: arity 0 lazily, otherwise as a closure (recursion through the scope). */
  bindDef(d: Def, ctx: EvalCtx, scope: Scope | undefined): Scope {
    if (d.fnBinds !== undefined) this.unsupported(d.line, `the recursive function definition ${d.name}[...] is not supported`);
    if (d.params.length === 0) {
      const node: Scope = { name: d.name, value: undefined, lazy: () => this.ev(d.body, ctx, node), parent: scope };
      return node;
    }
    const node: Scope = { name: d.name, value: undefined, lazy: undefined, parent: scope };
    node.value = this.closureOf(d, ctx, node);
    return node;
  }

  closureOf(d: Def, ctx: EvalCtx, scope: Scope | undefined): Closure {
    return {
      kind: "closure",
      arity: d.params.length,
      call: (args) => {
        let sc = scope;
        d.params.forEach((p, i) => (sc = { name: p.name, value: args[i]!, lazy: undefined, parent: sc }));
        return this.ev(d.body, ctx, sc);
      },
    };
  }

  /** Arguments of an operator call: values, or operators for `F(_)` parameters. */
  args(params: readonly { arity: number }[] | undefined, args: readonly Expr[], ctx: EvalCtx, scope: Scope | undefined): Val[] {
    return args.map((a, i) => {
      const arity = params?.[i]?.arity ?? 0;
      if (arity > 0 && a.t === "id" && a.args === undefined) return this.ident(a.name, undefined, a.line, ctx, scope, true);
      return this.ev(a, ctx, scope);
    });
  }

  ident(name: string, argExprs: readonly Expr[] | undefined, line: number, ctx: EvalCtx, scope: Scope | undefined, asOperator = false): Val {
    const local = this.lookupScope(scope, name);
    if (local !== undefined) {
      if (local.value === undefined && local.lazy !== undefined) local.value = local.lazy();
      const v = local.value!;
      if (argExprs === undefined) return v;
      if (v.kind !== "closure") return this.err(line, `${name} is not an operator`);
      return v.call(this.args(undefined, argExprs, ctx, scope));
    }
    if (this.variables.has(name) && argExprs === undefined) {
      const v = ctx.state[name];
      if (v === undefined) return this.err(line, `the variable ${name} has no value`);
      return v;
    }
    const lazy = this.module.defs.get(name);
    if (lazy !== undefined) {
      let d: Def;
      try {
        d = lazy.get();
      } catch (e) {
        if (e instanceof SpecError) throw new Unsupported(e.message);
        throw e;
      }
      if (d.fnBinds !== undefined) return this.unsupported(line, `the recursive function definition ${name}[...] is not supported`);
      if (asOperator || (d.params.length > 0 && argExprs === undefined)) return this.closureOf(d, ctx, undefined);
      if (d.params.length === 0) {
        if (argExprs !== undefined && argExprs.length > 0) return this.err(line, `${name} takes no arguments`);
        const m = ctx.memo.get(name);
        if (m !== undefined) return m;
        const v = this.ev(d.body, ctx, undefined);
        ctx.memo.set(name, v);
        return v;
      }
      if (argExprs!.length !== d.params.length) return this.err(line, `${name} takes ${d.params.length} arguments, got ${argExprs!.length}`);
      return this.closureOf(d, ctx, undefined).call(this.args(d.params, argExprs!, ctx, scope));
    }
    const c = this.constants.get(name);
    if (c !== undefined) return c;
    if (this.module.constants.includes(name)) return this.err(line, `the constant ${name} has no value (give it in the .cfg)`);
    return this.builtin(name, argExprs, line, ctx, scope);
  }

  binary(op: string, le: Expr, re: Expr, line: number, ctx: EvalCtx, scope: Scope | undefined): Val {
    if (op === "=>") return bool(!this.holds(le, ctx, scope) || this.holds(re, ctx, scope));
    if (op === "<=>") return bool(this.holds(le, ctx, scope) === this.holds(re, ctx, scope));
    if (op === "\\in" || op === "\\notin") {
      const x = this.val(le, ctx, scope);
      const m = this.member(x, this.ev(re, ctx, scope), line);
      return bool(op === "\\in" ? m : !m);
    }
    if (op === "\\cup") {
      // A union with an infinite or large lazy set stays lazy (membership only, or enumerated on demand).
      const a = this.ev(le, ctx, scope);
      const b = this.ev(re, ctx, scope);
      if (a.kind === "lazyset" || b.kind === "lazyset") {
        const ai = a.kind === "lazyset" ? a.items : undefined;
        const bi = b.kind === "lazyset" ? b.items : undefined;
        const enumerable = (a.kind !== "lazyset" || ai !== undefined) && (b.kind !== "lazyset" || bi !== undefined);
        return {
          kind: "lazyset",
          desc: "a union",
          has: (x) => this.member(x, a, line) || this.member(x, b, line),
          items: enumerable ? () => [...this.elements(a, line), ...this.elements(b, line)] : undefined,
        };
      }
      return makeSet([...this.elements(a, line), ...this.elements(b, line)]);
    }
    const l = this.val(le, ctx, scope);
    const r = this.val(re, ctx, scope);
    const ints = (): [bigint, bigint] => [asInt(l, op), asInt(r, op)];
    switch (op) {
      case "=":
        return bool(eq(l, r));
      case "#":
        return bool(!eq(l, r));
      case "<": {
        const [a, b] = ints();
        return bool(a < b);
      }
      case ">": {
        const [a, b] = ints();
        return bool(a > b);
      }
      case "<=": {
        const [a, b] = ints();
        return bool(a <= b);
      }
      case ">=": {
        const [a, b] = ints();
        return bool(a >= b);
      }
      case "+": {
        const [a, b] = ints();
        return int(a + b);
      }
      case "-": {
        const [a, b] = ints();
        return int(a - b);
      }
      case "*": {
        const [a, b] = ints();
        return int(a * b);
      }
      case "^": {
        const [a, b] = ints();
        return int(a ** b);
      }
      case "\\div":
      case "%": {
        const [a, b] = ints();
        if (b <= 0n) return this.err(line, `${op} by ${b}`);
        const q = a / b - (a % b < 0n ? 1n : 0n); // floor, as TLC
        return int(op === "%" ? a - q * b : q);
      }
      case "..": {
        const [a, b] = ints();
        const items: TlaValue[] = [];
        for (let i = a; i <= b; i++) items.push(int(i));
        return makeSet(items);
      }
      case "\\cup":
        return makeSet([...this.elements(l, line), ...this.elements(r, line)]);
      case "\\cap":
        return makeSet(this.elements(l, line).filter((x) => this.member(x, r, line)));
      case "\\":
        return makeSet(this.elements(l, line).filter((x) => !this.member(x, r, line)));
      case "\\subseteq":
        return bool(this.elements(l, line).every((x) => this.member(x, r, line)));
      case "\\subset":
        return bool(this.elements(l, line).every((x) => this.member(x, r, line)) && this.elements(l, line).length < this.elements(r, line).length);
      case "\\supseteq":
        return bool(this.elements(r, line).every((x) => this.member(x, l, line)));
      case "\\o":
        return { kind: "seq", items: [...asSeq(l, "\\o"), ...asSeq(r, "\\o")] };
      case ":>":
        return makeFunction([[l, r]]);
      case "@@": {
        const seen = new Set(pairsOf(l).map(([k]) => canonical(k)));
        return makeFunction([...pairsOf(l), ...pairsOf(r).filter(([k]) => !seen.has(canonical(k)))]);
      }
      case "(+)": {
        // A bag plus a few elements (a send): each added in place of rebuilding the bag.
        if (l.kind === "function" && pairsOf(r).length <= 4) {
          let out: TlaValue = l;
          for (const [k, n] of pairsOf(r)) out = extend(out, k, int((tryApply(out, k) === undefined ? 0n : asInt(tryApply(out, k)!, "(+)")) + asInt(n, "(+)")));
          return out;
        }
        const out = new Map<string, [TlaValue, bigint]>();
        for (const [k, n] of [...pairsOf(l), ...pairsOf(r)]) {
          const c = canonical(k);
          out.set(c, [k, (out.get(c)?.[1] ?? 0n) + asInt(n, "(+)")]);
        }
        return makeFunction([...out.values()].map(([k, n]) => [k, int(n)] as const));
      }
      case "(-)": {
        // A bag minus a few elements (a receive).
        if (l.kind === "function" && pairsOf(r).length <= 4) {
          let out: TlaValue = l;
          for (const [k, n] of pairsOf(r)) {
            const have = tryApply(out, k);
            if (have === undefined) continue;
            const left = asInt(have, "(-)") - asInt(n, "(-)");
            out = left > 0n ? update(out, k, int(left)) : without(out, k);
          }
          return out;
        }
        const sub = new Map(pairsOf(r).map(([k, n]) => [canonical(k), asInt(n, "(-)")]));
        const out: [TlaValue, TlaValue][] = [];
        for (const [k, n] of pairsOf(l)) {
          const left = asInt(n, "(-)") - (sub.get(canonical(k)) ?? 0n);
          if (left > 0n) out.push([k, int(left)]);
        }
        return makeFunction(out);
      }
    }
    return this.unsupported(line, `the operator ${op} is not supported`);
  }

  unary(op: string, x: Expr, line: number, ctx: EvalCtx, scope: Scope | undefined): Val {
    switch (op) {
      case "~":
        return bool(!this.holds(x, ctx, scope));
      case "-":
        return int(-asInt(this.val(x, ctx, scope), "-"));
      case "DOMAIN":
        return domain(this.val(x, ctx, scope));
      case "UNION":
        return makeSet(this.elements(this.ev(x, ctx, scope), line).flatMap((s) => [...this.elements(s, line)]));
      case "SUBSET": {
        const base = this.ev(x, ctx, scope);
        return {
          kind: "lazyset",
          desc: "SUBSET S",
          has: (v) => v.kind === "set" && v.items.every((y) => this.member(y, base)),
          items: () => {
            let acc: TlaValue[][] = [[]];
            for (const y of this.elements(base)) acc = [...acc, ...acc.map((s) => [...s, y])];
            return acc.map(makeSet);
          },
        };
      }
      case "UNCHANGED": {
        if (ctx.next === undefined) return this.err(line, "UNCHANGED outside an action");
        const before = this.val(x, ctx, scope);
        const after = this.val(x, primedCtx(ctx, ctx.next), scope);
        return bool(eq(before, after));
      }
    }
    return this.unsupported(line, `${op} is not supported`);
  }

  builtin(name: string, argExprs: readonly Expr[] | undefined, line: number, ctx: EvalCtx, scope: Scope | undefined): Val {
    const args = argExprs === undefined ? [] : this.args(name === "SelectSeq" ? [{ arity: 0 }, { arity: 1 }] : undefined, argExprs, ctx, scope);
    const v = (i: number) => this.value(args[i]!, `argument ${i + 1} of ${name}`, line);
    const need = (n: number) => {
      if (args.length !== n) this.err(line, `${name} takes ${n} arguments, got ${args.length}`);
    };
    switch (name) {
      case "Nat":
      case "Int":
        return { kind: "lazyset", desc: name, has: (x) => x.kind === "int" && (name === "Int" || x.value >= 0n), items: undefined };
      case "STRING":
        return { kind: "lazyset", desc: name, has: (x) => x.kind === "string", items: undefined };
      case "BOOLEAN":
        return makeSet([TRUE, FALSE]);
      case "Len":
        need(1);
        return int(BigInt(asSeq(v(0), name).length));
      case "Head": {
        need(1);
        const s = asSeq(v(0), name);
        if (s.length === 0) return this.err(line, "Head of the empty sequence");
        return s[0]!;
      }
      case "Tail": {
        need(1);
        const s = asSeq(v(0), name);
        if (s.length === 0) return this.err(line, "Tail of the empty sequence");
        return { kind: "seq", items: s.slice(1) };
      }
      case "Append":
        need(2);
        return { kind: "seq", items: [...asSeq(v(0), name), v(1)] };
      case "SubSeq": {
        need(3);
        const s = asSeq(v(0), name);
        const m = Number(asInt(v(1), name));
        const n = Number(asInt(v(2), name));
        if (m > n) return EMPTY_SEQ;
        if (m < 1 || n > s.length) return this.err(line, `SubSeq(s, ${m}, ${n}) of a sequence of length ${s.length}`);
        return { kind: "seq", items: s.slice(m - 1, n) };
      }
      case "SelectSeq": {
        need(2);
        const test = args[1]!;
        if (test.kind !== "closure") return this.err(line, "SelectSeq needs an operator");
        return { kind: "seq", items: asSeq(v(0), name).filter((x) => asBool(this.value(test.call([x]), "SelectSeq test"), name)) };
      }
      case "Seq": {
        need(1);
        const s = args[0]!;
        return { kind: "lazyset", desc: "Seq(S)", has: (x) => (x.kind === "seq" || (x.kind === "record" && x.fields.size === 0)) && asSeq(x, "Seq").every((y) => this.member(y, s)), items: undefined };
      }
      case "Cardinality":
        need(1);
        return int(BigInt(this.elements(args[0]!, line).length));
      case "IsFiniteSet":
        need(1);
        return bool(args[0]!.kind === "set" || (args[0]!.kind === "lazyset" && args[0]!.items !== undefined));
      case "Print":
        need(2);
        return v(1);
      case "PrintT":
        need(1);
        return TRUE;
      case "Assert":
        need(2);
        if (!asBool(v(0), "Assert")) return this.err(line, `Assert failed: ${show(v(1))}`);
        return TRUE;
      case "ToString":
        need(1);
        return str(show(v(0)));
      // Bags
      case "EmptyBag":
        return EMPTY_SEQ;
      case "SetToBag":
        need(1);
        return makeFunction(this.elements(args[0]!, line).map((x) => [x, int(1n)] as const));
      case "BagToSet": {
        need(1);
        // Lazily: `msg \in BagToSet(b)` is a lookup, and `\E msg \in BagToSet(b)` in an action tries the step's
        // values first (a receive from a network of thousands of messages), before enumerating the domain.
        const b = v(0);
        if (b.kind !== "function") return domain(b);
        return { kind: "lazyset", desc: "BagToSet(b)", has: (x) => tryApply(b, x) !== undefined, items: () => this.elements(domain(b)) };
      }
      case "BagIn":
        need(2);
        return bool(tryApply(v(1), v(0)) !== undefined);
      case "CopiesIn":
        need(2);
        return tryApply(v(1), v(0)) ?? int(0n);
      case "BagCardinality":
        need(1);
        return int(pairsOf(v(0)).reduce((a, [, n]) => a + asInt(n, name), 0n));
      case "IsABag":
        need(1);
        return bool(pairsOf(v(0)).every(([, n]) => n.kind === "int" && n.value > 0n));
      // FiniteSetsExt / SequencesExt, as far as PGo's specs call them
      case "Max":
      case "Min": {
        need(1);
        const xs = this.elements(args[0]!, line).map((x) => asInt(x, name));
        if (xs.length === 0) return this.err(line, `${name} of the empty set`);
        return int(xs.reduce((a, b) => (name === "Max" ? (a > b ? a : b) : a < b ? a : b)));
      }
      case "ToSet":
        need(1);
        return makeSet(asSeq(v(0), name));
    }
    return this.unsupported(line, `unknown name ${name}`);
  }

  /** Evaluates `Init` as assignments: each conjunct `v = e` (in order) gives the variable v its value. */
  initialState(): State {
    const def = this.module.defs.get("Init");
    if (def === undefined) throw new EvalError(`${this.module.file}: no Init`);
    const init = def.get().body;
    const state: Record<string, TlaValue> = {};
    const ctx: EvalCtx = { state, next: undefined, memo: new Map() };
    const conjuncts = (e: Expr): Expr[] => (e.t === "and" ? e.items.flatMap(conjuncts) : [e]);
    for (const c of conjuncts(init)) {
      if (c.t === "bin" && c.op === "=" && c.l.t === "id" && this.variables.has(c.l.name)) {
        state[c.l.name] = this.val(c.r, ctx);
        ctx.memo.clear();
        continue;
      }
      if (c.t === "id" && c.args === undefined) {
        // a reference to another initial predicate
        const d = this.module.defs.get(c.name)?.get();
        if (d !== undefined) {
          for (const x of conjuncts(d.body)) {
            if (x.t === "bin" && x.op === "=" && x.l.t === "id" && this.variables.has(x.l.name)) {
              state[x.l.name] = this.val(x.r, ctx);
              continue;
            }
            throw new EvalError(`${this.module.file}: Init conjunct not of the form v = e`);
          }
          continue;
        }
      }
      throw new EvalError(`${this.module.file}: an Init conjunct that is not "variable = expression" (more than one initial state is not supported)`);
    }
    for (const v of this.variables) if (!(v in state)) throw new EvalError(`${this.module.file}: Init gives no value to ${v}`);
    return state;
  }
}

/** The context of the next state (one per action context: an action primes many expressions). */
const primedMemo = new WeakMap<EvalCtx, EvalCtx>();
function primedCtx(ctx: EvalCtx, next: State): EvalCtx {
  let p = primedMemo.get(ctx);
  if (p === undefined) primedMemo.set(ctx, (p = { state: next, next: undefined, memo: new Map() }));
  return p;
}

const stepValuesMemo = new WeakMap<State, WeakMap<State, TlaValue[]>>();
/** The values a step wrote: the parts of the next state that differ from the state (memoised per pair). */
function stepValues(state: State, next: State): TlaValue[] {
  let inner = stepValuesMemo.get(state);
  if (inner === undefined) stepValuesMemo.set(state, (inner = new WeakMap()));
  let out = inner.get(next);
  if (out !== undefined) return out;
  out = [];
  const acc = out;
  const walk = (a: TlaValue | undefined, b: TlaValue, depth: number): void => {
    if (a !== undefined && eq(a, b)) return;
    acc.push(b);
    if (depth === 0 || (b.kind !== "seq" && b.kind !== "record" && b.kind !== "function")) return;
    // Not into large functions (a network bag of thousands of messages: its values are counts, and walking it
    // per step cost O(n)); these values are only tried first, the quantifier still enumerates its set after.
    if ((b.kind === "seq" ? b.items.length : b.kind === "record" ? b.fields.size : b.pairs.length) > 64) return;
    for (const [k, x] of pairsOf(b)) walk(a === undefined || (a.kind !== "seq" && a.kind !== "record" && a.kind !== "function") ? undefined : tryApply(a, k), x, depth - 1);
  };
  for (const k of Object.keys(next)) walk(state[k], next[k]!, 3);
  // Then the values of small functions that did not change: a message received twice in a row (a duplicate)
  // leaves m[self] as it was, and trying the whole network bag for it cost O(n) evaluations of the action.
  for (const k of Object.keys(next)) {
    const b = next[k]!;
    if ((b.kind === "seq" || b.kind === "record" || b.kind === "function") && (b.kind === "seq" ? b.items.length : b.kind === "record" ? b.fields.size : b.pairs.length) <= 64) {
      for (const [, x] of pairsOf(b)) acc.push(x);
    }
  }
  inner.set(next, out);
  return out;
}
