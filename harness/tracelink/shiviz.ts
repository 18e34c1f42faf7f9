// Export of a run's TraceLink traces to ShiViz (https://bestchai.bitbucket.io/shiviz/), which draws the
// space-time diagram of a distributed execution from vector clocks alone. One event per critical section; the
// host is the archetype instance, `archetype:self`; the clock is the record's own vector clock, keyed by host.
// Files are streamed one after another, so a run of any size is exported in constant memory.
import { once } from "node:events";
import { basename } from "node:path";
import { inIncarnationOrder, listTraceFiles, readTrace } from "./reader.ts";
import type { TraceRecord } from "./record.ts";

/** ShiViz's default parser regex (also written as the file's first line): an event line, then `host clock`. */
export const SHIVIZ_REGEX = String.raw`(?<event>.*)\n(?<host>\S*) (?<clock>{.*})`;

/**
 * The ShiViz host of an instance: `archetype:self`, with whitespace and `%` percent-encoded (`%20`, `%25`) because
 * ShiViz's host group is `\S*`. The encoding is reversible, so two instances never share a host
 * (e.g. self `<<1, 2>>` becomes `<<1,%202>>`); the usual selves (`1`, `"client"`) are unchanged.
 */
export function shivizHost(archetype: string, self: string): string {
  return `${archetype}:${self}`.replace(/[\s%]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0").toUpperCase()}`);
}

// Value strings are TLA+ text; keep the event on one line and short enough to read in ShiViz's sidebar.
function oneLine(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, " ");
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

const unquote = (v: string) => (v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v);

/** The event text of a section: who, which label (and the next one, or "aborted"), how many reads/writes, where. */
export function shivizEvent(record: TraceRecord, where: string): string {
  const els = record.csElements;
  const pcRead = els[0]?.name.name === ".pc" ? unquote(els[0].value) : "?";
  const pcWrite = els.findLast((e) => e.tag === "write" && e.name.name === ".pc");
  const step = record.isAbort ? `${pcRead} aborted` : pcWrite !== undefined ? `${pcRead} -> ${unquote(pcWrite.value)}` : pcRead;
  const writes = els.filter((e) => e.tag === "write" && e.name.name !== ".pc").map((e) => `${e.name.name}${e.indices.length > 0 ? `[${e.indices.join(",")}]` : ""}`);
  const reads = els.filter((e) => e.tag === "read").length;
  const wrote = writes.length > 0 ? `; wrote ${[...new Set(writes)].join(" ")}` : "";
  return oneLine(`${record.archetypeName}(${record.self}) ${step}; ${reads} reads${wrote} [${where}]`, 300);
}

export interface ShiVizOptions {
  /** Write the two header lines ShiViz expects of an uploaded file (regex, empty delimiter). Default true; set
   *  false to get text for ShiViz's paste box with the default regex. */
  readonly header?: boolean;
}

/** The ShiViz log of the run in `dir`, as chunks of text (each ends with a newline). */
export async function* toShiViz(dir: string, options: ShiVizOptions = {}): AsyncGenerator<string> {
  // A restarted instance's files (its incarnations) in order of n: one host's events stay in order.
  const files = inIncarnationOrder(await listTraceFiles(dir));
  if (files.length === 0) throw new Error(`no trace-*.log files in "${dir}"`);
  // The first line is the parser regex; the second, the delimiter between several executions (none here).
  if (options.header !== false) yield `${SHIVIZ_REGEX}\n\n`;
  for (const file of files) {
    const name = basename(file);
    let chunk = "";
    for await (const { line, record } of readTrace(file)) {
      const clock: Record<string, number> = {};
      for (const [[archetype, self], count] of record.clock) clock[shivizHost(archetype, self)] = count;
      chunk += `${shivizEvent(record, `${name}:${line}`)}\n${shivizHost(record.archetypeName, record.self)} ${JSON.stringify(clock)}\n`;
      if (chunk.length > 64 * 1024) {
        yield chunk;
        chunk = "";
      }
    }
    if (chunk !== "") yield chunk;
  }
}

/** Writes the ShiViz log of the run in `dir` to `out` (a file stream, or process.stdout for `trace shiviz`). */
export async function writeShiViz(dir: string, out: NodeJS.WritableStream, options: ShiVizOptions = {}): Promise<void> {
  for await (const chunk of toShiViz(dir, options)) {
    if (!out.write(chunk)) await once(out, "drain");
  }
}
