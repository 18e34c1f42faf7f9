// Namespaced progress lines ("[dqueue/build] Building dqueue.test…"), written to stderr so that they show up
// live in the terminal and in CI logs, also from Vitest's global setup.
import { stderr } from "node:process";

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  /** Runs fn between a "Starting…" and a "…done (1.2 s)" line; on failure the line says it failed. */
  step<T>(what: string, fn: () => Promise<T>): Promise<T>;
  child(name: string): Logger;
}

export function logger(namespace: string, write: (line: string) => void = (l) => stderr.write(l + "\n")): Logger {
  const prefix = `[${namespace}]`;
  return {
    info: (message) => write(`${prefix} ${message}`),
    warn: (message) => write(`${prefix} warning: ${message}`),
    async step(what, fn) {
      const started = performance.now();
      write(`${prefix} ${what}…`);
      try {
        const result = await fn();
        write(`${prefix} ${what}: done (${seconds(started)})`);
        return result;
      } catch (err) {
        write(`${prefix} ${what}: failed after ${seconds(started)}`);
        throw err;
      }
    },
    child: (name) => logger(`${namespace}/${name}`, write),
  };
}

export function seconds(startedAt: number): string {
  return `${((performance.now() - startedAt) / 1000).toFixed(1)} s`;
}
