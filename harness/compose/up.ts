// Stage 3: up. Brings a system's compose project up under a unique project name, with the local override
// (built images, SDK output volume, run labels). A failed start removes whatever it created, then rethrows.
import { basename, dirname, join } from "node:path";
import type Docker from "dockerode";
import { composeUp } from "../docker/compose.ts";
import type { BuiltImage } from "../image/index.ts";
import { imageExists } from "../docker/client.ts";
import type { Logger } from "../log.ts";
import type { SystemDefinition } from "../system.ts";
import { StartedCluster } from "./cluster.ts";
import { readComposeFile, writeOverride } from "./compose-file.ts";
import type { Reaper } from "./reaper.ts";
import { saveLogs } from "../docker/logs.ts";
import { projectContainers, removeProject } from "../docker/project.ts";

export interface UpOptions {
  readonly system: SystemDefinition;
  readonly images: readonly BuiltImage[];
  readonly runId: string;
  readonly runDir: string;
  readonly docker: Docker;
  readonly log: Logger;
  readonly reaper: Reaper | undefined;
  readonly keep: boolean;
  readonly startupTimeoutMs: number;
  /**
   * compose reference → image to run, instead of the built images' local tags (pre-flight runs the final,
   * repository-tagged references).
   */
  readonly imageRefs?: Readonly<Record<string, string>>;
  /** Networks internal (no route out), as on Antithesis. */
  readonly internalNetworks?: boolean;
  /** Extra environment by service name (see OverrideOptions.serviceEnv). */
  readonly serviceEnv?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** The caller's own work while compose and the engine start the containers (see composeUp). */
  readonly whileStarting?: () => void;
}

export class UpError extends Error {
  override name = "UpError";
}

/** Compose project names allow [a-z0-9_-]; ours are findable by prefix: pgoh-<system>-<run id>. */
export function projectName(system: string, runId: string): string {
  return `pgoh-${system}-${runId}`.toLowerCase().replace(/[^a-z0-9_-]/g, "-");
}

export async function up(opts: UpOptions): Promise<StartedCluster> {
  const model = await readComposeFile(opts.system.compose);
  const images: Record<string, string> = {};
  for (const img of opts.images) if (!img.spec.config) images[img.spec.ref] = opts.imageRefs?.[img.spec.ref] ?? img.tag;
  for (const [service, svc] of Object.entries(model.services)) {
    if (svc.image === undefined) throw new UpError(`${opts.system.compose}: service "${service}" has no image (the harness runs built images only)`);
    if (images[svc.image] === undefined && !(await imageExists(opts.docker, svc.image))) {
      throw new UpError(
        `${opts.system.compose}: service "${service}" uses image "${svc.image}", which is neither one of the system's images (${Object.keys(images).join(", ")}) nor present on this engine`,
      );
    }
  }
  const override = join(opts.runDir, "compose.override.yaml");
  await writeOverride(override, { model, images, runId: opts.runId, system: opts.system.name, internalNetworks: opts.internalNetworks === true, ...(opts.serviceEnv !== undefined ? { serviceEnv: opts.serviceEnv } : {}) });
  const project = projectName(opts.system.name, opts.runId);
  // Registered before anything exists, so that even a half-finished start is reaped if this process dies.
  if (!opts.keep) opts.reaper?.add(project);
  try {
    const compose = { name: project, dir: dirname(opts.system.compose), files: [basename(opts.system.compose), override] };
    await opts.log.step(`Starting compose project ${project} (${Object.keys(model.services).join(", ")})`, () => composeUp(compose, opts.startupTimeoutMs, opts.whileStarting));
    return new StartedCluster({ project, compose, docker: opts.docker, reaper: opts.reaper, keep: opts.keep, log: opts.log });
  } catch (err) {
    // The logs of what did start, before it is removed: the failing service's neighbours often say why.
    const started = await projectContainers(project, opts.docker).catch(() => []);
    const logs = started.length > 0 ? await saveLogs(opts.docker, started, opts.runDir).catch(() => undefined) : undefined;
    try {
      await removeProject(project, opts.docker);
      opts.reaper?.done(project);
    } catch (cleanupError) {
      opts.log.warn(`cleaning up after the failed start also failed: ${String(cleanupError)}`);
    }
    const message = err instanceof Error ? err.message : String(err);
    throw new UpError(`${message}${logs !== undefined ? `\nlogs of the ${started.length} container(s) created: ${logs}` : ""}`, { cause: err });
  }
}
