// The harness's overhead, measured side by side (not a test): `npx node bench/raw-floor.ts [--runs 5]`.
// A warm dqueue run (images built, nothing to compile) three ways, interleaved so that the machine's load hits
// each alike, reporting the median wall time of each:
//   raw     the same Docker steps by hand: compose up -d, wait for setup-complete, run the template's commands
//           (the driver, then finally_tracelink, which validates the traces in the container, as the harness and
//           Antithesis run it), stop, copy the traces out, down -v, all of it timed (no checks: the floor is what
//           any run must spend on the engine); the floor without finally_tracelink is printed too (earlier benches used it);
//   cli     `npx pgo-harness run dqueue` (and the same command without npx's own start-up, node directly);
//   vitest  `npx vitest run suites/dqueue/dqueue.test.ts`.
// zx fits here: this is a shell script that wants TypeScript's loops and timing around it.
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { argv } from "node:process";
import { $, sleep } from "zx";
import { readComposeFile, renderOverride } from "../harness/compose/compose-file.ts";
import { projectRoot } from "../harness/paths.ts";
import { resolveContext } from "../harness/run/context.ts";
import { prepareSystem } from "../harness/run/prepare.ts";
import dqueue from "../systems/dqueue/system.ts";

const runs = Number(argv[argv.indexOf("--runs") + 1] ?? 5) || 5;
// Every run writes the runs index, whose cost grows with the runs already in the folder: the bench's runs go to a
// folder of their own, so that its figures do not depend on how many runs an earlier session left in runs/.
const runsDir = await mkdtemp(join(tmpdir(), "raw-floor-runs-"));
process.env["PGO_HARNESS_RUNS_DIR"] = runsDir;
const ctx = resolveContext(dqueue, process.env);
const prepared = await prepareSystem(ctx); // not timed: every variant below starts warm
const work = await mkdtemp(join(tmpdir(), "raw-floor-"));
const model = await readComposeFile(dqueue.compose);
const images = Object.fromEntries(prepared.images.filter((i) => !i.spec.config).map((i) => [i.spec.ref, i.tag]));
const driver = "/opt/antithesis/test/v1/dqueue/singleton_driver_TestProducerConsumer";
const finallyCommand = "/opt/antithesis/test/v1/dqueue/finally_tracelink";

/** CPU seconds of this process's waited-for descendants (Linux: cutime + cstime), for the CPU column. */
async function childCpu(): Promise<number> {
  try {
    const fields = (await readFile("/proc/self/stat", "utf8")).replace(/^.*\) /s, "").split(" ");
    return (Number(fields[13]) + Number(fields[14])) / 100; // USER_HZ: 100 on Linux
  } catch {
    return NaN;
  }
}

/** The raw run's steps, in order; their medians are printed under the floor. */
const STEPS = ["up", "setup-complete", "driver", "finally_tracelink", "stop", "copy traces", "down -v"] as const;
const stepTimes: Record<(typeof STEPS)[number], number[]> = Object.fromEntries(STEPS.map((s) => [s, []])) as never;
let lastFinallyMs = 0;
async function raw(): Promise<number> {
  const id = randomBytes(3).toString("hex");
  const project = `pgoh-rawfloor-${id}`;
  const override = join(work, `override-${id}.yaml`);
  await writeFile(override, renderOverride({ model, images, runId: id, system: "dqueue" }));
  const dc = $({ cwd: dirname(dqueue.compose), quiet: true });
  const files = ["-p", project, "-f", basename(dqueue.compose), "-f", override];
  const started = performance.now();
  let last = started;
  const step = (name: (typeof STEPS)[number]) => {
    const now = performance.now();
    stepTimes[name].push(now - last);
    last = now;
  };
  let downed = false;
  try {
    await dc`docker compose ${files} up -d --pull never`;
    step("up");
    for (;;) {
      const sdk = await dc`docker compose ${files} exec -T dqueue sh -c ${"cat /tmp/antithesis/*.jsonl 2>/dev/null"}`.nothrow();
      if (sdk.stdout.includes('"antithesis_setup"')) break;
      await sleep(100);
    }
    step("setup-complete");
    await dc`docker compose ${files} exec -T dqueue ${driver}`;
    step("driver");
    const f = performance.now();
    await dc`docker compose ${files} exec -T dqueue ${finallyCommand}`;
    lastFinallyMs = performance.now() - f;
    step("finally_tracelink");
    await dc`docker compose ${files} stop -t 10`;
    step("stop");
    await dc`docker compose ${files} cp dqueue:/traces/. ${join(work, id)}`;
    step("copy traces");
    // Inside the timed part: every harness run ends with down -v too (until 2026-11-30 the floor's clock
    // stopped before it, in a finally block, which made the floor about a quarter too low).
    await dc`docker compose ${files} down -v -t 10`;
    downed = true;
    step("down -v");
    return performance.now() - started;
  } finally {
    if (!downed) await dc`docker compose ${files} down -v -t 10`.nothrow();
  }
}

async function timed(cmd: string[]): Promise<number> {
  const started = performance.now();
  await $({ cwd: projectRoot, quiet: true, env: process.env })`${cmd}`;
  return performance.now() - started;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const RAW = "raw";
const RAW_NO_FINALLY = "raw without finally_tracelink";
const results: Record<string, number[]> = { [RAW]: [], [RAW_NO_FINALLY]: [], "npx pgo-harness run dqueue": [], "node pgo-harness run dqueue (no npx)": [], "npx vitest run suites/dqueue/dqueue.test.ts": [] };
const cpu: Record<string, number[]> = Object.fromEntries(Object.keys(results).map((k) => [k, []]));
const node = join(projectRoot, "node_modules/.bin/node");
const commands: Record<string, string[]> = {
  "npx pgo-harness run dqueue": ["npx", "pgo-harness", "run", "dqueue"],
  "node pgo-harness run dqueue (no npx)": [node, "harness/cli/pgo-harness.mjs", "run", "dqueue"],
  "npx vitest run suites/dqueue/dqueue.test.ts": ["npx", "vitest", "run", "suites/dqueue/dqueue.test.ts"],
};
const loadAtStart = (await import("node:os")).loadavg()[0]!;
for (let i = 0; i < runs; i++) {
  let c = await childCpu();
  const r = await raw();
  results[RAW]!.push(r);
  results[RAW_NO_FINALLY]!.push(r - lastFinallyMs);
  cpu[RAW]!.push((await childCpu()) - c);
  for (const [k, cmd] of Object.entries(commands)) {
    c = await childCpu();
    results[k]!.push(await timed(cmd));
    cpu[k]!.push((await childCpu()) - c);
  }
  process.stderr.write(`round ${i + 1}/${runs}: ${Object.entries(results).map(([k, v]) => `${k.startsWith("raw") ? k.replace("finally_tracelink", "finally") : k.split(" ").slice(0, 2).join(" ")} ${(v.at(-1)! / 1000).toFixed(2)} s`).join(", ")}\n`);
}
await rm(work, { recursive: true, force: true });
await rm(runsDir, { recursive: true, force: true });
const load = `load average ${loadAtStart.toFixed(1)} at the start, ${(await import("node:os")).loadavg()[0]!.toFixed(1)} at the end`;
console.log(`warm dqueue run, median of ${runs} (interleaved; ${load}); CPU: the harness side (its processes and the docker CLIs), not the engine's:`);
const floor = median(results[RAW]!);
const oldFloor = median(results[RAW_NO_FINALLY]!);
for (const [k, v] of Object.entries(results)) {
  const m = median(v);
  const ratio = k === RAW ? "  (the floor)" : k === RAW_NO_FINALLY ? "" : `  ${(m / floor).toFixed(2)}× the floor (${(m / oldFloor).toFixed(2)}× the floor without finally_tracelink)`;
  const c = k === RAW_NO_FINALLY ? "" : `  cpu ${median(cpu[k]!).toFixed(2)} s`;
  console.log(`  ${k.padEnd(48)} ${(m / 1000).toFixed(2)} s${c}${ratio}`);
  if (k === RAW) console.log(`    steps (medians): ${STEPS.map((s) => `${s} ${(median(stepTimes[s]) / 1000).toFixed(2)} s`).join(", ")}`);
}
