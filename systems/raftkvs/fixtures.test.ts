// The raftkvs TraceLink fixtures (testdata/tracelink/ours/raftkvs, see testdata/README.md): a run of our raftkvs
// and mutants of it, with the verdicts pgo.jar tracegen + TLC gave against raftkvs.tla. This test keeps the set
// coherent and shows what the structural checks alone can and cannot see: they reject the structural mutants and a
// message read before it was sent, and pass the semantic ones, which only the design rejects.
import { cp, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { z } from "zod";
import { traceLinkChecker } from "../../harness/tracelink/index.ts";
import { TESTDATA } from "../../testdata/paths.ts";

const FIXTURES = join(TESTDATA, "tracelink", "ours", "raftkvs");

const row = z.object({
  case: z.string().regex(/^[a-z0-9-]+$/),
  verdict: z.enum(["pass", "fail"]),
  first_error: z.string(),
  distinct_states: z.string().regex(/^(\d+|-)$/),
  seconds: z.string().regex(/^\d+$/),
  // semantic: a value or step the design forbids, the trace otherwise self-consistent; ordering: a message read
  // before it was sent (causal order); structural: a line deleted or lines swapped; stutter: a section the design
  // forbids that changes no variable, which TLC takes as a stuttering step (so it accepts it).
  kind: z.enum(["run", "semantic", "ordering", "structural", "stutter"]),
});

async function verdicts(): Promise<z.infer<typeof row>[]> {
  const [header, ...lines] = (await readFile(join(FIXTURES, "verdicts.tsv"), "utf8")).trimEnd().split("\n");
  const columns = (header ?? "").split("\t");
  return lines.map((line, i) => {
    const cells = line.split("\t");
    const parsed = row.safeParse(Object.fromEntries(columns.map((c, j) => [c, cells[j] ?? ""])));
    if (!parsed.success) throw new Error(`verdicts.tsv:${i + 2}: ${parsed.error.issues[0]?.path.join(".")} ${parsed.error.issues[0]?.message}`);
    return parsed.data;
  });
}

const work = await mkdtemp(join(tmpdir(), "raftkvs-fixtures-"));
afterAll(() => rm(work, { recursive: true, force: true }));

/** The trace set of a case: base/, with the files of mutants/<case>/ in place of theirs. */
async function traceSet(name: string): Promise<string> {
  const dir = join(work, name);
  await cp(join(FIXTURES, "base"), dir, { recursive: true });
  if (name !== "base") await cp(join(FIXTURES, "mutants", name), dir, { recursive: true });
  return dir;
}

const rows = await verdicts();

test("verdicts.tsv names base and every mutant once; TLC accepts the run and rejects every mutant but a stutter", async () => {
  const mutants = (await readdir(join(FIXTURES, "mutants"))).sort();
  expect(rows.map((r) => r.case).sort()).toEqual(["base", ...mutants].sort());
  expect(rows.find((r) => r.case === "base")?.kind).toBe("run");
  for (const r of rows) {
    expect(r.verdict, r.case).toBe(r.kind === "run" || r.kind === "stutter" ? "pass" : "fail");
    if (r.verdict === "fail") expect(r.first_error, r.case).toMatch(/^Error: /);
    else expect(r.first_error, r.case).toBe("");
  }
});

describe("structural TraceLink checks on the fixtures", () => {
  for (const r of rows) {
    const rejects = r.kind === "structural" || r.kind === "ordering";
    test(`${r.case} (${r.kind}): ${rejects ? "rejected" : "accepted"} by the structural checks`, async () => {
      const dir = await traceSet(r.case);
      const results = await traceLinkChecker().check({ tracesDir: dir, artifactsDir: join(work, `${r.case}-artifacts`) });
      const failed = results.filter((c) => c.valid !== true).map((c) => `${c.name}: ${c.summary}`);
      if (rejects) expect(failed.length, `a ${r.kind} mutant must fail a structural check`).toBeGreaterThan(0);
      else expect(failed).toEqual([]);
    });
  }
});
