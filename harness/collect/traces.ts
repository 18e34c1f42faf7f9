// Stage 5: collect. Copies the traces out of the system's traces volume (and the SDK's local output) into the
// run directory, through a container that mounts the volume — stopped containers work too.
import { join } from "node:path";
import fse from "fs-extra";
import type { StartedCluster } from "../compose/cluster.ts";
import { SDK_OUTPUT_DIR, SDK_VOLUME } from "../compose/compose-file.ts";

export class CollectError extends Error {
  override name = "CollectError";
}

export async function collectVolume(cluster: StartedCluster, volume: string, dest: string): Promise<string> {
  const mount = await cluster.volumeMount(volume);
  if (mount === undefined) throw new CollectError(`no container of ${cluster.project} mounts the volume "${volume}"; is it declared in the compose file and mounted by a service?`);
  await fse.ensureDir(dest);
  await cluster.copyDir(mount.containerId, mount.path, dest);
  return dest;
}

/** Traces to <runDir>/traces; returns the directory and the files found. */
export async function collectTraces(cluster: StartedCluster, volume: string, runDir: string): Promise<{ dir: string; files: string[] }> {
  const dir = await collectVolume(cluster, volume, join(runDir, "traces"));
  const files = (await fse.readdir(dir)).filter((f) => /^trace-.*\.log$/.test(f)).sort();
  return { dir, files };
}

/** The Antithesis SDK's local output (setup-complete, assertions) to <runDir>/antithesis-sdk. */
export async function collectSdkOutput(cluster: StartedCluster, runDir: string): Promise<string> {
  const dir = join(runDir, "antithesis-sdk");
  const mount = await cluster.volumeMount(SDK_VOLUME);
  if (mount === undefined) return dir;
  await fse.ensureDir(dir);
  await cluster.copyDir(mount.containerId, SDK_OUTPUT_DIR, dir);
  return dir;
}
