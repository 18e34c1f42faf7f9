// Checking the parts of a history on more than one thread. The calling thread starts alone, all parts
// interleaved (check.ts); once the check has run for a few milliseconds without a verdict it hands every other
// part still open to a worker thread (which starts those afresh: a few milliseconds lost, so a quick history
// pays nothing for the worker). The first illegal part stops both through one shared flag. The workers are
// kept for the next check (and do not keep the process alive).
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { AnyModel } from "./model.ts";
import { models } from "./models.ts";
import type { Operation } from "./operation.ts";
import { assemble, checkLinearizability, PartScheduler, partsOf, STOP, STOP_GIVE_UP } from "./check.ts";
import type { CheckOptions, LinearizabilityResult, PartOutcome } from "./check.ts";

export interface ParallelCheckOptions extends CheckOptions {
  /** Threads searching at once, the calling one included: 1 or 2 (default: 2, or 1 on a single core). */
  readonly threads?: number;
}

/** What the calling thread sends a worker: the parts it hands over (`parts[k]` is part `indices[k]`), and the control. */
export interface WorkerRequest {
  readonly id: number;
  readonly model: string;
  readonly indices: readonly number[];
  readonly parts: readonly (readonly Operation[])[];
  readonly control: SharedArrayBuffer;
  readonly remainingMs: number;
  readonly stopAtFirstIllegal: boolean;
}

export type WorkerReply = { readonly id: number; readonly outcomes: PartOutcome[] } | { readonly id: number; readonly error: string };

/** A worker is brought in once the calling thread has searched this long without a verdict. */
const ENGAGE_AFTER_MS = 2;
/** The calling thread lets its event loop turn this often while it searches. */
const YIELD_EVERY_MS = 10;

/** The name under which a worker finds the model, or undefined for a model only the calling thread knows. */
function workerModelName(model: AnyModel): string | undefined {
  for (const [name, m] of Object.entries(models)) if (m === model) return name;
  return undefined;
}

/** A worker thread and the questions it has not answered yet (by request id). */
interface PoolWorker {
  readonly thread: Worker;
  readonly waiting: Map<number, { resolve: (o: PartOutcome[]) => void; reject: (e: Error) => void }>;
}

let pool: PoolWorker[] = [];
let nextRequest = 0;

function worker(k: number): PoolWorker {
  let w = pool[k];
  if (w === undefined) {
    const thread = new Worker(new URL("./worker.ts", import.meta.url));
    thread.unref();
    const self: PoolWorker = { thread, waiting: new Map() };
    thread.on("message", (reply: WorkerReply) => {
      const waiter = self.waiting.get(reply.id);
      if (waiter === undefined) return;
      self.waiting.delete(reply.id);
      if (self.waiting.size === 0) thread.unref();
      if ("error" in reply) waiter.reject(new Error(`linearizability worker: ${reply.error}`));
      else waiter.resolve(reply.outcomes);
    });
    // A worker that failed fails what it was asked, and is replaced at the next check.
    const fail = (err: Error) => {
      pool = pool.filter((x) => x !== self);
      for (const waiter of self.waiting.values()) waiter.reject(err);
      self.waiting.clear();
    };
    thread.on("error", fail);
    thread.on("exit", (code) => fail(new Error(`linearizability worker exited (${code})`)));
    w = self;
    pool[k] = w;
  }
  return w;
}

function ask(w: PoolWorker, request: Omit<WorkerRequest, "id">): Promise<PartOutcome[]> {
  const id = nextRequest++;
  return new Promise<PartOutcome[]>((resolve, reject) => {
    w.waiting.set(id, { resolve, reject });
    // The worker keeps the process alive only while it has a question to answer.
    w.thread.ref();
    w.thread.postMessage({ ...request, id });
  });
}

/** Worker threads running now (for tests: a check on two threads that ran long enough brought one in). */
export function workerThreads(): number {
  return pool.filter((w) => w !== undefined).length;
}

/** Ends the worker threads (the next check starts new ones). */
export async function closeWorkers(): Promise<void> {
  const all = pool;
  pool = [];
  await Promise.all(all.map((w) => w.thread.terminate()));
}

/** Checks with `threads` threads when the model and the history allow it, else on the calling thread. */
export async function checkLinearizabilityAsync(model: AnyModel, ops: readonly Operation[], options: ParallelCheckOptions = {}): Promise<LinearizabilityResult> {
  const threads = Math.min(2, Math.max(1, Math.floor(options.threads ?? availableParallelism())));
  const name = workerModelName(model);
  const start = performance.now();
  const parts = partsOf(model, ops);
  if (threads === 1 || parts.length < 2 || name === undefined) {
    // One thread: the same interleaved search, with the event loop turning in between.
    const scheduler = new PartScheduler(model, parts, {
      deadline: start + (options.timeoutMs ?? 60_000),
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
      stopAtFirstIllegal: options.stopAtFirstIllegal !== false,
      control: new Int32Array(1),
    });
    while (!scheduler.run(YIELD_EVERY_MS)) await new Promise((resolve) => setImmediate(resolve));
    return assemble(parts, scheduler.outcomes, start);
  }
  const deadline = start + (options.timeoutMs ?? 60_000);
  const stopAtFirstIllegal = options.stopAtFirstIllegal !== false;
  const shared = new SharedArrayBuffer(4);
  const control = new Int32Array(shared);
  const asked: Promise<PartOutcome[]>[] = [];
  let scheduler: PartScheduler | undefined;
  const engage = () => {
    if (asked.length > 0 || scheduler === undefined || performance.now() - start < ENGAGE_AFTER_MS || Atomics.load(control, STOP) !== 0) return;
    // Two threads: the worker takes every other open part. (More threads would split them further.)
    const indices = scheduler.release();
    if (indices.length === 0) return;
    const request: Omit<WorkerRequest, "id"> = { model: name, indices, parts: indices.map((i) => parts[i]!), control: shared, remainingMs: deadline - performance.now(), stopAtFirstIllegal };
    asked.push(ask(worker(0), request));
  };
  const onAbort = () => Atomics.store(control, STOP, STOP_GIVE_UP);
  options.signal?.addEventListener("abort", onAbort);
  try {
    scheduler = new PartScheduler(model, parts, { deadline, ...(options.signal !== undefined ? { signal: options.signal } : {}), stopAtFirstIllegal, control, between: engage });
    // Let the event loop turn every few milliseconds (timers, an abort, Ctrl-C) while this thread searches too.
    while (!scheduler.run(YIELD_EVERY_MS)) await new Promise((resolve) => setImmediate(resolve));
    const mine = scheduler.outcomes;
    const theirs = await Promise.allSettled(asked);
    const outcomes = [...mine];
    for (const t of theirs) {
      if (t.status === "fulfilled") outcomes.push(...t.value);
    }
    if (theirs.some((t) => t.status === "rejected")) {
      // A worker failed: search what it left undecided here (the verdict must not depend on a thread's health).
      const decided = new Set(outcomes.filter((o) => o.outcome !== "skipped" && o.outcome !== "unknown").map((o) => o.index));
      if (!outcomes.some((o) => o.outcome === "illegal")) {
        const left = parts.map((_, i) => i).filter((i) => !decided.has(i));
        const r = checkLinearizability(model, left.flatMap((i) => parts[i]!), { ...options, timeoutMs: Math.max(0, deadline - performance.now()) });
        return { ...r, elapsedMs: performance.now() - start };
      }
    }
    return assemble(parts, outcomes, start);
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
  }
}
