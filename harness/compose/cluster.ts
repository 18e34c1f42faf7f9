// A running compose project. Created by up(); always ends with down(), which removes volumes too.
// AsyncDisposable, so a test can write `await using cluster = await up(...)`.
import type Docker from "dockerode";
import type { StartedDockerComposeEnvironment } from "testcontainers";
import type { Logger } from "../log.ts";
import type { Reaper } from "./reaper.ts";
import { execIn, type ExecOptions, type ExecResult } from "./exec.ts";
import { listProject, removeProject } from "./remove-project.ts";

export interface ServiceContainer {
  readonly service: string;
  readonly id: string;
  readonly name: string;
  readonly state: string;
  readonly exitCode: number | undefined;
}

export interface ClusterParts {
  readonly project: string;
  readonly environment: StartedDockerComposeEnvironment;
  readonly docker: Docker;
  readonly reaper: Reaper | undefined;
  readonly keep: boolean;
  readonly log: Logger;
}

export class StartedCluster implements AsyncDisposable {
  readonly project: string;
  private readonly parts: ClusterParts;
  private downed = false;

  constructor(parts: ClusterParts) {
    this.parts = parts;
    this.project = parts.project;
  }

  get docker(): Docker {
    return this.parts.docker;
  }

  /** Every container of the project, running or not, sorted by service name. */
  async containers(): Promise<ServiceContainer[]> {
    const list = await this.parts.docker.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${this.project}`] } });
    return list
      .map((c) => ({
        service: c.Labels["com.docker.compose.service"] ?? c.Names[0] ?? c.Id,
        id: c.Id,
        name: c.Names[0]?.replace(/^\//, "") ?? c.Id,
        state: c.State,
        exitCode: c.State === "exited" ? Number(/Exited \((\d+)\)/.exec(c.Status)?.[1] ?? NaN) : undefined,
      }))
      .sort((a, b) => a.service.localeCompare(b.service));
  }

  async container(service: string): Promise<ServiceContainer> {
    const found = (await this.containers()).find((c) => c.service === service);
    if (found === undefined) throw new Error(`compose project "${this.project}" has no service "${service}"`);
    return found;
  }

  async exec(service: string, cmd: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    return execIn(this.parts.docker, (await this.container(service)).id, cmd, opts);
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
        await this.parts.environment.down({ removeVolumes: true, timeout: 10_000 });
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
