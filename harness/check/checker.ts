// The checker contract (after Jepsen): one method, a three-valued verdict, composable.
// Every checker in harness/ — TraceLink, history, pgo.jar — returns a CheckResult.

/** true: the property holds; false: a violation was found; "unknown": could not decide (time budget, missing tool). */
export type Verdict = true | false | "unknown";

export interface CheckResult {
  /** Stable, short, kebab-case name, e.g. "tracelink/clock-own-entry". Used as the test name in reports. */
  readonly name: string;
  readonly valid: Verdict;
  /** One sentence a person can act on; for a violation it names the place (file:line). */
  readonly summary: string;
  /** Set when the check did not run at all; the reason is shown as the skip reason (valid is then "unknown"). */
  readonly skipped?: string;
  /** Files written for a person (HTML timeline, logs, counterexample), absolute paths. */
  readonly artifacts?: readonly string[];
  /** Machine-readable details; must survive JSON.stringify. */
  readonly details?: unknown;
}

export interface CheckContext {
  /** Directory holding the run's TraceLink trace files (trace-*.log). */
  readonly tracesDir: string;
  /** Directory where the checker may write its own artifacts (already exists). */
  readonly artifactsDir: string;
  /** Aborts on test timeout or Ctrl-C; long checkers should honour it. */
  readonly signal?: AbortSignal;
  /** Progress lines for long work. */
  readonly log?: (line: string) => void;
}

export interface Checker {
  readonly name: string;
  check(ctx: CheckContext): Promise<CheckResult[]>;
}

/** Merge verdicts as Jepsen does: false beats unknown beats true. */
export function mergeVerdicts(verdicts: Iterable<Verdict>): Verdict {
  let merged: Verdict = true;
  for (const v of verdicts) {
    if (v === false) return false;
    if (v === "unknown") merged = "unknown";
  }
  return merged;
}

/** Runs one checker; one that throws yields an "unknown" result carrying its error, so it hides nothing else. */
export async function runChecker(checker: Checker, ctx: CheckContext): Promise<CheckResult[]> {
  try {
    return await checker.check(ctx);
  } catch (err) {
    return [
      {
        name: checker.name,
        valid: "unknown",
        summary: `checker "${checker.name}" crashed: ${err instanceof Error ? err.message : String(err)}`,
        details: { error: err instanceof Error ? (err.stack ?? err.message) : String(err) },
      },
    ];
  }
}

/** Run checkers one after another (see runChecker). */
export async function runCheckers(checkers: readonly Checker[], ctx: CheckContext): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const checker of checkers) results.push(...(await runChecker(checker, ctx)));
  return results;
}
