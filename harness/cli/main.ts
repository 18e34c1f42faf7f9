#!/usr/bin/env node
// pgo-harness: one command per intent. Each subcommand lives beside the code it drives.
import { argv, exit, stderr, stdout } from "node:process";

type Command = { summary: string; run: (args: string[]) => Promise<number> };

// Loaded lazily so that a command's dependencies cost nothing to the others.
const commands: Record<string, () => Promise<Command>> = {
  trace: async () => (await import("./trace.ts")).command,
  lin: async () => (await import("./lin.ts")).command,
};

function usage(): string {
  return [
    "usage: pgo-harness <command> [args]",
    "",
    "commands:",
    "  trace check <dir>     check a run's TraceLink traces (parse, clocks, .pc, oldValue, causal replay, mailboxes, time)",
    "  trace shiviz <dir>    write the run's traces as a ShiViz log to stdout",
    "  trace validate --spec <spec.tla> [--cfg <file.cfg>] <dir>",
    "                        a behaviour of the MPCal design (exit 0), not (1, with the explanation), unknown (3)",
    "  lin check --model etcd|kv [--timeout s] [--html dir] <history-file>",
    "                        linearizable (exit 0), not linearizable (1, with the explanation) or unknown (3)",
    "  lin check --model raftkvs <traces-dir>   the same, on the client history of a raftkvs run",
    "  lin queue <traces-dir>                   dqueue: every produced item consumed exactly once, in order",
  ].join("\n");
}

async function main(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === "-h" || name === "--help" || name === "help") {
    stdout.write(usage() + "\n");
    return name === undefined ? 2 : 0;
  }
  const load = commands[name];
  if (load === undefined) {
    stderr.write(`pgo-harness: unknown command "${name}"\n${usage()}\n`);
    return 2;
  }
  return (await load()).run(rest);
}

main(argv.slice(2)).then(
  (code) => exit(code),
  (err: unknown) => {
    // An internal fault: keep the stack, it is a bug report.
    stderr.write(`pgo-harness: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    exit(2);
  },
);
