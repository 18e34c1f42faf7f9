// Runs a suite in a child Vitest — optionally interrupting it with a signal once its workload is running —
// and reports what the child printed and what it left on the Docker engine. Used to prove that failed and
// interrupted runs leave nothing behind.
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { onTestFinished } from "vitest";
import { listProject, type Leftovers } from "../docker/project.ts";
import { projectRoot } from "../paths.ts";

export interface ChildRunOutcome {
  readonly project: string | undefined;
  readonly exitCode: number | undefined;
  readonly signal: string | undefined;
  /** What was left of the project, polled until empty or for 30 s. */
  readonly leftovers: Leftovers;
  readonly output: string;
  readonly runsDir: string;
  /** The path of the child's JUnit report (in runsDir). */
  readonly junit: string;
}

export interface ChildRunOptions {
  /** Arguments after `vitest run`, e.g. ["--project", "dqueue", "suites/dqueue/dqueue.test.ts"]. */
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Send this signal to the child as soon as its first test-composer command starts. */
  readonly interruptWith?: "SIGINT" | "SIGTERM";
  readonly timeoutMs: number;
  /** Vitest reporter for the child's output (default "default"; "verbose" lists every test's name). */
  readonly reporter?: "default" | "verbose";
}

/**
 * The environment for a child run: this process's, without the outer run's ANTITHESIS* settings and output
 * directories (under `ANTITHESIS=1 npx vitest run` they would turn the child into a submission to the outer
 * registry and API), then ANTITHESIS=0 and `extra`, which may set its own.
 */
export function childEnv(extra: Readonly<Record<string, string>> = {}, env: NodeJS.ProcessEnv = process.env): Record<string, string | undefined> {
  const kept = Object.entries(env).filter(([k]) => !/^ANTITHESIS/.test(k) && k !== "PGO_HARNESS_RUNS_DIR" && k !== "PGO_HARNESS_REPORTS_DIR");
  return { ...Object.fromEntries(kept), ANTITHESIS: "0", ...extra };
}

const WORKLOAD_STARTED = /\/workload\/.*\] Running \/opt\/antithesis\/test\/v1\//;

export async function runSuiteInChild(opts: ChildRunOptions): Promise<ChildRunOutcome> {
  const runsDir = await mkdtemp(join(tmpdir(), "child-runs-"));
  // Removed when the calling test ends (it reads the child's files first); outside a test the caller removes it.
  try {
    onTestFinished(() => rm(runsDir, { recursive: true, force: true, maxRetries: 3 }));
  } catch {
    // not called from a test
  }
  // The child's temp dir is inside it too: a child killed before its own clean-up leaves nothing elsewhere.
  await mkdir(join(runsDir, "tmp"));
  // The child's JUnit goes to its own directory (never over the outer run's reports/), for tests to read.
  const junit = join(runsDir, "reports", "junit.xml");
  // Loaded here: suite files import this module (through testInterruptions) on every run, few start a child.
  const { execa } = await import("execa");
  const child = execa(process.execPath, [join(projectRoot, "node_modules/vitest/vitest.mjs"), "run", ...opts.args, `--reporter=${opts.reporter ?? "default"}`, "--reporter=junit", `--outputFile.junit=${junit}`], {
    cwd: projectRoot,
    env: { ...opts.env, TMPDIR: join(runsDir, "tmp"), PGO_HARNESS_RUNS_DIR: runsDir, PGO_HARNESS_REPORTS_DIR: join(runsDir, "reports"), FORCE_COLOR: "0" },
    extendEnv: false,
    all: true,
    reject: false,
    timeout: opts.timeoutMs,
  });
  let output = "";
  let interrupted = false;
  child.all?.on("data", (d: Buffer) => {
    output += d.toString();
    if (opts.interruptWith !== undefined && !interrupted && WORKLOAD_STARTED.test(output)) {
      interrupted = true;
      child.kill(opts.interruptWith);
    }
  });
  const result = await child;
  const project = /Starting compose project (pgoh-[a-z0-9_-]+)/.exec(output)?.[1];
  let leftovers: Leftovers = { containers: [], networks: [], volumes: [] };
  if (project !== undefined) {
    leftovers = await listProject(project);
    for (let i = 0; i < 60 && leftovers.containers.length + leftovers.networks.length + leftovers.volumes.length > 0; i++) {
      await new Promise((r) => setTimeout(r, 500));
      leftovers = await listProject(project);
    }
  }
  if (opts.interruptWith !== undefined && !interrupted) {
    throw new Error(`the suite ended before its workload started, so it was never interrupted:\n${output.slice(-3000)}`);
  }
  return { project, exitCode: result.exitCode, signal: result.signal, leftovers, output: stripVTControlCharacters(output), runsDir, junit };
}
