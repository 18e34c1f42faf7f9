import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkLinearizability } from "./check.ts";
import { referenceHistories } from "../../testdata/linearizability.ts";
import { loadHistory, modelFor } from "./load.ts";
import { explainViolation, prefixAt } from "./explain.ts";
import { ILLEGAL } from "./model.ts";
import { writeTimeline } from "./timeline.ts";

const histories = await referenceHistories();
const dir = await mkdtemp(join(tmpdir(), "history-explain-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("explaining a violation", () => {
  const bad = histories.filter((h) => !h.linearizable && ["etcd_000.log", "etcd_001.log", "c01-bad.txt", "c10-bad.txt"].includes(h.file));
  it.each(bad.map((h) => [h.file, h] as const))("%s: a set that is itself illegal, from the shortest illegal prefix", async (_, h) => {
    const model = modelFor(h.format);
    const ops = await loadHistory(h.format, h.path);
    const part = checkLinearizability(model, ops).parts.find((p) => p.outcome === "illegal")!;
    const e = explainViolation(model, part.ops);
    expect(e.isMinimal).toBe(true);
    // The set proves the violation on its own...
    expect(checkLinearizability(model, e.minimal).valid).toBe(false);
    // ...it ends at the cut, and the prefix just before the cut is still linearizable.
    expect(e.failing?.return).toBe(e.cut);
    const earlier = Math.max(...part.ops.filter((op) => op.return < e.cut).map((op) => op.return));
    expect(checkLinearizability(model, prefixAt(part.ops, earlier)).valid).toBe(true);
    // ...and no read in it can be dropped.
    for (const op of e.minimal.filter((o) => model.readOnly?.(o) === true && o !== e.failing)) {
      expect(checkLinearizability(model, e.minimal.filter((o) => o !== op)).valid).toBe(true);
    }
    expect(e.text).toContain(`#${e.failing!.id}`);
    // The failing operation's result fits none of the states it could have met.
    expect(e.before?.complete).toBe(true);
    expect(e.before!.states.length).toBeGreaterThan(0);
    for (const st of e.before!.states) expect(model.step(st, e.failing!.input, e.failing!.output)).toBe(ILLEGAL);
    expect(e.text).toMatch(/could only take effect in state\(s\) .*; its result fits none of them/);
    expect(e.text).toMatch(/cannot be linearized/);
  });
  it("writes a self-contained HTML timeline with one lane per process and the set highlighted", async () => {
    const h = histories.find((x) => x.file === "c10-bad.txt")!;
    const model = modelFor(h.format);
    const ops = await loadHistory(h.format, h.path);
    const part = checkLinearizability(model, ops).parts.find((p) => p.outcome === "illegal")!;
    const e = explainViolation(model, part.ops);
    const path = await writeTimeline(join(dir, "timeline.html"), model, ops, { title: "c10-bad", highlight: e.minimal.map((o) => o.id), text: e.text });
    const html = await readFile(path, "utf8");
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script[^>]*src=|<link /); // nothing outside the file
    expect(html.match(/class="lane"/g)).toHaveLength(new Set(ops.map((o) => o.process)).size);
    expect(html.match(/class="op[ "]/g)).toHaveLength(ops.length);
    expect(html.match(/class="op bad"|class="op unknown bad"/g)).toHaveLength(e.minimal.length);
    for (const op of e.minimal) expect(html).toContain(`data-id="${op.id}"`);
    expect(html).toContain("get(&#34;0&#34;) -&#62; &#34;x 9 0 yx 0 0 yx 8 0 y&#34;");
  });
});
