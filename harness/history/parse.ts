// Parsers for the two history formats of testdata/linearizability (see testdata/README.md): Jepsen's etcd log
// lines and Porcupine's EDN-like kv lines. Both number events by their position, which serves as time.
import { z } from "zod";
import { HistoryFormatError, pairEvents } from "./operation.ts";
import type { EventType, HistoryEvent, Operation } from "./operation.ts";
import type { KvInput, KvOutput, RegisterInput, RegisterOutput, RegisterValue } from "./models.ts";

// As Porcupine's parser reads them: fields separated by any whitespace (Jepsen's logs have tabs or runs of spaces).
const ETCD_LINE = /^INFO\s+jepsen\.util\s+-\s+(\d+)\s+:(invoke|ok|fail|info)\s+:(read|write|cas)\s+(.*)$/;

function etcdValue(text: string, where: string): RegisterValue {
  if (text === "nil") return null;
  if (/^-?\d+$/.test(text)) return Number(text);
  throw new HistoryFormatError(`${where}: expected an integer or nil, got ${JSON.stringify(text)}`);
}

/** Jepsen's etcd log: `INFO  jepsen.util - <process> :<type> :<f> <value>` (tabs or spaces); other lines are noise. */
export function parseEtcdLog(text: string, file = "etcd log"): Operation<RegisterInput, RegisterOutput>[] {
  const events: HistoryEvent[] = [];
  text.split("\n").forEach((line, i) => {
    const m = ETCD_LINE.exec(line.trim());
    if (m === null) return;
    const where = `${file}:${i + 1}`;
    const [, process, type, f, rest] = m as unknown as [string, string, EventType, string, string];
    let value: unknown;
    if (f === "cas") {
      const cas = /^\[\s*(\S+)\s+(\S+)\s*\]$/.exec(rest);
      if (cas !== null) value = [etcdValue(cas[1]!, where), etcdValue(cas[2]!, where)];
      else if (type === "info") value = rest; // e.g. :timed-out
      else throw new HistoryFormatError(`${where}: expected a cas value "[from to]", got ${JSON.stringify(rest)}`);
    } else {
      // A failed or indeterminate read/write carries no value (e.g. :timed-out).
      value = type === "invoke" || type === "ok" ? etcdValue(rest, where) : rest;
    }
    events.push({ process, type, f, value, time: events.length });
  });
  if (events.length === 0) throw new HistoryFormatError(`${file}: no "INFO jepsen.util - <process> :<type> :<f> <value>" lines`);
  return pairEvents<RegisterInput, RegisterOutput>(events, {
    where: file,
    // A failed cas is a failed compare (it observed the state); a failed read or write just did not happen.
    keepFailed: (invoke) => invoke.f === "cas",
    input(invoke) {
      if (invoke.f === "read") return { op: "read" };
      if (invoke.f === "write") return { op: "write", value: invoke.value as RegisterValue };
      const [from, to] = invoke.value as [RegisterValue, RegisterValue];
      return { op: "cas", from, to };
    },
    output(invoke, completion) {
      if (invoke.f === "read") return completion.value as RegisterValue;
      if (invoke.f === "write") return null;
      return completion.type === "ok";
    },
  });
}

const KV_LINE = /^\{\s*:process\s+(\d+),\s*:type\s+:(invoke|ok|fail|info),\s*:f\s+:(get|put|append),\s*:key\s+"((?:[^"\\]|\\.)*)",\s*:value\s+(nil|"(?:[^"\\]|\\.)*")\s*\}$/;

/**
 * Porcupine's kv format: `{:process P, :type :invoke|:ok, :f :get|:put|:append, :key "K", :value "V"}`, any
 * whitespace between the fields. Lines that are not a `{...}` map are noise (as Porcupine skips them); a map
 * that does not parse is an error.
 */
export function parseKvLog(text: string, file = "kv log"): Operation<KvInput, KvOutput>[] {
  const events: HistoryEvent[] = [];
  text.split("\n").forEach((line, i) => {
    const trimmed = line.trim();
    if (!trimmed.startsWith("{")) return;
    const m = KV_LINE.exec(trimmed);
    if (m === null) throw new HistoryFormatError(`${file}:${i + 1}: expected {:process P, :type :T, :f :F, :key "K", :value V}, got ${JSON.stringify(trimmed.slice(0, 60))}`);
    const [, process, type, f, key, value] = m as unknown as [string, string, EventType, string, string, string];
    const decoded = value === "nil" ? null : (JSON.parse(value) as string);
    events.push({ process, type, f, value: { key: JSON.parse(`"${key}"`) as string, value: decoded }, time: events.length });
  });
  if (events.length === 0) throw new HistoryFormatError(`${file}: no operations`);
  return pairEvents<KvInput, KvOutput>(events, {
    where: file,
    input(invoke) {
      const { key, value } = invoke.value as { key: string; value: string | null };
      const op = invoke.f as KvInput["op"];
      return op === "get" ? { op, key } : { op, key, value: value ?? "" };
    },
    output(invoke, completion) {
      return invoke.f === "get" ? ((completion.value as { value: string | null }).value ?? "") : null;
    },
  });
}

const registerValue = z.union([z.number(), z.string(), z.null()]);
const inputSchemas = {
  etcd: z.discriminatedUnion("op", [
    z.object({ op: z.literal("read") }),
    z.object({ op: z.literal("write"), value: registerValue }),
    z.object({ op: z.literal("cas"), from: registerValue, to: registerValue }),
  ]),
  kv: z.object({ op: z.enum(["get", "put", "append"]), key: z.string(), value: z.string().optional() }),
};
const outputSchemas = { etcd: z.union([registerValue, z.boolean()]), kv: z.union([z.string(), z.null()]) };

/**
 * The harness's own history format (history.jsonl, written by linearizabilityChecker): one Operation per line as
 * JSON, `return: null` for an unknown outcome. Inputs are validated for the model ("etcd" register or "kv").
 */
export function parseJsonlHistory(text: string, format: "etcd" | "kv", file = "history.jsonl"): Operation[] {
  const line = z.object({
    process: z.union([z.string(), z.number()]),
    f: z.string(),
    input: inputSchemas[format],
    output: outputSchemas[format].optional(),
    call: z.number(),
    return: z.number().nullable(),
    where: z.string().optional(),
  });
  const ops: Operation[] = [];
  text.split("\n").forEach((raw, i) => {
    if (raw.trim() === "") return;
    const where = `${file}:${i + 1}`;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw new HistoryFormatError(`${where}: expected a JSON object, got ${JSON.stringify(raw.slice(0, 40))}`);
    }
    const parsed = line.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new HistoryFormatError(`${where}: "${issue?.path.join(".") ?? ""}" ${issue?.message ?? "is invalid"}`);
    }
    const { process, f, input, output, call, where: at } = parsed.data;
    const ret = parsed.data.return ?? Infinity;
    if (ret !== Infinity && output === undefined) throw new HistoryFormatError(`${where}: an operation that returned needs an "output" (null if none)`);
    if (ret < call) throw new HistoryFormatError(`${where}: returns (${ret}) before it is called (${call})`);
    ops.push({ id: ops.length, process: String(process), f, input, ...(ret !== Infinity ? { output } : {}), call, return: ret, ...(at !== undefined ? { where: at } : {}) });
  });
  if (ops.length === 0) throw new HistoryFormatError(`${file}: no operations`);
  return ops;
}
