// TraceLink inside the system's own image, as a `finally_` command: on Antithesis nobody downloads the traces, so
// they are validated where they were written, in every timeline. This file is bundled into one JavaScript file
// (harness/antithesis/validator-bundle.ts) and run by the Node binary shipped beside it: no JVM, no npm.
//
//   node pgo-validate.mjs --spec <spec.tla> [--cfg <file.cfg>] [--max-states N] [--live] <traces dir>
//
// --live: the services still run and write (a finally_ command); the traces are read as one consistent cut
// (live-snapshot.ts) and what lies beyond it is reported, not judged.
//
// The verdict is reported as two properties through the Antithesis SDK's JSONL protocol (the same records the Go
// SDK writes): Always "TraceLink: the traces are a behaviour of the design" (its details carry the explanation),
// and Sometimes "TraceLink: the traces were validated", so a timeline that never gets a verdict shows. Both are
// declared (hit: false) before anything is read. The exit status follows the verdict: 0 a behaviour of the
// design, 1 not, 3 unknown (the budget ran out: never a pass), 2 unusable input.
import { appendFileSync, existsSync, mkdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { argv, env, exit, stderr, stdout } from "node:process";
import { BEHAVIOUR_PROPERTY, VALIDATED_PROPERTY } from "./in-container-properties.ts";
import { liveSnapshot } from "./live-snapshot.ts";
import { listTraceFiles } from "./reader.ts";
import { validateFiles } from "./spec/index.ts";

const LOCATION = { file: "harness/tracelink/in-container.ts", function: "finally_tracelink", class: "", begin_line: 0, begin_column: 0 };

/** Where the SDK would write: its local output file when set (local runs), else Antithesis's output directory. */
export function sdkOutputTarget(e: Readonly<Record<string, string | undefined>>): string | undefined {
  if (e["ANTITHESIS_SDK_LOCAL_OUTPUT"]) return e["ANTITHESIS_SDK_LOCAL_OUTPUT"];
  if (e["ANTITHESIS_OUTPUT_DIR"]) return join(e["ANTITHESIS_OUTPUT_DIR"], "sdk.jsonl");
  return undefined;
}

type Kind = "always" | "sometimes";
function assertRecord(kind: Kind, message: string, hit: boolean, condition: boolean, details: Record<string, unknown> | null): string {
  return JSON.stringify({
    antithesis_assert: {
      hit,
      must_hit: true,
      assert_type: kind,
      display_type: kind === "always" ? "Always" : "Sometimes",
      message,
      condition,
      id: message,
      location: LOCATION,
      details,
    },
  });
}

interface Args {
  spec: string;
  cfg: string | undefined;
  maxStates: number | undefined;
  live: boolean;
  traces: string;
}

function parseArgs(args: readonly string[]): Args | string {
  let spec: string | undefined;
  let cfg: string | undefined;
  let maxStates: number | undefined;
  let live = false;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--spec") spec = args[++i];
    else if (a === "--cfg") cfg = args[++i];
    else if (a === "--max-states") {
      maxStates = Number(args[++i]);
      if (!Number.isInteger(maxStates) || maxStates <= 0) return `--max-states must be a positive whole number, got "${args[i]}"`;
    } else if (a === "--live") live = true;
    else if (a.startsWith("-")) return `unknown option ${a}`;
    else rest.push(a);
  }
  if (spec === undefined) return "--spec <spec.tla> is required";
  if (!existsSync(spec)) return `the spec ${spec} does not exist`;
  if (cfg !== undefined && !existsSync(cfg)) return `the cfg ${cfg} does not exist`;
  if (rest.length !== 1) return "give exactly one traces directory";
  return { spec, cfg, maxStates, live, traces: rest[0]! };
}

export async function main(args: readonly string[], e: Readonly<Record<string, string | undefined>> = env): Promise<number> {
  const target = sdkOutputTarget(e);
  const emit = (line: string) => {
    if (target === undefined) return;
    mkdirSync(dirname(target), { recursive: true });
    appendFileSync(target, `${line}\n`);
  };
  // Declarations first, as the SDK's catalog does: a timeline that dies before the verdict still lists both.
  emit(assertRecord("always", BEHAVIOUR_PROPERTY, false, false, null));
  emit(assertRecord("sometimes", VALIDATED_PROPERTY, false, false, null));
  if (target === undefined) stderr.write("pgo-validate: neither ANTITHESIS_SDK_LOCAL_OUTPUT nor ANTITHESIS_OUTPUT_DIR is set; the verdict is only printed\n");

  const a = parseArgs(args);
  if (typeof a === "string") {
    stderr.write(`pgo-validate: ${a}\nusage: pgo-validate --spec <spec.tla> [--cfg <file.cfg>] [--max-states N] [--live] <traces dir>\n`);
    return 2;
  }
  let files = await listTraceFiles(a.traces).catch(() => []);
  if (files.length === 0) {
    stderr.write(`pgo-validate: no trace-*.log files in ${a.traces}\n`);
    emit(assertRecord("sometimes", VALIDATED_PROPERTY, true, false, { reason: `no trace files in ${a.traces}` }));
    return 2;
  }
  const started = performance.now();
  let cut: { records: number; leftOut: number } | undefined;
  let verdict;
  let snapDir: string | undefined;
  try {
    if (a.live) {
      snapDir = await mkdtemp(join(tmpdir(), "pgo-validate-"));
      const snap = await liveSnapshot(files, snapDir);
      files = [...snap.files];
      cut = { records: snap.records, leftOut: snap.leftOut };
      stdout.write(`pgo-validate: live traces: ${snap.records} record(s) read, ${snap.records - snap.leftOut} in the consistent cut that is validated (${snap.leftOut} at the files' ends wait on sections not yet written)\n`);
    }
    // Within TRACELINK_TIMEOUT (the script's hard limit) minus a margin to report `unknown` through the SDK.
    const budget = Number(e["TRACELINK_TIMEOUT"] ?? "600");
    const timeoutMs = Number.isFinite(budget) && budget > 0 ? Math.max(1, budget - 15) * 1000 : 585_000;
    verdict = (await validateFiles(a.spec, a.cfg, files, { allPaths: false, progressInv: true, timeoutMs, ...(a.maxStates !== undefined ? { maxStates: a.maxStates } : {}) })).verdict;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    stderr.write(`pgo-validate: ${reason}\n`);
    emit(assertRecord("sometimes", VALIDATED_PROPERTY, true, false, { reason }));
    return 2;
  } finally {
    if (snapDir !== undefined) await rm(snapDir, { recursive: true, force: true });
  }
  const seconds = Number(((performance.now() - started) / 1000).toFixed(3));
  const facts = { spec: a.spec, files: files.length, records: verdict.records, states: verdict.states, seconds, ...(cut !== undefined ? { liveRecordsRead: cut.records, leftOutOfCut: cut.leftOut } : {}) };
  stdout.write(`pgo-validate: ${verdict.records} record(s) in ${files.length} file(s), ${verdict.states} state(s) in ${seconds} s against ${a.spec}\n`);
  switch (verdict.verdict) {
    case "ok":
      emit(assertRecord("always", BEHAVIOUR_PROPERTY, true, true, facts));
      emit(assertRecord("sometimes", VALIDATED_PROPERTY, true, true, facts));
      stdout.write("ok: the traces are a behaviour of the design\n");
      return 0;
    case "violation":
      emit(assertRecord("always", BEHAVIOUR_PROPERTY, true, false, { ...facts, explanation: verdict.explanation }));
      emit(assertRecord("sometimes", VALIDATED_PROPERTY, true, true, facts));
      stdout.write(`VIOLATION: the traces are not a behaviour of the design\n${verdict.explanation}\n`);
      return 1;
    case "unknown":
      // No Always evaluation: unknown is not a pass. The Sometimes stays false, so the run shows it.
      emit(assertRecord("sometimes", VALIDATED_PROPERTY, true, false, { ...facts, reason: verdict.reason }));
      stdout.write(`UNKNOWN: ${verdict.reason}\n`);
      return 3;
  }
}

if (import.meta.main) {
  main(argv.slice(2)).then(
    (code) => exit(code),
    (err: unknown) => {
      stderr.write(`pgo-validate: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      exit(2);
    },
  );
}
