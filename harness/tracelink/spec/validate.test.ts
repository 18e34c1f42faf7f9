// The native validator against TLC's verdicts: testdata/tracelink/pingpong/verdicts.tsv records what
// `pgo.jar tracegen` + TLC answered for a run of testdata/specs/pingpong and its mutants (with tracegen's default
// flags and with --noall-paths); every verdict here must be the same. Then PGo's real dqueue runs against our
// dqueue spec, and the semantic mutant TLC rejects (`proc` written 2 -> 7 while `net` read 2).
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { PGO_TRACES, TESTDATA } from "../../../testdata/paths.ts";
import { projectRoot as PROJECT_ROOT } from "../../paths.ts";
import { listTraceFiles } from "../reader.ts";
import { specChecker } from "./checker.ts";
import { loadSpec, readEntries, validateFiles, validateRun } from "./index.ts";

const PINGPONG = join(TESTDATA, "specs", "pingpong", "pingpong.tla");
const RUNS = join(TESTDATA, "tracelink", "pingpong");
const DQUEUE_SPEC = join(PROJECT_ROOT, "systems", "dqueue", "dqueue.tla");

interface Row {
  readonly run: string;
  readonly allPaths: string;
  readonly noAllPaths: string;
  readonly what: string;
}
const rows: Row[] = readFileSync(join(RUNS, "verdicts.tsv"), "utf8")
  .split("\n")
  .filter((l) => l.trim() !== "" && !l.startsWith("#") && !l.startsWith("run\t"))
  .map((l) => {
    const [run, allPaths, noAllPaths, , what] = l.split("\t");
    return { run: run!, allPaths: allPaths!, noAllPaths: noAllPaths!, what: what ?? "" };
  });

/** A fixture's verdicts.tsv (a header, then run, TLC's verdict, its error): one row per run or mutant. */
function tlcVerdicts(root: string): [string, string, string][] {
  return readFileSync(join(root, "verdicts.tsv"), "utf8")
    .split("\n")
    .slice(1)
    .filter((l) => l.trim() !== "")
    .map((l) => l.split("\t") as [string, string, string]);
}

const temps: string[] = [];
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));
function copyRun(from: string): string {
  const d = mkdtempSync(join(tmpdir(), "validate-"));
  temps.push(d);
  cpSync(from, d, { recursive: true });
  return d;
}

describe("agrees with TLC on the pingpong runs and mutants", () => {
  test("the table covers a run TLC accepts, one it rejects, and every mutant class", () => {
    expect(rows.some((r) => r.allPaths === "ok")).toBe(true);
    for (const kind of ["del", "swap", "write", "read", "clock", "total", "guard"]) expect(rows.some((r) => r.run === `mutants/${kind}`), kind).toBe(true);
    expect(new Set(rows.map((r) => r.run)).size).toBe(readdirSync(join(RUNS, "mutants")).length + 2);
  });
  for (const row of rows) {
    test(`${row.run}: TLC ${row.allPaths} (all paths), ${row.noAllPaths} (--noall-paths) — ${row.what}`, async () => {
      const files = await listTraceFiles(join(RUNS, row.run));
      const all = await validateFiles(PINGPONG, undefined, files, { allPaths: true });
      expect(all.verdict.verdict, all.verdict.verdict === "violation" ? all.verdict.explanation : "").toBe(row.allPaths);
      const one = await validateFiles(PINGPONG, undefined, files, { allPaths: false });
      expect(one.verdict.verdict).toBe(row.noAllPaths);
    });
  }
});

test("tracegen's names: locals by self, an unmapped ref as its global, a mapped ref through its macro", () => {
  const spec = loadSpec(PINGPONG, { cfgText: "CONSTANTS NUM_PINGS = 2" });
  expect(spec.vars.get("APinger.n")).toEqual({ kind: "local", tlaVar: "n" });
  expect(spec.vars.get("APinger.total")).toEqual({ kind: "global", tlaVar: "sum" });
  const net = spec.vars.get("APonger.net");
  expect(net?.kind === "mapping" && net.macro.name === "FIFOChannel" && net.stateVar === "network" && net.mappingCount === 1).toBe(true);
});

test("explanations name the record, the element and what the spec allows", async () => {
  const total = await validateFiles(PINGPONG, undefined, await listTraceFiles(join(RUNS, "mutants", "total")));
  expect(total.verdict.verdict).toBe("violation");
  const text = total.verdict.verdict === "violation" ? total.verdict.explanation : "";
  expect(text).toContain("trace-1-1001.log:8");
  expect(text).toContain("total := 3");
  expect(text).toMatch(/sum' = \(sum\) \+ \(reply'\[self\]\) \(the spec's value is 2, the record makes it 3\)/);
  const read = await validateFiles(PINGPONG, undefined, await listTraceFiles(join(RUNS, "mutants", "read")));
  expect(read.verdict.verdict === "violation" && read.verdict.explanation).toMatch(/read of APinger\.net\[1\] is recorded as 5, the spec's FIFOChannel read yields 0/);
  const del = await validateFiles(PINGPONG, undefined, await listTraceFiles(join(RUNS, "mutants", "del")));
  expect(del.verdict.verdict === "violation" && del.verdict.explanation).toMatch(/deadlock: .*frontier:\n.*trace-2-1002\.log:5 waits for its own clock entry/s);
});

test("a record naming a variable the spec does not have is refused, as tracegen does", async () => {
  const dir = copyRun(join(RUNS, "ok"));
  const f = join(dir, "trace-1-1001.log");
  writeFileSync(f, readFileSync(f, "utf8").replace('"name":"total"', '"name":"totl"'));
  const r = await validateFiles(PINGPONG, undefined, await listTraceFiles(dir));
  expect(r.verdict.verdict === "violation" && r.verdict.explanation).toMatch(/tracegen refuses the run: .*key not found: APinger\.totl/);
});

test("the state budget gives unknown, never a guess", async () => {
  const r = await validateFiles(PINGPONG, undefined, await listTraceFiles(join(RUNS, "ok")), { maxStates: 5 });
  expect(r.verdict.verdict).toBe("unknown");
});

describe("PGo's dqueue runs against our dqueue design", () => {
  const runs = readdirSync(join(PGO_TRACES, "dqueue", "ok")).map((r) => join(PGO_TRACES, "dqueue", "ok", r));
  test.each(runs)("%s is a behaviour of systems/dqueue/dqueue.tla", async (run) => {
    const r = await validateFiles(DQUEUE_SPEC, undefined, await listTraceFiles(run));
    expect(r.verdict.verdict).toBe("ok");
  });

  test("a consumer that outputs an item it never received (proc written 7, net read 2) is rejected, naming the proc write", async () => {
    const dir = copyRun(join(PGO_TRACES, "dqueue", "ok", "4161323826586722756"));
    const file = (await listTraceFiles(dir)).find((f) => f.includes("trace-1-"))!;
    const lines = readFileSync(file, "utf8").split("\n");
    const rec = JSON.parse(lines[7]!) as { csElements: { name: { name: string }; tag: string; value: string }[] };
    const proc = rec.csElements.find((e) => e.name.name === "proc" && e.tag === "write")!;
    expect(proc.value).toBe("2");
    expect(rec.csElements.find((e) => e.name.name === "net")!.value).toBe("2");
    proc.value = "7";
    lines[7] = JSON.stringify(rec);
    writeFileSync(file, lines.join("\n"));
    // Structurally the run is still consistent; only the design says no.
    const entries = await readEntries(await listTraceFiles(dir));
    const spec = loadSpec(DQUEUE_SPEC, { cfgText: readFileSync(join(PROJECT_ROOT, "systems", "dqueue", "dqueueValidate.cfg"), "utf8") });
    for (const allPaths of [true, false]) {
      const v = validateRun(spec, entries, { allPaths });
      expect(v.verdict).toBe("violation");
      const text = v.verdict === "violation" ? v.explanation : "";
      expect(text).toContain("__IsRefinement");
      expect(text).toMatch(/trace-1-\d+\.log:8: AConsumer self 1 at "AConsumer\.c2"/);
      expect(text).toContain("proc := 7");
      // Our design writes the consumed item into `output` (through a mapping macro): the spec's value ends in 2.
      expect(text).toMatch(/first false conjunct: dqueue\.tla:\d+: .*' = .*\(the spec's value is .*2>>>>, the record makes it .*7>>>>\)/);
    }
  });
});

test("the tracelink/spec checker: ok, violation, and skipped without a spec", async () => {
  const artifactsDir = mkdtempSync(join(tmpdir(), "validate-art-"));
  temps.push(artifactsDir);
  const checker = specChecker({ spec: PINGPONG });
  const [ok] = await checker.check({ tracesDir: join(RUNS, "ok"), artifactsDir });
  expect(ok!.valid).toBe(true);
  const [bad] = await checker.check({ tracesDir: join(RUNS, "mutants", "total"), artifactsDir });
  expect(bad!.valid).toBe(false);
  expect(bad!.summary).toContain("trace-1-1001.log:8");
  const [none] = await specChecker({ spec: undefined, noSpecReason: "no spec here" }).check({ tracesDir: join(RUNS, "ok"), artifactsDir });
  expect(none!.valid).toBe("unknown");
  expect(none!.skipped).toBe("no spec here");
});

describe("agrees with TLC on our dqueue's runs and mutants (testdata/tracelink/ours/dqueue, --noall-paths)", () => {
  const root = join(TESTDATA, "tracelink", "ours", "dqueue");
  const table = tlcVerdicts(root);
  test("the table has passes and failures", () => {
    expect(table.some(([, v]) => v === "pass") && table.some(([, v]) => v === "fail")).toBe(true);
  });
  for (const [name, verdict, error] of table) {
    test(`${name}: TLC ${verdict}${error === "-" ? "" : ` (${error})`}`, async () => {
      const r = await validateFiles(DQUEUE_SPEC, undefined, await listTraceFiles(join(root, name)), { allPaths: false });
      expect(r.verdict.verdict, r.verdict.verdict === "violation" ? r.verdict.explanation : "").toBe(verdict === "pass" ? "ok" : "violation");
    });
  }
});

describe("agrees with TLC on our raftkvs's run and mutants (testdata/tracelink/ours/raftkvs, 3 servers, --noall-paths)", () => {
  const root = join(TESTDATA, "tracelink", "ours", "raftkvs");
  const spec = join(PROJECT_ROOT, "systems", "raftkvs", "raftkvs.tla");
  const table = tlcVerdicts(root);
  for (const [name, verdict, error] of table) {
    test(`${name}: TLC ${verdict}${error === "" ? "" : ` (${error})`}`, async () => {
      // A mutant's folder holds only the files it changes; the others are base's.
      const dir = copyRun(join(root, "base"));
      if (name !== "base") cpSync(join(root, "mutants", name), dir, { recursive: true });
      const r = await validateFiles(spec, undefined, await listTraceFiles(dir), { allPaths: false });
      expect(r.verdict.verdict, r.verdict.verdict === "violation" ? r.verdict.explanation : "").toBe(verdict === "pass" ? "ok" : "violation");
      if (verdict === "fail") {
        const kind = /__IsRefinement/.test(error) ? "__IsRefinement" : /Deadlock/.test(error) ? "deadlock" : "__progress_inv";
        expect(r.verdict.verdict === "violation" && r.verdict.explanation).toContain(kind);
      }
    });
  }
});
