// The harness's overhead, measured side by side (not a test): `npx node bench/raw-floor.ts [--runs 5]`.
// A warm dqueue run (images built, nothing to compile) three ways, interleaved so that the machine's load hits
// each alike, reporting the median wall time of each:
//   raw     the same Docker steps by hand: compose up -d, wait for setup-complete, run the driver, stop, copy the
//           traces out, down -v (no checks: the floor is what any run must spend on the engine);
//   cli     `npx pgo-harness run dqueue` (and the same command without npx's own start-up, node directly);
//   vitest  `npx vitest run suites/dqueue/dqueue.test.ts`.
// zx fits here: this is a shell script that wants TypeScript's loops and timing around it.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
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
const ctx = resolveContext(dqueue, process.env);
const prepared = await prepareSystem(ctx); // not timed: every variant below starts warm
const work = await mkdtemp(join(tmpdir(), "raw-floor-"));
const model = await readComposeFile(dqueue.compose);
const images = Object.fromEntries(prepared.images.filter((i) => !i.spec.config).map((i) => [i.spec.ref, i.tag]));
const driver = "/opt/antithesis/test/v1/dqueue/singleton_driver_TestProducerConsumer";

async function raw(): Promise<number> {
  const id = randomBytes(3).toString("hex");
  const project = `pgoh-rawfloor-${id}`;
  const override = join(work, `override-${id}.yaml`);
  await writeFile(override, renderOverride({ model, images, runId: id, system: "dqueue" }));
  const dc = $({ cwd: dirname(dqueue.compose), quiet: true });
  const files = ["-p", project, "-f", basename(dqueue.compose), "-f", override];
  const started = performance.now();
  try {
    await dc`docker compose ${files} up -d --pull never`;
    for (;;) {
      const sdk = await dc`docker compose ${files} exec -T dqueue sh -c ${"cat /tmp/antithesis/*.jsonl 2>/dev/null"}`.nothrow();
      if (sdk.stdout.includes('"antithesis_setup"')) break;
      await sleep(100);
    }
    await dc`docker compose ${files} exec -T dqueue ${driver}`;
    await dc`docker compose ${files} stop -t 10`;
    await dc`docker compose ${files} cp dqueue:/traces/. ${join(work, id)}`;
    return performance.now() - started;
  } finally {
    await dc`docker compose ${files} down -v -t 10`.nothrow();
  }
}

async function timed(cmd: string[]): Promise<number> {
  const started = performance.now();
  await $({ cwd: projectRoot, quiet: true })`${cmd}`;
  return performance.now() - started;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const results: Record<string, number[]> = { raw: [], "npx pgo-harness run dqueue": [], "node pgo-harness run dqueue (no npx)": [], "npx vitest run suites/dqueue/dqueue.test.ts": [] };
const node = join(projectRoot, "node_modules/.bin/node");
for (let i = 0; i < runs; i++) {
  results["raw"]!.push(await raw());
  results["npx pgo-harness run dqueue"]!.push(await timed(["npx", "pgo-harness", "run", "dqueue"]));
  results["node pgo-harness run dqueue (no npx)"]!.push(await timed([node, "harness/cli/pgo-harness.mjs", "run", "dqueue"]));
  results["npx vitest run suites/dqueue/dqueue.test.ts"]!.push(await timed(["npx", "vitest", "run", "suites/dqueue/dqueue.test.ts"]));
  process.stderr.write(`round ${i + 1}/${runs}: ${Object.entries(results).map(([k, v]) => `${k.split(" ")[0] === "raw" ? "raw" : k} ${(v.at(-1)! / 1000).toFixed(2)} s`).join(", ")}\n`);
}
await rm(work, { recursive: true, force: true });
const floor = median(results["raw"]!);
console.log(`warm dqueue run, median of ${runs} (interleaved; load average at the end ${(await import("node:os")).loadavg()[0]!.toFixed(1)}):`);
for (const [k, v] of Object.entries(results)) {
  console.log(`  ${k.padEnd(48)} ${(median(v) / 1000).toFixed(2)} s${k === "raw" ? "  (the floor)" : `  ${(median(v) / floor).toFixed(2)}× the floor`}`);
}
