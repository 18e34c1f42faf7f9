// The checks must catch a bug that only faults reveal. The servers run with RAFTKVS_PLANTED_BUG=minority-commit
// (the leader counts an entry committed once it alone stores it; systems/raftkvs/raft/planted_bug.go):
//   - without faults, 3 clients × 200 operations pass every check (a run in this file);
//   - under partitions, a child run per seed (1, 2, … up to MAX_SEEDS) must fail, with the linearizability
//     check among the failures, for some seed: the expected failure is a passing test here.
// In the child (PLANTED_BUG_RUN=1) this file is just that faulted run.
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { expect, test } from "vitest";
import { partition } from "../../harness/faults/kinds.ts";
import { runSuiteInChild } from "../../harness/vitest/child-run.ts";
import { describeSystem } from "../../harness/vitest/describe-system.ts";
import raftkvs, { serverNemesis } from "../../systems/raftkvs/system.ts";

// Measured here on seeds 1–5: caught by 1, 3 and 4, not by 2 and 5 (their partitions missed the leader or
// came as the drivers ended), so 8 seeds leave about a 1% chance of a false failure.
const MAX_SEEDS = 8;
const BUG = { RAFTKVS_PLANTED_BUG: "minority-commit" };
const serviceEnv = { server1: BUG, server2: BUG, server3: BUG };
const env = { RAFTKVS_CLIENTS: "3", RAFTKVS_OPS: "200" };
// The faulted child runs more operations: with the bug a cut-off leader still answers at once, so 3 × 200 can
// end before the cluster has healed, and lost writes show only in what clients read afterwards.
const faultedEnv = { RAFTKVS_CLIENTS: "3", RAFTKVS_OPS: "600" };
const noLeaderLine = (system: typeof raftkvs) =>
  system.ready === undefined || system.checkout !== undefined ? "the planted bug is in this repository's raftkvs, not in a PGo checkout" : undefined;

if (process.env["PLANTED_BUG_RUN"] === "1") {
  // Without TraceLink, which takes about a minute on this many operations here: the point is the history check.
  describeSystem({ ...raftkvs, checks: (settings, system) => raftkvs.checks(settings, system).filter((c) => c.name !== "tracelink") }, {
    title: "raftkvs with a planted bug under partitions",
    env: faultedEnv,
    serviceEnv,
    faults: [serverNemesis("partitions", [partition({ shapes: ["one", "minority-third", "majorities-ring", "bridge", "random-halves", "leader"] })], { faultMs: [800, 1500] })],
  });
} else {
  describeSystem(raftkvs, { title: "raftkvs with a planted bug, no faults: the checks pass", env, serviceEnv, skipWhen: noLeaderLine });

  test("raftkvs with a planted bug under partitions: the checks catch it within a few seeds", async ({ skip }) => {
    const reason = noLeaderLine(raftkvs);
    if (reason !== undefined || process.env["ANTITHESIS"] === "1") return skip(reason ?? "not submitted to Antithesis");
    const tried: string[] = [];
    for (let seed = 1; seed <= MAX_SEEDS; seed++) {
      const outcome = await runSuiteInChild({
        args: ["--project", "raftkvs", "suites/raftkvs/fault-planted-bug.test.ts"],
        env: { ...process.env, ANTITHESIS: "0", PLANTED_BUG_RUN: "1", FAULT_SEED: String(seed) },
        timeoutMs: 10 * 60_000,
      });
      expect(outcome.leftovers, `left by ${outcome.project}`).toEqual({ containers: [], networks: [], volumes: [] });
      const runs = join(outcome.runsDir, "raftkvs");
      const dir = (await readdir(runs)).filter((d) => d !== "latest").sort().at(-1);
      expect(dir, `the child run (seed ${seed}) left a run directory:\n${outcome.output.slice(-2000)}`).toBeDefined();
      const results = JSON.parse(await readFile(join(runs, dir!, "results.json"), "utf8")) as {
        verdict: unknown; stages: Record<string, string>; checks: { name: string; valid: unknown }[];
      };
      // The run itself must have worked (up, workload, collect) and the faults must have been injected.
      expect(results.stages, `seed ${seed}: stages`).toMatchObject({ up: "passed", workload: "passed", collect: "passed" });
      expect(results.checks.find((c) => c.name === "faults/partitions")?.valid, `seed ${seed}: the partitions were injected and healed`).toBe(true);
      const failed = results.checks.filter((c) => c.valid === false).map((c) => c.name);
      tried.push(`seed ${seed}: ${failed.length > 0 ? failed.join(", ") : "not caught"}`);
      if (failed.includes("history/linearizable")) {
        console.log(`planted bug caught: ${tried.join("; ")}`);
        expect(outcome.exitCode, "the child run reports the failure").not.toBe(0);
        return;
      }
    }
    expect.fail(`the planted bug was not caught by history/linearizable within ${MAX_SEEDS} seeds: ${tried.join("; ")}`);
  });
}
