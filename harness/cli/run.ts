// `pgo-harness run <system> [--variant <suite file>] [--keep] [-e K=V]…`: one run of a system through the same
// pipeline as the Vitest suites (harness/run/pipeline.ts), outside Vitest. Prints the same stage lines and the
// verdict; exit 0 when the verdict is PASS, 1 otherwise (FAIL, UNKNOWN, or a stage that failed), 2 for bad usage.
// Ctrl-C or SIGTERM aborts the run, which still ends with down -v.
import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { isAbsolute, join, relative, resolve } from "node:path";
import { stderr, stdout } from "node:process";
import { pathToFileURL } from "node:url";
import { projectRoot } from "../paths.ts";
import { watchParent } from "../run/parent-watch.ts";
import { resolveContext } from "../run/context.ts";
import { runPipeline, type PipelineEvent } from "../run/pipeline.ts";
import { rerunCommand } from "../run/rerun.ts";
import { composerTimelines, type Timeline } from "../workload/composer.ts";
import { isVariant, variant, variantName, type Variant } from "../run/variant.ts";
import type { SystemDefinition } from "../system.ts";

const USAGE = "usage: pgo-harness run <system> [--variant <suite file>] [--keep] [-e NAME=VALUE]…\n";

class UsageError extends Error {}

interface Args {
  readonly system: string;
  readonly variantFile: string | undefined;
  readonly keep: boolean;
  readonly env: Record<string, string>;
}

export function parseArgs(args: readonly string[]): Args {
  let system: string | undefined;
  let variantFile: string | undefined;
  let keep = false;
  const env: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--keep") keep = true;
    else if (a === "--variant") {
      variantFile = args[++i];
      if (variantFile === undefined) throw new UsageError("--variant needs a suite file");
    } else if (a === "-e" || a === "--env") {
      const kv = args[++i];
      const m = kv === undefined ? null : /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(kv);
      if (m === null) throw new UsageError(`${a} needs NAME=VALUE, got ${kv === undefined ? "nothing" : `"${kv}"`}`);
      env[m[1]!] = m[2]!;
    } else if (a.startsWith("-")) throw new UsageError(`unknown option ${a}`);
    else if (system === undefined) system = a;
    else throw new UsageError(`unexpected argument "${a}"`);
  }
  if (system === undefined) throw new UsageError("which system? (a folder of systems/)");
  return { system, variantFile, keep, env };
}

async function loadSystem(name: string): Promise<SystemDefinition> {
  const file = join(projectRoot, "systems", name, "system.ts");
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(name) || !existsSync(file)) {
    const known = (await readdir(join(projectRoot, "systems"), { withFileTypes: true }))
      .filter((d) => d.isDirectory() && existsSync(join(projectRoot, "systems", d.name, "system.ts")))
      .map((d) => d.name);
    throw new UsageError(`no system "${name}" (systems/${name}/system.ts); known: ${known.join(", ")}`);
  }
  return ((await import(pathToFileURL(file).href)) as { default: SystemDefinition }).default;
}

async function loadVariant(file: string, system: SystemDefinition): Promise<Variant> {
  const path = isAbsolute(file) ? file : resolve(file);
  if (!existsSync(path)) throw new UsageError(`--variant: no file ${file}`);
  const declared = ((await import(pathToFileURL(path).href)) as { default?: unknown }).default;
  if (!isVariant(declared)) throw new UsageError(`--variant: ${file} does not \`export default describeSystem(…)\``);
  if (declared.system.name !== system.name) throw new UsageError(`--variant: ${file} is a variant of ${declared.system.name}, not of ${system.name}`);
  return declared;
}

function stageLine(e: PipelineEvent): string | undefined {
  if (e.type !== "stage") return undefined;
  const o = e.outcome;
  if (o.status === "passed") return `  ok    ${e.stage} (${o.seconds.toFixed(1)} s)`;
  if (o.status === "skipped") return `  skip  ${e.stage}: ${o.reason}`;
  return `  FAIL  ${e.stage}: ${o.error.message.split("\n")[0]}`;
}

export const command = {
  summary: "run a system (or one of its suite files' variants) through the pipeline, outside Vitest",
  async run(args: string[]): Promise<number> {
    let parsed: Args;
    let system: SystemDefinition;
    let v: Variant;
    try {
      parsed = parseArgs(args);
      system = await loadSystem(parsed.system);
      v = parsed.variantFile !== undefined ? await loadVariant(parsed.variantFile, system) : variant(system);
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      stderr.write(`pgo-harness run: ${err.message}\n${USAGE}`);
      return 2;
    }
    // Host < the variant's own env < -e (what the user asked for on this command line).
    const env = { ...process.env, ...v.options.env, ...parsed.env, ...(parsed.keep ? { KEEP: "1" } : {}) };
    let ctx;
    let timelines: Timeline[];
    try {
      ctx = resolveContext(v.system, env);
      timelines = composerTimelines(ctx.settings.env, v.options.title ?? system.name);
    } catch (err) {
      stderr.write(`pgo-harness run: ${err instanceof Error ? err.message : String(err)}\n`);
      return 1;
    }
    const skip = v.options.skipWhen?.(ctx.system, ctx.settings);
    if (skip !== undefined) {
      stdout.write(`${v.options.title ?? system.name}: not run: ${skip}\n`);
      return 0;
    }
    const file = parsed.variantFile !== undefined ? relative(projectRoot, resolve(parsed.variantFile)) : undefined;
    const argv = ["npx", "pgo-harness", "run", system.name, ...(file !== undefined ? ["--variant", file] : []), ...(parsed.keep ? ["--keep"] : []), ...Object.entries(parsed.env).flatMap(([k, val]) => ["-e", `${k}=${val}`])];
    const abort = new AbortController();
    let signals = 0;
    const onSignal = (sig: NodeJS.Signals) => {
      signals++;
      if (signals > 1) process.exit(sig === "SIGINT" ? 130 : 143); // the reaper removes what is left
      stderr.write(`pgo-harness run: ${sig}: stopping, then down -v (again to leave at once)\n`);
      abort.abort(new Error(`interrupted by ${sig}`));
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    // An npx wrapper killed with SIGTERM exits without passing it on: then this process stops the run itself.
    watchParent();
    try {
      // The test composer's timelines (COMPOSER_TIMELINES, default 1), one after another, each on a fresh project.
      let passed = true;
      for (const timeline of timelines) {
        if (abort.signal.aborted) break;
        const result = await runPipeline(ctx, {
          variant: v,
          timeline,
          ...(variantName(v, file) !== undefined ? { variantName: variantName(v, file)! } : {}),
          rerun: rerunCommand(system, process.env, v.options.env, argv),
          signal: abort.signal,
          onEvent: (e) => {
            const line = stageLine(e);
            if (line !== undefined) stderr.write(line + "\n");
          },
        });
        if (result.error !== undefined) stderr.write(`\n${result.error.message}\n`);
        const bad = result.checks.filter((r) => r.skipped === undefined && r.valid !== true);
        for (const r of bad) stderr.write(`${r.valid === false ? "violated" : "unknown"}: ${r.name}: ${r.summary}\n`);
        stdout.write(`${timeline.title}: ${result.verdict === true ? "PASS" : result.verdict === false ? "FAIL" : "UNKNOWN"} (${result.run?.dir ?? "no run directory"})\n`);
        passed &&= result.verdict === true;
      }
      if (abort.signal.aborted) return 130;
      return passed ? 0 : 1;
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  },
};
