// Explaining a violation soundly. Linearizability is prefix-closed, so the shortest prefix of the history (cut
// at a return; operations still pending at the cut get an unknown outcome) that cannot be linearized proves the
// whole history cannot be; it is found by binary search. Then read-only operations (reads, failed cas) are
// dropped one by one while the rest stays illegal: a read never helps, so an illegal subset with all the
// writes still proves the violation. What remains is shown with how far the search got and the states reached.
import type { AnyModel } from "./model.ts";
import { describeOperation, describeState, ILLEGAL } from "./model.ts";
import type { Operation } from "./operation.ts";
import { searchLinearization } from "./wgl.ts";
import type { PartialLinearization } from "./wgl.ts";

export interface ExplainOptions {
  /** Budget in milliseconds (default 10 s); when it runs out the set is illegal but maybe larger than needed. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface Explanation {
  /** Operations that together cannot be linearized, in call order (ids and outputs as in the history, except
   *  that an operation pending at the cut is shown with an unknown outcome). */
  readonly minimal: readonly Operation[];
  /** The cut: the time of the return that makes the prefix illegal. */
  readonly cut: number;
  /** The operation whose return is the cut (its result cannot be explained). */
  readonly failing: Operation | undefined;
  /** True when no read-only operation can be dropped from `minimal` (false: the budget ran out first). */
  readonly isMinimal: boolean;
  /** The longest partial linearization of `minimal`, with the state after each operation. */
  readonly longest: PartialLinearization;
  /** The states in which the failing operation could have taken effect (its result fits none of them). */
  readonly before?: StatesBefore;
  /** A person's explanation, several lines. */
  readonly text: string;
}

/** The history as seen at time `cut`: operations called by then; those returning later have an unknown outcome. */
export function prefixAt(ops: readonly Operation[], cut: number): Operation[] {
  return ops.filter((op) => op.call <= cut).map((op) => {
    if (op.return <= cut) return op;
    const { output: _dropped, ...rest } = op;
    return { ...rest, return: Infinity };
  });
}

/** `ops` must be illegal for `model` (e.g. the illegal part of a LinearizabilityResult). */
export function explainViolation(model: AnyModel, ops: readonly Operation[], options: ExplainOptions = {}): Explanation {
  const deadline = performance.now() + (options.timeoutMs ?? 10_000);
  const signal = options.signal;
  const search = (set: readonly Operation[]) => searchLinearization(model, set, { deadline, ...(signal !== undefined ? { signal } : {}) });
  const illegal = (set: readonly Operation[]) => search(set).outcome === "illegal";
  const outOfTime = () => performance.now() > deadline || signal?.aborted === true;
  // 1. The shortest illegal prefix: the last candidate cut is the whole history, known illegal.
  const cuts = [...new Set(ops.filter((op) => op.return !== Infinity).map((op) => op.return))].sort((a, b) => a - b);
  let lo = -1;
  let hi = cuts.length - 1;
  while (hi - lo > 1 && !outOfTime()) {
    const mid = (lo + hi) >> 1;
    if (illegal(prefixAt(ops, cuts[mid]!))) hi = mid;
    else lo = mid;
  }
  const cut = cuts[hi] ?? Infinity;
  let current = prefixAt(ops, cut).sort((a, b) => a.call - b.call || a.id - b.id);
  const failing = current.find((op) => op.return === cut);
  // 2. Drop read-only operations, latest first, while the rest stays provably illegal. The failing one stays.
  let isMinimal = !outOfTime();
  for (let k = current.length - 1; k >= 0 && isMinimal; k--) {
    const op = current[k]!;
    if (op === failing || model.readOnly?.(op) !== true) continue;
    if (outOfTime()) isMinimal = false;
    else {
      const without = current.filter((_, j) => j !== k);
      if (illegal(without)) current = without;
    }
  }
  const longest = searchLinearization(model, current, signal !== undefined ? { signal } : {}).longest;
  // The states the failing operation could have met, from the whole prefix when it is small enough to enumerate.
  let before: StatesBefore | undefined;
  if (failing !== undefined) {
    const prefix = prefixAt(ops, cut);
    const base = prefix.length <= 300 ? prefix : current.length <= 300 ? current : undefined;
    if (base !== undefined) before = statesBefore(model, base, failing, Math.max(deadline, performance.now() + 2_000), signal);
  }
  return { minimal: current, cut, failing, isMinimal, longest, ...(before !== undefined ? { before } : {}), text: explanationText(model, current, longest, isMinimal, failing, before) };
}

/** The states the failing operation could have taken effect in, or undefined when not computed in time. */
export interface StatesBefore {
  readonly states: readonly unknown[];
  readonly complete: boolean;
}

/**
 * Every state in which `failing` could take effect: reached by linearizing, in a real-time-respecting order, all
 * operations that returned before it was called and any of those called before it returned. When the history up
 * to `failing`'s return cannot be linearized, `failing`'s result is impossible in each of them.
 */
export function statesBefore(model: AnyModel, ops: readonly Operation[], failing: Operation, deadline: number, signal?: AbortSignal): StatesBefore {
  const others = ops.filter((op) => op !== failing && op.call <= failing.return);
  const n = others.length;
  const bit = (i: number) => 1n << BigInt(i);
  let required = 0n;
  const preds: bigint[] = others.map((op, i) => {
    if (op.return < failing.call) required |= bit(i);
    let p = 0n;
    others.forEach((o, j) => {
      if (o.return < op.call) p |= bit(j);
    });
    return p;
  });
  const visited = new Set<string>();
  const found = new Map<string, unknown>();
  const stack: { set: bigint; state: unknown }[] = [{ set: 0n, state: model.init() }];
  let steps = 0;
  while (stack.length > 0) {
    if (++steps % 256 === 0 && (performance.now() > deadline || signal?.aborted === true)) return { states: [...found.values()], complete: false };
    const { set, state } = stack.pop()!;
    const stateKey = model.key(state);
    const key = `${set.toString(36)}|${stateKey}`;
    if (visited.has(key)) continue;
    visited.add(key);
    if ((set & required) === required) found.set(stateKey, state);
    for (let i = 0; i < n; i++) {
      const b = bit(i);
      if ((set & b) !== 0n || (preds[i]! & ~set) !== 0n) continue;
      const op = others[i]!;
      const next = model.step(state, op.input, op.return === Infinity ? undefined : op.output);
      if (next !== ILLEGAL) stack.push({ set: set | b, state: next });
    }
  }
  return { states: [...found.values()], complete: true };
}

const span = (op: Operation) => `[${op.call}, ${op.return === Infinity ? "∞" : op.return}]`;

export function explanationText(model: AnyModel, minimal: readonly Operation[], longest: PartialLinearization, isMinimal: boolean, failing?: Operation, before?: StatesBefore): string {
  const byId = new Map(minimal.map((op) => [op.id, op]));
  const lines: string[] = [];
  const how = isMinimal ? "the history up to the return of the failing operation, without the reads that do not matter" : "the time budget ran out before this set was shrunk";
  if (failing !== undefined) lines.push(`The history stops being linearizable when #${failing.id} (process ${failing.process}${failing.where !== undefined ? `, ${failing.where}` : ""}) returns: ${describeOperation(model, failing)}.`);
  if (failing !== undefined && before !== undefined && before.states.length > 0) {
    const names = before.states.map((st) => describeState(model, st)).sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
    const shown = names.slice(0, 12).join(", ");
    const more = before.states.length > 12 ? ` and ${before.states.length - 12} more` : "";
    const all = before.complete ? "could only" : "could (at least; enumeration cut short)";
    lines.push(`Given the operations that completed before it and those concurrent with it, #${failing.id} ${all} take effect in state(s) ${shown}${more}; its result fits none of them.`);
  }
  lines.push(`These ${minimal.length} operations cannot be linearized (${how}):`);
  for (const op of minimal) lines.push(`  #${op.id} process ${op.process} ${span(op)}: ${describeOperation(model, op)}`);
  lines.push(`From the initial state ${describeState(model, model.init())}, the longest linearization found places ${longest.ops.length} of them:`);
  longest.ops.forEach((id, k) => {
    const op = byId.get(id);
    if (op !== undefined) lines.push(`  ${k + 1}. #${id} ${describeOperation(model, op)}  → ${describeState(model, longest.states[k])}`);
  });
  const state = longest.states.length > 0 ? longest.states[longest.states.length - 1] : model.init();
  const placed = new Set(longest.ops);
  const rest = minimal.filter((op) => !placed.has(op.id));
  if (rest.length > 0) lines.push(`Then, in state ${describeState(model, state)}, none of the rest can be placed:`);
  for (const op of rest) {
    const legal = model.step(state, op.input, op.return === Infinity ? undefined : op.output) !== ILLEGAL;
    const why = legal ? "could take effect here, but every order that follows fails" : "cannot take effect in this state";
    lines.push(`  #${op.id} ${describeOperation(model, op)}: ${why}`);
  }
  return lines.join("\n");
}
