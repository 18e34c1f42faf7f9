// Against a real registry (Debian's docker-registry with htpasswd auth, started here) and the real engine:
// push by digest, the digest resolves, a wrong password fails with one clear line that does not hold it.
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { dockerClient, imageExists } from "../docker/client.ts";
import { logger } from "../log.ts";
import { RegistryError, loginRegistry, manifestExists, pushImage, pushImages, pushTarget } from "./registry.ts";
import { type AntithesisSettings, loadAntithesisSettings } from "./settings.ts";
import { type LocalRegistry, localRegistryUnavailable, startLocalRegistry } from "./testing/local-registry.ts";
import { buildTinyImage } from "./testing/tiny-image.ts";

const unavailable = await localRegistryUnavailable();
const docker = dockerClient();
const lines: string[] = [];
const log = logger("registry-test", (l) => lines.push(l));
const image = `pgo-harness-test/registry-push:${randomBytes(4).toString("hex")}`;
let registry: LocalRegistry;
let emptyDir: string;

function settingsFor(reg: LocalRegistry, env: Record<string, string> = {}): AntithesisSettings {
  return loadAntithesisSettings(
    {
      ANTITHESIS_BASE_URL: "http://127.0.0.1:9",
      ANTITHESIS_API_KEY: "unused-key",
      ANTITHESIS_REPOSITORY: `${reg.host}/pgo`,
      ANTITHESIS_REGISTRY_USERNAME: reg.username,
      ANTITHESIS_REGISTRY_PASSWORD: reg.password,
      ...env,
    },
    { credentialsDir: emptyDir },
  );
}

describe.skipIf(unavailable !== undefined)(`push to a local registry${unavailable !== undefined ? ` (skipped: ${unavailable})` : ""}`, () => {
  beforeAll(async () => {
    emptyDir = await mkdtemp(join(tmpdir(), "antithesis-registry-test-"));
    registry = await startLocalRegistry();
    await buildTinyImage(docker, image, log);
  }, 120_000);

  afterAll(async () => {
    await registry?.stop();
    await docker.getImage(image).remove({ force: true }).catch(() => undefined);
    if (emptyDir !== undefined) await rm(emptyDir, { recursive: true, force: true });
  });

  test("push by digest: the digest reference resolves in the registry, and the manifest hashes to it", async () => {
    const settings = settingsFor(registry);
    const login = await loginRegistry(docker, settings, log);
    const pushed = await pushImage(docker, settings, login, pushTarget("regtest:antithesis", image), log);
    expect(pushed.ref).toMatch(new RegExp(`^${registry.host.replace(/\./g, "\\.")}/pgo/regtest@sha256:[0-9a-f]{64}$`));
    expect(pushed.tagged).toBe(`${registry.host}/pgo/regtest:${image.split(":")[1]}`);
    expect(await manifestExists(settings, login, pushed.ref)).toBe(true);
    expect(await manifestExists(settings, login, `${registry.host}/pgo/regtest@sha256:${"0".repeat(64)}`)).toBe(false);
    // Independently of the code under test: fetch the manifest and hash it.
    const res = await fetch(`${registry.url}/v2/pgo/regtest/manifests/${pushed.digest}`, {
      headers: {
        authorization: `Basic ${Buffer.from(`${registry.username}:${registry.password}`).toString("base64")}`,
        accept: "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json",
      },
    });
    expect(res.status).toBe(200);
    expect(`sha256:${createHash("sha256").update(Buffer.from(await res.arrayBuffer())).digest("hex")}`).toBe(pushed.digest);
    // Without credentials the registry refuses: authentication is really on.
    expect((await fetch(`${registry.url}/v2/pgo/regtest/manifests/${pushed.digest}`, { method: "HEAD" })).status).toBe(401);
    // The repository tag was only for the push; the local image stays.
    expect(await imageExists(docker, pushed.tagged)).toBe(false);
    expect(await imageExists(docker, image)).toBe(true);
    // Pushing again gives the same digest (content-addressed), through the map helper; a repository tag that
    // existed before the push (made for the pre-flight, say) is left alone.
    await docker.getImage(image).tag({ repo: `${registry.host}/pgo/regtest`, tag: image.split(":")[1]! });
    try {
      const map = await pushImages(docker, settings, login, [{ composeRef: "regtest:antithesis", localTag: image }]);
      expect(map).toEqual({ "regtest:antithesis": pushed.ref });
      expect(await imageExists(docker, pushed.tagged)).toBe(true);
    } finally {
      await docker.getImage(pushed.tagged).remove({ noprune: true });
    }
  }, 120_000);

  test("a wrong password fails with one clear line, and the password appears nowhere", async () => {
    const wrong = `wrong-${randomBytes(8).toString("hex")}`;
    const settings = settingsFor(registry, { ANTITHESIS_REGISTRY_PASSWORD: wrong });
    const before = lines.length;
    const err = await loginRegistry(docker, settings, log).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryError);
    const message = (err as Error).message;
    expect(message).toMatch(new RegExp(`^registry login to ${registry.host.replace(/\./g, "\\.")} as "harness" \\(ANTITHESIS_REGISTRY_USERNAME/_PASSWORD\\) failed: .*401 Unauthorized`));
    expect(message).not.toContain("\n");
    // Skipping the check does not help: the push itself is refused, again without the password.
    const login = { host: registry.host, username: registry.username, password: settings.registry!.password, from: "test" };
    const pushErr = await pushImage(docker, settings, login, pushTarget("regtest:antithesis", image), log).catch((e: unknown) => e);
    expect(pushErr).toBeInstanceOf(RegistryError);
    expect((pushErr as Error).message).toMatch(/^push of .* failed: .*(unauthorized|authentication required)/i);
    const everything = [message, inspect(err), (pushErr as Error).message, inspect(pushErr), JSON.stringify(settings), ...lines.slice(before)].join("\n");
    expect(everything).not.toContain(wrong);
    expect(everything).not.toContain(Buffer.from(`harness:${wrong}`).toString("base64"));
  }, 60_000);

  test("a registry key file logs in as _json_key with the JSON as password", async () => {
    const key = JSON.stringify({ type: "service_account", k: randomBytes(6).toString("hex") });
    const keyRegistry = await startLocalRegistry({ username: "_json_key", password: key });
    try {
      const keyFile = join(emptyDir, "tenant.key.json");
      await writeFile(keyFile, key + "\n");
      const settings = settingsFor(keyRegistry, { ANTITHESIS_REGISTRY_USERNAME: "", ANTITHESIS_REGISTRY_PASSWORD: "", ANTITHESIS_REGISTRY_KEY_FILE: keyFile });
      expect(settings.registry?.username).toBe("_json_key");
      const login = await loginRegistry(docker, settings, log);
      const pushed = await pushImage(docker, settings, login, pushTarget("keyed:latest", image));
      expect(await manifestExists(settings, login, pushed.ref)).toBe(true);
      expect(lines.join("\n")).not.toContain(key);
    } finally {
      await keyRegistry.stop();
    }
  }, 120_000);
});
