// The TLC output parser on the real logs in testdata/tlc (both end before TLC finished), and on those
// logs completed with TLC's own success/failure endings (TLC 2.x wording), since the corpus holds no finished run.
import { TLC_LOGS } from "../../testdata/paths.ts";
import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { expect, test } from "vitest";
import { INVARIANT_TAIL, SUCCESS_TAIL } from "./fixtures/fake-pgo/tlc-tails.ts";
import { parseTlcDuration, parseTlcLines, parseTlcOutput, type TlcLineEvent } from "./tlc-output.ts";

const tlcDir = TLC_LOGS;
const threeServer = join(tlcDir, "raftkvs-3server-tracelink.log");
const oneServer = join(tlcDir, "raftkvs-1server-long_validate.out");

// Independent of the parser: the numbers on the log's last Progress line, read with a plain split.
function lastProgressNumbers(text: string): { count: number; generated: number; distinct: number } {
  const lines = text.split("\n").filter((l) => l.startsWith("Progress("));
  const fields = lines.at(-1)!.split(": ").at(-1)!.split(", ");
  const first = (s: string) => Number(s.split(" ")[0]!.replaceAll(",", ""));
  return { count: lines.length, generated: first(fields[0]!), distinct: first(fields[1]!) };
}

test("the 3-server TraceLink log: tracegen ok, TLC still running → incomplete, with progress and counts", async () => {
  const text = await readFile(threeServer, "utf8");
  const s = parseTlcOutput(text);
  const expected = lastProgressNumbers(text);
  expect(s.outcome).toBe("incomplete");
  expect(s.reason).toMatch(/ends before model checking finished/);
  expect(s.errors).toEqual([]); // SANY's "Semantic errors:" header only precedes warnings here
  expect(s.warnings).toBe(17);
  expect(s.tracegenMs).toBe(30775);
  expect(s.traceFilesRead).toBe(text.split("\n").filter((l) => l.startsWith("reading ")).length);
  expect(s.progressLines).toBe(expected.count);
  expect(s.statesGenerated).toBe(expected.generated);
  expect(s.distinctStates).toBe(expected.distinct);
  expect(s.counterexampleStates).toBeUndefined();
  // Starting at 01:54:13, last progress at 01:58:25.
  expect(s.durationMs).toBe(252_000);
});

test("the 20-hour 1-server log → incomplete after about 20 hours and 340 M states", async () => {
  const text = await readFile(oneServer, "utf8");
  const s = parseTlcOutput(text);
  const expected = lastProgressNumbers(text);
  expect(s.outcome).toBe("incomplete");
  expect(s.progressLines).toBe(expected.count);
  expect(s.progress.length).toBeLessThanOrEqual(200); // bounded, however long TLC runs
  expect(s.progress.at(-1)?.statesGenerated).toBe(expected.generated);
  expect(s.statesGenerated).toBeGreaterThan(340e6);
  expect(s.durationMs! / 3_600_000).toBeGreaterThan(19);
  expect(s.durationMs! / 3_600_000).toBeLessThan(21);
  expect(s.tracegenMs).toBeUndefined();
});

test("streaming: progress events arrive line by line while the log is read", async () => {
  const events: TlcLineEvent[] = [];
  const lines = createInterface({ input: createReadStream(threeServer), crlfDelay: Infinity });
  const s = await parseTlcLines(lines, (e) => events.push(e));
  const progress = events.filter((e) => e.kind === "progress");
  expect(progress.length).toBe(s.progressLines);
  expect(progress[0]?.text).toMatch(/^Progress\(187\) at 2025-07-04 01:54:25/);
  expect(events.some((e) => e.kind === "milestone" && /tracegen read 16 trace file/.test(e.text))).toBe(true);
  // Events come in log order: tracegen finishes before TLC starts.
  const tracegen = events.findIndex((e) => /tracegen read/.test(e.text));
  expect(tracegen).toBeLessThan(events.findIndex((e) => e.kind === "progress"));
});

test("the real log completed with TLC's success ending → pass, with the final counts", async () => {
  const text = await readFile(threeServer, "utf8");
  const s = parseTlcOutput(`${text}\n${SUCCESS_TAIL}\n`, 0);
  expect(s.outcome).toBe("pass");
  expect(s.reason).toMatch(/no error has been found/);
  expect(s.statesGenerated).toBe(412_977);
  expect(s.distinctStates).toBe(401_003);
  expect(s.statesLeftOnQueue).toBe(0);
  expect(s.depth).toBe(61234);
  expect(s.durationMs).toBe(287_000);
  // TLC says no error, but pgo.jar failing afterwards must not be reported as a pass.
  expect(parseTlcOutput(`${text}\n${SUCCESS_TAIL}\n`, 1).outcome).toBe("fail");
});

test("an invariant violation → fail with TLC's reason and the counterexample's length", async () => {
  const text = await readFile(threeServer, "utf8");
  const s = parseTlcOutput(`${text}\n${INVARIANT_TAIL}\n`, 1);
  expect(s.outcome).toBe("fail");
  expect(s.errorKind).toBe("violation");
  expect(s.reason).toBe("TLC: Invariant __progress_inv_3 is violated (counterexample of 3 states)");
  expect(s.counterexampleStates).toBe(3);
  expect(s.errors).toEqual(["Invariant __progress_inv_3 is violated.", "The behavior up to this point is:"]);
  expect(s.statesGenerated).toBe(352_101);
});

test("refinement, deadlock and liveness failures; lasso counterexamples count their last state", () => {
  const refinement = parseTlcOutput("Error: Action property __IsRefinement is violated.\nError: The behavior up to this point is:\nState 1: <Initial predicate>\n\nState 2: <A>\n");
  expect(refinement.reason).toBe("TLC: Action property __IsRefinement is violated (counterexample of 2 states)");
  const deadlock = parseTlcOutput("Error: Deadlock reached.\nError: The behavior up to this point is:\nState 1: <Initial predicate>\n");
  expect(deadlock.outcome).toBe("fail");
  expect(deadlock.counterexampleStates).toBe(1);
  const liveness = parseTlcOutput("Error: Temporal properties were violated.\n\nError: The following behavior constitutes a counter-example:\n\nState 1: <Initial predicate>\n\nState 2: <A>\n\n3: Back to state 1: <A>\n");
  expect(liveness.errorKind).toBe("violation");
  expect(liveness.counterexampleStates).toBe(3);
});

test("tool failures: a spec SANY rejects, pgo.jar tracegen failing, a crash", () => {
  const sany = parseTlcOutput("Semantic errors:\n\n*** Errors: 2\n\nline 3, col 1 ...\n");
  expect(sany.outcome).toBe("fail");
  expect(sany.errorKind).toBe("tool");
  expect(sany.reason).toMatch(/SANY reported 2 error/);
  const tracegen = parseTlcOutput("reading /t/trace-1-2.log...\nfailed in 120 milliseconds:\nunexpected token at trace-1-2.log\n", 1);
  expect(tracegen.outcome).toBe("fail");
  expect(tracegen.reason).toMatch(/pgo\.jar failed in 120 milliseconds/);
  const crash = parseTlcOutput("ok in 10 milliseconds\nException in thread \"main\" os.SubprocessException: CommandResult 75\n", 1);
  expect(crash.outcome).toBe("fail");
  expect(crash.reason).toMatch(/crashed/);
  expect(parseTlcOutput("", 137).reason).toMatch(/exited with code 137\); TLC did not start/);
});

test("TLC durations", () => {
  expect(parseTlcDuration("04min 47s")).toBe(287_000);
  expect(parseTlcDuration("01h 02min 03s")).toBe(3_723_000);
  expect(parseTlcDuration("835ms")).toBe(835);
  expect(parseTlcDuration("soon")).toBeUndefined();
});
