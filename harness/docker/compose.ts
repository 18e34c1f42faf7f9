// The `docker compose` CLI for one project: up -d and down -v. Called directly (not through testcontainers'
// compose module, whose import and per-container waits cost seconds a run), with compose's progress lines
// dropped from errors so that the daemon's own message, and the service it names, come first.
import { execa } from "execa";

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

export async function composeUp(p: ComposeProject, timeoutMs: number): Promise<void> {
  const r = await execa("docker", args(p, ["up", "-d", "--no-build", "--pull", "never", "--quiet-pull"]), { cwd: p.dir, reject: false, timeout: timeoutMs, all: false });
  if (r.timedOut) throw new ComposeError(`docker compose up did not finish within ${timeoutMs / 1000} s`);
  if (r.exitCode !== 0) throw new ComposeError(composeErrorMessage(p.name, r.stderr));
}

export async function composeDown(p: ComposeProject, timeoutS = 10): Promise<void> {
  const r = await execa("docker", args(p, ["down", "-v", "--remove-orphans", "--timeout", String(timeoutS)]), { cwd: p.dir, reject: false });
  if (r.exitCode !== 0) throw new ComposeError(composeErrorMessage(p.name, r.stderr));
}
