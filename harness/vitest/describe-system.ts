// The stages of one run of a system as a sequence of Vitest tests:
//   up → workload → collect → one test per property → one test per checker, and always down -v (afterAll),
//   also after a failure.
// Interrupts (Ctrl-C, SIGTERM, a killed worker) are covered by the reaper, which removes the compose
// project as soon as this process is gone.
import { join } from "node:path";
import fse from "fs-extra";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { type CheckResult, mergeVerdicts } from "../check/checker.ts";
import type { StartedCluster } from "../compose/cluster.ts";
import { Reaper } from "../compose/reaper.ts";
import { waitForLogMessage, waitForSetupComplete } from "../compose/setup-complete.ts";
import { up } from "../compose/up.ts";
import { saveLogs } from "../collect/logs.ts";
import { collectSdkOutput, collectTraces } from "../collect/traces.ts";
import { dockerClient } from "../image/docker.ts";
import { logger, type Logger } from "../log.ts";
import { createRun, redactEnv, updateRun, type Run } from "../run/artifacts.ts";
import { registerPropertyTests } from "../properties/run.ts";
import { loadSettings, type Settings } from "../settings.ts";
import { forCheckout, workloadEnvOf, type SystemDefinition } from "../system.ts";
import { discoverTemplate } from "../workload/template.ts";
import type { Fault } from "../faults/fault.ts";
import { runWorkload, WorkloadError, type CommandOutcome, type FaultOutcome, type Schedule } from "../workload/run.ts";
import { composerTimelines, type Timeline } from "../workload/composer.ts";
import type Docker from "dockerode";
import { describeSubmission } from "./describe-submission.ts";
import { PROVIDED_KEY } from "./provided.ts";

interface RunState {
  run?: Run;
  reaper?: Reaper | undefined;
  cluster?: StartedCluster;
  logsDir?: string;
  tracesDir?: string;
  outcomes: CommandOutcome[];
  faults: FaultOutcome[];
  schedule?: Schedule | undefined;
  results: CheckResult[];
  stages: Record<string, "passed" | "failed">;
}

// The test composer reads COMPOSER_SEED, _ROUNDS, _DURATION, _TIMELINES, _REGIMES, _COPIES from the host env and
// `env` (harness/workload/composer.ts); each timeline is a describe block of its own on a fresh compose project.
export interface RunOptions {
  /** Names the describe block (default: the system's name), e.g. "raftkvs with the leader killed". */
  readonly title?: string;
  /** Faults injected while the drivers run (Jepsen's nemesis); each with a check is reported as a test. */
  readonly faults?: readonly Fault[];
  /** Environment of the system's services by service name, over the compose file's (e.g. a planted bug's switch). */
  readonly serviceEnv?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Workload env for this run, over the host's (e.g. more clients for one suite file). */
  readonly env?: Readonly<Record<string, string>>;
  /** A reason not to run this variant (e.g. it needs a log line only our binaries print); reported as a skip. */
  readonly skipWhen?: (system: SystemDefinition, settings: Settings) => string | undefined;
}

export function describeSystem(definition: SystemDefinition, opts: RunOptions = {}): void {
  const settings = loadSettings({ ...process.env, ...opts.env });
  const system = forCheckout(definition, settings.pgoDir);
  const docker = dockerClient();
  const faults = opts.faults ?? [];
  if (settings.antithesis) {
    const variant = opts.title ?? (opts.env !== undefined || opts.faults !== undefined ? `${system.name} (variant)` : undefined);
    describeSubmission(system, variant);
    return;
  }
  const skipReason = opts.skipWhen?.(system, settings);
  if (skipReason !== undefined) {
    describe(opts.title ?? system.name, () => {
      test("not run", ({ skip }) => skip(skipReason));
    });
    return;
  }
  for (const timeline of composerTimelines(settings.env, opts.title ?? system.name)) {
    const log = logger(timeline.of > 1 ? `${system.name}#${timeline.index}` : system.name);
    describeTimeline({ system, settings, faults, docker, log, timeline, serviceEnv: opts.serviceEnv });
  }
}

interface TimelineContext {
  readonly system: SystemDefinition;
  readonly settings: Settings;
  readonly faults: readonly Fault[];
  readonly docker: Docker;
  readonly log: Logger;
  readonly timeline: Timeline;
  readonly serviceEnv: RunOptions["serviceEnv"];
}

/** One timeline: up → workload (the composer's schedule for its seed) → collect → checks, always down -v. */
function describeTimeline(ctx: TimelineContext): void {
  const { system, settings, faults, docker, log, serviceEnv } = ctx;
  const composer = ctx.timeline.composer;
  const state: RunState = { outcomes: [], faults: [], results: [], stages: {} };

  /** Runs a stage; on failure saves every container's log and says where, and where the run's artifacts are. */
  async function stage<T>(name: string, fn: (run: Run) => Promise<T>): Promise<T> {
    const run = state.run;
    if (run === undefined) throw new Error("the run directory could not be created");
    try {
      const result = await fn(run);
      state.stages[name] = "passed";
      return result;
    } catch (err) {
      state.stages[name] = "failed";
      const where = state.cluster !== undefined ? await saveContainerLogs() : undefined;
      const message = err instanceof Error ? err.message : String(err);
      throw new Error(`${name} failed: ${message}\n${where !== undefined ? `container logs: ${where}\n` : ""}run artifacts: ${run.dir}`, { cause: err });
    }
  }

  /** Every fault healed and its helpers removed (before collection and teardown, also after a failure). */
  async function healFaults(): Promise<void> {
    if (state.cluster === undefined) return;
    for (const f of faults) await f.heal?.(state.cluster).catch((err: unknown) => log.warn(`could not heal fault "${f.name}": ${String(err)}`));
  }

  async function saveContainerLogs(): Promise<string | undefined> {
    if (state.cluster === undefined || state.run === undefined) return undefined;
    state.logsDir = await saveLogs(docker, await state.cluster.containers(), state.run.dir);
    return state.logsDir;
  }

  describe(ctx.timeline.title, () => {
    beforeAll(async () => {
      const prepared = inject(PROVIDED_KEY);
      state.run = await createRun(settings.runsDir, system.name, {
        settings: { ...settings, env: undefined },
        environment: redactEnv(workloadEnvOf(system, settings)),
        images: prepared.images.map((i) => i.tag),
        build: prepared.build.hash,
        checkout: system.checkout,
        baseImage: prepared.baseImage,
        ...(faults.length > 0 ? { faults: faults.map((f) => ({ name: f.name, ...f.plan })) } : {}),
        ...(serviceEnv !== undefined ? { serviceEnv } : {}),
        composer: { ...composer, timeline: `${ctx.timeline.index} of ${ctx.timeline.of}`, replay: ctx.timeline.replay },
      });
      state.reaper = settings.keep ? undefined : Reaper.start(join(state.run.dir, "reaper.log"));
      log.info(`run ${state.run.id}: artifacts in ${state.run.dir}`);
    });

    test("up: the compose project starts and signals setup-complete", async ({ signal }) => {
      await stage("up", async (run) => {
        const prepared = inject(PROVIDED_KEY);
        state.cluster = await up({
          system,
          images: prepared.images,
          runId: run.id,
          runDir: run.dir,
          docker,
          log,
          reaper: state.reaper,
          keep: settings.keep,
          startupTimeoutMs: settings.setupTimeoutMs,
          ...(serviceEnv !== undefined ? { serviceEnv } : {}),
        });
        const complete = await waitForSetupComplete(state.cluster, settings.setupTimeoutMs, log, signal);
        log.info(`setup-complete signalled (${complete.file})`);
        if (system.ready !== undefined) {
          const ready = await waitForLogMessage(state.cluster, system.ready.services, system.ready.logMessage, settings.setupTimeoutMs, signal);
          log.info(`ready: ${ready.service}: ${ready.line.trim()}`);
        }
        // Before the drivers, so that the first fault is not late (sidecars take a moment to start).
        for (const f of faults) await f.prepare?.(state.cluster, { log: log.child(`fault/${f.name}`), baseImage: prepared.baseImage, signal });
      });
    });

    test("workload: the template's commands pass as the test composer schedules them (first_ → drivers ∥ anytime_ → eventually_ → finally_)", async ({ signal, skip }) => {
      if (state.cluster === undefined || state.stages["up"] !== "passed") return skip("the cluster did not come up");
      await stage("workload", async (run) => {
        const cluster = state.cluster!;
        const commands = await discoverTemplate(cluster, system.template, log.child("workload"));
        log.info(`template "${system.template}": ${commands.map((c) => `${c.name} (${c.service})`).join(" → ")}`);
        const env = workloadEnvOf(system, settings);
        const driverServices = system.driverServices?.(env);
        const result = await runWorkload(cluster, commands, {
          composer,
          env,
          runDir: run.dir,
          timeoutMs: settings.workloadTimeoutMs,
          log: log.child("workload"),
          signal,
          faults,
          ...(driverServices !== undefined ? { driverServices } : {}),
        }).catch((err: unknown) => {
          if (err instanceof WorkloadError) {
            state.schedule = err.schedule;
            // Keep what the faults did for their checks and results.json.
            state.faults = err.faults;
          }
          throw err;
        });
        state.schedule = result.schedule;
        state.outcomes = result.outcomes;
        state.faults = result.faults;
        for (const f of result.faults) {
          if (f.error !== undefined) throw new Error(`fault "${f.fault.name}" could not be injected: ${f.error}`);
        }
      });
    });

    for (const fault of faults) {
      const check = fault.check;
      if (check === undefined) continue;
      test(`fault: ${fault.name}`, async ({ skip }) => {
        const outcome = state.faults.find((f) => f.fault === fault);
        if (state.cluster === undefined || outcome?.injected === undefined) return skip("the fault was not injected");
        const result = await check.call(fault, state.cluster, outcome.injected);
        state.results.push(result);
        log.child("fault").info(`${result.valid === true ? "ok  " : "FAIL"} ${result.name}: ${result.summary}`);
        expect(result.valid, `${result.name}: ${result.summary}`).toBe(true);
      });
    }

    test("collect: traces are copied out of the traces volume", async ({ skip }) => {
      if (state.cluster === undefined) return skip("the cluster did not come up");
      await stage("collect", async (run) => {
        const cluster = state.cluster!;
        await healFaults();
        // Stopped first, so that every process has flushed and closed its trace files.
        await log.step("Stopping containers", () => cluster.stop());
        const traces = await collectTraces(cluster, system.tracesVolume, run.dir);
        await collectSdkOutput(cluster, run.dir);
        log.info(`collected ${traces.files.length} trace file(s) into ${traces.dir}`);
        expect(traces.files, `trace files in volume "${system.tracesVolume}"`).not.toHaveLength(0);
        state.tracesDir = traces.dir;
      });
    });

    // One test per property the system asserts through the Antithesis SDK (harness/properties).
    registerPropertyTests(system, {
      runDir: () => (state.stages["collect"] !== undefined ? state.run?.dir : undefined),
      title: ctx.timeline.title,
      onResult: (r) => state.results.push(r),
    });

    for (const checker of system.checks(settings, system)) {
      test(`check: ${checker.name}`, async ({ signal, skip, annotate }) => {
        if (state.tracesDir === undefined || state.run === undefined) return skip("no traces were collected");
        const artifactsDir = join(state.run.dir, "checks", checker.name.replace(/[^A-Za-z0-9._-]/g, "_"));
        await fse.ensureDir(artifactsDir);
        const results = await checker.check({ tracesDir: state.tracesDir, artifactsDir, signal, log: (l) => log.child("check").info(l) });
        state.results.push(...results);
        await fse.writeJson(join(artifactsDir, "results.json"), results, { spaces: 2 });
        for (const r of results) {
          log.child("check").info(`${r.valid === true ? "ok  " : r.skipped !== undefined ? "skip" : r.valid === false ? "FAIL" : "??  "} ${r.name}: ${r.skipped ?? r.summary}`);
          for (const a of r.artifacts ?? []) await annotate(`${r.name}: ${a}`, { path: a });
        }
        const ran = results.filter((r) => r.skipped === undefined);
        if (ran.length === 0 && results.length > 0) return skip(results.map((r) => r.skipped).join("; "));
        const bad = ran.filter((r) => r.valid !== true).map((r) => `${r.name}: ${r.valid === false ? "violated" : "unknown"} — ${r.summary}`);
        expect(bad, `check results (details in ${artifactsDir})`).toEqual([]);
      });
    }

    afterAll(async () => {
      const run = state.run;
      try {
        await healFaults();
        if (state.cluster !== undefined && run !== undefined) {
          await saveContainerLogs().catch((err: unknown) => log.warn(`could not save container logs: ${String(err)}`));
          await collectSdkOutput(state.cluster, run.dir).catch(() => undefined);
        }
      } finally {
        await state.cluster?.down();
      }
      if (run !== undefined) {
        const stagesOk = Object.values(state.stages).every((s) => s === "passed") && state.stages["collect"] === "passed";
        const verdict = stagesOk ? mergeVerdicts(state.results.filter((r) => r.skipped === undefined).map((r) => r.valid)) : false;
        await fse.writeJson(
          join(run.dir, "results.json"),
          { verdict, stages: state.stages, commands: state.outcomes.map((o) => ({ name: o.command.name, service: o.command.service, exitCode: o.exitCode, seconds: o.seconds })),
            schedule: state.schedule,
            faults: state.faults.map((f) => ({ name: f.fault.name, injected: f.injected, error: f.error })),
            checks: state.results,
          },
          { spaces: 2 },
        );
        if (state.faults.length > 0) await updateRun(run, { faultsInjected: state.faults.map((f) => ({ name: f.fault.name, injected: f.injected, error: f.error })) });
        log.info(`verdict: ${verdict === true ? "PASS" : verdict === false ? "FAIL" : "UNKNOWN"} (${run.dir})`);
      }
    });
  });
}
