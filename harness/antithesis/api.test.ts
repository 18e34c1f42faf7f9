import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { logger } from "../log.ts";
import { describeProperty, remoteProperties } from "../properties/report.ts";
import { AntithesisApiError, getProperties, getRun, launch, retryAfterMs, runIdOf, waitForRun } from "./api.ts";
import { type AntithesisSettings, loadAntithesisSettings } from "./settings.ts";
import { type FakeAntithesis, startFakeAntithesis } from "./testing/fake-antithesis.ts";

const API_KEY = "api-key-SENTINEL-7f3a";
const PASSWORD = "webhook-password-SENTINEL-91c2";
const emptyDir = mkdtempSync(join(tmpdir(), "antithesis-api-"));
afterAll(() => rmSync(emptyDir, { recursive: true, force: true }));

let fake: FakeAntithesis;
beforeAll(async () => {
  fake = await startFakeAntithesis({
    apiKey: API_KEY,
    basic: { username: "machine", password: PASSWORD },
    statuses: ["starting", "in_progress", "completed"],
    properties: [
      { name: "Always: queue order is FIFO", status: "Passing" },
      { name: "Sometimes: consumer sees an item", status: "Passing" },
      { name: "Always: no lost item", status: "Failing", counterexample_count: 2 },
    ],
    propertiesPageSize: 2,
  });
});
afterAll(() => fake.close());
afterEach(() => {
  fake.requests.length = 0;
});

function settings(env: Record<string, string> = {}): AntithesisSettings {
  return loadAntithesisSettings(
    { ANTITHESIS_BASE_URL: fake.url, ANTITHESIS_REPOSITORY: "127.0.0.1:5000/pgo", ANTITHESIS_API_KEY: API_KEY, ...env },
    { credentialsDir: emptyDir },
  );
}

/** Collects log lines and sleeps; nothing actually waits. */
function recorder() {
  const lines: string[] = [];
  const sleeps: number[] = [];
  return { lines, sleeps, log: logger("test", (l) => lines.push(l)), sleep: async (ms: number) => void sleeps.push(ms) };
}

const input = {
  configImage: "127.0.0.1:5000/pgo/dqueue-config@sha256:" + "c".repeat(64),
  images: ["127.0.0.1:5000/pgo/dqueue@sha256:" + "a".repeat(64), "127.0.0.1:5000/pgo/other@sha256:" + "b".repeat(64)],
  description: "dqueue from the harness",
};

describe("launch", () => {
  test("basic auth when given, body {params} with string values only, runId from the 202 body", async () => {
    const s = settings({
      ANTITHESIS_USERNAME: "machine",
      ANTITHESIS_PASSWORD: PASSWORD,
      ANTITHESIS_DURATION: "30",
      ANTITHESIS_RECIPIENTS: "a@x.org;b@y.org",
      ANTITHESIS_SOURCE: "main",
      ANTITHESIS_TEST_NAME: "dqueue",
    });
    const result = await launch(s, input);
    expect(fake.requests).toHaveLength(1);
    const req = fake.requests[0]!;
    expect(req.method).toBe("POST");
    expect(req.path).toBe("/api/v1/launch/basic_test");
    expect(req.authorization).toBe(`Basic ${Buffer.from(`machine:${PASSWORD}`).toString("base64")}`);
    expect(req.contentType).toBe("application/json");
    expect(req.json).toEqual({
      params: {
        "antithesis.description": "dqueue from the harness",
        "antithesis.duration": "30",
        "antithesis.config_image": input.configImage,
        "antithesis.images": input.images.join(";"),
        "antithesis.report.recipients": "a@x.org;b@y.org",
        "antithesis.source": "main",
        "antithesis.test_name": "dqueue",
      },
    });
    expect(result.status).toBe(202);
    expect(result.runId).toMatch(/^[0-9a-f]{32}-54-\d+$/);
    expect(fake.runs.get(result.runId!)?.params["antithesis.config_image"]).toBe(input.configImage);
  });

  test("bearer with only an API key; unset parameters are left out", async () => {
    const result = await launch(settings({ ANTITHESIS_DESCRIPTION: "from env" }), { configImage: input.configImage, images: [] });
    const req = fake.requests[0]!;
    expect(req.authorization).toBe(`Bearer ${API_KEY}`);
    expect(req.json).toEqual({ params: { "antithesis.description": "from env", "antithesis.config_image": input.configImage } });
    expect(result.runId).toBeDefined();
  });

  test("401: one clear error with status and stage, no retry, no secret anywhere", async () => {
    const r = recorder();
    const s = settings({ ANTITHESIS_USERNAME: "machine", ANTITHESIS_PASSWORD: "wrong-password-SENTINEL-5d" });
    const err = await launch(s, input, { log: r.log, sleep: r.sleep }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AntithesisApiError);
    const e = err as AntithesisApiError;
    expect(e.status).toBe(401);
    expect(e.stage).toBe("launch");
    expect(e.message).toBe(
      `Antithesis launch: POST ${fake.url}/api/v1/launch/basic_test answered 401: the credentials were refused: basic auth as "machine" (ANTITHESIS_USERNAME/ANTITHESIS_PASSWORD or the user/password files)`,
    );
    expect(e.message).not.toContain("\n");
    expect(fake.requests).toHaveLength(1);
    const everything = [e.message, e.stack ?? "", inspect(e), JSON.stringify(e), ...r.lines].join("\n");
    for (const secret of ["wrong-password-SENTINEL-5d", API_KEY, Buffer.from("machine:wrong-password-SENTINEL-5d").toString("base64")]) {
      expect(everything).not.toContain(secret);
    }
  });

  test("403 and 404 (unknown launcher) are clear errors too", async () => {
    fake.failNext("/api/v1/launch/", { status: 403 });
    await expect(launch(settings(), input)).rejects.toThrow(/answered 403: the credentials \(the bearer API key \(ANTITHESIS_API_KEY\)\) are not allowed/);
    await expect(launch(settings({ ANTITHESIS_LAUNCHER: "nightly" }), input)).rejects.toThrow(/answered 404: no launcher "nightly" at http:\/\/127\.0\.0\.1:\d+ \(check ANTITHESIS_LAUNCHER/);
    expect(fake.requests.map((q) => q.path)).toEqual(["/api/v1/launch/basic_test", "/api/v1/launch/nightly"]);
  });

  test("429: waits as Retry-After says, backing off, then succeeds", async () => {
    const r = recorder();
    fake.failNext("/api/v1/launch/", { status: 429, retryAfter: "3" }, { status: 429, retryAfter: "1" }, { status: 429 });
    const result = await launch(settings(), input, { log: r.log, sleep: r.sleep, backoffMs: 1000 });
    expect(result.runId).toBeDefined();
    expect(fake.requests).toHaveLength(4);
    // 3 s as asked; then max(1 s asked, 2 s backoff); then no header: 4 s backoff plus up to 20% jitter.
    expect(r.sleeps.slice(0, 2)).toEqual([3000, 2000]);
    expect(r.sleeps[2]).toBeGreaterThanOrEqual(4000);
    expect(r.sleeps[2]).toBeLessThanOrEqual(4800);
    expect(r.lines.filter((l) => l.includes("429 Too Many Requests"))).toHaveLength(3);
    // Each retry is the same request.
    expect(new Set(fake.requests.map((q) => q.body)).size).toBe(1);
  });

  test("429 for too long gives up with one error", async () => {
    const r = recorder();
    fake.failNext("/api/v1/launch/", { status: 429, retryAfter: "1" }, { status: 429, retryAfter: "1" }, { status: 429, retryAfter: "1" });
    const err = (await launch(settings(), input, { sleep: r.sleep, maxRateLimitRetries: 2 }).catch((e: unknown) => e)) as AntithesisApiError;
    expect(err.status).toBe(429);
    expect(err.message).toMatch(/answered 429: still rate-limited after 2 retries/);
    expect(fake.requests).toHaveLength(3);
  });

  test("5xx: a bounded number of retries, then one error quoting the server's message", async () => {
    const r = recorder();
    fake.failNext("/api/v1/launch/", { status: 500 }, { status: 502 });
    const ok = await launch(settings(), input, { sleep: r.sleep, backoffMs: 10 });
    expect(ok.runId).toBeDefined();
    expect(fake.requests).toHaveLength(3);
    // Exponential backoff with up to 20% jitter: 10 ms, then 20 ms.
    expect(r.sleeps).toHaveLength(2);
    expect(r.sleeps[0]).toBeGreaterThanOrEqual(10);
    expect(r.sleeps[0]).toBeLessThanOrEqual(12);
    expect(r.sleeps[1]).toBeGreaterThanOrEqual(20);
    expect(r.sleeps[1]).toBeLessThanOrEqual(24);

    fake.requests.length = 0;
    fake.failNext("/api/v1/launch/", ...Array.from({ length: 4 }, () => ({ status: 503, body: `{"message":"overloaded, key ${API_KEY}"}` })));
    const err = (await launch(settings(), input, { sleep: r.sleep, backoffMs: 10, maxServerRetries: 3 }).catch((e: unknown) => e)) as AntithesisApiError;
    expect(err.status).toBe(503);
    expect(err.message).toMatch(/answered 503: server error, still after 3 retries \(overloaded, key \[REDACTED\]\)$/);
    expect(fake.requests).toHaveLength(4);
  });

  test("an unreachable server is one clear error", async () => {
    const r = recorder();
    // A port that was free a moment ago: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const s = loadAntithesisSettings({ ANTITHESIS_BASE_URL: `http://127.0.0.1:${port}`, ANTITHESIS_REPOSITORY: "r.example/x", ANTITHESIS_API_KEY: API_KEY }, { credentialsDir: emptyDir });
    const err = (await launch(s, input, { sleep: r.sleep, maxServerRetries: 1 }).catch((e: unknown) => e)) as AntithesisApiError;
    expect(err).toBeInstanceOf(AntithesisApiError);
    expect(err.message).toBe(`Antithesis launch: POST http://127.0.0.1:${port}/api/v1/launch/basic_test failed: fetch failed (ECONNREFUSED)`);
    expect(r.sleeps).toHaveLength(1);
  });
});

describe("runs API", () => {
  test("wait polls with bearer until completed, then the properties (all pages) and the triage link", async () => {
    const { runId } = await launch(settings(), input);
    fake.requests.length = 0;
    const seen: string[] = [];
    const r = recorder();
    const run = await waitForRun(settings(), runId!, { pollMs: 5, timeoutMs: 10_000, onProgress: (x) => seen.push(x.status), sleep: r.sleep });
    expect(seen).toEqual(["starting", "in_progress", "completed"]);
    expect(r.sleeps).toEqual([5, 5]);
    expect(run.links?.triage_report).toBe(`${fake.url}/report/${runId}.html`);
    for (const req of fake.requests) {
      expect(req.method).toBe("GET");
      expect(req.path).toBe(`/api/v0/runs/${runId}`);
      expect(req.authorization).toBe(`Bearer ${API_KEY}`);
    }
    fake.requests.length = 0;
    const props = await getProperties(settings(), runId!);
    expect(props.map((p) => [p.name, p.status])).toEqual([
      ["Always: queue order is FIFO", "Passing"],
      ["Sometimes: consumer sees an item", "Passing"],
      ["Always: no lost item", "Failing"],
    ]);
    expect(fake.requests.map((q) => q.path)).toEqual([`/api/v0/runs/${runId}/properties?limit=100`, `/api/v0/runs/${runId}/properties?limit=100&after=2`]);
    const outcomes = remoteProperties(run, props);
    expect(outcomes.map((o) => [o.kind, o.name, o.status])).toEqual([
      ["Always", "queue order is FIFO", "passed"],
      ["Sometimes", "consumer sees an item", "passed"],
      ["Always", "no lost item", "failed"],
    ]);
    expect(describeProperty(outcomes[2]!)).toBe(`Always "no lost item": failed — Antithesis reports it Failing; 1 example, 2 counterexamples\ntriage report: ${fake.url}/report/${runId}.html`);
  });

  test("properties of a run still in progress: 404, one error; unknown run: 404", async () => {
    const { runId } = await launch(settings(), input);
    await getRun(settings(), runId!);
    await expect(getProperties(settings(), runId!)).rejects.toThrow(/properties: GET .*\/properties answered 404: not found \(Run .* is still in progress\)/);
    await expect(getRun(settings(), "nope-1-1")).rejects.toThrow(/answered 404: not found \(Run not found: nope-1-1\)/);
  });

  test("a wrong API key is a 401 for the runs API, naming ANTITHESIS_API_KEY", async () => {
    const { runId } = await launch(settings(), input);
    const err = (await getRun(settings({ ANTITHESIS_API_KEY: "bad-key-SENTINEL-0" }), runId!).catch((e: unknown) => e)) as AntithesisApiError;
    expect(err.stage).toBe("run");
    expect(err.status).toBe(401);
    expect(err.message).toMatch(/answered 401: the credentials were refused: the bearer API key \(ANTITHESIS_API_KEY\) \(Invalid or expired bearer token\.\)$/);
    expect(inspect(err)).not.toContain("bad-key-SENTINEL-0");
  });

  test("waiting gives up at the timeout", async () => {
    const slow = await startFakeAntithesis({ apiKey: API_KEY, statuses: ["in_progress"] });
    try {
      const s = loadAntithesisSettings({ ANTITHESIS_BASE_URL: slow.url, ANTITHESIS_REPOSITORY: "r.example/x", ANTITHESIS_API_KEY: API_KEY }, { credentialsDir: emptyDir });
      const { runId } = await launch(s, input);
      await expect(waitForRun(s, runId!, { pollMs: 5, timeoutMs: 30 })).rejects.toThrow(/still "in_progress" after 0 min of waiting/);
    } finally {
      await slow.close();
    }
  });
});

test("runIdOf and retryAfterMs read the documented and plausible shapes", () => {
  expect(runIdOf({ statusCode: 202, runId: "r-1" })).toBe("r-1");
  expect(runIdOf({ run_id: "r-2" })).toBe("r-2");
  expect(runIdOf({ data: { run_id: "r-3" } })).toBe("r-3");
  expect(runIdOf({ statusCode: 202, runId: null })).toBeUndefined();
  expect(runIdOf("text")).toBeUndefined();
  expect(retryAfterMs("7")).toBe(7000);
  expect(retryAfterMs(null)).toBeUndefined();
  const inFuture = retryAfterMs(new Date(Date.now() + 10_000).toUTCString())!;
  expect(inFuture).toBeGreaterThan(8000);
  expect(inFuture).toBeLessThanOrEqual(10_000);
});
