// The native spec validator against pgo.jar + TLC (not a test): `npx node bench/validate.ts [--noall-paths] [--only <text>]`.
// Per run: records, our verdict and time (in-process, spec loading included); with PGO_JAR set (and java on
// PATH) also pgo.jar tracegen + TLC's verdict and time on a copy of the run. Runs: the pingpong test data and
// our dqueue and raftkvs runs with their mutants (testdata/; pgo.jar + TLC's seconds as recorded there when
// PGO_JAR is not set), a long raftkvs run under partitions, PGo's dqueue runs against our dqueue design; with PGO_DIR also PGo's dqueue,
// locksvc and 1-server raftkvs runs against PGo's own specs.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import process, { argv, env, stdout } from "node:process";
import { gunzipSync } from "node:zlib";
import { projectRoot } from "../harness/paths.ts";
import { listTraceFiles } from "../harness/tracelink/reader.ts";
import { validateFiles } from "../harness/tracelink/spec/index.ts";
import { PGO_TRACES, TESTDATA } from "../testdata/paths.ts";

interface Case {
  readonly name: string;
  readonly spec: string;
  readonly cfg?: string;
  /** tracegen's --cfg-fragment-suffix for pgo.jar. */
  readonly cfgSuffix?: string;
  readonly dir: string;
  /** Large runs: --noall-paths only (as the harness runs pgo.jar). */
  readonly noAllPaths?: boolean;
  /** Files of `base` a mutant does not change (testdata/tracelink/ours/raftkvs keeps only changed files). */
  readonly base?: string;
  /** pgo.jar + TLC's seconds as recorded in the fixture's verdicts.tsv (same command, this machine). */
  readonly recordedSeconds?: number;
  /** The trace files are gzipped (`trace-*.log.gz`): unpacked into a temporary folder first. */
  readonly gz?: boolean;
}

/** `case<TAB>verdict<TAB>...<TAB>seconds` rows of a fixture's verdicts.tsv, by case. */
function recorded(root: string): Map<string, number> {
  const file = join(root, "verdicts.tsv");
  if (!existsSync(file)) return new Map();
  const lines = readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "");
  const head = lines[0]!.split("\t");
  const col = head.indexOf("seconds");
  return new Map(lines.slice(1).map((l) => l.split("\t")).filter((f) => col >= 0 && f[col] !== undefined).map((f) => [f[0]!, Number(f[col])] as const));
}

const noAll = argv.includes("--noall-paths");
// `--only <text>`: just the runs whose name contains the text.
const only = argv.includes("--only") ? argv[argv.indexOf("--only") + 1] : undefined;
const dirs = (root: string) => (existsSync(root) ? readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(root, e.name)).sort() : []);
const cases: Case[] = [];
const pingpong = join(TESTDATA, "specs", "pingpong", "pingpong.tla");
for (const d of [join(TESTDATA, "tracelink", "pingpong", "ok"), ...dirs(join(TESTDATA, "tracelink", "pingpong", "mutants"))]) cases.push({ name: `pingpong/${basename(d)}`, spec: pingpong, dir: d });
const ourDqueue = join(projectRoot, "systems", "dqueue", "dqueue.tla");
const oursDqueue = join(TESTDATA, "tracelink", "ours", "dqueue");
const dqSeconds = recorded(oursDqueue);
for (const d of dirs(oursDqueue)) cases.push({ name: `ours/dqueue/${basename(d)}`, spec: ourDqueue, dir: d, noAllPaths: true, ...(dqSeconds.has(basename(d)) ? { recordedSeconds: dqSeconds.get(basename(d))! } : {}) });
const oursRaft = join(TESTDATA, "tracelink", "ours", "raftkvs");
const raftSeconds = recorded(oursRaft);
const ourRaftSpec = join(projectRoot, "systems", "raftkvs", "raftkvs.tla");
if (existsSync(oursRaft)) {
  for (const name of ["base", ...readdirSync(join(oursRaft, "mutants")).sort()]) {
    const dir = name === "base" ? join(oursRaft, "base") : join(oursRaft, "mutants", name);
    cases.push({ name: `ours/raftkvs/${name}`, spec: ourRaftSpec, dir, base: join(oursRaft, "base"), noAllPaths: true, ...(raftSeconds.has(name) ? { recordedSeconds: raftSeconds.get(name)! } : {}) });
  }
}
// Long runs of our raftkvs under faults (gzipped): thousands of lost messages in the network bags.
for (const d of dirs(join(TESTDATA, "tracelink", "ours", "raftkvs-faults"))) cases.push({ name: `ours/raftkvs-faults/${basename(d)}`, spec: ourRaftSpec, dir: d, noAllPaths: true, gz: true });
for (const d of dirs(join(PGO_TRACES, "dqueue", "ok"))) cases.push({ name: `pgo/dqueue/${basename(d)} (our spec)`, spec: ourDqueue, dir: d });
const pgoDir = env["PGO_DIR"];
if (pgoDir !== undefined) {
  const sys = (s: string) => join(pgoDir, "systems", s, `${s}.tla`);
  for (const d of dirs(join(PGO_TRACES, "dqueue", "ok"))) cases.push({ name: `pgo/dqueue/${basename(d)}`, spec: sys("dqueue"), dir: d });
  for (const d of dirs(join(PGO_TRACES, "locksvc", "ok"))) cases.push({ name: `pgo/locksvc/${basename(d)}`, spec: sys("locksvc"), dir: d });
  for (const d of dirs(join(PGO_TRACES, "raftkvs-1server", "ok"))) {
    cases.push({ name: `pgo/raftkvs-1server/${basename(d)}`, spec: sys("raftkvs"), cfg: join(pgoDir, "systems", "raftkvs", "raftkvsValidate1.cfg"), cfgSuffix: "1", dir: d, noAllPaths: true });
  }
}

function pgoJar(c: Case, allPaths: boolean): { verdict: string; seconds: number } | undefined {
  const jar = env["PGO_JAR"];
  if (jar === undefined) return undefined;
  const work = mkdtempSync(join(tmpdir(), "bench-validate-"));
  try {
    for (const f of readdirSync(c.dir)) if (/^trace-.*\.log$/.test(f)) cpSync(join(c.dir, f), join(work, f));
    const t0 = performance.now();
    const flags = [...(allPaths ? [] : ["--noall-paths"]), "--progress-inv", ...(c.cfgSuffix === undefined ? [] : ["--cfg-fragment-suffix", c.cfgSuffix])];
    // java.io.tmpdir inside work: TLC's tlc-<n> temp directories are removed with it.
    execFileSync("java", [`-Djava.io.tmpdir=${work}`, "-jar", jar, "tracegen", c.spec, work, ...flags], { stdio: "ignore" });
    let verdict = "ok";
    try {
      execFileSync("java", [`-Djava.io.tmpdir=${work}`, "-jar", jar, "tlc", "--dfs", join(work, `${basename(c.spec, ".tla")}Validate.tla`)], { stdio: "ignore" });
    } catch {
      verdict = "violation";
    }
    return { verdict, seconds: (performance.now() - t0) / 1000 };
  } catch {
    return { verdict: "refused", seconds: 0 };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

stdout.write(`mode: ${noAll ? "--noall-paths" : "all paths (tracegen's default); the raftkvs runs --noall-paths"}\n`);
stdout.write(["run", "records", "ours", "ours ms", "ours cpu ms", "pgo.jar+TLC", "pgo.jar s", "speed-up"].join("\t") + "\n");
const ratios: number[] = [];
for (const c of cases) {
  if (only !== undefined && !c.name.includes(only)) continue;
  const allPaths = !noAll && c.noAllPaths !== true;
  let dir = c.dir;
  if (c.gz === true) {
    dir = mkdtempSync(join(tmpdir(), "bench-validate-"));
    for (const f of readdirSync(c.dir)) if (f.endsWith(".log.gz")) writeFileSync(join(dir, f.slice(0, -3)), gunzipSync(readFileSync(join(c.dir, f))));
  } else if (c.base !== undefined && c.base !== c.dir) {
    dir = mkdtempSync(join(tmpdir(), "bench-validate-"));
    cpSync(c.base, dir, { recursive: true });
    cpSync(c.dir, dir, { recursive: true });
  }
  const files = await listTraceFiles(dir);
  // Best of 3: the machine is shared; spec loading and trace reading are included.
  let best = Infinity;
  let bestCpu = Infinity;
  let verdict = "";
  let records = 0;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const r = await validateFiles(c.spec, c.cfg, files, { allPaths });
    best = Math.min(best, performance.now() - t0);
    const cpu = process.cpuUsage(c0);
    bestCpu = Math.min(bestCpu, (cpu.user + cpu.system) / 1000);
    verdict = r.verdict.verdict;
    records = r.verdict.records;
  }
  const theirs = pgoJar({ ...c, dir }, allPaths) ?? (c.recordedSeconds === undefined ? undefined : { verdict: "(recorded)", seconds: c.recordedSeconds });
  if (dir !== c.dir) rmSync(dir, { recursive: true, force: true });
  const ratio = theirs !== undefined && theirs.seconds > 0 ? (theirs.seconds * 1000) / best : undefined;
  if (ratio !== undefined) ratios.push(ratio);
  stdout.write([c.name, records, verdict, best.toFixed(0), bestCpu.toFixed(0), theirs?.verdict ?? "-", theirs?.seconds.toFixed(1) ?? "-", ratio === undefined ? "-" : `${ratio.toFixed(0)}x`].join("\t") + "\n");
}
if (ratios.length > 0) {
  ratios.sort((a, b) => a - b);
  stdout.write(`median speed-up over pgo.jar + TLC: ${ratios[Math.floor(ratios.length / 2)]!.toFixed(0)}x over ${ratios.length} run(s)\n`);
}
