// A cross-process lock around work that several Vitest projects (or a child run) may start at once on a fresh
// machine — building the base image, a system's binaries or images — so it is done once, not raced.
import { dirname } from "node:path";
import fse from "fs-extra";
import lockfile from "proper-lockfile";

export async function withLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
  await fse.ensureDir(dirname(path));
  await fse.ensureFile(path);
  // A generous wait: the holder may be running debootstrap or docker build (minutes). A holder that died
  // leaves a stale lock, which proper-lockfile takes over after `stale` ms without an update.
  const release = await lockfile.lock(path, { stale: 30_000, update: 5_000, retries: { retries: 400, minTimeout: 500, maxTimeout: 2_000 } });
  try {
    return await fn();
  } finally {
    await release();
  }
}
