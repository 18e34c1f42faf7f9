// Tokens of TLA+ (and of the MPCal algorithm inside a spec's comment). Each token keeps its line and column:
// TLA+ conjunction/disjunction lists (`/\` and `\/` bullets) are delimited by columns, so the parser needs them.

export type TokenKind = "ident" | "num" | "str" | "op" | "eof";

export interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  /** 1-based line in the file. */
  readonly line: number;
  /** 0-based column. */
  readonly col: number;
}

/** A spec the front end cannot read; the message names file:line and what was expected. */
export class SpecError extends Error {
  override name = "SpecError";
}

// Longest first, so `<=>` wins over `<=` and `<<`.
const OPS = [
  "<=>", "=>", "==", "=<", "<=", ">=", "/=", "/\\", "\\/", "|->", "->", "<-", ":>", "@@", "..", "...", "::", ":=", "<<", ">>",
  "(+)", "(-)", "[]", "<>", "~>", "-+->", "\\o", "'", "!", "@", "$",
  "(", ")", "[", "]", "{", "}", ",", ":", ";", ".", "=", "#", "<", ">", "+", "-", "*", "/", "%", "^", "~", "|", "&", "_", "\\",
].sort((a, b) => b.length - a.length);

// Operators by first character, longest first.
const OPS_BY_CHAR = new Map<string, string[]>();
for (const o of OPS) {
  const list = OPS_BY_CHAR.get(o[0]!) ?? [];
  list.push(o);
  OPS_BY_CHAR.set(o[0]!, list);
}

// Backslash words: `\in`, `\A`, `\cup`, … (read as one op token, e.g. "\\in").
const BACKSLASH_WORD = /\\[A-Za-z]+/y;
const IDENT = /[A-Za-z0-9_]*[A-Za-z_][A-Za-z0-9_]*/y;
const NUM = /[0-9]+/y;

/**
 * Splits `text` into tokens, skipping `\*` line comments and nested `(* *)` block comments. `lineOffset` and
 * `colOffset` place a fragment (the MPCal block) at its position in the file.
 */
export function tokenize(text: string, file: string, lineOffset = 0, firstColOffset = 0): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1 + lineOffset;
  let lineStart = -firstColOffset;
  const at = () => `${file}:${line}`;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "\n") {
      line++;
      i++;
      lineStart = i;
      continue;
    }
    if (c === " " || c === "\t" || c === "\r") {
      i++;
      continue;
    }
    if (c === "\\" && text[i + 1] === "*") {
      while (i < text.length && text[i] !== "\n") i++;
      continue;
    }
    if (c === "(" && text[i + 1] === "*") {
      let depth = 0;
      while (i < text.length) {
        if (text[i] === "(" && text[i + 1] === "*") {
          depth++;
          i += 2;
        } else if (text[i] === "*" && text[i + 1] === ")") {
          depth--;
          i += 2;
          if (depth === 0) break;
        } else {
          if (text[i] === "\n") {
            line++;
            lineStart = i + 1;
          }
          i++;
        }
      }
      if (depth !== 0) throw new SpecError(`${at()}: a comment "(*" is never closed`);
      continue;
    }
    const col = i - lineStart;
    if (c === '"') {
      let j = i + 1;
      let s = "";
      while (j < text.length && text[j] !== '"') {
        if (text[j] === "\\") {
          const e = text[j + 1];
          s += e === "n" ? "\n" : e === "t" ? "\t" : e ?? "";
          j += 2;
        } else s += text[j++];
      }
      if (j >= text.length) throw new SpecError(`${at()}: a string is never closed`);
      out.push({ kind: "str", text: s, line, col });
      i = j + 1;
      continue;
    }
    // Module delimiters: a run of 4+ dashes or equals signs.
    if ((c === "-" || c === "=") && text.startsWith(c.repeat(4), i)) {
      let j = i;
      while (text[j] === c) j++;
      out.push({ kind: "op", text: c === "-" ? "----" : "====", line, col });
      i = j;
      continue;
    }
    if (c === "\\") {
      BACKSLASH_WORD.lastIndex = i;
      const m = BACKSLASH_WORD.exec(text);
      if (m !== null) {
        out.push({ kind: "op", text: m[0], line, col });
        i += m[0].length;
        continue;
      }
    }
    IDENT.lastIndex = i;
    const id = IDENT.exec(text);
    if (id !== null && id[0].length > 0) {
      out.push({ kind: "ident", text: id[0], line, col });
      i += id[0].length;
      continue;
    }
    NUM.lastIndex = i;
    const num = NUM.exec(text);
    if (num !== null) {
      out.push({ kind: "num", text: num[0], line, col });
      i += num[0].length;
      continue;
    }
    const op = OPS_BY_CHAR.get(c)?.find((o) => text.startsWith(o, i));
    if (op !== undefined) {
      out.push({ kind: "op", text: op, line, col });
      i += op.length;
      continue;
    }
    throw new SpecError(`${at()}: unexpected character ${JSON.stringify(c)}`);
  }
  out.push({ kind: "eof", text: "", line, col: -1 });
  return out;
}
