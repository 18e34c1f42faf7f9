// A compose project as Docker sees it, found by compose's own project label: its containers, and removal of
// everything it holds. Used after `down -v` to prove (and enforce) that nothing is left, and by the reaper after
// a crash or interrupt.
import type Docker from "dockerode";
import { dockerClient } from "./client.ts";

export interface ServiceContainer {
  readonly service: string;
  readonly id: string;
  readonly name: string;
  readonly state: string;
  readonly exitCode: number | undefined;
}

/** Every container of the project, running or not, sorted by service name. */
export async function projectContainers(project: string, docker: Docker): Promise<ServiceContainer[]> {
  const list = await docker.listContainers({ all: true, filters: label(project) });
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

const label = (project: string) => ({ label: [`com.docker.compose.project=${project}`] });

export interface Leftovers {
  readonly containers: readonly string[];
  readonly networks: readonly string[];
  readonly volumes: readonly string[];
}

export async function listProject(project: string, docker: Docker = dockerClient()): Promise<Leftovers> {
  const [containers, networks, volumes] = await Promise.all([
    docker.listContainers({ all: true, filters: label(project) }),
    docker.listNetworks({ filters: label(project) }),
    docker.listVolumes({ filters: label(project) }),
  ]);
  return {
    containers: containers.map((c) => c.Names[0]?.replace(/^\//, "") ?? c.Id),
    networks: networks.map((n) => n.Name),
    volumes: (volumes.Volumes ?? []).map((v) => v.Name),
  };
}

/** Removes what is left of a project; returns what it removed, as "container x", "network y", "volume z". */
export async function removeProject(project: string, docker: Docker = dockerClient()): Promise<string[]> {
  const removed: string[] = [];
  for (const c of await docker.listContainers({ all: true, filters: label(project) })) {
    await docker.getContainer(c.Id).remove({ force: true, v: true });
    removed.push(`container ${c.Names[0]?.replace(/^\//, "") ?? c.Id}`);
  }
  for (const n of await docker.listNetworks({ filters: label(project) })) {
    await docker.getNetwork(n.Id).remove();
    removed.push(`network ${n.Name}`);
  }
  for (const v of (await docker.listVolumes({ filters: label(project) })).Volumes ?? []) {
    await docker.getVolume(v.Name).remove();
    removed.push(`volume ${v.Name}`);
  }
  return removed;
}
