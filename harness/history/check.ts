// P-compositionality: a history is linearizable exactly when each part of it (e.g. each key's operations) is,
// so each part is searched on its own, under one time budget for the whole history.
//
// The parts are searched interleaved, a slice of steps at a time, as Porcupine's goroutines are: one part can
// blow up (an illegal part the search must exhaust, with many concurrent clients) while another is refuted in
// a millisecond, and searching the parts one after the other would wait for the first forever. The first
// illegal part stops all of them. `checkLinearizabilityAsync` also spreads the parts over worker threads.
import type { Verdict } from "../check/checker.ts";
import type { AnyModel } from "./model.ts";
import type { Operation } from "./operation.ts";
import { PartSearch, POLL } from "./wgl.ts";
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
  /** Parts not searched to the end because another part was illegal. */
  readonly skippedParts: number;
  readonly elapsedMs: number;
}

/** A part's result as the scheduler reports it (the part by index; its operations are the caller's). */
export interface PartOutcome {
  readonly index: number;
  readonly outcome: SearchOutcome | "skipped";
  readonly longest: PartialLinearization;
  readonly steps: number;
}

/** Shared between the threads of one check: [STOP] why everyone stops (0 = go on). */
export const STOP = 0;
export const STOP_ILLEGAL = 1;
export const STOP_GIVE_UP = 2;

export interface ScheduleOptions {
  /** `performance.now()` time (of this thread) at which to give up. */
  readonly deadline: number;
  readonly signal?: AbortSignal;
  readonly stopAtFirstIllegal: boolean;
  /** The parts this thread searches (indices into the parts); default all. */
  readonly indices?: readonly number[];
  /** [STOP] as above, shared with the other threads when there are any. */
  readonly control: Int32Array;
  /** Called between rounds (e.g. to hand parts to a worker thread once the check turns out not to be quick). */
  readonly between?: () => void;
}

/** First slice of steps per part; it doubles every round up to the last, so long searches switch rarely. */
const FIRST_SLICE = 1024;
const LAST_SLICE = 32_768;

/**
 * Searches its parts interleaved round-robin, a slice of steps each, until all are decided, one is illegal (when
 * stopping at the first), the deadline passes, the signal aborts or another thread says stop. `run` may return
 * before that (after `forMs`), so an async caller can let its event loop turn in between.
 */
export class PartScheduler {
  /** An outcome for every part finished so far. */
  readonly outcomes: PartOutcome[] = [];
  private readonly active: { index: number; search: PartSearch }[] = [];
  private slice = FIRST_SLICE;
  private finished = false;
  private readonly options: ScheduleOptions;

  constructor(model: AnyModel, parts: readonly (readonly Operation[])[], options: ScheduleOptions) {
    this.options = options;
    for (const index of options.indices ?? parts.keys()) this.active.push({ index, search: new PartSearch(model, parts[index]!) });
  }

  private finish(index: number, search: PartSearch, outcome: PartOutcome["outcome"]): void {
    this.outcomes.push({ index, outcome, longest: search.longest(), steps: search.steps });
  }

  /** Gives up every other part still being searched (for another thread to search) and returns their indices. */
  release(): number[] {
    const kept: { index: number; search: PartSearch }[] = [];
    const given: number[] = [];
    this.active.forEach((a, k) => (k % 2 === 1 ? given.push(a.index) : kept.push(a)));
    this.active.splice(0, this.active.length, ...kept);
    return given;
  }

  /** Runs for about `forMs` (whole rounds) or until done; returns whether done. */
  run(forMs = Infinity): boolean {
    const { control, deadline, signal } = this.options;
    const active = this.active;
    const until = performance.now() + forMs;
    while (!this.finished) {
      if (active.length === 0) {
        this.finished = true;
        break;
      }
      for (let k = 0; k < active.length; ) {
        const stop = Atomics.load(control, STOP);
        const giveUp = stop === STOP_GIVE_UP || signal?.aborted === true || performance.now() > deadline;
        if (stop === STOP_ILLEGAL || giveUp) {
          if (giveUp) Atomics.store(control, STOP, STOP_GIVE_UP);
          for (const a of active) this.finish(a.index, a.search, giveUp ? "unknown" : "skipped");
          active.length = 0;
          this.finished = true;
          return true;
        }
        const { index, search } = active[k]!;
        // The slice in pieces of POLL steps, so a stop from the other thread is seen within one piece.
        let status = search.run(POLL);
        for (let done = POLL; status === "running" && done < this.slice && Atomics.load(control, STOP) === 0; done += POLL) status = search.run(POLL);
        if (status === "running") {
          k++;
          continue;
        }
        active.splice(k, 1);
        this.finish(index, search, status);
        if (status === "illegal" && this.options.stopAtFirstIllegal) Atomics.store(control, STOP, STOP_ILLEGAL);
      }
      this.slice = Math.min(this.slice * 2, LAST_SLICE);
      this.options.between?.();
      if (performance.now() >= until) break;
    }
    return this.finished;
  }
}

/** Runs a PartScheduler to the end on this thread. */
export function searchParts(model: AnyModel, parts: readonly (readonly Operation[])[], options: ScheduleOptions): PartOutcome[] {
  const scheduler = new PartScheduler(model, parts, options);
  scheduler.run();
  return scheduler.outcomes;
}

/** Puts the per-part outcomes together (parts without one count as skipped, or unknown when time ran out). */
export function assemble(parts: readonly (readonly Operation[])[], outcomes: readonly PartOutcome[], start: number): LinearizabilityResult {
  const byIndex = new Map(outcomes.map((o) => [o.index, o]));
  const results: PartResult[] = [];
  let valid: Verdict = true;
  let skippedParts = 0;
  const illegal = outcomes.some((o) => o.outcome === "illegal");
  parts.forEach((ops, index) => {
    const o = byIndex.get(index);
    if (o === undefined || o.outcome === "skipped") {
      if (illegal) skippedParts++;
      else {
        results.push({ ops, outcome: "unknown", longest: { ops: [], states: [] }, steps: 0 });
        valid = "unknown";
      }
      return;
    }
    results.push({ ops, outcome: o.outcome, longest: o.longest, steps: o.steps });
    if (o.outcome === "illegal") valid = false;
    else if (o.outcome === "unknown" && valid === true) valid = "unknown";
  });
  return { valid, parts: results, skippedParts, elapsedMs: performance.now() - start };
}

export function partsOf(model: AnyModel, ops: readonly Operation[]): Operation[][] {
  return model.partition !== undefined ? model.partition(ops) : [[...ops]];
}

/** Checks on the calling thread (all parts interleaved). */
export function checkLinearizability(model: AnyModel, ops: readonly Operation[], options: CheckOptions = {}): LinearizabilityResult {
  const start = performance.now();
  const parts = partsOf(model, ops);
  const outcomes = searchParts(model, parts, {
    deadline: start + (options.timeoutMs ?? 60_000),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
    stopAtFirstIllegal: options.stopAtFirstIllegal !== false,
    control: new Int32Array(1),
  });
  return assemble(parts, outcomes, start);
}
