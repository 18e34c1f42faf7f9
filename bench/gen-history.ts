// Writes one generated history (harness/history/generate.ts) to stdout, in the corpus's formats, so it can be
// checked by `pgo-harness lin check` or by Porcupine:
//
//   npx node bench/gen-history.ts --model register|kv --clients N --ops N [--keys K] [--seed S]
//       [--anomaly stale-read|lost-write|duplicated-append] [--overlap X] [--indeterminate P] [--spaces] > h.log
//
// The verdict it was built with (and, for an anomaly, where it is) goes to stderr.
import { generateHistory } from "../harness/history/generate.ts";
import type { Anomaly, GenerateOptions } from "../harness/history/generate.ts";

const usage = "usage: bench/gen-history.ts --model register|kv --clients N --ops N [--keys K] [--seed S] [--anomaly stale-read|lost-write|duplicated-append] [--overlap X] [--indeterminate P] [--spaces]";
const args = process.argv.slice(2);
const named = new Map<string, string>();
let spaces = false;
for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  if (a === "--spaces") spaces = true;
  else if (a.startsWith("--") && args[i + 1] !== undefined) named.set(a.slice(2), args[++i]!);
  else {
    process.stderr.write(`gen-history: unexpected "${a}"\n${usage}\n`);
    process.exit(2);
  }
}
const num = (name: string, fallback?: number): number => {
  const v = named.get(name);
  const n = v === undefined ? fallback : Number(v);
  if (n === undefined || !Number.isFinite(n)) {
    process.stderr.write(`gen-history: --${name} needs a number\n${usage}\n`);
    process.exit(2);
  }
  return n;
};
const model = named.get("model");
const anomaly = named.get("anomaly");
if ((model !== "register" && model !== "kv") || (anomaly !== undefined && !["stale-read", "lost-write", "duplicated-append"].includes(anomaly))) {
  process.stderr.write(`${usage}\n`);
  process.exit(2);
}
const options: GenerateOptions = {
  model,
  clients: num("clients"),
  ops: num("ops"),
  keys: num("keys", 10),
  seed: num("seed", 1),
  overlap: num("overlap", 1),
  indeterminate: num("indeterminate", 0),
  spaces,
  ...(anomaly !== undefined ? { anomaly: anomaly as Anomaly } : {}),
};
const g = generateHistory(options);
process.stdout.write(g.text);
const where = g.anomaly !== undefined ? ` (${g.anomaly.kind}: process ${g.anomaly.process}, write at line ${g.anomaly.writeLine}, read at line ${g.anomaly.readLine})` : "";
process.stderr.write(`${g.ops} operations, ${g.format} format, linearizable: ${g.linearizable}${where}\n`);
