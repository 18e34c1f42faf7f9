// The basic TraceLink checks every system gets (the fuller structural checks are issue 4's): each trace file
// parses line by line, holds one instance whose self matches the file name, and that instance's own clock
// entry equals the line number. Files are streamed, so a run of any size is read in constant memory.
import { basename } from "node:path";
import { listTraceFiles, readTrace, selfOfFile, TraceFormatError } from "../tracelink/reader.ts";
import type { Checker, CheckContext, CheckResult } from "./checker.ts";

// The reader moved to harness/tracelink/; re-exported so existing imports keep working.
export { recordSchema } from "../tracelink/record.ts";
export { listTraceFiles, readTrace, TraceFormatError } from "../tracelink/reader.ts";
export type { CsElement, TraceRecord } from "../tracelink/record.ts";

async function checkFile(path: string): Promise<{ records: number; violation?: string }> {
  const expectedSelf = selfOfFile(path);
  let records = 0;
  let instance: { archetype: string; self: string } | undefined;
  for await (const { line, record } of readTrace(path)) {
    records++;
    const where = `${basename(path)}:${line}`;
    if (record.csElements[0]?.name.name !== ".pc" || record.csElements[0].tag !== "read") {
      return { records, violation: `${where}: the first element must be a read of .pc` };
    }
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
