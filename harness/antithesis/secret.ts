// A credential that cannot leak by accident: string conversion, JSON, util.inspect (console.log, vitest's
// diffs) and template literals all print [REDACTED]. Only reveal() gives the value, at the point of use.
import { inspect } from "node:util";

export const REDACTED = "[REDACTED]";

export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
