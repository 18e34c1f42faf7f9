// The offline command's output and exit codes: 0 on the corpus's good traces, 1 on a damaged copy, 2 on
// unusable input.
import { PGO_TRACES } from "../../testdata/paths.ts";
import { existsSync } from "node:fs";
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, expect, test } from "vitest";
import { command } from "./trace.ts";

const run = join(PGO_TRACES, "dqueue/ok/4161323826586722756");
const temps: string[] = [];
afterAll(async () => {
  for (const t of temps) await rm(t, { recursive: true, force: true });
});

async function trace(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const sink = (add: (s: string) => void) => new Writable({ write: (chunk, _enc, done) => { add(String(chunk)); done(); } });
  const code = await command.run(args, sink((s) => (out += s)), sink((s) => (err += s)));
  return { code, out, err };
}

async function damaged(edit: (lines: string[]) => void): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "cli-"));
  temps.push(dir);
  await cp(run, dir, { recursive: true });
  const file = join(dir, (await readdir(dir)).sort()[0]!);
  const lines = (await readFile(file, "utf8")).split("\n");
  edit(lines);
  await writeFile(file, lines.join("\n"));
  return dir;
}

test("trace check: exit 0 and a summary of files, records and every check on good traces", async () => {
  const r = await trace("check", run);
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/2 trace file\(s\), 22 record\(s\), .*mailboxes: net\n/);
  for (const name of ["parse", "one-instance-per-file", "own-clock-is-line", "clock-monotone", "pc-continuity", "old-value", "causal-replay", "mailbox-matching", "time-sanity"]) {
    expect(r.out).toContain(`ok   tracelink/${name}: `);
  }
});

test("trace check: exit 1 on a violation, naming the check and the place", async () => {
  const r = await trace("check", await damaged((l) => l.splice(0, 1)));
  expect(r.code).toBe(1);
  expect(r.out).toMatch(/FAIL tracelink\/own-clock-is-line: 1 violation\(s\): trace-0-\d+\.log:1: own clock entry is 2, expected 1/);
});

test("trace check --mailboxes and --no-message-loss reach the checker", async () => {
  const none = await trace("check", "--mailboxes", "", run);
  expect(none.out).toMatch(/mailboxes: none\n/);
  const named = await trace("check", "--no-message-loss", "--mailboxes", "net", run);
  expect([named.code, named.out]).toEqual([0, expect.stringMatching(/ok   tracelink\/mailbox-matching: 6 committed reads of net each match/)]);
  // Declaring the producer's local s (read, never written) a mailbox: its reads match no write.
  const wrong = await trace("check", "--mailboxes", "net,s", run);
  expect(wrong.code).toBe(1);
  expect((await trace("check", "--bogus", run)).err).toMatch(/^pgo-harness: unknown option --bogus/);
});

test("trace check and shiviz: exit 2 on unusable input", async () => {
  const broken = await trace("check", await damaged((l) => { l[1] = l[1]!.slice(0, 30); }));
  expect(broken.code).toBe(2);
  expect(broken.out).toMatch(/FAIL tracelink\/parse: 1 violation\(s\): trace-0-\d+\.log:2: expected a JSON object/);
  expect(broken.out).toMatch(/skip tracelink\/causal-replay/);
  const empty = await mkdtemp(join(tmpdir(), "cli-"));
  temps.push(empty);
  expect((await trace("check", empty)).code).toBe(2);
  const missing = await trace("check", join(empty, "nope"));
  expect([missing.code, missing.err]).toEqual([2, `pgo-harness: "${join(empty, "nope")}" is not a directory\n`]);
  expect((await trace("check")).code).toBe(2);
  expect((await trace("frobnicate", run)).err).toMatch(/^usage: /);
  expect((await trace("shiviz", join(empty, "nope"))).code).toBe(2);
});

test("trace shiviz: writes the ShiViz log when harness/tracelink/shiviz.ts is present, else exit 2 saying so", async () => {
  const present = existsSync(join(import.meta.dirname, "../tracelink/shiviz.ts"));
  const r = await trace("shiviz", run);
  if (present) {
    expect(r.code, r.err).toBe(0);
    // One event per section: the dqueue run has 22 records, each naming its host archetype:self.
    expect(r.out).toMatch(/AProducer:0/);
    expect(r.out).toMatch(/AConsumer:1/);
  } else {
    expect([r.code, r.err]).toEqual([2, "pgo-harness: the ShiViz export is not available in this build (harness/tracelink/shiviz.ts)\n"]);
  }
});

test("trace validate --spec: 0 a behaviour of the design, 1 not (with the explanation), 3 undecided, 2 unusable", async () => {
  const spec = join(import.meta.dirname, "../../testdata/specs/pingpong/pingpong.tla");
  const runs = join(import.meta.dirname, "../../testdata/tracelink/pingpong");
  const ok = await trace("validate", "--spec", spec, join(runs, "ok"));
  expect(ok.code).toBe(0);
  expect(ok.out).toMatch(/17 record\(s\), \d+ state\(s\) explored .*\nok   a behaviour of the spec\n/);
  const bad = await trace("validate", "--spec", spec, join(runs, "mutants", "total"));
  expect(bad.code).toBe(1);
  expect(bad.out).toContain("FAIL the step is not one the spec allows");
  expect(bad.out).toContain("total := 3");
  expect((await trace("validate", "--spec", spec, "--max-states", "3", join(runs, "ok"))).code).toBe(3);
  expect((await trace("validate", "--spec", join(runs, "nope.tla"), join(runs, "ok"))).code).toBe(2);
  const noMpcal = await mkdtemp(join(tmpdir(), "cli-"));
  temps.push(noMpcal);
  await writeFile(join(noMpcal, "x.tla"), "---- MODULE x ----\nA == 1\n====\n");
  const unusable = await trace("validate", "--spec", join(noMpcal, "x.tla"), join(runs, "ok"));
  expect(unusable.code).toBe(2);
  expect(unusable.err).toMatch(/no "--mpcal" algorithm/);
  expect((await trace("validate", join(runs, "ok"))).code).toBe(2);
  // A construct the evaluator does not know is no verdict: exit 2 naming it, not a violation.
  const odd = join(noMpcal, "pingpong.tla");
  await writeFile(odd, (await readFile(spec, "utf8")).replace('ping(self) == /\\ pc[self] = "ping"', 'ping(self) == /\\ pc[self] = "ping" /\\ NotAnOperator(1)'));
  await writeFile(join(noMpcal, "pingpongValidate.cfg"), "CONSTANTS\n  NUM_PINGS = 2\n");
  const unknownName = await trace("validate", "--spec", odd, join(runs, "ok"));
  expect(unknownName.err).toMatch(/pingpong\.tla:\d+: unknown name NotAnOperator/);
  expect(unknownName.code).toBe(2);
});
