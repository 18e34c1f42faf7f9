// The MPCal algorithm in a spec's comment (`--mpcal name { ... }`): what the validator needs of it are the
// archetypes' parameters and locals, the global variables, the instances with their mappings, and the mapping
// macros' read/write bodies (PGo's tracegen turns those into the `<Arch>_<param>_read/_write` operators).
// Archetype bodies are skipped: the actions come from the TLA+ translation.
import type { Expr } from "./ast.ts";
import { SpecError, tokenize, type Token } from "./lexer.ts";
import { ExprParser } from "./parser.ts";

export type Stmt =
  | { readonly s: "await" | "yield" | "assert" | "print"; readonly e: Expr; readonly line: number }
  | { readonly s: "with"; readonly binds: readonly WithBind[]; readonly body: readonly Stmt[] }
  | { readonly s: "assign"; readonly pairs: readonly { readonly lhs: Lhs; readonly rhs: Expr }[]; readonly line: number }
  | { readonly s: "if"; readonly c: Expr; readonly yes: readonly Stmt[]; readonly no: readonly Stmt[] }
  | { readonly s: "either"; readonly cases: readonly (readonly Stmt[])[] }
  | { readonly s: "skip" };

export interface WithBind {
  readonly name: string;
  readonly eq: Expr | undefined;
  readonly set: Expr | undefined;
}

export interface Lhs {
  /** "$variable" or a plain variable name. */
  readonly base: string;
  readonly path: readonly ({ readonly k: "idx"; readonly args: readonly Expr[] } | { readonly k: "fld"; readonly name: string })[];
}

export interface MappingMacro {
  readonly name: string;
  readonly read: readonly Stmt[];
  readonly write: readonly Stmt[];
}

export interface ArchParam {
  readonly name: string;
  readonly ref: boolean;
  /** Number of `[_]` after the name. */
  readonly mappingCount: number;
}

export interface Archetype {
  readonly name: string;
  readonly params: readonly ArchParam[];
  readonly locals: readonly string[];
  readonly line: number;
}

export type InstanceArg = { readonly ref: true; readonly name: string } | { readonly ref: false; readonly e: Expr };

export interface Instance {
  readonly process: string;
  readonly archetype: string;
  readonly args: readonly InstanceArg[];
  /** Param position -> mapping macro name, with the `[_]` count written at the mapping. */
  readonly mappings: readonly { readonly position: number; readonly macro: string; readonly count: number }[];
  readonly line: number;
}

export interface MpcalBlock {
  readonly name: string;
  readonly globals: readonly string[];
  readonly archetypes: ReadonlyMap<string, Archetype>;
  readonly macros: ReadonlyMap<string, MappingMacro>;
  readonly instances: readonly Instance[];
}

/** Finds and parses the `--mpcal` block of a spec's text; SpecError when it is missing or not understood. */
export function parseMpcal(text: string, file: string): MpcalBlock {
  const start = text.indexOf("--mpcal");
  if (start < 0) throw new SpecError(`${file}: no "--mpcal" algorithm in the spec`);
  let stop = text.indexOf("BEGIN PLUSCAL TRANSLATION", start);
  if (stop < 0) stop = text.indexOf("--algorithm", start);
  if (stop < 0) stop = text.indexOf("*)", start);
  if (stop < 0) stop = text.length;
  const before = text.slice(0, start);
  const lineOffset = before.split("\n").length - 1;
  const colOffset = start - (before.lastIndexOf("\n") + 1);
  // Drop the `\*` that opens the "BEGIN PLUSCAL TRANSLATION" line comment, if any.
  const fragment = text.slice(start + "--mpcal".length, stop).replace(/\\\*\s*$/, "");
  const toks = tokenize(fragment, file, lineOffset, colOffset + "--mpcal".length);
  return new MpcalParser(toks, file).block();
}

class MpcalParser extends ExprParser {
  block(): MpcalBlock {
    const name = this.ident();
    this.expect("{");
    const globals: string[] = [];
    const archetypes = new Map<string, Archetype>();
    const macros = new Map<string, MappingMacro>();
    const instances: Instance[] = [];
    while (!this.eat("}")) {
      const t = this.peek();
      if (t.kind === "eof") this.fail(`"}" closing the --mpcal block`);
      if (this.eat("define") || this.eat("macro") || this.eat("procedure")) {
        this.skipToBlockEnd();
      } else if (this.eat("mapping")) {
        this.expect("macro");
        const m = this.ident();
        this.expect("{");
        let read: Stmt[] = [];
        let write: Stmt[] = [];
        while (!this.eat("}")) {
          if (this.eat("read")) read = this.stmtBlock();
          else if (this.eat("write")) write = this.stmtBlock();
          else this.fail(`"read" or "write" in mapping macro ${m}`);
        }
        macros.set(m, { name: m, read, write });
      } else if (this.eat("archetype")) {
        const a = this.ident();
        const params: ArchParam[] = [];
        this.expect("(");
        if (!this.eat(")")) {
          do {
            const ref = this.eat("ref");
            if (!ref) this.eat("val");
            const p = this.ident();
            let count = 0;
            while (this.eat("[")) {
              this.expect("_");
              while (this.eat(",")) {
                this.expect("_");
                count++;
              }
              this.expect("]");
              count++;
            }
            params.push({ name: p, ref, mappingCount: count });
          } while (this.eat(","));
          this.expect(")");
        }
        const locals: string[] = [];
        if (this.eat("variables") || this.eat("variable")) locals.push(...this.varDecls());
        this.skipToBlockEnd();
        archetypes.set(a, { name: a, params, locals, line: t.line });
      } else if (this.eat("variables") || this.eat("variable")) {
        globals.push(...this.varDecls());
      } else if (this.is("fair") || this.is("process")) {
        instances.push(this.instance());
      } else this.fail("define, mapping macro, archetype, variables or process");
    }
    return { name, globals, archetypes, macros, instances };
  }

  /** `x = e, y \in S, z;` — returns the names. */
  varDecls(): string[] {
    const names: string[] = [];
    do {
      if (this.is("{")) break; // a trailing comma
      names.push(this.ident());
      if (this.eat("=") || this.eat("\\in")) this.expr();
    } while (this.eat(",") || (this.eat(";") && this.isIdent() && !["fair", "process", "archetype", "mapping", "define", "procedure", "macro", "variables", "variable"].includes(this.peek().text)));
    this.eat(";");
    return names;
  }

  skipToBlockEnd(): void {
    while (!this.is("{")) {
      if (this.peek().kind === "eof") this.fail('"{"');
      this.pos++;
    }
    let depth = 0;
    do {
      const t = this.next();
      if (t.kind === "eof") this.fail('"}"');
      if (t.kind === "op" && t.text === "{") depth++;
      if (t.kind === "op" && t.text === "}") depth--;
    } while (depth > 0);
    this.eat(";");
  }

  instance(): Instance {
    const t = this.peek();
    this.eat("fair");
    this.eat("+");
    this.expect("process");
    this.expect("(");
    const process = this.ident();
    if (!this.eat("\\in")) this.expect("=");
    this.expr();
    this.expect(")");
    this.expect("==");
    this.expect("instance");
    const archetype = this.ident();
    this.expect("(");
    const args: InstanceArg[] = [];
    if (!this.eat(")")) {
      do {
        if (this.eat("ref")) {
          const name = this.ident();
          while (this.eat("[")) {
            while (!this.eat("]")) this.pos++;
          }
          args.push({ ref: true, name });
        } else args.push({ ref: false, e: this.expr() });
      } while (this.eat(","));
      this.expect(")");
    }
    const mappings: { position: number; macro: string; count: number }[] = [];
    while (this.eat("mapping")) {
      let position: number;
      if (this.eat("@")) position = Number(this.next().text) - 1;
      else {
        const target = this.ident();
        position = args.findIndex((a) => a.ref && a.name === target);
        if (position < 0) throw new SpecError(`${this.file}:${this.peek().line}: mapping names ${target}, which is not a ref argument of the instance`);
      }
      let count = 0;
      while (this.eat("[")) {
        do {
          this.expect("_");
          count++;
        } while (this.eat(","));
        this.expect("]");
      }
      this.expect("via");
      mappings.push({ position, macro: this.ident(), count });
    }
    this.eat(";");
    return { process, archetype, args, mappings, line: t.line };
  }

  stmtBlock(): Stmt[] {
    this.expect("{");
    const out: Stmt[] = [];
    while (!this.eat("}")) {
      if (this.peek().kind === "eof") this.fail('"}"');
      out.push(this.stmt());
      while (this.eat(";"));
    }
    this.eat(";");
    return out;
  }

  stmtOrBlock(): Stmt[] {
    if (this.is("{")) return this.stmtBlock();
    const s = this.stmt();
    this.eat(";");
    return [s];
  }

  stmt(): Stmt {
    const t = this.peek();
    if (t.kind === "ident") {
      switch (t.text) {
        case "await":
        case "when":
        case "yield":
        case "assert":
        case "print":
          this.pos++;
          return { s: t.text === "when" ? "await" : t.text, e: this.expr(), line: t.line };
        case "skip":
          this.pos++;
          return { s: "skip" };
        case "with": {
          this.pos++;
          this.expect("(");
          const binds: WithBind[] = [];
          do {
            const name = this.ident();
            if (this.eat("=")) binds.push({ name, eq: this.expr(), set: undefined });
            else {
              this.expect("\\in");
              binds.push({ name, eq: undefined, set: this.expr() });
            }
          } while (this.eat(",") || (this.eat(";") && !this.is(")")));
          this.eat(";");
          this.expect(")");
          return { s: "with", binds, body: this.stmtOrBlock() };
        }
        case "if": {
          this.pos++;
          this.expect("(");
          const c = this.expr();
          this.expect(")");
          const yes = this.stmtOrBlock();
          const no = this.eat("else") ? this.stmtOrBlock() : [];
          return { s: "if", c, yes, no };
        }
        case "either": {
          this.pos++;
          const cases = [this.stmtOrBlock()];
          while (this.eat("or")) cases.push(this.stmtOrBlock());
          return { s: "either", cases };
        }
        case "goto":
        case "while":
        case "call":
        case "return":
          this.fail(`a statement allowed in a mapping macro (not ${t.text})`);
      }
    }
    // assignment: lhs := e (|| lhs := e)*
    const pairs: { lhs: Lhs; rhs: Expr }[] = [];
    do {
      let base: string;
      if (this.eat("$")) {
        const n = this.ident();
        if (n !== "variable") this.fail("$variable on the left of :=");
        base = "$variable";
      } else base = this.ident();
      const path: Lhs["path"][number][] = [];
      for (;;) {
        if (this.eat("[")) path.push({ k: "idx", args: this.commaList("]") });
        else if (this.is(".") && this.isIdent(1)) {
          this.pos++;
          path.push({ k: "fld", name: this.ident() });
        } else break;
      }
      this.expect(":=");
      pairs.push({ lhs: { base, path }, rhs: this.expr() });
    } while (this.eat("||"));
    return { s: "assign", pairs, line: t.line };
  }
}

export type { Token };
