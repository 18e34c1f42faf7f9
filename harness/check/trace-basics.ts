// The basic TraceLink checks every system gets (the fuller structural checks are issue 4's): each trace file
// parses line by line, holds one instance whose self matches the file name, and that instance's own clock
// entry equals the line number. Files are streamed, so a run of any size is read in constant memory.
import { createReadStream } from "node:fs";
import { readdir } from "node:fs/promises";
import { basename, join } from "node:path";
import { createInterface } from "node:readline";
import { z } from "zod";
import type { Checker, CheckContext, CheckResult } from "./checker.ts";

const TRACE_FILE = /^trace-(.+)-\d+\.log$/;

const elementSchema = z.object({
  tag: z.enum(["read", "write"]),
  name: z.object({ name: z.string(), prefix: z.string(), self: z.string() }),
  indices: z.array(z.string()),
  value: z.string(),
  oldValue: z.string().optional(),
});
export const recordSchema = z.object({
  archetypeName: z.string().min(1),
  self: z.string().min(1),
  clock: z.array(z.tuple([z.tuple([z.string(), z.string()]), z.number().int().nonnegative()])),
  csElements: z.array(elementSchema).min(1),
  isAbort: z.boolean(),
  startTime: z.iso.datetime({ offset: true }),
  endTime: z.iso.datetime({ offset: true }),
});
export type TraceRecord = z.infer<typeof recordSchema>;

export class TraceFormatError extends Error {
  override name = "TraceFormatError";
}

export async function listTraceFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => TRACE_FILE.test(f)).sort().map((f) => join(dir, f));
}

/** Streams one file's records; a malformed line throws naming file, line and what was expected. */
export async function* readTrace(path: string): AsyncGenerator<{ line: number; record: TraceRecord }> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let n = 0;
  for await (const text of lines) {
    n++;
    if (text.trim() === "") continue;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new TraceFormatError(`${basename(path)}:${n}: not a JSON object`);
    }
    const parsed = recordSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new TraceFormatError(`${basename(path)}:${n}: "${issue?.path.join(".") ?? ""}" ${issue?.message ?? "is invalid"}`);
    }
    if (parsed.data.csElements[0]?.name.name !== ".pc" || parsed.data.csElements[0].tag !== "read") {
      throw new TraceFormatError(`${basename(path)}:${n}: the first element must be a read of .pc`);
    }
    yield { line: n, record: parsed.data };
  }
}

async function checkFile(path: string): Promise<{ records: number; violation?: string }> {
  const expectedSelf = TRACE_FILE.exec(basename(path))?.[1];
  let records = 0;
  let instance: { archetype: string; self: string } | undefined;
  for await (const { line, record } of readTrace(path)) {
    records++;
    const where = `${basename(path)}:${line}`;
    instance ??= { archetype: record.archetypeName, self: record.self };
    if (record.archetypeName !== instance.archetype || record.self !== instance.self) {
      return { records, violation: `${where}: record of ${record.archetypeName}(${record.self}) in the file of ${instance.archetype}(${instance.self}); one instance per file` };
    }
    if (record.self !== expectedSelf) return { records, violation: `${where}: self ${record.self} does not match the file name (self ${expectedSelf})` };
    const own = record.clock.find(([[a, s]]) => a === record.archetypeName && s === record.self)?.[1];
    if (own !== records) return { records, violation: `${where}: own clock entry is ${own ?? "missing"}, expected ${records} (the line number)` };
  }
  return { records };
}

export function traceBasicsChecker(): Checker {
  return {
    name: "tracelink/basics",
    async check(ctx: CheckContext): Promise<CheckResult[]> {
      const files = await listTraceFiles(ctx.tracesDir);
      if (files.length === 0) return [{ name: "tracelink/parse-and-own-clock", valid: false, summary: `no trace-*.log files in ${ctx.tracesDir}` }];
      let records = 0;
      const violations: string[] = [];
      for (const file of files) {
        ctx.signal?.throwIfAborted();
        try {
          const r = await checkFile(file);
          records += r.records;
          if (r.violation !== undefined) violations.push(r.violation);
        } catch (err) {
          if (!(err instanceof TraceFormatError)) throw err;
          violations.push(err.message);
        }
      }
      ctx.log?.(`${files.length} file(s), ${records} record(s) read`);
      return [
        {
          name: "tracelink/parse-and-own-clock",
          valid: violations.length === 0,
          summary:
            violations.length === 0
              ? `${records} records in ${files.length} files parse, one instance per file, own clock entry = line number`
              : `${violations.length} file(s) violate: ${violations.slice(0, 3).join("; ")}`,
          details: { files: files.length, records, violations },
        },
      ];
    },
  };
}
