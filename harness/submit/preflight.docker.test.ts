// Pre-flight on a real engine: a system's images, re-tagged as they would be in a registry, run from the compose
// file with every network internal, through the run pipeline; the template's commands must pass. raftkvs with
// RAFTKVS_CLIENTS=3 waits for its leader line and drives client1..3. A system whose driver fails fails the
// pre-flight, naming the command. Each of snouty validate's four checks stops a bad compose file before anything
// starts, naming the service, network or variable and never a value. Nothing is left on the engine.
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { removeDir, testDir } from "../testing/temp.ts";
import dqueue from "../../systems/dqueue/system.ts";
import raftkvs from "../../systems/raftkvs/system.ts";
import failing from "../vitest/fixtures/failing/system.ts";
import { projectName } from "../compose/up.ts";
import { dockerClient } from "../docker/client.ts";
import { listProject } from "../docker/project.ts";
import { createRun } from "../run/artifacts.ts";
import { resolveContext } from "../run/context.ts";
import type { PipelineEvent } from "../run/pipeline.ts";
import { prepareSystem, type PreparedSystem } from "../run/prepare.ts";
import type { SystemDefinition } from "../system.ts";
import { preflight } from "./preflight.ts";

const docker = dockerClient();
const repo = "127.0.0.1:5999/preflight-test";
const created: string[] = [];
let runsDir: string;
const quiet = () => undefined;

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
  const l = await listProject(project, docker);
  return l.containers.length + l.networks.length + l.volumes.length;
}

async function start(system: SystemDefinition, env: Record<string, string> = {}, tweak?: (s: SystemDefinition) => SystemDefinition) {
  const shellEnv = { ...process.env, ANTITHESIS: "0", PGO_HARNESS_RUNS_DIR: runsDir, ...env };
  const ctx0 = resolveContext(system, shellEnv, { write: quiet });
  const ctx = tweak !== undefined ? { ...ctx0, system: tweak(ctx0.system) } : ctx0;
  const prepared = await prepareSystem(ctx);
  const id = `pf${Date.now().toString(36)}`;
  const refs = await finalRefs(prepared, id);
  const run = await createRun({ runsDir, system: system.name, rerun: "(test)", info: {} });
  const events: PipelineEvent[] = [];
  const promise = preflight(ctx, { prepared, finalRefs: refs, run, env: shellEnv, rerun: "(test)", onEvent: (e) => events.push(e) }).finally(() => run.close());
  return { promise, project: projectName(system.name, run.id), refs, events, prepared };
}

describe("pre-flight", () => {
  beforeAll(async () => {
    await docker.ping();
    runsDir = await mkdtemp(join(tmpdir(), "preflight-runs-"));
  });
  afterAll(async () => {
    for (const ref of created) await docker.getImage(ref).remove().catch(() => undefined);
    if (runsDir !== undefined) await removeDir(runsDir);
  });

  test("runs dqueue from its final image references with internal networks, and its template passes", { timeout: 600_000 }, async () => {
    const { promise, project, refs } = await start(dqueue);
    const report = await promise;
    expect(Object.values(refs).every((r) => r.startsWith(repo))).toBe(true);
    expect(report.commands.map((c) => c.command.name)).toContain("singleton_driver_TestProducerConsumer");
    expect(report.commands.map((o) => o.exitCode)).toEqual(report.commands.map(() => 0));
    expect(report.stages.collect).toEqual({ status: "skipped", reason: "pre-flight: Antithesis runs no collect" });
    expect(await leftovers(project)).toBe(0);
  });

  test("raftkvs with RAFTKVS_CLIENTS=3 waits for the leader line, then drives client1..3", { timeout: 600_000 }, async () => {
    // The composer's parallel regime with three copies: one driver copy per client container.
    const { promise, project, events } = await start(raftkvs, { RAFTKVS_CLIENTS: "3", RAFTKVS_OPS: "20", COMPOSER_REGIMES: "parallel", COMPOSER_COPIES: "3" });
    const report = await promise;
    const ready = events.find((e) => e.type === "ready");
    expect(ready, "a ready event").toMatchObject({ type: "ready", service: expect.stringMatching(/^server\d$/), line: expect.stringMatching(/became leader in term \d+/) });
    const order = events.flatMap((e) => (e.type === "stage" ? [e.stage] : e.type === "ready" ? ["ready-line"] : []));
    expect(order.indexOf("ready-line")).toBeLessThan(order.indexOf("workload"));
    const drivers = report.commands.filter((c) => /_driver_/.test(c.command.prefix));
    expect(drivers.map((c) => c.command.service).sort()).toEqual(["client1", "client2", "client3"]);
    expect(drivers.every((c) => c.exitCode === 0)).toBe(true);
    expect(await leftovers(project)).toBe(0);
  });

  test("fails when a command of the template fails, naming it, and leaves nothing", { timeout: 600_000 }, async () => {
    const { promise, project } = await start(failing);
    await expect(promise).rejects.toThrow(/singleton_driver_fail.*exited with code 3/);
    expect(await leftovers(project)).toBe(0);
  });

  test("refuses an image that has no final reference", async () => {
    const ctx = resolveContext(dqueue, { ...process.env, ANTITHESIS: "0" }, { write: quiet });
    const prepared = await prepareSystem(ctx);
    const run = await createRun({ runsDir, system: "dqueue", rerun: "(test)", info: {} });
    await expect(preflight(ctx, { prepared, finalRefs: {}, run, env: process.env, rerun: "(test)" })).rejects.toThrow(/image "dqueue:antithesis" has no final reference/);
    await run.close();
  });

  describe("snouty validate's checks, each on a bad compose file", () => {
    const SECRET_VALUE = "s3cr3t-value-never-printed";
    /** dqueue's compose file with `edit` applied, in a directory of its own. */
    async function badCompose(body: string): Promise<string> {
      const dir = await testDir("bad-compose-");
      await writeFile(join(dir, "docker-compose.yaml"), body);
      return join(dir, "docker-compose.yaml");
    }
    const base = (extra: string, image = "image: dqueue:antithesis") =>
      `services:\n  dqueue:\n    ${image}\n    volumes:\n      - traces:/traces\n    command: ["/usr/local/bin/ready"]\n${extra}volumes:\n  traces:\n`;

    async function rejection(compose: string, env: Record<string, string> = {}): Promise<string> {
      const { promise, project } = await start(dqueue, env, (s) => ({ ...s, compose }));
      const err = await promise.then(() => undefined, (e: unknown) => e as Error);
      expect(err, "the pre-flight must fail").toBeInstanceOf(Error);
      expect(await leftovers(project), "nothing was started").toBe(0);
      expect(err!.message).not.toContain(SECRET_VALUE);
      return err!.message;
    }

    test("renders differently with the shell's environment than without it: names the variable", { timeout: 120_000 }, async () => {
      const compose = await badCompose(base("").replace("    volumes:", "    environment:\n      TOKEN: ${PGOH_TEST_TOKEN:-none}\n    volumes:"));
      const message = await rejection(compose, { PGOH_TEST_TOKEN: SECRET_VALUE });
      expect(message).toMatch(/renders differently with this shell's environment than without it .*reads PGOH_TEST_TOKEN/);
      expect(message.split("\n")).toHaveLength(1);
    });

    test("a network that is external: true: names the network", { timeout: 120_000 }, async () => {
      const message = await rejection(await badCompose(base("networks:\n  outside:\n    external: true\n")));
      expect(message).toMatch(/network "outside" is external/);
    });

    test("a service without an explicit image: names the service", { timeout: 120_000 }, async () => {
      const message = await rejection(await badCompose(base("", "build: .")));
      expect(message).toMatch(/service "dqueue" names no image/);
    });

    test("an image that is not linux/amd64: names the service and the platform", { timeout: 120_000 }, async () => {
      const dir = await testDir("arm-image-");
      const { execa } = await import("execa");
      await execa("tar", ["cf", join(dir, "empty.tar"), "--files-from", "/dev/null"]);
      const tag = `pgoh-test-arm64:${Date.now().toString(36)}`;
      await execa("docker", ["import", "--platform", "linux/arm64", join(dir, "empty.tar"), tag]);
      created.push(tag);
      const compose = await badCompose(
        base("").replace("services:\n", `services:\n  sidecar:\n    image: ${tag}\n    command: ["/x"]\n`),
      );
      const message = await rejection(compose);
      expect(message).toMatch(/service "sidecar" runs an image for linux\/arm64; Antithesis runs linux\/amd64/);
    });
  });
});
