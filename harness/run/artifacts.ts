// Every run is stored (after Jepsen): runs/<system>/<start time>-<id>/ with run.json (settings, commit,
// rerun command; secrets redacted), logs/, traces/, commands/, checks/, results.json, and a `latest` link.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { execa } from "execa";
import fse from "fs-extra";
import { projectRoot } from "../paths.ts";

export interface Run {
  readonly id: string;
  readonly system: string;
  readonly dir: string;
  readonly startedAt: Date;
}

const SECRET = /(KEY|PASSWORD|PASSWD|TOKEN|SECRET|CREDENTIAL)/i;

export function redactEnv(env: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, SECRET.test(k) ? "[REDACTED]" : v]));
}

async function gitState(): Promise<{ commit: string; dirty: boolean } | undefined> {
  try {
    const commit = (await execa("git", ["rev-parse", "HEAD"], { cwd: projectRoot })).stdout.trim();
    const dirty = (await execa("git", ["status", "--porcelain"], { cwd: projectRoot })).stdout.trim() !== "";
    return { commit, dirty };
  } catch {
    return undefined;
  }
}

export async function createRun(runsDir: string, system: string, info: Record<string, unknown>): Promise<Run> {
  const startedAt = new Date();
  const id = randomBytes(3).toString("hex");
  const stamp = startedAt.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z");
  const dir = join(runsDir, system, `${stamp}-${id}`);
  await fse.ensureDir(dir);
  const latest = join(runsDir, system, "latest");
  await fse.remove(latest);
  await fse.symlink(`${stamp}-${id}`, latest).catch(() => undefined);
  await fse.writeJson(
    join(dir, "run.json"),
    {
      system,
      id,
      startedAt: startedAt.toISOString(),
      git: await gitState(),
      rerun: `npx vitest run suites/${system}`,
      ...info,
    },
    { spaces: 2 },
  );
  return { id, system, dir, startedAt };
}

/** Adds fields to a run's run.json once they are known (e.g. the faults a run actually injected). */
export async function updateRun(run: Run, fields: Record<string, unknown>): Promise<void> {
  const file = join(run.dir, "run.json");
  await fse.writeJson(file, { ...(await fse.readJson(file)), ...fields }, { spaces: 2 });
}
