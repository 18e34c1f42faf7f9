// `trace validate --spec`: a run checked against its MPCal design, natively (see validate.ts for the semantics).
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { incarnations, readIncarnations } from "../reader.ts";
import type { TlaValue } from "../tla-value.ts";
import { SpecError } from "./lexer.ts";
import { loadSpec, type SpecModel } from "./spec-model.ts";
import { parsed, validateRun, type TraceEntry, type ValidateOptions, type Verdict } from "./validate.ts";

export { SpecError } from "./lexer.ts";
export { EvalError } from "./values.ts";
export { loadSpec, specFromText, type SpecModel } from "./spec-model.ts";
export { validateRun, type TraceEntry, type ValidateOptions, type Verdict } from "./validate.ts";

/** PGo's convention: the constants of `<dir>/<name>.tla` are in `<dir>/<name>Validate.cfg`. */
export function defaultCfgFor(spec: string): string | undefined {
  const cfg = join(dirname(spec), `${basename(spec, ".tla")}Validate.cfg`);
  return existsSync(cfg) ? cfg : undefined;
}

/** The records of the files, each instance's files (its incarnations) in order of n, each record with its incarnation. */
export async function readEntries(files: readonly string[]): Promise<TraceEntry[]> {
  const out: TraceEntry[] = [];
  for (const group of incarnations(files)) {
    for await (const { file, line, record, incarnation } of readIncarnations(group.files)) out.push(incarnation === 0 ? { file, line, record } : { file, line, record, incarnation });
  }
  return out;
}

/** Every string in the records as tracegen serialises them (for `AllStrings <- __all_strings`). */
export function allStringsOf(entries: readonly TraceEntry[]): string[] {
  const acc = new Set(["pc", "self", "clock", "isAbort", "elems", "startTime", "endTime", "name", "value", "stateName", "indices", "tag", "oldValue", "read", "write"]);
  const walk = (v: TlaValue): void => {
    switch (v.kind) {
      case "string":
        acc.add(v.value);
        return;
      case "set":
      case "seq":
        v.items.forEach(walk);
        return;
      case "record":
        for (const [k, x] of v.fields) {
          acc.add(k);
          walk(x);
        }
        return;
      case "function":
        for (const [k, x] of v.pairs) {
          walk(k);
          walk(x);
        }
        return;
    }
  };
  for (const { record } of entries) {
    const label = record.csElements[0]!.value.replace(/^"|"$/g, "").split(".");
    acc.add(label[label.length - 1]!);
    walk(parsed(record.self));
    for (const el of record.csElements) {
      acc.add(el.name.name === ".pc" ? ".pc" : `${record.archetypeName}.${el.name.name}`);
      if (el.name.name !== ".pc") {
        walk(parsed(el.value));
        if (el.oldValue !== undefined && el.oldValue !== "defaultInitValue") walk(parsed(el.oldValue));
      } else acc.add(el.value.replace(/^"|"$/g, "").split(".").pop()!);
      el.indices.forEach((i) => walk(parsed(i)));
    }
  }
  return [...acc];
}

export interface ValidateFilesResult {
  readonly verdict: Verdict;
  readonly spec: SpecModel;
}

/** Loads the spec (and its cfg) and validates the given trace files. SpecError: the spec is not understood. */
export async function validateFiles(specFile: string, cfgFile: string | undefined, files: readonly string[], opts: ValidateOptions = {}): Promise<ValidateFilesResult> {
  const entries = await readEntries(files);
  if (entries.length === 0) throw new SpecError("no records in the trace files");
  const cfg = cfgFile ?? defaultCfgFor(specFile);
  const spec = loadSpec(specFile, {
    cfgText: cfg === undefined ? undefined : readFileSync(cfg, "utf8"),
    cfgFile: cfg,
    allStrings: () => allStringsOf(entries),
  });
  return { verdict: validateRun(spec, entries, opts), spec };
}
