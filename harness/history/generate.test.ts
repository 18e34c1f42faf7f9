import { afterAll, describe, expect, it } from "vitest";
import { checkLinearizability } from "./check.ts";
import { generateHistory } from "./generate.ts";
import type { Anomaly, GenerateOptions } from "./generate.ts";
import { ILLEGAL } from "./model.ts";
import type { AnyModel } from "./model.ts";
import { kvModel, registerModel } from "./models.ts";
import type { Operation } from "./operation.ts";
import { checkLinearizabilityAsync, closeWorkers, workerThreads } from "./parallel.ts";
import { parseEtcdLog, parseKvLog } from "./parse.ts";
import { PartSearch } from "./wgl.ts";

afterAll(() => closeWorkers());

const parse = (options: GenerateOptions) => {
  const g = generateHistory(options);
  const ops: Operation[] = g.format === "kv" ? parseKvLog(g.text, "gen.txt") : parseEtcdLog(g.text, "gen.log");
  const model: AnyModel = g.format === "kv" ? kvModel : registerModel;
  return { g, ops, model };
};

describe("generated histories", () => {
  it("are the same for the same seed and differ for another", () => {
    const a = generateHistory({ model: "kv", clients: 5, ops: 100, seed: 1 });
    expect(generateHistory({ model: "kv", clients: 5, ops: 100, seed: 1 }).text).toBe(a.text);
    expect(generateHistory({ model: "kv", clients: 5, ops: 100, seed: 2 }).text).not.toBe(a.text);
    expect(a.text.trim().split("\n")).toHaveLength(200);
  });

  it("overlap at random, and write Jepsen's renumbered process after an indeterminate operation", () => {
    const { ops } = parse({ model: "register", clients: 10, ops: 400, seed: 3, indeterminate: 0.2, spaces: true });
    const known = ops.filter((o) => o.return !== Infinity);
    const overlapping = known.filter((a) => known.some((b) => b !== a && b.call < a.return && a.call < b.return));
    expect(overlapping.length).toBeGreaterThan(known.length / 2);
    expect(ops.some((o) => o.return === Infinity)).toBe(true);
    expect(new Set(ops.map((o) => o.process)).size).toBeGreaterThan(10);
  });

  const cases: [GenerateOptions["model"], number, string, Anomaly | undefined][] = [];
  for (const model of ["register", "kv"] as const) {
    for (const clients of [1, 10, 50]) {
      for (const anomaly of [undefined, "stale-read", "lost-write", ...(model === "kv" ? ["duplicated-append" as const] : [])] as (Anomaly | undefined)[]) {
        cases.push([model, clients, anomaly ?? "no anomaly", anomaly]);
      }
    }
  }
  it.each(cases)("%s, %i clients, %s: the checker finds exactly the injected anomaly", (model, clients, _, anomaly) => {
    // The register is one key, so fewer operations keep 50 clients decidable.
    const { g, ops, model: m } = parse({ model, clients, ops: model === "kv" ? 1000 : 150, seed: 100 + clients, ...(anomaly !== undefined ? { anomaly } : {}), overlap: 0.5, ...(model === "register" ? { indeterminate: 0.05 } : {}) });
    expect(g.linearizable).toBe(anomaly === undefined);
    const r = checkLinearizability(m, ops);
    expect(r.valid).toBe(g.linearizable);
    if (anomaly !== undefined) {
      // The illegal part is the anomaly's key: the read o2 is in it (every line is an event, time = line - 1).
      const bad = r.parts.find((p) => p.outcome === "illegal")!;
      expect(bad.ops.some((o) => o.return === g.anomaly!.readLine - 1)).toBe(true);
    }
  });

  it("a duplicated append shows its token twice in the read after it, and nowhere else", () => {
    const g = generateHistory({ model: "kv", clients: 10, ops: 300, seed: 5, anomaly: "duplicated-append" });
    const lines = g.text.split("\n");
    const token = /:value "([^"]*)"/.exec(lines[g.anomaly!.writeLine - 1]!)![1]!;
    expect(lines[g.anomaly!.readLine - 1]!.split(token)).toHaveLength(3);
    expect(lines.filter((l) => l.includes(`:f :append`) && l.includes(`"${token}"`))).toHaveLength(2); // invoke, ok
  });

  it("50 clients, one part the search cannot finish and an illegal one: decided illegal, not unknown", () => {
    // Seed 9: the first key's part is still undecided after 300,000 steps on its own (so searching the parts
    // one after the other would stay there), while the stale read on another key is refuted in a few hundred.
    const { ops } = parse({ model: "kv", clients: 50, ops: 2000, seed: 9, anomaly: "stale-read", overlap: 1.5 });
    const parts = kvModel.partition!(ops as Operation<never, never>[]);
    const first = new PartSearch(kvModel, parts[0]!);
    expect(first.run(300_000)).toBe("running");
    const r = checkLinearizability(kvModel, ops);
    expect(r.valid).toBe(false);
    expect(r.parts.reduce((sum, p) => sum + p.steps, 0)).toBeLessThan(300_000);
    expect(r.skippedParts).toBeGreaterThan(0);
  });

  it("on two threads: the same verdicts; all parts with stopAtFirstIllegal false; unknown on abort and on no budget", async () => {
    for (const anomaly of [undefined, "lost-write"] as const) {
      const { ops, g } = parse({ model: "kv", clients: 50, ops: 2000, seed: 21, ...(anomaly !== undefined ? { anomaly } : {}) });
      const r = await checkLinearizabilityAsync(kvModel, ops, { threads: 2 });
      expect(r.valid).toBe(g.linearizable);
      expect(r.parts.length + r.skippedParts).toBe(10);
      const all = await checkLinearizabilityAsync(kvModel, ops, { threads: 2, stopAtFirstIllegal: false });
      expect(all.skippedParts).toBe(0);
      expect(all.parts.filter((p) => p.outcome === "illegal")).toHaveLength(g.linearizable ? 0 : 1);
      expect(all.parts.every((p) => p.outcome !== "unknown")).toBe(true);
    }
    // The 50-client checks above ran long enough (over 2 ms) to bring in a worker thread.
    expect(workerThreads()).toBe(1);
    // Two checks at once share the worker; each gets its own answers.
    const both = await Promise.all([undefined, "duplicated-append" as const].map((anomaly) => {
      const { ops } = parse({ model: "kv", clients: 50, ops: 2000, seed: 22, ...(anomaly !== undefined ? { anomaly } : {}) });
      return checkLinearizabilityAsync(kvModel, ops, { threads: 2 });
    }));
    expect(both.map((r) => r.valid)).toEqual([true, false]);
    const { ops } = parse({ model: "kv", clients: 50, ops: 2000, seed: 9, overlap: 1.5 });
    expect((await checkLinearizabilityAsync(kvModel, ops, { threads: 2, timeoutMs: 0 })).valid).toBe("unknown");
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    expect((await checkLinearizabilityAsync(kvModel, ops, { threads: 2, signal: ac.signal, timeoutMs: 600_000 })).valid).toBe("unknown");
  });
});

/** Linearizable by brute force: some order of all operations (unknown ones may be left out) that respects real time. */
function bruteForce(model: AnyModel, ops: readonly Operation[]): boolean {
  const n = ops.length;
  const go = (done: number, state: unknown): boolean => {
    const pending = ops.map((_, i) => i).filter((i) => (done & (1 << i)) === 0);
    if (pending.every((i) => ops[i]!.return === Infinity)) return true;
    for (const i of pending) {
      const op = ops[i]!;
      // Only an operation called before every pending one returned may go next.
      if (pending.some((j) => ops[j]!.return < op.call)) continue;
      const next = model.step(state, op.input, op.return === Infinity ? undefined : op.output);
      if (next !== ILLEGAL && go(done | (1 << i), next)) return true;
    }
    return false;
  };
  return n === 0 || go(0, model.init());
}

describe("the search against brute force on small random histories (right and wrong outputs)", () => {
  let seed = 7;
  const random = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  const history = (make: () => [string, unknown, unknown]): Operation[] => {
    const n = 2 + Math.floor(random() * 6);
    const ops: Operation[] = [];
    for (let i = 0; i < n; i++) {
      const call = Math.floor(random() * 10);
      const ret = random() < 0.1 ? Infinity : call + 1 + Math.floor(random() * 5);
      const [f, input, output] = make();
      ops.push(ret === Infinity ? { id: i, process: String(i), f, input, call, return: ret } : { id: i, process: String(i), f, input, output, call, return: ret });
    }
    return ops;
  };
  it.each([
    ["register (read, write, cas)", registerModel, (): [string, unknown, unknown] => {
      const v = Math.floor(random() * 3);
      const r = random();
      return r < 0.45 ? ["read", { op: "read" }, random() < 0.3 ? null : v] : r < 0.8 ? ["write", { op: "write", value: v }, null] : ["cas", { op: "cas", from: v, to: (v + 1) % 3 }, random() < 0.5];
    }],
    ["kv (get, put, append on one key)", kvModel, (): [string, unknown, unknown] => {
      const v = ["a", "b", "ab"][Math.floor(random() * 3)]!;
      const r = random();
      return r < 0.45 ? ["get", { op: "get", key: "k" }, ["", "a", "b", "ab", "ba", "aa"][Math.floor(random() * 6)]] : r < 0.7 ? ["put", { op: "put", key: "k", value: v }, null] : ["append", { op: "append", key: "k", value: v }, null];
    }],
  ] as const)("%s: agrees on 2,000 of them", (_, model, make) => {
    let illegal = 0;
    for (let k = 0; k < 2000; k++) {
      const ops = history(make);
      const expected = bruteForce(model, ops);
      if (!expected) illegal++;
      expect(checkLinearizability(model, ops).valid, JSON.stringify(ops)).toBe(expected);
    }
    expect(illegal).toBeGreaterThan(200);
    expect(illegal).toBeLessThan(1800);
  });
});
