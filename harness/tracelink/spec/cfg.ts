// The constants of a TLC .cfg: `CONSTANT(S)` blocks of `Name = value` (a value TLC's config reads: integers,
// strings, TRUE/FALSE, model values, sets of those) and `Name <- Op` substitutions.
import { parseTlaValue, type TlaValue } from "../tla-value.ts";
import { SpecError } from "./lexer.ts";

export interface TlcConfig {
  readonly constants: ReadonlyMap<string, TlaValue>;
  /** `Name <- Op`: the constant is replaced by the operator (e.g. `AllStrings <- __all_strings`). */
  readonly substitutions: ReadonlyMap<string, string>;
}

const SECTION = /^(CONSTANTS?|INIT|NEXT|SPECIFICATION|INVARIANTS?|PROPERTY|PROPERTIES|SYMMETRY|VIEW|ALIAS|CHECK_DEADLOCK|POSTCONDITION|CONSTRAINTS?|ACTION_CONSTRAINTS?)\b/;

export function parseCfg(text: string, file: string): TlcConfig {
  const constants = new Map<string, TlaValue>();
  const substitutions = new Map<string, string>();
  let section = "";
  const lines = text.replace(/\\\*.*$/gm, "").split("\n");
  lines.forEach((raw, i) => {
    let line = raw.trim();
    const m = SECTION.exec(line);
    if (m !== null) {
      section = m[1]!.startsWith("CONSTANT") ? "CONSTANT" : m[1]!;
      line = line.slice(m[0].length).trim();
    }
    if (line === "" || section !== "CONSTANT") return;
    const sub = /^([A-Za-z_][A-Za-z0-9_]*)\s*<-\s*([A-Za-z_][A-Za-z0-9_]*)$/.exec(line);
    if (sub !== null) {
      substitutions.set(sub[1]!, sub[2]!);
      return;
    }
    const eq = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.+)$/.exec(line);
    if (eq === null) throw new SpecError(`${file}:${i + 1}: expected "Name = value" or "Name <- Op" in CONSTANTS`);
    try {
      constants.set(eq[1]!, parseTlaValue(eq[2]!));
    } catch (e) {
      throw new SpecError(`${file}:${i + 1}: ${(e as Error).message}`);
    }
  });
  return { constants, substitutions };
}
