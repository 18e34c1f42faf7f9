import { PGO_TRACES } from "../../testdata/paths.ts";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkLinearizability } from "./check.ts";
import { linearizabilityChecker, queueChecker } from "./checkers.ts";
import { historyOrigin, raftkvsHistory } from "./from-trace.ts";
import { timeNanos } from "../tracelink/local-checks.ts";
import { DQUEUE_SHAPE } from "../../systems/dqueue/shapes.ts";
import { clientHistory, RAFTKVS_CLIENT } from "../../systems/raftkvs/shapes.ts";
import { kvModel } from "./models.ts";
import { checkQueue, queueHistoryFromTraces } from "./queue.ts";

const TRACES = PGO_TRACES;
const runsOf = async (set: string) => (await readdir(join(TRACES, set))).sort().map((d) => join(TRACES, set, d));
const raftRuns = await runsOf("raftkvs-1server/ok");
const dqueueRuns = await runsOf("dqueue/ok");
const tmp = await mkdtemp(join(tmpdir(), "history-trace-"));
afterAll(() => rm(tmp, { recursive: true, force: true }));

/** A copy of a run's trace files with `edit` applied to the text of the files whose name matches. */
async function damaged(run: string, name: string, match: RegExp, edit: (text: string) => string): Promise<string> {
  const dir = join(tmp, `${name}`);
  await mkdir(dir);
  for (const f of await readdir(run)) {
    if (match.test(f)) await writeFile(join(dir, f), edit(await readFile(join(run, f), "utf8")));
    else await copyFile(join(run, f), join(dir, f));
  }
  return dir;
}

describe("raftkvs client history from TraceLink traces", () => {
  it.each(raftRuns.map((r) => [r.split("/").pop()!, r] as const))("run %s: 20 operations, linearizable", async (_, run) => {
    const ops = await raftkvsHistory(run, RAFTKVS_CLIENT);
    expect(ops).toHaveLength(20);
    expect(ops.filter((o) => o.f === "get")).toHaveLength(10);
    expect(ops.every((o) => o.call < o.return && o.return !== Infinity)).toBe(true);
    expect(checkLinearizability(kvModel, ops).valid).toBe(true);
  });
  it("keeps the history's time 0 (ns since the epoch): origin + return is the answering section's endTime", async () => {
    const run = raftRuns[0]!;
    const ops = await raftkvsHistory(run, RAFTKVS_CLIENT);
    const origin = historyOrigin(ops);
    expect(typeof origin).toBe("bigint");
    for (const op of ops) {
      // `where` names the completion's record: file and line.
      const [file, line] = op.where!.split(":") as [string, string];
      const record = JSON.parse((await readFile(join(run, file), "utf8")).split("\n")[Number(line) - 1]!) as { endTime: string };
      expect(origin! + BigInt(op.return), op.where).toBe(timeNanos(record.endTime));
    }
    expect(Math.min(...ops.map((o) => o.call))).toBe(0);
    // The check records it (and its model) for the run's page, which redraws history.jsonl with the faults.
    const art = join(tmp, "origin");
    await mkdir(art);
    const [r] = await linearizabilityChecker({ history: clientHistory }).check({ tracesDir: run, artifactsDir: art });
    expect(r!.details).toMatchObject({ model: "kv", timeOrigin: { epochNanos: String(origin), unit: "ns" } });
  });
  it("finds a stale read in a damaged copy, explains it and writes the timeline", async () => {
    const run = raftRuns[0]!;
    // The first get of key1 returns value0; make its response (and only its) say "stale".
    const dir = await damaged(run, "raft-stale", /^trace-7-/, (text) => {
      const lines = text.split("\n");
      const i = lines.findIndex((l) => l.includes('"respCh"') && l.includes('\\"cgp\\"'));
      lines[i] = lines[i]!.replaceAll('\\"value0\\"', '\\"stale\\"');
      return lines.join("\n");
    });
    const art = join(tmp, "raft-art");
    await mkdir(art);
    const [r] = await linearizabilityChecker({ history: clientHistory }).check({ tracesDir: dir, artifactsDir: art });
    expect(r?.valid).toBe(false);
    expect(r?.summary).toMatch(/not linearizable: operation #1 \(process AClient\(7\), trace-7-\d+\.log:10\)/);
    expect(r?.artifacts?.map((p) => p.split("/").pop())).toEqual(["history.jsonl", "history-linearizable-timeline.html"]);
    const html = await readFile(join(art, "history-linearizable-timeline.html"), "utf8");
    expect(html).toContain("get(&#34;key1&#34;) -&#62; &#34;stale&#34;");
    // Only key1's operations are drawn (the part that cannot be linearized), and the title says so.
    const key1 = (await raftkvsHistory(dir, RAFTKVS_CLIENT)).filter((o) => o.input.key === "key1");
    expect(html.match(/class="op[ "]/g)).toHaveLength(key1.length);
    expect(html).toContain(`showing ${key1.length} of 20 operations`);
  });
  it("answers unknown when the run's signal has aborted", async () => {
    const ac = new AbortController();
    ac.abort();
    const [r] = await linearizabilityChecker({ history: clientHistory }).check({ tracesDir: raftRuns[0]!, artifactsDir: tmp, signal: ac.signal });
    expect(r?.valid).toBe("unknown");
    expect(r?.summary).toMatch(/^unknown: /);
  });
  it("treats a request never answered as unknown, and reports an empty history as not checked", async () => {
    const dir = await damaged(raftRuns[0]!, "raft-cut", /^trace-7-/, (text) => {
      const lines = text.trimEnd().split("\n");
      const last = lines.findLastIndex((l) => l.includes('"respCh"'));
      return lines.slice(0, last).join("\n") + "\n";
    });
    const ops = await raftkvsHistory(dir, RAFTKVS_CLIENT);
    expect(ops.filter((o) => o.return === Infinity)).toHaveLength(1);
    expect(checkLinearizability(kvModel, ops).valid).toBe(true);
    const [r] = await linearizabilityChecker({ history: clientHistory }).check({ tracesDir: join(TRACES, "dqueue/ok", dqueueRuns[1]!.split("/").pop()!), artifactsDir: tmp });
    expect(r).toMatchObject({ valid: "unknown", skipped: "no client operations recorded" });
  });
});

describe("dqueue queue semantics from TraceLink traces", () => {
  it.each(dqueueRuns.map((r) => [r.split("/").pop()!, r] as const))("run %s: every produced item consumed once, in order", async (_, run) => {
    const h = await queueHistoryFromTraces(run, DQUEUE_SHAPE);
    expect(h.consumed.map((i) => i.key)).toEqual(h.produced.map((i) => i.key));
    const [r] = await queueChecker({ shape: DQUEUE_SHAPE }).check({ tracesDir: run, artifactsDir: tmp });
    expect(r?.valid).toBe(true);
  });
  const run = dqueueRuns.find((r) => r.endsWith("4161323826586722756"))!;
  // The consumer's writes of its output channel `proc` carry the items 1, 2, 3.
  const consumerEdit = (edit: (values: string[]) => string[]) => (text: string) => {
    const lines = text.split("\n");
    let n = 0;
    const values = lines.flatMap((l) => [...l.matchAll(/"name":"proc"[^}]*\},"tag":"write","value":"(\d+)"/g)].map((m) => m[1]!));
    const next = edit(values);
    return lines.map((l) => l.replace(/("name":"proc"[^}]*\},"tag":"write","value":")(\d+)"/g, (_, pre: string) => `${pre}${next[n++] ?? "99"}"`)).join("\n");
  };
  it.each([
    ["duplicated", (v: string[]) => [v[0]!, v[0]!, v[1]!]],
    ["lost", (v: string[]) => [v[0]!, v[2]!, "98"]],
    ["reordered", (v: string[]) => [v[1]!, v[0]!, v[2]!]],
    ["unexpected", (v: string[]) => [v[0]!, v[1]!, "42"]],
  ] as const)("finds a %s item in a damaged copy", async (kind, edit) => {
    const dir = await damaged(run, `dq-${kind}`, /^trace-1-/, consumerEdit(edit));
    const r = checkQueue(await queueHistoryFromTraces(dir, DQUEUE_SHAPE));
    expect(r.valid).toBe(false);
    expect(r.violations.map((v) => v.kind)).toContain(kind);
    expect(r.violations[0]?.message).toMatch(/^trace-[01]-\d+\.log:\d+: /);
    const [c] = await queueChecker({ shape: DQUEUE_SHAPE }).check({ tracesDir: dir, artifactsDir: tmp });
    expect(c).toMatchObject({ name: "history/queue", valid: false });
    expect(c?.summary).toContain(kind);
  });
  it("allows a tail still in flight, unless the queue must be drained", async () => {
    const h = await queueHistoryFromTraces(run, DQUEUE_SHAPE);
    const cut = { produced: h.produced, consumed: h.consumed.slice(0, 2) };
    expect(checkQueue(cut)).toMatchObject({ valid: true, inFlight: 1 });
    expect(checkQueue(cut, { requireDrained: true }).violations.map((v) => v.kind)).toEqual(["lost"]);
  });
});
