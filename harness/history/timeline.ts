// A self-contained HTML timeline of a history: one lane per process, each operation a bar from its call to its
// return (to the right edge when the outcome is unknown), the operations of the explanation highlighted.
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
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function timelineHtml(model: AnyModel, ops: readonly Operation[], options: TimelineOptions): string {
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
  if (ops.length === 0) [t0, t1] = [0, 1];
  const width = Math.max(t1 - t0, 1);
  const LANE = 28;
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
</style></head><body>
<h1>${escape(options.title)}</h1>
<p class="legend"><span style="background:#9cc3e6">operation</span><span style="background:#f28b82">cannot be linearized together</span><span style="background:#ddd">outcome unknown</span> ${ops.length} operations, ${processes.length} processes; time ${t0}…${t1}</p>
${options.text !== undefined ? `<pre>${escape(options.text)}</pre>` : ""}
<div class="wrap">
${labels.join("\n")}
${bars.join("\n")}
</div>
</body></html>
`;
}

export async function writeTimeline(path: string, model: AnyModel, ops: readonly Operation[], options: TimelineOptions): Promise<string> {
  await writeFile(path, timelineHtml(model, ops, options));
  return path;
}
