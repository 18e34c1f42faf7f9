// One run of a system, in this order (STAGES below is the only place the order is written):
//
//   prepare (build, images) → up → setup-complete → ready → workload (drivers with faults) → exits (no container
//   stopped that no planned fault stopped) → fault-checks →
//   collect → properties (the system's Antithesis SDK assertions) → checks → down (always: after a failure, an
//   abort, or KEEP=1, which leaves the project running)
//
// runPipeline opens the run's directory, runs each stage of STAGES in turn (a method of PipelineRun of the same
// name), always ending with down, and writes the results and the run's page.
//
// A plain async API: describeSystem (Vitest), `pgo-harness run` and the Antithesis pre-flight all drive it, and
// follow it through its events. It never throws: every failure ends up in the result (and in results.json).
import { join } from "node:path";
import fse from "fs-extra";
import { type CheckResult, mergeVerdicts, runChecker, type Checker, type Verdict } from "../check/checker.ts";
import type { StartedCluster } from "../compose/cluster.ts";
import { Reaper } from "../compose/reaper.ts";
import { up } from "../compose/up.ts";
import type { Fault } from "../faults/fault.ts";
import type { Logger } from "../log.ts";
import type { RunProperties } from "../properties/evaluate-run.ts";
import { redactEnv } from "../redact.ts";
import type { Timeline } from "../workload/composer.ts";
import type { CommandOutcome, FaultOutcome, Schedule } from "../workload/run.ts";
import { createRun, updateRun, type Run } from "./artifacts.ts";
import { plannedStops, unplannedExits } from "./exits.ts";
import type { RunContext } from "./context.ts";
import type { PreparedSystem } from "./prepare-stamp.ts";
import type { Variant, VariantOptions } from "./variant.ts";

/** The stages after up (harness/run/after-up.ts), loaded once, while compose starts the containers. */
let afterUp: Promise<typeof import("./after-up.ts")> | undefined;
const stagesAfterUp = () => (afterUp ??= import("./after-up.ts"));

export const STAGES = ["prepare", "up", "setup-complete", "ready", "workload", "exits", "fault-checks", "collect", "properties", "checks", "down"] as const;
export type Stage = (typeof STAGES)[number];

export type StageOutcome =
  | { readonly status: "passed"; readonly seconds: number }
  | { readonly status: "failed"; readonly seconds: number; readonly error: Error }
  | { readonly status: "skipped"; readonly reason: string };

export type PipelineEvent =
  | { readonly type: "run"; readonly run: Run }
  | { readonly type: "stage"; readonly stage: Stage; readonly outcome: StageOutcome }
  | { readonly type: "ready"; readonly service: string; readonly line: string }
  | { readonly type: "fault"; readonly fault: Fault; readonly result: CheckResult | undefined; readonly skipped?: string }
  | { readonly type: "properties"; readonly result: RunProperties }
  | { readonly type: "check"; readonly checker: Checker; readonly results: readonly CheckResult[]; readonly artifactsDir: string };

export interface PipelineOptions {
  readonly variant: Variant;
  /** The variant's name (`latest-<name>`); undefined for the system's main run. */
  readonly variantName?: string;
  /** The exact command that runs this variant again; the run log starts with it. */
  readonly rerun: string;
  /** Already built (Vitest's global setup builds once per `vitest run`); otherwise the prepare stage builds. */
  readonly prepared?: PreparedSystem;
  /** The test composer's timeline (its seed and rounds; harness/workload/composer.ts); default: one round, a random seed. */
  readonly timeline?: Timeline;
  /** Run in this existing run directory (a submission's) instead of a new one. */
  readonly run?: Run;
  /**
   * Pre-flight: run these image references (compose reference → final reference) with every network internal,
   * as Antithesis will, and stop after the workload (no collect, no checks).
   */
  readonly preflight?: { readonly imageRefs: Readonly<Record<string, string>> };
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: PipelineEvent) => void;
}

export interface PipelineResult {
  readonly run: Run | undefined;
  readonly verdict: Verdict;
  readonly stages: Readonly<Partial<Record<Stage, StageOutcome>>>;
  readonly commands: readonly CommandOutcome[];
  readonly faults: readonly FaultOutcome[];
  readonly checks: readonly CheckResult[];
  /** What the test composer ran, when (and how to replay it). */
  readonly schedule: Schedule | undefined;
  /** The first failed stage's error (one line, then where the logs and artifacts are). */
  readonly error: Error | undefined;
}

export async function runPipeline(ctx: RunContext, opts: PipelineOptions): Promise<PipelineResult> {
  const emit = (e: PipelineEvent) => {
    try {
      opts.onEvent?.(e);
    } catch (err) {
      ctx.log.warn(`an event listener threw: ${String(err)}`);
    }
  };
  const opened = await openRun(ctx, opts);
  if (opened instanceof Error) return { run: undefined, verdict: false, stages: {}, commands: [], faults: [], checks: [], schedule: undefined, error: opened };
  const log = opts.run === undefined ? ctx.logAlso(opened.write) : ctx.log;
  emit({ type: "run", run: opened });
  log.info(`run ${opened.id}: artifacts in ${opened.dir}`);
  log.info(`rerun: ${opts.rerun}`);
  const r = new PipelineRun(ctx, opts, opened, log, emit);
  const work: Record<Exclude<Stage, "down">, () => Promise<string | void>> = {
    prepare: () => r.prepare(),
    up: () => r.up(),
    "setup-complete": () => r.setupComplete(),
    ready: () => r.ready(),
    workload: () => r.workload(),
    exits: () => r.exits(),
    "fault-checks": () => r.faultChecks(),
    collect: () => r.collect(),
    properties: () => r.properties(),
    checks: () => r.checks(),
  };
  try {
    for (const stage of STAGES) if (stage !== "down") await r.stage(stage, work[stage]);
  } finally {
    // down runs whatever happened above, also after a failure or an abort.
    await r.down();
  }
  return r.finish();
}

/** The run's directory (a new one, or the submission's it is given); an Error when it cannot be made. */
async function openRun(ctx: RunContext, opts: PipelineOptions): Promise<Run | Error> {
  if (opts.run !== undefined) return opts.run;
  const { system, settings } = ctx;
  const faultList = opts.preflight !== undefined ? [] : (opts.variant.options.faults ?? []);
  const serviceEnv = opts.preflight !== undefined ? undefined : opts.variant.options.serviceEnv;
  try {
    return await createRun({
      runsDir: settings.runsDir,
      system: system.name,
      ...(opts.variantName !== undefined ? { variant: opts.variantName } : {}),
      rerun: opts.rerun,
      info: {
        title: opts.timeline?.title ?? opts.variant.options.title,
        settings: { ...settings, env: undefined },
        environment: redactEnv(ctx.workloadEnv),
        checkout: system.checkout,
        ...(faultList.length > 0 ? { faults: faultList.map((f) => ({ name: f.name, ...f.plan })) } : {}),
        ...(serviceEnv !== undefined ? { serviceEnv } : {}),
        ...(opts.timeline !== undefined ? { composer: { ...opts.timeline.composer, timeline: `${opts.timeline.index} of ${opts.timeline.of}`, replay: opts.timeline.replay } } : {}),
      },
    });
  } catch (err) {
    return new Error(`could not create the run directory in ${settings.runsDir}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** One run in progress: what its stages share, and each stage's work (a reason to skip it, or nothing). */
class PipelineRun {
  private readonly ctx: RunContext;
  private readonly opts: PipelineOptions;
  private readonly run: Run;
  private readonly log: Logger;
  private readonly emit: (e: PipelineEvent) => void;
  private readonly stages: Partial<Record<Stage, StageOutcome>> = {};
  private readonly commands: CommandOutcome[] = [];
  private readonly faults: FaultOutcome[] = [];
  private readonly checkResults: CheckResult[] = [];
  private schedule: Schedule | undefined;
  /** The run's error: the first stage that failed, and which. */
  private failure: Error | undefined;
  private failedStage: Stage | undefined;
  private prepared: PreparedSystem | undefined;
  private cluster: StartedCluster | undefined;
  private reaper: Reaper | undefined;
  private tracesDir: string | undefined;
  private tearingDown: Promise<void> | undefined;
  private readonly preflight: boolean;
  private readonly faultList: readonly Fault[];
  private readonly serviceEnv: VariantOptions["serviceEnv"];

  constructor(ctx: RunContext, opts: PipelineOptions, run: Run, log: Logger, emit: (e: PipelineEvent) => void) {
    this.ctx = ctx;
    this.opts = opts;
    this.run = run;
    this.log = log;
    this.emit = emit;
    this.prepared = opts.prepared;
    this.preflight = opts.preflight !== undefined;
    this.faultList = this.preflight ? [] : (opts.variant.options.faults ?? []);
    this.serviceEnv = this.preflight ? undefined : opts.variant.options.serviceEnv;
  }

  /**
   * Runs a stage unless an earlier one failed; fn may return a reason to skip it. What follows the workload
   * (exits, fault checks, collect, properties, checks) runs whenever the cluster is up: a failed workload's
   * traces and assertions are what explain it.
   */
  async stage(name: Stage, fn: () => Promise<string | void>): Promise<boolean> {
    const { stages } = this;
    const afterWorkload = name === "exits" || name === "fault-checks" || name === "collect" || name === "properties" || name === "checks";
    const blocked = this.failure !== undefined && !(afterWorkload && this.cluster !== undefined && stages["setup-complete"]?.status === "passed" && (name !== "properties" && name !== "checks" || stages.collect?.status === "passed"));
    if (blocked) {
      const outcome: StageOutcome = { status: "skipped", reason: `not run: ${this.failedStage} failed` };
      stages[name] = outcome;
      this.emit({ type: "stage", stage: name, outcome });
      return false;
    }
    const started = performance.now();
    const earlier = this.failure;
    let outcome: StageOutcome;
    try {
      this.opts.signal?.throwIfAborted();
      const skipped = await fn();
      outcome = skipped !== undefined ? { status: "skipped", reason: skipped } : { status: "passed", seconds: (performance.now() - started) / 1000 };
    } catch (err) {
      const where = await this.saveContainerLogs().catch(() => undefined);
      // A failing workload often has a dead container behind it: name it too.
      const died = name === "workload" && this.cluster !== undefined ? unplannedExits(await this.cluster.states().catch(() => []), plannedStops(this.faults), this.ctx.system.oneShot) : [];
      const message = this.ctx.redact([err instanceof Error ? err.message : String(err), ...died].join("\n"));
      this.failedStage = earlier === undefined ? name : this.failedStage;
      const thisFailure = new Error(`${name} failed: ${message}\n${where !== undefined ? `container logs: ${where}\n` : ""}run artifacts: ${this.run.dir}`, { cause: err });
      this.failure = earlier ?? thisFailure;
      this.log.warn(`${name} failed: ${message.split("\n")[0]}`);
      outcome = { status: "failed", seconds: (performance.now() - started) / 1000, error: thisFailure };
    }
    stages[name] = outcome;
    this.emit({ type: "stage", stage: name, outcome });
    return outcome.status === "passed";
  }

  async prepare(): Promise<string | void> {
    this.prepared ??= await (await import("./prepare.ts")).prepareSystem({ ...this.ctx, log: this.log });
    const p = this.prepared;
    const file = join(this.run.dir, "run.json");
    await fse.writeJson(file, { ...(await fse.readJson(file)), build: p.build.hash, baseImage: p.baseImage, images: p.images.map((i) => i.tag) }, { spaces: 2 });
    return this.opts.prepared !== undefined ? "built by the global setup" : undefined;
  }

  async up(): Promise<void> {
    const { ctx, opts, run, log } = this;
    const { settings } = ctx;
    if (!settings.keep) this.reaper = Reaper.start(join(run.dir, "reaper.log"));
    this.cluster = await up({
      system: ctx.system,
      images: this.prepared!.images,
      runId: run.id,
      runDir: run.dir,
      // Read when up needs it, after compose is spawned (whileStarting below makes the client).
      get docker() {
        return ctx.docker;
      },
      log,
      reaper: this.reaper,
      keep: settings.keep,
      startupTimeoutMs: settings.setupTimeoutMs,
      ...(opts.preflight !== undefined ? { imageRefs: opts.preflight.imageRefs, internalNetworks: true } : {}),
      ...(this.serviceEnv !== undefined ? { serviceEnv: this.serviceEnv } : {}),
      // The engine's client and the later stages' code load while compose works (a failed load is the stage's
      // that needs it to report: the promise is kept).
      whileStarting: () => {
        void ctx.docker;
        stagesAfterUp().catch(() => undefined);
      },
    });
  }

  async setupComplete(): Promise<void> {
    const { waitForSetupComplete } = await stagesAfterUp();
    const complete = await waitForSetupComplete(this.cluster!, this.ctx.settings.setupTimeoutMs, this.log, this.opts.signal);
    this.log.info(`setup-complete signalled (${complete.file})`);
  }

  async ready(): Promise<string | void> {
    const { system, settings } = this.ctx;
    if (system.ready === undefined) return `${system.name} declares no readiness line`;
    const ready = await (await stagesAfterUp()).waitForLogMessage(this.cluster!, system.ready.services, system.ready.logMessage, settings.setupTimeoutMs, this.opts.signal);
    this.log.info(`ready: ${ready.service}: ${ready.line.trim()}`);
    this.emit({ type: "ready", service: ready.service, line: ready.line.trim() });
  }

  async workload(): Promise<void> {
    const { ctx, opts, log } = this;
    const cluster = this.cluster!;
    const { system } = ctx;
    // The faults' helpers first, so that the first fault is not late (sidecars take a moment to start).
    for (const f of this.faultList) await f.prepare?.(cluster, { log: log.child(`fault/${f.name}`), baseImage: this.prepared!.baseImage, ...(opts.signal !== undefined ? { signal: opts.signal } : {}) });
    const { discoverTemplate, runWorkload, WorkloadError } = await stagesAfterUp();
    // Checks the layout too: prefixes, executable bits, at least one driver.
    const template = await discoverTemplate(cluster, system.template, log.child("workload"));
    log.info(`template "${system.template}": ${template.map((c) => `${c.name} (${c.service})`).join(" → ")}`);
    const driverServices = system.driverServices?.(ctx.workloadEnv);
    if (driverServices !== undefined) log.info(`drivers run in ${driverServices.join(", ")}`);
    const result = await runWorkload(cluster, template, {
      ...(opts.timeline !== undefined ? { composer: opts.timeline.composer } : {}),
      env: ctx.workloadEnv,
      runDir: this.run.dir,
      timeoutMs: ctx.settings.workloadTimeoutMs,
      log: log.child("workload"),
      faults: this.faultList,
      ...(opts.signal !== undefined ? { signal: opts.signal } : {}),
      ...(driverServices !== undefined ? { driverServices } : {}),
    }).catch((err: unknown) => {
      if (err instanceof WorkloadError) {
        this.schedule = err.schedule;
        // What the faults did, for their checks, the exits check and results.json.
        this.faults.push(...err.faults);
      }
      throw err;
    });
    this.schedule = result.schedule;
    this.commands.push(...result.outcomes);
    this.faults.push(...result.faults);
    for (const f of result.faults) {
      if (f.error !== undefined) throw new Error(`fault "${f.fault.name}" could not be injected: ${f.error}`);
    }
  }

  async exits(): Promise<void> {
    const exits = unplannedExits(await this.cluster!.states(), plannedStops(this.faults), this.ctx.system.oneShot);
    if (exits.length > 0) throw new Error(exits.join("\n"));
  }

  async faultChecks(): Promise<string | void> {
    const checked = this.faultList.filter((f) => f.check !== undefined);
    if (checked.length === 0) return "no fault with a check";
    for (const fault of checked) {
      const injected = this.faults.find((f) => f.fault === fault)?.injected;
      if (injected === undefined) {
        this.emit({ type: "fault", fault, result: undefined, skipped: "the fault was not injected" });
        continue;
      }
      let result: CheckResult;
      try {
        result = await fault.check!(this.cluster!, injected);
      } catch (err) {
        result = { name: `fault/${fault.name}`, valid: "unknown", summary: `the fault's check crashed: ${err instanceof Error ? err.message : String(err)}` };
      }
      this.checkResults.push(result);
      this.log.child("fault").info(`${mark(result)} ${result.name}: ${result.summary}`);
      this.emit({ type: "fault", fault, result });
    }
  }

  async collect(): Promise<string | void> {
    if (this.preflight) return "pre-flight: Antithesis runs no collect";
    const c = this.cluster!;
    const { system } = this.ctx;
    await this.healFaults();
    // Stopped first, so that every process has flushed and closed its trace files.
    await this.log.step("Stopping containers", () => c.stop());
    const { collectTraces, collectSdkOutput } = await stagesAfterUp();
    const traces = await collectTraces(c, system.tracesVolume, this.run.dir);
    await collectSdkOutput(c, this.run.dir);
    this.log.info(`collected ${traces.files.length} trace file(s) into ${traces.dir}`);
    if (traces.files.length === 0) throw new Error(`no trace files (trace-*.log) in volume "${system.tracesVolume}"`);
    this.tracesDir = traces.dir;
    // Everything the rest reads is in the run directory now: the teardown need not wait for the checks.
    void this.teardown(true);
  }

  async properties(): Promise<string | void> {
    if (this.preflight) return "pre-flight: Antithesis judges the properties itself";
    const { system } = this.ctx;
    const { evaluateRunProperties, systemCatalog, describeProperty } = await stagesAfterUp();
    const result = await evaluateRunProperties(this.run.dir, systemCatalog(system), this.opts.variant.options.title ?? system.name);
    for (const t of result.tests) {
      if (t.properties.length === 0) continue;
      const summary = t.properties.map(describeProperty).join("\n");
      const unjudged = t.status === "not-reached" || t.status === "not-applicable";
      const r: CheckResult = {
        name: `property/${t.name}`,
        valid: t.status === "failed" ? false : t.status === "passed" ? true : "unknown",
        summary,
        ...(unjudged ? { skipped: summary } : {}),
        details: t.properties,
      };
      this.checkResults.push(r);
      this.log.child("property").info(`${mark(r)} ${t.name}`);
    }
    this.emit({ type: "properties", result });
  }

  async checks(): Promise<string | void> {
    if (this.preflight) return "pre-flight: Antithesis runs no local checks";
    const { system, settings } = this.ctx;
    for (const checker of system.checks(settings, system)) {
      const artifactsDir = join(this.run.dir, "checks", checker.name.replace(/[^A-Za-z0-9._-]/g, "_"));
      await fse.ensureDir(artifactsDir);
      const results = await runChecker(checker, {
        tracesDir: this.tracesDir!,
        artifactsDir,
        log: (l) => this.log.child("check").info(l),
        ...(this.opts.signal !== undefined ? { signal: this.opts.signal } : {}),
      });
      this.checkResults.push(...results);
      await fse.writeJson(join(artifactsDir, "results.json"), results, { spaces: 2 });
      for (const r of results) this.log.child("check").info(`${mark(r)} ${r.name}: ${r.skipped ?? r.summary}`);
      this.emit({ type: "check", checker, results, artifactsDir });
    }
  }

  /** The down stage: whatever failed before, it runs (an earlier failure stays the run's error). */
  async down(): Promise<void> {
    const before = this.failure;
    this.failure = undefined;
    await this.stage("down", async () => {
      if (this.cluster === undefined) return "nothing was started";
      await this.teardown(false);
    });
    this.failure = before ?? this.failure;
    this.reaper?.close();
  }

  /** Every fault healed and its helpers removed (before collection and teardown, also after a failure). */
  private async healFaults(): Promise<void> {
    const cluster = this.cluster;
    if (cluster === undefined) return;
    for (const f of this.faultList) await f.heal?.(cluster).catch((err: unknown) => this.log.warn(`could not heal fault "${f.name}": ${String(err)}`));
  }

  /**
   * Heals, saves the container logs (and the SDK output, unless collected), then `down -v`; started once: by a
   * passed collect (the stopped containers change no more, so properties and checks run beside it) or by the
   * down stage, which always waits for it.
   */
  private teardown(collected: boolean): Promise<void> {
    const c = this.cluster!;
    this.tearingDown ??= (async () => {
      try {
        await this.healFaults();
        await this.saveContainerLogs().catch((err: unknown) => this.log.warn(`could not save container logs: ${String(err)}`));
        if (!collected) await (await stagesAfterUp()).collectSdkOutput(c, this.run.dir).catch(() => undefined);
      } finally {
        await c.down();
      }
    })();
    // Its failure is the down stage's to report: not an unhandled rejection while the checks run.
    this.tearingDown.catch(() => undefined);
    return this.tearingDown;
  }

  private async saveContainerLogs(): Promise<string | undefined> {
    if (this.cluster === undefined) return undefined;
    return (await stagesAfterUp()).saveLogs(this.ctx.docker, await this.cluster.containers(), this.run.dir);
  }

  /** The verdict, results.json, the run's page and the runs index; the result. */
  async finish(): Promise<PipelineResult> {
    const { stages, commands, faults, checkResults: checks, schedule, run, log, preflight } = this;
    const failed = Object.values(stages).some((s) => s.status === "failed");
    const verdict: Verdict = failed ? false : mergeVerdicts(checks.filter((r) => r.skipped === undefined).map((r) => r.valid));
    await fse
      .writeJson(
        join(run.dir, preflight ? "preflight.json" : "results.json"),
        {
          verdict,
          stages: Object.fromEntries(Object.entries(stages).map(([k, s]) => [k, s.status])),
          stageDetails: Object.fromEntries(Object.entries(stages).map(([k, s]) => [k, s.status === "failed" ? { ...s, error: s.error.message } : s])),
          commands: commands.map((o) => ({ name: o.command.name, service: o.command.service, exitCode: o.exitCode, seconds: o.seconds })),
          schedule,
          faults: faults.map((f) => ({ name: f.fault.name, injected: f.injected, error: f.error })),
          checks,
        },
        { spaces: 2 },
      )
      .catch((err: unknown) => log.warn(`could not write results: ${String(err)}`));
    if (faults.length > 0) {
      await updateRun(run, { faultsInjected: faults.map((f) => ({ name: f.fault.name, injected: f.injected, error: f.error })) }).catch(() => undefined);
    }
    if (!preflight) {
      // The run's page and the runs index, after every run: passed, failed or interrupted (harness/report).
      await stagesAfterUp()
        .then(async ({ writeRunPage, writeRunsIndex }) => {
          await writeRunPage(run.dir);
          await writeRunsIndex(this.ctx.settings.runsDir);
        })
        .then(() => log.info(`report: ${join(run.dir, "index.html")}`))
        .catch((err: unknown) => log.warn(`could not write the run's page: ${String(err)}`));
    }
    log.info(`verdict: ${verdict === true ? "PASS" : verdict === false ? "FAIL" : "UNKNOWN"} (${run.dir})`);
    if (this.opts.run === undefined) await run.close();
    return { run, verdict, stages, commands, faults, checks, schedule, error: this.failure };
  }
}

function mark(r: CheckResult): string {
  return r.valid === true ? "ok  " : r.skipped !== undefined ? "skip" : r.valid === false ? "FAIL" : "??  ";
}
