// `pgo-harness trace check <dir>`: the TraceLink structural checks on traces from anywhere (an Antithesis run,
// a CI artifact), no JVM needed. Exit 0 when all pass, 1 on a violation, 2 on unusable input (no directory, no
// trace files, a line that does not parse). `pgo-harness trace shiviz <dir>` writes the ShiViz log to stdout.
import { existsSync, statSync } from "node:fs";
import { stderr, stdout } from "node:process";
import { pathToFileURL } from "node:url";
import { checkTraces, PARSE } from "../tracelink/index.ts";
import type { TraceLinkOptions } from "../tracelink/index.ts";

const USAGE = [
  "usage: pgo-harness trace check [--mailboxes NAME,...] [--no-message-loss] <dir>",
  "       pgo-harness trace shiviz <dir>   (ShiViz log on stdout)",
  "  --mailboxes        the network mailbox variables (default: derived from the traces)",
  "  --no-message-loss  every mailbox read must take its sender's next message (default: lost messages allowed)",
  "",
].join("\n");

const mark = (valid: true | false | "unknown") => (valid === true ? "ok  " : valid === false ? "FAIL" : "skip");

async function check(dir: string, options: TraceLinkOptions, out: NodeJS.WritableStream): Promise<number> {
  const t0 = performance.now();
  const run = await checkTraces(dir, options);
  const seconds = (performance.now() - t0) / 1000;
  out.write(`${dir}: ${run.files} trace file(s), ${run.records} record(s), ${(run.bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} s; mailboxes: ${run.mailboxes.join(", ") || "none"}\n`);
  for (const r of run.results) out.write(`${mark(r.valid)} ${r.name}: ${r.summary}\n`);
  const parse = run.results.find((r) => r.name === PARSE);
  if (parse?.valid !== true) return 2;
  return run.results.every((r) => r.valid === true) ? 0 : 1;
}

/** The ShiViz export lives in harness/tracelink/shiviz.ts (written separately); loaded only when asked for. */
async function shiviz(dir: string, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const url = new URL("../tracelink/shiviz.ts", import.meta.url);
  if (!existsSync(url)) {
    err.write("pgo-harness: the ShiViz export is not available in this build (harness/tracelink/shiviz.ts)\n");
    return 2;
  }
  const mod: unknown = await import(pathToFileURL(url.pathname).href);
  const write = (mod as { writeShiViz?: unknown }).writeShiViz;
  if (typeof write !== "function") {
    err.write("pgo-harness: harness/tracelink/shiviz.ts does not export writeShiViz(dir, out)\n");
    return 2;
  }
  await (write as (dir: string, out: NodeJS.WritableStream) => Promise<void>)(dir, out);
  return 0;
}

export const command = {
  summary: "check a run's TraceLink traces, or export them to ShiViz",
  async run(args: string[], out: NodeJS.WritableStream = stdout, err: NodeJS.WritableStream = stderr): Promise<number> {
    const [sub, ...rest] = args;
    const options: { mailboxes?: string[]; allowMessageLoss?: boolean } = {};
    const positional: string[] = [];
    for (let i = 0; i < rest.length; i++) {
      const a = rest[i]!;
      if (sub === "check" && a === "--mailboxes" && rest[i + 1] !== undefined) options.mailboxes = rest[++i]!.split(",").filter((n) => n !== "");
      else if (sub === "check" && a === "--no-message-loss") options.allowMessageLoss = false;
      else if (a.startsWith("--")) {
        err.write(`pgo-harness: unknown option ${a}\n${USAGE}`);
        return 2;
      } else positional.push(a);
    }
    const [dir, ...extra] = positional;
    if ((sub !== "check" && sub !== "shiviz") || dir === undefined || extra.length > 0) {
      err.write(USAGE);
      return 2;
    }
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      err.write(`pgo-harness: "${dir}" is not a directory\n`);
      return 2;
    }
    return sub === "check" ? check(dir, options, out) : shiviz(dir, out, err);
  },
};
