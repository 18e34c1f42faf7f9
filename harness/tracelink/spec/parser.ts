// A recursive-descent parser for the TLA+ that PGo's specs use. Conjunction and disjunction bullet lists are
// delimited by columns: while a list item is parsed, tokens at or left of the bullet's column end it (`fence`).
import type { Bound, Def, Expr, Param, PathStep } from "./ast.ts";
import { SpecError, type Token } from "./lexer.ts";

interface InfixOp {
  readonly prec: number;
  /** Right-hand operand's minimum precedence: prec + 1 for left-associative operators. */
  readonly right: number;
  readonly name: string;
}

const infix = (prec: number, name: string, rightAssoc = false): InfixOp => ({ prec, right: rightAssoc ? prec : prec + 1, name });

const INFIX: Record<string, InfixOp> = {
  "=>": infix(1, "=>", true),
  "<=>": infix(2, "<=>"),
  "\\equiv": infix(2, "<=>"),
  "~>": infix(2, "~>"),
  "/\\": infix(3, "/\\"),
  "\\land": infix(3, "/\\"),
  "\\/": infix(3, "\\/"),
  "\\lor": infix(3, "\\/"),
  "=": infix(5, "="),
  "#": infix(5, "#"),
  "/=": infix(5, "#"),
  "<": infix(5, "<"),
  ">": infix(5, ">"),
  "<=": infix(5, "<="),
  "=<": infix(5, "<="),
  "\\leq": infix(5, "<="),
  ">=": infix(5, ">="),
  "\\geq": infix(5, ">="),
  "\\in": infix(5, "\\in"),
  "\\notin": infix(5, "\\notin"),
  "\\subseteq": infix(5, "\\subseteq"),
  "\\subset": infix(5, "\\subset"),
  "\\supseteq": infix(5, "\\supseteq"),
  "@@": infix(6, "@@"),
  ":>": infix(7, ":>"),
  "\\cup": infix(8, "\\cup"),
  "\\union": infix(8, "\\cup"),
  "\\cap": infix(8, "\\cap"),
  "\\intersect": infix(8, "\\cap"),
  "\\": infix(8, "\\"),
  "(+)": infix(8, "(+)"),
  "(-)": infix(8, "(-)"),
  "..": infix(9, ".."),
  "+": infix(10, "+"),
  "%": infix(10, "%"),
  "-": infix(11, "-"),
  "*": infix(13, "*"),
  "/": infix(13, "/"),
  "\\div": infix(13, "\\div"),
  "\\o": infix(13, "\\o"),
  "\\circ": infix(13, "\\o"),
  "^": infix(14, "^", true),
};

const KEYWORDS = new Set(["IF", "THEN", "ELSE", "CASE", "OTHER", "LET", "IN", "CHOOSE", "LAMBDA", "EXCEPT", "UNCHANGED", "ENABLED", "DOMAIN", "SUBSET", "UNION", "TRUE", "FALSE", "MODULE", "EXTENDS", "CONSTANT", "CONSTANTS", "VARIABLE", "VARIABLES", "ASSUME", "INSTANCE", "RECURSIVE", "LOCAL", "THEOREM"]);

const EOF_AT = (t: Token): Token => ({ kind: "eof", text: "", line: t.line, col: t.col });

export class ExprParser {
  pos: number;
  /** Tokens at or left of this column end the current expression (bullet-list items). */
  fence = -1;
  readonly toks: readonly Token[];
  readonly file: string;
  constructor(toks: readonly Token[], file: string, pos = 0) {
    this.toks = toks;
    this.file = file;
    this.pos = pos;
  }

  raw(): Token {
    return this.toks[this.pos]!;
  }
  peek(): Token {
    const t = this.toks[this.pos]!;
    return t.kind !== "eof" && t.col <= this.fence ? EOF_AT(t) : t;
  }
  peekAt(k: number): Token {
    const t = this.toks[Math.min(this.pos + k, this.toks.length - 1)]!;
    return t.kind !== "eof" && t.col <= this.fence ? EOF_AT(t) : t;
  }
  next(): Token {
    const t = this.peek();
    if (t.kind !== "eof") this.pos++;
    return t;
  }
  is(text: string): boolean {
    const t = this.peek();
    return t.kind !== "str" && t.kind !== "eof" && t.text === text;
  }
  eat(text: string): boolean {
    if (!this.is(text)) return false;
    this.pos++;
    return true;
  }
  fail(expected: string): never {
    const t = this.peek();
    const got = t.kind === "eof" ? "the end of the expression" : JSON.stringify(t.text);
    throw new SpecError(`${this.file}:${t.line}: expected ${expected}, got ${got}`);
  }
  expect(text: string): Token {
    const t = this.peek();
    if (!this.eat(text)) this.fail(`"${text}"`);
    return t;
  }
  ident(): string {
    const t = this.peek();
    if (t.kind !== "ident" || KEYWORDS.has(t.text)) this.fail("a name");
    this.pos++;
    return t.text;
  }
  isIdent(k = 0): boolean {
    const t = this.peekAt(k);
    return t.kind === "ident" && !KEYWORDS.has(t.text);
  }

  expr(): Expr {
    return this.binary(0);
  }

  binary(min: number): Expr {
    let l = this.prefix();
    for (;;) {
      const t = this.peek();
      if (t.kind !== "op" && t.kind !== "ident") return l;
      if (t.text === "\\X" || t.text === "\\times") {
        if (10 < min) return l;
        const items = [l];
        while (this.eat("\\X") || this.eat("\\times")) items.push(this.binary(11));
        l = { t: "cross", items };
        continue;
      }
      const op = INFIX[t.text];
      if (op === undefined || op.prec < min) return l;
      this.pos++;
      const r = this.binary(op.right);
      if (op.name === "/\\") l = { t: "and", items: [...(l.t === "and" ? l.items : [l]), r] };
      else if (op.name === "\\/") l = { t: "or", items: [...(l.t === "or" ? l.items : [l]), r] };
      else if (op.name === "~>") l = { t: "temporal", what: "~>", line: t.line };
      else l = { t: "bin", op: op.name, l, r, line: t.line };
    }
  }

  prefix(): Expr {
    const t = this.peek();
    const un = (op: string, prec: number): Expr => {
      this.pos++;
      return { t: "un", op, e: this.binary(prec), line: t.line };
    };
    if (t.kind === "op" || t.kind === "ident") {
      switch (t.text) {
        case "~":
        case "\\lnot":
        case "\\neg":
          return un("~", 4);
        case "-":
          return un("-", 12);
        case "DOMAIN":
        case "SUBSET":
        case "UNION":
          return un(t.text, 9);
        case "ENABLED":
        case "UNCHANGED":
          return un(t.text, 15);
        case "[]":
        case "<>":
          this.pos++;
          this.binary(4);
          return { t: "temporal", what: t.text, line: t.line };
      }
    }
    return this.postfix(this.primary());
  }

  postfix(e: Expr): Expr {
    for (;;) {
      const t = this.peek();
      if (t.kind !== "op") return e;
      if (t.text === "'") {
        this.pos++;
        e = { t: "prime", e };
      } else if (t.text === "[") {
        this.pos++;
        const args = this.commaList("]");
        e = { t: "app", f: e, args, line: t.line };
      } else if (t.text === "." && this.peekAt(1).kind === "ident") {
        this.pos++;
        e = { t: "dot", e, field: this.next().text, line: t.line };
      } else return e;
    }
  }

  commaList(close: string): Expr[] {
    const items: Expr[] = [];
    if (this.eat(close)) return items;
    do items.push(this.expr());
    while (this.eat(","));
    this.expect(close);
    return items;
  }

  /** `x \in S, y, z \in T` */
  bounds(): Bound[] {
    const out: Bound[] = [];
    do {
      if (this.is("<<")) this.fail("a name (tuple patterns in bounds are not supported)");
      const names = [this.ident()];
      while (this.is(",") && this.isIdent(1) && !this.is(":")) {
        // `x, y \in S` (a comma then a name then eventually \in)
        const save = this.pos;
        this.pos++;
        const n = this.ident();
        if (this.is(",") || this.is("\\in")) names.push(n);
        else {
          this.pos = save;
          break;
        }
      }
      if (this.eat("\\in")) out.push({ names, set: this.expr() });
      else out.push({ names, set: undefined });
    } while (this.eat(","));
    return out;
  }

  junction(bullet: string): Expr {
    const first = this.raw();
    const col = first.col;
    const items: Expr[] = [];
    const outer = this.fence;
    for (;;) {
      this.pos++; // the bullet
      this.fence = col;
      items.push(this.expr());
      this.fence = outer;
      const n = this.raw();
      if (n.kind === "op" && n.text === bullet && n.col === col && n.col > outer) continue;
      break;
    }
    if (items.length === 1) return items[0]!;
    return { t: bullet === "/\\" ? "and" : "or", items };
  }

  primary(): Expr {
    const t = this.peek();
    if (t.kind === "eof") this.fail("an expression");
    if (t.kind === "num") {
      this.pos++;
      return { t: "num", v: BigInt(t.text) };
    }
    if (t.kind === "str") {
      this.pos++;
      return { t: "str", v: t.text };
    }
    if (t.kind === "op") {
      switch (t.text) {
        case "/\\":
        case "\\/":
          return this.junction(t.text);
        case "\\land":
          return this.junction(t.text);
        case "(": {
          this.pos++;
          const e = this.expr();
          this.expect(")");
          return e;
        }
        case "<<": {
          this.pos++;
          const items = this.commaList(">>");
          if (this.is("_") || (this.peek().kind === "ident" && this.peek().text.startsWith("_") && this.peek().col === this.toks[this.pos - 1]!.col + 2)) {
            this.next();
            return { t: "temporal", what: "<<A>>_v", line: t.line };
          }
          return { t: "tuple", items };
        }
        case "{":
          return this.braces();
        case "[":
          return this.brackets();
        case "@":
          this.pos++;
          return { t: "at" };
        case "$": {
          this.pos++;
          const n = this.ident();
          if (n !== "variable" && n !== "value") this.fail("$variable or $value");
          return { t: "dollar", name: n };
        }
        case "\\A":
        case "\\E":
        case "\\AA":
        case "\\EE": {
          this.pos++;
          const binds = this.bounds();
          this.expect(":");
          return { t: "quant", q: t.text === "\\A" || t.text === "\\AA" ? "A" : "E", binds, body: this.expr(), line: t.line };
        }
      }
      this.fail("an expression");
    }
    // identifiers and keywords
    switch (t.text) {
      case "TRUE":
      case "FALSE":
        this.pos++;
        return { t: "bool", v: t.text === "TRUE" };
      case "IF": {
        this.pos++;
        const c = this.expr();
        this.expect("THEN");
        const a = this.expr();
        this.expect("ELSE");
        return { t: "if", c, a, b: this.expr() };
      }
      case "CASE": {
        this.pos++;
        const arms: (readonly [Expr, Expr])[] = [];
        let other: Expr | undefined;
        do {
          if (this.eat("OTHER")) {
            this.expect("->");
            other = this.expr();
            break;
          }
          const c = this.expr();
          this.expect("->");
          arms.push([c, this.expr()]);
        } while (this.eat("[]"));
        return { t: "case", arms, other, line: t.line };
      }
      case "LET": {
        this.pos++;
        const defs: Def[] = [];
        while (!this.is("IN")) defs.push(this.definition());
        this.expect("IN");
        return { t: "let", defs, body: this.expr() };
      }
      case "CHOOSE": {
        this.pos++;
        const name = this.ident();
        const set = this.eat("\\in") ? this.expr() : undefined;
        this.expect(":");
        return { t: "choose", name, set, body: this.expr(), line: t.line };
      }
      case "LAMBDA": {
        this.pos++;
        const params = [this.ident()];
        while (this.eat(",")) params.push(this.ident());
        this.expect(":");
        return { t: "lambda", params, body: this.expr() };
      }
    }
    if (KEYWORDS.has(t.text)) this.fail("an expression");
    this.pos++;
    if (/^[WS]F_/.test(t.text)) {
      if (this.eat("(")) this.commaList(")");
      return { t: "temporal", what: t.text, line: t.line };
    }
    if (this.is("!")) this.fail(`no "!" (instances inside the spec are not supported)`);
    if (this.is("(") && this.peek().line === t.line) {
      this.pos++;
      return { t: "id", name: t.text, args: this.commaList(")"), line: t.line };
    }
    return { t: "id", name: t.text, args: undefined, line: t.line };
  }

  braces(): Expr {
    this.pos++; // {
    if (this.eat("}")) return { t: "setEnum", items: [] };
    // {x \in S : P}
    if (this.isIdent() && this.peekAt(1).text === "\\in") {
      const save = this.pos;
      const name = this.ident();
      this.pos++;
      const set = this.expr();
      if (this.eat(":")) {
        const pred = this.expr();
        this.expect("}");
        return { t: "setFilter", name, set, pred };
      }
      this.pos = save;
    }
    const first = this.expr();
    if (this.eat(":")) {
      const binds = this.bounds();
      this.expect("}");
      return { t: "setMap", e: first, binds };
    }
    const items = [first];
    while (this.eat(",")) items.push(this.expr());
    this.expect("}");
    return { t: "setEnum", items };
  }

  brackets(): Expr {
    const open = this.next(); // [
    if (this.isIdent() && this.peekAt(1).text === "|->") {
      const fields: [string, Expr][] = [];
      do {
        const n = this.ident();
        this.expect("|->");
        fields.push([n, this.expr()]);
      } while (this.eat(","));
      this.expect("]");
      return { t: "rec", fields };
    }
    if (this.isIdent() && this.peekAt(1).text === ":") {
      const fields: [string, Expr][] = [];
      do {
        const n = this.ident();
        this.expect(":");
        fields.push([n, this.expr()]);
      } while (this.eat(","));
      this.expect("]");
      return { t: "recSet", fields };
    }
    if (this.isIdent() && (this.peekAt(1).text === "\\in" || this.peekAt(1).text === ",")) {
      const save = this.pos;
      try {
        const binds = this.bounds();
        if (this.eat("|->")) {
          const body = this.expr();
          this.expect("]");
          return { t: "fnCtor", binds, body };
        }
      } catch (e) {
        if (!(e instanceof SpecError)) throw e;
      }
      this.pos = save;
    }
    const e = this.expr();
    if (this.eat("EXCEPT")) {
      const updates: [PathStep[], Expr][] = [];
      do {
        this.expect("!");
        const path: PathStep[] = [];
        for (;;) {
          if (this.eat("[")) path.push({ k: "idx", args: this.commaList("]") });
          else if (this.eat(".")) path.push({ k: "fld", name: this.next().text });
          else break;
        }
        if (path.length === 0) this.fail('"[" or "." after "!"');
        this.expect("=");
        updates.push([path, this.expr()]);
      } while (this.eat(","));
      this.expect("]");
      return { t: "except", f: e, updates, line: open.line };
    }
    if (this.eat("->")) {
      const rng = this.expr();
      this.expect("]");
      return { t: "fnSet", dom: e, rng };
    }
    this.expect("]");
    const n = this.peek();
    if (n.kind === "ident" && n.text.startsWith("_")) {
      this.pos++;
      return { t: "temporal", what: "[A]_v", line: open.line };
    }
    if (this.is("_")) {
      this.pos++;
      this.primary();
      return { t: "temporal", what: "[A]_v", line: open.line };
    }
    return this.fail('"|->", "EXCEPT" or "->" in "[...]"');
  }

  /** `Name == e`, `Name(p, F(_)) == e`, `f[x \in S] == e` */
  definition(): Def {
    const t = this.peek();
    const name = this.ident();
    const params: Param[] = [];
    let fnBinds: Bound[] | undefined;
    if (this.eat("(")) {
      do {
        const p = this.ident();
        let arity = 0;
        if (this.eat("(")) {
          do {
            this.expect("_");
            arity++;
          } while (this.eat(","));
          this.expect(")");
        }
        params.push({ name: p, arity });
      } while (this.eat(","));
      this.expect(")");
    } else if (this.eat("[")) {
      fnBinds = this.bounds();
      this.expect("]");
    }
    this.expect("==");
    return { name, params, fnBinds, body: this.expr(), line: t.line };
  }
}
