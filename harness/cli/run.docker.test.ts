// `pgo-harness run` end to end, as a user types it: raftkvs passes (exit 0) and leaves nothing behind; a variant
// from a suite file keeps its own `latest` and its rerun command; a failing run exits 1; bad usage exits 2.
import { readFile, readlink } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, test } from "vitest";
import { testDir } from "../testing/temp.ts";
import { listProject } from "../docker/project.ts";
import { projectRoot } from "../paths.ts";
import { childEnv } from "../vitest/child-run.ts";

async function cli(args: string[], runsDir: string) {
  const r = await execa(process.execPath, [join(projectRoot, "harness/cli/pgo-harness.mjs"), ...args], {
    cwd: projectRoot,
    env: childEnv({ PGO_HARNESS_RUNS_DIR: runsDir, RAFTKVS_OPS: "", RAFTKVS_CLIENTS: "", DQUEUE_ITEMS: "" }),
    reject: false,
    all: true,
    timeout: 10 * 60_000,
  });
  const project = /Starting compose project (pgoh-[a-z0-9_-]+)/.exec(r.all ?? "")?.[1];
  return { code: r.exitCode, out: r.all ?? "", stdout: r.stdout, project };
}

describe("pgo-harness run", () => {
  test("raftkvs passes, prints the stage lines and the verdict, and leaves nothing behind", { timeout: 600_000 }, async () => {
    const runsDir = await testDir("cli-runs-");
    const r = await cli(["run", "raftkvs"], runsDir);
    expect(r.code, r.out.slice(-3000)).toBe(0);
    for (const stage of ["prepare", "up", "setup-complete", "ready", "workload", "collect", "checks", "down"]) expect(r.out).toMatch(new RegExp(`^  (ok|skip)\\s+${stage}\\b`, "m"));
    expect(r.out).toMatch(/ready: server\d: .*became leader in term \d+/);
    expect(r.stdout).toMatch(/^raftkvs: PASS \(/m);
    expect(r.project).toBeDefined();
    expect(await listProject(r.project!)).toEqual({ containers: [], networks: [], volumes: [] });
    const log = (await readFile(join(runsDir, "raftkvs", "latest", "run.log"), "utf8")).split("\n");
    expect(log[0]).toMatch(/^commit [0-9a-f]{40} /);
    expect(log[1]).toBe("rerun: npx pgo-harness run raftkvs");
  });

  test("a suite file's variant: its env and title, its own latest, its exact rerun command", { timeout: 600_000 }, async () => {
    const runsDir = await testDir("cli-runs-");
    const r = await cli(["run", "raftkvs", "--variant", "suites/raftkvs/scale.test.ts", "-e", "RAFTKVS_OPS=30"], runsDir);
    expect(r.code, r.out.slice(-3000)).toBe(0);
    expect(r.out).toMatch(/drivers run in client1, client2, client3/);
    expect(r.stdout).toMatch(/^raftkvs, 3 clients × 200 operations: PASS/m);
    const latest = await readlink(join(runsDir, "raftkvs", "latest-scale"));
    const log = await readFile(join(runsDir, "raftkvs", latest, "run.log"), "utf8");
    expect(log.split("\n")[1]).toBe("rerun: npx pgo-harness run raftkvs --variant suites/raftkvs/scale.test.ts -e RAFTKVS_OPS=30");
    expect(await listProject(r.project!)).toEqual({ containers: [], networks: [], volumes: [] });
  });

  test("a failing run exits 1 and says which stage failed; bad usage exits 2", { timeout: 600_000 }, async () => {
    const runsDir = await testDir("cli-runs-");
    // A workload that cannot finish in time (1 ms per command).
    const failed = await cli(["run", "dqueue", "-e", "WORKLOAD_TIMEOUT=0.001"], runsDir);
    expect(failed.code, failed.out.slice(-3000)).toBe(1);
    expect(failed.out).toMatch(/^  FAIL\s+workload: /m);
    expect(failed.stdout).toMatch(/^dqueue: FAIL/m);
    expect(await listProject(failed.project!)).toEqual({ containers: [], networks: [], volumes: [] });
    const unknown = await cli(["run", "nosuch"], runsDir);
    expect(unknown.code).toBe(2);
    expect(unknown.out).toMatch(/no system "nosuch" \(systems\/nosuch\/system.ts\); known: .*dqueue.*raftkvs/);
  });
});
