// Each structural check on its own, on small hand-made records: what it accepts and what it reports.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { clockMonotone, oldValueMatches, oneInstancePerFile, ownClockIsLine, pcContinuity, timeNanos, timeWithinFile } from "./local-checks.ts";
import type { LocalCheck } from "./local-checks.ts";
import type { CsElement, TraceRecord } from "./record.ts";
import { CausalTime, causalReplay, MailboxMatching, MailboxSurvey } from "./replay.ts";
import type { Violation } from "./replay.ts";

type El = [tag: "read" | "write", name: string, value: string, indices?: string[] | undefined, oldValue?: string | undefined];
interface Spec {
  a?: string;
  self?: string;
  clock?: Record<string, number>;
  els?: El[];
  abort?: boolean;
  start?: string;
  end?: string;
}

/** A record of instance a:self; `clock` keys are "Arch:self"; els default to a .pc read of "l". */
function rec(s: Spec): TraceRecord {
  const a = s.a ?? "A";
  const self = s.self ?? "1";
  const el = ([tag, name, value, indices, oldValue]: El): CsElement => ({
    tag,
    name: { name, prefix: name === ".pc" ? "" : a, self },
    indices: indices ?? [],
    value,
    ...(oldValue === undefined ? {} : { oldValue }),
  });
  return {
    archetypeName: a,
    self,
    clock: Object.entries(s.clock ?? { [`${a}:${self}`]: 1 }).map(([k, n]) => [k.split(":") as [string, string], n]),
    csElements: (s.els ?? [["read", ".pc", '"l"']]).map(el),
    isAbort: s.abort ?? false,
    startTime: s.start ?? "2025-01-01T00:00:00.000000001Z",
    endTime: s.end ?? "2025-01-01T00:00:00.000000001Z",
  };
}

function run(check: LocalCheck, records: TraceRecord[], file = "trace-1-99.log"): string[] {
  const out: string[] = [];
  const v = check.forFile(file, (line, message) => out.push(`${line}: ${message}`));
  records.forEach((r, i) => v.record(i + 1, r));
  return out;
}

const own = (n: number, more: Record<string, number> = {}) => ({ clock: { "A:1": n, ...more } });

describe("per-file checks", () => {
  test("a. one instance per file, self as in the file name", () => {
    expect(run(oneInstancePerFile, [rec(own(1)), rec(own(2))])).toEqual([]);
    expect(run(oneInstancePerFile, [rec(own(1))], "trace-2-99.log")).toEqual(["1: self 1 does not match the file name, which says self 2."]);
    expect(run(oneInstancePerFile, [rec(own(1)), rec({ a: "B", clock: { "B:1": 2 } })])).toEqual(["2: record of B(1) in the file of A(1); a file holds one instance."]);
  });

  test("b. own clock entry = line number; a gap is reported once", () => {
    expect(run(ownClockIsLine, [1, 2, 3].map((n) => rec(own(n))))).toEqual([]);
    expect(run(ownClockIsLine, [1, 3, 4, 5].map((n) => rec(own(n))))).toEqual(["2: own clock entry is 3, expected 2 (the line number)."]);
    expect(run(ownClockIsLine, [1, 3, 2].map((n) => rec(own(n))))).toHaveLength(2);
    expect(run(ownClockIsLine, [rec({ clock: { "B:1": 1 } })])).toEqual(["1: the clock has no entry for the record's own instance A:1."]);
  });

  test("c. clock entries never decrease", () => {
    expect(run(clockMonotone, [rec(own(1, { "B:2": 3 })), rec(own(2, { "B:2": 3 })), rec(own(3, { "B:2": 5 }))])).toEqual([]);
    expect(run(clockMonotone, [rec(own(1, { "B:2": 3 })), rec(own(2, { "B:2": 2 }))])).toEqual(["2: clock entry B:2 decreases from 3 on the previous record to 2."]);
    expect(run(clockMonotone, [rec(own(1, { "B:2": 3 })), rec(own(2))])).toEqual(["2: clock entry B:2 decreases from 3 on the previous record to 0."]);
  });

  test("d. .pc continuity across committed sections; aborted sections change nothing", () => {
    const pc = (read: string, write?: string, abort = false) =>
      rec({ abort, els: [["read", ".pc", read], ...(write === undefined ? [] : [["write", ".pc", write, [], read] as El])] });
    expect(run(pcContinuity, [pc('"a"', '"b"'), pc('"b"', '"c"', true), pc('"b"', '"c"'), pc('"c"')])).toEqual([]);
    expect(run(pcContinuity, [pc('"a"', '"b"'), pc('"c"')])).toEqual(['2: the section reads .pc = "c", but the committed section on line 1 left it at "b".']);
    expect(run(pcContinuity, [pc('"a"', '"b"'), pc('"b"', '"c"', true), pc('"c"')])).toHaveLength(1);
    expect(run(pcContinuity, [rec({ els: [["write", "x", "1"]] })])).toEqual(["1: the first element is a write of x, not a read of .pc."]);
  });

  test("e. oldValue = last value read or written at the same variable; aborted sections discarded", () => {
    const w = (name: string, value: string, old?: string, indices?: string[]): El => ["write", name, value, indices, old];
    const r = (name: string, value: string, indices?: string[]): El => ["read", name, value, indices];
    const sec = (els: El[], abort = false) => rec({ abort, els: [r(".pc", '"l"'), ...els] });
    expect(run(oldValueMatches, [sec([w("x", "1", "defaultInitValue")]), sec([w("x", "2", "1"), w("x", "3", "2")]), sec([r("x", "(1 :> 3)"), w("x", "4", "((1) :> (3))")])])).toEqual([]);
    expect(run(oldValueMatches, [sec([w("x", "1", "0")]), sec([w("x", "9", "1")], true), sec([w("x", "2", "9")])])).toEqual(["3: the write to x[] has oldValue 9, but line 1 left it at 1."]);
    // indices are part of the variable
    expect(run(oldValueMatches, [sec([w("x", "1", "0", ["1"])]), sec([w("x", "5", "0", ["2"]), w("x", "2", "1", ["1"])])])).toEqual([]);
    expect(run(oldValueMatches, [sec([r("x", "7", ["1"])]), sec([w("x", "5", "6", ["1"])])])).toEqual(["2: the write to x[1] has oldValue 6, but line 1 left it at 7."]);
  });

  test("h. start <= end and no overlap within a file, to the nanosecond", () => {
    const t = (start: string, end: string) => rec({ start: `2025-01-01T00:00:00.${start}Z`, end: `2025-01-01T00:00:00.${end}Z` });
    expect(run(timeWithinFile, [t("000000001", "000000002"), t("000000002", "000000002"), t("1", "2")])).toEqual([]);
    expect(run(timeWithinFile, [t("000000002", "000000001")])[0]).toMatch(/^1: the section ends .* before it starts/);
    expect(run(timeWithinFile, [t("000000001", "000000005"), t("000000004", "000000009")])[0]).toMatch(/^2: the section starts .* before the section on line 1 ended/);
    expect(timeNanos("2025-03-14T23:17:08.73471688Z") - timeNanos("2025-03-14T23:17:08Z")).toBe(734716880n);
    expect(timeNanos("2025-03-15T01:17:08+02:00")).toBe(timeNanos("2025-03-14T23:17:08Z"));
  });
});

const temps: string[] = [];
afterAll(async () => {
  for (const t of temps) await rm(t, { recursive: true, force: true });
});

async function files(runs: Record<string, TraceRecord[]>): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), "tl-"));
  temps.push(dir);
  const out: string[] = [];
  for (const [name, records] of Object.entries(runs)) {
    await writeFile(join(dir, name), records.map((r) => JSON.stringify(r)).join("\n") + "\n");
    out.push(join(dir, name));
  }
  return out;
}

// A ping-pong: P (self 0) sends on net[1], C (self 1) receives and answers on net[0].
const send = (a: string, self: string, to: string, value: string, clock: Record<string, number>, extra: Partial<Spec> = {}) =>
  rec({ a, self, clock, els: [["read", ".pc", '"l"'], ["write", "net", value, [to]]], ...extra });
const recv = (a: string, self: string, value: string, clock: Record<string, number>, extra: Partial<Spec> = {}) =>
  rec({ a, self, clock, els: [["read", ".pc", '"l"'], ["read", "net", value, [self]]], ...extra });

describe("replay checks", () => {
  test("f. the replay consumes a consistent run and reports the frontier of an inconsistent one", async () => {
    const ok = await files({
      "trace-0-1.log": [send("P", "0", "1", "1", { "P:0": 1 }), recv("P", "0", "2", { "P:0": 2, "C:1": 2 })],
      "trace-1-1.log": [recv("C", "1", "1", { "C:1": 1, "P:0": 1 }), send("C", "1", "0", "2", { "C:1": 2, "P:0": 1 })],
    });
    const seen: string[] = [];
    const r = await causalReplay(ok, [{ consume: (e) => seen.push(`${e.instance}#${e.line}`) }]);
    expect(r).toEqual({ consumed: 4, frontier: [] });
    expect(seen).toEqual(["P:0#1", "C:1#1", "C:1#2", "P:0#2"]);
    const stuck = await files({
      "trace-0-1.log": [send("P", "0", "1", "1", { "P:0": 1 }), recv("P", "0", "2", { "P:0": 2, "C:1": 3 })],
      "trace-1-1.log": [recv("C", "1", "1", { "C:1": 1, "P:0": 2 })],
    });
    const s = await causalReplay(stuck, []);
    expect(s.consumed).toBe(1);
    expect(s.frontier.map((v) => `${v.file}:${v.line}: ${v.message}`)).toEqual([
      "trace-0-1.log:2: the replay is stuck: P:0 #2 waits on C:1 #3 (0 consumed).",
      "trace-1-1.log:1: the replay is stuck: C:1 #1 waits on P:0 #2 (1 consumed).",
    ]);
  });

  test("g. mailbox reads match, per sender in order, an earlier write with an equal value; h. dependencies start before", async () => {
    const check = async (runs: Record<string, TraceRecord[]>) => {
      const out: Violation[] = [];
      const time: Violation[] = [];
      const m = new MailboxMatching(["net"], (v) => out.push(v));
      const ct = new CausalTime((v) => time.push(v));
      m.onMatch = (w, r) => ct.matched(w, r);
      const r = await causalReplay(await files(runs), [m, ct]);
      expect(r.frontier).toEqual([]);
      return { matched: m.matched, mailbox: out.map((v) => `${v.file}:${v.line}: ${v.message}`), time: time.map((v) => `${v.file}:${v.line}: ${v.message}`) };
    };
    const late = { start: "2025-01-01T00:00:01Z", end: "2025-01-01T00:00:01Z" };
    // Two senders to C; C reads them in an order that is per-sender FIFO; the set literal compares structurally.
    expect(await check({
      "trace-0-1.log": [send("P", "0", "1", "{1, 2}", { "P:0": 1 }), send("P", "0", "1", "3", { "P:0": 2 })],
      "trace-2-1.log": [send("Q", "2", "1", "9", { "Q:2": 1 })],
      "trace-1-1.log": [recv("C", "1", "{2, 1}", { "C:1": 1, "P:0": 1 }), recv("C", "1", "9", { "C:1": 2, "P:0": 1, "Q:2": 1 }), recv("C", "1", "3", { "C:1": 3, "P:0": 2, "Q:2": 1 })],
    })).toEqual({ matched: 3, mailbox: [], time: [] });
    // A read whose value nobody sent; an aborted write is not sent; a read not causally after the write.
    const bad = await check({
      "trace-0-1.log": [send("P", "0", "1", "1", { "P:0": 1 }, late), send("P", "0", "1", "2", { "P:0": 2 }, { abort: true, ...late })],
      "trace-1-1.log": [recv("C", "1", "7", { "C:1": 1, "P:0": 1 }), recv("C", "1", "1", { "C:1": 2, "P:0": 1 }), recv("C", "1", "2", { "C:1": 3, "P:0": 2 })],
      "trace-2-1.log": [recv("D", "2", "5", { "D:2": 1 })],
    });
    expect(bad.mailbox).toEqual([
      "trace-1-1.log:1: C:1 reads net[1] = 7, which matches no sender's next unread write causally before it; next unread: P:0 sent 1 (trace-0-1.log:1).",
      "trace-1-1.log:3: C:1 reads net[1] = 2, which matches no sender's next unread write causally before it; nothing was sent there.",
      "trace-2-1.log:1: D:2 reads net[2] = 5, which matches no sender's next unread write causally before it; nothing was sent there.",
    ]);
    expect(bad.matched).toBe(1);
    // P's sections start a second later than C's: C depends on them but ends before they start.
    expect(bad.time).toContain("trace-1-1.log:2: the section ends before the write it reads (trace-0-1.log:1) starts.");
    expect(bad.time.some((t) => t.startsWith("trace-1-1.log:1: the section ends (2025-01-01T00:00:00.000000001Z) before its dependency trace-0-1.log:1 (P:0 #1) starts"))).toBe(true);
  });

  test("g. a lost message is passed over by default, and a violation when loss is not allowed; reordering never passes", async () => {
    const check = async (runs: Record<string, TraceRecord[]>, allowLoss: boolean) => {
      const out: string[] = [];
      const m = new MailboxMatching(["net"], (v) => out.push(`${v.file}:${v.line}: ${v.message}`), { allowLoss });
      expect((await causalReplay(await files(runs), [m])).frontier).toEqual([]);
      return { matched: m.matched, lost: m.lost, violations: out };
    };
    const sent = [send("P", "0", "1", "1", { "P:0": 1 }), send("P", "0", "1", "2", { "P:0": 2 }), send("P", "0", "1", "3", { "P:0": 3 })];
    // C never gets message 1.
    const lossy = { "trace-0-1.log": sent, "trace-1-1.log": [recv("C", "1", "2", { "C:1": 1, "P:0": 2 }), recv("C", "1", "3", { "C:1": 2, "P:0": 3 })] };
    expect(await check(lossy, true)).toEqual({ matched: 2, lost: 1, violations: [] });
    const strict = await check(lossy, false);
    // Strictly, message 1 blocks the queue, so both reads are violations.
    expect(strict.violations).toEqual([
      "trace-1-1.log:1: C:1 reads net[1] = 2, which matches no sender's next unread write causally before it; next unread: P:0 sent 1 (trace-0-1.log:1).",
      "trace-1-1.log:2: C:1 reads net[1] = 3, which matches no sender's next unread write causally before it; next unread: P:0 sent 1 (trace-0-1.log:1).",
    ]);
    // C reads 3 before 2: taking 3 passes over 2, so the read of 2 is out of order and caught even with loss.
    const reordered = { "trace-0-1.log": sent, "trace-1-1.log": [recv("C", "1", "1", { "C:1": 1, "P:0": 1 }), recv("C", "1", "3", { "C:1": 2, "P:0": 3 }), recv("C", "1", "2", { "C:1": 3, "P:0": 3 })] };
    expect((await check(reordered, true)).violations).toEqual(["trace-1-1.log:3: C:1 reads net[1] = 2, which matches no sender's next unread write causally before it; nothing was sent there."]);
    // A message is not taken before it was written (causally): C's clock knows only P's first write.
    const early = { "trace-0-1.log": sent, "trace-1-1.log": [recv("C", "1", "2", { "C:1": 1, "P:0": 1 })] };
    expect((await check(early, true)).violations).toHaveLength(1);
  });

  test("the mailbox survey takes names read at self and written to others, and nothing else", () => {
    const survey = new MailboxSurvey();
    const feed = (self: string, records: TraceRecord[]) => {
      const v = survey.forFile();
      records.forEach((r, i) => v.record(i + 1, r));
    };
    feed("0", [
      send("P", "0", "1", "1", { "P:0": 1 }),
      rec({ a: "P", self: "0", els: [["read", ".pc", '"l"'], ["write", "state", "1", ["1"]], ["write", "log", "1", ["0"]], ["read", "log", "1", ["0"]], ["read", "ch", "1", ["1"]], ["write", "ch", "1", ["2"]]] }),
    ]);
    feed("1", [recv("C", "1", "1", { "C:1": 1, "P:0": 1 }), rec({ a: "C", self: "1", els: [["read", ".pc", '"l"'], ["read", "state", "1", ["1"]]] })]);
    feed("2", [rec({ a: "S", self: "2", els: [["read", ".pc", '"l"'], ["read", "state", "1", ["1"]], ["read", "fd", "TRUE", ["2"]]] })]);
    // state is read away from self (by S:2), log is written at the writer's self, ch is read away from self,
    // fd is never written.
    expect(survey.mailboxes()).toEqual(["net"]);
  });
});

describe("old-value on state shared between archetypes (seen on PGo's 3-server raftkvs)", () => {
  test("a mismatch at a variable two archetypes write is excused and counted; a local one is still a violation", async () => {
    const { checkTraces } = await import("./index.ts");
    const dir = await mkdtemp(join(tmpdir(), "tl-shared-"));
    try {
      const pc = (from: string, to: string): El[] => [["read", ".pc", `"${from}"`], ["write", ".pc", `"${to}"`, [], `"${from}"`]];
      // AServer(1) and AServerRequestVote(4) share votedFor[1]: AServer's second write sees the other's value.
      const server = [
        rec({ a: "AServer", self: "1", clock: { "AServer:1": 1 }, els: [...pc("a", "b").slice(0, 1), ["write", "votedFor", "2", ["1"], "0"], pc("a", "b")[1]!] }),
        rec({ a: "AServer", self: "1", clock: { "AServer:1": 2 }, els: [...pc("b", "a").slice(0, 1), ["write", "votedFor", "0", ["1"], "1"], ["write", "term", "3", [], "1"], pc("b", "a")[1]!] }),
        // A local variable of AServer alone: its mismatch stays a violation.
        rec({ a: "AServer", self: "1", clock: { "AServer:1": 3 }, els: [...pc("a", "b").slice(0, 1), ["write", "term", "4", [], "7"], pc("a", "b")[1]!] }),
      ];
      const voter = [rec({ a: "AServerRequestVote", self: "4", clock: { "AServerRequestVote:4": 1 }, els: [["read", ".pc", '"v"'], ["write", "votedFor", "1", ["1"], "2"], ["write", ".pc", '"v"', [], '"v"']] })];
      await writeFile(join(dir, "trace-1-1.log"), server.map((r) => JSON.stringify(r)).join("\n") + "\n");
      await writeFile(join(dir, "trace-4-1.log"), voter.map((r) => JSON.stringify(r)).join("\n") + "\n");
      const old = (await checkTraces(dir)).results.find((r) => r.name === "tracelink/old-value")!;
      expect(old.valid).toBe(false);
      expect(old.summary).toMatch(/^1 violation\(s\): trace-1-1\.log:3: the write to term\[\] has oldValue 7, but line 2 left it at 3\./);
      expect(old.summary).toMatch(/1 oldValue mismatch\(es\) at 1 variable\(s\) written by more than one archetype .* votedFor\[1\] by AServer, AServerRequestVote/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
