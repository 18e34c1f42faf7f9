// The checks must catch a bug that only faults reveal to a black-box check. The servers run with
// RAFTKVS_PLANTED_BUG=minority-commit (the leader counts an entry committed once it alone stores it;
// systems/raftkvs/raft/planted_bug.go). Each run is a child Vitest run of this file (PLANTED_BUG_RUN=1), judged
// from its results.json; the expected failures are passing tests here:
//   - without faults, 3 clients × 200 operations: every client request is answered and the history is
//     linearizable; only the design check (TraceLink against the spec, in finally_tracelink) sees the commit
//     rule broken, and must;
//   - under partitions, seeds 1, 2, … up to MAX_SEEDS: the linearizability check must fail for some seed.
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { expect, test } from "vitest";
import { partition } from "../../harness/faults/kinds.ts";
import { runSuiteInChild } from "../../harness/vitest/child-run.ts";
import { describeSystem } from "../../harness/vitest/describe-system.ts";
import { forCheckout, loadSettings } from "../../harness/index.ts";
import raftkvs, { serverNemesis } from "../../systems/raftkvs/system.ts";

// Measured here on seeds 1–5: caught by 1, 3 and 4, not by 2 and 5 (their partitions missed the leader or
// came as the drivers ended), so 8 seeds leave about a 1% chance of a false failure.
const MAX_SEEDS = 8;
const BUG = { RAFTKVS_PLANTED_BUG: "minority-commit" };
const DESIGN = "property/TraceLink: the traces are a behaviour of the design";

interface ChildResults {
  readonly stages: Record<string, string>;
  readonly checks: readonly { name: string; valid: unknown; summary?: string }[];
}

if (process.env["PLANTED_BUG_RUN"] === "1") {
  const faulted = process.env["FAULT_SEED"] !== undefined;
  // Without TraceLink's structural checks, which take about a minute on 3 × 600 operations here: the point
  // is the history check. The faulted run does more operations: with the bug a cut-off leader still answers at
  // once, so 3 × 200 can end before the cluster has healed, and lost writes show only in later reads.
  describeSystem(faulted ? { ...raftkvs, checks: (settings, system) => raftkvs.checks(settings, system).filter((c) => c.name !== "tracelink") } : raftkvs, {
    title: `raftkvs with a planted bug${faulted ? " under partitions" : ""}`,
    env: { RAFTKVS_CLIENTS: "3", RAFTKVS_OPS: faulted ? "600" : "200", COMPOSER_REGIMES: "parallel", COMPOSER_COPIES: "3" },
    serviceEnv: { server1: BUG, server2: BUG, server3: BUG },
    faults: faulted
      ? [serverNemesis("partitions", [partition({ shapes: ["one", "minority-third", "majorities-ring", "bridge", "random-halves", "leader"] })], { faultMs: [800, 1500] })]
      : [],
  });
} else {
  const notHere = () =>
    process.env["ANTITHESIS"] === "1" ? "not submitted to Antithesis"
    : forCheckout(raftkvs, loadSettings(process.env).pgoDir).checkout !== undefined ? "the planted bug is in this repository's raftkvs, not in a PGo checkout"
    : undefined;

  async function child(seed: number | undefined): Promise<{ results: ChildResults; exitCode: number | undefined }> {
    const env: Record<string, string | undefined> = { ...process.env, ANTITHESIS: "0", PLANTED_BUG_RUN: "1" };
    if (seed !== undefined) env["FAULT_SEED"] = String(seed);
    else delete env["FAULT_SEED"];
    const outcome = await runSuiteInChild({ args: ["--project", "raftkvs", "suites/raftkvs/fault-planted-bug.test.ts"], env, timeoutMs: 10 * 60_000 });
    expect(outcome.leftovers, `left by ${outcome.project}`).toEqual({ containers: [], networks: [], volumes: [] });
    const runs = join(outcome.runsDir, "raftkvs");
    const dir = (await readdir(runs)).filter((d) => d !== "latest").sort().at(-1);
    expect(dir, `the child run left a run directory:\n${outcome.output.slice(-2000)}`).toBeDefined();
    const results = JSON.parse(await readFile(join(runs, dir!, "results.json"), "utf8")) as ChildResults;
    // The run itself worked: the cluster came up and the traces were collected.
    expect(results.stages, "stages").toMatchObject({ up: "passed", collect: "passed" });
    return { results, exitCode: outcome.exitCode };
  }
  const verdict = (r: ChildResults, name: string) => r.checks.find((c) => c.name === name)?.valid;

  test("raftkvs with a planted bug, no faults: answered and linearizable; only the design check sees it", async ({ skip }) => {
    const reason = notHere();
    if (reason !== undefined) return skip(reason);
    const { results } = await child(undefined);
    expect(verdict(results, "raftkvs/every-request-answered"), "every request answered").toBe(true);
    expect(verdict(results, "history/linearizable"), "the history is linearizable").toBe(true);
    expect(verdict(results, DESIGN), "TraceLink against the design sees the leader commit alone").toBe(false);
  });

  test("raftkvs with a planted bug under partitions: the linearizability check catches it within a few seeds", async ({ skip }) => {
    const reason = notHere();
    if (reason !== undefined) return skip(reason);
    const tried: string[] = [];
    for (let seed = 1; seed <= MAX_SEEDS; seed++) {
      const { results, exitCode } = await child(seed);
      expect(verdict(results, "faults/partitions"), `seed ${seed}: the partitions were injected and healed`).toBe(true);
      const failed = results.checks.filter((c) => c.valid === false).map((c) => c.name);
      tried.push(`seed ${seed}: ${failed.length > 0 ? failed.join(", ") : "nothing failed"}`);
      if (failed.includes("history/linearizable")) {
        console.log(`planted bug caught: ${tried.join("; ")}`);
        expect(exitCode, "the child run reports the failure").not.toBe(0);
        return;
      }
    }
    expect.fail(`the planted bug was not caught by history/linearizable within ${MAX_SEEDS} seeds: ${tried.join("; ")}`);
  });
}
