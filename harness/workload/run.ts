// Stage 4: workload. Runs the template's commands in order through `exec`, each with its own log file, and
// stops at the first failure (a failing driver makes later commands meaningless).
import { join } from "node:path";
import fse from "fs-extra";
import type { StartedCluster } from "../compose/cluster.ts";
import type { Logger } from "../log.ts";
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
  constructor(message: string, outcome: CommandOutcome) {
    super(message);
    this.outcome = outcome;
  }
}

export interface WorkloadOptions {
  readonly env: Readonly<Record<string, string>>;
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
    env: opts.env,
    logFile,
    onLine: (line) => log.info(line),
    timeoutMs: opts.timeoutMs,
    ...(opts.signal !== undefined ? { signal: opts.signal } : {}),
  });
  const outcome = { command, exitCode: result.exitCode, seconds: (performance.now() - started) / 1000, logFile, tail: result.tail };
  log.info(`exited with code ${result.exitCode} after ${outcome.seconds.toFixed(1)} s`);
  return outcome;
}

export async function runWorkload(cluster: StartedCluster, commands: readonly TemplateCommand[], opts: WorkloadOptions): Promise<CommandOutcome[]> {
  const outcomes: CommandOutcome[] = [];
  for (const command of commands) {
    const outcome = await runCommand(cluster, command, opts);
    outcomes.push(outcome);
    if (outcome.exitCode !== 0) {
      throw new WorkloadError(
        `${command.name} (in ${command.service}) exited with code ${outcome.exitCode}; its output is in ${outcome.logFile}:\n${outcome.tail}`,
        outcome,
      );
    }
  }
  return outcomes;
}
