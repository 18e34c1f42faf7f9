// Reads the console output of `pgo.jar tracegen` + `pgo.jar tlc` (TLC 2.x, no -tool markers) and turns it into a
// verdict: pass (TLC finished without error), fail (TLC or pgo.jar reported an error; TLC's reason and the
// counterexample's length are kept), incomplete (the output ends before TLC finished — killed, timed out, or a
// log cut short). Line by line, so progress can be shown while TLC runs and a 20-hour log is never held whole.

export type TlcOutcome = "pass" | "fail" | "incomplete";

export interface TlcProgress {
  /** The search depth TLC prints as Progress(N). */
  readonly depth: number;
  /** TLC's own timestamp, as printed (`2025-07-04 01:55:25`). */
  readonly at: string;
  readonly statesGenerated: number;
  readonly distinctStates: number;
  readonly statesLeftOnQueue: number;
}

export interface TlcSummary {
  readonly outcome: TlcOutcome;
  /** One sentence: TLC's first error, "no error has been found", or why the output is incomplete. */
  readonly reason: string;
  /** Every `Error:` line (and pgo.jar's `failed in` lines), in order, without the prefix. */
  readonly errors: readonly string[];
  /** "violation" when TLC found a behaviour breaking a property; "tool" when a tool failed (parse error, crash). */
  readonly errorKind?: "violation" | "tool";
  /** Number of states in the counterexample (the highest `State n:`), when TLC printed one. */
  readonly counterexampleStates?: number;
  readonly statesGenerated?: number;
  readonly distinctStates?: number;
  readonly statesLeftOnQueue?: number;
  /** Depth of the state graph search (final line, else the last progress line). */
  readonly depth?: number;
  readonly progress: readonly TlcProgress[];
  /** How many progress lines were seen (progress keeps only the last `keepProgress`). */
  readonly progressLines: number;
  /** TLC's run time: its `Finished in` line, else from `Starting...` to the last progress timestamp. */
  readonly durationMs?: number;
  /** pgo.jar tracegen's `ok in N milliseconds`. */
  readonly tracegenMs?: number;
  /** Number of trace files tracegen read. */
  readonly traceFilesRead: number;
  /** SANY warnings (the largest count it printed; it repeats them per module pass). */
  readonly warnings: number;
}

/** What a single line meant, for a caller that streams progress. */
export type TlcLineEvent =
  | { readonly kind: "progress"; readonly progress: TlcProgress; readonly text: string }
  | { readonly kind: "error"; readonly text: string }
  | { readonly kind: "milestone"; readonly text: string };

const num = (s: string): number => Number(s.replaceAll(",", ""));

const PROGRESS =
  /^Progress\((\d+)\) at (\S+ \S+): ([\d,]+) states generated(?: \([\d,]+ s\/min\))?, ([\d,]+) distinct states found(?: \([\d,]+ ds\/min\))?, ([\d,]+) states left on queue\./;
const FINAL_COUNTS = /^([\d,]+) states generated, ([\d,]+) distinct states found, ([\d,]+) states left on queue\./;
const DEPTH = /^The depth of the complete state graph search is (\d+)\./;
const STATE = /^State (\d+):/;
// Liveness counterexamples end with "N: Stuttering" or "N: Back to state M: <...>".
const LASSO = /^(\d+): (?:Stuttering|Back to state \d+)/;
const STARTING = /^Starting\.\.\. \((\S+ \S+)\)/;
const FINISHED = /^Finished in (.+) at \(/;
const TRACEGEN_OK = /^ok in (\d+) milliseconds/;
const PGO_FAILED = /^failed in (.+?):?$/;
const SANY_ERRORS = /^\*\*\* Errors: (\d+)/;
const SANY_WARNINGS = /^\*\*\* Warnings: (\d+)/;
const PASSED = "Model checking completed. No error has been found.";
// Error lines that describe a behaviour violating a property, rather than a tool failure.
const VIOLATION = /is violated|Deadlock reached|Temporal properties were violated|The behavior up to this point is|Assumption .* is false|assertion failed|failed on line/i;

/** Parses TLC's `Finished in 01h 02min 03s` / `Finished in 12345ms`-style durations. */
export function parseTlcDuration(text: string): number | undefined {
  let ms = 0;
  let matched = false;
  for (const m of text.matchAll(/(\d+)\s*(ms|h|min|s)\b/g)) {
    matched = true;
    const n = Number(m[1]);
    ms += m[2] === "h" ? n * 3_600_000 : m[2] === "min" ? n * 60_000 : m[2] === "s" ? n * 1000 : n;
  }
  return matched ? ms : undefined;
}

// TLC prints local wall-clock stamps without a zone; only their differences matter, so read them as UTC.
function stampMs(stamp: string): number {
  return Date.parse(`${stamp.replace(" ", "T")}Z`);
}

/** Incremental parser: feed lines with push(), read the verdict with summary() at any time. */
export class TlcOutputParser {
  readonly #keepProgress: number;
  readonly #errors: string[] = [];
  #progress: TlcProgress[] = [];
  #progressLines = 0;
  #passed = false;
  #counterexample: number | undefined;
  #final: { generated: number; distinct: number; queue: number } | undefined;
  #depth: number | undefined;
  #started: string | undefined;
  #finishedMs: number | undefined;
  #tracegenMs: number | undefined;
  #traceFiles = 0;
  #warnings = 0;
  #sanyErrors = 0;
  #exception: string | undefined;

  /** Keeps at most this many progress lines (the latest); a 20-hour run prints over a thousand. */
  constructor(options: { keepProgress?: number } = {}) {
    this.#keepProgress = options.keepProgress ?? 200;
  }

  push(rawLine: string): TlcLineEvent | undefined {
    const line = rawLine.replace(/\r$/, "");
    const trimmed = line.trim();
    let m: RegExpExecArray | null;
    if ((m = PROGRESS.exec(trimmed))) {
      const progress: TlcProgress = { depth: Number(m[1]), at: m[2]!, statesGenerated: num(m[3]!), distinctStates: num(m[4]!), statesLeftOnQueue: num(m[5]!) };
      this.#progressLines++;
      this.#progress.push(progress);
      if (this.#progress.length > this.#keepProgress) this.#progress = this.#progress.slice(-this.#keepProgress);
      return { kind: "progress", progress, text: trimmed };
    }
    if (trimmed.startsWith("Error: ")) {
      const text = trimmed.slice("Error: ".length);
      this.#errors.push(text);
      return { kind: "error", text: trimmed };
    }
    if ((m = PGO_FAILED.exec(trimmed))) {
      this.#errors.push(`pgo.jar failed in ${m[1]}`);
      return { kind: "error", text: trimmed };
    }
    if ((m = STATE.exec(trimmed)) || (m = LASSO.exec(trimmed))) {
      const n = Number(m[1]);
      if (this.#counterexample === undefined || n > this.#counterexample) this.#counterexample = n;
      return undefined;
    }
    if (trimmed === PASSED) {
      this.#passed = true;
      return { kind: "milestone", text: trimmed };
    }
    if ((m = FINAL_COUNTS.exec(trimmed))) {
      this.#final = { generated: num(m[1]!), distinct: num(m[2]!), queue: num(m[3]!) };
      return { kind: "milestone", text: trimmed };
    }
    if ((m = DEPTH.exec(trimmed))) {
      this.#depth = Number(m[1]);
      return undefined;
    }
    if ((m = STARTING.exec(trimmed))) {
      this.#started = m[1]!;
      return { kind: "milestone", text: trimmed };
    }
    if ((m = FINISHED.exec(trimmed))) {
      this.#finishedMs = parseTlcDuration(m[1]!);
      return { kind: "milestone", text: trimmed };
    }
    if ((m = TRACEGEN_OK.exec(trimmed))) {
      this.#tracegenMs = Number(m[1]);
      return { kind: "milestone", text: `tracegen read ${this.#traceFiles} trace file(s) in ${m[1]} ms` };
    }
    if (trimmed.startsWith("reading ") && trimmed.endsWith(".log...")) {
      this.#traceFiles++;
      return undefined;
    }
    if ((m = SANY_ERRORS.exec(trimmed))) {
      // SANY prints "Semantic errors:" before warnings too; only a non-zero error count is a failure.
      const n = Number(m[1]);
      if (n > 0) this.#sanyErrors += n;
      return undefined;
    }
    if ((m = SANY_WARNINGS.exec(trimmed))) {
      this.#warnings = Math.max(this.#warnings, Number(m[1]));
      return undefined;
    }
    if (/^Exception in thread|^os\.SubprocessException/.test(trimmed)) {
      this.#exception ??= trimmed;
      return { kind: "error", text: trimmed };
    }
    if (/^Computing initial states|^Finished computing initial states|^Checkpointing completed/.test(trimmed)) {
      return { kind: "milestone", text: trimmed };
    }
    return undefined;
  }

  /** The verdict from the lines seen so far; exitCode (of pgo.jar) is used when the output alone is not conclusive. */
  summary(exitCode?: number): TlcSummary {
    const last = this.#progress.at(-1);
    const errors = [...this.#errors];
    if (this.#sanyErrors > 0) errors.push(`SANY reported ${this.#sanyErrors} error(s) in the spec`);
    let outcome: TlcOutcome;
    let reason: string;
    let errorKind: "violation" | "tool" | undefined = errors.some((e) => VIOLATION.test(e)) ? "violation" : errors.length > 0 ? "tool" : undefined;
    if (errors.length > 0) {
      outcome = "fail";
      const first = errors[0]!;
      // TLC's first Error line for a safety violation names the property; "The behavior up to..." is its preface.
      const named = errors.find((e) => !/The behavior up to this point is/.test(e)) ?? first;
      reason = `TLC: ${named.replace(/\.$/, "")}`;
      if (this.#counterexample !== undefined) reason += ` (counterexample of ${this.#counterexample} states)`;
    } else if (this.#passed) {
      outcome = "pass";
      reason = "TLC: model checking completed, no error has been found";
      if (exitCode !== undefined && exitCode !== 0) {
        outcome = "fail";
        errorKind = "tool";
        reason = `TLC reported no error but pgo.jar exited with code ${exitCode}`;
      }
    } else if (this.#exception !== undefined) {
      outcome = "fail";
      errorKind = "tool";
      reason = `pgo.jar crashed: ${this.#exception}`;
    } else {
      outcome = "incomplete";
      const where = last ? `; last progress at depth ${last.depth}: ${last.statesGenerated} states generated, ${last.distinctStates} distinct` : this.#started ? "; TLC had started but printed no progress" : "; TLC did not start model checking";
      reason = `TLC output ends before model checking finished${exitCode !== undefined ? ` (pgo.jar exited with code ${exitCode})` : ""}${where}`;
    }
    const durationMs =
      this.#finishedMs ?? (this.#started !== undefined && last !== undefined ? stampMs(last.at) - stampMs(this.#started) : undefined);
    const generated = this.#final?.generated ?? last?.statesGenerated;
    const distinct = this.#final?.distinct ?? last?.distinctStates;
    const queue = this.#final?.queue ?? last?.statesLeftOnQueue;
    const depth = this.#depth ?? last?.depth;
    return {
      outcome,
      reason,
      errors,
      ...(errorKind !== undefined && outcome === "fail" ? { errorKind } : {}),
      ...(this.#counterexample !== undefined ? { counterexampleStates: this.#counterexample } : {}),
      ...(generated !== undefined ? { statesGenerated: generated } : {}),
      ...(distinct !== undefined ? { distinctStates: distinct } : {}),
      ...(queue !== undefined ? { statesLeftOnQueue: queue } : {}),
      ...(depth !== undefined ? { depth } : {}),
      progress: [...this.#progress],
      progressLines: this.#progressLines,
      ...(durationMs !== undefined && Number.isFinite(durationMs) ? { durationMs } : {}),
      ...(this.#tracegenMs !== undefined ? { tracegenMs: this.#tracegenMs } : {}),
      traceFilesRead: this.#traceFiles,
      warnings: this.#warnings,
    };
  }
}

/** Parses a whole output held in memory. */
export function parseTlcOutput(text: string, exitCode?: number): TlcSummary {
  const parser = new TlcOutputParser();
  for (const line of text.split("\n")) parser.push(line);
  return parser.summary(exitCode);
}

/** Parses a stream of lines (e.g. readline over a log file or a child's stdout), reporting each event as it comes. */
export async function parseTlcLines(lines: AsyncIterable<string>, onEvent?: (event: TlcLineEvent) => void): Promise<TlcSummary> {
  const parser = new TlcOutputParser();
  for await (const line of lines) {
    const event = parser.push(line);
    if (event !== undefined) onEvent?.(event);
  }
  return parser.summary();
}
