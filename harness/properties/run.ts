// A run's properties as Vitest sees them: one test per property (harness/vitest/describe-system.ts registers
// them; describe-submission.ts for Antithesis's own), each passing, failing or skipped as below.
import { expect } from "vitest";
import { describeProperty, type PropertyReport } from "./report.ts";

// The evaluation itself has no Vitest in it (the run pipeline uses it outside Vitest too).
export { evaluateRunProperties, systemCatalog, type RunProperties } from "./evaluate-run.ts";

/** Fails (throws) for a failed property, skips one with no verdict; passes otherwise. Local and remote alike. */
export function assertPropertyOutcome(name: string, status: PropertyReport["status"], properties: readonly PropertyReport[], skip: (note: string) => void): void {
  const text = properties.map(describeProperty).join("\n");
  if (status === "failed") throw new Error(`property "${name}" failed:\n${properties.filter((p) => p.status === "failed").map(describeProperty).join("\n")}`);
  if (status === "not-reached" || status === "not-applicable") return skip(text);
  expect(status, text).toBe("passed");
}
