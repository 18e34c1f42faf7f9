// Benchmark (not a test): the harness's linearizability checker against Porcupine (bench/porcupine, a Go program
// using github.com/anishathalye/porcupine that reads the histories by Porcupine's own rules), on every corpus
// history (testdata/linearizability) and on generated ones (harness/history/generate.ts: register and kv, 1, 10,
// 50 and 100 clients, linearizable and with each anomaly). Two rounds: one thread each (GOMAXPROCS=1 against
// threads: 1) and two (GOMAXPROCS=2 against threads: 2). Prints per-history times, the median and worst ratio
// (ours / Porcupine) over the histories Porcupine decides, and every history where the verdicts differ.
//
//   npx node bench/linearizability.ts [--timeout <seconds>] [--threads 1|2|both] [--only <regex>]
//                                     [--history etcd|kv:<path> (with its verdict unknown; repeatable)]
//
// Per history and round, Porcupine runs first (in its own process), then ours: each checks once untimed (the
// JIT's warm-up on our side), then at least 5 times and again while the runs took under 500 ms (at most 50).
// The table shows the median run; the summary gives the ratios by the median and by the fastest run (on a shared
// machine the median also measures the neighbours; Porcupine's goroutine scheduling makes its fastest run a lucky
// one when parts are illegal). Interleaving the two per history keeps them under the same machine load.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { closeWorkers, checkLinearizabilityAsync } from "../harness/history/parallel.ts";
import { generateHistory } from "../harness/history/generate.ts";
import type { Anomaly, GeneratedModel } from "../harness/history/generate.ts";
import { loadHistory, modelFor } from "../harness/history/load.ts";
import type { HistoryFormat } from "../harness/history/load.ts";
import { referenceHistories } from "../testdata/linearizability.ts";

const args = process.argv.slice(2);
let timeoutS = 10;
let rounds = [1, 2];
let only: RegExp | undefined;
const extra: { format: "etcd" | "kv"; path: string }[] = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  const v = args[++i];
  if (a === "--timeout") timeoutS = Number(v);
  else if (a === "--threads") rounds = v === "both" ? [1, 2] : [Number(v)];
  else if (a === "--only") only = new RegExp(v ?? "");
  else if (a === "--history" && /^(etcd|kv):./.test(v ?? "")) extra.push({ format: v!.startsWith("etcd") ? "etcd" : "kv", path: v!.slice(v!.indexOf(":") + 1) });
  else throw new Error(`unknown argument ${a}; usage: bench/linearizability.ts [--timeout <seconds>] [--threads 1|2|both] [--only <regex>] [--history etcd|kv:<path>]`);
}
if (!Number.isFinite(timeoutS) || timeoutS <= 0) throw new Error("--timeout must be a positive number of seconds");
if (rounds.some((t) => t !== 1 && t !== 2)) throw new Error("--threads must be 1, 2 or both");

const MIN_RUNS = 5;
const BUDGET_MS = 500;

interface History {
  readonly id: string;
  readonly format: HistoryFormat;
  readonly path: string;
  /** Undefined for a history given with --history. */
  readonly expected: boolean | undefined;
}

const tmp = mkdtempSync(join(tmpdir(), "lin-bench-"));
try {
  // 1. The histories: the corpus, then generated ones (seeded, so every run of the bench sees the same).
  const histories: History[] = (await referenceHistories()).map((h) => ({ id: `${h.format}/${h.file}`, format: h.format, path: h.path, expected: h.linearizable }));
  for (const model of ["register", "kv"] as GeneratedModel[]) {
    for (const clients of [1, 10, 50, 100]) {
      const anomalies: (Anomaly | undefined)[] = [undefined, "stale-read", "lost-write", ...(model === "kv" ? ["duplicated-append" as const] : [])];
      for (const anomaly of anomalies) {
        // kv: 10 keys, 2,000 operations (the size of Porcupine's c50 histories); register: one key, 300 operations.
        const g = generateHistory({ model, clients, ops: model === "kv" ? 2000 : 300, seed: 14 + clients, ...(anomaly !== undefined ? { anomaly } : {}), ...(model === "register" ? { indeterminate: 0.05, spaces: clients % 20 === 10 } : {}) });
        const id = `gen/${model}-c${clients}-${anomaly ?? "ok"}`;
        const path = join(tmp, `${model}-c${clients}-${anomaly ?? "ok"}.${g.format === "kv" ? "txt" : "log"}`);
        writeFileSync(path, g.text);
        histories.push({ id, format: g.format, path, expected: g.linearizable });
      }
    }
  }
  for (const { format, path } of extra) histories.push({ id: `${format}:${path.split("/").pop() ?? path}`, format, path: resolve(path), expected: undefined });
  const selected = histories.filter((h) => only === undefined || only.test(h.id));

  // 2. Porcupine, built once into the temporary directory (no binary in the tree).
  const env = { ...process.env, GOFLAGS: "", PATH: `${process.env.PATH ?? ""}:/usr/local/go/bin` };
  const bin = join(tmp, "porcupine-bench");
  process.stderr.write("building bench/porcupine…\n");
  execFileSync("go", ["build", "-o", bin, "."], { cwd: resolve(import.meta.dirname, "porcupine"), env, stdio: ["ignore", "inherit", "inherit"] });
  const porcupine = (h: History, threads: number): Timing => {
    const list = join(tmp, "list.tsv");
    writeFileSync(list, `${h.id}\t${h.format}\t${h.path}\n`);
    const out = execFileSync(bin, ["-list", list, "-timeout", `${timeoutS}s`, "-runs", String(MIN_RUNS), "-budget", `${BUDGET_MS}ms`], { env: { ...env, GOMAXPROCS: String(threads) }, encoding: "utf8", maxBuffer: 64 << 20 });
    const r = JSON.parse(out.trim()) as { verdict: string; runs: number[] };
    return timing(r.verdict, r.runs);
  };

  // 3. Ours, with the same repetition rule.
  const ours = async (h: History, threads: number): Promise<Timing> => {
    const ops = await loadHistory(h.format, h.path);
    const model = modelFor(h.format);
    const check = async () => {
      const start = performance.now();
      const r = await checkLinearizabilityAsync(model, ops, { timeoutMs: timeoutS * 1000, threads });
      return { verdict: String(r.valid), ms: performance.now() - start };
    };
    await check();
    const runs: number[] = [];
    let verdict = "";
    let total = 0;
    while (runs.length < MIN_RUNS || (total < BUDGET_MS && runs.length < 50)) {
      const r = await check();
      runs.push(r.ms);
      total += r.ms;
      verdict = r.verdict;
      if (verdict === "unknown") break;
    }
    return timing(verdict, runs);
  };

  const rows: Row[] = [];
  for (const h of selected) {
    const row: Row = { h, byThreads: new Map() };
    for (const threads of rounds) {
      process.stderr.write(`${h.id} (${threads} thread${threads > 1 ? "s" : ""})…\n`);
      const theirs = porcupine(h, threads);
      row.byThreads.set(threads, { ours: await ours(h, threads), theirs });
    }
    rows.push(row);
  }
  await closeWorkers();
  report(rows);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

interface Timing {
  readonly verdict: string;
  /** The median run. */
  readonly ms: number;
  readonly fastest: number;
}

function timing(verdict: string, runs: readonly number[]): Timing {
  const sorted = [...runs].sort((a, b) => a - b);
  return { verdict, ms: sorted[Math.floor(sorted.length / 2)]!, fastest: sorted[0]! };
}

interface Row {
  readonly h: History;
  readonly byThreads: Map<number, { ours: Timing; theirs: Timing }>;
}

function report(rows: readonly Row[]): void {
  const fmt = (ms: number) => (ms < 10 ? ms.toFixed(3) : ms < 1000 ? ms.toFixed(1) : ms.toFixed(0));
  const header = ["history", "expected"];
  for (const t of rounds) header.push(`ours ${t}T`, "ms", `porcupine G=${t}`, "ms", "ratio");
  const lines = [header];
  const ratios = new Map<number, { id: string; ratio: number }[]>(rounds.map((t) => [t, []]));
  const fastestRatios = new Map<number, { id: string; ratio: number }[]>(rounds.map((t) => [t, []]));
  const problems: string[] = [];
  for (const { h, byThreads } of rows) {
    const line = [h.id, h.expected === undefined ? "?" : String(h.expected)];
    for (const t of rounds) {
      const r = byThreads.get(t)!;
      const decided = r.theirs.verdict !== "unknown";
      const ratio = decided && r.theirs.ms > 0 ? r.ours.ms / r.theirs.ms : NaN;
      if (Number.isFinite(ratio)) {
        ratios.get(t)!.push({ id: h.id, ratio });
        fastestRatios.get(t)!.push({ id: h.id, ratio: r.ours.fastest / Math.max(r.theirs.fastest, 1e-3) });
      }
      line.push(r.ours.verdict, fmt(r.ours.ms), r.theirs.verdict, fmt(r.theirs.ms), Number.isFinite(ratio) ? ratio.toFixed(2) : "-");
      if (decided && r.ours.verdict !== r.theirs.verdict) problems.push(`${h.id} (${t}T): Porcupine says ${r.theirs.verdict}, ours ${r.ours.verdict}`);
      if (h.expected !== undefined && r.ours.verdict !== "unknown" && r.ours.verdict !== String(h.expected)) problems.push(`${h.id} (${t}T): expected ${h.expected}, ours ${r.ours.verdict}`);
    }
    lines.push(line);
  }
  const widths = header.map((_, c) => Math.max(...lines.map((l) => l[c]!.length)));
  for (const l of lines) process.stdout.write(l.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ") + "\n");
  process.stdout.write(`\n${rows.length} histories; timeout ${timeoutS} s per check\n`);
  const stats = (list: readonly { id: string; ratio: number }[]) => {
    const sorted = [...list].sort((a, b) => a.ratio - b.ratio);
    const n = sorted.length;
    const median = n === 0 ? NaN : n % 2 === 1 ? sorted[(n - 1) / 2]!.ratio : (sorted[n / 2 - 1]!.ratio + sorted[n / 2]!.ratio) / 2;
    const worst = sorted.at(-1);
    return `median ${median.toFixed(2)}, worst ${worst !== undefined ? `${worst.ratio.toFixed(2)} (${worst.id})` : "-"}`;
  };
  for (const t of rounds) {
    const undecided = rows.filter((r) => r.byThreads.get(t)!.theirs.verdict === "unknown").map((r) => `${r.h.id} (ours: ${r.byThreads.get(t)!.ours.verdict})`);
    process.stdout.write(`${t} thread(s), GOMAXPROCS=${t}, over the ${ratios.get(t)!.length} histories Porcupine decides: ours/Porcupine by median runs ${stats(ratios.get(t)!)}; by fastest runs ${stats(fastestRatios.get(t)!)}\n`);
    process.stdout.write(`  Porcupine undecided within ${timeoutS} s: ${undecided.length === 0 ? "none" : undecided.join(", ")}\n`);
  }
  process.stdout.write(`verdicts: ${problems.length === 0 ? "ours agrees with Porcupine on every history it decides, and with every expected verdict" : problems.join("; ")}\n`);
}
