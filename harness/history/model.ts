// A model is a small object, after Porcupine's: a pure step function over states, a canonical key for
// memoisation, an optional partition (P-compositionality) and optional descriptions for explanations.
import type { Operation } from "./operation.ts";

/** Returned by `step` when the operation cannot take effect in that state with that output. */
export const ILLEGAL: unique symbol = Symbol("illegal");
export type Illegal = typeof ILLEGAL;

export interface Model<S = unknown, I = unknown, O = unknown> {
  readonly name: string;
  init(): S;
  /**
   * The state after `input` took effect in `state` and returned `output`, or ILLEGAL. Must be pure.
   * `output` is undefined when the outcome is unknown: then return the state as if it took effect.
   */
  step(state: S, input: I, output: O | undefined): S | Illegal;
  /** A canonical string: two states are equal exactly when their keys are (memoisation needs this). */
  key(state: S): string;
  /** Optional faster memoisation: a 32-bit hash (equal states, equal hashes) with `equal`; both or neither. */
  hash?(state: S): number;
  equal?(a: S, b: S): boolean;
  /** Splits a history into parts that are checked independently (e.g. per key). Default: one part. */
  partition?(ops: readonly Operation<I, O>[]): Operation<I, O>[][];
  /**
   * True when the operation leaves every state unchanged (a read, a failed cas). The explanation drops only
   * such operations: dropping a read never makes a history linearizable that was not, dropping a write can.
   */
  readOnly?(op: Operation<I, O>): boolean;
  describeOperation?(op: Operation<I, O>): string;
  describeState?(state: S): string;
}

/** Type-erased model, as the checker and the explanation handle it. */
export type AnyModel = Model<any, any, any>;

export function describeOperation(model: Pick<AnyModel, "describeOperation">, op: Operation): string {
  if (model.describeOperation !== undefined) return model.describeOperation(op);
  const out = op.return === Infinity ? "?" : JSON.stringify(op.output);
  return `${op.f}(${JSON.stringify(op.input)}) -> ${out}`;
}

export function describeState(model: AnyModel, state: unknown): string {
  return model.describeState !== undefined ? model.describeState(state) : JSON.stringify(state);
}
