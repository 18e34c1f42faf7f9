// The history checks as Checkers (harness/check/checker.ts), reading the history from the run's traces. System
// definitions make them, so the search and its report (report.ts and what it imports) load when a check runs.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Checker, CheckContext, CheckResult } from "../check/checker.ts";
import type { AnyModel } from "./model.ts";
import { kvModel } from "./models.ts";
import type { Operation } from "./operation.ts";
import { historyOrigin } from "./from-trace.ts";
import { checkQueue, queueHistoryFromTraces } from "./queue.ts";
import type { QueueShape } from "./queue.ts";

export interface LinearizabilityCheckerOptions {
  /** Result name; default "history/linearizable". */
  readonly name?: string;
  /** Default: the kv model (raftkvs get/put). */
  readonly model?: AnyModel;
  /** Derives the history from the traces directory (the system knows its client's shape). */
  readonly history: (tracesDir: string) => Promise<Operation[]>;
  /** Budget for the search (default 60 s) and for the explanation (default 10 s). */
  readonly timeoutMs?: number;
  readonly explainTimeoutMs?: number;
}

/** Writes the history as JSON lines (Infinity written as null) for a person or a rerun. */
async function writeHistory(path: string, ops: readonly Operation[]): Promise<string> {
  await writeFile(path, ops.map((op) => JSON.stringify(op, (_, v: unknown) => (v === Infinity ? null : v))).join("\n") + "\n");
  return path;
}

export function linearizabilityChecker(options: LinearizabilityCheckerOptions): Checker {
  const name = options.name ?? "history/linearizable";
  return {
    name,
    async check(ctx: CheckContext): Promise<CheckResult[]> {
      const ops = await options.history(ctx.tracesDir);
      if (ops.length === 0) return [{ name, valid: "unknown", summary: `no client operations in the traces of ${ctx.tracesDir}`, skipped: "no client operations recorded" }];
      const historyFile = await writeHistory(join(ctx.artifactsDir, "history.jsonl"), ops);
      ctx.log?.(`${name}: checking ${ops.length} operations`);
      const { reportLinearizability, toCheckResult } = await import("./report.ts");
      const report = await reportLinearizability(options.model ?? kvModel, ops, {
        name: name.replace(/\//g, "-"),
        artifactsDir: ctx.artifactsDir,
        ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
        ...(options.explainTimeoutMs !== undefined ? { explainTimeoutMs: options.explainTimeoutMs } : {}),
        ...(ctx.signal !== undefined ? { signal: ctx.signal } : {}),
      });
      const r = toCheckResult(name, report);
      // The model and the clock of history.jsonl, for the run's page to redraw it with the fault windows.
      const origin = historyOrigin(ops);
      const clock = { model: (options.model ?? kvModel).name, ...(origin !== undefined ? { timeOrigin: { epochNanos: String(origin), unit: "ns" } } : {}) };
      return [{ ...r, artifacts: [historyFile, ...(r.artifacts ?? [])], details: { ...(r.details as object), ...clock } }];
    },
  };
}

export interface QueueCheckerOptions {
  readonly name?: string;
  /** Where items enter and leave (the system knows its archetypes). */
  readonly shape: QueueShape;
  /** Unconsumed items at the end count as lost (for runs that drain the queue). Default false. */
  readonly requireDrained?: boolean;
}

export function queueChecker(options: QueueCheckerOptions): Checker {
  const name = options.name ?? "history/queue";
  return {
    name,
    async check(ctx: CheckContext): Promise<CheckResult[]> {
      const history = await queueHistoryFromTraces(ctx.tracesDir, options.shape);
      const r = checkQueue(history, options.requireDrained !== undefined ? { requireDrained: options.requireDrained } : {});
      return [{
        name,
        valid: r.valid,
        summary: r.summary,
        details: { produced: r.produced, consumed: r.consumed, inFlight: r.inFlight, violations: r.violations.slice(0, 20).map((v) => ({ kind: v.kind, message: v.message })) },
      }];
    },
  };
}
