// Vitest global setup for one system. Locally: the prepare stages (build, base image, images; harness/run).
// With ANTITHESIS=1: submit the system instead (harness/submit/submit.ts).
// Runs once per `vitest run`, in the main process, before any test of the system.
import type { TestProject } from "vitest/node";
import { resolveContext } from "../run/context.ts";
import { prepareSystem } from "../run/prepare.ts";
import { submitSystem } from "../submit/submit.ts";
import type { SystemDefinition } from "../system.ts";
import { PROVIDED_KEY, SUBMIT_KEY } from "./provided.ts";

/** `export default systemGlobalSetup(system)` in suites/<name>/global-setup.ts. */
export function systemGlobalSetup(system: SystemDefinition): (project: TestProject) => Promise<void> {
  return async (project) => {
    if (process.env["ANTITHESIS"] === "1" || process.env["ANTITHESIS"] === "true") {
      // submitSystem resolves its own context: a bad setting is its first stage's failure, reported as a test.
      project.provide(SUBMIT_KEY, await submitSystem(system, process.env));
      return;
    }
    project.provide(PROVIDED_KEY, await prepareSystem(resolveContext(system, process.env)));
  };
}
