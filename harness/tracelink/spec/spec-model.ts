// What PGo's tracegen infers from a spec (InferFromMPCal): for each `Archetype.name` a trace can mention,
// whether it is a local (state variable indexed by self), a global (state variable) or a resource behind a
// mapping macro (the macro's read/write body over one state variable). The naming follows tracegen exactly,
// including its renaming of locals that collide (`idx`, `idx0`, …).
import { readFileSync } from "node:fs";
import { canonical, type TlaValue } from "../tla-value.ts";
import { parseCfg } from "./cfg.ts";
import { Evaluator, type State, type Val } from "./eval.ts";
import { SpecError } from "./lexer.ts";
import { parseModule, type TlaModule } from "./module.ts";
import { parseMpcal, type MappingMacro, type MpcalBlock } from "./mpcal.ts";
import { EvalError, makeSet, normalize } from "./values.ts";

export type SpecVar =
  | { readonly kind: "local" | "global"; readonly tlaVar: string }
  | { readonly kind: "mapping"; readonly prefix: string; readonly macro: MappingMacro; readonly stateVar: string; readonly mappingCount: number };

export interface SpecModel {
  readonly file: string;
  readonly lines: readonly string[];
  readonly module: TlaModule;
  readonly mpcal: MpcalBlock;
  readonly evaluator: Evaluator;
  /** Keyed `Archetype.name`, plus `.pc`. */
  readonly vars: ReadonlyMap<string, SpecVar>;
  readonly init: State;
}

export interface LoadOptions {
  /** The .cfg fragment with the constants (PGo: `<spec>Validate.cfg` beside the spec). */
  readonly cfgText?: string | undefined;
  readonly cfgFile?: string | undefined;
  /** Strings of the run's records, for `X <- __all_strings` substitutions. */
  readonly allStrings?: () => readonly string[];
}

export function loadSpec(file: string, opts: LoadOptions = {}): SpecModel {
  const text = readFileSync(file, "utf8");
  return specFromText(text, file, opts);
}

export function specFromText(text: string, file: string, opts: LoadOptions = {}): SpecModel {
  const module = parseModule(text, file);
  const mpcal = parseMpcal(text, file);
  const cfg = opts.cfgText === undefined ? undefined : parseCfg(opts.cfgText, opts.cfgFile ?? "cfg");
  const constants = new Map<string, Val>();
  for (const [k, v] of cfg?.constants ?? []) constants.set(k, normalize(v));
  constants.set("defaultInitValue", { kind: "model", name: "defaultInitValue" });
  for (const [k, op] of cfg?.substitutions ?? []) {
    if (op !== "__all_strings") throw new SpecError(`${opts.cfgFile ?? "cfg"}: the substitution ${k} <- ${op} is not supported`);
    const strings = opts.allStrings?.() ?? [];
    constants.set(k, makeSet(strings.map((s) => ({ kind: "string", value: s }) as TlaValue)));
  }
  const evaluator = new Evaluator(module, constants);
  const vars = inferVars(mpcal, file);
  for (const [name, v] of vars) {
    const target = v.kind === "mapping" ? v.stateVar : v.tlaVar;
    if (!module.variables.includes(target)) throw new SpecError(`${file}: ${name} maps to ${target}, which is not a VARIABLE of the translation`);
  }
  let init: State;
  try {
    init = evaluator.initialState();
  } catch (e) {
    if (e instanceof EvalError) throw new SpecError(e.message);
    throw e;
  }
  return { file, lines: text.split("\n"), module, mpcal, evaluator, vars, init };
}

function inferVars(mpcal: MpcalBlock, file: string): Map<string, SpecVar> {
  const vars = new Map<string, SpecVar>();
  vars.set(".pc", { kind: "local", tlaVar: "pc" });
  for (const a of mpcal.archetypes.values()) {
    for (const p of a.params) vars.set(`${a.name}.${p.name}`, p.ref ? { kind: "global", tlaVar: "" } : { kind: "local", tlaVar: p.name });
    for (const l of a.locals) vars.set(`${a.name}.${l}`, { kind: "local", tlaVar: l });
  }
  const localIdx = new Map<string, number>();
  const addLocalIdx = (name: string): string => {
    const i = localIdx.get(name);
    if (i === undefined) {
      localIdx.set(name, 0);
      return name;
    }
    localIdx.set(name, i + 1);
    return `${name}${i}`;
  };
  for (const g of mpcal.globals) addLocalIdx(g);
  const archOf = (arch: string, line: number) => {
    const a = mpcal.archetypes.get(arch);
    if (a === undefined) throw new SpecError(`${file}:${line}: instance of unknown archetype ${arch}`);
    return a;
  };
  for (const inst of mpcal.instances) {
    const a = archOf(inst.archetype, inst.line);
    for (const name of [...a.params.filter((p) => !p.ref).map((p) => p.name), ...a.locals]) {
      const key = `${a.name}.${name}`;
      const v = vars.get(key)!;
      if (v.kind === "local") vars.set(key, { kind: "local", tlaVar: addLocalIdx(v.tlaVar) });
    }
    const mapped = new Set(inst.mappings.map((m) => m.position));
    a.params
      .map((p, i) => [p, i] as const)
      .filter(([p, i]) => p.ref && !mapped.has(i))
      .sort(([x], [y]) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))
      .forEach(([p, i]) => {
        const arg = inst.args[i];
        if (arg === undefined) throw new SpecError(`${file}:${inst.line}: instance of ${a.name} lacks argument ${i + 1}`);
        vars.set(`${a.name}.${p.name}`, arg.ref ? { kind: "global", tlaVar: arg.name } : { kind: "local", tlaVar: p.name });
      });
  }
  for (const inst of mpcal.instances) {
    const a = archOf(inst.archetype, inst.line);
    for (const m of inst.mappings) {
      const p = a.params[m.position];
      if (p === undefined) throw new SpecError(`${file}:${inst.line}: mapping of parameter ${m.position + 1}, which ${a.name} does not have`);
      const arg = inst.args[m.position];
      const macro = mpcal.macros.get(m.macro);
      if (macro === undefined) throw new SpecError(`${file}:${inst.line}: unknown mapping macro ${m.macro}`);
      const stateVar = arg !== undefined && arg.ref ? arg.name : addLocalIdx(p.name);
      vars.set(`${a.name}.${p.name}`, { kind: "mapping", prefix: `${a.name}_${p.name}`, macro, stateVar, mappingCount: m.count });
    }
  }
  for (const [k, v] of vars) if (v.kind === "global" && v.tlaVar === "") vars.delete(k);
  return vars;
}

/** The state as one TLA+ record value (for hashing and display). */
export function stateValue(s: State): TlaValue {
  return { kind: "record", fields: new Map(Object.entries(s)) };
}

export function stateKey(s: State): string {
  return canonical(stateValue(s));
}
