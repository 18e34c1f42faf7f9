// Streams the trace-*.log files of a run line by line, so a run of any size is read in constant memory.
import { createReadStream } from "node:fs";
import { readdir } from "node:fs/promises";
import { basename, join } from "node:path";
import { createInterface } from "node:readline";
import { recordSchema } from "./record.ts";
import type { TraceRecord } from "./record.ts";

export type { CsElement, TraceRecord } from "./record.ts";

/** `trace-<self>-<random>.log`; group 1 is the self. */
export const TRACE_FILE = /^trace-(.+)-\d+\.log$/;

/** Input that is not a TraceLink trace; the message names file, line and what was expected. */
export class TraceFormatError extends Error {
  override name = "TraceFormatError";
}

/** The self a trace file's name claims, or undefined for a name that is not `trace-<self>-<n>.log`. */
export function selfOfFile(path: string): string | undefined {
  return TRACE_FILE.exec(basename(path))?.[1];
}

/** The run's trace files (absolute or dir-relative as `dir` is), sorted by name. */
export async function listTraceFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => TRACE_FILE.test(f)).sort().map((f) => join(dir, f));
}

/** Parses one line; throws TraceFormatError naming `where` (file:line) and what was expected. */
export function parseRecord(text: string, where: string): TraceRecord {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new TraceFormatError(`${where}: expected a JSON object, got ${JSON.stringify(text.slice(0, 40))}`);
  }
  const parsed = recordSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TraceFormatError(`${where}: "${issue?.path.join(".") ?? ""}" ${issue?.message ?? "is invalid"}`);
  }
  return parsed.data;
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
