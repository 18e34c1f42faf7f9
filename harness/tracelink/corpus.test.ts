// The TraceLink checks on the real PGo traces of testdata/tracelink/pgo: every run passes every check
// (the README says the bad_vclocks sets do too), and damaged copies are each caught by the check that should.
import { PGO_TRACES } from "../../testdata/paths.ts";
import { cp, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import type { CheckResult } from "../check/checker.ts";
import { traceLinkChecker } from "./index.ts";
import { listTraceFiles } from "./reader.ts";

const corpus = PGO_TRACES;
const runs = async (set: string) => (await readdir(join(corpus, set))).sort().map((r) => join(corpus, set, r));
const check = async (dir: string) => traceLinkChecker().check({ tracesDir: dir, artifactsDir: tmpdir() });
const byName = (results: CheckResult[]) => new Map(results.map((r) => [r.name.replace("tracelink/", ""), r]));

const CHECKS = ["parse", "one-instance-per-file", "own-clock-is-line", "clock-monotone", "pc-continuity", "old-value", "causal-replay", "mailbox-matching", "time-sanity"];

describe("the corpus", () => {
  for (const set of ["dqueue/ok", "locksvc/ok", "raftkvs-1server/ok", "dqueue/bad_vclocks", "locksvc/bad_vclocks"]) {
    test(`every run of ${set} passes every check`, async () => {
      for (const run of await runs(set)) {
        const results = await check(run);
        expect(results.map((r) => r.name.replace("tracelink/", ""))).toEqual(CHECKS);
        for (const r of results) expect(r.valid, `${basename(run)} ${r.name}: ${r.summary}`).toBe(true);
        const mailbox = byName(results).get("mailbox-matching")!;
        // The corpus matches strictly: no message passed over as lost.
        expect((mailbox.details as { lost: number }).lost, `${basename(run)}`).toBe(0);
        // Mailbox matching is not vacuous where the run exchanged messages.
        if (!set.startsWith("locksvc") || (mailbox.details as { mailboxes: string[] }).mailboxes.length > 0) {
          expect((mailbox.details as { matched: number }).matched, `${basename(run)}`).toBeGreaterThan(0);
        }
      }
    });
  }
});

// ---- damaged copies ----

const temps: string[] = [];
afterAll(async () => {
  for (const t of temps) await rm(t, { recursive: true, force: true });
});

interface Copy {
  dir: string;
  files: string[];
  lines(file: string): Promise<string[]>;
  write(file: string, lines: string[]): Promise<void>;
}

async function copyOf(run: string): Promise<Copy> {
  const dir = await mkdtemp(join(tmpdir(), "tracelink-"));
  temps.push(dir);
  await cp(run, dir, { recursive: true });
  return {
    dir,
    files: (await listTraceFiles(dir)).map((f) => basename(f)),
    lines: async (file) => (await readFile(join(dir, file), "utf8")).split("\n").filter((l) => l !== ""),
    write: (file, lines) => writeFile(join(dir, file), lines.join("\n") + "\n"),
  };
}

/** The run of a set with the most bytes, except for raftkvs (its runs are alike and 3.5 MB each). */
async function sample(set: string): Promise<string> {
  const all = await runs(set);
  if (set.startsWith("raftkvs")) return all[0]!;
  const sizes = await Promise.all(all.map(async (r) => (await Promise.all((await readdir(r)).map((f) => stat(join(r, f))))).reduce((s, x) => s + x.size, 0)));
  return all[sizes.indexOf(Math.max(...sizes))]!;
}

async function expectCaught(dir: string, name: string, place: RegExp): Promise<void> {
  const r = byName(await check(dir)).get(name)!;
  expect(r.valid, r.summary).toBe(false);
  expect(r.summary).toMatch(place);
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
type Rec = { clock: [[string, string], number][]; isAbort: boolean; self: string; csElements: { tag: string; name: { name: string }; indices: string[]; value: string }[] };

describe("damaged copies are caught", () => {
  for (const set of ["dqueue/ok", "locksvc/ok", "raftkvs-1server/ok"]) {
    test(`${set}: a deleted line, two swapped lines, a bumped clock entry, a corrupted mailbox value, a dropped file`, async () => {
      const run = await sample(set);
      const mailbox = set.startsWith("locksvc") ? "network" : "net";

      // The longest file; damage in its middle.
      const c1 = await copyOf(run);
      const lengths = await Promise.all(c1.files.map(async (f) => (await c1.lines(f)).length));
      const longest = c1.files[lengths.indexOf(Math.max(...lengths))]!;
      const lines = await c1.lines(longest);
      const mid = Math.floor(lines.length / 2); // 0-based; line mid+1
      await c1.write(longest, lines.filter((_, i) => i !== mid));
      await expectCaught(c1.dir, "own-clock-is-line", new RegExp(`^1 violation\\(s\\): ${esc(longest)}:${mid + 1}: own clock entry is ${mid + 2}, expected ${mid + 1}`));

      const c2 = await copyOf(run);
      const swapped = [...lines];
      [swapped[mid], swapped[mid - 1]] = [swapped[mid - 1]!, swapped[mid]!];
      await c2.write(longest, swapped);
      await expectCaught(c2.dir, "own-clock-is-line", new RegExp(`${esc(longest)}:${mid}: own clock entry is ${mid + 1}, expected ${mid}`));

      // Bump another instance's entry far beyond its last record: the replay waits forever at that line.
      const c3 = await copyOf(run);
      let bumped: { file: string; line: number } | undefined;
      for (const f of c3.files) {
        const ls = await c3.lines(f);
        const i = ls.findIndex((l) => (JSON.parse(l) as Rec).clock.length > 1);
        if (i < 0) continue;
        const r = JSON.parse(ls[i]!) as Rec;
        const other = r.clock.findIndex(([[, s]]) => s !== r.self);
        r.clock[other]![1] += 1_000_000;
        ls[i] = JSON.stringify(r);
        await c3.write(f, ls);
        bumped = { file: f, line: i + 1 };
        break;
      }
      expect(bumped).toBeDefined();
      await expectCaught(c3.dir, "causal-replay", new RegExp(`${esc(bumped!.file)}:${bumped!.line}: the replay is stuck: .* waits on .*#\\d{7}`));

      // Corrupt the value of a committed mailbox read.
      const c4 = await copyOf(run);
      let corrupted: { file: string; line: number } | undefined;
      for (const f of c4.files) {
        const ls = await c4.lines(f);
        const i = ls.findIndex((l) => {
          const r = JSON.parse(l) as Rec;
          return !r.isAbort && r.csElements.some((e) => e.tag === "read" && e.name.name === mailbox);
        });
        if (i < 0) continue;
        const r = JSON.parse(ls[i]!) as Rec;
        r.csElements.find((e) => e.tag === "read" && e.name.name === mailbox)!.value = '"corrupted"';
        ls[i] = JSON.stringify(r);
        await c4.write(f, ls);
        corrupted = { file: f, line: i + 1 };
        break;
      }
      expect(corrupted).toBeDefined();
      await expectCaught(c4.dir, "mailbox-matching", new RegExp(`${esc(corrupted!.file)}:${corrupted!.line}: .* reads ${mailbox}\\[\\S+\\] = "corrupted", which matches no sender`));

      // Drop the file of the instance that sent the first mailbox message read above: its receiver waits on it.
      const c5 = await copyOf(run);
      const reader = JSON.parse((await c5.lines(corrupted!.file))[corrupted!.line - 1]!) as Rec;
      const senders = reader.clock.map(([[, s]]) => s).filter((s) => s !== reader.self);
      const victim = c5.files.find((f) => f.startsWith(`trace-${senders[0]}-`))!;
      await rm(join(c5.dir, victim));
      await expectCaught(c5.dir, "causal-replay", new RegExp(`the replay is stuck: .* waits on \\S+:${esc(senders[0]!)} #\\d+ \\(0 consumed, and no trace file holds that instance\\)`));
    });
  }

  test("unusable input: a broken line is a parse failure and the replay is not run", async () => {
    const c = await copyOf(await sample("dqueue/ok"));
    const ls = await c.lines(c.files[0]!);
    ls[2] = ls[2]!.slice(0, 40);
    await c.write(c.files[0]!, ls);
    const results = byName(await check(c.dir));
    expect(results.get("parse")!.valid).toBe(false);
    expect(results.get("parse")!.summary).toMatch(new RegExp(`${esc(c.files[0]!)}:3: expected a JSON object`));
    expect(results.get("causal-replay")!.valid).toBe("unknown");
    // A record that is valid JSON but holds a malformed TLA+ value: a parse failure at that line.
    const c2 = await copyOf(await sample("dqueue/ok"));
    const ls2 = await c2.lines(c2.files[0]!);
    ls2[3] = ls2[3]!.replace(/"value":"\\"AProducer\.(\w+)\\""/, '"value":"<<1, "');
    await c2.write(c2.files[0]!, ls2);
    const tla = byName(await check(c2.dir)).get("parse")!;
    expect(tla.summary).toMatch(new RegExp(`^1 violation\\(s\\): ${esc(c2.files[0]!)}:4: TLA\\+ value at offset 5: expected a value .* got the end`));
    const empty = await mkdtemp(join(tmpdir(), "tracelink-"));
    temps.push(empty);
    expect(byName(await check(empty)).get("parse")!.summary).toMatch(/no trace-\*\.log files/);
  });
});
