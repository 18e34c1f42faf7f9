// The `docker compose` CLI for one project: up -d and down -v. Called directly (not through testcontainers'
// compose module, whose import and per-container waits cost seconds a run), with compose's progress lines
// dropped from errors so that the daemon's own message, and the service it names, come first.
// Through node:child_process rather than execa: compose up is what every run waits for first, and execa's import
// (about 40 ms, 160 modules) would come before it.
import { execFile } from "node:child_process";

export interface ComposeProject {
  readonly name: string;
  /** Directory the files are relative to (compose's project directory). */
  readonly dir: string;
  readonly files: readonly string[];
}

export class ComposeError extends Error {
  override name = "ComposeError";
}

function args(p: ComposeProject, rest: readonly string[]): string[] {
  return ["compose", "-p", p.name, ...p.files.flatMap((f) => ["-f", f]), ...rest];
}

interface Ran {
  /** undefined when docker did not run or was killed. */
  readonly exitCode: number | undefined;
  readonly stderr: string;
  readonly timedOut: boolean;
}

/** `docker <args>`, spawned at once (before this returns); never rejects: the outcome says what happened. */
function docker(argv: readonly string[], cwd: string, timeoutMs = 0): Promise<Ran> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile("docker", argv, { cwd, timeout: timeoutMs, killSignal: "SIGTERM", maxBuffer: 64 * 1024 * 1024, encoding: "utf8" }, (err, _stdout, stderr) => {
      if (err === null) return resolve({ exitCode: 0, stderr, timedOut: false });
      const timedOut = timeoutMs > 0 && err.killed === true && performance.now() - started >= timeoutMs;
      // A spawn failure (no docker on PATH) has a string code and no output: its message is the story.
      const exitCode = typeof err.code === "number" ? err.code : undefined;
      resolve({ exitCode, stderr: stderr || (exitCode === undefined ? err.message : ""), timedOut });
    });
  });
}

/** compose's progress lines ("Container x  Creating", "Network y  Created", …) are not the error. */
const PROGRESS = /^\s*(Container|Network|Volume|Image)\s+\S+\s+(Creating|Created|Starting|Started|Stopping|Stopped|Removing|Removed|Recreate|Recreated|Running|Waiting|Healthy|Pulling|Pulled|Exited)\s*$/;

/** The lines of compose's stderr that say what went wrong, with the service named when compose names a container. */
export function composeErrorMessage(project: string, stderr: string): string {
  const all = stderr.split("\n").map((l) => l.trim());
  const text = all.filter((l) => l !== "" && !PROGRESS.test(l)).join("\n");
  const container = new RegExp(`^${project.replace(/[-]/g, "\\-")}[-_]([A-Za-z0-9_.-]+?)[-_]\\d+$`);
  // The daemon's error rarely names the container; compose's progress does: the one that began a step
  // (Creating, Starting) and never finished it.
  const last = new Map<string, string>();
  for (const l of all) {
    const m = /^Container\s+(\S+)\s+(\S+)$/.exec(l);
    const service = m !== null ? container.exec(m[1]!)?.[1] : undefined;
    if (service !== undefined) last.set(service, m![2]!);
  }
  const stuck = [...last].filter(([, step]) => step === "Creating" || step === "Starting").map(([s]) => s);
  const named = stuck.length > 0 ? stuck : [container.exec(text.match(new RegExp(`${project}[-_][A-Za-z0-9_.-]+`))?.[0] ?? "")?.[1]].filter((s) => s !== undefined);
  return `${named.map((s) => `service "${s}"`).join(", ")}${named.length > 0 ? ": " : ""}${text || "docker compose failed without a message"}`;
}

/**
 * `up -d`. whileStarting runs once compose is spawned: a warm start keeps this process waiting ~0.3 s on compose
 * and the engine, time the caller can spend loading what comes next (harness/run/pipeline.ts).
 */
export async function composeUp(p: ComposeProject, timeoutMs: number, whileStarting?: () => void): Promise<void> {
  const child = docker(args(p, ["up", "-d", "--no-build", "--pull", "never", "--quiet-pull"]), p.dir, timeoutMs);
  try {
    whileStarting?.();
  } catch {
    // The caller's side work; whatever failed there fails again, reported, where its result is needed.
  }
  const r = await child;
  if (r.timedOut) throw new ComposeError(`docker compose up did not finish within ${timeoutMs / 1000} s`);
  if (r.exitCode !== 0) throw new ComposeError(composeErrorMessage(p.name, r.stderr));
}

export async function composeDown(p: ComposeProject, timeoutS = 10): Promise<void> {
  const r = await docker(args(p, ["down", "-v", "--remove-orphans", "--timeout", String(timeoutS)]), p.dir);
  if (r.exitCode !== 0) throw new ComposeError(composeErrorMessage(p.name, r.stderr));
}
