// Restarts in design validation. A process killed and started again writes a new trace file for the same self
// (its next incarnation, see reader.ts), its clock counting on. The design says what a restart is, by the
// convention documented in raftkvs.tla:
//
//   RestartNodes          the nodes that may restart
//   RestartProcesses(n)   the processes (selves) of node n, which die and start together
//   Restart(n)            the restart as an action: `v' = e` for some variables, `UNCHANGED` for the others
//                         (every variable exactly once), and guards over the current state
//
// The validator takes Restart(n) as a step of its own, once per later incarnation of node n: after every record
// of the node's earlier incarnations and before any record of the later one (a restart of the node is atomic).
// It is modelled as one more "instance" per restarting node whose records are its restarts, with those clock
// dependencies; validate.ts takes its records with restartStep instead of running trace elements.
import { canonical, type TlaValue } from "../tla-value.ts";
import type { TraceRecord } from "../record.ts";
import type { Expr } from "./ast.ts";
import type { EvalCtx, Evaluator, State } from "./eval.ts";
import { SpecError } from "./lexer.ts";
import type { SpecModel } from "./spec-model.ts";
import { show } from "./values.ts";

/** An instance as validate.ts keeps it (its Instance is this with its own entry type). */
export interface IncarnatedInstance<E> {
  readonly self: TlaValue;
  readonly selfText: string;
  readonly key: string;
  readonly entries: readonly E[];
  readonly deps: readonly (readonly (readonly [number, number])[])[];
}

interface EntryLike {
  readonly file: string;
  readonly line: number;
  readonly record: TraceRecord;
  /** Which incarnation of its instance the record is of, from 0 (the index of its file in order of n). */
  readonly incarnation?: number;
}

interface RestartInfo {
  readonly node: TlaValue;
  readonly nodeText: string;
}
const restarts = new WeakMap<object, RestartInfo>();

/** Whether an entry is a restart (taken with restartStep), not a trace record. */
export function isRestart(entry: object): boolean {
  return restarts.has(entry);
}

export const RESTART_CONVENTION = "define RestartNodes, RestartProcesses(n) and the action Restart(n) (see systems/raftkvs/raftkvs.tla)";

type Scope = Parameters<Evaluator["ev"]>[2];
const bind = (name: string, value: TlaValue): Scope => ({ name, value, lazy: undefined, parent: undefined }) as Scope;

/**
 * The instances plus one restart instance per node that restarts, and the dependencies that make each restart
 * atomic. Returns a message (a violation) when a process has a later incarnation the design declares no restart
 * for; throws SpecError when the declaration does not follow the convention.
 */
export function withRestarts<E extends EntryLike, I extends IncarnatedInstance<E>>(spec: SpecModel, instances: readonly I[]): (I | IncarnatedInstance<E>)[] | string {
  const later = instances.filter((inst) => inst.entries.some((e) => (e.incarnation ?? 0) > 0));
  if (later.length === 0) return [...instances];
  const defs = spec.module.defs;
  const first = later[0]!;
  const firstLater = first.entries.find((e) => (e.incarnation ?? 0) > 0)!;
  if (!defs.has("RestartNodes") || !defs.has("RestartProcesses") || !defs.has("Restart")) {
    return `${firstLater.file}:${firstLater.line}: ${first.key} starts a later incarnation (a restarted process: a second trace file of self ${first.selfText}), but the design declares no restart; ${RESTART_CONVENTION}`;
  }
  checkRestartShape(spec);
  const ev = spec.evaluator;
  const ctx: EvalCtx = { state: spec.init, next: undefined, memo: new Map() };
  // self (canonical) → node
  const nodeOf = new Map<string, TlaValue>();
  const processes = defs.get("RestartProcesses")!.get();
  for (const n of ev.elements(ev.ev(defs.get("RestartNodes")!.get().body, ctx))) {
    for (const p of ev.elements(ev.ev(processes.body, ctx, bind(processes.params[0]!.name, n)))) nodeOf.set(canonical(p), n);
  }
  const out: (I | IncarnatedInstance<E>)[] = instances.map((inst) => ({ ...inst, deps: inst.deps.map((d) => [...d]) }));
  const byNode = new Map<string, { node: TlaValue; members: number[] }>();
  for (const [i, inst] of instances.entries()) {
    const node = nodeOf.get(canonical(inst.self));
    if (node === undefined) {
      const e = inst.entries.find((x) => (x.incarnation ?? 0) > 0);
      if (e !== undefined) return `${e.file}:${e.line}: ${inst.key} starts a later incarnation (a restarted process), but the design's RestartProcesses(n) names no node with process ${inst.selfText}`;
      continue;
    }
    const k = canonical(node);
    let g = byNode.get(k);
    if (g === undefined) byNode.set(k, (g = { node, members: [] }));
    g.members.push(i);
  }
  for (const { node, members } of byNode.values()) {
    const count = Math.max(0, ...members.flatMap((i) => instances[i]!.entries.map((e) => e.incarnation ?? 0)));
    if (count === 0) continue;
    const me = out.length;
    const nodeText = show(node);
    const entries: E[] = [];
    const deps: (readonly [number, number])[][] = [];
    for (let k = 1; k <= count; k++) {
      const at = members.map((i) => instances[i]!.entries.find((e) => (e.incarnation ?? 0) >= k)).find((e) => e !== undefined); // for its time
      const entry = {
        file: `Restart(${nodeText}) #${k}`,
        line: 0,
        record: restartRecord(nodeText, at?.record.startTime ?? "1970-01-01T00:00:00Z"),
        incarnation: k,
      } as unknown as E;
      restarts.set(entry as object, { node, nodeText });
      entries.push(entry);
      // After every record of the node's earlier incarnations …
      const d: (readonly [number, number])[] = [[me, k - 1]];
      for (const i of members) {
        const before = instances[i]!.entries.filter((e) => (e.incarnation ?? 0) < k).length;
        if (before > 0) d.push([i, before]);
      }
      deps.push(d);
      // … and before any record of the later one.
      for (const i of members) {
        const idx = instances[i]!.entries.findIndex((e) => (e.incarnation ?? 0) >= k);
        if (idx >= 0) (out[i]!.deps[idx] as (readonly [number, number])[]).push([me, k]);
      }
    }
    out.push({ self: node, selfText: nodeText, key: `restart of node ${nodeText}`, entries, deps });
  }
  return out;
}

function restartRecord(nodeText: string, time: string): TraceRecord {
  return {
    archetypeName: "Restart",
    self: nodeText,
    clock: [],
    csElements: [{ tag: "read", name: { name: ".pc", prefix: "", self: nodeText }, indices: [], value: '"Restart.restart"' }],
    isAbort: false,
    startTime: time,
    endTime: time,
  };
}

const conjuncts = (e: Expr): readonly Expr[] => (e.t === "and" ? e.items.flatMap(conjuncts) : [e]);
const primed = (e: Expr): string | undefined => (e.t === "bin" && e.op === "=" && e.l.t === "prime" && e.l.e.t === "id" && e.l.e.args === undefined ? e.l.e.name : undefined);
const unchanged = (e: Expr): string[] | undefined => {
  if (e.t !== "un" || e.op !== "UNCHANGED") return undefined;
  const items = e.e.t === "tuple" ? e.e.items : [e.e];
  return items.map((x) => (x.t === "id" && x.args === undefined ? x.name : "?"));
};

const checked = new WeakSet<SpecModel>();
/** Restart(n) names every variable exactly once, by `v' = e` or UNCHANGED (so its successor is one state). */
function checkRestartShape(spec: SpecModel): void {
  if (checked.has(spec)) return;
  const def = spec.module.defs.get("Restart")!.get();
  if (def.params.length !== 1) throw new SpecError(`${spec.file}:${def.line}: Restart must take one parameter, the node`);
  const seen = new Map<string, number>();
  for (const c of conjuncts(def.body)) for (const v of primed(c) !== undefined ? [primed(c)!] : (unchanged(c) ?? [])) seen.set(v, (seen.get(v) ?? 0) + 1);
  const vars = spec.module.variables;
  const problems = [
    ...vars.filter((v) => !seen.has(v)).map((v) => `${v} is not named`),
    ...[...seen].filter(([v, n]) => n > 1 || !vars.includes(v)).map(([v, n]) => (n > 1 ? `${v} is named ${n} times` : `${v} is not a variable`)),
  ];
  if (problems.length > 0) throw new SpecError(`${spec.file}:${def.line}: Restart(n) must give every variable exactly once (v' = e or UNCHANGED): ${problems.slice(0, 4).join(", ")}`);
  checked.add(spec);
}

/** The state after restarting the entry's node from `state`: Restart(n)'s assignments; its guards must hold. */
export function restartStep(spec: SpecModel, entry: object, state: State): { ok: true; finals: readonly State[] } | { ok: false; refusal: { element: undefined; message: string } } {
  const info = restarts.get(entry)!;
  const def = spec.module.defs.get("Restart")!.get();
  const ev = spec.evaluator;
  const ctx: EvalCtx = { state, next: undefined, memo: new Map() };
  const scope = bind(def.params[0]!.name, info.node);
  const next: Record<string, TlaValue> = { ...state };
  for (const c of conjuncts(def.body)) {
    const v = primed(c);
    if (v !== undefined && c.t === "bin") next[v] = ev.val(c.r, ctx, scope);
    else if (unchanged(c) === undefined && !ev.holds(c, ctx, scope)) {
      return { ok: false, refusal: { element: undefined, message: `the restart of node ${info.nodeText}: a guard of Restart(${info.nodeText}) is false${"line" in c ? ` (${spec.file}:${(c as { line: number }).line})` : ""}` } };
    }
  }
  return { ok: true, finals: [next] };
}
