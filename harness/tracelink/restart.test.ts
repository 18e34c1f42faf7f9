// Restarts in TraceLink (testdata/tracelink/ours/raftkvs/restart): a run of our raftkvs whose leader was stopped
// and started again from its persisted state, and mutants of it. The structural checks and the design check
// read an instance's files as its incarnations; the design's Restart(n) is taken between them. pgo.jar cannot be
// the oracle here: its tracegen models one file per instance.
import { cpSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { TESTDATA } from "../../testdata/paths.ts";
import { projectRoot } from "../paths.ts";
import { testDirSync } from "../testing/temp.ts";
import { main as inContainer } from "./in-container.ts";
import { checkTraces } from "./index.ts";
import { liveSnapshot } from "./live-snapshot.ts";
import { incarnations, listTraceFiles } from "./reader.ts";
import { readEntries, specFromText, validateFiles, validateRun } from "./spec/index.ts";

const ROOT = join(TESTDATA, "tracelink", "ours", "raftkvs", "restart");
const SPEC = join(projectRoot, "systems", "raftkvs", "raftkvs.tla");
const CFG = join(projectRoot, "systems", "raftkvs", "raftkvsValidate.cfg");

/** base/ with the files of mutants/<name>/ in place of theirs. */
function caseDir(name: string): string {
  const dir = testDirSync(`restart-${name}-`);
  cpSync(join(ROOT, "base"), dir, { recursive: true });
  if (name !== "base") cpSync(join(ROOT, "mutants", name), dir, { recursive: true });
  return dir;
}

/** Replaces `from` by `to` in line `index` (from 0) of a trace file; the line must hold `from`. */
function editLine(file: string, index: number, from: string, to: string): void {
  const lines = readFileSync(file, "utf8").split("\n");
  if (!lines[index]!.includes(from)) throw new Error(`${file}:${index + 1} does not hold ${from}`);
  lines[index] = lines[index]!.replace(from, to);
  writeFileSync(file, lines.join("\n"));
}

const failing = async (dir: string) => (await checkTraces(dir)).results.filter((r) => r.valid !== true).map((r) => r.name);
const validate = async (dir: string, spec = SPEC) => (await validateFiles(spec, CFG, await listTraceFiles(dir), { allPaths: false, progressInv: true })).verdict;

test("the fixture holds a restart: the five instances of the restarted server have two files each, in order of n", async () => {
  const groups = incarnations(await listTraceFiles(join(ROOT, "base")));
  const twice = groups.filter((g) => g.files.length === 2).map((g) => Number(g.self)).sort((a, b) => a - b);
  expect(twice).toEqual([2, 5, 8, 11, 14]); // archetype k of server 2 is self 3k+2
  expect(readdirSync(join(ROOT, "mutants")).sort()).toEqual(["clock-restarts", "kept-commit", "lost-term"]);
});

test("an instance's files are ordered by n as a number (n+1 may have one more digit); a file named otherwise stands alone", () => {
  expect(incarnations(["d/trace-2-1000.log", "d/trace-10-5.log", "d/trace-2-999.log"])).toEqual([
    { self: "10", files: ["d/trace-10-5.log"] },
    { self: "2", files: ["d/trace-2-999.log", "d/trace-2-1000.log"] },
  ]);
  expect(incarnations(["d/run.log", "d/trace-2-7.log"])).toEqual([{ self: "(run.log)", files: ["d/run.log"] }, { self: "2", files: ["d/trace-2-7.log"] }]);
});

describe("the unmodified restart run", () => {
  test("passes every structural check, the replay reading across the restart", async () => {
    const run = await checkTraces(caseDir("base"));
    expect(run.results.filter((r) => r.valid !== true)).toEqual([]);
    expect(run.records).toBe(270);
  });

  test("is a behaviour of the design, with Restart(2) taken between the incarnations", async () => {
    const v = await validate(caseDir("base"));
    expect(v).toMatchObject({ verdict: "ok", records: 270 });
  });

  test("is not one without the restart's reset: a design whose restart keeps commitIndex rejects the restarted server's read of 0", async () => {
    const text = readFileSync(SPEC, "utf8");
    const keeps = text.replace("    /\\ commitIndex'  = [commitIndex EXCEPT ![i] = 0]\n", "").replace("UNCHANGED <<network, currentTerm,", "UNCHANGED <<network, commitIndex, currentTerm,");
    expect(keeps).not.toBe(text);
    const dir = testDirSync("restart-spec-");
    const file = join(dir, "raftkvs.tla");
    writeFileSync(file, keeps);
    const v = await validate(caseDir("base"), file);
    expect(v.verdict).toBe("violation");
    expect(v.verdict === "violation" && v.explanation).toMatch(/read of commitIndex gives 0, the state has commitIndex\[2\] = 3/);
  });

  test("a design that declares no restart refuses the second incarnation, saying so", async () => {
    const text = readFileSync(SPEC, "utf8").replace(/^RestartNodes ==.*$/m, "NotRestartNodes == ServerSet");
    const spec = specFromText(text, "norestart.tla", { cfgText: readFileSync(CFG, "utf8"), allStrings: () => [] });
    const v = validateRun(spec, await readEntries(await listTraceFiles(caseDir("base"))), { allPaths: false });
    expect(v.verdict).toBe("violation");
    expect(v.verdict === "violation" && v.explanation).toMatch(/starts a later incarnation .*declares no restart/);
  });

  test("a restart that does not give every variable exactly once is refused as a design the validator cannot use", async () => {
    const text = readFileSync(SPEC, "utf8").replace("    /\\ m'            = [m EXCEPT ![i] = defaultInitValue]\n", "");
    expect(text).not.toBe(readFileSync(SPEC, "utf8"));
    const spec = specFromText(text, "partial.tla", { cfgText: readFileSync(CFG, "utf8"), allStrings: () => [] });
    const entries = await readEntries(await listTraceFiles(caseDir("base")));
    expect(() => validateRun(spec, entries, { allPaths: false })).toThrow(/Restart\(n\) must give every variable exactly once .*m is not named/);
  });

  test("finally_tracelink's validator (--live, as in the container) reports it a behaviour of the design, and the lost term not", async () => {
    const out = join(testDirSync("restart-sdk-"), "sdk.jsonl");
    expect(await inContainer(["--live", "--spec", SPEC, caseDir("base")], { ANTITHESIS_SDK_LOCAL_OUTPUT: out })).toBe(0);
    expect(await inContainer(["--live", "--spec", SPEC, caseDir("lost-term")], { ANTITHESIS_SDK_LOCAL_OUTPUT: out })).toBe(1);
    const verdicts = readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l).antithesis_assert).filter((a) => a.hit && a.assert_type === "always");
    expect(verdicts.map((a) => a.condition)).toEqual([true, false]);
  });

  test("the live cut keeps the incarnations and validates", async () => {
    const out = testDirSync("restart-live-");
    const snap = await liveSnapshot(await listTraceFiles(caseDir("base")), out);
    expect(snap).toMatchObject({ records: 270, leftOut: 0 });
    expect((await validate(out)).verdict).toBe("ok");
  });

  test("a live cut taken while server 1 had written only part of its trace cuts the later incarnation too, and validates", async () => {
    const dir = caseDir("base");
    const file = join(dir, "trace-1-1108459550.log");
    writeFileSync(file, readFileSync(file, "utf8").split("\n").slice(0, 30).join("\n") + "\n"); // 30 of its 90 lines
    const out = testDirSync("restart-live-");
    const snap = await liveSnapshot(await listTraceFiles(dir), out);
    expect(snap.records).toBe(210);
    expect(snap.leftOut).toBeGreaterThan(0);
    const kept = (f: string) => readFileSync(join(out, f), "utf8").split("\n").filter((l) => l !== "").length;
    // AServer 2's first incarnation is kept whole, its second only in part (the rest waits on server 1).
    expect(kept("trace-2-2229250021.log")).toBe(26);
    expect(kept("trace-2-2229250022.log")).toBeGreaterThan(0);
    expect(kept("trace-2-2229250022.log")).toBeLessThan(30);
    expect((await validate(out)).verdict).toBe("ok");
  });
});

describe("mutants of the restart (self-consistent within each instance, wrong about what a restart keeps)", () => {
  test("lost-term: the restarted server reads currentTerm 0, below the 1 it persisted: the design rejects that read", async () => {
    const dir = caseDir("lost-term");
    expect(await failing(dir)).toEqual([]); // each read equals what the instance wrote before: structurally fine
    const v = await validate(dir);
    expect(v.verdict).toBe("violation");
    expect(v.verdict === "violation" && v.explanation).toMatch(/trace-2-2229250022\.log:2[\s\S]*read of currentTerm gives 0, the state has currentTerm\[2\] = 1/);
  });

  test("kept-commit: the restarted server reads the commitIndex 3 it had before the crash: the design resets it to 0", async () => {
    const dir = caseDir("kept-commit");
    expect(await failing(dir)).toEqual([]);
    const v = await validate(dir);
    expect(v.verdict).toBe("violation");
    expect(v.verdict === "violation" && v.explanation).toMatch(/trace-2-2229250022\.log:2[\s\S]*read of commitIndex gives 3, the state has commitIndex\[2\] = 0/);
  });

  test("clock-restarts: the second incarnation counts its clock from 1 again: a structural failure, and no order of the design", async () => {
    const dir = caseDir("clock-restarts");
    const bad = await failing(dir);
    expect(bad).toEqual(expect.arrayContaining(["tracelink/own-clock-is-line", "tracelink/clock-monotone", "tracelink/causal-replay"]));
    const own = (await checkTraces(dir)).results.find((r) => r.name === "tracelink/own-clock-is-line")!;
    expect(own.summary).toMatch(/trace-2-2229250022\.log:1: own clock entry is 1, expected 27 \(the instance's records so far, its earlier incarnations' included\)/);
    expect((await validate(dir)).verdict).toBe("violation");
  });

  test("a later incarnation that starts before the earlier one ended is a time-sanity failure", async () => {
    const dir = caseDir("base");
    // AServer 2's first section after the restart, moved to before its last section of the first incarnation ended.
    editLine(join(dir, "trace-2-2229250022.log"), 0, '"startTime":"2026-11-29T21:57:42.891738164Z"', '"startTime":"2026-11-29T21:57:42.475436000Z"');
    const time = (await checkTraces(dir)).results.find((r) => r.name === "tracelink/time-sanity")!;
    expect(time.valid).toBe(false);
    expect(time.summary).toMatch(/trace-2-2229250022\.log:1: the first section after a restart starts \(2026-11-29T21:57:42\.475436000Z\) before the earlier incarnation's last section \(its line 26\) ended/);
  });

  test("a node restarts as a whole: a process's last record before the restart that depends on a record after it is no order of the design", async () => {
    const dir = caseDir("base");
    // AServerAdvanceCommitIndex 11's last record of the first incarnation, made to depend on AServer 2's first
    // record of the second (clock entry 24 → 27): within each file all is in order, but every process of server 2
    // died at the restart (and the restarted server's first sections depend on where all five ended: a cycle).
    editLine(join(dir, "trace-11-3647647887.log"), 2, '[["AServer","2"],24]', '[["AServer","2"],27]');
    expect(await failing(dir)).toEqual(["tracelink/causal-replay"]);
    const v = await validate(dir);
    expect(v.verdict).toBe("violation");
    expect(v.verdict === "violation" && v.explanation).toMatch(/deadlock[\s\S]*trace-11-3647647887\.log:3 waits for AServer:2 #27/);
  });

  test("a restarted instance that goes on at its last label instead of its first is a pc-continuity failure", async () => {
    const dir = caseDir("base");
    // AServer 2's second file, its first section reading the label of the middle of its loop: the instance's
    // first label is the only place a restart starts from.
    editLine(join(dir, "trace-2-2229250022.log"), 0, '"value":"\\"AServer.serverLoop\\""', '"value":"\\"AServer.handleMsg\\""');
    const pc = (await checkTraces(dir)).results.find((r) => r.name === "tracelink/pc-continuity")!;
    expect(pc.valid).toBe(false);
    expect(pc.summary).toMatch(/trace-2-2229250022\.log:1: the first section after a restart reads \.pc = "AServer\.handleMsg", but a restarted instance starts again at its first label "AServer\.serverLoop"/);
    const v = await validate(dir);
    expect(v.verdict === "violation" && v.explanation).toMatch(/trace-2-2229250022\.log:1[\s\S]*pc\[2\] is "serverLoop", the record is at "handleMsg"/);
  });
});
