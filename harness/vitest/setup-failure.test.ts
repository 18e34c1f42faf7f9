// A failing global setup reads clearly: one line naming the cause and the fix, no "No test files found", no
// filter dump, no stack for a user error, and one failing test of that system in JUnit, so CI shows it.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { childEnv, runSuiteInChild } from "./child-run.ts";

async function failedSetup(env: Record<string, string>) {
  const outcome = await runSuiteInChild({
    args: ["--project", "dqueue", "suites/dqueue/dqueue.test.ts"],
    env: childEnv(env),
    timeoutMs: 5 * 60_000,
  });
  return { outcome, junit: await readFile(outcome.junit, "utf8") };
}

describe("a global setup that fails", () => {
  test.each([
    ["a bad setting", { SETUP_TIMEOUT: "0" }, /SETUP_TIMEOUT must be a number of seconds > 0 \(got "0"\)/],
    ["a bad workload variable", { DQUEUE_ITEMS: "abc" }, /DQUEUE_ITEMS must be an integer from 1 to 100000000 \(got "abc"\)/],
    ["no Docker engine", { DOCKER_HOST: "unix:///nonexistent.sock" }, /No Docker engine answers \(.*\): run scripts\/setup\.sh as root, or start Docker\./],
  ])("%s: one line, and a failing test in JUnit", { timeout: 5 * 60_000 }, async (_what, env, cause) => {
    const { outcome, junit } = await failedSetup(env);
    expect(outcome.exitCode, outcome.output.slice(-2000)).toBe(1);
    expect(outcome.output).not.toMatch(/No test files found/);
    expect(outcome.output).not.toMatch(/filter:|include:/);
    expect(outcome.output).toMatch(new RegExp(`\\[dqueue\\] setup failed: ${cause.source}`));
    expect(outcome.output).not.toMatch(/^\s+at .*\.ts:\d+/m);
    expect(junit).toMatch(/<testsuites [^>]*tests="1" failures="1"/);
    expect(junit).toMatch(/<testcase [^>]*name="dqueue &gt; setup: dqueue"/);
    const unescaped = junit.replace(/&quot;/g, '"').replace(/&gt;/g, ">").replace(/&lt;/g, "<").replace(/&amp;/g, "&");
    expect(unescaped).toMatch(cause);
  });
});
