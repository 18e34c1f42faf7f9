import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { linearizabilityChecker } from "../history/checkers.ts";
import { LIN_HISTORIES as LIN_CORPUS, PGO_TRACES } from "../../testdata/paths.ts";
import { command } from "./lin.ts";

const dir = await mkdtemp(join(tmpdir(), "lin-cli-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const o = vi.spyOn(process.stdout, "write").mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, "write").mockImplementation((s) => ((err += String(s)), true));
  try {
    return { code: await command.run(args), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe("pgo-harness lin check", () => {
  it("prints linearizable and exits 0 on a linearizable history", async () => {
    const r = await run(["check", "--model", "kv", join(LIN_CORPUS, "kv/c10-ok.txt")]);
    expect(r).toMatchObject({ code: 0, out: "linearizable\n" });
  });
  it("prints not linearizable with the explanation, writes the timeline, and exits 1", async () => {
    const r = await run(["check", "--model", "etcd", "--html", dir, join(LIN_CORPUS, "etcd/etcd_001.log")]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^not linearizable\nThe history stops being linearizable when #\d+/);
    expect(await readdir(dir)).toContain("etcd_001.log-timeline.html");
  });
  it("prints unknown and exits 3 when the budget runs out", async () => {
    const r = await run(["check", "--model", "etcd", "--timeout", "0", join(LIN_CORPUS, "etcd/etcd_002.log")]);
    expect(r).toMatchObject({ code: 3, out: "unknown\n" });
  });
  it("exits 2 on unusable input, naming the problem", async () => {
    expect((await run(["check", join(LIN_CORPUS, "kv/c01-ok.txt")])).err).toMatch(/--model must be etcd, kv or raftkvs, got nothing/);
    expect((await run(["check", "--model", "raftkvs", join(LIN_CORPUS, "kv/c01-ok.txt")])).err).toMatch(/is not a directory of trace files/);
    expect((await run(["check", "--model", "kv", join(dir, "missing.txt")])).code).toBe(2);
    const junk = join(dir, "junk.txt");
    await writeFile(junk, "{:process 0, :type :ok}\n");
    const r = await run(["check", "--model", "kv", junk]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/junk\.txt:1: expected/);
    expect((await run(["check", "--model", "etcd", join(LIN_CORPUS, "kv/c01-ok.txt")])).err).toMatch(/no "INFO jepsen.util/);
  });
  it("derives the raftkvs history from a run's traces, and checks dqueue's queue", async () => {
    const traces = PGO_TRACES;
    const raft = join(traces, "raftkvs-1server/ok/12183258352510483490");
    expect(await run(["check", "--model", "raftkvs", raft])).toMatchObject({ code: 0, out: "linearizable\n" });
    const dq = await run(["queue", join(traces, "dqueue/ok/4161323826586722756")]);
    expect(dq).toMatchObject({ code: 0 });
    expect(dq.out).toMatch(/^ok: .*3 produced, 3 consumed, 0 in flight/);
    expect((await run(["queue", join(dir, "nowhere")])).code).toBe(2);
  });
  it("re-checks the history.jsonl a checker wrote, and names the line of a bad one", async () => {
    const raft = join(PGO_TRACES, "raftkvs-1server/ok/12183258352510483490");
    const art = join(dir, "jsonl");
    await mkdir(art);
    await linearizabilityChecker().check({ tracesDir: raft, artifactsDir: art });
    const jsonl = join(art, "history.jsonl");
    expect(await run(["check", "--model", "kv", jsonl])).toMatchObject({ code: 0, out: "linearizable\n" });
    const text = await readFile(jsonl, "utf8");
    // A get that returns a value never put is caught from the file too.
    const bad = join(dir, "bad.jsonl");
    await writeFile(bad, text.replace(/"output":"value0"/, '"output":"never"'));
    expect((await run(["check", "--model", "kv", bad])).code).toBe(1);
    await writeFile(bad, text.replace(/"op":"get"/, '"op":"scan"'));
    const r = await run(["check", "--model", "kv", bad]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad\.jsonl:\d+: "input\.op"/);
  });
});
