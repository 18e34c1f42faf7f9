// A self-contained HTML timeline of a history: one lane per process, each operation a bar from its call to its
// return (to the right edge when the outcome is unknown), the operations of the explanation highlighted, and
// the faults in effect as shaded bands across every lane (Jepsen's nemesis intervals), on the same time axis.
import { writeFile } from "node:fs/promises";
import type { AnyModel } from "./model.ts";
import { describeOperation } from "./model.ts";
import type { Operation } from "./operation.ts";

export interface TimelineOptions {
  readonly title: string;
  /** Operation ids drawn in red (the minimal illegal set). */
  readonly highlight?: Iterable<number>;
  /** Shown above the timeline, preformatted (the explanation). */
  readonly text?: string;
  /** Intervals during which a fault was in effect, in the history's own time unit and origin. */
  readonly faults?: readonly TimelineFault[];
  /** The history's time units per second (1e9 for nanoseconds): draws a time axis in seconds. */
  readonly unitsPerSecond?: number;
}

/** A fault window converted to the history's clock (see faultsOnHistoryClock). */
export interface TimelineFault {
  readonly start: number;
  /** Undefined when it was never healed: the band runs to the right edge. */
  readonly end: number | undefined;
  /** One line, e.g. "partition minority-third: server1 | server2 server3". */
  readonly label: string;
  /** Extra lines for the tooltip. */
  readonly tip?: string;
}

/**
 * Fault windows (wall-clock milliseconds since the epoch, as the nemesis records them) on the clock of a history
 * whose times are nanoseconds since `originNanos` (nanoseconds since the epoch; raftkvsHistory's origin). The
 * traced programs and the harness read the same clock: containers share the host's kernel clock.
 */
export function faultsOnHistoryClock(
  windows: readonly { readonly kind: string; readonly targets: readonly string[]; readonly start: number; readonly end?: number | undefined; readonly detail?: string | undefined }[],
  originNanos: bigint,
): TimelineFault[] {
  const at = (ms: number) => Number(BigInt(Math.round(ms * 1000)) * 1000n - originNanos);
  return windows.map((w) => {
    const detail = w.detail === undefined ? undefined : (asComponents(w.detail) ?? w.detail);
    const what = detail === undefined ? `${w.kind} ${w.targets.join(" ")}` : detail.startsWith(w.kind) ? detail : `${w.kind} ${detail}`;
    const lasted = w.end === undefined ? "never healed" : `${w.end - w.start} ms`;
    return { start: at(w.start), end: w.end === undefined ? undefined : at(w.end), label: what, tip: `${what}\ntargets ${w.targets.join(", ")}\n${new Date(w.start).toISOString()} for ${lasted}` };
  });
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A partition's detail ("one: server1 drops server2; server2 drops server1+server3; …", as the partition fault
 * describes its grudge) as its components, "one: server2 | server1 server3", when the grudge cuts the nodes into
 * groups that reach exactly each other; undefined for any other detail (a ring or a bridge stays as written).
 */
export function asComponents(detail: string): string | undefined {
  const m = /^([^:]+): (\S+ drops \S+(?:; \S+ drops \S+)*)$/.exec(detail);
  if (m === null) return undefined;
  const drops = new Map<string, Set<string>>();
  for (const part of m[2]!.split("; ")) {
    const [node, from] = part.split(" drops ") as [string, string];
    drops.set(node, new Set(from.split("+")));
  }
  const nodes = [...new Set([...drops.keys(), ...[...drops.values()].flatMap((d) => [...d])])].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  const reach = (n: string) => nodes.filter((o) => !(drops.get(n)?.has(o) ?? false));
  const components = new Map<string, string[]>();
  for (const n of nodes) {
    const comp = reach(n);
    // A component: everyone in it reaches exactly the same nodes (the grudge is complete and symmetric).
    if (!comp.includes(n) || comp.some((o) => reach(o).join(" ") !== comp.join(" "))) return undefined;
    components.set(comp.join(" "), comp);
  }
  const groups = [...components.values()].sort((a, b) => a.length - b.length || a[0]!.localeCompare(b[0]!, "en", { numeric: true }));
  return `${m[1]}: ${groups.map((g) => g.join(" ")).join(" | ")}`;
}

export function timelineHtml(model: Pick<AnyModel, "describeOperation">, ops: readonly Operation[], options: TimelineOptions): string {
  const highlight = new Set(options.highlight ?? []);
  const processes = [...new Set(ops.map((op) => op.process))].sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  const lane = new Map(processes.map((p, i) => [p, i]));
  // A loop, not Math.min(...): a long history would overflow the argument list.
  let t0 = Infinity;
  let t1 = -Infinity;
  for (const op of ops) {
    t0 = Math.min(t0, op.call);
    t1 = Math.max(t1, op.call, op.return === Infinity ? op.call : op.return);
  }
  const faults = options.faults ?? [];
  // The axis covers the faults too: a window that began before the first call is still drawn where it began.
  for (const f of faults) {
    t0 = Math.min(t0, f.start);
    t1 = Math.max(t1, f.start, f.end ?? f.start);
  }
  if (ops.length === 0 && faults.length === 0) [t0, t1] = [0, 1];
  const width = Math.max(t1 - t0, 1);
  const LANE = 28;
  const FROW = 16;
  const x = (t: number) => (((Math.min(t, t1) - t0) / width) * 100).toFixed(3);
  const bars = ops.map((op) => {
    const unknown = op.return === Infinity;
    const left = x(op.call);
    const w = Math.max(Number(x(op.return)) - Number(left), 0.15).toFixed(3);
    const cls = ["op", ...(unknown ? ["unknown"] : []), ...(highlight.has(op.id) ? ["bad"] : [])].join(" ");
    const label = `#${op.id} ${describeOperation(model, op)}`;
    const tip = `${label}\nprocess ${op.process}\ncall ${op.call}, return ${unknown ? "unknown" : op.return}${op.where !== undefined ? `\n${op.where}` : ""}`;
    return `<div class="${cls}" data-id="${op.id}" style="left:${left}%;width:${w}%;top:${(lane.get(op.process) ?? 0) * LANE + 3}px" title="${escape(tip)}">${escape(label)}</div>`;
  });
  // Overlapping windows get their labels on separate rows (first free row from the left), and translucent
  // bands, so that each stays readable where they overlap.
  const rowEnds: number[] = [];
  const bands = [...faults.entries()]
    .sort(([, a], [, b]) => a.start - b.start)
    .map(([i, f]) => {
      let row = rowEnds.findIndex((end) => end <= f.start);
      if (row === -1) row = rowEnds.push(0) - 1;
      // A label takes at least 12% of the width (its min-width), even for a short window.
      rowEnds[row] = Math.max(f.end ?? Infinity, f.start + width * 0.12);
      const left = x(f.start);
      const w = Math.max(Number(x(f.end ?? t1)) - Number(left), 0.15).toFixed(3);
      const style = `left:${left}%;width:${w}%`;
      const tip = escape(f.tip ?? f.label);
      return {
        band: `<div class="fault${f.end === undefined ? " unhealed" : ""}" data-fault="${i}" data-start="${f.start}" data-end="${f.end ?? ""}" style="${style}" title="${tip}"></div>`,
        label: `<div class="flabel" data-fault="${i}" style="${style};top:${row * FROW}px" title="${tip}">${escape(f.label)}</div>`,
      };
    });
  // Ticks at 1, 2 or 5 × a power of ten seconds, about eight across.
  const ticks: string[] = [];
  if (options.unitsPerSecond !== undefined && options.unitsPerSecond > 0) {
    const span = width / options.unitsPerSecond;
    const raw = span / 8;
    const pow = 10 ** Math.floor(Math.log10(raw));
    const step = ([1, 2, 5, 10].find((m) => m * pow >= raw) ?? 10) * pow;
    const digits = Math.max(0, -Math.floor(Math.log10(step)));
    // Counted in steps (not summed), so that no rounding error piles up.
    for (let k = Math.ceil(t0 / options.unitsPerSecond / step); k * step * options.unitsPerSecond <= t1; k++) {
      const s = k * step;
      ticks.push(`<div class="tick" style="left:${x(s * options.unitsPerSecond)}%">${s.toFixed(digits)} s</div>`);
    }
  }
  const labels = processes.map((p, i) => `<div class="lane" style="top:${i * LANE}px"><span>${escape(p)}</span></div>`);
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escape(options.title)}</title>
<style>
body{font:13px system-ui,sans-serif;margin:16px}
pre{background:#f6f6f6;padding:8px;white-space:pre-wrap}
.legend span{display:inline-block;padding:0 6px;margin-right:8px;border-radius:3px}
.wrap{position:relative;margin-left:90px;height:${processes.length * LANE}px}
.lane{position:absolute;left:-90px;right:0;height:${LANE}px;border-top:1px solid #eee}
.lane span{display:inline-block;width:84px;overflow:hidden;color:#555}
.op{position:absolute;height:${LANE - 7}px;line-height:${LANE - 7}px;background:#9cc3e6;border:1px solid #4a7fb0;border-radius:3px;overflow:hidden;white-space:nowrap;font-size:11px;padding:0 2px;box-sizing:border-box}
.op.unknown{background:repeating-linear-gradient(45deg,#ddd,#ddd 4px,#f4f4f4 4px,#f4f4f4 8px);border-style:dashed}
.op.bad{background:#f28b82;border-color:#b3261e;z-index:2}
.op:hover{z-index:3;overflow:visible;background:#ffe082}
.op{z-index:1}
.fault{position:absolute;top:0;bottom:0;background:rgba(255,152,0,.16);border-left:2px solid #e65100;border-right:2px solid #e65100;box-sizing:border-box;z-index:0}
.fault.unhealed{border-right:none;background:repeating-linear-gradient(90deg,rgba(255,152,0,.16),rgba(255,152,0,.16) 6px,rgba(255,152,0,.05) 6px,rgba(255,152,0,.05) 12px)}
.flabels{position:relative;margin-left:90px;height:${rowEnds.length * FROW}px}
.flabel{position:absolute;height:${FROW - 2}px;line-height:${FROW - 2}px;font-size:11px;color:#7a2e00;background:#ffe0b2;border-left:2px solid #e65100;padding:0 3px;box-sizing:border-box;overflow:hidden;white-space:nowrap;min-width:12%}
.flabel:hover{overflow:visible;z-index:3}
.axis{position:relative;margin-left:90px;height:18px;border-top:1px solid #999}
.tick{position:absolute;top:0;font-size:11px;color:#555;border-left:1px solid #999;padding-left:2px;white-space:nowrap}
</style></head><body>
<h1>${escape(options.title)}</h1>
<p class="legend"><span style="background:#9cc3e6">operation</span><span style="background:#f28b82">cannot be linearized together</span><span style="background:#ddd">outcome unknown</span>${faults.length > 0 ? '<span style="background:#ffe0b2">fault in effect</span>' : ""} ${ops.length} operations, ${processes.length} processes${faults.length > 0 ? `, ${faults.length} fault window(s)` : ""}; time ${t0}…${t1}</p>
${options.text !== undefined ? `<pre>${escape(options.text)}</pre>` : ""}
${faults.length > 0 ? `<div class="flabels">\n${bands.map((b) => b.label).join("\n")}\n</div>` : ""}
<div class="wrap">
${labels.join("\n")}
${bands.map((b) => b.band).join("\n")}
${bars.join("\n")}
</div>
${ticks.length > 0 ? `<div class="axis">\n${ticks.join("\n")}\n</div>` : ""}
</body></html>
`;
}

export async function writeTimeline(path: string, model: Pick<AnyModel, "describeOperation">, ops: readonly Operation[], options: TimelineOptions): Promise<string> {
  await writeFile(path, timelineHtml(model, ops, options));
  return path;
}
