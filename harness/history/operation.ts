// One operation schema for every history, after Jepsen and Porcupine.
//
// A history is first a list of events, as a client records them: an `invoke` when it sends a request, then one
// completion — `ok` (it took effect, with this value), `fail` (it certainly did not take effect) or `info` (the
// outcome is unknown: the client crashed or timed out). Events pair up per process into operations. An
// operation whose outcome is unknown has `return: Infinity` and no `output`: it may take effect at any point
// after its call, or never.

export type EventType = "invoke" | "ok" | "fail" | "info";

export interface HistoryEvent {
  /** The client (Jepsen's process); one outstanding operation per process at a time. */
  readonly process: string;
  readonly type: EventType;
  /** The operation's function, e.g. "read", "write", "cas", "get", "put", "append". */
  readonly f: string;
  /** On invoke the input; on ok the output. Its shape is the model's business. */
  readonly value: unknown;
  /** A number that orders events (nanoseconds, milliseconds or just the event's index). */
  readonly time: number;
  /** Where the event was recorded, e.g. "trace-7-123.log:10" (shown in explanations). */
  readonly where?: string;
}

export interface Operation<I = unknown, O = unknown> {
  /** Index of the operation in its history; stable across partitions, used in explanations. */
  readonly id: number;
  readonly process: string;
  readonly f: string;
  readonly input: I;
  /** Absent exactly when the outcome is unknown (then `return` is Infinity). */
  readonly output?: O;
  readonly call: number;
  readonly return: number;
  /** Where the completion (or, for an unknown outcome, the invoke) was recorded, when known. */
  readonly where?: string;
}

export const isUnknown = (op: Operation): boolean => op.return === Infinity;

/** A history that cannot be paired (a completion without its invoke, a process with two invokes pending). */
export class HistoryFormatError extends Error {
  override name = "HistoryFormatError";
}

export interface PairOptions<I, O> {
  /** The operation's input from its invoke event (and the completion, for formats that repeat it there). */
  readonly input: (invoke: HistoryEvent, completion: HistoryEvent | undefined) => I;
  /** The output from an `ok` completion (and a `fail` one when `keepFailed` is set). */
  readonly output: (invoke: HistoryEvent, completion: HistoryEvent) => O;
  /**
   * Keep `fail` completions as known outcomes (Porcupine's etcd model reads a failed cas as "the compare
   * failed", which still constrains the state). By default a failed operation is dropped, as in Jepsen.
   */
  readonly keepFailed?: boolean | ((invoke: HistoryEvent) => boolean);
  /** Names the source in error messages, e.g. "etcd_000.log". */
  readonly where?: string;
}

/** Pairs invoke/completion events per process into operations, in the order of their calls. */
export function pairEvents<I, O>(events: readonly HistoryEvent[], options: PairOptions<I, O>): Operation<I, O>[] {
  const where = options.where ?? "history";
  const pending = new Map<string, { event: HistoryEvent; index: number }>();
  const built: { callIndex: number; op: Omit<Operation<I, O>, "id"> }[] = [];
  events.forEach((event, index) => {
    const open = pending.get(event.process);
    if (event.type === "invoke") {
      if (open !== undefined) {
        throw new HistoryFormatError(`${where}: event ${index + 1}: process ${event.process} invokes ${event.f} while its ${open.event.f} from event ${open.index + 1} is still pending`);
      }
      pending.set(event.process, { event, index });
      return;
    }
    if (open === undefined) throw new HistoryFormatError(`${where}: event ${index + 1}: process ${event.process} completes ${event.f} (${event.type}) without an invoke`);
    if (open.event.f !== event.f) throw new HistoryFormatError(`${where}: event ${index + 1}: process ${event.process} completes ${event.f} but invoked ${open.event.f} at event ${open.index + 1}`);
    pending.delete(event.process);
    const keep = typeof options.keepFailed === "function" ? options.keepFailed(open.event) : options.keepFailed === true;
    if (event.type === "fail" && !keep) return;
    const at = event.type === "info" ? open.event.where : event.where;
    const base = { process: event.process, f: event.f, input: options.input(open.event, event), call: open.event.time, ...(at !== undefined ? { where: at } : {}) };
    built.push({
      callIndex: open.index,
      op: event.type === "info" ? { ...base, return: Infinity } : { ...base, output: options.output(open.event, event), return: event.time },
    });
  });
  // An invoke never completed: the client vanished, so the outcome is unknown.
  for (const { event, index } of pending.values()) {
    built.push({ callIndex: index, op: { process: event.process, f: event.f, input: options.input(event, undefined), call: event.time, return: Infinity, ...(event.where !== undefined ? { where: event.where } : {}) } });
  }
  built.sort((a, b) => a.callIndex - b.callIndex);
  return built.map(({ op }, id) => ({ ...op, id }));
}
