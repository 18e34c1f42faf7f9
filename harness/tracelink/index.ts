// TraceLink checks without TLC (issue 4): one streaming pass per file for the per-file checks (a–e, h), then one
// causal replay over all files (f, g, h). Each check is reported as its own CheckResult, "tracelink/<check>".
import { stat } from "node:fs/promises";
import { basename } from "node:path";
import type { Checker, CheckContext, CheckResult } from "../check/checker.ts";
import { localChecks, oldValueMatches, SharedStateSurvey } from "./local-checks.ts";
import type { FileVisitor, LocalCheck } from "./local-checks.ts";
import { incarnations, listTraceFiles, readTrace, TraceFormatError } from "./reader.ts";
import { CausalTime, causalReplay, MailboxMatching, MailboxSurvey } from "./replay.ts";
import type { ReplayObserver, Violation } from "./replay.ts";
import { TlaParseError } from "./tla-value.ts";

export * from "./local-checks.ts";
export * from "./reader.ts";
export * from "./record.ts";
export * from "./replay.ts";
export * from "./tla-value.ts";

export interface TraceLinkOptions {
  /**
   * The network mailbox variables for mailbox matching (g), by name (e.g. `["net"]`). Default "auto": derived
   * from the data by MailboxSurvey (read only at the reader's own self, written only into other instances'
   * slots), which finds `net`/`network` in PGo's dqueue, locksvc and raftkvs and nothing else.
   */
  readonly mailboxes?: readonly string[] | "auto";
  /**
   * Whether mailbox matching (g) lets messages be lost: a read may take a later write of its sender, the
   * earlier ones counting as lost (reported in details.lost). Default true; false demands exact per-sender FIFO.
   */
  readonly allowMessageLoss?: boolean;
  /** How many violations each result lists in its details (all are counted). Default 20. */
  readonly maxListed?: number;
}

export const PARSE = "tracelink/parse";
export const REPLAY = "tracelink/causal-replay";
export const MAILBOX = "tracelink/mailbox-matching";
export const TIME = "tracelink/time-sanity";

/** Counts every violation, keeps the first few. */
class Tally {
  count = 0;
  readonly listed: Violation[] = [];
  private readonly max: number;
  constructor(max: number) {
    this.max = max;
  }
  add = (v: Violation): void => {
    this.count++;
    if (this.listed.length < this.max) this.listed.push(v);
  };
}

const where = (v: Violation) => `${v.file}:${v.line}: ${v.message}`;

function result(name: string, tally: Tally, holds: string): CheckResult {
  if (tally.count === 0) return { name, valid: true, summary: holds, details: { violations: 0 } };
  const shown = tally.listed.slice(0, 3).map(where).join(" ");
  const more = tally.count > 3 ? ` (and ${tally.count - 3} more)` : "";
  return { name, valid: false, summary: `${tally.count} violation(s): ${shown}${more}`, details: { violations: tally.count, listed: tally.listed } };
}

/** The outcome of the per-file pass: counts, the mailbox survey and one tally per local check. */
export interface TraceLinkRun {
  readonly files: number;
  readonly records: number;
  readonly bytes: number;
  readonly mailboxes: readonly string[];
  readonly results: CheckResult[];
}

/** Runs every check on a run's trace directory; `results` has one CheckResult per check, parse first. */
export async function checkTraces(dir: string, options: TraceLinkOptions = {}, ctx: Pick<CheckContext, "signal" | "log"> = {}): Promise<TraceLinkRun> {
  const max = options.maxListed ?? 20;
  const files = await listTraceFiles(dir);
  const names = [PARSE, ...localChecks.map((c) => c.name).filter((n) => n !== TIME), REPLAY, MAILBOX, TIME];
  if (files.length === 0) {
    return {
      files: 0, records: 0, bytes: 0, mailboxes: [],
      results: names.map((name) => name === PARSE
        ? { name, valid: false, summary: `no trace-*.log files in ${dir}` }
        : { name, valid: "unknown", summary: "not run: there are no traces", skipped: "no trace-*.log files" }),
    };
  }
  const parse = new Tally(max);
  const tallies = new Map<string, Tally>(names.map((n) => [n, n === PARSE ? parse : new Tally(max)]));
  const survey = new MailboxSurvey();
  const shared = new SharedStateSurvey();
  const checks: readonly LocalCheck[] = [...localChecks, survey, shared];
  // oldValue mismatches wait for the end of the pass: those at state shared between archetypes are excused.
  const heldOld = new Map<string, { count: number; listed: Violation[] }>();
  const holdOld = (v: Violation, variable: string | undefined) => {
    if (variable === undefined) return tallies.get(oldValueMatches.name)!.add(v);
    let h = heldOld.get(variable);
    if (h === undefined) heldOld.set(variable, (h = { count: 0, listed: [] }));
    h.count++;
    if (h.listed.length < max) h.listed.push(v);
  };
  let records = 0;
  let bytes = 0;
  // Pass 1: per instance, every local check sees each record once, the instance's files (its incarnations) in order.
  for (const group of incarnations(files)) {
    ctx.signal?.throwIfAborted();
    let file = basename(group.files[0]!);
    const visitors: FileVisitor[] = checks.map((c) => {
      const tally = tallies.get(c.name);
      if (c.name === oldValueMatches.name) return c.forFile(file, (line, message, variable) => holdOld({ file, line, message }, variable));
      return c.forFile(file, (line, message) => tally?.add({ file, line, message }));
    });
    for (const [k, path] of group.files.entries()) {
      file = basename(path);
      if (k > 0) for (const v of visitors) v.incarnation?.();
      let badLine = 0;
      try {
        for await (const { line, record } of readTrace(path)) {
          records++;
          for (const v of visitors) {
            try {
              v.record(line, record);
            } catch (err) {
              // A malformed TLA+ value or time inside a well-formed record: unusable input at this line.
              if (!(err instanceof TlaParseError || err instanceof RangeError)) throw err;
              if (badLine !== line) parse.add({ file, line, message: err.message });
              badLine = line; // several checks may trip on the same value; one report per line
            }
          }
        }
      } catch (err) {
        if (!(err instanceof TraceFormatError)) throw err;
        const m = /^(.*?):(\d+): (.*)$/s.exec(err.message);
        parse.add({ file, line: Number(m?.[2] ?? 0), message: m?.[3] ?? err.message });
      }
      bytes += (await stat(path)).size;
    }
  }
  ctx.log?.(`${files.length} file(s), ${records} record(s) read`);
  const excused: { variable: string; count: number; by: readonly string[] }[] = [];
  for (const [variable, h] of heldOld) {
    const by = shared.sharedBy(variable);
    if (by !== undefined) excused.push({ variable, count: h.count, by });
    else {
      const tally = tallies.get(oldValueMatches.name)!;
      for (const v of h.listed) tally.add(v);
      tally.count += h.count - h.listed.length;
    }
  }
  const mailboxes = options.mailboxes === undefined || options.mailboxes === "auto" ? survey.mailboxes() : [...options.mailboxes];
  // Pass 2: the causal replay, only on input that parses (a broken line would only stall it).
  let replayed: Awaited<ReturnType<typeof causalReplay>> | undefined;
  let matching: MailboxMatching | undefined;
  if (parse.count === 0) {
    const time = tallies.get(TIME)!;
    const causalTime = new CausalTime(time.add);
    matching = new MailboxMatching(mailboxes, tallies.get(MAILBOX)!.add, { allowLoss: options.allowMessageLoss ?? true });
    matching.onMatch = (w, r) => causalTime.matched(w, r);
    const guarded = (o: ReplayObserver, tally: Tally): ReplayObserver => ({
      consume(ev) {
        try {
          o.consume(ev);
        } catch (err) {
          if (!(err instanceof TlaParseError || err instanceof RangeError)) throw err;
          tally.add({ file: ev.file, line: ev.line, message: err.message });
        }
      },
    });
    replayed = await causalReplay(files, [guarded(causalTime, tallies.get(TIME)!), guarded(matching, tallies.get(MAILBOX)!)], ctx.signal);
    for (const v of replayed.frontier) tallies.get(REPLAY)!.add(v);
  }
  const holds = new Map(localChecks.map((c) => [c.name, c.holds]));
  const results = names.map((name): CheckResult => {
    const tally = tallies.get(name)!;
    if (name === PARSE) return result(name, tally, `${records} records in ${files.length} files parse`);
    if (replayed === undefined && (name === REPLAY || name === MAILBOX || (name === TIME && tally.count === 0))) {
      return { name, valid: "unknown", summary: "not run: some records do not parse", skipped: "some records do not parse" };
    }
    if (name === REPLAY) return result(name, tally, `a causal replay consumes all ${replayed?.consumed ?? 0} records`);
    if (name === MAILBOX) {
      const r = result(name, tally, mailboxes.length === 0 ? "no network mailboxes in these traces (none read at self and written by others)" : `${matching?.matched ?? 0} committed reads of ${mailboxes.join(", ")} each match an earlier write by their sender, in order${matching?.lost ? ` (${matching.lost} write(s) passed over as lost)` : ""}`);
      return { ...r, details: { ...(r.details as object), mailboxes, matched: matching?.matched ?? 0, lost: matching?.lost ?? 0 } };
    }
    if (name === oldValueMatches.name && excused.length > 0) {
      const n = excused.reduce((a, e) => a + e.count, 0);
      const r = result(name, tally, holds.get(name) ?? "");
      const e0 = excused[0]!;
      const note = ` (${n} oldValue mismatch(es) at ${excused.length} variable(s) written by more than one archetype — state shared within a process, e.g. ${e0.variable} by ${e0.by.join(", ")} — are not judged per instance)`;
      return { ...r, summary: r.summary + note, details: { ...(r.details as object), excusedSharedState: excused.slice(0, max) } };
    }
    return result(name, tally, holds.get(name) ?? "");
  });
  return { files: files.length, records, bytes, mailboxes, results };
}

/** The TraceLink structural checks as a Checker for the suites. */
export function traceLinkChecker(options: TraceLinkOptions = {}): Checker {
  return {
    name: "tracelink",
    async check(ctx: CheckContext): Promise<CheckResult[]> {
      return (await checkTraces(ctx.tracesDir, options, ctx)).results;
    },
  };
}
