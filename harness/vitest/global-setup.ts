// Vitest global setup for one system. Locally: build the Go workspace and binaries, resolve the base image,
// build the images (prepare.ts). With ANTITHESIS=1: submit the system instead (harness/submit/submit.ts).
// Runs once per `vitest run`, in the main process, before any test of the system.
import type { TestProject } from "vitest/node";
import { loadSettings } from "../settings.ts";
import { submitSystem } from "../submit/submit.ts";
import type { SystemDefinition } from "../system.ts";
import { prepareSystem } from "./prepare.ts";
import { PROVIDED_KEY, SUBMIT_KEY } from "./provided.ts";

/** `export default systemGlobalSetup(system)` in suites/<name>/global-setup.ts. */
export function systemGlobalSetup(system: SystemDefinition): (project: TestProject) => Promise<void> {
  return async (project) => {
    if (loadSettings(process.env).antithesis) {
      project.provide(SUBMIT_KEY, await submitSystem(system, process.env));
      return;
    }
    project.provide(PROVIDED_KEY, await prepareSystem(system));
  };
}
