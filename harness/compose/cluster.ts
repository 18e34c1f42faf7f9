// A running compose project. Created by up(); always ends with down(), which removes volumes too.
// AsyncDisposable, so a test can write `await using cluster = await up(...)`.
import type Docker from "dockerode";
import { composeDown, type ComposeProject } from "../docker/compose.ts";
import type { Logger } from "../log.ts";
import type { Reaper } from "./reaper.ts";
import { copyDirFromContainer, readFilesFromContainer } from "../docker/archive.ts";
import { execIn, type ExecOptions, type ExecResult } from "../docker/exec.ts";
import { readLogs } from "../docker/logs.ts";
import { listProject, projectContainers, removeProject, type ServiceContainer } from "../docker/project.ts";

export type { ServiceContainer } from "../docker/project.ts";

export interface ClusterParts {
  readonly project: string;
  readonly compose: ComposeProject;
  readonly docker: Docker;
  readonly reaper: Reaper | undefined;
  readonly keep: boolean;
  readonly log: Logger;
}

export interface ContainerState {
  readonly service: string;
  /** created, running, paused, restarting, removing, exited or dead. */
  readonly status: string;
  readonly exitCode: number;
  readonly oomKilled: boolean;
  readonly finishedAt: string;
  readonly restarts: number;
}

/** Where a project volume is mounted: a container of the project and the path inside it. */
export interface VolumeMount {
  readonly containerId: string;
  readonly path: string;
}

export class StartedCluster implements AsyncDisposable {
  readonly project: string;
  private readonly parts: ClusterParts;
  private downed = false;

  constructor(parts: ClusterParts) {
    this.parts = parts;
    this.project = parts.project;
  }

  /**
   * The raw client, for what the cluster's own operations (containers, exec, logs, kill, pause, start, copy) do not
   * cover: the fault sidecars, containers the harness adds to a service's network namespace, and their image.
   */
  get docker(): Docker {
    return this.parts.docker;
  }

  /** Every container of the project, running or not, sorted by service name. */
  async containers(): Promise<ServiceContainer[]> {
    return projectContainers(this.project, this.parts.docker);
  }

  async container(service: string): Promise<ServiceContainer> {
    const found = (await this.containers()).find((c) => c.service === service);
    if (found === undefined) throw new Error(`compose project "${this.project}" has no service "${service}"`);
    return found;
  }

  async exec(service: string, cmd: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    return execIn(this.parts.docker, (await this.container(service)).id, cmd, opts);
  }

  /** The service's log so far (stdout and stderr interleaved). */
  async logs(service: string, opts: { timestamps?: boolean } = {}): Promise<string> {
    return readLogs(this.parts.docker, (await this.container(service)).id, opts.timestamps === true);
  }

  /** Sends a signal to the service's main process (SIGKILL: a crash). */
  async kill(service: string, signal = "SIGKILL"): Promise<void> {
    await this.parts.docker.getContainer((await this.container(service)).id).kill({ signal });
  }

  /** Freezes (or thaws) every process of the service (cgroup freezer), as a stalled machine. */
  async pause(service: string): Promise<void> {
    await this.parts.docker.getContainer((await this.container(service)).id).pause();
  }

  async unpause(service: string): Promise<void> {
    await this.parts.docker.getContainer((await this.container(service)).id).unpause();
  }

  /** The service's IPv4 address on its (first) compose network; undefined when it has none (not running). */
  async address(service: string): Promise<string | undefined> {
    const info = await this.parts.docker.getContainer((await this.container(service)).id).inspect();
    const ip = Object.values(info.NetworkSettings.Networks ?? {}).find((n) => n.IPAddress)?.IPAddress;
    return ip === undefined || ip === "" ? undefined : ip;
  }

  /** Starts the service's container again if it is not running (after a kill); a running one is left alone. */
  async start(service: string): Promise<void> {
    const c = this.parts.docker.getContainer((await this.container(service)).id);
    if (!(await c.inspect()).State.Running) await c.start();
  }

  /** What Docker knows of each container's state: how and when it last stopped, and how often it restarted. */
  async states(): Promise<ContainerState[]> {
    const out: ContainerState[] = [];
    for (const c of await this.containers()) {
      const info = await this.parts.docker.getContainer(c.id).inspect();
      out.push({
        service: c.service,
        status: info.State.Status,
        exitCode: info.State.ExitCode,
        oomKilled: info.State.OOMKilled,
        finishedAt: info.State.FinishedAt,
        restarts: info.RestartCount,
      });
    }
    return out;
  }

  /** A container of the project that mounts the project volume `volume`, and the mount's path inside it. */
  async volumeMount(volume: string): Promise<VolumeMount | undefined> {
    const wanted = `${this.project}_${volume}`;
    for (const c of await this.containers()) {
      const info = await this.parts.docker.getContainer(c.id).inspect();
      const mount = info.Mounts.find((m) => m.Type === "volume" && m.Name === wanted);
      if (mount !== undefined) return { containerId: c.id, path: mount.Destination };
    }
    return undefined;
  }

  /** Copies a directory out of a container (running or stopped) into dest. */
  async copyDir(containerId: string, path: string, dest: string): Promise<void> {
    await copyDirFromContainer(this.parts.docker, containerId, path, dest);
  }

  /** Reads every regular file below path in a container into memory (small files only). */
  async readFiles(containerId: string, path: string): Promise<Map<string, string>> {
    return readFilesFromContainer(this.parts.docker, containerId, path);
  }

  /** Stops every container (SIGTERM, then SIGKILL after timeoutS) so that processes flush their traces. */
  async stop(timeoutS = 10): Promise<void> {
    await Promise.all(
      (await this.containers()).filter((c) => c.state === "running").map((c) => this.parts.docker.getContainer(c.id).stop({ t: timeoutS })),
    );
  }

  /** `docker compose down -v`, then proof that nothing of the project is left (anything found is removed). */
  async down(): Promise<void> {
    if (this.downed) return;
    this.downed = true;
    if (this.parts.keep) {
      this.parts.log.info(`KEEP=1: leaving compose project ${this.project} running; remove it with: docker compose -p ${this.project} down -v`);
      return;
    }
    await this.parts.log.step(`Tearing down compose project ${this.project} (down -v)`, async () => {
      let downError: unknown;
      try {
        await composeDown(this.parts.compose, 10);
      } catch (err) {
        downError = err;
      }
      const left = await listProject(this.project, this.parts.docker);
      const count = left.containers.length + left.networks.length + left.volumes.length;
      if (count > 0) {
        const removed = await removeProject(this.project, this.parts.docker);
        this.parts.log.warn(`down -v left ${removed.join(", ")}; removed them`);
      } else if (downError !== undefined) {
        this.parts.log.warn(`docker compose down reported an error, but nothing of the project is left: ${String(downError)}`);
      }
      this.parts.reaper?.done(this.project);
    });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.down();
  }
}
