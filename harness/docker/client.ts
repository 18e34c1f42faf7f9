// One Docker client for the harness, talking to whatever engine testcontainers would use (DOCKER_HOST or the
// local socket), so that dockerode calls and testcontainers calls always reach the same engine.
import { createRequire } from "node:module";
import type Docker from "dockerode";
import { deferDockerodeSession } from "./lazy-session.ts";

export type { default as Docker } from "dockerode";

const require = createRequire(import.meta.url);
let dockerode: typeof Docker | undefined;

/**
 * A client. dockerode (about 230 modules, ~65 ms) loads with the first client made, not with this file: what
 * imports the harness without talking to the engine (a system's definition, the CLI's argument errors) never
 * pays for it, and a run can load it while it waits on the engine (harness/run/pipeline.ts, the up stage).
 */
export function dockerClient(): Docker {
  if (dockerode === undefined) {
    deferDockerodeSession();
    dockerode = require("dockerode") as typeof Docker;
  }
  return new dockerode();
}

export async function imageExists(docker: Docker, ref: string): Promise<boolean> {
  try {
    await docker.getImage(ref).inspect();
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw err;
  }
}

export async function imageId(docker: Docker, ref: string): Promise<string> {
  return (await docker.getImage(ref).inspect()).Id;
}

/** Pulls ref, giving up after timeoutMs; resolves to undefined on success or the reason it failed. */
export async function tryPull(docker: Docker, ref: string, timeoutMs: number): Promise<string | undefined> {
  const attempt = new Promise<string | undefined>((resolve) => {
    docker.pull(ref, (err: Error | null, stream?: NodeJS.ReadableStream) => {
      if (err || !stream) return resolve(err?.message ?? "no response");
      docker.modem.followProgress(stream, (done: Error | null) => resolve(done ? done.message : undefined));
    });
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer from the registry within ${timeoutMs / 1000} s`), timeoutMs);
  });
  try {
    return await Promise.race([attempt, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
