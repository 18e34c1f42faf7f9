// Queue semantics for dqueue-like systems: every item the producer takes from its input channel is consumed
// exactly once, in the order produced. Items are matched by value (the k-th consumption of v with the k-th
// production of v). Only a tail of the production may be unconsumed (in flight when the run stopped); an
// unconsumed item produced before a consumed one is lost.
import { basename } from "node:path";
import type { Verdict } from "../check/checker.ts";
import { listTraceFiles, readTrace } from "../tracelink/reader.ts";
import { canonical, parseTlaValue } from "../tracelink/tla-value.ts";
import { HistoryFormatError } from "./operation.ts";

export interface Endpoint {
  readonly archetype: string;
  /** The channel variable's name (without the archetype prefix). */
  readonly name: string;
  readonly tag: "read" | "write";
}

export interface QueueShape {
  /** Where items enter: for dqueue the producer's committed reads of its input channel `s`. */
  readonly producer: Endpoint;
  /** Where items leave: for dqueue the consumer's committed writes of its output channel `proc`. */
  readonly consumer: Endpoint;
}

export interface QueueItem {
  /** The TLA+ value as recorded. */
  readonly value: string;
  /** Its canonical form (what items are matched by). */
  readonly key: string;
  /** file:line of the record. */
  readonly where: string;
}

export interface QueueHistory {
  readonly produced: readonly QueueItem[];
  readonly consumed: readonly QueueItem[];
}

/** Reads produced and consumed items from a run's traces, each side in its file's order. */
export async function queueHistoryFromTraces(dir: string, shape: QueueShape): Promise<QueueHistory> {
  const produced: QueueItem[] = [];
  const consumed: QueueItem[] = [];
  for (const path of await listTraceFiles(dir)) {
    const file = basename(path);
    for await (const { line, record } of readTrace(path)) {
      if (record.isAbort) continue;
      for (const e of record.csElements) {
        for (const [end, into] of [[shape.producer, produced], [shape.consumer, consumed]] as const) {
          if (record.archetypeName !== end.archetype || e.tag !== end.tag || e.name.name !== end.name) continue;
          const where = `${file}:${line}`;
          let key: string;
          try {
            key = canonical(parseTlaValue(e.value));
          } catch (err) {
            throw new HistoryFormatError(`${where}: ${end.archetype}.${end.name}: ${err instanceof Error ? err.message : String(err)}`);
          }
          into.push({ value: e.value, key, where });
        }
      }
    }
  }
  return { produced, consumed };
}

export type QueueViolationKind = "lost" | "duplicated" | "reordered" | "unexpected";

export interface QueueViolation {
  readonly kind: QueueViolationKind;
  readonly item: QueueItem;
  readonly message: string;
}

export interface QueueResult {
  readonly valid: Verdict;
  readonly produced: number;
  readonly consumed: number;
  /** Produced items not consumed after the last consumed one (allowed: the run stopped first). */
  readonly inFlight: number;
  readonly violations: readonly QueueViolation[];
  readonly summary: string;
}

export interface QueueOptions {
  /** Count unconsumed items at the end as lost too (for runs that drain the queue). Default false. */
  readonly requireDrained?: boolean;
}

export function checkQueue(history: QueueHistory, options: QueueOptions = {}): QueueResult {
  const { produced, consumed } = history;
  const positions = new Map<string, number[]>();
  produced.forEach((item, i) => {
    const list = positions.get(item.key);
    if (list === undefined) positions.set(item.key, [i]);
    else list.push(i);
  });
  const seen = new Map<string, number>();
  const matched = new Set<number>();
  const violations: QueueViolation[] = [];
  let highest = -1;
  for (const item of consumed) {
    const k = seen.get(item.key) ?? 0;
    seen.set(item.key, k + 1);
    const list = positions.get(item.key);
    const p = list?.[k];
    if (p === undefined) {
      violations.push(list === undefined
        ? { kind: "unexpected", item, message: `${item.where}: consumed ${item.value}, which was never produced` }
        : { kind: "duplicated", item, message: `${item.where}: consumed ${item.value} again (produced ${list.length} time(s), consumed ${k + 1})` });
      continue;
    }
    matched.add(p);
    if (p < highest) {
      const before = produced[highest]!;
      violations.push({ kind: "reordered", item, message: `${item.where}: consumed ${item.value} (produced at ${produced[p]!.where}) after ${before.value}, which was produced later (${before.where})` });
    }
    highest = Math.max(highest, p);
  }
  let inFlight = 0;
  produced.forEach((item, i) => {
    if (matched.has(i)) return;
    if (i > highest && options.requireDrained !== true) inFlight++;
    else violations.push({ kind: "lost", item, message: `${item.where}: produced ${item.value}, never consumed, though ${i < highest ? "items produced after it were" : "the queue was to be drained"}` });
  });
  const counts = `${produced.length} produced, ${consumed.length} consumed, ${inFlight} in flight`;
  const valid = violations.length === 0;
  const summary = valid
    ? `every consumed item was produced, exactly once and in order (${counts})`
    : `${violations.length} violation(s): ${violations.slice(0, 3).map((v) => `${v.kind}: ${v.message}`).join("; ")}${violations.length > 3 ? "; ..." : ""} (${counts})`;
  return { valid, produced: produced.length, consumed: consumed.length, inFlight, violations, summary };
}
