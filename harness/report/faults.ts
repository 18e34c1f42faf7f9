// The faults of a run on its page: the nemesis's realised schedule as a table (seed, kind, targets, start, heal,
// duration) with the line that replays it, and the client history redrawn with the fault windows as bands.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { models } from "../history/models.ts";
import type { Operation } from "../history/operation.ts";
import { asComponents, faultsOnHistoryClock, timelineHtml } from "../history/timeline.ts";
import { escapeHtml, table, type Cell } from "./html.ts";

// As harness/faults/nemesis.ts records them (NemesisRecord, FaultWindow); `end` is absent when never healed.
const faultWindow = z.object({ kind: z.string(), targets: z.array(z.string()), start: z.number(), end: z.number().optional(), detail: z.string().optional() });
const nemesisRecord = z.object({ seed: z.number(), windows: z.array(faultWindow), errors: z.array(z.string()).default([]), rerun: z.string().optional() });
export type FaultWindowRecord = z.infer<typeof faultWindow>;

/** One entry of results.json's `faults`: a nemesis's schedule, or whatever another fault returned. */
export interface RunFault {
  readonly name: string;
  readonly error: string | undefined;
  readonly schedule: z.infer<typeof nemesisRecord> | undefined;
  readonly raw: Record<string, unknown>;
}

export function runFaults(faults: readonly Record<string, unknown>[]): RunFault[] {
  return faults.map((f) => {
    const parsed = nemesisRecord.safeParse(f["injected"]);
    return {
      name: String(f["name"] ?? f["kind"] ?? "fault"),
      error: typeof f["error"] === "string" ? f["error"] : undefined,
      schedule: parsed.success ? parsed.data : undefined,
      raw: f,
    };
  });
}

const clockTime = (ms: number) => new Date(ms).toISOString().slice(11, 23);
const seconds = (ms: number) => `${(ms / 1000).toFixed(3)} s`;

/** The Faults section's body. `rerun` is the run's own rerun command; `originMs` the history's time 0, if known. */
export function faultsHtml(faults: readonly RunFault[], rerun: string | undefined, originMs: number | undefined): string {
  if (faults.length === 0) return "<p>No fault was injected.</p>";
  const since = (ms: number) => (originMs === undefined ? "" : ` (${ms >= originMs ? "+" : "−"}${seconds(Math.abs(ms - originMs))})`);
  return faults
    .map((f) => {
      const head = `<h3>${escapeHtml(f.name)}</h3>${f.error !== undefined ? `<p class="fail">${escapeHtml(f.error)}</p>` : ""}`;
      const s = f.schedule;
      if (s === undefined) return `${head}<p><code>${escapeHtml(JSON.stringify(f.raw))}</code></p>`;
      const replay = `FAULT_SEED=${s.seed}${rerun !== undefined && rerun !== "" ? ` ${rerun}` : ""}`;
      const rows: Cell[][] = s.windows.map((w, i) => [
        String(i + 1),
        w.kind,
        w.targets.join(" "),
        w.detail === undefined ? "" : (asComponents(w.detail) ?? w.detail),
        clockTime(w.start) + since(w.start),
        w.end === undefined ? { html: '<span class="fail">never healed</span>' } : clockTime(w.end) + since(w.end),
        w.end === undefined ? "" : seconds(w.end - w.start),
      ]);
      return (
        head +
        `<p>seed <b class="seed">${s.seed}</b>; replay: <code class="replay">${escapeHtml(replay)}</code></p>` +
        (s.windows.length === 0 ? "<p>No fault window: nothing was injected before the drivers finished.</p>" : `<div class="schedule">${table(["#", "kind", "targets", "what", "start", "healed", "duration"], rows)}</div>`) +
        (s.errors.length > 0 ? `<p class="fail">${s.errors.map(escapeHtml).join("<br>")}</p>` : "") +
        (originMs !== undefined ? "<p>Times in brackets: seconds since the first client operation (the history timeline's time 0).</p>" : "")
      );
    })
    .join("");
}

// history.jsonl as harness/history/checkers.ts writes it (an unknown outcome's return written as null).
const historyLine = z.object({ id: z.number(), process: z.string(), f: z.string(), input: z.unknown(), output: z.unknown().optional(), call: z.number(), return: z.number().nullable(), where: z.string().optional() }).loose();
const clockDetails = z.object({ model: z.string().optional(), timeOrigin: z.object({ epochNanos: z.string().regex(/^\d+$/), unit: z.literal("ns") }).optional(), minimal: z.array(z.number()).optional() }).loose();

export interface HistoryTimeline {
  /** Relative to the run directory. */
  readonly file: string;
  /** The history's time 0, milliseconds since the epoch. */
  readonly originMs: number | undefined;
}

/** The history checks' results whose history.jsonl the run kept: each is redrawn with the faults. */
const MAX_OPS = 20_000;

/**
 * Writes `<check dir>/history-faults-timeline.html` for each history check that kept its history.jsonl: the whole
 * history, the check's minimal illegal set highlighted, every fault window as a band. Errors are returned, not
 * thrown: the page must be written anyway.
 */
export async function writeHistoryTimelines(
  runDir: string,
  checks: readonly { readonly name: string; readonly details?: unknown }[],
  faults: readonly RunFault[],
  files: readonly string[],
): Promise<{ timelines: HistoryTimeline[]; problems: string[]; notes: string[] }> {
  const timelines: HistoryTimeline[] = [];
  const problems: string[] = [];
  const notes: string[] = [];
  for (const c of checks) {
    const dir = `checks/${c.name.replace(/[^A-Za-z0-9._-]/g, "_")}/`;
    if (!files.includes(`${dir}history.jsonl`)) continue;
    const details = clockDetails.safeParse(c.details ?? {});
    const d = details.success ? details.data : {};
    const ops: Operation[] = [];
    let tooLarge = false;
    try {
      const text = await readFile(join(runDir, dir, "history.jsonl"), "utf8");
      for (const [i, line] of text.split("\n").entries()) {
        if (line.trim() === "") continue;
        if (ops.length >= MAX_OPS) {
          tooLarge = true;
          break;
        }
        const parsed = historyLine.safeParse(JSON.parse(line));
        if (!parsed.success) throw new Error(`line ${i + 1}: ${parsed.error.issues[0]?.path.join(".") ?? ""} ${parsed.error.issues[0]?.message ?? "invalid"}`);
        const op = parsed.data;
        ops.push({ ...op, return: op.return ?? Infinity, ...(op.output === undefined ? {} : { output: op.output }) } as Operation);
      }
    } catch (err) {
      problems.push(`${dir}history.jsonl: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`);
      continue;
    }
    if (tooLarge) {
      notes.push(`${dir}history.jsonl has more than ${MAX_OPS} operations: not drawn (too large for one page)`);
      continue;
    }
    const origin = d.timeOrigin === undefined ? undefined : BigInt(d.timeOrigin.epochNanos);
    const windows = faults.flatMap((f) => f.schedule?.windows ?? []);
    const note =
      windows.length > 0 && origin === undefined
        ? "The fault windows are not drawn: this run's history check did not record its clock's origin."
        : undefined;
    const model = d.model !== undefined && d.model in models ? models[d.model as keyof typeof models] : {};
    const file = `${dir}history-faults-timeline.html`;
    const html = timelineHtml(model, ops, {
      title: `${c.name}: the client history${windows.length > 0 ? " and the faults" : ""}`,
      highlight: d.minimal ?? [],
      ...(note !== undefined ? { text: note } : {}),
      ...(origin !== undefined ? { faults: faultsOnHistoryClock(windows, origin) } : {}),
      ...(origin !== undefined ? { unitsPerSecond: 1e9 } : {}),
    });
    await writeFile(join(runDir, file), html);
    timelines.push({ file, originMs: origin === undefined ? undefined : Number(origin / 1000n) / 1000 });
  }
  return { timelines, problems, notes };
}
