// Container logs, as text. Docker multiplexes stdout and stderr into 8-byte-header frames when the container
// has no TTY; this undoes that (and passes TTY output through unchanged).
import { join } from "node:path";
import type Docker from "dockerode";
import fse from "fs-extra";


export function demuxLogs(buf: Buffer): string {
  const out: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const kind = buf[i]!;
    if (kind > 2 || buf[i + 1] !== 0 || buf[i + 2] !== 0 || buf[i + 3] !== 0) return buf.toString("utf8"); // TTY: not framed
    const size = buf.readUInt32BE(i + 4);
    out.push(buf.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return Buffer.concat(out).toString("utf8");
}

export async function readLogs(docker: Docker, containerId: string, timestamps = false): Promise<string> {
  const buf = await docker.getContainer(containerId).logs({ stdout: true, stderr: true, timestamps, follow: false });
  return demuxLogs(buf);
}

/** Saves every container's log as logs/<service>.log in the run directory; returns the directory. */
export async function saveLogs(docker: Docker, containers: readonly { readonly service: string; readonly id: string }[], runDir: string): Promise<string> {
  const dir = join(runDir, "logs");
  await fse.ensureDir(dir);
  for (const c of containers) {
    const text = await readLogs(docker, c.id, true).catch((err: unknown) => `(logs unavailable: ${String(err)})\n`);
    await fse.writeFile(join(dir, `${c.service}.log`), text);
  }
  return dir;
}
