// A run's properties, without Vitest: read <runDir>/antithesis-sdk, judge every property, write properties.json
// and properties.md into the run directory. (run.ts turns the outcome into Vitest tests.)
import { join } from "node:path";
import fse from "fs-extra";
import { type CatalogEntry, scanModules } from "./catalog.ts";
import { evaluateAsserts, matchCatalog, type PropertyTestOutcome } from "./evaluate.ts";
import { type PropertyReport, propertiesMarkdown } from "./report.ts";
import { readSdkOutput } from "./sdk-output.ts";
import { IN_CONTAINER_TRACELINK } from "../tracelink/in-container-properties.ts";

export interface RunProperties {
  readonly properties: readonly PropertyReport[];
  readonly tests: readonly PropertyTestOutcome[];
  /** Each SDK output file: which service and process wrote it, how many processes started, how many assertions. */
  readonly files: readonly { readonly file: string; readonly service: string | undefined; readonly process: string | undefined; readonly starts: number; readonly asserts: number }[];
  readonly malformed: readonly string[];
}

/** Judges the run's SDK output against the catalog and writes properties.json and properties.md into runDir. */
export async function evaluateRunProperties(runDir: string, catalog: readonly CatalogEntry[], title: string): Promise<RunProperties> {
  const output = await readSdkOutput(join(runDir, "antithesis-sdk"));
  const properties = evaluateAsserts(output.asserts);
  const tests = matchCatalog(catalog, properties);
  const staticOnly = tests.flatMap((t) => (t.entry !== undefined && !t.properties.some((p) => properties.includes(p)) ? t.properties : []));
  const files = output.files.map((f) => ({ file: f.source.file, service: f.source.service, process: f.source.process, starts: f.starts, asserts: f.asserts }));
  const result: RunProperties = { properties: [...properties, ...staticOnly], tests, files, malformed: output.malformed };
  await fse.writeJson(join(runDir, "properties.json"), { ...result, catalog }, { spaces: 2 });
  const notes = [
    `SDK output: ${files.map((f) => `${f.file} (${f.service !== undefined ? `${f.service}/${f.process}, ` : ""}${f.asserts} assertion records)`).join("; ") || "none"}.`,
    ...(output.malformed.length > 0 ? [`Malformed lines: ${output.malformed.slice(0, 10).join("; ")}`] : []),
  ];
  await fse.writeFile(join(runDir, "properties.md"), propertiesMarkdown(title, result.properties, notes));
  return result;
}

export type CatalogedSystem = { readonly modules: readonly { readonly name: string; readonly dir: string }[]; readonly spec?: string | undefined; readonly checkout?: string | undefined };

/**
 * The catalog of a system's modules, as the property tests are named before the run; with a spec, also the two
 * properties its finally_tracelink reports (the in-container TraceLink validator).
 */
export function systemCatalog(system: CatalogedSystem): CatalogEntry[] {
  return [...scanModules(system.modules), ...(system.spec !== undefined || system.checkout !== undefined ? IN_CONTAINER_TRACELINK : [])];
}
