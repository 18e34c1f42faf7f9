// Traces read while the services still write them: the snapshot keeps a consistent cut (no record whose
// dependency lies beyond another file's prefix), drops a line still being written, and cuts nothing from a
// complete run. The cut of a real run read "too early" validates against the design; the whole run does too.
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { TESTDATA } from "../../testdata/paths.ts";
import { projectRoot } from "../paths.ts";
import { liveSnapshot } from "./live-snapshot.ts";
import { validateFiles } from "./spec/index.ts";

const RUN = join(TESTDATA, "tracelink/ours/dqueue/run-3items");
const SPEC = join(projectRoot, "systems/dqueue/dqueue.tla");
const root = await mkdtemp(join(tmpdir(), "live-snapshot-"));
afterAll(() => rm(root, { recursive: true, force: true }));

async function copyRun(name: string, edit: (file: string, lines: string[]) => string): Promise<string[]> {
  const dir = join(root, name);
  await (await import("node:fs/promises")).mkdir(dir);
  const out: string[] = [];
  for (const f of (await readdir(RUN)).sort()) {
    const lines = (await readFile(join(RUN, f), "utf8")).split("\n").filter((l) => l !== "");
    await writeFile(join(dir, f), edit(f, lines));
    out.push(join(dir, f));
  }
  return out;
}

const lineCount = async (files: readonly string[]) => Promise.all(files.map(async (f) => (await readFile(f, "utf8")).split("\n").filter((l) => l !== "").length));

test("a complete run is kept whole", async () => {
  const files = await copyRun("whole", (_, l) => l.map((x) => `${x}\n`).join(""));
  const snap = await liveSnapshot(files, await mkdtemp(join(root, "cut-")));
  expect(snap).toMatchObject({ records: 22, leftOut: 0 });
  expect(await lineCount(snap.files)).toEqual([11, 11]);
});

test("the producer read early: the consumer's records that depend on its unread sections are cut, and the cut validates", async () => {
  // The producer's file (self 0) as it was 6 sections in, plus half a line being written.
  const files = await copyRun("early", (f, l) => (f.startsWith("trace-0-") ? l.slice(0, 6).map((x) => `${x}\n`).join("") + l[6]!.slice(0, 40) : l.map((x) => `${x}\n`).join("")));
  const snap = await liveSnapshot(files, await mkdtemp(join(root, "cut-")));
  const [producer, consumer] = await lineCount(snap.files);
  expect(producer).toBe(6);
  expect(consumer).toBeLessThan(11);
  expect(snap.records).toBe(17);
  expect(snap.leftOut).toBe(17 - producer! - consumer!);
  // Without the cut this read is not a behaviour (a record waits on a section nobody wrote yet); with it, it is.
  expect((await validateFiles(SPEC, undefined, files.map((f) => f), { allPaths: false }).catch((e: unknown) => ({ verdict: { verdict: String(e) } }))).verdict.verdict).not.toBe("ok");
  expect((await validateFiles(SPEC, undefined, snap.files, { allPaths: false })).verdict.verdict).toBe("ok");
});

test("a cut is only ever a prefix: a value changed inside it is still caught", async () => {
  // The proc write 2 → 7 of the 3-item mutant, with the producer read early: the consumer's mutated record is
  // inside the cut when its dependencies are, so the mutant must still fail.
  const mutant = join(TESTDATA, "tracelink/ours/dqueue/3items-proc-unreceived");
  const files = (await readdir(mutant)).sort().map((f) => join(mutant, f));
  const snap = await liveSnapshot(files, await mkdtemp(join(root, "cut-")));
  expect(snap.leftOut).toBe(0);
  expect((await validateFiles(SPEC, undefined, snap.files, { allPaths: false })).verdict.verdict).toBe("violation");
});

test("the validator's time budget answers unknown, never a guess (the search is synchronous: a signal cannot stop it)", async () => {
  const run = join(TESTDATA, "tracelink/ours/raftkvs/base");
  const files = (await readdir(run)).filter((f) => f.endsWith(".log")).sort().map((f) => join(run, f));
  const spec = join(projectRoot, "systems/raftkvs/raftkvs.tla");
  const { verdict } = await validateFiles(spec, undefined, files, { allPaths: false, timeoutMs: 0 });
  expect(verdict).toMatchObject({ verdict: "unknown", reason: expect.stringMatching(/time budget/) });
  expect((await validateFiles(spec, undefined, files, { allPaths: false, timeoutMs: 600_000 })).verdict.verdict).toBe("ok");
});
