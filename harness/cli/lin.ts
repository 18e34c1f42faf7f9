// `pgo-harness lin check --model etcd|kv <history-file>`: decides whether a history is linearizable; with
// `--model raftkvs <traces-dir>` the history is derived from a run's TraceLink traces (the AClient instances).
// Exit 0 linearizable, 1 not linearizable (with the explanation), 3 unknown (time budget), 2 unusable input.
// `pgo-harness lin queue <traces-dir>`: dqueue's queue semantics on a run's traces (exit 0 or 1, 2 unusable).
import { existsSync, statSync } from "node:fs";
import { stderr, stdout } from "node:process";
import { loadHistory, modelFor } from "../history/load.ts";
import { raftkvsHistory } from "../history/from-trace.ts";
import { kvModel } from "../history/models.ts";
import { checkQueue, queueHistoryFromTraces } from "../history/queue.ts";
import { TraceFormatError } from "../tracelink/reader.ts";
import { HistoryFormatError } from "../history/operation.ts";
import { reportLinearizability } from "../history/report.ts";

const USAGE = "usage: pgo-harness lin check --model etcd|kv [--timeout <seconds>] [--html <dir>] <history-file | history.jsonl>\n" +
  "       pgo-harness lin check --model raftkvs [--timeout <seconds>] [--html <dir>] <traces-dir>\n" +
  "       pgo-harness lin queue <traces-dir>\n";

async function queue(args: string[]): Promise<number> {
  const [dir, ...extra] = args;
  if (dir === undefined || extra.length > 0) {
    stderr.write(USAGE);
    return 2;
  }
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    stderr.write(`pgo-harness lin: "${dir}" is not a directory\n`);
    return 2;
  }
  let history;
  try {
    history = await queueHistoryFromTraces(dir);
  } catch (err) {
    if (!(err instanceof HistoryFormatError || err instanceof TraceFormatError)) throw err;
    stderr.write(`pgo-harness lin: ${err.message}\n`);
    return 2;
  }
  const r = checkQueue(history);
  stdout.write(`${r.valid ? "ok" : "violated"}: ${r.summary}\n`);
  return r.valid ? 0 : 1;
}

export const command = {
  summary: "check a history for linearizability (etcd register or kv store)",
  async run(args: string[]): Promise<number> {
    const [sub, ...rest] = args;
    if (sub === "queue") return queue(rest);
    if (sub !== "check") {
      stderr.write(USAGE);
      return 2;
    }
    let model: string | undefined;
    let timeout = 60;
    let html: string | undefined;
    const files: string[] = [];
    for (let i = 0; i < rest.length; i++) {
      const a = rest[i]!;
      if (a === "--model" || a === "--timeout" || a === "--html") {
        const v = rest[++i];
        if (v === undefined) {
          stderr.write(`pgo-harness lin: ${a} needs a value\n${USAGE}`);
          return 2;
        }
        if (a === "--model") model = v;
        else if (a === "--html") html = v;
        else {
          timeout = Number(v);
          if (!Number.isFinite(timeout) || timeout < 0) {
            stderr.write(`pgo-harness lin: --timeout "${v}" is not a number of seconds\n`);
            return 2;
          }
        }
      } else if (a.startsWith("--")) {
        stderr.write(`pgo-harness lin: unknown option "${a}"\n${USAGE}`);
        return 2;
      } else files.push(a);
    }
    if (model !== "etcd" && model !== "kv" && model !== "raftkvs") {
      stderr.write(`pgo-harness lin: --model must be etcd, kv or raftkvs, got ${model === undefined ? "nothing" : `"${model}"`}\n${USAGE}`);
      return 2;
    }
    const [file] = files;
    if (file === undefined || files.length > 1) {
      stderr.write(USAGE);
      return 2;
    }
    const wantDir = model === "raftkvs";
    if (!existsSync(file) || (wantDir ? !statSync(file).isDirectory() : !statSync(file).isFile())) {
      stderr.write(`pgo-harness lin: "${file}" is not a ${wantDir ? "directory of trace files" : "file"}\n`);
      return 2;
    }
    if (html !== undefined && (!existsSync(html) || !statSync(html).isDirectory())) {
      stderr.write(`pgo-harness lin: --html "${html}" is not a directory\n`);
      return 2;
    }
    let ops;
    try {
      ops = model === "raftkvs" ? await raftkvsHistory(file) : await loadHistory(model, file);
    } catch (err) {
      if (!(err instanceof HistoryFormatError || err instanceof TraceFormatError)) throw err;
      stderr.write(`pgo-harness lin: ${err.message}\n`);
      return 2;
    }
    if (ops.length === 0) {
      stderr.write(`pgo-harness lin: no operations in "${file}"\n`);
      return 2;
    }
    const name = file.split("/").filter((p) => p !== "").pop() ?? "history";
    const r = await reportLinearizability(model === "raftkvs" ? kvModel : modelFor(model), ops, { timeoutMs: timeout * 1000, name, ...(html !== undefined ? { artifactsDir: html } : {}) });
    if (r.valid === true) {
      stdout.write("linearizable\n");
      stderr.write(`${r.summary}\n`);
      return 0;
    }
    if (r.valid === "unknown") {
      stdout.write("unknown\n");
      stderr.write(`${r.summary}\n`);
      return 3;
    }
    stdout.write(`not linearizable\n${r.explanation?.text ?? ""}\n`);
    if (r.timeline !== undefined) stdout.write(`timeline: ${r.timeline}\n`);
    return 1;
  },
};
