// A run whose driver fails: the failure names the command, its exit code and where the container logs are,
// and the run still ends with down -v (nothing left on the engine).
import { readdir } from "node:fs/promises";
import { expect, test } from "vitest";
import { childEnv, runSuiteInChild } from "./child-run.ts";

test("a failing driver fails the run with the logs' location, and nothing is left behind", async () => {
  const outcome = await runSuiteInChild({
    args: ["--config", "harness/vitest/fixtures/failing/vitest.config.ts"],
    env: childEnv(), // a local run, also under ANTITHESIS=1
    timeoutMs: 10 * 60_000,
  });
  expect(outcome.exitCode, outcome.output.slice(-3000)).toBe(1);
  expect(outcome.output).toMatch(/workload failed: singleton_driver_fail \(in app\) exited with code 3/);
  expect(outcome.output).toContain("driver: about to fail");
  const logsDir = /container logs: (\S+)/.exec(outcome.output)?.[1];
  expect(logsDir, "the failure message says where the logs are").toBeDefined();
  expect(await readdir(logsDir!)).toContain("app.log");
  expect(outcome.leftovers, `left by ${outcome.project}`).toEqual({ containers: [], networks: [], volumes: [] });
});
