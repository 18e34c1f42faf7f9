// The synthetic templates run for real: two containers holding the same templates, a shared volume where each
// command records its start, end and what else it saw running. One compose project, one timeline per case
// (records cleared in between); the rules are checked on the commands' own records and on the harness's
// schedule. Covers the three driver regimes, repeated rounds, helper_ ignored, and an anytime-only template.
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { removeDir } from "../testing/temp.ts";
import type { StartedCluster } from "../compose/cluster.ts";
import { waitForSetupComplete } from "../compose/setup-complete.ts";
import { up } from "../compose/up.ts";
import { dockerClient } from "../docker/client.ts";
import { logger } from "../log.ts";
import { resolveContext } from "../run/context.ts";
import { prepareSystem } from "../run/prepare.ts";
import { Composer, defaultComposerConfig, type ComposerConfig, type Regime } from "./composer.ts";
import synthetic from "./fixtures/synthetic/system.ts";
import { type ObservedRun, phaseViolations, ruleViolations } from "./fixtures/synthetic/rules.ts";
import { runWorkload, type Schedule } from "./run.ts";
import { classify, discoverTemplate, type TemplateCommand } from "./template.ts";

const docker = dockerClient();
const lines: string[] = [];
const log = logger("synthetic", (l) => void lines.push(l));
let cluster: StartedCluster | undefined;
let runDir = "";

/** The first seed ≥ 1 whose plan has this regime (and, for parallel, two copies or more in a round). */
function seedFor(commands: readonly TemplateCommand[], regime: Regime, config: (seed: number) => ComposerConfig): number {
  for (let seed = 1; seed < 10_000; seed++) {
    const c = new Composer(commands, config(seed));
    if (c.regime === regime && (regime !== "parallel" || c.plan(config(seed).rounds).rounds.every((r) => r.drivers.length >= 2))) return seed;
  }
  throw new Error(`no seed gives ${regime}`);
}

/** What the commands recorded in the shared volume, on one clock (ms since the first start). */
async function recorded(): Promise<ObservedRun[]> {
  const out: string[] = [];
  const r = await cluster!.exec("runner1", ["sh", "-c", "cat /shared/events.jsonl 2>/dev/null || true"], { onLine: (l) => out.push(l) });
  expect(r.exitCode).toBe(0);
  const events = out.filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as { name: string; start: string | number; end: string | number; seen: string[] });
  const ns = (v: string | number) => BigInt(v);
  const base = events.reduce((m, e) => (ns(e.start) < m ? ns(e.start) : m), events.length > 0 ? ns(events[0]!.start) : 0n);
  return events.map((e) => ({ name: e.name, prefix: classify(e.name)!, start: Number(ns(e.start) - base) / 1e6, end: Number(ns(e.end) - base) / 1e6, seen: e.seen }));
}

async function runTimeline(template: string, config: ComposerConfig): Promise<{ observed: ObservedRun[]; schedule: Schedule; commands: TemplateCommand[] }> {
  await cluster!.exec("runner1", ["sh", "-c", "rm -rf /shared/running /shared/events.jsonl"]);
  const commands = await discoverTemplate(cluster!, template, log);
  const dir = join(runDir, `${template}-${config.seed}`);
  const { schedule } = await runWorkload(cluster!, commands, { env: {}, runDir: dir, timeoutMs: 60_000, log: log.child("workload"), composer: config });
  expect(JSON.parse(await readFile(join(dir, "schedule.json"), "utf8"))).toEqual(JSON.parse(JSON.stringify(schedule)));
  return { observed: await recorded(), schedule, commands };
}

describe("test composer on a real cluster (synthetic templates)", () => {
  beforeAll(async () => {
    const prepared = await prepareSystem(resolveContext(synthetic, process.env));
    const runId = `tc${Date.now().toString(36)}`;
    runDir = await mkdtemp(join(tmpdir(), "composer-docker-"));
    cluster = await up({ system: synthetic, images: prepared.images, runId, runDir, docker, log, reaper: undefined, keep: false, startupTimeoutMs: 120_000 });
    await waitForSetupComplete(cluster, 120_000, log);
  }, 600_000);
  afterAll(async () => {
    await cluster?.down();
    if (runDir !== "") await removeDir(runDir);
  }, 120_000);

  for (const regime of ["singleton", "parallel", "serial"] as const) {
    test(`${regime} drivers, 2 rounds: the commands' own records follow every rule`, { timeout: 120_000 }, async () => {
      const config = (seed: number): ComposerConfig => ({ ...defaultComposerConfig(seed), rounds: 2 });
      const probe = await discoverTemplate(cluster!, "synthetic");
      const seed = seedFor(probe, regime, config);
      const { observed, schedule } = await runTimeline("synthetic", config(seed));
      expect(schedule.regime).toBe(regime);
      const maxCopies = Math.max(...new Composer(probe, config(seed)).plan(2).rounds.map((r) => r.drivers.length));
      expect(ruleViolations(observed, { regime, hasFirst: true, hasAnytime: true, hasEventually: true, rounds: schedule.rounds, maxCopies }), JSON.stringify(observed, null, 1)).toEqual([]);
      // The harness's record: the same runs, faults (drivers phase) around drivers and anytime_ only.
      expect(schedule.runs.map((r) => r.name).sort()).toEqual(observed.map((r) => r.name).sort());
      const harness = schedule.runs.map((r) => ({ name: r.name, prefix: r.prefix, start: r.startMs, end: r.endMs! }));
      expect(phaseViolations(harness, schedule.phases.map((p) => ({ event: p.event, at: p.atMs })))).toEqual([]);
      expect(schedule.runs.every((r) => r.exitCode === 0)).toBe(true);
      if (regime === "parallel") {
        // Concurrency recorded by the commands themselves: a parallel driver saw another one running.
        expect(observed.some((r) => r.prefix === "parallel_driver_" && r.seen!.some((s) => s.startsWith("parallel_driver_")))).toBe(true);
      }
    });
  }

  test("helper_ files and directories are ignored, with a note in the log", async () => {
    const commands = await discoverTemplate(cluster!, "synthetic", log);
    expect(commands.map((c) => c.name)).not.toContain("helper_record");
    expect(lines.some((l) => /ignoring runner1:\/opt\/antithesis\/test\/v1\/synthetic\/helper_lib \(helper_ files and directories are ignored by Antithesis\)/.test(l))).toBe(true);
    expect(commands.find((c) => c.name === "first_a")?.services).toEqual(["runner1", "runner2"]);
  });

  test("an anytime-only template runs: anytime_ commands under faults, then finally_", { timeout: 120_000 }, async () => {
    const config = { ...defaultComposerConfig(11), rounds: 2 };
    const { observed, schedule } = await runTimeline("anytime-only", config);
    expect(schedule.regime).toBe("anytime-only");
    expect(observed.filter((r) => r.prefix === "anytime_").length).toBeGreaterThanOrEqual(2);
    expect(ruleViolations(observed, { regime: "anytime-only", hasFirst: false, hasAnytime: true, hasEventually: false, rounds: 2, maxCopies: 0 })).toEqual([]);
    expect(observed.at(-1)?.name).toBe("finally_f");
  });

  test("a failing command fails the timeline with its name, exit code and log; the schedule is still written", { timeout: 120_000 }, async () => {
    await cluster!.exec("runner1", ["sh", "-c", "rm -rf /shared/running /shared/events.jsonl"]);
    const commands = await discoverTemplate(cluster!, "synthetic");
    const dir = join(runDir, "failing");
    const run = runWorkload(cluster!, commands, { env: { SYNTHETIC_FAIL: "eventually_e" }, runDir: dir, timeoutMs: 60_000, log, composer: defaultComposerConfig(3) });
    await expect(run).rejects.toThrow(/^eventually_e \(in runner\d\) exited with code 7; its output is in .*eventually_e\.log/);
    const schedule = JSON.parse(await readFile(join(dir, "schedule.json"), "utf8")) as Schedule;
    expect(schedule.verdict).toBe("failed");
    expect(schedule.runs.find((r) => r.name === "eventually_e")?.exitCode).toBe(7);
    expect(schedule.runs.some((r) => r.prefix === "finally_")).toBe(false);
  });
});
