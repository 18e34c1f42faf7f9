// The reference histories of ../shared/corpus/linearizability: where they are and what verdict each has.
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { AnyModel } from "./model.ts";
import { kvModel, registerModel } from "./models.ts";
import type { Operation } from "./operation.ts";
import { parseEtcdLog, parseJsonlHistory, parseKvLog } from "./parse.ts";

/** ../shared/corpus/linearizability, from the project root. */
export const LIN_CORPUS = resolve(import.meta.dirname, "../../../shared/corpus/linearizability");

export type HistoryFormat = "etcd" | "kv";

export interface CorpusHistory {
  readonly format: HistoryFormat;
  readonly file: string;
  readonly path: string;
  readonly linearizable: boolean;
}

/** Every history listed in the corpus's verdicts.tsv files. */
export async function corpusHistories(root = LIN_CORPUS): Promise<CorpusHistory[]> {
  const out: CorpusHistory[] = [];
  for (const format of ["etcd", "kv"] as const) {
    const tsv = await readFile(join(root, format, "verdicts.tsv"), "utf8");
    for (const line of tsv.trim().split("\n").slice(1)) {
      const [file, verdict] = line.split("\t");
      if (file === undefined || (verdict !== "true" && verdict !== "false")) throw new Error(`${format}/verdicts.tsv: expected "<history>\\t<true|false>", got ${JSON.stringify(line)}`);
      out.push({ format, file, path: join(root, format, file), linearizable: verdict === "true" });
    }
  }
  return out;
}

export const modelFor = (format: HistoryFormat): AnyModel => (format === "etcd" ? registerModel : kvModel);

/** Reads and parses a history file in either corpus format, or the harness's history.jsonl (by extension). */
export async function loadHistory(format: HistoryFormat, path: string): Promise<Operation[]> {
  const text = await readFile(path, "utf8");
  const name = path.split("/").pop() ?? path;
  if (name.endsWith(".jsonl")) return parseJsonlHistory(text, format, name);
  return format === "etcd" ? parseEtcdLog(text, name) : parseKvLog(text, name);
}
