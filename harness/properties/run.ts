// A run's properties: read <runDir>/antithesis-sdk, judge every property, write properties.json and
// properties.md into the run directory, and report one Vitest test per property.
import { join } from "node:path";
import fse from "fs-extra";
import { expect, test } from "vitest";
import type { CheckResult } from "../check/checker.ts";
import { type CatalogEntry, scanModules } from "./catalog.ts";
import { evaluateAsserts, matchCatalog, OUTSIDE_CATALOG, type PropertyTestOutcome } from "./evaluate.ts";
import { describeProperty, type PropertyReport, propertiesMarkdown, propertyTestName } from "./report.ts";
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

type CatalogedSystem = { readonly modules: readonly { readonly name: string; readonly dir: string }[]; readonly spec?: string | undefined; readonly checkout?: string | undefined };

/**
 * The catalog of a system's modules, as the property tests are named before the run; with a spec, also the two
 * properties its finally_tracelink reports (the in-container TraceLink validator).
 */
export function systemCatalog(system: CatalogedSystem): CatalogEntry[] {
  return [...scanModules(system.modules), ...(system.spec !== undefined || system.checkout !== undefined ? IN_CONTAINER_TRACELINK : [])];
}

/** Fails (throws) for a failed property, skips one with no verdict; passes otherwise. Local and remote alike. */
export function assertPropertyOutcome(name: string, status: PropertyReport["status"], properties: readonly PropertyReport[], skip: (note: string) => void): void {
  const text = properties.map(describeProperty).join("\n");
  if (status === "failed") throw new Error(`property "${name}" failed:\n${properties.filter((p) => p.status === "failed").map(describeProperty).join("\n")}`);
  if (status === "not-reached" || status === "not-applicable") return skip(text);
  expect(status, text).toBe("passed");
}

export interface PropertyTestsOptions {
  /** The run directory once the SDK output has been collected into it, else undefined (then the tests skip). */
  readonly runDir: () => string | undefined;
  readonly title: string;
  /** Each property test's result, for the run's results.json. */
  readonly onResult?: (result: CheckResult) => void;
}

/**
 * Registers one test per property of the catalog (`property: <message>`) and one for assertions outside it.
 * Call inside the system's describe block, after the collect test; the first test evaluates the run.
 */
export function registerPropertyTests(system: CatalogedSystem & { readonly name: string }, opts: PropertyTestsOptions): void {
  let catalog: CatalogEntry[];
  try {
    catalog = systemCatalog(system);
  } catch (err) {
    // Collection must not die with it: the one test says why there are no property tests.
    const reason = err instanceof Error ? err.message : String(err);
    test("properties: the source catalog", () => {
      throw new Error(`the assertions of ${system.name} could not be cataloged from its sources: ${reason}`);
    });
    return;
  }
  let evaluated: Promise<RunProperties> | undefined;
  const names = [...new Set(matchCatalog(catalog, []).map((t) => t.name))];
  for (const name of names) {
      test(name === OUTSIDE_CATALOG ? `properties: ${OUTSIDE_CATALOG}` : propertyTestName(name), async ({ skip, annotate }) => {
        const runDir = opts.runDir();
        if (runDir === undefined) return skip("the SDK output was not collected");
        evaluated ??= evaluateRunProperties(runDir, catalog, opts.title);
        const outcome = (await evaluated).tests.find((t) => t.name === name)!;
        if (name === OUTSIDE_CATALOG && outcome.properties.length === 0) return skip("every assertion of the run is in the source catalog");
        const summary = outcome.properties.map(describeProperty).join("\n");
        await annotate(summary);
        opts.onResult?.({
          name: `property/${name}`,
          valid: outcome.status === "failed" ? false : outcome.status === "passed" ? true : "unknown",
          summary,
          ...(outcome.status === "not-reached" || outcome.status === "not-applicable" ? { skipped: summary } : {}),
          details: outcome.properties,
        });
        assertPropertyOutcome(name, outcome.status, outcome.properties, skip);
      });
  }
}
