// Streams the trace-*.log files of a run line by line, so a run of any size is read in constant memory.
import { createReadStream } from "node:fs";
import { readdir } from "node:fs/promises";
import { basename, join } from "node:path";
import { createInterface } from "node:readline";
import type { TraceRecord } from "./record.ts";

export type { CsElement, TraceRecord } from "./record.ts";

/** `trace-<self>-<n>.log`; group 1 is the self, group 2 n. */
export const TRACE_FILE = /^trace-(.+)-(\d+)\.log$/;

/** Input that is not a TraceLink trace; the message names file, line and what was expected. */
export class TraceFormatError extends Error {
  override name = "TraceFormatError";
}

/** The self a trace file's name claims, or undefined for a name that is not `trace-<self>-<n>.log`. */
export function selfOfFile(path: string): string | undefined {
  return TRACE_FILE.exec(basename(path))?.[1];
}

/**
 * An instance's trace files, one per incarnation: a restarted process (killed, then started again from what it
 * persisted) opens a new file for the same self, `trace-<self>-<n>.log` with a larger n, its clock continuing
 * where the earlier file ended. So an instance's records are its files in order of n.
 */
export interface InstanceFiles {
  readonly self: string;
  /** In order of n: incarnation 1, 2, … */
  readonly files: readonly string[];
}

/**
 * The files grouped by the self their names claim, each group in order of n (numerically), groups by self. A file
 * named otherwise (given by hand) is a group of its own.
 */
export function incarnations(files: readonly string[]): InstanceFiles[] {
  const bySelf = new Map<string, { n: bigint; file: string }[]>();
  for (const file of files) {
    const m = TRACE_FILE.exec(basename(file));
    const self = m === null ? `(${basename(file)})` : m[1]!;
    let list = bySelf.get(self);
    if (list === undefined) bySelf.set(self, (list = []));
    list.push({ n: m === null ? BigInt(list.length) : BigInt(m[2]!), file });
  }
  return [...bySelf.keys()].sort().map((self) => ({ self, files: bySelf.get(self)!.sort((a, b) => (a.n < b.n ? -1 : a.n > b.n ? 1 : 0)).map((x) => x.file) }));
}

/** The files in an order that keeps each instance's incarnations consecutive and in order of n. */
export function inIncarnationOrder(files: readonly string[]): string[] {
  return incarnations(files).flatMap((g) => g.files);
}

/**
 * Streams an instance's records over its incarnations: each record with its file, line and incarnation (from 0),
 * `first` on the first record of an incarnation after the first one.
 */
export async function* readIncarnations(paths: readonly string[]): AsyncGenerator<{ file: string; line: number; record: TraceRecord; incarnation: number; first: boolean }> {
  for (const [incarnation, path] of paths.entries()) {
    let first = incarnation > 0;
    for await (const { line, record } of readTrace(path)) {
      yield { file: basename(path), line, record, incarnation, first };
      first = false;
    }
  }
}

/** The run's trace files (absolute or dir-relative as `dir` is), sorted by name. */
export async function listTraceFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => TRACE_FILE.test(f)).sort().map((f) => join(dir, f));
}

const DATETIME = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/i;

const isString = (x: unknown): x is string => typeof x === "string";
const isObject = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);

/**
 * The first way `json` is not a TraceRecord, as `"<field path>" expected ...`, or undefined when it is one.
 * Hand-written rather than recordSchema.safeParse because it is on the hot path of multi-GB runs (about 3×
 * faster); reader.test.ts checks that the two agree.
 */
export function recordProblem(json: unknown): string | undefined {
  if (!isObject(json)) return "expected a JSON object";
  const str = (k: string, nonEmpty: boolean) => (isString(json[k]) && (!nonEmpty || json[k] !== "") ? undefined : `"${k}" expected a ${nonEmpty ? "non-empty " : ""}string`);
  const top = str("archetypeName", true) ?? str("self", true);
  if (top !== undefined) return top;
  const clock = json.clock;
  if (!Array.isArray(clock)) return `"clock" expected a list of [[archetype, self], count]`;
  for (let i = 0; i < clock.length; i++) {
    const e: unknown = clock[i];
    if (!Array.isArray(e) || e.length !== 2 || !Array.isArray(e[0]) || e[0].length !== 2 || !isString(e[0][0]) || !isString(e[0][1]) || !Number.isSafeInteger(e[1]) || (e[1] as number) < 0) {
      return `"clock.${i}" expected [[archetype, self], count] with a count >= 0`;
    }
  }
  const els = json.csElements;
  if (!Array.isArray(els) || els.length === 0) return `"csElements" expected a non-empty list`;
  for (let i = 0; i < els.length; i++) {
    const e: unknown = els[i];
    const at = `"csElements.${i}`;
    if (!isObject(e)) return `${at}" expected an object`;
    if (e.tag !== "read" && e.tag !== "write") return `${at}.tag" expected "read" or "write"`;
    const n = e.name;
    if (!isObject(n) || !isString(n.name) || !isString(n.prefix) || !isString(n.self)) return `${at}.name" expected {name, prefix, self} strings`;
    if (!Array.isArray(e.indices) || !e.indices.every(isString)) return `${at}.indices" expected a list of strings`;
    if (!isString(e.value)) return `${at}.value" expected a string`;
    if (e.oldValue !== undefined && !isString(e.oldValue)) return `${at}.oldValue" expected a string`;
  }
  if (typeof json.isAbort !== "boolean") return `"isAbort" expected a boolean`;
  for (const k of ["startTime", "endTime"]) {
    const t = json[k];
    if (!isString(t) || !DATETIME.test(t)) return `"${k}" expected an RFC 3339 time`;
  }
  return undefined;
}

/** Parses one line; throws TraceFormatError naming `where` (file:line) and what was expected. */
export function parseRecord(text: string, where: string): TraceRecord {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new TraceFormatError(`${where}: expected a JSON object, got ${JSON.stringify(text.slice(0, 40))}`);
  }
  const problem = recordProblem(json);
  if (problem !== undefined) throw new TraceFormatError(`${where}: ${problem}`);
  return json as TraceRecord;
}

/** Streams one file's records (blank lines skipped, line numbers counted from 1); a malformed line throws. */
export async function* readTrace(path: string): AsyncGenerator<{ line: number; record: TraceRecord }> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  const file = basename(path);
  let n = 0;
  for await (const text of lines) {
    n++;
    if (text.trim() === "") continue;
    yield { line: n, record: parseRecord(text, `${file}:${n}`) };
  }
}
