// A run's properties: read <runDir>/antithesis-sdk, judge every property, write properties.json and
// properties.md into the run directory, and report one Vitest test per property.
import { expect, test } from "vitest";
import type { CheckResult } from "../check/checker.ts";
import type { CatalogEntry } from "./catalog.ts";
import { matchCatalog, OUTSIDE_CATALOG } from "./evaluate.ts";
import { evaluateRunProperties, systemCatalog, type CatalogedSystem, type RunProperties } from "./evaluate-run.ts";
import { describeProperty, type PropertyReport, propertyTestName } from "./report.ts";

// The evaluation itself has no Vitest in it (the run pipeline uses it outside Vitest too).
export { evaluateRunProperties, systemCatalog, type RunProperties } from "./evaluate-run.ts";

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
