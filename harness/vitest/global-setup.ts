// Vitest global setup for one system. Locally: the prepare stages (build, base image, images; harness/run).
// With ANTITHESIS=1: submit the system instead (harness/submit/submit.ts).
// Runs once per `vitest run`, in the main process, before any test of the system. A failure here (no Docker, no
// Go, a bad setting) is printed as one line and handed to the suite, which reports it as a failing test — so
// JUnit shows it — instead of Vitest's "No test files found".
import { stderr } from "node:process";
import type { TestProject } from "vitest/node";
import { AntithesisSettingsError } from "../antithesis/settings.ts";
import { GoBuildError } from "../gobuild/go.ts";
import { resolveContext } from "../run/context.ts";
import { prepareSystem } from "../run/prepare.ts";
import { SettingsError } from "../settings.ts";
import { DefinitionError, WorkloadEnvError, type SystemDefinition } from "../system.ts";
import { watchParent } from "../run/parent-watch.ts";
import { PROVIDED_KEY, SETUP_FAILED_KEY, SUBMIT_KEY } from "./provided.ts";

/** Errors that are the user's to fix: their message is the whole story, no stack. */
export function isUserError(err: unknown): boolean {
  return (
    err instanceof SettingsError ||
    err instanceof AntithesisSettingsError ||
    err instanceof DefinitionError ||
    err instanceof WorkloadEnvError ||
    err instanceof GoBuildError ||
    (err instanceof Error && err.message.startsWith("No Docker engine answers"))
  );
}

/** `export default systemGlobalSetup(system)` in suites/<name>/global-setup.ts. */
export function systemGlobalSetup(system: SystemDefinition): (project: TestProject) => Promise<void> {
  return async (project) => {
    watchParent();
    try {
      if (process.env["ANTITHESIS"] === "1" || process.env["ANTITHESIS"] === "true") {
        // submitSystem resolves its own context: a bad setting is its first stage's failure, reported as a test.
        // Loaded only here: a local run's global setup (every warm run) has no use for the submission code.
        const { submitSystem } = await import("../submit/submit.ts");
        project.provide(SUBMIT_KEY, await submitSystem(system, process.env));
        return;
      }
      project.provide(PROVIDED_KEY, await prepareSystem(resolveContext(system, process.env)));
    } catch (err) {
      const message = isUserError(err) ? (err as Error).message : err instanceof Error ? (err.stack ?? err.message) : String(err);
      stderr.write(`[${system.name}] setup failed: ${message}\n`);
      project.provide(SETUP_FAILED_KEY, { system: system.name, message });
    }
  };
}
