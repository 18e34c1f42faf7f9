// One call from a parsed history to a verdict a person can read: check, and on a violation explain it and write
// the HTML timeline. Used by the CLI and by the checkers.
import { join } from "node:path";
import type { CheckResult, Verdict } from "../check/checker.ts";
import { checkLinearizabilityAsync } from "./parallel.ts";
import type { LinearizabilityResult } from "./check.ts";
import { explainViolation } from "./explain.ts";
import type { Explanation } from "./explain.ts";
import type { AnyModel } from "./model.ts";
import type { Operation } from "./operation.ts";
import { writeTimeline } from "./timeline.ts";

export interface LinReportOptions {
  readonly timeoutMs?: number;
  readonly explainTimeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Threads for the search (default: 2, or 1 on a single core); see parallel.ts. */
  readonly threads?: number;
  /** Where to write `<name>-timeline.html` on a violation; no file when absent. */
  readonly artifactsDir?: string;
  /** Names the result ("history/linearizable" by default) and the timeline file. */
  readonly name?: string;
}

export interface LinReport {
  readonly valid: Verdict;
  readonly result: LinearizabilityResult;
  readonly explanation?: Explanation;
  readonly timeline?: string;
  /** One line: the verdict, with counts. */
  readonly summary: string;
}

export async function reportLinearizability(model: AnyModel, ops: readonly Operation[], options: LinReportOptions = {}): Promise<LinReport> {
  const signal = options.signal;
  const result = await checkLinearizabilityAsync(model, ops, {
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    ...(signal !== undefined ? { signal } : {}),
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
  });
  const parts = `${ops.length} operations in ${result.parts.length + result.skippedParts} part(s), ${result.elapsedMs.toFixed(0)} ms`;
  if (result.valid === true) return { valid: true, result, summary: `linearizable (${model.name} model; ${parts})` };
  if (result.valid === "unknown") {
    const open = result.parts.filter((p) => p.outcome === "unknown").length;
    return { valid: "unknown", result, summary: `unknown: ${open} part(s) not decided within the time budget or before the abort (${parts})` };
  }
  const bad = result.parts.find((p) => p.outcome === "illegal")!;
  const explanation = explainViolation(model, bad.ops, { ...(options.explainTimeoutMs !== undefined ? { timeoutMs: options.explainTimeoutMs } : {}), ...(signal !== undefined ? { signal } : {}) });
  let timeline: string | undefined;
  if (options.artifactsDir !== undefined) {
    const file = `${(options.name ?? "history").replace(/[^A-Za-z0-9._-]+/g, "-")}-timeline.html`;
    // Draw the illegal part (e.g. its key) and, for a long one, only up to the cut, so the file stays readable.
    const drawn = bad.ops.length > 5000 ? bad.ops.filter((op) => op.call <= explanation.cut) : bad.ops;
    const scope = drawn.length === ops.length ? "" : ` (showing ${drawn.length} of ${ops.length} operations: the part that cannot be linearized${drawn.length < bad.ops.length ? ", up to the failing return" : ""})`;
    timeline = await writeTimeline(join(options.artifactsDir, file), model, drawn, { title: `${options.name ?? "history"}: not linearizable${scope}`, highlight: explanation.minimal.map((o) => o.id), text: explanation.text });
  }
  const f = explanation.failing;
  const at = f !== undefined ? `: operation #${f.id} (process ${f.process}${f.where !== undefined ? `, ${f.where}` : ""}) returned a result no linearization explains` : "";
  return { valid: false, result, explanation, ...(timeline !== undefined ? { timeline } : {}), summary: `not linearizable${at} (${explanation.minimal.length} operations involved; ${parts})` };
}

export function toCheckResult(name: string, r: LinReport): CheckResult {
  return {
    name,
    valid: r.valid,
    summary: r.summary,
    ...(r.timeline !== undefined ? { artifacts: [r.timeline] } : {}),
    details: {
      elapsedMs: Math.round(r.result.elapsedMs),
      parts: r.result.parts.map((p) => ({ ops: p.ops.length, outcome: p.outcome, steps: p.steps })),
      ...(r.explanation !== undefined ? { minimal: r.explanation.minimal.map((o) => o.id), explanation: r.explanation.text } : {}),
    },
  };
}
