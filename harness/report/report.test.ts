// The run pages in a real browser: Debian's headless Chromium, driven over the DevTools protocol (puppeteer-core),
// loads a run's index.html from disk, every section must be there, and the page may request nothing outside the
// run directory. The run directories are built here the way a run leaves them (one passing, one with a failing
// check, one interrupted before results.json).
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { writeRunPage } from "./run-page.ts";
import { writeRunsIndex } from "./runs-index.ts";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].find((p) => existsSync(p));
const root = await mkdtemp(join(tmpdir(), "report-"));
afterAll(() => rm(root, { recursive: true, force: true }));

async function makeRun(name: string, files: Record<string, string | object>): Promise<string> {
  const dir = join(root, "runs", "raftkvs", name);
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(join(dir, rel, ".."), { recursive: true });
    await writeFile(join(dir, rel), typeof content === "string" ? content : JSON.stringify(content));
  }
  return dir;
}

const run = (id: string, startedAt: string) => ({ system: "raftkvs", id, variant: "raftkvs.test.ts", startedAt, git: { commit: "0123456789abcdef0123", dirty: true }, rerun: "npx vitest run suites/raftkvs/raftkvs.test.ts", images: ["pgo-harness/raftkvs-server:abc"] });
let passing: string;
let failing: string;
let interrupted: string;

beforeAll(async () => {
  passing = await makeRun("20261129T100000Z-aaaaaa", {
    "run.json": run("aaaaaa", "2026-11-29T10:00:00.000Z"),
    "results.json": {
      verdict: true,
      // As harness/run/pipeline.ts writes them: statuses, and the details beside.
      stages: { up: "passed", workload: "passed", ready: "skipped" },
      stageDetails: { up: { status: "passed", seconds: 2.5 }, workload: { status: "passed", seconds: 1.3 }, ready: { status: "skipped", reason: "the system names no readiness line" } },
      commands: [{ name: "singleton_driver_random_workload", service: "client1", exitCode: 0, seconds: 1.2 }],
      faults: [{ name: "kill the leader", killed: "server2", at: "2026-11-29T10:00:01Z" }],
      checks: [{ name: "history/linearizable", valid: true, summary: "linearizable (kv model; 20 operations)" }],
    },
    // As harness/properties writes it.
    "properties.json": { properties: [{ name: "one leader per term", kind: "Always", status: "passed", location: "raft/node.go:120", examples: 40, counterexamples: 0 }], tests: [], files: [] },
    "commands/client1-singleton_driver_random_workload.log": "ok\n",
    "checks/history_linearizable/timeline.html": "<!doctype html><title>t</title><p>timeline</p>",
    "logs/server1.log": "became leader in term 1\n",
    "traces/trace-1-1.log": "{}\n",
    "antithesis-sdk/sdk.jsonl": "{}\n",
  });
  failing = await makeRun("20261129T110000Z-bbbbbb", {
    "run.json": run("bbbbbb", "2026-11-29T11:00:00.000Z"),
    "results.json": {
      verdict: false,
      stages: { up: "passed", workload: "passed", collect: "passed" },
      checks: [{ name: "tracelink/mailbox-matching", valid: false, summary: "1 read matches no write", details: { violations: [{ file: "trace-2-9.log", line: 7, message: "AConsumer(1) read 7 from net[1], which nobody sent" }] } }],
    },
  });
  interrupted = await makeRun("20261129T120000Z-cccccc", { "run.json": run("cccccc", "2026-11-29T12:00:00.000Z") });
});

describe("run pages (static)", () => {
  test("a failing check's first violation is on its page, escaped", async () => {
    const s = await writeRunPage(failing);
    expect(s.verdict).toBe(false);
    const html = await readFile(join(failing, "index.html"), "utf8");
    expect(html).toContain("trace-2-9.log:7: AConsumer(1) read 7 from net[1], which nobody sent");
    expect(html).toMatch(/class="fail">FAIL/);
  });
  test("an interrupted run (no results.json) still gets a page that says so", async () => {
    const s = await writeRunPage(interrupted);
    expect(s.verdict).toBeUndefined();
    expect(await readFile(join(interrupted, "index.html"), "utf8")).toContain("results.json is missing");
  });
  test("runs/index.html lists runs newest first with verdict and commit", async () => {
    const rows = await writeRunsIndex(join(root, "runs"));
    expect(rows.map((r) => r.id)).toEqual(["cccccc", "bbbbbb", "aaaaaa"]);
    const html = await readFile(join(root, "runs", "index.html"), "utf8");
    expect(html.indexOf("cccccc")).toBeLessThan(html.indexOf("aaaaaa"));
    expect(html).toContain("0123456789ab (dirty)");
  });
  test("the index reads each run's summary and renders only pages never written", async () => {
    // A page written earlier is not rendered again: its summary (here edited) is what the index shows.
    const summaryFile = join(passing, "summary.json");
    const summary = JSON.parse(await readFile(summaryFile, "utf8")) as { variant?: string };
    await writeFile(summaryFile, JSON.stringify({ ...summary, variant: "from-the-summary" }));
    const before = (await stat(join(passing, "index.html"))).mtimeMs;
    await new Promise((r) => setTimeout(r, 20));
    const rows = await writeRunsIndex(join(root, "runs"));
    expect(rows.find((r) => r.id === "aaaaaa")?.variant).toBe("from-the-summary");
    expect((await stat(join(passing, "index.html"))).mtimeMs).toBe(before);
    // A run without a summary gets its page (and summary) written by the index.
    await rm(join(failing, "summary.json"));
    await rm(join(failing, "index.html"));
    await writeRunsIndex(join(root, "runs"));
    expect(existsSync(join(failing, "index.html"))).toBe(true);
    expect(existsSync(join(failing, "summary.json"))).toBe(true);
    await writeRunPage(passing);
  });
  test("no page refers to anything outside the run", async () => {
    await writeRunPage(passing);
    for (const dir of [passing, failing, interrupted]) {
      const html = await readFile(join(dir, "index.html"), "utf8");
      expect(html).not.toMatch(/(src|href)="(https?:|\/\/|\/)/);
    }
  });
});

describe.skipIf(CHROMIUM === undefined)(`run pages in headless Chromium${CHROMIUM === undefined ? " (skipped: no chromium; scripts/setup.sh installs it)" : ""}`, () => {
  test("every section renders and the page requests nothing outside the run directory", async () => {
    await writeRunPage(passing);
    const { launch } = await import("puppeteer-core");
    const browser = await launch({ executablePath: CHROMIUM!, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
    try {
      const page = await browser.newPage();
      const requests: string[] = [];
      page.on("request", (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(join(passing, "index.html")).href, { waitUntil: "load" });
      const sections = await page.$$eval("section", (all) => all.map((s) => [s.id, s.querySelector("h2")?.textContent ?? "", (s.textContent ?? "").length] as const));
      expect(sections.map(([id]) => id)).toEqual(["run", "stages", "commands", "checks", "properties", "faults", "timeline", "files"]);
      for (const [id, , length] of sections) expect(length, `section ${id} is empty`).toBeGreaterThan(20);
      const text = await page.$eval("body", (b) => b.textContent ?? "");
      expect(text).toContain("one leader per term");
      expect(text).toContain("kill the leader");
      expect(text).toContain("2.50 s");
      expect(text).toContain("the system names no readiness line");
      expect(text).toContain("40 examples, 0 counterexamples");
      expect(text).not.toContain("Invalid input");
      // The timeline is embedded from the run directory and really loaded.
      const frame = page.frames().find((f) => f.url().endsWith("timeline.html"));
      expect(await frame?.$eval("p", (p) => p.textContent)).toBe("timeline");
      const base = pathToFileURL(passing).href;
      expect(requests.length).toBeGreaterThan(1);
      expect(requests.filter((u) => !u.startsWith(base))).toEqual([]);
      const shot = join(root, "page.png");
      await page.setViewport({ width: 1200, height: 900 });
      await page.screenshot({ path: shot, fullPage: true });
      expect((await readFile(shot)).subarray(1, 4).toString()).toBe("PNG");
      if (process.env["REPORT_SCREENSHOT"] !== undefined) await writeFile(process.env["REPORT_SCREENSHOT"], await readFile(shot));
    } finally {
      await browser.close();
    }
  });
});
