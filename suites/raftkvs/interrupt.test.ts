// Ctrl-C (or a CI runner's SIGTERM) during the workload must leave nothing behind: no container, network or
// volume of the run.
import { expect, test } from "vitest";
import { runSuiteInChild } from "../../harness/vitest/child-run.ts";

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  test(`a run interrupted with ${signal} during the workload leaves no container, network or volume`, async () => {
    const outcome = await runSuiteInChild({
      args: ["--project", "raftkvs", "suites/raftkvs/raftkvs.test.ts"],
      // Enough items that the driver is still running when the signal arrives.
      // A local run even under ANTITHESIS=1: interrupting a submission is not what this proves.
      env: { ...process.env, ANTITHESIS: "0", RAFTKVS_OPS: "1000000" },
      interruptWith: signal,
      timeoutMs: 10 * 60_000,
    });
    expect(outcome.project, "the child run started a compose project").toBeDefined();
    expect(outcome.exitCode === 0 && outcome.signal === undefined, "the interrupted run must not report success").toBe(false);
    expect(outcome.leftovers, `left by ${outcome.project}`).toEqual({ containers: [], networks: [], volumes: [] });
  });
}
