// The submit path end to end against the stand-ins: push a system image to a real local registry, build and
// push dqueue's config image pinned to it, launch on the fake Antithesis, wait, read the properties. The launch
// must name only digest references that the registry has.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import dqueue from "../../systems/dqueue/system.ts";
import { dockerClient } from "../docker/client.ts";
import { logger } from "../log.ts";
import { getProperties, launch, waitForRun } from "./api.ts";
import { composeServices, pushConfigImage, readComposeFromImage } from "./config-image.ts";
import { loginRegistry, missingDigestRefs, pushImages } from "./registry.ts";
import { loadAntithesisSettings } from "./settings.ts";
import { type FakeAntithesis, startFakeAntithesis } from "./testing/fake-antithesis.ts";
import { type LocalRegistry, localRegistryUnavailable, startLocalRegistry } from "./testing/local-registry.ts";
import { buildTinyImage } from "./testing/tiny-image.ts";

const unavailable = await localRegistryUnavailable();
const docker = dockerClient();
const lines: string[] = [];
const log = logger("submit-flow", (l) => lines.push(l));
const image = `pgo-harness-test/submit-flow:${randomBytes(4).toString("hex")}`;
const API_PASSWORD = `api-pw-${randomBytes(6).toString("hex")}`;
let registry: LocalRegistry;
let fake: FakeAntithesis;
let dir: string;
const configTags: string[] = [];

describe.skipIf(unavailable !== undefined)("submit flow against a local registry and a fake Antithesis", () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "antithesis-submit-flow-"));
    registry = await startLocalRegistry();
    fake = await startFakeAntithesis({ basic: { username: "machine", password: API_PASSWORD }, apiKey: "runs-key-1", properties: [{ name: "Always: FIFO", status: "Passing" }] });
    await buildTinyImage(docker, image, log);
  }, 120_000);
  afterAll(async () => {
    await fake?.close();
    await registry?.stop();
    for (const tag of [image, ...configTags]) await docker.getImage(tag).remove({ force: true }).catch(() => undefined);
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  test("pushes by digest, launches once with digests the registry has, waits, reads properties", async () => {
    const settings = loadAntithesisSettings(
      {
        ANTITHESIS_BASE_URL: fake.url,
        ANTITHESIS_REPOSITORY: `${registry.host}/pgo`,
        ANTITHESIS_USERNAME: "machine",
        ANTITHESIS_PASSWORD: API_PASSWORD,
        ANTITHESIS_API_KEY: "runs-key-1",
        ANTITHESIS_REGISTRY_USERNAME: registry.username,
        ANTITHESIS_REGISTRY_PASSWORD: registry.password,
        ANTITHESIS_DURATION: "15",
        ANTITHESIS_WAIT: "1",
      },
      { credentialsDir: dir },
    );
    const login = await loginRegistry(docker, settings, log);
    const refs = await pushImages(docker, settings, login, [{ composeRef: "dqueue:antithesis", localTag: image }], log);
    const config = await pushConfigImage({ system: dqueue, digestRefs: refs, cacheDir: join(dir, "cache"), docker, log, settings, login });
    configTags.push(config.local);
    expect(composeServices((await readComposeFromImage(docker, config.local))!)).toEqual({ dqueue: refs["dqueue:antithesis"] });

    const launched = await launch(settings, { configImage: config.ref, images: Object.values(refs), description: "dqueue (submit-flow test)" }, { log });
    const launches = fake.requests.filter((r) => r.path.startsWith("/api/v1/launch/"));
    expect(launches).toHaveLength(1);
    const params = (launches[0]!.json as { params: Record<string, string> }).params;
    expect(params["antithesis.duration"]).toBe("15");
    const named = [params["antithesis.config_image"]!, ...params["antithesis.images"]!.split(";")];
    expect(named).toEqual([config.ref, refs["dqueue:antithesis"]]);
    expect(await missingDigestRefs(settings, login, named)).toEqual([]);
    expect(await missingDigestRefs(settings, login, [`${registry.host}/pgo/dqueue@sha256:${"e".repeat(64)}`, "dqueue:antithesis"])).toHaveLength(2);

    const run = await waitForRun(settings, launched.runId!, { pollMs: 5, timeoutMs: 5000 });
    expect(run.status).toBe("completed");
    expect((await getProperties(settings, launched.runId!)).map((p) => p.status)).toEqual(["Passing"]);
    const everything = [JSON.stringify(settings), ...lines, JSON.stringify(fake.requests.map((r) => r.body))].join("\n");
    for (const secret of [API_PASSWORD, registry.password, "runs-key-1"]) expect(everything).not.toContain(secret);
  }, 120_000);
});
