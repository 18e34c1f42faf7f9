// Pre-flight on a real engine: dqueue's images, re-tagged as they would be in a registry, run from the compose
// file with every network internal; the template's commands must pass. Then a system whose driver fails must
// fail the pre-flight, naming the command. Neither leaves anything on the engine.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import dqueue from "../../systems/dqueue/system.ts";
import failing from "../vitest/fixtures/failing/system.ts";
import { dockerClient } from "../image/docker.ts";
import { logger } from "../log.ts";
import type { SystemDefinition } from "../system.ts";
import { prepareSystem } from "../vitest/prepare.ts";
import type { PreparedSystem } from "../vitest/provided.ts";
import { preflight } from "./preflight.ts";

const docker = dockerClient();
const repo = "127.0.0.1:5999/preflight-test";
const created: string[] = [];

/** Tags each non-config image as `<repo>/<name>:<id>`, the shape of a pushed reference. */
async function finalRefs(prepared: PreparedSystem, id: string): Promise<Record<string, string>> {
  const refs: Record<string, string> = {};
  for (const img of prepared.images) {
    if (img.spec.config) continue;
    const name = `${repo}/${prepared.system}-${img.spec.name}`;
    await docker.getImage(img.tag).tag({ repo: name, tag: id });
    created.push(`${name}:${id}`);
    refs[img.spec.ref] = `${name}:${id}`;
  }
  return refs;
}

async function leftovers(project: string): Promise<number> {
  const filters = { label: [`com.docker.compose.project=${project}`] };
  const [c, n, v] = await Promise.all([
    docker.listContainers({ all: true, filters }),
    docker.listNetworks({ filters }),
    docker.listVolumes({ filters }),
  ]);
  return c.length + n.length + (v.Volumes?.length ?? 0);
}

async function run(system: SystemDefinition, id: string) {
  const prepared = await prepareSystem(system);
  const refs = await finalRefs(prepared, id);
  const runDir = await mkdtemp(join(tmpdir(), "preflight-"));
  const promise = preflight({
    system,
    images: prepared.images,
    finalRefs: refs,
    runId: id,
    runDir,
    docker,
    log: logger(`${system.name}-preflight-test`),
    reaper: undefined,
    setupTimeoutMs: 120_000,
    workloadTimeoutMs: 120_000,
    env: {},
  });
  return { promise, project: `pgoh-${system.name}-${id}`, refs };
}

describe("pre-flight", () => {
  beforeAll(async () => {
    await docker.ping();
  });
  afterAll(async () => {
    for (const ref of created) await docker.getImage(ref).remove().catch(() => undefined);
  });

  test("runs dqueue from its final image references with internal networks, and its template passes", { timeout: 600_000 }, async () => {
    const id = `pf${Date.now().toString(36)}`;
    const { promise, project, refs } = await run(dqueue, id);
    const report = await promise;
    expect(Object.values(refs).every((r) => r.startsWith(repo))).toBe(true);
    expect(report.commands.map((c) => c.name)).toContain("singleton_driver_TestProducerConsumer");
    expect(report.outcomes.map((o) => o.exitCode)).toEqual(report.commands.map(() => 0));
    expect(await leftovers(project)).toBe(0);
  });

  test("fails when a command of the template fails, naming it, and leaves nothing", { timeout: 600_000 }, async () => {
    const id = `pf${Date.now().toString(36)}`;
    const { promise, project } = await run(failing, id);
    await expect(promise).rejects.toThrow(/singleton_driver_fail.*exited with code 3/);
    expect(await leftovers(project)).toBe(0);
  });

  test("refuses an image that has no final reference", async () => {
    const prepared = await prepareSystem(dqueue);
    await expect(
      preflight({
        system: dqueue, images: prepared.images, finalRefs: {}, runId: "never", runDir: tmpdir(), docker,
        log: logger("preflight-test"), reaper: undefined, setupTimeoutMs: 1000, workloadTimeoutMs: 1000, env: {},
      }),
    ).rejects.toThrow(/image "dqueue:antithesis" has no final reference/);
  });
});
