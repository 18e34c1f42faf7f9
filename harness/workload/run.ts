// Stage 4: workload. Runs a timeline the composer planned (composer.ts) through `exec`, each command with its
// own log file, concurrently where Antithesis would:
//   first_ (alone, no faults) → drivers and anytime_ (faults on) → eventually_ → finally_ (faults off).
// The schedule — who ran when, where, with which exit code, and what else was running — goes to
// <runDir>/schedule.json. The first failing command stops the timeline: nothing new starts, running commands
// finish, and the error names the command and its log.
import { join } from "node:path";
import fse from "fs-extra";
import type { StartedCluster } from "../compose/cluster.ts";
import type { Logger } from "../log.ts";
import type { Fault } from "../faults/fault.ts";
import { sdkOutputPath } from "../properties/sdk-output.ts";
import { Composer, defaultComposerConfig, type ComposerConfig, type PlannedRun, type Regime } from "./composer.ts";
import type { Prefix, TemplateCommand } from "./template.ts";

export interface CommandOutcome {
  readonly command: TemplateCommand;
  readonly exitCode: number;
  readonly seconds: number;
  readonly logFile: string;
  readonly tail: string;
  /** The run's id in the schedule (e.g. "r0.d1"). */
  readonly runId?: string;
}

export class WorkloadError extends Error {
  override name = "WorkloadError";
  readonly outcome: CommandOutcome;
  readonly schedule: Schedule | undefined;
  /** What the faults did, when the timeline failed (their record must not be lost with it). */
  faults: FaultOutcome[] = [];
  constructor(message: string, outcome: CommandOutcome, schedule?: Schedule) {
    super(message);
    this.outcome = outcome;
    this.schedule = schedule;
  }
}

/** first → drivers (drivers and anytime_ commands; faults on) → eventually → finally. */
export type Phase = "first" | "drivers" | "eventually" | "finally";
export type PhaseEvent = `${Phase}-start` | `${Phase}-stop`;

export interface WorkloadOptions {
  readonly env: Readonly<Record<string, string>>;
  /** Also called with every output line (the harness logs every line anyway). */
  readonly onLine?: (line: string) => void;
  readonly runDir: string;
  readonly timeoutMs: number;
  readonly log: Logger;
  readonly signal?: AbortSignal;
}

/** Runs one command somewhere; the default runs it in its service with `docker exec`. */
export type Executor = (
  run: PlannedRun,
  opts: { readonly env: Readonly<Record<string, string>>; readonly logFile: string; readonly onLine: (line: string) => void; readonly timeoutMs: number; readonly signal?: AbortSignal },
) => Promise<{ exitCode: number; tail: string }>;

export interface ComposeOptions extends WorkloadOptions {
  /** Seed, rounds or duration, regimes, copies (default: one round, a random seed). */
  readonly composer?: ComposerConfig;
  /** Where drivers run (e.g. one client container each); concurrent copies get distinct services. */
  readonly driverServices?: readonly string[];
  /** Awaited at each phase boundary: start faults at "drivers-start", stop them at "drivers-stop". */
  readonly onPhase?: (event: PhaseEvent) => void | Promise<void>;
  /** Called with each line the drivers print (e.g. to time a fault by workload progress). */
  readonly onDriverLine?: (line: string) => void;
  readonly exec?: Executor;
}

export interface ScheduledRun {
  readonly id: string;
  readonly name: string;
  readonly prefix: Prefix;
  readonly service: string;
  readonly round: number | undefined;
  /** anytime_: the driver run whose start started it. */
  readonly after: string | undefined;
  /** Milliseconds since the timeline began. */
  readonly startMs: number;
  endMs: number | undefined;
  exitCode: number | undefined;
  error: string | undefined;
  /** Runs of this timeline that were running at any moment this one was (the harness's view). */
  readonly alongside: string[];
  readonly logFile: string;
}

export interface Schedule {
  readonly seed: number;
  readonly regime: Regime;
  /** Rounds of drivers that started. */
  rounds: number;
  readonly config: ComposerConfig;
  readonly notes: readonly string[];
  readonly runs: ScheduledRun[];
  readonly phases: { event: PhaseEvent; atMs: number }[];
  /** How to get the same choices again (at the end: the seed and the rounds that ran). */
  replay: string;
  verdict: "passed" | "failed" | "running";
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (ms <= 0 || signal?.aborted === true) return resolve();
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(t), resolve()), { once: true });
  });

function clusterExecutor(cluster: StartedCluster): Executor {
  return (run, o) =>
    cluster.exec(run.service, [run.path], { env: o.env, logFile: o.logFile, onLine: o.onLine, timeoutMs: o.timeoutMs, ...(o.signal !== undefined ? { signal: o.signal } : {}) });
}

/** Runs one timeline of the composer's plan with `exec` and returns its schedule (also written to schedule.json). */
export async function compose(commands: readonly TemplateCommand[], opts: ComposeOptions & { readonly exec: Executor }): Promise<{ schedule: Schedule; outcomes: CommandOutcome[] }> {
  const timeline = new TimelineRun(commands, opts);
  await timeline.open();
  try {
    await timeline.first();
    await timeline.drivers();
    await timeline.closing();
  } finally {
    await timeline.close();
  }
  return timeline.result();
}

/** One timeline being run: its phases in order (first → drivers → eventually, finally), and what they share. */
class TimelineRun {
  private readonly opts: ComposeOptions & { readonly exec: Executor };
  private readonly config: ComposerConfig;
  private readonly composer: Composer;
  private readonly log: Logger;
  private readonly t0 = performance.now();
  private readonly schedule: Schedule;
  private readonly outcomes: CommandOutcome[] = [];
  private readonly byName: Map<string, TemplateCommand>;
  private readonly running = new Map<string, ScheduledRun>();
  private readonly logNames = new Map<string, number>();
  private readonly dir: string;
  /** The first command that failed: nothing new starts after it. */
  private failure: CommandOutcome | undefined;
  /** The phase started and not yet stopped (closed by close() after an exception, so that faults stop). */
  private phaseOpen: Phase | undefined;

  constructor(commands: readonly TemplateCommand[], opts: ComposeOptions & { readonly exec: Executor }) {
    this.opts = opts;
    this.config = opts.composer ?? defaultComposerConfig();
    this.composer = new Composer(commands, this.config, { driverServices: opts.driverServices });
    this.log = opts.log;
    const { config } = this;
    const replay = `COMPOSER_SEED=${config.seed} ${config.durationMs !== undefined ? `COMPOSER_DURATION=${config.durationMs / 1000}` : `COMPOSER_ROUNDS=${config.rounds}`}`;
    this.schedule = { seed: config.seed, regime: this.composer.regime, rounds: 0, config, notes: this.composer.notes, runs: [], phases: [], replay, verdict: "running" };
    this.byName = new Map(commands.map((c) => [c.name, c]));
    this.dir = join(opts.runDir, "commands");
  }

  private now(): number {
    return Math.round(performance.now() - this.t0);
  }

  private stopped(): boolean {
    return this.failure !== undefined || this.opts.signal?.aborted === true;
  }

  async open(): Promise<void> {
    const { config, composer, opts } = this;
    await fse.ensureDir(this.dir);
    this.log.info(`composer: seed ${config.seed}, ${composer.regime} drivers, ${config.durationMs !== undefined ? `${config.durationMs / 1000} s of rounds` : `${config.rounds} round(s)`}${opts.driverServices !== undefined ? `, drivers in ${opts.driverServices.join(", ")}` : ""} (replay: ${this.schedule.replay})`);
    for (const note of composer.notes) this.log.info(`composer: ${note}`);
  }

  private async phase(event: PhaseEvent): Promise<void> {
    this.schedule.phases.push({ event, atMs: this.now() });
    await this.opts.onPhase?.(event);
  }

  /** Starts a run now (synchronously registered as running), resolves when it ends. */
  private start(p: PlannedRun, round: number | undefined): Promise<void> {
    const { opts, running } = this;
    const key = `${p.service}-${p.name}`;
    const n = (this.logNames.get(key) ?? 0) + 1;
    this.logNames.set(key, n);
    const logFile = join(this.dir, `${key}${n > 1 ? `.${n}` : ""}.log`);
    // Its own SDK output file (a repeat or a copy in the same service too): every assertion is traced to the
    // service and the command run that made it.
    const env = { ...opts.env, ANTITHESIS_SDK_LOCAL_OUTPUT: sdkOutputPath(p.service, n > 1 ? `${p.name}.${n}` : p.name) };
    const rec: ScheduledRun = {
      id: p.id, name: p.name, prefix: p.prefix, service: p.service, round, after: p.after, startMs: this.now(),
      endMs: undefined, exitCode: undefined, error: undefined, alongside: [...running.keys()], logFile,
    };
    for (const other of running.values()) other.alongside.push(p.id);
    running.set(p.id, rec);
    this.schedule.runs.push(rec);
    const clog = this.log.child(`${p.service}/${p.name}`);
    clog.info(`Running ${p.path} (${p.id})`);
    const driver = p.prefix.endsWith("_driver_");
    const started = performance.now();
    return opts
      .exec(p, {
        env,
        logFile,
        onLine: (line) => {
          clog.info(line);
          opts.onLine?.(line);
          if (driver) opts.onDriverLine?.(line);
        },
        timeoutMs: opts.timeoutMs,
        ...(opts.signal !== undefined ? { signal: opts.signal } : {}),
      })
      .then(
        (r) => ({ exitCode: r.exitCode, tail: r.tail, error: undefined as string | undefined }),
        (err: unknown) => ({ exitCode: -1, tail: "", error: err instanceof Error ? err.message : String(err) }),
      )
      .then((r) => {
        rec.endMs = this.now();
        rec.exitCode = r.exitCode;
        rec.error = r.error;
        running.delete(p.id);
        const outcome: CommandOutcome = {
          command: { ...(this.byName.get(p.name) ?? { path: p.path, name: p.name, prefix: p.prefix }), service: p.service },
          exitCode: r.exitCode, seconds: (performance.now() - started) / 1000, logFile, tail: r.error ?? r.tail, runId: p.id,
        };
        this.outcomes.push(outcome);
        clog.info(r.error !== undefined ? `failed: ${r.error}` : `exited with code ${r.exitCode} after ${outcome.seconds.toFixed(1)} s`);
        if (r.exitCode !== 0 && this.failure === undefined) this.failure = outcome;
      });
  }

  /**
   * first_: "runs after setup_complete but before any other commands start … run to completion before any
   * faults or other commands start."
   */
  async first(): Promise<void> {
    if (this.composer.first === undefined) return;
    this.phaseOpen = "first";
    await this.phase("first-start");
    await this.start(this.composer.first, undefined);
    this.phaseOpen = undefined;
    await this.phase("first-stop");
  }

  /** The rounds of drivers with their anytime_ commands (faults on). */
  async drivers(): Promise<void> {
    if (this.stopped()) return;
    const { config, composer, opts, schedule } = this;
    this.phaseOpen = "drivers";
    await this.phase("drivers-start");
    const anytimes: Promise<void>[] = [];
    for (let k = 0; !this.stopped(); k++) {
      const more = config.durationMs !== undefined ? k === 0 || this.now() < config.durationMs : k < config.rounds;
      if (!more) break;
      const round = composer.round(k);
      if (round === undefined) {
        if (k < config.rounds) this.log.info(`composer: a singleton_driver_ runs once; ${config.rounds - k} more round(s) not run`);
        break;
      }
      schedule.rounds = k + 1;
      if (round.drivers.length === 0) {
        // anytime-only: the round's anytime_ commands, staggered, under faults.
        await Promise.all(round.anytimes.map(async (a) => {
          await sleep(a.delayMs ?? 0, opts.signal);
          if (!this.stopped()) await this.start(a, k);
        }));
        continue;
      }
      // Drivers of a round start (staggered) and the round ends when all have; anytime_ commands start when
      // their driver does and may outlive the round — they complete before eventually_/finally_.
      await Promise.all(round.drivers.map(async (d) => {
        await sleep(d.delayMs ?? 0, opts.signal);
        if (this.stopped()) return;
        const done = this.start(d, k);
        for (const a of round.anytimes) if (a.after === d.id) anytimes.push(this.start(a, k));
        await done;
      }));
    }
    // "When eventually_ or finally_ runs, faults stop, but already-running anytime_ commands complete."
    await Promise.all(anytimes);
    this.phaseOpen = undefined;
    await this.phase("drivers-stop");
  }

  /** eventually_, then finally_ commands, one at a time (faults off). */
  async closing(): Promise<void> {
    for (const [name, runs] of [["eventually", this.composer.eventually], ["finally", this.composer.finally]] as const) {
      if (this.stopped() || runs.length === 0) continue;
      this.phaseOpen = name;
      await this.phase(`${name}-start`);
      for (const r of runs) {
        if (this.stopped()) break;
        await this.start(r, undefined);
      }
      this.phaseOpen = undefined;
      await this.phase(`${name}-stop`);
    }
  }

  /** Closes a phase an exception left open (so faults stop), writes schedule.json and logs the schedule. */
  async close(): Promise<void> {
    const { schedule, config } = this;
    if (this.phaseOpen !== undefined) await this.phase(`${this.phaseOpen}-stop`).catch(() => undefined);
    schedule.verdict = this.failure === undefined && this.opts.signal?.aborted !== true ? "passed" : "failed";
    schedule.replay = `COMPOSER_SEED=${config.seed} COMPOSER_ROUNDS=${Math.max(1, schedule.rounds)}`;
    await fse.writeJson(join(this.opts.runDir, "schedule.json"), schedule, { spaces: 2 });
    this.log.info(`schedule (seed ${config.seed}, ${this.composer.regime}, ${schedule.rounds} round(s), ${schedule.verdict}):`);
    for (const line of describeSchedule(schedule)) this.log.info(`  ${line}`);
  }

  /** The schedule and every outcome; the first failing command's WorkloadError when one failed. */
  result(): { schedule: Schedule; outcomes: CommandOutcome[] } {
    const { failure, schedule } = this;
    if (failure !== undefined) {
      throw new WorkloadError(
        `${failure.command.name} (in ${failure.command.service}) exited with code ${failure.exitCode}; its output is in ${failure.logFile}:\n${failure.tail}`,
        failure,
        schedule,
      );
    }
    return { schedule, outcomes: this.outcomes };
  }
}

/** One line per run: "r0.d1 parallel_driver_x@client2 0.41–3.02 s exit 0, alongside r0.d0 r0.a0". */
export function describeSchedule(schedule: Schedule): string[] {
  const sec = (ms: number | undefined) => (ms === undefined ? "…" : (ms / 1000).toFixed(2));
  return schedule.runs.map((r) =>
    `${r.id.padEnd(6)} ${`${r.name}@${r.service}`.padEnd(44)} ${sec(r.startMs)}–${sec(r.endMs)} s exit ${r.exitCode ?? "-"}${r.alongside.length > 0 ? `, alongside ${r.alongside.join(" ")}` : ""}`,
  );
}

export interface FaultOutcome {
  readonly fault: Fault;
  readonly injected?: Record<string, unknown>;
  readonly error?: string;
}

export interface WorkloadResult {
  readonly outcomes: CommandOutcome[];
  readonly faults: FaultOutcome[];
  readonly schedule: Schedule;
}

/**
 * Runs one timeline of the template in the cluster (see compose). Faults are injected while the drivers and
 * anytime_ commands run: each fault's inject() starts at "drivers-start" and its signal is aborted at
 * "drivers-stop", before eventually_/finally_ (Antithesis: faults are off for first, eventually, finally).
 */
export async function runWorkload(
  cluster: StartedCluster,
  commands: readonly TemplateCommand[],
  opts: ComposeOptions & { readonly faults?: readonly Fault[] },
): Promise<WorkloadResult> {
  const driverLines: string[] = [];
  const stopFaults = new AbortController();
  let faultRuns: Promise<FaultOutcome>[] = [];
  const onPhase = async (event: PhaseEvent) => {
    if (event === "drivers-start") {
      faultRuns = (opts.faults ?? []).map(async (fault): Promise<FaultOutcome> => {
        try {
          const injected = await fault.inject(cluster, { log: opts.log.child(`fault/${fault.name}`), signal: stopFaults.signal, driverOutput: () => driverLines });
          return { fault, injected };
        } catch (err) {
          return { fault, error: err instanceof Error ? err.message : String(err) };
        }
      });
    }
    if (event === "drivers-stop") {
      stopFaults.abort();
      // Every fault healed before eventually_/finally_ start (inject resolves once it has healed).
      await Promise.all(faultRuns);
    }
    await opts.onPhase?.(event);
  };
  try {
    const { schedule, outcomes } = await compose(commands, {
      ...opts,
      exec: opts.exec ?? clusterExecutor(cluster),
      onPhase,
      onDriverLine: (line) => {
        driverLines.push(line);
        opts.onDriverLine?.(line);
      },
    });
    return { outcomes, faults: await Promise.all(faultRuns), schedule };
  } catch (err) {
    if (err instanceof WorkloadError) {
      stopFaults.abort();
      err.faults = await Promise.all(faultRuns);
    }
    throw err;
  } finally {
    stopFaults.abort();
  }
}
