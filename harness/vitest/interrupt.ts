// Runs a system's suite in a child Vitest, interrupts it with a signal once its workload is running, and reports
// what the child left on the Docker engine. Used by the suites to prove that an interrupted run leaves nothing.
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { listProject, type Leftovers } from "../compose/remove-project.ts";
import { projectRoot } from "../paths.ts";

export interface InterruptOutcome {
  readonly project: string;
  readonly exitCode: number | undefined;
  readonly signal: string | undefined;
  /** What was left of the project, polled until empty or until the deadline. */
  readonly leftovers: Leftovers;
  readonly output: string;
}

export async function interruptDuringWorkload(opts: {
  readonly suite: string;
  readonly testFile: string;
  readonly env: Readonly<Record<string, string>>;
  readonly signal: "SIGINT" | "SIGTERM";
  readonly timeoutMs: number;
}): Promise<InterruptOutcome> {
  const runsDir = await mkdtemp(join(tmpdir(), "interrupted-runs-"));
  const child = execa(process.execPath, [join(projectRoot, "node_modules/vitest/vitest.mjs"), "run", "--project", opts.suite, opts.testFile, "--reporter=default"], {
    cwd: projectRoot,
    env: { ...opts.env, PGO_HARNESS_RUNS_DIR: runsDir, FORCE_COLOR: "0" },
    all: true,
    reject: false,
    timeout: opts.timeoutMs,
  });
  let output = "";
  const project = await new Promise<string>((resolve, reject) => {
    let name: string | undefined;
    child.all?.on("data", (d: Buffer) => {
      output += d.toString();
      name ??= /Starting compose project (pgoh-[a-z0-9_-]+)/.exec(output)?.[1];
      // The driver has started: interrupt now.
      if (name !== undefined && /\/workload\/.*\] Running \/opt\/antithesis\/test\/v1\//.test(output)) resolve(name);
    });
    void child.then(() => reject(new Error(`the suite ended before its workload started:\n${output.slice(-3000)}`)));
  });
  child.kill(opts.signal);
  const result = await child;
  let leftovers = await listProject(project);
  for (let i = 0; i < 60 && leftovers.containers.length + leftovers.networks.length + leftovers.volumes.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 500));
    leftovers = await listProject(project);
  }
  return { project, exitCode: result.exitCode, signal: result.signal, leftovers, output: output + (result.all ?? "") };
}
