// The one redaction module. Secrets are held as Secret (prints as [REDACTED] everywhere: String(), JSON,
// util.inspect, template literals; only reveal() gives the value, at the point of use); text that came from
// elsewhere (daemon, servers, tools) is scrubbed of their values; environments written to artifacts have the
// values of secret-looking names replaced.
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

/** Replaces every occurrence of a secret's value in text (messages from the daemon, servers or tools). */
export function scrub(text: string, secrets: readonly Secret[]): string {
  let out = text;
  for (const s of secrets) {
    const v = s.reveal();
    if (v.length >= 4) out = out.split(v).join(REDACTED);
  }
  return out;
}

const SECRET_NAME = /(KEY|PASSWORD|PASSWD|TOKEN|SECRET|CREDENTIAL)/i;

/** An environment for an artifact or a command line: values of secret-looking names replaced. */
export function redactEnv(env: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, SECRET_NAME.test(k) ? REDACTED : v]));
}
