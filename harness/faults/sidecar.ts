// Sidecars: one small container per target that joins the target's network namespace (--network
// container:<id>) with NET_ADMIN, so iptables and tc act on the target without changing its image. Each
// carries the compose project's label, so down -v's leftover check and the reaper remove it like the project's
// own containers; rules live in the target's namespace and go with it.
import { fileURLToPath } from "node:url";
import { readFile } from "node:fs/promises";
import { hashInputs, short } from "../gobuild/hash.ts";
import type { StartedCluster } from "../compose/cluster.ts";
import { execIn } from "../docker/exec.ts";
import { type Docker, imageExists, imageId } from "../docker/client.ts";
import type { Logger } from "../log.ts";

export const SIDECAR_LABEL = "pgo-harness.fault-sidecar";
const CONTEXT = fileURLToPath(new URL("./sidecar/", import.meta.url));

/** Builds (once per base image and Dockerfile) the sidecar image: the base plus iproute2 and iptables. */
export async function sidecarImage(docker: Docker, baseImage: string, log: Logger): Promise<string> {
  const recipe = await readFile(`${CONTEXT}Dockerfile`, "utf8");
  const tag = `pgo-harness/fault-sidecar:${short(await hashInputs(["fault-sidecar/v1", await imageId(docker, baseImage), recipe]))}`;
  if (await imageExists(docker, tag)) return tag;
  // Loaded only when the image is built: every run imports this file (through the harness's index), few build.
  const { GenericContainer } = await import("testcontainers");
  await log
    .step(`Building the fault sidecar image ${tag} (iproute2, iptables from the Debian mirror)`, () =>
      GenericContainer.fromDockerfile(CONTEXT).withBuildArgs({ BASE_IMAGE: baseImage }).withPlatform("linux/amd64").build(tag, { deleteOnExit: false }),
    )
    .catch((err: unknown) => {
      throw new Error(`the fault sidecar image could not be built (apt inside docker build needs the Debian mirror): ${err instanceof Error ? err.message : String(err)}`);
    });
  return tag;
}

interface Attached {
  readonly id: string;
  readonly targetId: string;
  /** The target's start time: a restarted target has a new network namespace and needs a new sidecar. */
  readonly targetStartedAt: string;
}

export class Sidecars {
  private readonly attached = new Map<string, Attached>();
  private created = 0;

  private readonly cluster: StartedCluster;
  private readonly image: string;
  private readonly log: Logger;

  constructor(cluster: StartedCluster, image: string, log: Logger) {
    this.cluster = cluster;
    this.image = image;
    this.log = log;
  }

  private get docker(): Docker {
    return this.cluster.docker;
  }

  /** The sidecar in service's current network namespace, created when missing or stale. */
  async ensure(service: string): Promise<string> {
    const target = await this.cluster.container(service);
    const info = await this.docker.getContainer(target.id).inspect();
    if (!info.State.Running) throw new Error(`${service} is not running (${info.State.Status}); its network cannot be changed`);
    const have = this.attached.get(service);
    if (have !== undefined && have.targetId === target.id && have.targetStartedAt === info.State.StartedAt) return have.id;
    if (have !== undefined) await this.remove(service);
    const container = await this.docker.createContainer({
      name: `${this.cluster.project}-fault-sidecar-${service}-${++this.created}`,
      Image: this.image,
      Cmd: ["sleep", "infinity"],
      Labels: { "com.docker.compose.project": this.cluster.project, [SIDECAR_LABEL]: service },
      HostConfig: { NetworkMode: `container:${target.id}`, CapAdd: ["NET_ADMIN"] },
    });
    await container.start();
    this.attached.set(service, { id: container.id, targetId: target.id, targetStartedAt: info.State.StartedAt });
    return container.id;
  }

  /** Runs a shell script in service's network namespace; a non-zero exit is an error with the output. */
  async run(service: string, script: string): Promise<string> {
    const id = await this.ensure(service);
    const out: string[] = [];
    const result = await execIn(this.docker, id, ["sh", "-c", script], { onLine: (l) => out.push(l), timeoutMs: 30_000 });
    if (result.exitCode !== 0) throw new Error(`in ${service}'s network namespace, "${script}" exited with ${result.exitCode}: ${result.tail.trim()}`);
    return out.join("\n");
  }

  async remove(service: string): Promise<void> {
    const have = this.attached.get(service);
    if (have === undefined) return;
    this.attached.delete(service);
    await this.docker.getContainer(have.id).remove({ force: true }).catch((err: { statusCode?: number }) => {
      if (err.statusCode !== 404) this.log.warn(`could not remove the sidecar of ${service}: ${String(err)}`);
    });
  }

  async removeAll(): Promise<void> {
    await Promise.all([...this.attached.keys()].map((s) => this.remove(s)));
    // Also any sidecar of this project a previous attempt left (found by label, not by memory).
    const left = await this.docker.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${this.cluster.project}`, SIDECAR_LABEL] } });
    await Promise.all(left.map((c) => this.docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
  }
}
