// Builds dqueue's config image with a pinned compose file, reads /docker-compose.yaml back out of it, and
// pushes it to a real local registry: the config image is then known by digest only.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import dqueue from "../../systems/dqueue/system.ts";
import { dockerClient, imageExists } from "../docker/client.ts";
import { logger } from "../log.ts";
import { buildConfigImage, composeServices, pushConfigImage, readComposeFromImage } from "./config-image.ts";
import { loginRegistry, manifestExists } from "./registry.ts";
import { loadAntithesisSettings } from "./settings.ts";
import { type LocalRegistry, localRegistryUnavailable, startLocalRegistry } from "./testing/local-registry.ts";

const unavailable = await localRegistryUnavailable();
const docker = dockerClient();
const log = logger("config-image-test", () => undefined);
let registry: LocalRegistry;
let dir: string;
const created: string[] = [];

describe.skipIf(unavailable !== undefined)("config image", () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "antithesis-config-image-"));
    registry = await startLocalRegistry();
  });
  afterAll(async () => {
    await registry?.stop();
    for (const tag of created) await docker.getImage(tag).remove({ force: true }).catch(() => undefined);
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  test("holds the pinned compose file at /docker-compose.yaml and is pushed by digest", async () => {
    const settings = loadAntithesisSettings(
      { ANTITHESIS_BASE_URL: "http://127.0.0.1:9", ANTITHESIS_API_KEY: "k", ANTITHESIS_REPOSITORY: `${registry.host}/pgo`, ANTITHESIS_REGISTRY_USERNAME: registry.username, ANTITHESIS_REGISTRY_PASSWORD: registry.password },
      { credentialsDir: dir },
    );
    const testImage = `${settings.repository}/dqueue@sha256:${Date.now().toString(16).padStart(64, "0")}`;
    const opts = { system: dqueue, digestRefs: { "dqueue:antithesis": testImage }, cacheDir: join(dir, "cache"), docker, log };
    const built = await buildConfigImage(opts);
    created.push(built.tag);
    expect(built.tag).toMatch(/^pgo-harness\/dqueue-config-pinned:[0-9a-f]{12}$/);
    expect(built.composeRef).toBe("dqueue-config:antithesis");
    const inImage = await readComposeFromImage(docker, built.tag);
    expect(inImage).toBe(built.pinned);
    expect(composeServices(inImage!)).toEqual({ dqueue: testImage });
    // Same inputs: the same tag, not rebuilt.
    expect((await buildConfigImage(opts)).tag).toBe(built.tag);

    const login = await loginRegistry(docker, settings, log);
    const pushed = await pushConfigImage({ ...opts, settings, login });
    expect(pushed.ref).toMatch(new RegExp(`^${registry.host.replace(/\./g, "\\.")}/pgo/dqueue-config@sha256:[0-9a-f]{64}$`));
    expect(await manifestExists(settings, login, pushed.ref)).toBe(true);
    expect(await imageExists(docker, pushed.tagged)).toBe(false);
    // No container was left behind by reading the image.
    const leftovers = await docker.listContainers({ all: true, filters: { label: ["pgo-harness.purpose=read-config-image"] } });
    expect(leftovers).toEqual([]);
  }, 120_000);
});
