// Fault windows on the history timeline and the realised schedule on the run page, from a real fault run's own
// files (testdata/fault-runs/, copied from a run of suites/raftkvs/fault-*.test.ts). Every expectation is computed from
// that data — the windows' wall-clock times, the history's origin and its operations' times — never copied from
// the page; the bands are placed with the real Chromium and measured against the operations' bars.
import { existsSync } from "node:fs";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { TESTDATA } from "../../testdata/paths.ts";
import { kvModel } from "../history/models.ts";
import type { Operation } from "../history/operation.ts";
import { asComponents, faultsOnHistoryClock, timelineHtml } from "../history/timeline.ts";
import { writeRunPage } from "./run-page.ts";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].find((p) => existsSync(p));
const root = await mkdtemp(join(tmpdir(), "report-faults-"));
afterAll(() => rm(root, { recursive: true, force: true }));

interface Window { kind: string; targets: string[]; start: number; end?: number; detail?: string }
interface Data { runDir: string; rerun: string; seed: number; windows: Window[]; origin: bigint; ops: { id: number; call: number }[] }

const TIMELINE = join("checks", "history_linearizable", "history-faults-timeline.html");

// A pause (servers frozen) and a partition (the fault-mixed run), each as the run left its files.
describe.each(["raftkvs-fault-pause", "raftkvs-fault-mixed"])("%s", (name) => {
let data: Data;

beforeAll(async () => {
  const runDir = join(root, name);
  await cp(join(TESTDATA, "fault-runs", name), runDir, { recursive: true });
  const run = JSON.parse(await readFile(join(runDir, "run.json"), "utf8")) as { rerun: string };
  const results = JSON.parse(await readFile(join(runDir, "results.json"), "utf8")) as {
    faults: { injected: { seed: number; windows: Window[] } }[];
    checks: { name: string; details?: { timeOrigin?: { epochNanos: string } } }[];
  };
  const history = results.checks.find((c) => c.name === "history/linearizable")!;
  const ops = (await readFile(join(runDir, "checks", "history_linearizable", "history.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l) as { id: number; call: number });
  data = { runDir, rerun: run.rerun, seed: results.faults[0]!.injected.seed, windows: results.faults.flatMap((f) => f.injected.windows), origin: BigInt(history.details!.timeOrigin!.epochNanos), ops };
  expect(data.windows.length, "the recorded run injected faults").toBeGreaterThan(0);
  await writeRunPage(runDir);
});

describe("the run page lists the realised schedule", () => {
  test("seed, replay line and one row per window with its kind, targets, times and duration", async () => {
    const html = await readFile(join(data.runDir, "index.html"), "utf8");
    const faults = /<section id="faults">([\s\S]*?)<\/section>/.exec(html)?.[1] ?? "";
    expect(faults).toContain(`<b class="seed">${data.seed}</b>`);
    expect(faults).toContain(`<code class="replay">FAULT_SEED=${data.seed} ${data.rerun}</code>`);
    expect(faults).not.toContain("&#34;windows&#34;"); // no raw JSON any more
    const rows = [...faults.matchAll(/<tr><td>(\d+)<\/td>(.*?)<\/tr>/g)].map((m) => [...m[2]!.matchAll(/<td>(.*?)<\/td>/g)].map((c) => c[1]!));
    expect(rows).toHaveLength(data.windows.length);
    data.windows.forEach((w, i) => {
      const [kind, targets, , start, healed, duration] = rows[i]!;
      expect(kind).toBe(w.kind);
      expect(targets).toBe(w.targets.join(" "));
      expect(start).toContain(new Date(w.start).toISOString().slice(11, 23));
      expect(healed).toContain(new Date(w.end!).toISOString().slice(11, 23));
      expect(duration).toBe(`${((w.end! - w.start) / 1000).toFixed(3)} s`);
    });
    expect(faults).toContain(`href="${TIMELINE}"`);
  });
});

describe.skipIf(CHROMIUM === undefined)(`fault bands in headless Chromium${CHROMIUM === undefined ? " (skipped: no chromium)" : ""}`, () => {
  test("each band spans its window on the operations' time axis, labelled with its kind and targets", async () => {
    const { launch } = await import("puppeteer-core");
    const browser = await launch({ executablePath: CHROMIUM!, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
    try {
      const page = await browser.newPage();
      await page.setViewport({ width: 1400, height: 800 });
      await page.goto(pathToFileURL(join(data.runDir, TIMELINE)).href, { waitUntil: "load" });
      const opLeft = new Map(await page.$$eval(".op", (all) => all.map((e) => [Number(e.getAttribute("data-id")), e.getBoundingClientRect().left] as const)));
      // The axis is linear: the earliest and the latest call fix it; a fault time t (history clock) is then at
      // left(first) + (t − first.call) × (left(last) − left(first)) / (last.call − first.call).
      const byCall = [...data.ops].sort((a, b) => a.call - b.call);
      const first = byCall[0]!;
      const last = byCall.at(-1)!;
      const scale = (opLeft.get(last.id)! - opLeft.get(first.id)!) / (last.call - first.call);
      const px = (epochMs: number) => opLeft.get(first.id)! + Number(BigInt(epochMs) * 1_000_000n - data.origin - BigInt(first.call)) * scale;
      const bands = await page.$$eval(".fault", (all) => all.map((e) => ({ i: Number(e.getAttribute("data-fault")), left: e.getBoundingClientRect().left, right: e.getBoundingClientRect().right })));
      const labels = await page.$$eval(".flabel", (all) => all.map((e) => ({ i: Number(e.getAttribute("data-fault")), text: e.textContent ?? "", left: e.getBoundingClientRect().left })));
      expect(bands).toHaveLength(data.windows.length);
      data.windows.forEach((w, i) => {
        const band = bands.find((b) => b.i === i)!;
        expect(band.left, `window ${i} starts at its start`).toBeCloseTo(px(w.start), 0);
        expect(band.right, `window ${i} ends where it was healed`).toBeCloseTo(px(w.end!), 0);
        const label = labels.find((l) => l.i === i)!;
        expect(label.left).toBeCloseTo(band.left, 0);
        expect(label.text.startsWith(`${w.kind} `)).toBe(true);
        for (const t of w.targets) expect(label.text).toContain(t);
      });
      // The operations are drawn over the bands, not hidden by them.
      // (No DOM typings in this project: the browser's getComputedStyle is reached through globalThis.)
      type Styles = { getComputedStyle(e: unknown): { zIndex: string } };
      const z = await page.$eval(".op", (e) => (globalThis as unknown as Styles).getComputedStyle(e).zIndex);
      const zf = await page.$eval(".fault", (e) => (globalThis as unknown as Styles).getComputedStyle(e).zIndex);
      expect(Number(z)).toBeGreaterThan(Number(zf));
    } finally {
      await browser.close();
    }
  });
});
});

describe.skipIf(CHROMIUM === undefined)(`overlapping fault bands in headless Chromium${CHROMIUM === undefined ? " (skipped: no chromium)" : ""}`, () => {
  test("overlapping windows get their own label rows; an unhealed one runs to the right edge", async () => {
    // Two nemeses at once (a pause inside a partition) and a pause never healed, on a history of ms.
    const ops: Operation[] = [0, 1, 2, 3].map((i) => ({ id: i, process: `p${i % 2}`, f: "get", input: { op: "get", key: "k" }, output: "", call: i * 1000, return: i * 1000 + 900 }));
    const origin = 1_800_000_000_000n * 1_000_000n; // epoch ns
    const at = (ns: number) => Number((origin + BigInt(ns)) / 1_000_000n);
    const windows = [
      { kind: "partition", targets: ["server1", "server2", "server3"], start: at(500e6), end: at(2500e6), detail: "minority-third: server1 drops server2+server3; server2 drops server1; server3 drops server1" },
      { kind: "pause", targets: ["server2"], start: at(1000e6), end: at(1500e6), detail: "pause one: server2" },
      { kind: "pause", targets: ["server3"], start: at(3000e6), end: undefined, detail: "pause one: server3" },
    ];
    const html = timelineHtml(kvModel, ops.map((o) => ({ ...o, call: o.call * 1e6, return: o.return * 1e6 })), { title: "t", faults: faultsOnHistoryClock(windows, origin), unitsPerSecond: 1e9 });
    const file = join(root, "overlap.html");
    await writeFile(file, html);
    const { launch } = await import("puppeteer-core");
    const browser = await launch({ executablePath: CHROMIUM!, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
    try {
      const page = await browser.newPage();
      await page.setViewport({ width: 1000, height: 600 });
      await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
      const labels = await page.$$eval(".flabel", (all) => all.map((e) => ({ text: e.textContent ?? "", top: e.getBoundingClientRect().top, bottom: e.getBoundingClientRect().bottom })));
      expect(labels.map((l) => l.text)).toEqual(["partition minority-third: server1 | server2 server3", "pause one: server2", "pause one: server3"]);
      expect(labels[1]!.top).toBeGreaterThanOrEqual(labels[0]!.bottom); // overlaps the partition: the next row
      expect(labels[2]!.top).toBe(labels[0]!.top); // after both: back on the first row
      const wrap = await page.$eval(".wrap", (e) => e.getBoundingClientRect().right);
      const unhealed = await page.$eval('.fault[data-fault="2"]', (e) => ({ right: e.getBoundingClientRect().right, cls: e.className }));
      expect(unhealed.cls).toContain("unhealed");
      expect(unhealed.right).toBeCloseTo(wrap, 0);
      const ticks = await page.$$eval(".tick", (all) => all.map((e) => e.textContent));
      expect(ticks).toContain("1.0 s");
    } finally {
      await browser.close();
    }
  });
});

test("a partition's grudge reads as its components only when it cuts the nodes into groups", () => {
  expect(asComponents("one: server1 drops server2; server2 drops server1+server3; server3 drops server2")).toBe("one: server2 | server1 server3");
  expect(asComponents("random-halves: a drops c+d; b drops c+d; c drops a+b; d drops a+b")).toBe("random-halves: a b | c d");
  // A ring (server1 reaches server2, which does not reach server1 back) has no components: left as written.
  expect(asComponents("majorities-ring: server1 drops server3; server2 drops server1; server3 drops server2")).toBeUndefined();
  expect(asComponents("pause one: server2")).toBeUndefined();
});

test("a run whose history check recorded no time origin (an older run) says the windows are not drawn, and draws none", async () => {
  const runDir = join(root, "no-origin");
  await cp(join(TESTDATA, "fault-runs", "raftkvs-fault-pause"), runDir, { recursive: true });
  const results = JSON.parse(await readFile(join(runDir, "results.json"), "utf8")) as { checks: { name: string; details?: Record<string, unknown> }[] };
  for (const c of results.checks) delete c.details?.["timeOrigin"];
  await writeFile(join(runDir, "results.json"), JSON.stringify(results));
  await writeRunPage(runDir);
  const timeline = await readFile(join(runDir, TIMELINE), "utf8");
  expect(timeline).toContain("The fault windows are not drawn");
  expect(timeline).not.toContain('class="fault');
  // The schedule is still listed, without times relative to the history.
  const page = await readFile(join(runDir, "index.html"), "utf8");
  expect(page).toContain('class="replay"');
  expect(page).not.toContain("seconds since the first client operation");
});
