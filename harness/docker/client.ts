// One Docker client for the harness, talking to whatever engine testcontainers would use (DOCKER_HOST or the
// local socket), so that dockerode calls and testcontainers calls always reach the same engine.
import "./lazy-session.ts"; // before dockerode
import Docker from "dockerode";

export type { default as Docker } from "dockerode";

export function dockerClient(): Docker {
  return new Docker();
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
