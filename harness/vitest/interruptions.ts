// Ctrl-C (or a CI runner's SIGTERM) during the workload must leave nothing behind: no container, network or
// volume of the run. One call per system's suite, with a workload long enough to still be running when the
// signal arrives.
import { expect, inject, test } from "vitest";
import { SETUP_FAILED_KEY, SUBMIT_KEY } from "./provided.ts";
import { childEnv, runSuiteInChild } from "./child-run.ts";

export interface InterruptionOptions {
  /** The Vitest project (the system's suite folder) and the suite file to run in the child. */
  readonly project: string;
  readonly file: string;
  /** Workload env that keeps the drivers busy long enough, e.g. { RAFTKVS_OPS: "1000000" }. */
  readonly env: Readonly<Record<string, string>>;
}

export function testInterruptions(opts: InterruptionOptions): void {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    test(`a run interrupted with ${signal} during the workload leaves no container, network or volume`, async ({ skip }) => {
      if (inject(SUBMIT_KEY) !== undefined) return skip("ANTITHESIS=1 submits the system; interrupting a local run is tested without it");
      const failed = inject(SETUP_FAILED_KEY);
      if (failed !== undefined) return skip(`the system's setup failed: ${failed.message.split("\n")[0]}`);
      const outcome = await runSuiteInChild({
        args: ["--project", opts.project, opts.file],
        // A local run even under ANTITHESIS=1: interrupting a submission is not what this proves.
        env: childEnv(opts.env),
        interruptWith: signal,
        timeoutMs: 10 * 60_000,
      });
      expect(outcome.project, "the child run started a compose project").toBeDefined();
      expect(outcome.exitCode === 0 && outcome.signal === undefined, "the interrupted run must not report success").toBe(false);
      expect(outcome.leftovers, `left by ${outcome.project}`).toEqual({ containers: [], networks: [], volumes: [] });
    });
  }
}
