// Every run is stored (after Jepsen): runs/<system>/<start time>-<id>/ with run.json (settings, commit, rerun
// command; secrets redacted), run.log (every line the run printed, starting with the commit and the rerun
// command), logs/, traces/, commands/, checks/, results.json, and a `latest` link per variant.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, type WriteStream } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import fse from "fs-extra";
import { projectRoot } from "../paths.ts";

export { redactEnv } from "../redact.ts";

export interface Run {
  readonly id: string;
  readonly system: string;
  readonly dir: string;
  readonly startedAt: Date;
  /** Appends a line to run.log. */
  readonly write: (line: string) => void;
  /** Flushes and closes run.log. */
  close(): Promise<void>;
}

export interface GitState {
  readonly commit: string;
  readonly dirty: boolean;
}

// node:child_process, not execa: a run creates its directory before compose starts, and execa's import (~40 ms)
// would be on that path for two one-line git commands.
const git = (args: readonly string[]) => promisify(execFile)("git", args, { cwd: projectRoot, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });

export async function gitState(): Promise<GitState | undefined> {
  try {
    const [head, status] = await Promise.all([git(["rev-parse", "HEAD"]), git(["status", "--porcelain", "--untracked-files=no"])]);
    return { commit: head.stdout.trim(), dirty: status.stdout.trim() !== "" };
  } catch {
    return undefined;
  }
}

export interface CreateRunOptions {
  readonly runsDir: string;
  readonly system: string;
  /** The variant's name: `latest` is kept per variant (`latest` for the main one, `latest-<variant>` otherwise). */
  readonly variant?: string;
  /** The exact command that runs this variant again (with the host variables it depended on). */
  readonly rerun: string;
  readonly info: Record<string, unknown>;
}

export async function createRun(opts: CreateRunOptions): Promise<Run> {
  const startedAt = new Date();
  const id = randomBytes(3).toString("hex");
  const stamp = startedAt.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const dir = join(opts.runsDir, opts.system, `${stamp}-${id}`);
  const [git] = await Promise.all([gitState(), fse.ensureDir(dir)]);
  const latest = join(opts.runsDir, opts.system, opts.variant === undefined ? "latest" : `latest-${opts.variant}`);
  await fse.remove(latest);
  await fse.symlink(`${stamp}-${id}`, latest).catch(() => undefined);
  await fse.writeJson(
    join(dir, "run.json"),
    { system: opts.system, variant: opts.variant, id, startedAt: startedAt.toISOString(), git, rerun: opts.rerun, ...opts.info },
    { spaces: 2 },
  );
  const file: WriteStream = createWriteStream(join(dir, "run.log"), { flags: "a" });
  file.write(`commit ${git === undefined ? "unknown (not a git checkout)" : `${git.commit}${git.dirty ? " (dirty: uncommitted changes)" : " (clean)"}`}\n`);
  file.write(`rerun: ${opts.rerun}\n`);
  let closed = false;
  return {
    id,
    system: opts.system,
    dir,
    startedAt,
    write: (line) => {
      if (!closed) file.write(line + "\n");
    },
    close: async () => {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve) => file.end(resolve));
    },
  };
}

/** A shell word: quoted when it holds anything but safe characters. */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** `K=V K2=V2 <command>`, values quoted for a shell. */
export function commandLine(env: Readonly<Record<string, string>>, argv: readonly string[]): string {
  return [...Object.entries(env).map(([k, v]) => `${k}=${shellWord(v)}`), ...argv.map(shellWord)].join(" ");
}

/** Adds fields to a run's run.json once they are known (e.g. the faults a run actually injected). */
export async function updateRun(run: Run, fields: Record<string, unknown>): Promise<void> {
  const file = join(run.dir, "run.json");
  await fse.writeJson(file, { ...(await fse.readJson(file)), ...fields }, { spaces: 2 });
}
