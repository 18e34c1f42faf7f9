// The ShiViz export on every corpus run, parsed back with ShiViz's own default regex.
import { PGO_TRACES } from "../../testdata/paths.ts";
import { createReadStream } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { PassThrough } from "node:stream";
import { expect, test } from "vitest";
import { testDir } from "../testing/temp.ts";
import { listTraceFiles } from "./reader.ts";
import { SHIVIZ_REGEX, shivizHost, toShiViz, writeShiViz } from "./shiviz.ts";

const corpus = PGO_TRACES;

async function runs(): Promise<string[]> {
  const out: string[] = [];
  for (const system of await readdir(corpus)) {
    for (const set of await readdir(join(corpus, system))) {
      for (const run of await readdir(join(corpus, system, set))) out.push(join(corpus, system, set, run));
    }
  }
  return out.sort();
}

// Independent of the exporter: count non-empty lines and read each file's instance with a plain JSON.parse.
async function expectedPerHost(dir: string): Promise<Map<string, number>> {
  const hosts = new Map<string, number>();
  for (const file of await listTraceFiles(dir)) {
    for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
      if (line.trim() === "") continue;
      const { archetypeName, self } = JSON.parse(line) as { archetypeName: string; self: string };
      const host = `${archetypeName}:${self}`;
      hosts.set(host, (hosts.get(host) ?? 0) + 1);
    }
  }
  return hosts;
}

/** Parses a ShiViz file as ShiViz does: header lines, then the regex applied over the whole log. */
function parseShiViz(text: string): { event: string; host: string; clock: Record<string, number> }[] {
  const [regexLine, delimiter, ...rest] = text.split("\n");
  expect(regexLine).toBe(SHIVIZ_REGEX);
  expect(delimiter).toBe("");
  const log = rest.join("\n");
  const regex = new RegExp(regexLine!.replace("{.*}", "\\{.*\\}"), "g");
  const events = [...log.matchAll(regex)].map((m) => ({ event: m.groups!["event"]!, host: m.groups!["host"]!, clock: JSON.parse(m.groups!["clock"]!) as Record<string, number> }));
  // Nothing is left over between matches: the regex consumed the whole log.
  expect(log.replace(regex, "").trim()).toBe("");
  return events;
}

test("every corpus run: one event per record; each clock holds its own host at the record's own count", { timeout: 60_000 }, async () => {
  const all = await runs();
  expect(all.length).toBe(11); // every run kept in testdata/tracelink/pgo (README there)
  for (const dir of all) {
    let text = "";
    for await (const chunk of toShiViz(dir)) text += chunk;
    const events = parseShiViz(text);
    const expected = await expectedPerHost(dir);
    expect(events.length, dir).toBe([...expected.values()].reduce((a, b) => a + b, 0));
    const seen = new Map<string, number>();
    const wrong: string[] = []; // collected rather than one expect per event: tens of thousands of events
    for (const e of events) {
      const n = (seen.get(e.host) ?? 0) + 1;
      seen.set(e.host, n);
      // ShiViz requires a host's events to count 1, 2, 3, ... in its own clock entry.
      if (e.clock[e.host] !== n) wrong.push(`${e.host} event ${n} has own clock ${e.clock[e.host]}`);
      if (!Object.values(e.clock).every((v) => Number.isSafeInteger(v) && v >= 0)) wrong.push(`${e.host} event ${n}: bad clock`);
    }
    // Every clock entry names a host of this log and does not exceed its number of events (ShiViz resolves
    // each entry to that host's event).
    for (const e of events) {
      for (const [h, v] of Object.entries(e.clock)) {
        if (v > (expected.get(h) ?? 0)) wrong.push(`${e.host}: clock entry ${h}=${v} beyond that host's ${expected.get(h) ?? 0} events`);
      }
    }
    expect(wrong, dir).toEqual([]);
    expect(new Map([...seen].sort())).toEqual(new Map([...expected].map(([h, n]) => [h, n] as const).sort()));
  }
});

test("event text names the instance, the labels, aborted sections and the place", async () => {
  const dir = (await runs()).find((r) => r.includes("raftkvs-1server"))!;
  let text = "";
  for await (const chunk of toShiViz(dir, { header: false })) text += chunk;
  expect(text.startsWith("(?<event>")).toBe(false);
  const lines = text.split("\n");
  expect(lines[0]).toMatch(/^\w+\(\d+\) \w+\.\w+( -> \w+\.\w+| aborted)?; \d+ reads.* \[trace-\d+-\d+\.log:1\]$/);
  // Aborted sections exist in this run's files and are marked (counted independently from the raw JSON).
  let aborted = 0;
  for (const file of await listTraceFiles(dir)) aborted += ((await readFile(file, "utf8")).match(/"isAbort":true/g) ?? []).length;
  expect(lines.filter((l) => / aborted; /.test(l)).length).toBe(aborted);
});

test("hosts are safe for ShiViz's \\S* and distinct instances never share one", () => {
  expect(shivizHost("AServer", "1")).toBe("AServer:1");
  expect(shivizHost("AClient", '"c1"')).toBe('AClient:"c1"');
  expect(shivizHost("A", "<<1, 2>>")).toBe("A:<<1,%202>>");
  expect(shivizHost("A", "<<1,%202>>")).not.toBe(shivizHost("A", "<<1, 2>>"));
  expect(shivizHost("A", "x\ty")).toMatch(/^\S+$/);
});

test("writeShiViz streams to a writable; an empty directory is an error naming it", async () => {
  const dir = (await runs())[0]!;
  const out = new PassThrough();
  let written = "";
  out.on("data", (b: Buffer) => (written += b.toString()));
  await writeShiViz(dir, out);
  let direct = "";
  for await (const chunk of toShiViz(dir)) direct += chunk;
  expect(written).toBe(direct);
  const empty = await testDir("shiviz-");
  await writeFile(join(empty, "notes.txt"), "");
  await expect(writeShiViz(empty, new PassThrough())).rejects.toThrow(`no trace-*.log files in "${empty}"`);
});
