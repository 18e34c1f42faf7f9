// raftkvs-specific check on the client traces: every request the client took (a committed read of reqCh) got
// its response (a committed write of respCh) before the client took the next one, and none is left open.
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import type { Checker, CheckResult } from "../../harness/check/checker.ts";
import { listTraceFiles, readTrace } from "../../harness/tracelink/reader.ts";

export function everyRequestAnswered(opts: { minRequests: number } = { minRequests: 1 }): Checker {
  return {
    name: "raftkvs/every-request-answered",
    async check(ctx): Promise<CheckResult[]> {
      let requests = 0;
      let clients = 0;
      const violations: string[] = [];
      for (const file of await listTraceFiles(ctx.tracesDir)) {
        let open: number | undefined; // line of the request still waiting for its response
        let isClient = false;
        for await (const { line, record } of readTrace(file)) {
          if (record.archetypeName !== "AClient") break;
          isClient = true;
          if (record.isAbort) continue;
          for (const e of record.csElements) {
            if (e.tag === "read" && e.name.name === "reqCh") {
              if (open !== undefined) violations.push(`${basename(file)}:${line}: took a new request while the one of line ${open} had no response`);
              open = line;
              requests++;
            } else if (e.tag === "write" && e.name.name === "respCh") {
              if (open === undefined) violations.push(`${basename(file)}:${line}: a response without a request`);
              open = undefined;
            }
          }
        }
        if (isClient) clients++;
        if (open !== undefined) violations.push(`${basename(file)}:${open}: request never answered`);
      }
      const enough = requests >= opts.minRequests;
      return [
        {
          name: "raftkvs/every-request-answered",
          valid: violations.length === 0 && enough,
          summary:
            violations.length > 0
              ? `${violations.length} violation(s): ${violations.slice(0, 3).join("; ")}`
              : enough
                ? `${requests} requests of ${clients} client(s), each answered`
                : `only ${requests} client requests in the traces (expected at least ${opts.minRequests})`,
          details: { clients, requests, violations },
        },
      ];
    },
  };
}

/**
 * Runs `inner` (pgo.jar tracegen + TLC) only when the run has at most `maxRecords` trace records, and reports it as
 * skipped, with the count and the reason, otherwise: TLC's time grows with the records, and a run it cannot finish
 * within the test's budget would only say "unknown".
 */
export function withRecordBudget(inner: Checker, maxRecords: number, why: string): Checker {
  return {
    name: inner.name,
    async check(ctx): Promise<CheckResult[]> {
      let records = 0;
      for (const file of await listTraceFiles(ctx.tracesDir)) {
        const text = await readFile(file, "utf8");
        for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) records++;
        if (text.length > 0 && !text.endsWith("\n")) records++;
      }
      if (records > maxRecords) {
        const reason = `${records} trace records, more than the ${maxRecords} pgo.jar + TLC can check in this test's time (${why})`;
        return [{ name: inner.name, valid: "unknown", summary: `skipped: ${reason}`, skipped: reason }];
      }
      ctx.log?.(`${records} trace records for ${inner.name}`);
      return inner.check(ctx);
    },
  };
}
