// What every run imports before it can start anything stays light. A warm run is about a second of engine work,
// and each entry point below is loaded on every run (the definition three times: Vitest's global setup, the test
// worker, the CLI); the harness's heavy dependencies load where they are used, or while the run waits on the
// engine (harness/run/pipeline.ts). bench/raw-floor.ts measures what this buys.
import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, test } from "vitest";
import { projectRoot } from "./paths.ts";

/** Packages an entry must not load, and the project files among its modules, from a fresh Node process. */
async function loads(entry: string): Promise<{ packages: Set<string>; own: Set<string> }> {
  const { stdout } = await promisify(execFile)(process.execPath, [join(projectRoot, "harness/testing/loaded-modules.ts"), join(projectRoot, entry)], { cwd: projectRoot });
  const urls = JSON.parse(stdout) as string[];
  const packages = new Set<string>();
  const own = new Set<string>();
  for (const url of urls) {
    const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
    if (pkg !== undefined) packages.add(pkg);
    else if (url.startsWith(`file://${projectRoot}/`)) own.add(url.slice(`file://${projectRoot}/`.length));
  }
  return { packages, own };
}

const HEAVY = ["dockerode", "execa", "testcontainers", "esbuild", "puppeteer-core", "zx"];
const systems = readdirSync(join(projectRoot, "systems")).filter((d) => existsSync(join(projectRoot, "systems", d, "system.ts")));

describe("entry points load only what a run needs before it starts", () => {
  test("the helper sees what an import loads (dockerode's client file loads no dockerode; the pipeline's compose up does load yaml)", async () => {
    const client = await loads("harness/docker/client.ts");
    expect(client.own.has("harness/docker/client.ts")).toBe(true);
    expect(client.packages.has("dockerode")).toBe(false);
    const up = await loads("harness/compose/up.ts");
    expect(up.packages.has("yaml")).toBe(true);
  });

  test.each(systems)("systems/%s/system.ts: no engine client, no subprocess library, no pipeline, no checker machinery", async (name) => {
    const { packages, own } = await loads(`systems/${name}/system.ts`);
    expect(HEAVY.filter((p) => packages.has(p))).toEqual([]);
    expect(["yaml", "fs-extra", "proper-lockfile", "tar-fs"].filter((p) => packages.has(p))).toEqual([]);
    expect(["harness/run/pipeline.ts", "harness/run/prepare.ts", "harness/compose/up.ts", "harness/compose/cluster.ts"].filter((f) => own.has(f))).toEqual([]);
    // Checkers are made by the definition and load their machinery when they run: the spec validator, the
    // linearizability search and its report.
    expect(["harness/tracelink/spec/index.ts", "harness/history/report.ts", "harness/history/wgl.ts"].filter((f) => own.has(f))).toEqual([]);
  });

  test.each(systems)("suites/%s/global-setup.ts: the warm path's imports (dockerode comes with the first client)", async (name) => {
    const { packages, own } = await loads(`suites/${name}/global-setup.ts`);
    expect(HEAVY.filter((p) => packages.has(p))).toEqual([]);
    // The full prepare path (build, images) is loaded only when the stamp says something changed.
    expect([...own].filter((f) => f.startsWith("harness/gobuild/index") || f.startsWith("harness/image/index") || f.startsWith("harness/instrument/"))).toEqual([]);
  });

  test("harness/vitest/index.ts (what a suite's worker loads before its run): no dockerode, execa or submission code", async () => {
    const { packages, own } = await loads("harness/vitest/index.ts");
    expect(HEAVY.filter((p) => packages.has(p))).toEqual([]);
    expect([...own].filter((f) => f.startsWith("harness/submit/") || f.startsWith("harness/antithesis/api") || f === "harness/run/after-up.ts")).toEqual([]);
  });
});
