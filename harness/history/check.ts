// P-compositionality: a history is linearizable exactly when each part of it (e.g. each key's operations) is,
// so each part is searched on its own, under one time budget for the whole history.
import type { Verdict } from "../check/checker.ts";
import type { AnyModel } from "./model.ts";
import type { Operation } from "./operation.ts";
import { searchLinearization } from "./wgl.ts";
import type { PartialLinearization, SearchOutcome } from "./wgl.ts";

export interface CheckOptions {
  /** Time budget for the whole history, in milliseconds; when it runs out the verdict is "unknown". Default 60 s. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Stop at the first illegal part (default true); false checks every part, e.g. to list all bad keys. */
  readonly stopAtFirstIllegal?: boolean;
}

export interface PartResult {
  /** The part's operations, ids into the whole history. */
  readonly ops: readonly Operation[];
  readonly outcome: SearchOutcome;
  readonly longest: PartialLinearization;
  readonly steps: number;
}

export interface LinearizabilityResult {
  readonly valid: Verdict;
  readonly parts: readonly PartResult[];
  /** Parts not searched because an earlier part was illegal. */
  readonly skippedParts: number;
  readonly elapsedMs: number;
}

export function checkLinearizability(model: AnyModel, ops: readonly Operation[], options: CheckOptions = {}): LinearizabilityResult {
  const start = performance.now();
  const deadline = start + (options.timeoutMs ?? 60_000);
  const parts = model.partition !== undefined ? model.partition(ops) : [[...ops]];
  const results: PartResult[] = [];
  let valid: Verdict = true;
  let skippedParts = 0;
  for (const part of parts) {
    if (valid === false && options.stopAtFirstIllegal !== false) {
      skippedParts++;
      continue;
    }
    const r = searchLinearization(model, part, { deadline, ...(options.signal !== undefined ? { signal: options.signal } : {}) });
    results.push({ ops: part, outcome: r.outcome, longest: r.longest, steps: r.steps });
    if (r.outcome === "illegal") valid = false;
    else if (r.outcome === "unknown" && valid === true) valid = "unknown";
  }
  return { valid, parts: results, skippedParts, elapsedMs: performance.now() - start };
}
