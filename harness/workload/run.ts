// Stage 4: workload. Runs the template's commands in order through `exec`, each with its own log file, and
// stops at the first failure (a failing driver makes later commands meaningless).
import { join } from "node:path";
import fse from "fs-extra";
import type { StartedCluster } from "../compose/cluster.ts";
import type { Logger } from "../log.ts";
import type { Fault } from "../faults/fault.ts";
import { sdkOutputPath } from "../properties/sdk-output.ts";
import type { TemplateCommand } from "./template.ts";

export interface CommandOutcome {
  readonly command: TemplateCommand;
  readonly exitCode: number;
  readonly seconds: number;
  readonly logFile: string;
  readonly tail: string;
}

export class WorkloadError extends Error {
  override name = "WorkloadError";
  readonly outcome: CommandOutcome;
  /** What the faults did, when a command after the drivers failed (the schedule must not be lost with it). */
  faults: FaultOutcome[] = [];
  constructor(message: string, outcome: CommandOutcome) {
    super(message);
    this.outcome = outcome;
  }
}

export interface WorkloadOptions {
  readonly env: Readonly<Record<string, string>>;
  /** Also called with every output line (the harness logs every line anyway). */
  readonly onLine?: (line: string) => void;
  readonly runDir: string;
  readonly timeoutMs: number;
  readonly log: Logger;
  readonly signal?: AbortSignal;
}

export async function runCommand(cluster: StartedCluster, command: TemplateCommand, opts: WorkloadOptions): Promise<CommandOutcome> {
  const dir = join(opts.runDir, "commands");
  await fse.ensureDir(dir);
  const logFile = join(dir, `${command.service}-${command.name}.log`);
  const started = performance.now();
  const log = opts.log.child(`${command.service}/${command.name}`);
  log.info(`Running ${command.path}`);
  const result = await cluster.exec(command.service, [command.path], {
    // Its own SDK output file: every assertion is traced to the service and the command that made it.
    env: { ...opts.env, ANTITHESIS_SDK_LOCAL_OUTPUT: sdkOutputPath(command.service, command.name) },
    logFile,
    onLine: (line) => {
      log.info(line);
      opts.onLine?.(line);
    },
    timeoutMs: opts.timeoutMs,
    ...(opts.signal !== undefined ? { signal: opts.signal } : {}),
  });
  const outcome = { command, exitCode: result.exitCode, seconds: (performance.now() - started) / 1000, logFile, tail: result.tail };
  log.info(`exited with code ${result.exitCode} after ${outcome.seconds.toFixed(1)} s`);
  return outcome;
}

export interface FaultOutcome {
  readonly fault: Fault;
  readonly injected?: Record<string, unknown>;
  readonly error?: string;
}

export interface WorkloadResult {
  readonly outcomes: CommandOutcome[];
  readonly faults: FaultOutcome[];
}

function failIfNonZero(outcome: CommandOutcome): void {
  if (outcome.exitCode !== 0) {
    throw new WorkloadError(
      `${outcome.command.name} (in ${outcome.command.service}) exited with code ${outcome.exitCode}; its output is in ${outcome.logFile}:\n${outcome.tail}`,
      outcome,
    );
  }
}

/**
 * Runs the commands phase by phase (first_ → drivers → the rest), stopping at the first failure. Drivers run
 * in `driverServices` at once when given (each service runs its own copy, e.g. one client per container);
 * faults run alongside the drivers.
 */
export async function runWorkload(
  cluster: StartedCluster,
  commands: readonly TemplateCommand[],
  opts: WorkloadOptions & { readonly driverServices?: readonly string[]; readonly faults?: readonly Fault[] },
): Promise<WorkloadResult> {
  const outcomes: CommandOutcome[] = [];
  const isDriver = (c: TemplateCommand) => /_driver_$/.test(c.prefix);
  const firstDriver = commands.findIndex(isDriver);
  const before = commands.slice(0, firstDriver);
  const drivers = commands.filter(isDriver);
  const after = commands.slice(firstDriver).filter((c) => !isDriver(c));

  for (const command of before) {
    const outcome = await runCommand(cluster, command, opts);
    outcomes.push(outcome);
    failIfNonZero(outcome);
  }

  const driverLines: string[] = [];
  const stopFaults = new AbortController();
  const faultRuns = (opts.faults ?? []).map(async (fault): Promise<FaultOutcome> => {
    try {
      const injected = await fault.inject(cluster, { log: opts.log.child(`fault/${fault.name}`), signal: stopFaults.signal, driverOutput: () => driverLines });
      return { fault, injected };
    } catch (err) {
      return { fault, error: err instanceof Error ? err.message : String(err) };
    }
  });
  try {
    for (const command of drivers) {
      const copies = (opts.driverServices ?? [command.service]).map((service) => ({ ...command, service }));
      const results = await Promise.all(copies.map((copy) => runCommand(cluster, copy, { ...opts, onLine: (l) => driverLines.push(l) })));
      outcomes.push(...results);
      results.forEach(failIfNonZero);
    }
  } finally {
    stopFaults.abort();
  }
  const faults = await Promise.all(faultRuns);

  for (const command of after) {
    const outcome = await runCommand(cluster, command, opts);
    outcomes.push(outcome);
    try {
      failIfNonZero(outcome);
    } catch (err) {
      if (err instanceof WorkloadError) err.faults = faults;
      throw err;
    }
  }
  return { outcomes, faults };
}
