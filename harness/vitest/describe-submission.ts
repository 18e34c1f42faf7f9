// ANTITHESIS=1: what a suite file reports instead of a local run. The system was submitted once by the global
// setup (harness/submit/submit.ts); its main suite file reports the launch as one test named with the run id
// (or the failed stage and its one-line reason), and with ANTITHESIS_WAIT=1 one test per Antithesis property,
// `property: <name>` as for local runs.
// Variant files (their own title, env or faults) are local experiments: reported as skipped.
import { describe, expect, inject, test } from "vitest";
import { assertPropertyOutcome } from "../properties/run.ts";
import { propertyTestName } from "../properties/report.ts";
import type { SubmitOutcome } from "../submit/submit.ts";
import type { SystemDefinition } from "../system.ts";
import { SUBMIT_KEY } from "./provided.ts";

export function describeSubmission(system: SystemDefinition, variant: string | undefined): void {
  describe(`${system.name} on Antithesis`, () => {
    if (variant !== undefined) {
      test(`${variant}: not submitted`, ({ skip }) =>
        skip("ANTITHESIS=1 submits each system once, from its main suite file; variants (title, env, faults) run locally only"));
      return;
    }
    const outcome = inject(SUBMIT_KEY);
    test(launchTestName(outcome), () => {
      if (!outcome.ok) {
        throw new Error(`${outcome.stage} failed: ${outcome.error}${outcome.runDir !== undefined ? `\nsubmission record: ${outcome.runDir}/submit.json` : ""}`);
      }
      expect(outcome.configImage).toMatch(/@sha256:[0-9a-f]{64}$/);
      for (const ref of outcome.images) expect(ref).toMatch(/@sha256:[0-9a-f]{64}$/);
    });
    if (outcome.ok && outcome.run !== undefined) {
      const report = outcome.run.triageReport;
      test(`antithesis: run ${outcome.runId ?? ""} ended ${outcome.run.status}`, () => {
        expect(outcome.run?.status, report !== undefined ? `triage report: ${report}` : "").toBe("completed");
      });
    }
    // The same test names and messages as a local run's properties (harness/properties).
    for (const property of (outcome.ok ? outcome.properties : undefined) ?? []) {
      test(propertyTestName(property.name), ({ skip }) => assertPropertyOutcome(property.name, property.status, [property], skip));
    }
  });
}

/** The launch's test name (submit/submit.ts is not imported for it: every local run loads this file). */
export function launchTestName(outcome: SubmitOutcome): string {
  return outcome.ok ? `antithesis: ${outcome.system} launched run ${outcome.runId ?? "(no run id)"}` : `antithesis: ${outcome.system} submission`;
}
