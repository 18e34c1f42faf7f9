// The dqueue TraceLink fixtures (testdata/tracelink/ours/dqueue): runs of our dqueue and mutants of them, each
// with the verdict pgo.jar tracegen + TLC gave against systems/dqueue/dqueue.tla (verdicts.tsv). They are the
// ground truth for a validator that knows the spec; here they pin what the fixtures claim: the runs and the
// semantic mutants are self-consistent (the structural checks accept them, so only the design can reject the
// mutants), while the structural mutants are caught without the design.
import { readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { traceLinkChecker } from "../../harness/tracelink/index.ts";
import { parseTlcOutput } from "../../harness/tracelink/tlc-output.ts";
import { OUR_TRACES, TLC_LOGS } from "../../testdata/paths.ts";

const dir = join(OUR_TRACES, "dqueue");
const [header, ...rows] = readFileSync(join(dir, "verdicts.tsv"), "utf8").trimEnd().split("\n").map((l) => l.split("\t"));
const verdicts = rows.map(([name, verdict, error, states, seconds]) => ({ name: name!, verdict, error, states, seconds }));
const check = async (name: string) => traceLinkChecker().check({ tracesDir: join(dir, name), artifactsDir: tmpdir() });
const failing = async (name: string) => (await check(name)).filter((r) => r.valid !== true).map((r) => r.name);

// Semantic mutants TLC rejects but whose traces agree with themselves; the one exception is noted below.
const SELF_CONSISTENT = ["run-3items", "run-20items", "3items-proc-unreceived", "3items-producer-out-of-order", "3items-skip-loop-head"];

describe("testdata/tracelink/ours/dqueue", () => {
  test("verdicts.tsv lists every case folder once, with TLC's verdict, error, states and time", () => {
    expect(header).toEqual(["case", "verdict", "error", "distinct_states", "seconds"]);
    const folders = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    expect(verdicts.map((v) => v.name).sort()).toEqual(folders.sort());
    for (const v of verdicts) {
      expect(v.verdict, v.name).toMatch(/^(pass|fail)$/);
      expect(v.error, v.name).toMatch(v.verdict === "pass" ? /^-$/ : /^Error: /);
      expect(v.states, v.name).toMatch(/^\d+$/);
      expect(v.seconds, v.name).toMatch(/^\d+(\.\d+)?$/);
      expect(v.verdict === "pass", v.name).toBe(v.name.startsWith("run-"));
    }
  });

  test.each(SELF_CONSISTENT)("%s passes every structural check", async (name) => {
    expect(await failing(name)).toEqual([]);
  });

  test("structural mutants fail structural checks", async () => {
    expect(await failing("3items-delete-line")).toEqual(expect.arrayContaining(["tracelink/own-clock-is-line", "tracelink/pc-continuity"]));
    expect(await failing("3items-swap-lines")).toEqual(expect.arrayContaining(["tracelink/own-clock-is-line", "tracelink/clock-monotone"]));
    // A request read that no one sent: the design's mailbox guard forbids it, and mailbox matching sees it too.
    expect(await failing("3items-request-never-sent")).toEqual(["tracelink/mailbox-matching"]);
  });
});

describe("testdata/tlc/dqueue-model: TLC model-checking the design", () => {
  // The design passes at every size checked; each design mutant breaks the property it was made to break.
  // (TLC's exit codes: 12 for an invariant, 13 for a temporal property.)
  const expected: Record<string, { outcome: "pass" | "fail"; states: number; exit?: number; reason?: RegExp }> = {
    "design-1consumer-3items": { outcome: "pass", states: 34 },
    "design-2consumers-3items": { outcome: "pass", states: 560 },
    "design-3consumers-4items": { outcome: "pass", states: 21274 },
    "mutant-stream-stuck": { outcome: "fail", states: 8, exit: 12, reason: /Invariant NoLossNoDuplication is violated/ },
    "mutant-answer-kept": { outcome: "fail", states: 9, exit: 12, reason: /Invariant ConsumedInOrder is violated/ },
    "mutant-consumer-unfair": { outcome: "fail", states: 560, exit: 13, reason: /Temporal property AllItemsConsumed was violated/ },
  };
  const logs = join(TLC_LOGS, "dqueue-model");
  test("one log per model, no other", () => {
    expect(readdirSync(logs).sort()).toEqual(Object.keys(expected).map((n) => `${n}.log`).sort());
  });
  test.each(Object.entries(expected))("%s", (name, want) => {
    const s = parseTlcOutput(readFileSync(join(logs, `${name}.log`), "utf8"), want.exit ?? 0);
    expect(s.outcome).toBe(want.outcome);
    expect(s.distinctStates).toBe(want.states);
    if (want.reason !== undefined) expect(s.reason).toMatch(want.reason);
  });
});
