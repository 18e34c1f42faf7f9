// A real container registry for tests: Debian's docker-registry (Distribution 2.8) on a free 127.0.0.1
// port, with htpasswd (bcrypt) authentication and a temporary storage directory, stopped and removed by
// stop(). It stands in for Antithesis's registry (ANTITHESIS_REPOSITORY). The Docker engine pushes to it
// over plain HTTP because engines treat 127.0.0.0/8 as an insecure registry by default.
// Needs the apt packages docker-registry (/usr/bin/docker-registry) and apache2-utils (htpasswd).
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";

export const REGISTRY_BINARY = "/usr/bin/docker-registry";

export interface LocalRegistry {
  /** `127.0.0.1:<port>`: the registry host of ANTITHESIS_REPOSITORY. */
  readonly host: string;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly username: string;
  readonly password: string;
  stop(): Promise<void>;
}

/** Why the registry cannot be started here (for test.skipIf), or undefined when it can. */
export async function localRegistryUnavailable(): Promise<string | undefined> {
  if (!existsSync(REGISTRY_BINARY)) return `${REGISTRY_BINARY} is missing: apt-get install docker-registry`;
  const htpasswd = await execa("sh", ["-c", "command -v htpasswd"], { reject: false });
  if (htpasswd.exitCode !== 0) return "htpasswd is missing: apt-get install apache2-utils";
  return undefined;
}

export async function startLocalRegistry(opts: { username?: string; password?: string } = {}): Promise<LocalRegistry> {
  const username = opts.username ?? "harness";
  const password = opts.password ?? `pw-${randomBytes(12).toString("hex")}`;
  const dir = await mkdtemp(join(tmpdir(), "pgo-harness-registry-"));
  let child: ChildProcess | undefined;
  const cleanup = async () => {
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child!.once("exit", () => resolve()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child?.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    // bcrypt (-B) is the only hash the registry accepts; the password goes in on stdin (-i), not argv.
    const { stdout } = await execa("htpasswd", ["-niB", username], { input: password });
    await writeFile(join(dir, "htpasswd"), stdout.trim() + "\n");
    const port = await freePort();
    const host = `127.0.0.1:${port}`;
    await writeFile(
      join(dir, "config.yml"),
      [
        "version: 0.1",
        "log:",
        "  level: warn",
        "storage:",
        "  filesystem:",
        `    rootdirectory: ${join(dir, "storage")}`,
        "  delete:",
        "    enabled: true",
        "http:",
        `  addr: ${host}`,
        "auth:",
        "  htpasswd:",
        "    realm: pgo-harness-test",
        `    path: ${join(dir, "htpasswd")}`,
        "",
      ].join("\n"),
    );
    let output = "";
    child = spawn(REGISTRY_BINARY, ["serve", join(dir, "config.yml")], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout?.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    child.stderr?.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    const url = `http://${host}`;
    // Up when /v2/ asks for credentials.
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}: ${output.trim()}`);
      const status = await fetch(`${url}/v2/`).then((r) => r.status, () => undefined);
      if (status === 401) break;
      if (Date.now() > deadline) throw new Error(`docker-registry did not answer on ${url} within 15 s: ${output.trim()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    return { host, url, username, password, stop: cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
