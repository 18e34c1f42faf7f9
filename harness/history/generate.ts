// Seeded synthetic histories, for scaling beyond the corpus (bench/linearizability.ts) and for tests: N clients
// run operations on a simulated atomic store (a register, or a kv store of K keys); each operation takes effect
// at a random point between its call and its return, so the history is linearizable by construction, and the
// operations of different clients overlap at random. Written as the corpus's text formats (Jepsen's etcd log,
// Porcupine's kv lines), so Porcupine's parser and ours read the same file.
//
// One anomaly can be injected, and is then certain to make the history non-linearizable: one client writes a
// fresh value to a key (o1) and next reads that key (o2), and every other operation that could take effect
// between the two is made a read. Then
// - stale read: o2 returns the value from before o1;
// - lost write: the store drops o1's effect (o2, and everyone after, read as if o1 never happened);
// - duplicated append (kv): the store applies the append o1 twice, so o2 reads its token twice.
// Written values are unique, so no other order of the operations can explain what o2 read.
import { mulberry32 as rng } from "../random.ts";

export type GeneratedModel = "register" | "kv";
export type Anomaly = "stale-read" | "lost-write" | "duplicated-append";

export interface GenerateOptions {
  readonly model: GeneratedModel;
  readonly clients: number;
  /** Operations in all (spread evenly over the clients). */
  readonly ops: number;
  /** kv: keys the operations pick from at random (default 10). The register is one key. */
  readonly keys?: number;
  readonly seed: number;
  readonly anomaly?: Anomaly;
  /** Mean operation duration over mean pause between a client's operations (default 1): higher, more overlap. */
  readonly overlap?: number;
  /** register: share of writes and cas whose outcome is unknown (:info, Jepsen then renumbers the process; default 0). */
  readonly indeterminate?: number;
  /** register: separate the fields of a line with runs of spaces instead of tabs (Jepsen's logs have both). */
  readonly spaces?: boolean;
}

export interface GeneratedHistory {
  readonly format: "etcd" | "kv";
  readonly text: string;
  readonly linearizable: boolean;
  /** Operations written (an indeterminate one counts once). */
  readonly ops: number;
  /** For an injected anomaly: the process and the lines (1-based) of o1's invoke and o2's completion. */
  readonly anomaly?: { readonly kind: Anomaly; readonly process: number; readonly writeLine: number; readonly readLine: number };
}

type Kind = "read" | "write" | "cas" | "append";

interface SimOp {
  client: number;
  kind: Kind;
  key: number;
  /** write/put/append: the value; cas: `to`. */
  value: string;
  /** cas: the expected value. */
  from: string;
  call: number;
  ret: number;
  /** When it takes effect, in [call, ret]. */
  point: number;
  /** The outcome is unknown to the client (register only). */
  indeterminate: boolean;
  /** Whether it takes effect at all (an indeterminate one may not). */
  effective: boolean;
  /** read: the value read (undefined before simulation, "" for nil/empty); cas: whether the compare held. */
  output: string | boolean | undefined;
}


export function generateHistory(options: GenerateOptions): GeneratedHistory {
  const { model, clients, seed } = options;
  const keys = model === "register" ? 1 : Math.max(1, options.keys ?? 10);
  const overlap = options.overlap ?? 1;
  const indeterminate = model === "register" ? (options.indeterminate ?? 0) : 0;
  if (!Number.isInteger(clients) || clients < 1) throw new Error(`generateHistory: clients must be a positive integer, got ${clients}`);
  if (!Number.isInteger(options.ops) || options.ops < 2) throw new Error(`generateHistory: ops must be an integer ≥ 2, got ${options.ops}`);
  if (options.anomaly === "duplicated-append" && model !== "kv") throw new Error("generateHistory: a duplicated append needs the kv model");
  const random = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  let fresh = 0;
  const newValue = (client: number) => (model === "register" ? String(fresh++) : `x ${client} ${fresh++} y`);

  // 1. Each client's operations, back to back with pauses (durations and pauses exponential), made in time
  //    order so that a cas can expect one of the values written lately.
  const exp = (mean: number) => -Math.log(1 - random()) * mean;
  const byClient: SimOp[][] = Array.from({ length: clients }, () => []);
  const nextCall = Array.from({ length: clients }, () => exp(1));
  const written: string[] = [];
  for (let k = 0; k < options.ops; k++) {
    let c = 0;
    for (let d = 1; d < clients; d++) if (nextCall[d]! < nextCall[c]!) c = d;
    const t = nextCall[c]!;
    const r = random();
    const kind: Kind = model === "register" ? (r < 0.5 ? "read" : r < 0.8 ? "write" : "cas") : r < 0.5 ? "read" : r < 0.9 ? "append" : "write";
    const duration = exp(overlap) + 1e-6;
    const op: SimOp = { client: c, kind, key: Math.floor(random() * keys), value: "", from: "", call: t, ret: t + duration, point: t + random() * duration, indeterminate: false, effective: true, output: undefined };
    if (kind === "cas") op.from = written.length > 0 ? pick(written.slice(-3)) : "0";
    if (kind !== "read") {
      op.value = newValue(c);
      written.push(op.value);
    }
    if (kind !== "read" && random() < indeterminate) {
      op.indeterminate = true;
      op.effective = random() < 0.5;
    }
    byClient[c]!.push(op);
    nextCall[c] = op.ret + exp(1);
  }
  const all = byClient.flat();

  // 2. The anomaly's setting: o1 writes a fresh value, o2 (the same client's next operation) reads that key, and
  //    nothing else can take effect on that key in between.
  let o1: SimOp | undefined;
  let o2: SimOp | undefined;
  if (options.anomaly !== undefined) {
    const candidates = byClient.filter((ops) => ops.length >= 2);
    if (candidates.length === 0) throw new Error("generateHistory: an anomaly needs a client with two operations");
    const mine = pick(candidates);
    const j = Math.floor(random() * (mine.length - 1));
    o1 = mine[j]!;
    o2 = mine[j + 1]!;
    o1.kind = options.anomaly === "duplicated-append" ? "append" : model === "kv" && random() < 0.5 ? "append" : "write";
    o1.value = newValue(o1.client);
    o1.indeterminate = false;
    o1.effective = true;
    o2.kind = "read";
    o2.key = o1.key;
    o2.indeterminate = false;
    o2.effective = true;
    const [from, to] = [o1.call, o2.ret];
    for (const op of all) {
      if (op === o1 || op === o2 || op.key !== o1.key || op.kind === "read") continue;
      const end = op.indeterminate ? Infinity : op.ret;
      if (op.call <= to && end >= from) {
        op.kind = "read";
        op.indeterminate = false;
        op.effective = true;
      }
    }
  }

  // 3. Run the store: effects in the order of their points.
  const state: string[] = new Array<string>(keys).fill("");
  let beforeO1 = "";
  for (const op of [...all].sort((a, b) => a.point - b.point)) {
    const s = state[op.key]!;
    if (op === o1) beforeO1 = s;
    switch (op.kind) {
      case "read":
        // o1 took effect before o2 was called, so beforeO1 is set by then.
        op.output = op === o2 && options.anomaly === "stale-read" ? beforeO1 : s;
        break;
      case "write":
        if (op.effective && !(op === o1 && options.anomaly === "lost-write")) state[op.key] = op.value;
        break;
      case "append":
        if (op === o1 && options.anomaly === "lost-write") break;
        state[op.key] = s + op.value + (op === o1 && options.anomaly === "duplicated-append" ? op.value : "");
        break;
      case "cas":
        op.output = s === op.from;
        if (op.effective && s === op.from) state[op.key] = op.value;
        break;
    }
  }

  // 4. The events in time order, as text.
  const process = byClient.map((_, c) => c);
  const events: { time: number; op: SimOp; invoke: boolean }[] = [];
  for (const op of all) {
    events.push({ time: op.call, op, invoke: true });
    events.push({ time: op.ret, op, invoke: false });
  }
  events.sort((a, b) => a.time - b.time || (a.invoke === b.invoke ? 0 : a.invoke ? 1 : -1));
  const lines: string[] = [];
  const sep = options.spaces === true ? "   " : "\t";
  let writeLine = 0;
  let readLine = 0;
  let o1Process = 0;
  for (const { op, invoke } of events) {
    const p = process[op.client]!;
    if (model === "register") {
      const type = invoke ? "invoke" : op.indeterminate ? "info" : op.kind === "cas" && op.output === false ? "fail" : "ok";
      const value = op.kind === "read" ? (invoke ? "nil" : op.output === "" ? "nil" : String(op.output)) : op.kind === "write" ? op.value : `[${op.from} ${op.value}]`;
      lines.push(`INFO  jepsen.util - ${p}${sep}:${type}${sep}:${op.kind}${sep}${type === "info" ? ":timed-out" : value}`);
      // Jepsen gives a process whose operation's outcome is unknown a new number.
      if (type === "info") process[op.client] = p + clients;
    } else {
      const f = op.kind === "read" ? "get" : op.kind === "write" ? "put" : "append";
      const value = op.kind === "read" ? (invoke ? "nil" : JSON.stringify(op.output)) : JSON.stringify(op.value);
      lines.push(`{:process ${p}, :type :${invoke ? "invoke" : "ok"}, :f :${f}, :key "${op.key}", :value ${value}}`);
    }
    if (op === o1 && invoke) {
      writeLine = lines.length;
      o1Process = p;
    }
    if (op === o2 && !invoke) readLine = lines.length;
  }
  return {
    format: model === "register" ? "etcd" : "kv",
    text: lines.join("\n") + "\n",
    linearizable: options.anomaly === undefined,
    ops: all.length,
    ...(options.anomaly !== undefined ? { anomaly: { kind: options.anomaly, process: o1Process, writeLine, readLine } } : {}),
  };
}
