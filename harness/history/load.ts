// Loading a history file for checking: Jepsen's etcd log, Porcupine's kv format, or the harness's history.jsonl.
import { readFile } from "node:fs/promises";
import type { AnyModel } from "./model.ts";
import { kvModel, registerModel } from "./models.ts";
import type { Operation } from "./operation.ts";
import { parseEtcdLog, parseJsonlHistory, parseKvLog } from "./parse.ts";

export type HistoryFormat = "etcd" | "kv";

export const modelFor = (format: HistoryFormat): AnyModel => (format === "etcd" ? registerModel : kvModel);

/** Reads and parses a history file in either format, or the harness's history.jsonl (by extension). */
export async function loadHistory(format: HistoryFormat, path: string): Promise<Operation[]> {
  const text = await readFile(path, "utf8");
  const name = path.split("/").pop() ?? path;
  if (name.endsWith(".jsonl")) return parseJsonlHistory(text, format, name);
  return format === "etcd" ? parseEtcdLog(text, name) : parseKvLog(text, name);
}
