// Runs a command inside a running container, streaming its output line by line (progress for long
// workloads) into a log file, and returns its exit code with the output's tail for error messages.
import { createWriteStream } from "node:fs";
import { PassThrough } from "node:stream";
import { finished } from "node:stream/promises";
import type Docker from "dockerode";

export interface ExecOptions {
  readonly env?: Readonly<Record<string, string>>;
  /** Every output line, stdout and stderr interleaved, is appended here. */
  readonly logFile?: string;
  readonly onLine?: (line: string) => void;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface ExecResult {
  readonly exitCode: number;
  /** The last lines of output, for error messages. */
  readonly tail: string;
}

export class ExecTimeoutError extends Error {
  override name = "ExecTimeoutError";
}

export async function execIn(docker: Docker, containerId: string, cmd: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const exec = await docker.getContainer(containerId).exec({
    Cmd: [...cmd],
    Env: Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${v}`),
    AttachStdout: true,
    AttachStderr: true,
  });
  const stream = await exec.start({ hijack: true, stdin: false });
  const merged = new PassThrough();
  docker.modem.demuxStream(stream, merged, merged);
  const file = opts.logFile !== undefined ? createWriteStream(opts.logFile, { flags: "a" }) : undefined;
  const tail: string[] = [];
  let partial = "";
  merged.on("data", (chunk: Buffer) => {
    file?.write(chunk);
    const lines = (partial + chunk.toString("utf8")).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      opts.onLine?.(line);
      tail.push(line);
      if (tail.length > 30) tail.shift();
    }
  });
  const done = finished(stream).catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const stop = new Promise<never>((_, reject) => {
    if (opts.timeoutMs !== undefined) {
      timer = setTimeout(() => reject(new ExecTimeoutError(`"${cmd.join(" ")}" did not finish within ${opts.timeoutMs! / 1000} s`)), opts.timeoutMs);
    }
    opts.signal?.addEventListener("abort", () => reject(new ExecTimeoutError(`"${cmd.join(" ")}" was aborted`)), { once: true });
  });
  try {
    await Promise.race([done, stop]);
  } finally {
    clearTimeout(timer);
    if (partial !== "") {
      opts.onLine?.(partial);
      tail.push(partial);
    }
    merged.end();
    if (file !== undefined) {
      file.end();
      await finished(file).catch(() => undefined);
    }
  }
  // Docker reports the exit code a moment after the stream ends.
  for (let i = 0; i < 50; i++) {
    const info = await exec.inspect();
    if (!info.Running && info.ExitCode !== null) return { exitCode: info.ExitCode, tail: tail.join("\n") };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`"${cmd.join(" ")}" ended its output but Docker reports no exit code`);
}
