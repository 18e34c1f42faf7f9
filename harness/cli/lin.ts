// `pgo-harness lin check --model etcd|kv <history-file>`: decides whether a history is linearizable.
// Exit 0 linearizable, 1 not linearizable (with the explanation), 3 unknown (time budget), 2 unusable input.
import { existsSync, statSync } from "node:fs";
import { stderr, stdout } from "node:process";
import { loadHistory, modelFor } from "../history/corpus.ts";
import type { HistoryFormat } from "../history/corpus.ts";
import { HistoryFormatError } from "../history/operation.ts";
import { reportLinearizability } from "../history/report.ts";

const USAGE = "usage: pgo-harness lin check --model etcd|kv [--timeout <seconds>] [--html <dir>] <history-file>\n";

export const command = {
  summary: "check a history for linearizability (etcd register or kv store)",
  async run(args: string[]): Promise<number> {
    const [sub, ...rest] = args;
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
    if (model !== "etcd" && model !== "kv") {
      stderr.write(`pgo-harness lin: --model must be etcd or kv, got ${model === undefined ? "nothing" : `"${model}"`}\n${USAGE}`);
      return 2;
    }
    const [file] = files;
    if (file === undefined || files.length > 1) {
      stderr.write(USAGE);
      return 2;
    }
    if (!existsSync(file) || !statSync(file).isFile()) {
      stderr.write(`pgo-harness lin: "${file}" is not a file\n`);
      return 2;
    }
    if (html !== undefined && (!existsSync(html) || !statSync(html).isDirectory())) {
      stderr.write(`pgo-harness lin: --html "${html}" is not a directory\n`);
      return 2;
    }
    let ops;
    try {
      ops = await loadHistory(model as HistoryFormat, file);
    } catch (err) {
      if (!(err instanceof HistoryFormatError)) throw err;
      stderr.write(`pgo-harness lin: ${err.message}\n`);
      return 2;
    }
    const name = file.split("/").pop() ?? "history";
    const r = await reportLinearizability(modelFor(model as HistoryFormat), ops, { timeoutMs: timeout * 1000, name, ...(html !== undefined ? { artifactsDir: html } : {}) });
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
