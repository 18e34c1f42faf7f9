// A server that dies mid-workload fails the run, named with its exit code, signal and time, with its log kept —
// even though the clients cope and every check passes (issue 20, row 1). A fault that says what it killed is
// planned and does not count.
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { expect, test } from "vitest";
import { testDir } from "../testing/temp.ts";
import raftkvs from "../../systems/raftkvs/system.ts";
import { projectName } from "../compose/up.ts";
import { listProject } from "../docker/project.ts";
import type { Fault } from "../faults/fault.ts";
import { resolveContext } from "./context.ts";
import { runPipeline } from "./pipeline.ts";
import { variant } from "./variant.ts";

/** Kills a follower once the drivers print something; `declare` says whether it reports what it killed. */
function killFollower(declare: boolean): Fault {
  return {
    name: declare ? "kill a follower (planned)" : "something kills a follower",
    async inject(cluster, ctx) {
      while (ctx.driverOutput().length < 5 && !ctx.signal.aborted) await new Promise((r) => setTimeout(r, 50));
      const leader = /server(\d)/.exec((await Promise.all([1, 2, 3].map(async (i) => ((await cluster.logs(`server${i}`)).includes("became leader") ? `server${i}` : "")))).join(" "))?.[0];
      const victim = ["server1", "server2", "server3"].find((s) => s !== leader)!;
      await cluster.kill(victim, "SIGKILL");
      return declare ? { killed: victim } : { note: "an outside kill, as by a panic or the OOM killer" };
    },
  };
}

async function run(declare: boolean) {
  const runsDir = await testDir("exits-runs-");
  // About exits, not TraceLink: the design check on a run with a server killed mid-section runs to its 180 s budget.
  const system = { ...raftkvs, checks: (...a: Parameters<typeof raftkvs.checks>) => raftkvs.checks(...a).filter((c) => c.name !== "tracelink/spec") };
  const ctx = resolveContext(system, { ...process.env, ANTITHESIS: "0", PGO_HARNESS_RUNS_DIR: runsDir, RAFTKVS_OPS: "300", RAFTKVS_CLIENTS: "1" }, { write: () => undefined });
  const result = await runPipeline(ctx, { variant: variant(ctx.system, { faults: [killFollower(declare)] }), rerun: "(test)" });
  expect(await listProject(projectName("raftkvs", result.run!.id))).toEqual({ containers: [], networks: [], volumes: [] });
  return result;
}

test("a server killed mid-workload by no planned fault fails the run, named, with its log kept", { timeout: 600_000 }, async () => {
  const result = await run(false);
  expect(result.stages.workload?.status, result.error?.message).toBe("passed");
  expect(result.stages.exits?.status).toBe("failed");
  expect(result.error?.message).toMatch(/^exits failed: service "server\d" exited and no planned fault stopped it: exit code 137 \(SIGKILL\), at 20\d\d-/);
  expect(result.verdict).toBe(false);
  const victim = /service "(server\d)"/.exec(result.error!.message)![1]!;
  expect(await readdir(join(result.run!.dir, "logs"))).toContain(`${victim}.log`);
});

test("the same kill, reported by the fault that made it, is planned: the run passes", { timeout: 600_000 }, async () => {
  const result = await run(true);
  expect(result.error?.message).toBeUndefined();
  expect(result.stages.exits?.status).toBe("passed");
});
