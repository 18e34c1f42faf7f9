// Histories derived from TraceLink traces. A client archetype records a committed read of its request channel
// when it takes a request (the invoke) and a committed write of its response channel when it hands the answer
// back (the completion). The invoke's time is the start of the reading section and the completion's the end of
// the writing one, so the interval contains the moment the operation took effect. A request never answered has
// an unknown outcome. Aborted sections are ignored (their reads and writes had no effect).
import { basename } from "node:path";
import { listTraceFiles, readTrace } from "../tracelink/reader.ts";
import { timeNanos } from "../tracelink/local-checks.ts";
import { parseTlaValue } from "../tracelink/tla-value.ts";
import type { TlaValue } from "../tracelink/tla-value.ts";
import type { KvInput, KvOutput } from "./models.ts";
import { HistoryFormatError, pairEvents } from "./operation.ts";
import type { HistoryEvent, Operation } from "./operation.ts";

export interface ClientShape {
  /** The client archetype, e.g. "AClient". */
  readonly archetype: string;
  /** The request channel (a committed read of it is an invoke), e.g. "reqCh". */
  readonly request: string;
  /** The response channel (a committed write of it is a completion), e.g. "respCh". */
  readonly response: string;
}

/** A request or response as recorded, with where it was recorded (for error messages). */
export interface TracedValue {
  readonly value: TlaValue;
  readonly where: string;
}

export interface ClientEvent extends Omit<HistoryEvent, "value" | "f" | "time"> {
  readonly f: string;
  readonly value: TracedValue;
  /** Nanoseconds since the epoch. */
  readonly nanos: bigint;
}

/**
 * The invoke/completion events of every instance of `shape.archetype` in a run's traces (one process per
 * instance, named `<archetype>(<self>)`), each with `f` "request" or "response" for the caller to interpret.
 */
export async function clientEvents(dir: string, shape: ClientShape): Promise<ClientEvent[]> {
  const events: ClientEvent[] = [];
  for (const path of await listTraceFiles(dir)) {
    const file = basename(path);
    for await (const { line, record } of readTrace(path)) {
      if (record.archetypeName !== shape.archetype || record.isAbort) continue;
      const process = `${shape.archetype}(${record.self})`;
      for (const e of record.csElements) {
        const isRequest = e.tag === "read" && e.name.name === shape.request;
        const isResponse = e.tag === "write" && e.name.name === shape.response;
        if (!isRequest && !isResponse) continue;
        const where = `${file}:${line}`;
        let value: TlaValue;
        try {
          value = parseTlaValue(e.value);
        } catch (err) {
          throw new HistoryFormatError(`${where}: ${shape.archetype}.${e.name.name}: ${err instanceof Error ? err.message : String(err)}`);
        }
        events.push({ process, type: isRequest ? "invoke" : "ok", f: isRequest ? "request" : "response", value: { value, where }, nanos: timeNanos(isRequest ? record.startTime : record.endTime) });
      }
    }
  }
  return events;
}

/** A field of a TLA+ record or string-keyed function (PGo writes records as `("k") :> (v) @@ ...`). */
export function field(v: TlaValue, name: string): TlaValue | undefined {
  if (v.kind === "record") return v.fields.get(name);
  if (v.kind === "function") return v.pairs.find(([k]) => k.kind === "string" && k.value === name)?.[1];
  return undefined;
}

function str(v: TlaValue | undefined, what: string, where: string): string {
  if (v?.kind === "string") return v.value;
  throw new HistoryFormatError(`${where}: expected ${what} to be a string, got ${v === undefined ? "nothing" : v.kind}`);
}

/**
 * The raftkvs client history: requests `[type |-> "get"|"put", key, value]`, responses
 * `[mtype, msuccess, mresponse |-> [idx, key, value, ok]]`. A get of a missing key (ok FALSE) reads as "",
 * the kv model's initial value. Times are nanoseconds since the earliest event, whose time (nanoseconds since the
 * epoch) is kept as `originNanos`, so that wall-clock events (fault windows) can be placed on the same axis.
 */
export async function raftkvsHistory(dir: string, shape: ClientShape): Promise<Operation<KvInput, KvOutput>[] & Partial<HistoryOrigin>> {
  const raw = await clientEvents(dir, shape);
  if (raw.length === 0) return [];
  const t0 = raw.reduce((m, e) => (e.nanos < m ? e.nanos : m), raw[0]!.nanos);
  // Sort by time so pairing sees each process's events in order even across files (stable for ties).
  const events: HistoryEvent[] = raw
    .map((e, i) => ({ e, i }))
    .sort((a, b) => (a.e.nanos < b.e.nanos ? -1 : a.e.nanos > b.e.nanos ? 1 : a.i - b.i))
    .map(({ e }) => {
      const { value, where } = e.value;
      if (e.f === "request") {
        const type = str(field(value, "type"), '"type"', where);
        if (type !== "get" && type !== "put") throw new HistoryFormatError(`${where}: expected request "type" get or put, got ${JSON.stringify(type)}`);
        const key = str(field(value, "key"), '"key"', where);
        const input: KvInput = type === "get" ? { op: "get", key } : { op: "put", key, value: str(field(value, "value"), '"value"', where) };
        return { process: e.process, type: "invoke" as const, f: type, value: input, time: Number(e.nanos - t0), where };
      }
      const success = field(value, "msuccess");
      const body = field(value, "mresponse");
      const mtype = field(value, "mtype");
      const f = mtype?.kind === "string" && mtype.value === "cpp" ? "put" : mtype?.kind === "string" && mtype.value === "cgp" ? "get" : undefined;
      if (f === undefined || body === undefined) throw new HistoryFormatError(`${where}: expected a response with "mtype" cgp or cpp and "mresponse"`);
      const ok = field(body, "ok");
      const out: KvOutput = ok?.kind === "bool" && ok.value ? str(field(body, "value"), '"mresponse.value"', where) : "";
      const failed = success?.kind === "bool" && !success.value;
      return { process: e.process, type: failed ? ("fail" as const) : ("ok" as const), f, value: out, time: Number(e.nanos - t0), where };
    });
  const ops = pairEvents<KvInput, KvOutput>(events, {
    where: dir,
    input: (invoke) => invoke.value as KvInput,
    output: (invoke, completion) => (invoke.f === "get" ? (completion.value as KvOutput) : null),
  });
  return Object.assign(ops, { originNanos: t0 });
}

/** Where a history's time 0 lies: nanoseconds since the epoch (on a history array derived from traces). */
export interface HistoryOrigin {
  readonly originNanos: bigint;
}

/** The origin a history function attached to its result, if any. */
export function historyOrigin(ops: readonly Operation[]): bigint | undefined {
  const o = (ops as Partial<HistoryOrigin>).originNanos;
  return typeof o === "bigint" ? o : undefined;
}
