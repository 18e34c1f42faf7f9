// `ANTITHESIS=1 npx vitest run suites/dqueue` end to end, in a child Vitest, against stand-ins: a real local
// registry (Debian's docker-registry, with htpasswd auth) for Antithesis's image repository, and a local HTTP
// server implementing Antithesis's documented launch and runs endpoints (harness/antithesis/testing) for the
// tenant, which cannot be reached from here.
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import tar from "tar-stream";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loginRegistry, missingDigestRefs } from "../antithesis/registry.ts";
import { loadAntithesisSettings } from "../antithesis/settings.ts";
import { type FakeAntithesis, startFakeAntithesis } from "../antithesis/testing/fake-antithesis.ts";
import { type LocalRegistry, localRegistryUnavailable, startLocalRegistry } from "../antithesis/testing/local-registry.ts";
import { dockerClient } from "../docker/client.ts";
import { projectRoot } from "../paths.ts";
import { childEnv as localEnv, runSuiteInChild } from "../vitest/child-run.ts";

const unavailable = await localRegistryUnavailable();
const API_KEY = `key-${randomBytes(8).toString("hex")}`;
let registry: LocalRegistry;
let fake: FakeAntithesis;
let scratch: string;

/** The child's own stand-ins, explicitly: nothing of an outer ANTITHESIS=1 run's settings leaks in. */
function childEnv(extra: Record<string, string>): Record<string, string | undefined> {
  return {
    ...localEnv(),
    ANTITHESIS: "1",
    ANTITHESIS_BASE_URL: fake.url,
    ANTITHESIS_REPOSITORY: `${registry.host}/pgo`,
    ANTITHESIS_API_KEY: API_KEY,
    ANTITHESIS_REGISTRY_USERNAME: registry.username,
    ANTITHESIS_REGISTRY_PASSWORD: registry.password,
    ANTITHESIS_DURATION: "30",
    ...extra,
  };
}

/** Everything a run wrote that a person or a CI system might read. */
async function everythingWritten(runsDir: string): Promise<string> {
  const files = (await execa("find", [runsDir, join(projectRoot, "reports"), "-type", "f"], { reject: false })).stdout.split("\n").filter(Boolean);
  const texts = await Promise.all(files.map((f) => readFile(f, "utf8").catch(() => "")));
  return texts.join("\n");
}

/** Paths under dir in an image (which may be FROM scratch: created, never started). */
async function filesIn(image: string, dir: string): Promise<string[]> {
  const docker = dockerClient();
  const container = await docker.createContainer({ Image: image, Cmd: ["/nonexistent"] });
  try {
    const archive = await container.getArchive({ path: dir });
    const names: string[] = [];
    const extract = tar.extract();
    extract.on("entry", (header, stream, next) => {
      names.push(header.name.replace(/\/$/, ""));
      stream.on("end", next).resume();
    });
    archive.pipe(extract);
    await new Promise<void>((resolve, reject) => extract.on("finish", () => resolve()).on("error", reject));
    return names;
  } finally {
    await container.remove({ force: true });
  }
}

describe.skipIf(unavailable !== undefined)("ANTITHESIS=1 npx vitest run suites/dqueue (stand-ins: local registry, fake Antithesis API)", () => {
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), "submit-test-"));
    registry = await startLocalRegistry();
    fake = await startFakeAntithesis({ apiKey: API_KEY });
  }, 120_000);
  afterAll(async () => {
    await fake?.close();
    await registry?.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  test("pre-flights, pushes, launches once with digest references the registry has, and reports the run id", { timeout: 900_000 }, async () => {
    const outcome = await runSuiteInChild({ args: ["--project", "dqueue", "suites/dqueue/dqueue.test.ts"], env: childEnv({}), timeoutMs: 840_000, reporter: "verbose" });
    expect(outcome.exitCode, outcome.output.slice(-4000)).toBe(0);
    expect(outcome.output).toMatch(/Pre-flight: running what Antithesis will run .*: done/);
    const launches = fake.requests.filter((r) => r.method === "POST" && r.path === "/api/v1/launch/basic_test");
    expect(launches).toHaveLength(1);
    expect(launches[0]!.authorization).toBe(`Bearer ${API_KEY}`);
    const params = (launches[0]!.json as { params: Record<string, unknown> }).params;
    expect(Object.values(params).every((v) => typeof v === "string")).toBe(true);
    expect(params["antithesis.duration"]).toBe("30");
    const refs = [String(params["antithesis.config_image"]), ...String(params["antithesis.images"]).split(";")];
    for (const ref of refs) expect(ref).toMatch(new RegExp(`^${registry.host.replace(/\./g, "\\.")}/pgo/[a-z0-9-]+@sha256:[0-9a-f]{64}$`));
    const settings = loadAntithesisSettings(childEnv({}) as NodeJS.ProcessEnv, { credentialsDir: scratch });
    const login = await loginRegistry(dockerClient(), settings);
    expect(await missingDigestRefs(settings, login, refs), "every launched reference is in the registry").toEqual([]);
    const runId = [...fake.runs.keys()][0];
    expect(runId).toBeDefined();
    // The launch is reported as a passing test named with the system and the run id.
    expect(outcome.output).toMatch(new RegExp(`✓ .*antithesis: dqueue launched run ${runId}`));
    expect(outcome.leftovers, `left by ${outcome.project}`).toEqual({ containers: [], networks: [], volumes: [] });

    // Instrumented (dqueue's definition asks for it): the config image carries the symbol tables at /symbols.
    const submitted = JSON.parse(await readFile(join(outcome.runsDir, "dqueue", "latest", "submit.json"), "utf8")) as { configImageLocal: string; symbols: string[] };
    expect(submitted.symbols.filter((f) => f.endsWith(".sym.tsv")).length).toBeGreaterThan(0);
    expect(await filesIn(submitted.configImageLocal, "/symbols")).toEqual(expect.arrayContaining(submitted.symbols.map((f) => `symbols/${f}`)));

    // The pushed test image, pulled back from the registry by its digest, carries the native TraceLink validator
    // that finally_tracelink runs — Node, the bundle, the spec — and no JVM.
    const [pushed] = (JSON.parse(await readFile(join(outcome.runsDir, "dqueue", "latest", "submit.json"), "utf8")) as { images: string[] }).images;
    await execa("docker", ["login", "-u", registry.username, "--password-stdin", registry.host], { input: registry.password });
    try {
      await execa("docker", ["pull", "-q", pushed!]);
    } finally {
      await execa("docker", ["logout", registry.host], { reject: false });
    }
    const probe = await execa("docker", ["run", "--rm", "--pull", "never", "--entrypoint", "sh", pushed!, "-c", "test -x /opt/pgo-validator/node && test -f /opt/pgo-validator/pgo-validate.mjs && ls /opt/pgo-validator/spec && ls /opt/antithesis/test/v1/dqueue && (command -v java || echo no-java)"], { reject: false });
    expect(probe.exitCode, probe.stderr).toBe(0);
    expect(probe.stdout).toMatch(/dqueue\.tla[\s\S]*finally_tracelink[\s\S]*no-java/);
    await execa("docker", ["image", "rm", pushed!], { reject: false });
  });

  test("a wrong registry password fails with one clear line, before building, and the password appears nowhere", { timeout: 300_000 }, async () => {
    const password = `wrong-${randomBytes(8).toString("hex")}`;
    const before = fake.requests.length;
    const outcome = await runSuiteInChild({
      args: ["--project", "dqueue", "suites/dqueue/dqueue.test.ts"],
      env: childEnv({ ANTITHESIS_REGISTRY_PASSWORD: password }),
      timeoutMs: 240_000,
    });
    expect(outcome.exitCode).toBe(1);
    const failure = outcome.output.split("\n").filter((l) => /login failed: /.test(l));
    expect(failure.length, outcome.output.slice(-3000)).toBeGreaterThan(0);
    expect(failure[0]).toMatch(new RegExp(`${registry.host.replace(/\./g, "\\.")}`));
    expect(outcome.output).not.toMatch(/Compiling|Building image/);
    expect(fake.requests.length, "nothing was launched").toBe(before);
    expect(outcome.output).not.toContain(password);
    expect(await everythingWritten(outcome.runsDir)).not.toContain(password);
  });

  test("ANTITHESIS_WAIT=1 waits for the run and reports each property as a test, a Failing one failed", { timeout: 600_000 }, async () => {
    // A second stand-in tenant whose runs are completed at once, with one passing and one failing property.
    const tenant = await startFakeAntithesis({
      apiKey: API_KEY,
      statuses: ["completed"],
      properties: [
        { name: "Always: the consumer receives exactly the produced items, in order", status: "Passing", example_count: 12 },
        { name: "Sometimes: items reach the consumer", status: "Failing", counterexample_count: 1 },
      ],
    });
    try {
      const outcome = await runSuiteInChild({
        args: ["--project", "dqueue", "suites/dqueue/dqueue.test.ts"],
        env: childEnv({ ANTITHESIS_BASE_URL: tenant.url, ANTITHESIS_WAIT: "1", ANTITHESIS_PREFLIGHT: "0" }),
        timeoutMs: 540_000,
        reporter: "verbose",
      });
      expect(outcome.exitCode, outcome.output.slice(-3000)).toBe(1);
      const runId = [...tenant.runs.keys()][0];
      expect(runId).toBeDefined();
      expect(tenant.requests.filter((r) => r.method === "GET" && r.path.startsWith(`/api/v0/runs/${runId}`)).every((r) => r.authorization === `Bearer ${API_KEY}`)).toBe(true);
      expect(outcome.output).toMatch(new RegExp(`✓ .*antithesis: dqueue launched run ${runId}`));
      expect(outcome.output).toMatch(new RegExp(`✓ .*antithesis: run ${runId} ended completed`));
      // Named as local properties are: `property: <message>`, the kind taken off Antithesis's name.
      expect(outcome.output).toMatch(/✓ .*property: the consumer receives exactly the produced items, in order/);
      expect(outcome.output).toMatch(/× .*property: items reach the consumer/);
    } finally {
      await tenant.close();
    }
  });
});
