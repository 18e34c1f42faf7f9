// The run never outlives its caller (issue 20, row 4): `npx vitest run …` killed with SIGTERM exits at once
// without passing the signal on; the Vitest process it leaves behind notices that its parent is gone and tears
// the run down. The same for `npx pgo-harness run`.
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { execa } from "execa";
import { describe, expect, test } from "vitest";
import { testDir } from "../testing/temp.ts";
import { listProject, type Leftovers } from "../docker/project.ts";
import { projectRoot } from "../paths.ts";
import { childEnv } from "./child-run.ts";

const WORKLOAD_STARTED = /\/workload\/.*\] Running \/opt\/antithesis\/test\/v1\//;
const nothing: Leftovers = { containers: [], networks: [], volumes: [] };

async function orphan(args: string[]): Promise<{ project: string; leftovers: Leftovers; output: string }> {
  const dir = await testDir("orphan-");
  const npx = execa("npx", args, {
    cwd: projectRoot,
    env: childEnv({ DQUEUE_ITEMS: "1000000", TMPDIR: dir, PGO_HARNESS_RUNS_DIR: dir, PGO_HARNESS_REPORTS_DIR: join(dir, "reports"), FORCE_COLOR: "0" }),
    extendEnv: false,
    all: true,
    reject: false,
    // The pipe stays open while the orphan writes to it; do not wait for it past the kill.
    buffer: false,
  });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the workload did not start:\n${output.slice(-2000)}`)), 5 * 60_000);
    npx.all?.on("data", (d: Buffer) => {
      output += stripVTControlCharacters(d.toString());
      if (WORKLOAD_STARTED.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  const project = /Starting compose project (pgoh-[a-z0-9_-]+)/.exec(output)![1]!;
  // Only npx's own exit is awaited: the orphan keeps the output pipe open for as long as it runs.
  const pid = npx.pid!;
  npx.catch(() => undefined);
  npx.kill("SIGTERM");
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
  expect(alive(), "npx exits at once on SIGTERM").toBe(false);
  // Before the fix the orphan kept going until its workload ended (minutes here; up to WORKLOAD_TIMEOUT);
  // now it stops within seconds. One minute is allowed.
  let leftovers = await listProject(project);
  for (let i = 0; i < 120 && leftovers.containers.length + leftovers.networks.length + leftovers.volumes.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 500));
    leftovers = await listProject(project);
  }
  return { project, leftovers, output };
}

describe("SIGTERM to an npx wrapper", () => {
  test("npx vitest run: the orphaned run tears down within a minute", { timeout: 10 * 60_000 }, async () => {
    const r = await orphan(["vitest", "run", "--project", "dqueue", "suites/dqueue/dqueue.test.ts"]);
    expect(r.leftovers, `left by ${r.project}`).toEqual(nothing);
  });

  test("npx pgo-harness run: the orphaned run tears down within a minute", { timeout: 10 * 60_000 }, async () => {
    const r = await orphan(["pgo-harness", "run", "dqueue"]);
    expect(r.leftovers, `left by ${r.project}`).toEqual(nothing);
  });
});
