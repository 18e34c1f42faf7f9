// The models the reference histories and the project's systems need: a register with read/write/cas (Jepsen's etcd test)
// and a key-value store with get/put/append, partitioned per key (Porcupine's kv test; raftkvs uses get/put).
import { ILLEGAL } from "./model.ts";
import type { Model } from "./model.ts";
import type { Operation } from "./operation.ts";

/** FNV-1a over UTF-16 code units. */
export function stringHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h | 0;
}

export type RegisterValue = number | string | null;
export type RegisterInput =
  | { readonly op: "read" }
  | { readonly op: "write"; readonly value: RegisterValue }
  | { readonly op: "cas"; readonly from: RegisterValue; readonly to: RegisterValue };
/** read: the value read (null for nil); write: ignored (null); cas: whether the compare succeeded. */
export type RegisterOutput = RegisterValue | boolean;

/**
 * A register starting at nil (null). As in Porcupine's etcd model, a cas that returned false says the compare
 * failed at its linearization point, so it constrains the state like a read.
 */
export const registerModel: Model<RegisterValue, RegisterInput, RegisterOutput> = {
  name: "register",
  init: () => null,
  step(state, input, output) {
    switch (input.op) {
      case "read":
        return output === undefined || output === state ? state : ILLEGAL;
      case "write":
        return input.value;
      case "cas": {
        const matches = input.from === state;
        if (output === undefined) return matches ? input.to : state;
        return output === matches ? (matches ? input.to : state) : ILLEGAL;
      }
    }
  },
  key: (state) => JSON.stringify(state),
  hash: (state) => (typeof state === "number" ? state | 0 : state === null ? 0x7fffffff : stringHash(state)),
  equal: (a, b) => a === b,
  readOnly: (op) => op.input.op === "read" || (op.input.op === "cas" && op.return !== Infinity && op.output === false),
  describeOperation(op) {
    const known = op.return !== Infinity;
    const show = (v: unknown) => (v === null ? "nil" : String(v));
    switch (op.input.op) {
      case "read":
        return `read -> ${known ? show(op.output) : "?"}`;
      case "write":
        return `write ${show(op.input.value)}${known ? "" : " -> ?"}`;
      case "cas":
        return `cas ${show(op.input.from)}→${show(op.input.to)} -> ${known ? (op.output === true ? "ok" : "fail") : "?"}`;
    }
  },
  describeState: (state) => (state === null ? "nil" : String(state)),
};

export interface KvInput {
  readonly op: "get" | "put" | "append";
  readonly key: string;
  /** The value put or appended; absent for get. */
  readonly value?: string;
}
/** get: the whole string stored at the key ("" if none); put/append: ignored. */
export type KvOutput = string | null;

/**
 * The string at one key, with a polynomial hash of it kept as it grows: an append extends the hash in the length
 * of the value appended, where hashing the new string would take its whole length (and kv histories append to
 * the same key for a long time, so the strings grow long).
 */
export interface KvState {
  readonly value: string;
  readonly hash: number;
}

const KV_BASE = 0x01000193;

function kvState(value: string, prefix?: KvState): KvState {
  let h = prefix?.hash ?? 0;
  for (let i = 0; i < value.length; i++) h = (Math.imul(h, KV_BASE) + value.charCodeAt(i)) | 0;
  return { value: prefix === undefined ? value : prefix.value + value, hash: h };
}

const KV_EMPTY = kvState("");

/**
 * A key-value store, checked key by key: the state is the string at one key (initially ""), and `partition`
 * splits the history per key, so the checker never runs this model over operations of two keys.
 */
export const kvModel: Model<KvState, KvInput, KvOutput> = {
  name: "kv",
  init: () => KV_EMPTY,
  step(state, input, output) {
    switch (input.op) {
      case "get":
        return output === undefined || output === state.value ? state : ILLEGAL;
      case "put":
        return kvState(input.value ?? "");
      case "append":
        return kvState(input.value ?? "", state);
    }
  },
  key: (state) => state.value,
  hash: (state) => state.hash,
  equal: (a, b) => a.value === b.value,
  readOnly: (op) => op.input.op === "get",
  partition(ops) {
    const byKey = new Map<string, Operation<KvInput, KvOutput>[]>();
    for (const op of ops) {
      const part = byKey.get(op.input.key);
      if (part === undefined) byKey.set(op.input.key, [op]);
      else part.push(op);
    }
    return [...byKey.values()];
  },
  describeOperation(op) {
    const known = op.return !== Infinity;
    const { op: f, key, value } = op.input;
    if (f === "get") return `get(${JSON.stringify(key)}) -> ${known ? JSON.stringify(op.output) : "?"}`;
    return `${f}(${JSON.stringify(key)}, ${JSON.stringify(value ?? "")})${known ? "" : " -> ?"}`;
  },
  describeState: (state) => JSON.stringify(state.value),
};

export const models = { etcd: registerModel, register: registerModel, kv: kvModel } as const;
