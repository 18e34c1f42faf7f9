// Waits for Antithesis's setup-complete signal, as Antithesis itself would: a line
// {"antithesis_setup":{"status":"complete",...}} in the SDK output of any container. Fails early when a
// container exits with an error before that.
import type { Logger } from "../log.ts";
import type { StartedCluster } from "./cluster.ts";
import { SDK_OUTPUT_DIR } from "./compose-file.ts";

export class SetupError extends Error {
  override name = "SetupError";
}

export interface SetupComplete {
  /** The SDK output file the signal was found in (named after the service for the Go SDK). */
  readonly file: string;
  readonly details: unknown;
}

export function findSetupComplete(files: ReadonlyMap<string, string>): SetupComplete | undefined {
  for (const [file, text] of files) {
    for (const line of text.split("\n")) {
      if (!line.includes("antithesis_setup")) continue;
      try {
        const parsed = JSON.parse(line) as { antithesis_setup?: { status?: unknown; details?: unknown } };
        if (parsed.antithesis_setup?.status === "complete") return { file, details: parsed.antithesis_setup.details };
      } catch {
        // A line being written right now: look again on the next poll.
      }
    }
  }
  return undefined;
}

export async function waitForSetupComplete(cluster: StartedCluster, timeoutMs: number, log: Logger, signal?: AbortSignal): Promise<SetupComplete> {
  const deadline = Date.now() + timeoutMs;
  log.info(`waiting up to ${timeoutMs / 1000} s for setup-complete in ${SDK_OUTPUT_DIR}`);
  for (;;) {
    signal?.throwIfAborted();
    const containers = await cluster.containers();
    const failed = containers.find((c) => c.state === "exited" && c.exitCode !== 0);
    if (failed !== undefined) {
      throw new SetupError(`service "${failed.service}" exited with code ${failed.exitCode} before setup was complete`);
    }
    const running = containers.find((c) => c.state === "running");
    if (running === undefined) throw new SetupError(`no container of ${cluster.project} is running, and setup-complete was never signalled`);
    const files = await cluster.readFiles(running.id, SDK_OUTPUT_DIR).catch(() => new Map<string, string>());
    const found = findSetupComplete(files);
    if (found !== undefined) return found;
    if (Date.now() > deadline) {
      throw new SetupError(
        `setup-complete not signalled after ${timeoutMs / 1000} s: no {"antithesis_setup":{"status":"complete"}} line in ${SDK_OUTPUT_DIR} (files: ${[...files.keys()].join(", ") || "none"})`,
      );
    }
    await new Promise((r) => setTimeout(r, pollDelay(deadline - timeoutMs)));
  }
}

/**
 * How long to wait before looking again: 100 ms in the first seconds, where a warm system signals (a run
 * waited up to half a second for nothing), then 500 ms, so that a slow start-up does not keep the engine busy.
 */
export function pollDelay(startedAt: number, now = Date.now()): number {
  return now - startedAt < 5_000 ? 100 : 500;
}

/** Waits until a service whose name matches `services` has logged a line matching `message`; returns the line. */
export async function waitForLogMessage(cluster: StartedCluster, services: RegExp, message: RegExp, timeoutMs: number, signal?: AbortSignal): Promise<{ service: string; line: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    signal?.throwIfAborted();
    for (const c of await cluster.containers()) {
      if (!services.test(c.service)) continue;
      const line = (await cluster.logs(c.service)).split("\n").find((l) => message.test(l));
      if (line !== undefined) return { service: c.service, line };
    }
    if (Date.now() > deadline) throw new SetupError(`log message ${message} not received from services ${services} after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, pollDelay(deadline - timeoutMs)));
  }
}
