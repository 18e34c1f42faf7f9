// Throughput of the TraceLink structural checks (not a test): `npx node bench/tracelink.ts [--big MB]`.
// Reports MB/s and records/s over the whole corpus (testdata/tracelink/pgo, PGo's recorded runs), and the peak RSS of a child
// process checking the largest corpus run; with --big MB (default 64, 0 to skip) also on a generated ping-pong
// run of about that size, to show that memory stays flat as runs grow.
import { PGO_TRACES } from "../testdata/paths.ts";
import { execFileSync } from "node:child_process";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { argv, execPath, resourceUsage, stdout } from "node:process";
import { checkTraces } from "../harness/tracelink/index.ts";

const corpus = PGO_TRACES;

/** Every run directory (a directory holding trace-*.log files) under root. */
async function runDirs(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true });
  if (entries.some((e) => e.isFile() && e.name.startsWith("trace-"))) return [root];
  const out: string[] = [];
  for (const e of entries) if (e.isDirectory()) out.push(...(await runDirs(join(root, e.name))));
  return out.sort();
}

async function dirBytes(dir: string): Promise<number> {
  let n = 0;
  for (const f of await readdir(dir)) n += (await stat(join(dir, f))).size;
  return n;
}

/** Checks one run in this process and prints one JSON line (used in a child process for a clean peak RSS). */
async function one(dir: string): Promise<void> {
  const t0 = performance.now();
  const run = await checkTraces(dir);
  const seconds = (performance.now() - t0) / 1000;
  const failed = run.results.filter((r) => r.valid !== true).map((r) => r.name);
  stdout.write(JSON.stringify({ bytes: run.bytes, records: run.records, seconds, maxRssMB: resourceUsage().maxRSS / 1024, failed }) + "\n");
}

function child(dir: string): { bytes: number; records: number; seconds: number; maxRssMB: number; failed: string[] } {
  const out = execFileSync(execPath, [import.meta.filename, "--one", dir], { encoding: "utf8" });
  return JSON.parse(out.trim().split("\n").pop()!) as ReturnType<typeof child>;
}

/**
 * A dqueue-like run of about `mb` MB: P (self 0) sends i on net[1], C (self 1) reads it and answers on net[0],
 * P reads the answer; each section also rewrites a padded local variable (with its oldValue).
 */
async function generate(dir: string, mb: number): Promise<void> {
  const files = { P: createWriteStream(join(dir, "trace-0-1.log")), C: createWriteStream(join(dir, "trace-1-1.log")) };
  const pad = "x".repeat(300);
  const base = Date.parse("2025-01-01T00:00:00Z");
  let tick = 0;
  // One microsecond per timestamp, written with nanoseconds as PGo does.
  const time = () => {
    const us = tick++;
    return new Date(base + Math.floor(us / 1000)).toISOString().replace(/Z$/, `${String(us % 1000).padStart(3, "0")}000Z`);
  };
  const state = { P: { pc: "P.send", x: "defaultInitValue", n: 0 }, C: { pc: "C.recv", x: "defaultInitValue", n: 0 } };
  let bytes = 0;
  const emit = async (who: "P" | "C", clock: [string, number][], el: object, next: string, x: string) => {
    const self = who === "P" ? "0" : "1";
    const s = state[who];
    const name = (n: string, prefix = `A${who}`) => ({ name: n, prefix, self });
    const record = {
      archetypeName: `A${who}`,
      clock: clock.map(([w, n]) => [[`A${w}`, w === "P" ? "0" : "1"], n]),
      csElements: [
        { indices: [], name: name(".pc", ""), tag: "read", value: JSON.stringify(s.pc) },
        el,
        { indices: [], name: name("x"), oldValue: s.x, tag: "write", value: x },
        { indices: [], name: name(".pc", ""), oldValue: JSON.stringify(s.pc), tag: "write", value: JSON.stringify(next) },
      ],
      endTime: "",
      isAbort: false,
      self,
      startTime: time(),
    };
    record.endTime = time();
    s.pc = next;
    s.x = x;
    s.n++;
    const line = JSON.stringify(record) + "\n";
    bytes += line.length;
    if (!files[who].write(line)) await once(files[who], "drain");
  };
  const net = (who: "P" | "C", tag: string, to: string, value: string) => ({ indices: [to], name: { name: "net", prefix: `A${who}`, self: who === "P" ? "0" : "1" }, tag, value });
  for (let i = 0; bytes < mb * 1e6; i++) {
    const v = `<<${i}, "${pad}">>`;
    await emit("P", [["P", 2 * i + 1], ["C", 2 * i]], net("P", "write", "1", String(i)), "P.recv", v);
    await emit("C", [["C", 2 * i + 1], ["P", 2 * i + 1]], net("C", "read", "1", String(i)), "C.send", v);
    await emit("C", [["C", 2 * i + 2], ["P", 2 * i + 1]], net("C", "write", "0", `"ack"`), "C.recv", v);
    await emit("P", [["P", 2 * i + 2], ["C", 2 * i + 2]], net("P", "read", "0", `"ack"`), "P.send", v);
  }
  for (const f of Object.values(files)) {
    f.end();
    await once(f, "finish");
  }
}

async function main(): Promise<void> {
  if (argv[2] === "--one") return one(argv[3]!);
  const big = argv[2] === "--big" ? Number(argv[3]) : 64;
  const runs = await runDirs(corpus);
  let bytes = 0;
  let records = 0;
  let failed = 0;
  const t0 = performance.now();
  for (const dir of runs) {
    const run = await checkTraces(dir);
    bytes += run.bytes;
    records += run.records;
    if (run.results.some((r) => r.valid !== true)) failed++;
  }
  const seconds = (performance.now() - t0) / 1000;
  stdout.write(`corpus: ${runs.length} runs, ${(bytes / 1e6).toFixed(1)} MB, ${records} records in ${seconds.toFixed(2)} s: ` +
    `${(bytes / 1e6 / seconds).toFixed(1)} MB/s, ${Math.round(records / seconds)} records/s (${failed} run(s) with a failing check)\n`);
  const sizes = await Promise.all(runs.map(dirBytes));
  const largest = runs[sizes.indexOf(Math.max(...sizes))]!;
  const l = child(largest);
  stdout.write(`largest corpus run ${largest.slice(corpus.length + 1)} (${(l.bytes / 1e6).toFixed(1)} MB, ${l.records} records): ` +
    `${l.seconds.toFixed(2)} s, ${(l.bytes / 1e6 / l.seconds).toFixed(1)} MB/s, peak RSS ${l.maxRssMB.toFixed(0)} MB\n`);
  if (big > 0) {
    const dir = await mkdtemp(join(tmpdir(), "tracelink-bench-"));
    try {
      await generate(dir, big);
      const g = child(dir);
      stdout.write(`generated ping-pong run (${(g.bytes / 1e6).toFixed(1)} MB, ${g.records} records): ${g.seconds.toFixed(2)} s, ` +
        `${(g.bytes / 1e6 / g.seconds).toFixed(1)} MB/s, ${Math.round(g.records / g.seconds)} records/s, peak RSS ${g.maxRssMB.toFixed(0)} MB` +
        `${g.failed.length > 0 ? `; FAILED: ${g.failed.join(", ")}` : ", all checks pass"}\n`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

await main();
