// `pgo-harness trace check <dir>`: the TraceLink structural checks on traces from anywhere (an Antithesis run,
// a CI artifact), no JVM needed. Exit 0 when all pass, 1 on a violation, 2 on unusable input (no directory, no
// trace files, a line that does not parse). `pgo-harness trace shiviz <dir>` writes the ShiViz log to stdout.
// `pgo-harness trace validate --spec <spec.tla> <dir>` checks the run against its MPCal design (tracegen + TLC's
// semantics, natively): exit 0 a behaviour of the spec, 1 not, 3 unknown (budget), 2 unusable input or spec.
import { existsSync, statSync } from "node:fs";
import { stderr, stdout } from "node:process";
import { pathToFileURL } from "node:url";
import { checkTraces, PARSE } from "../tracelink/index.ts";
import { listTraceFiles, TraceFormatError } from "../tracelink/reader.ts";
import { EvalError, SpecError, validateFiles } from "../tracelink/spec/index.ts";
import { TlaParseError } from "../tracelink/tla-value.ts";
import type { TraceLinkOptions } from "../tracelink/index.ts";

const USAGE = [
  "usage: pgo-harness trace check [--mailboxes NAME,...] [--no-message-loss] <dir>",
  "       pgo-harness trace shiviz <dir>   (ShiViz log on stdout)",
  "       pgo-harness trace validate --spec <spec.tla> [--cfg <file.cfg>] [--noall-paths] [--no-progress-inv] [--max-states N] <dir | trace files>",
  "  --spec             the MPCal spec with its TLA+ translation (constants from --cfg, default <spec>Validate.cfg beside it)",
  "  --noall-paths      stop at the first order that consumes every record (tracegen --noall-paths)",
  "  --no-progress-inv  a record that cannot be taken in some order is not by itself a violation",
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

interface ValidateArgs {
  spec?: string;
  cfg?: string;
  allPaths: boolean;
  progressInv: boolean;
  maxStates?: number;
}

async function validate(targets: readonly string[], a: ValidateArgs, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  if (a.spec === undefined || targets.length === 0) {
    err.write(USAGE);
    return 2;
  }
  for (const f of [a.spec, ...(a.cfg === undefined ? [] : [a.cfg]), ...targets]) {
    if (!existsSync(f)) {
      err.write(`pgo-harness: "${f}" does not exist\n`);
      return 2;
    }
  }
  const files: string[] = [];
  for (const t of targets) files.push(...(statSync(t).isDirectory() ? await listTraceFiles(t) : [t]));
  if (files.length === 0) {
    err.write(`pgo-harness: no trace-*.log files in ${targets.join(" ")}\n`);
    return 2;
  }
  const t0 = performance.now();
  try {
    const opts = { allPaths: a.allPaths, progressInv: a.progressInv, ...(a.maxStates === undefined ? {} : { maxStates: a.maxStates }) };
    const { verdict: v } = await validateFiles(a.spec, a.cfg, files, opts);
    const seconds = ((performance.now() - t0) / 1000).toFixed(2);
    const head = `${targets.join(" ")}: ${v.records} record(s), ${v.states} state(s) explored in ${seconds} s against ${a.spec}`;
    if (v.verdict === "ok") {
      out.write(`${head}\nok   a behaviour of the spec\n`);
      return 0;
    }
    if (v.verdict === "unknown") {
      out.write(`${head}\nunknown: ${v.reason}\n`);
      return 3;
    }
    out.write(`${head}\nFAIL ${v.explanation}\n`);
    return 1;
  } catch (e) {
    if (e instanceof SpecError || e instanceof TraceFormatError || e instanceof TlaParseError || e instanceof EvalError) {
      err.write(`pgo-harness: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}

export const command = {
  summary: "check a run's TraceLink traces, or export them to ShiViz",
  async run(args: string[], out: NodeJS.WritableStream = stdout, err: NodeJS.WritableStream = stderr): Promise<number> {
    const [sub, ...rest] = args;
    const options: { mailboxes?: string[]; allowMessageLoss?: boolean } = {};
    const positional: string[] = [];
    const v: ValidateArgs = { allPaths: true, progressInv: true };
    for (let i = 0; i < rest.length; i++) {
      const a = rest[i]!;
      if (sub === "validate" && (a === "--spec" || a === "--cfg" || a === "--max-states") && rest[i + 1] !== undefined) {
        const value = rest[++i]!;
        if (a === "--spec") v.spec = value;
        else if (a === "--cfg") v.cfg = value;
        else if (/^[1-9][0-9]*$/.test(value)) v.maxStates = Number(value);
        else {
          err.write(`pgo-harness: --max-states expects a positive integer, got "${value}"\n`);
          return 2;
        }
      } else if (sub === "validate" && a === "--noall-paths") v.allPaths = false;
      else if (sub === "validate" && a === "--no-progress-inv") v.progressInv = false;
      else if (sub === "check" && a === "--mailboxes" && rest[i + 1] !== undefined) options.mailboxes = rest[++i]!.split(",").filter((n) => n !== "");
      else if (sub === "check" && a === "--no-message-loss") options.allowMessageLoss = false;
      else if (a.startsWith("--")) {
        err.write(`pgo-harness: unknown option ${a}\n${USAGE}`);
        return 2;
      } else positional.push(a);
    }
    if (sub === "validate") return validate(positional, v, out, err);
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
