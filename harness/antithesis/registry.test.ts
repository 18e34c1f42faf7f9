import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Docker } from "../docker/client.ts";
import { dockerConfigCredentials, loginRegistry, pushTarget, registryScheme } from "./registry.ts";
import { loadAntithesisSettings } from "./settings.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "antithesis-registry-unit-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

test("push targets: name from the compose reference, tag from the local image's tag", () => {
  expect(pushTarget("dqueue:antithesis", "pgo-harness/dqueue-test:f02a0893346a")).toEqual({ localTag: "pgo-harness/dqueue-test:f02a0893346a", name: "dqueue", tag: "f02a0893346a" });
  expect(pushTarget("example.org/team/raftkvs-server:v1", "sha256:abc")).toMatchObject({ name: "raftkvs-server", tag: "abc" });
  expect(pushTarget("plain", "localimage")).toMatchObject({ name: "plain", tag: "latest" });
  expect(registryScheme("127.0.0.1:5000")).toBe("http");
  expect(registryScheme("localhost:5000")).toBe("http");
  expect(registryScheme("us-central1-docker.pkg.dev")).toBe("https");
  expect(registryScheme("localhost.example.com")).toBe("https");
});

test("an existing docker login: auths entries (any spelling of the host) and credential helpers", async () => {
  const config = join(dir, "docker-config");
  await mkdir(config, { recursive: true });
  await writeFile(
    join(config, "config.json"),
    JSON.stringify({
      auths: { "https://r.example:5000/v1/": { auth: Buffer.from("alice:s3cret:with:colons").toString("base64") } },
      credHelpers: { "helped.example": "pgotest" },
    }),
  );
  const fromAuths = await dockerConfigCredentials("r.example:5000", config);
  expect(fromAuths?.username).toBe("alice");
  expect(fromAuths?.password?.reveal()).toBe("s3cret:with:colons");
  expect(fromAuths?.from).toMatch(/^docker login \(.*config\.json\)$/);
  expect(await dockerConfigCredentials("other.example", config)).toBeUndefined();
  expect(await dockerConfigCredentials("r.example:5000", join(dir, "missing"))).toBeUndefined();

  // A credential helper is a program on PATH that answers `get` with {Username, Secret} for the host on stdin.
  const bin = join(dir, "bin");
  await mkdir(bin, { recursive: true });
  await writeFile(join(bin, "docker-credential-pgotest"), '#!/bin/sh\nread host\n[ "$1" = get ] && printf \'{"ServerURL":"%s","Username":"bob","Secret":"helper-secret"}\' "$host"\n');
  await chmod(join(bin, "docker-credential-pgotest"), 0o755);
  const path = process.env["PATH"];
  process.env["PATH"] = `${bin}:${path}`;
  try {
    const helped = await dockerConfigCredentials("helped.example", config);
    expect(helped?.username).toBe("bob");
    expect(helped?.password?.reveal()).toBe("helper-secret");
    expect(helped?.from).toBe("docker login (docker-credential-pgotest)");
  } finally {
    process.env["PATH"] = path;
  }
});

test("no credentials anywhere: no login, no call to the engine", async () => {
  const settings = loadAntithesisSettings({ ANTITHESIS_BASE_URL: "http://127.0.0.1:9", ANTITHESIS_API_KEY: "k", ANTITHESIS_REPOSITORY: "nowhere.example/x" }, { credentialsDir: dir });
  const previous = process.env["DOCKER_CONFIG"];
  process.env["DOCKER_CONFIG"] = join(dir, "empty-docker-config");
  const lines: string[] = [];
  try {
    const engine = { checkAuth: () => Promise.reject(new Error("must not be called")) } as unknown as Docker;
    const login = await loginRegistry(engine, settings, { info: (l: string) => lines.push(l), warn: () => undefined, step: (_w, fn) => fn(), child: () => { throw new Error("unused"); } });
    expect(login).toEqual({ host: "nowhere.example", username: undefined, password: undefined, from: "no credentials" });
    expect(lines).toEqual(["no registry credentials for nowhere.example configured or in the docker config; pushing without logging in"]);
  } finally {
    if (previous === undefined) delete process.env["DOCKER_CONFIG"];
    else process.env["DOCKER_CONFIG"] = previous;
  }
});
