// The Vitest adapter: one describe block per suite file, whose tests follow the run pipeline's events
// (harness/run/pipeline.ts). The pipeline starts in beforeAll; each test waits for its stage's outcome and passes,
// fails or is skipped with it; afterAll waits for the pipeline's end (down -v included). Interrupts (Ctrl-C,
// SIGTERM, a killed worker) are covered by the reaper, which removes the compose project once this process goes.
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, onTestFailed, test } from "vitest";
import type { CheckResult } from "../check/checker.ts";
import { projectRoot } from "../paths.ts";
import type { CatalogEntry } from "../properties/catalog.ts";
import { matchCatalog, OUTSIDE_CATALOG, type PropertyTestOutcome } from "../properties/evaluate.ts";
import { describeProperty, propertyTestName } from "../properties/report.ts";
import { assertPropertyOutcome, systemCatalog } from "../properties/run.ts";
import { resolveContext, type RunContext } from "../run/context.ts";
import { runPipeline, type PipelineEvent, type PipelineResult, type Stage, type StageOutcome } from "../run/pipeline.ts";
import { rerunCommand } from "../run/rerun.ts";
import { isCustom, variant, variantName, type Variant, type VariantOptions } from "../run/variant.ts";
import type { SystemDefinition } from "../system.ts";
import { composerTimelines, type Timeline } from "../workload/composer.ts";
import { describeSubmission } from "./describe-submission.ts";
import { PROVIDED_KEY, SETUP_FAILED_KEY } from "./provided.ts";

export type { VariantOptions as RunOptions } from "../run/variant.ts";

/** What a test waits for: a stage's outcome, a fault's check, or a checker's results. */
type Settled =
  | { readonly kind: "stage"; readonly outcome: StageOutcome }
  | { readonly kind: "results"; readonly results: readonly CheckResult[] }
  | { readonly kind: "properties"; readonly outcome: PropertyTestOutcome }
  | { readonly kind: "failed"; readonly error: Error }
  | { readonly kind: "skipped"; readonly reason: string };

class Waiters {
  private readonly waiting = new Map<string, { promise: Promise<Settled>; resolve: (s: Settled) => void; settled: boolean }>();
  /** Prefixes settled wholesale: a key asked for later gets the same answer at once. */
  private readonly closed: [string, Settled][] = [];

  private entry(key: string) {
    let e = this.waiting.get(key);
    if (e === undefined) {
      let resolve!: (s: Settled) => void;
      const promise = new Promise<Settled>((r) => (resolve = r));
      e = { promise, resolve, settled: false };
      this.waiting.set(key, e);
      const closed = this.closed.find(([prefix]) => key.startsWith(prefix));
      if (closed !== undefined) {
        e.settled = true;
        resolve(closed[1]);
      }
    }
    return e;
  }

  wait(key: string): Promise<Settled> {
    return this.entry(key).promise;
  }

  settle(key: string, value: Settled): void {
    const e = this.entry(key);
    if (e.settled) return;
    e.settled = true;
    e.resolve(value);
  }

  /** Settles everything not settled yet whose key starts with prefix. */
  settleRest(prefix: string, value: Settled): void {
    for (const key of this.waiting.keys()) if (key.startsWith(prefix)) this.settle(key, value);
    this.closed.push([prefix, value]);
  }
}

/** A describe block whose one test fails with `message` (no stack: the message is the whole story). */
function failWith(title: string, name: string, message: string): void {
  describe(title, () => {
    test(name, () => {
      const err = new Error(message);
      err.stack = `Error: ${message}`;
      throw err;
    });
  });
}

/**
 * `export default describeSystem(system, {...})` in a suite file: registers the run's tests under Vitest, and
 * returns the variant, so that `pgo-harness run --variant <file>` can run the same thing outside Vitest.
 */
export function describeSystem(definition: SystemDefinition, opts: VariantOptions = {}): Variant {
  const v = variant(definition, opts);
  // Imported by `pgo-harness run --variant`: only the declaration is wanted. (Vitest's worker global, not the
  // VITEST variable, which a child process started from a test inherits.)
  if (!("__vitest_worker__" in globalThis)) return v;
  const title = opts.title ?? definition.name;
  // The global setup failed (no Docker, no Go, a bad setting): one failing test says why, so JUnit shows it.
  const setupFailed = inject(SETUP_FAILED_KEY);
  if (setupFailed !== undefined) {
    failWith(title, `setup: ${definition.name}`, setupFailed.message);
    return v;
  }
  let ctx: RunContext;
  try {
    ctx = resolveContext(definition, { ...process.env, ...opts.env });
  } catch (err) {
    failWith(title, `setup: ${definition.name}`, err instanceof Error ? err.message : String(err));
    return v;
  }
  const { system, settings } = ctx;
  if (settings.antithesis) {
    describeSubmission(system, isCustom(v) ? (opts.title ?? `${system.name} (variant)`) : undefined);
    return v;
  }
  const skipReason = opts.skipWhen?.(system, settings);
  if (skipReason !== undefined) {
    describe(opts.title ?? system.name, () => {
      test("not run", ({ skip }) => skip(skipReason));
    });
    return v;
  }

  let timelines: Timeline[];
  try {
    timelines = composerTimelines(settings.env, title);
  } catch (err) {
    failWith(title, `setup: ${definition.name}`, err instanceof Error ? err.message : String(err));
    return v;
  }
  // The test composer's timelines (COMPOSER_TIMELINES): each runs the pipeline on a fresh compose project.
  for (const timeline of timelines) describeTimeline(ctx, v, opts, timeline);
  return v;
}

/**
 * Follows one run through the pipeline's events: settles what each test waits for, and remembers where the
 * run's directory and its checks' details are, for the annotations every test carries into JUnit.
 */
class RunFollower {
  readonly waiters = new Waiters();
  readonly abort = new AbortController();
  private runDir: string | undefined;
  private readonly checkDirs = new Map<string, string>();

  readonly onEvent = (e: PipelineEvent): void => {
    const { waiters } = this;
    if (e.type === "run") this.runDir = e.run.dir;
    else if (e.type === "check") this.checkDirs.set(e.checker.name, e.artifactsDir);
    if (e.type === "stage") {
      waiters.settle(`stage:${e.stage}`, { kind: "stage", outcome: e.outcome });
      const reason = e.outcome.status === "skipped" ? e.outcome.reason : e.outcome.status === "failed" ? `${e.stage} failed` : "did not report";
      if (e.stage === "fault-checks" && e.outcome.status !== "passed") waiters.settleRest("fault:", { kind: "skipped", reason });
      if (e.stage === "checks" && e.outcome.status !== "passed") waiters.settleRest("check:", { kind: "skipped", reason });
      if (e.stage === "properties" && e.outcome.status === "failed") waiters.settleRest("property:", { kind: "failed", error: e.outcome.error });
      if (e.stage === "properties" && e.outcome.status === "skipped") waiters.settleRest("property:", { kind: "skipped", reason });
    } else if (e.type === "fault") {
      waiters.settle(`fault:${e.fault.name}`, e.result !== undefined ? { kind: "results", results: [e.result] } : { kind: "skipped", reason: e.skipped ?? "not checked" });
    } else if (e.type === "properties") {
      for (const t of e.result.tests) waiters.settle(`property:${t.name}`, { kind: "properties", outcome: t });
      waiters.settleRest("property:", { kind: "skipped", reason: "the run reported nothing for it" });
    } else if (e.type === "check") {
      waiters.settle(`check:${e.checker.name}`, { kind: "results", results: e.results });
    }
  };

  /** Waits for a stage; throws its error when it failed, returns the skip reason when it was skipped. */
  async stageOutcome(stage: Stage, signal: AbortSignal): Promise<string | undefined> {
    signal.addEventListener("abort", () => this.abort.abort(signal.reason), { once: true });
    const s = await this.waiters.wait(`stage:${stage}`);
    if (s.kind !== "stage") return s.kind === "skipped" ? s.reason : undefined;
    if (s.outcome.status === "failed") throw s.outcome.error;
    return s.outcome.status === "skipped" ? s.outcome.reason : undefined;
  }

  /** Where the run's logs are (for a failing stage's annotation), once the run has a directory. */
  logs(...more: string[]): string | undefined {
    return this.runDir === undefined ? undefined : `logs: ${[join(this.runDir, "logs"), ...more.map((m) => join(this.runDir!, m))].join(" and ")}`;
  }

  checkDetails(checker: string): string | undefined {
    const dir = this.checkDirs.get(checker);
    return dir === undefined ? undefined : `details: ${join(dir, "results.json")}`;
  }

  /** The run's directory and page (and `extra`), as the test's annotations. */
  async annotateRun(annotate: (message: string, attachment?: { path: string }) => Promise<unknown>, extra?: string): Promise<void> {
    if (this.runDir === undefined) return;
    await annotate(`run: ${this.runDir} (page: ${join(this.runDir, "index.html")})`);
    if (extra !== undefined) await annotate(extra);
  }
}

/** One describe block for one timeline: the pipeline starts in beforeAll, each test follows one of its parts. */
function describeTimeline(ctx: RunContext, v: Variant, opts: VariantOptions, timeline: Timeline): void {
  const { system, log } = ctx;
  const follow = new RunFollower();
  let pipeline: Promise<PipelineResult> | undefined;

  describe(timeline.title, () => {
    beforeAll(({}, suite) => {
      const file = suite.file !== undefined ? relative(projectRoot, suite.file.filepath) : undefined;
      pipeline = runPipeline(ctx, {
        variant: v,
        timeline,
        ...(variantName(v, file) !== undefined ? { variantName: variantName(v, file)! } : {}),
        rerun: rerunCommand(system, process.env, opts.env, ["npx", "vitest", "run", ...(file !== undefined ? [file] : ["--project", system.name])]),
        prepared: inject(PROVIDED_KEY),
        signal: follow.abort.signal,
        onEvent: follow.onEvent,
      }).finally(() => {
        follow.waiters.settleRest("", { kind: "skipped", reason: "the run ended before this" });
      });
    });

    test("up: the compose project starts and signals setup-complete", async ({ signal, skip, annotate }) => {
      onTestFailed(() => follow.annotateRun(annotate, follow.logs()));
      for (const stage of ["up", "setup-complete", "ready"] as const) {
        const skipped = await follow.stageOutcome(stage, signal);
        if (skipped !== undefined && stage !== "ready") return skip(skipped);
      }
    });

    test("workload: the template's commands pass as the test composer schedules them (first_ → drivers ∥ anytime_ → eventually_ → finally_), and no container dies unplanned", async ({ signal, skip, annotate }) => {
      onTestFailed(() => follow.annotateRun(annotate, follow.logs("commands")));
      const skipped = await follow.stageOutcome("workload", signal);
      if (skipped !== undefined) return skip(skipped);
      await follow.stageOutcome("exits", signal);
    });

    for (const fault of opts.faults ?? []) {
      if (fault.check === undefined) continue;
      test(`fault: ${fault.name}`, async ({ skip }) => {
        const s = await follow.waiters.wait(`fault:${fault.name}`);
        if (s.kind !== "results") return skip(s.kind === "skipped" ? s.reason : "not checked");
        const result = s.results[0]!;
        expect(result.valid, `${result.name}: ${result.summary}`).toBe(true);
      });
    }

    test("collect: traces are copied out of the traces volume", async ({ signal, skip }) => {
      const skipped = await follow.stageOutcome("collect", signal);
      if (skipped !== undefined) skip(skipped);
    });

    describeProperties(system, follow);
    describeChecks(ctx, follow);

    afterAll(async () => {
      const result = await pipeline;
      if (result?.stages.down?.status === "failed") throw result.stages.down.error;
      log.info(`run log: ${result?.run?.dir ?? "(none)"}/run.log`);
    });
  });
}

/** One test per property the system asserts through the Antithesis SDK (harness/properties), named from the source catalog before the run. */
function describeProperties(system: SystemDefinition, follow: RunFollower): void {
  let catalog: CatalogEntry[] | undefined;
  let catalogError: string | undefined;
  try {
    catalog = systemCatalog(system);
  } catch (err) {
    catalogError = err instanceof Error ? err.message : String(err);
  }
  if (catalog === undefined) {
    test("properties: the source catalog", () => {
      throw new Error(`the assertions of ${system.name} could not be cataloged from its sources: ${catalogError}`);
    });
  }
  for (const name of catalog === undefined ? [] : [...new Set(matchCatalog(catalog, []).map((t) => t.name))]) {
    test(name === OUTSIDE_CATALOG ? `properties: ${OUTSIDE_CATALOG}` : propertyTestName(name), async ({ skip, annotate }) => {
      const s = await follow.waiters.wait(`property:${name}`);
      if (s.kind === "failed") throw s.error;
      if (s.kind !== "properties") return skip(s.kind === "skipped" ? s.reason : "not evaluated");
      if (name === OUTSIDE_CATALOG && s.outcome.properties.length === 0) return skip("every assertion of the run is in the source catalog");
      await follow.annotateRun(annotate);
      await annotate(s.outcome.properties.map(describeProperty).join("\n"));
      assertPropertyOutcome(name, s.outcome.status, s.outcome.properties, skip);
    });
  }
}

/** One test per checker of the system (a checker may report several results: each must hold, or be skipped). */
function describeChecks(ctx: RunContext, follow: RunFollower): void {
  for (const checker of ctx.system.checks(ctx.settings, ctx.system)) {
    test(`check: ${checker.name}`, async ({ skip, annotate }) => {
      const s = await follow.waiters.wait(`check:${checker.name}`);
      await follow.annotateRun(annotate, follow.checkDetails(checker.name));
      if (s.kind !== "results") return skip(s.kind === "skipped" ? s.reason : "not run");
      for (const r of s.results) for (const a of r.artifacts ?? []) await annotate(`${r.name}: ${a}`, { path: a });
      const ran = s.results.filter((r) => r.skipped === undefined);
      if (ran.length === 0 && s.results.length > 0) return skip(s.results.map((r) => r.skipped).join("; "));
      const bad = ran.filter((r) => r.valid !== true).map((r) => `${r.name}: ${r.valid === false ? "violated" : "unknown"} — ${r.summary}`);
      expect(bad, "check results").toEqual([]);
    });
  }
}
