// The basic trace checks on real PGo traces (../shared/corpus/tracelink) and on damaged copies of them.
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { everyRequestAnswered } from "../../systems/raftkvs/checks.ts";
import { traceBasicsChecker } from "./trace-basics.ts";

const corpus = join(import.meta.dirname, "../../../shared/corpus/tracelink");
const runs = async (set: string) => (await readdir(join(corpus, set))).sort().map((r) => join(corpus, set, r));
const check = async (dir: string, checker = traceBasicsChecker()) => (await checker.check({ tracesDir: dir, artifactsDir: tmpdir() }))[0]!;

const temps: string[] = [];
afterAll(async () => {
  for (const t of temps) await rm(t, { recursive: true, force: true });
});

async function damagedCopy(run: string, damage: (files: string[], dir: string) => Promise<void>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "trace-"));
  temps.push(dir);
  await cp(run, dir, { recursive: true });
  await damage((await readdir(dir)).filter((f) => f.startsWith("trace-")).sort(), dir);
  return dir;
}

describe("basic TraceLink checks", () => {
  test("every ok run of the corpus passes", async () => {
    for (const set of ["dqueue/ok", "locksvc/ok", "raftkvs-1server/ok"]) {
      for (const run of await runs(set)) {
        const r = await check(run);
        expect(r.valid, `${run}: ${r.summary}`).toBe(true);
      }
    }
  });

  test("a deleted line, a bumped clock entry and a broken line are each caught with file:line", async () => {
    // The first run has 2 lines per file; the second has 11.
    const run = (await runs("dqueue/ok"))[1];
    const editFirst = (edit: (lines: string[]) => void) => async (files: string[], dir: string) => {
      const path = join(dir, files[0]!);
      const lines = (await readFile(path, "utf8")).split("\n");
      edit(lines);
      await writeFile(path, lines.join("\n"));
    };
    const deleted = await check(await damagedCopy(run!, editFirst((l) => l.splice(1, 1))));
    expect(deleted.valid).toBe(false);
    expect(deleted.summary).toMatch(/trace-.*\.log:2: own clock entry is 3, expected 2/);
    const bumped = await check(await damagedCopy(run!, editFirst((l) => { l[0] = l[0]!.replace(/\],1\]/, "],7]"); })));
    expect(bumped.summary).toMatch(/:1: own clock entry is (7|missing), expected 1/);
    const broken = await check(await damagedCopy(run!, editFirst((l) => { l[2] = l[2]!.slice(0, 40); })));
    expect(broken.summary).toMatch(/:3: expected a JSON object/);
    const empty = await check(await damagedCopy(run!, async (files, dir) => { for (const f of files) await rm(join(dir, f)); }));
    expect(empty.summary).toMatch(/no trace-\*\.log files/);
  });

  test("raftkvs client: every request answered on the corpus; a dropped response is caught", async () => {
    for (const run of await runs("raftkvs-1server/ok")) {
      const r = await check(run, everyRequestAnswered());
      expect(r.valid, `${run}: ${r.summary}`).toBe(true);
    }
    const [run] = await runs("raftkvs-1server/ok");
    const dropped = await damagedCopy(run!, async (files, dir) => {
      for (const f of files) {
        const path = join(dir, f);
        const text = await readFile(path, "utf8");
        if (!text.startsWith('{"archetypeName":"AClient"')) continue;
        const lines = text.split("\n");
        const last = lines.findLastIndex((l) => l.includes('"name":"respCh"'));
        lines[last] = lines[last]!.replace('"name":"respCh"', '"name":"respChX"');
        await writeFile(path, lines.join("\n"));
      }
    });
    const r = await check(dropped, everyRequestAnswered());
    expect(r.valid).toBe(false);
    expect(r.summary).toMatch(/request never answered|had no response/);
  });
});
