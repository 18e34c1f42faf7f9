import { describe, expect, it } from "vitest";
import { checkLinearizability } from "./check.ts";
import { referenceHistories } from "../../testdata/linearizability.ts";
import { loadHistory, modelFor } from "./load.ts";
import { kvModel, registerModel } from "./models.ts";
import type { KvInput, KvOutput } from "./models.ts";
import { HistoryFormatError, pairEvents } from "./operation.ts";
import type { HistoryEvent, Operation } from "./operation.ts";
import { parseEtcdLog, parseKvLog } from "./parse.ts";

const histories = await referenceHistories();

describe("linearizability on the corpus (Jepsen etcd, Porcupine kv)", () => {
  it("lists every history of both verdicts.tsv files", () => {
    expect(histories.filter((h) => h.format === "etcd")).toHaveLength(50);
    expect(histories.filter((h) => h.format === "kv")).toHaveLength(4);
  });
  it.each(histories.map((h) => [`${h.format}/${h.file}`, h] as const))("agrees with the verdict on %s", async (_, h) => {
    const ops = await loadHistory(h.format, h.path);
    const r = checkLinearizability(modelFor(h.format), ops, { timeoutMs: 30_000 });
    expect(r.valid).toBe(h.linearizable);
  }, 60_000);
});

const op = (id: number, f: string, input: unknown, output: unknown, call: number, ret: number, process = String(id)): Operation => (
  ret === Infinity ? { id, process, f, input, call, return: ret } : { id, process, f, input, output, call, return: ret }
);

describe("the search", () => {
  const w = (v: number) => ({ op: "write", value: v });
  const r = { op: "read" };
  it("orders concurrent operations as needed and refuses a stale read after a write returned", () => {
    // write 1 [0,3] overlaps read->1 [1,2]: fine. A read->nil after the write returned is not.
    const ok = [op(0, "write", w(1), null, 0, 3), op(1, "read", r, 1, 1, 2)];
    expect(checkLinearizability(registerModel, ok).valid).toBe(true);
    const bad = [op(0, "write", w(1), null, 0, 1), op(1, "read", r, null, 2, 3)];
    expect(checkLinearizability(registerModel, bad).valid).toBe(false);
  });
  it("lets an operation with unknown outcome take effect late, or never", () => {
    const late = [op(0, "write", w(1), undefined, 0, Infinity), op(1, "read", r, null, 1, 2), op(2, "read", r, 1, 3, 4)];
    expect(checkLinearizability(registerModel, late).valid).toBe(true);
    const never = [op(0, "write", w(1), undefined, 0, Infinity), op(1, "read", r, null, 5, 6)];
    expect(checkLinearizability(registerModel, never).valid).toBe(true);
    // ...but not before it was invoked.
    const early = [op(0, "read", r, 1, 0, 1), op(1, "write", w(1), undefined, 2, Infinity)];
    expect(checkLinearizability(registerModel, early).valid).toBe(false);
  });
  it("reads a failed cas as a failed compare (Porcupine's etcd semantics)", () => {
    const cas = (from: number, to: number) => ({ op: "cas", from, to });
    expect(checkLinearizability(registerModel, [op(0, "write", w(1), null, 0, 1), op(1, "cas", cas(1, 2), false, 2, 3)]).valid).toBe(false);
    expect(checkLinearizability(registerModel, [op(0, "write", w(1), null, 0, 1), op(1, "cas", cas(0, 2), false, 2, 3)]).valid).toBe(true);
  });
  it("checks kv key by key, so a violation on one key is found among many keys", () => {
    const ops: Operation[] = [];
    for (let k = 0; k < 20; k++) {
      ops.push(op(ops.length, "put", { op: "put", key: `k${k}`, value: "a" }, null, 2 * ops.length, 2 * ops.length + 1));
      ops.push(op(ops.length, "get", { op: "get", key: `k${k}` }, "a", 2 * ops.length, 2 * ops.length + 1));
    }
    expect(checkLinearizability(kvModel, ops).valid).toBe(true);
    expect(kvModel.partition?.(ops as Operation<KvInput, KvOutput>[])).toHaveLength(20);
    ops.push(op(ops.length, "get", { op: "get", key: "k7" }, "", 1000, 1001));
    expect(checkLinearizability(kvModel, ops).valid).toBe(false);
  });
  it("memoises by key() alone for a model without hash/equal, with the same verdicts", async () => {
    const { hash: _h, equal: _e, ...keyOnly } = registerModel;
    for (const file of ["etcd_000.log", "etcd_005.log", "etcd_040.log", "etcd_018.log"]) {
      const h = histories.find((x) => x.file === file)!;
      const ops = await loadHistory(h.format, h.path);
      expect(checkLinearizability(keyOnly, ops).valid).toBe(h.linearizable);
    }
  });
  it("answers unknown, not a guess, when the budget runs out or the signal aborts", async () => {
    const h = histories.find((x) => x.file === "etcd_002.log")!;
    const ops = await loadHistory(h.format, h.path);
    expect(checkLinearizability(registerModel, ops, { timeoutMs: 0 }).valid).toBe("unknown");
    const ac = new AbortController();
    ac.abort();
    expect(checkLinearizability(registerModel, ops, { signal: ac.signal }).valid).toBe("unknown");
  });
});

describe("pairing and parsing", () => {
  const ev = (process: string, type: HistoryEvent["type"], f: string, value: unknown, time: number): HistoryEvent => ({ process, type, f, value, time });
  const opts = { input: (i: HistoryEvent) => i.value, output: (_: HistoryEvent, c: HistoryEvent) => c.value };
  it("pairs per process, drops failures unless kept, and leaves pending invokes unknown", () => {
    const events = [ev("a", "invoke", "write", 1, 0), ev("b", "invoke", "write", 2, 1), ev("a", "ok", "write", 1, 2), ev("b", "fail", "write", 2, 3), ev("c", "invoke", "read", null, 4)];
    const ops = pairEvents(events, opts);
    expect(ops.map((o) => [o.process, o.call, o.return])).toEqual([["a", 0, 2], ["c", 4, Infinity]]);
    expect(pairEvents(events, { ...opts, keepFailed: true })).toHaveLength(3);
  });
  it("rejects a completion without an invoke and a second invoke while one is pending", () => {
    expect(() => pairEvents([ev("a", "ok", "read", 1, 0)], opts)).toThrow(/process a completes read \(ok\) without an invoke/);
    expect(() => pairEvents([ev("a", "invoke", "read", 1, 0), ev("a", "invoke", "read", 1, 1)], opts)).toThrow(HistoryFormatError);
  });
  it("parses etcd lines (info → unknown, nil → null) and kv lines, and names the line of bad input", () => {
    const etcd = parseEtcdLog("noise\nINFO  jepsen.util - 3\t:invoke\t:cas\t[1 2]\nINFO  jepsen.util - 0\t:invoke\t:read\tnil\nINFO  jepsen.util - 0\t:ok\t:read\tnil\nINFO  jepsen.util - 3\t:info\t:cas\t:timed-out\n", "x.log");
    expect(etcd).toEqual([
      { id: 0, process: "3", f: "cas", input: { op: "cas", from: 1, to: 2 }, call: 0, return: Infinity },
      { id: 1, process: "0", f: "read", input: { op: "read" }, output: null, call: 1, return: 2 },
    ]);
    const timedOut = parseEtcdLog("INFO  jepsen.util - 0\t:invoke\t:read\tnil\nINFO  jepsen.util - 0\t:fail\t:read\t:timed-out\nINFO  jepsen.util - 1\t:invoke\t:write\t3\nINFO  jepsen.util - 1\t:fail\t:write\t3\n");
    expect(timedOut).toEqual([]);
    expect(() => parseEtcdLog("INFO  jepsen.util - 0\t:invoke\t:write\tx\n", "y.log")).toThrow(/y\.log:1: expected an integer or nil, got "x"/);
    const kv = parseKvLog('{:process 1, :type :invoke, :f :get, :key "9", :value nil}\n{:process 1, :type :ok, :f :get, :key "9", :value "x 1 y"}\n');
    expect(kv).toEqual([{ id: 0, process: "1", f: "get", input: { op: "get", key: "9" }, output: "x 1 y", call: 0, return: 1 }]);
    expect(() => parseKvLog("{:process 1}\n", "z.txt")).toThrow(/z\.txt:1: expected/);
  });
  it("reads Jepsen lines whose fields are separated by runs of spaces (as Porcupine does) the same as tabbed ones", () => {
    // Written by hand after the layout of Jepsen's later etcd logs: the fields padded with spaces, not tabs.
    const fields = [
      ["1", ":invoke", ":write", "3"],
      ["4", ":invoke", ":cas", "[1 2]"],
      ["0", ":invoke", ":read", "nil"],
      ["1", ":ok", ":write", "3"],
      ["4", ":fail", ":cas", "[1 2]"],
      ["0", ":ok", ":read", "3"],
      ["2", ":invoke", ":cas", "[3 4]"],
      ["2", ":info", ":cas", ":timed-out"],
      ["0", ":invoke", ":read", "nil"],
      ["0", ":fail", ":read", ":timed-out"],
    ];
    const noise = "2017-04-03 12:00:00,001{GMT}\tINFO\t[jepsen worker 1] jepsen.util: noise that is not an operation";
    const spaced = [noise, ...fields.map(([p, t, f, v]) => `INFO  jepsen.util - ${p!.padEnd(4)}${t!.padEnd(8)}${f!.padEnd(7)}${v}  `)].join("\n");
    const tabbed = [noise, ...fields.map((l) => `INFO  jepsen.util - ${l.join("\t")}`)].join("\n");
    expect(spaced).toContain("INFO  jepsen.util - 4   :invoke :cas   [1 2]");
    const ops = parseEtcdLog(spaced, "spaced.log");
    expect(ops).toEqual(parseEtcdLog(tabbed, "tabbed.log"));
    expect(ops.map((o) => [o.process, o.f, o.input, o.output, o.return])).toEqual([
      ["1", "write", { op: "write", value: 3 }, null, 3],
      ["4", "cas", { op: "cas", from: 1, to: 2 }, false, 4],
      ["0", "read", { op: "read" }, 3, 5],
      ["2", "cas", { op: "cas", from: 3, to: 4 }, undefined, Infinity],
    ]);
    expect(checkLinearizability(registerModel, ops).valid).toBe(true);
    // The same whitespace freedom in kv lines.
    const kv = parseKvLog('{:process  1,  :type :invoke, :f :get,\t:key "9", :value nil}\n{:process 1, :type :ok, :f :get, :key "9", :value ""}\n');
    expect(kv).toEqual([{ id: 0, process: "1", f: "get", input: { op: "get", key: "9" }, output: "", call: 0, return: 1 }]);
  });
});
