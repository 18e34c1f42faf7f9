// The streaming reader on real PGo traces and on malformed input.
import { PGO_TRACES } from "../../testdata/paths.ts";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, onTestFinished, test } from "vitest";
import { listTraceFiles, readTrace, selfOfFile } from "./reader.ts";

const corpus = PGO_TRACES;

test("reads every record of a dqueue run, in line order, with the self the file name claims", async () => {
  const run = join(corpus, "dqueue/ok", (await readdir(join(corpus, "dqueue/ok"))).sort()[0]!);
  const files = await listTraceFiles(run);
  expect(files.length).toBe(2);
  for (const file of files) {
    let expected = 1;
    for await (const { line, record } of readTrace(file)) {
      expect(line).toBe(expected++);
      expect(record.self).toBe(selfOfFile(file));
      expect(record.csElements[0]?.name.name).toBe(".pc");
    }
    expect(expected).toBeGreaterThan(1);
  }
});

test("a malformed line throws naming file, line and what was expected", async () => {
  const dir = await mkdtemp(join(tmpdir(), "reader-"));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const good = '{"archetypeName":"A","self":"1","clock":[[["A","1"],1]],"csElements":[{"tag":"read","name":{"name":".pc","prefix":"","self":"1"},"indices":[],"value":"\\"A.l\\""}],"isAbort":false,"startTime":"2025-03-14T23:17:08.73471688Z","endTime":"2025-03-14T23:17:08.73471688Z"}';
  const read = async (text: string) => {
    const path = join(dir, "trace-1-7.log");
    await writeFile(path, text);
    const out = [];
    for await (const r of readTrace(path)) out.push(r);
    return out;
  };
  expect((await read(`${good}\n\n${good}\n`)).map((r) => r.line)).toEqual([1, 3]);
  await expect(read(`${good}\n{"archetypeName":`)).rejects.toThrow(/^trace-1-7\.log:2: expected a JSON object/);
  await expect(read(good.replace('"isAbort":false', '"isAbort":"no"'))).rejects.toThrow(/^trace-1-7\.log:1: "isAbort" .*boolean/);
  await expect(read(good.replace('"clock":[[["A","1"],1]]', '"clock":{}'))).rejects.toThrow(/trace-1-7\.log:1: "clock"/);
});

test("the hand-written validator agrees with recordSchema on the corpus and on damaged records", async () => {
  const { recordSchema } = await import("./record.ts");
  const { recordProblem } = await import("./reader.ts");
  const run = join(corpus, "locksvc/ok", (await readdir(join(corpus, "locksvc/ok"))).sort()[0]!);
  const samples: unknown[] = [];
  for (const file of await listTraceFiles(run)) for await (const { record } of readTrace(file)) samples.push(record);
  const base = samples[0] as Record<string, unknown>;
  const damage: [string, unknown][] = [
    ["archetypeName", ""], ["self", 3], ["clock", {}], ["clock", [[["A", "1"], -1]]], ["clock", [[["A"], 1]]], ["clock", [[["A", "1"], 1.5]]],
    ["csElements", []], ["csElements", [{ tag: "peek", name: { name: "x", prefix: "", self: "1" }, indices: [], value: "1" }]],
    ["csElements", [{ tag: "read", name: { name: "x", prefix: "", self: "1" }, indices: [1], value: "1" }]],
    ["csElements", [{ tag: "read", name: { name: "x", prefix: "", self: "1" }, indices: [], value: "1", oldValue: 2 }]],
    ["isAbort", "false"], ["startTime", "yesterday"], ["endTime", "2025-03-14 23:17:08Z"], ["endTime", "2025-03-14T23:17:08"], ["endTime", "2025-13-14T23:17:08Z"], ["startTime", "2025-03-14T24:17:08Z"],
  ];
  for (const [k, v] of damage) samples.push({ ...base, [k]: v });
  samples.push(null, [], "x");
  for (const s of samples) expect(recordProblem(s) === undefined, JSON.stringify(s).slice(0, 200)).toBe(recordSchema.safeParse(s).success);
});
