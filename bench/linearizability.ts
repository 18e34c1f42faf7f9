// Benchmark (not a test): times every corpus history (testdata/linearizability) with the harness's
// checker and, in the same run, with Porcupine (bench/porcupine, a Go program using github.com/anishathalye/porcupine),
// and prints per-history times, the median and worst ratio (ours / Porcupine) and the histories that ended unknown.
//
//   npx node bench/linearizability.ts [--timeout <seconds>] [--gomaxprocs <n>] [history ...]   e.g. etcd/etcd_002.log
//
// Each history is checked once untimed, then at least 3 times, and again while its runs took under 300 ms (at most 50 runs); the
// median is reported. Porcupine checks partitions in parallel; by default it runs with GOMAXPROCS=1 so both
// sides use one core (pass --gomaxprocs 0 to leave Go's default).
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { checkLinearizability } from "../harness/history/check.ts";
import { loadHistory, modelFor } from "../harness/history/load.ts";
import { referenceHistories } from "../testdata/linearizability.ts";
import { LIN_HISTORIES } from "../testdata/paths.ts";

const args = process.argv.slice(2);
let timeoutS = 60;
let gomaxprocs = "1";
const only: string[] = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  if (a === "--timeout") timeoutS = Number(args[++i]);
  else if (a === "--gomaxprocs") gomaxprocs = args[++i] ?? "1";
  else only.push(a);
}
if (!Number.isFinite(timeoutS) || timeoutS <= 0) throw new Error(`--timeout must be a positive number of seconds`);

interface Timing {
  verdict: string;
  ms: number;
}

// 1. Porcupine: build once into a temporary directory (no binary in the tree), run, read its JSON lines.
const benchDir = resolve(import.meta.dirname, "porcupine");
const tmp = mkdtempSync(join(tmpdir(), "porcupine-bench-"));
const porcupine = new Map<string, Timing>();
try {
  const env = { ...process.env, GOFLAGS: "", PATH: `${process.env.PATH ?? ""}:/usr/local/go/bin` };
  const bin = join(tmp, "porcupine-bench");
  process.stderr.write("building bench/porcupine…\n");
  execFileSync("go", ["build", "-o", bin, "."], { cwd: benchDir, env, stdio: ["ignore", "inherit", "inherit"] });
  process.stderr.write("running Porcupine on the corpus…\n");
  const runEnv = gomaxprocs === "0" ? env : { ...env, GOMAXPROCS: gomaxprocs };
  const out = execFileSync(bin, ["-corpus", LIN_HISTORIES, "-timeout", `${timeoutS}s`, ...only], { env: runEnv, encoding: "utf8", maxBuffer: 64 << 20 });
  for (const line of out.trim().split("\n")) {
    const r = JSON.parse(line) as { history: string; verdict: string; ms: number };
    porcupine.set(r.history, { verdict: r.verdict, ms: r.ms });
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

// 2. Ours, with the same repetition rule.
process.stderr.write("running the harness checker on the corpus…\n");
const rows: { id: string; expected: boolean; ours: Timing; theirs: Timing | undefined }[] = [];
for (const h of await referenceHistories()) {
  const id = `${h.format}/${h.file}`;
  if (only.length > 0 && !only.includes(id)) continue;
  const ops = await loadHistory(h.format, h.path);
  const model = modelFor(h.format);
  // One untimed run first (on both sides): it lets the JIT compile the search for this history's shapes.
  checkLinearizability(model, ops, { timeoutMs: timeoutS * 1000 });
  const runs: number[] = [];
  let verdict = "";
  let total = 0;
  while (runs.length < 3 || (total < 300 && runs.length < 50)) {
    const r = checkLinearizability(model, ops, { timeoutMs: timeoutS * 1000 });
    runs.push(r.elapsedMs);
    total += r.elapsedMs;
    verdict = String(r.valid);
    if (r.valid === "unknown") break;
  }
  runs.sort((a, b) => a - b);
  rows.push({ id, expected: h.linearizable, ours: { verdict, ms: runs[Math.floor(runs.length / 2)]! }, theirs: porcupine.get(id) });
}

// 3. The table.
const fmt = (ms: number) => (ms < 10 ? ms.toFixed(3) : ms < 1000 ? ms.toFixed(1) : ms.toFixed(0));
const lines = [["history", "expected", "ours", "ours ms", "porcupine", "porcupine ms", "ratio"]];
const ratios: { id: string; ratio: number }[] = [];
for (const r of rows) {
  const ratio = r.theirs !== undefined && r.theirs.ms > 0 ? r.ours.ms / r.theirs.ms : NaN;
  if (Number.isFinite(ratio)) ratios.push({ id: r.id, ratio });
  lines.push([r.id, String(r.expected), r.ours.verdict, fmt(r.ours.ms), r.theirs?.verdict ?? "-", r.theirs !== undefined ? fmt(r.theirs.ms) : "-", Number.isFinite(ratio) ? ratio.toFixed(2) : "-"]);
}
const widths = lines[0]!.map((_, c) => Math.max(...lines.map((l) => l[c]!.length)));
for (const l of lines) process.stdout.write(l.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ") + "\n");
const sorted = [...ratios].sort((a, b) => a.ratio - b.ratio);
const median = sorted.length === 0 ? NaN : sorted.length % 2 === 1 ? sorted[(sorted.length - 1) / 2]!.ratio : (sorted[sorted.length / 2 - 1]!.ratio + sorted[sorted.length / 2]!.ratio) / 2;
const worst = sorted.at(-1);
const unknown = rows.filter((r) => r.ours.verdict === "unknown").map((r) => r.id);
const unknownP = rows.filter((r) => r.theirs?.verdict === "unknown").map((r) => r.id);
const disagree = rows.filter((r) => r.ours.verdict !== "unknown" && r.ours.verdict !== String(r.expected)).map((r) => r.id);
const sum = (f: (r: (typeof rows)[number]) => number) => rows.reduce((s, r) => s + f(r), 0);
process.stdout.write(`\n${rows.length} histories; median ratio (ours/Porcupine) ${median.toFixed(2)}; worst ${worst !== undefined ? `${worst.ratio.toFixed(2)} (${worst.id})` : "-"}\n`);
process.stdout.write(`total ms: ours ${fmt(sum((r) => r.ours.ms))}, Porcupine ${fmt(sum((r) => r.theirs?.ms ?? 0))} (GOMAXPROCS=${gomaxprocs === "0" ? "default" : gomaxprocs})\n`);
process.stdout.write(`unknown (ours, ${timeoutS} s budget): ${unknown.length === 0 ? "none" : unknown.join(", ")}; unknown (Porcupine): ${unknownP.length === 0 ? "none" : unknownP.join(", ")}\n`);
process.stdout.write(`disagreeing with verdicts.tsv: ${disagree.length === 0 ? "none" : disagree.join(", ")}\n`);
