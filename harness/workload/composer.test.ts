// The composer's decisions and their execution, over many seeds, with a stand-in executor (each command just
// takes a little time): cheap enough to prove every rule on 24+ seeds. The templates are the synthetic ones of
// fixtures/synthetic, listed from the repository as the containers would list them. composer.docker.test.ts
// runs the same templates for real.
import { accessSync, constants, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { testDir } from "../testing/temp.ts";
import { logger } from "../log.ts";
import { Composer, composerTimelines, defaultComposerConfig, loadComposerSettings, timelineSeed, type ComposerConfig } from "./composer.ts";
import { type ObservedRun, phaseViolations, ruleViolations } from "./fixtures/synthetic/rules.ts";
import { compose, runWorkload, WorkloadError, type Executor, type PhaseEvent, type Schedule } from "./run.ts";
import type { StartedCluster } from "../compose/cluster.ts";
import type { Fault } from "../faults/fault.ts";
import { mergeListings, parseTemplateListing, TEMPLATE_ROOT, type TemplateCommand } from "./template.ts";

const assets = fileURLToPath(new URL("./fixtures/synthetic/assets/", import.meta.url));

/** The listing LIST_SCRIPT would print for a template directory of the fixture, in `service`. */
function listing(template: string): string {
  const dir = join(assets, template);
  return readdirSync(dir)
    .sort()
    .map((name) => {
      const p = join(dir, name);
      const mode = statSync(p).isDirectory() ? "d" : (() => { try { accessSync(p, constants.X_OK); return "x"; } catch { return "-"; } })();
      return `${mode} ${TEMPLATE_ROOT}/${template}/${name}`;
    })
    .join("\n");
}

function template(name: string): TemplateCommand[] {
  return mergeListings(name, ["runner1", "runner2"].map((s) => parseTemplateListing(s, listing(name))));
}

const quiet = logger("composer-test", () => undefined);
const DURATION: Record<string, number> = { first_: 3, parallel_driver_: 30, singleton_driver_: 30, serial_driver_: 20, anytime_: 15, eventually_: 3, finally_: 3 };

/** Runs a timeline with a stand-in executor; every start, end and phase gets a number on one logical clock. */
async function timeline(commands: readonly TemplateCommand[], config: ComposerConfig, extra: { driverServices?: string[]; fail?: string } = {}) {
  let clock = 0;
  const observed: (ObservedRun & { id: string; service: string; seen: string[] })[] = [];
  const running = new Set<(typeof observed)[number]>();
  const phases: { event: PhaseEvent; at: number }[] = [];
  const exec: Executor = async (run) => {
    const rec = { id: run.id, name: run.name, prefix: run.prefix, service: run.service, start: ++clock, end: Infinity, seen: [...running].map((r) => r.name) };
    for (const r of running) r.seen.push(run.name);
    running.add(rec);
    observed.push(rec);
    await new Promise((r) => setTimeout(r, DURATION[run.prefix]));
    running.delete(rec);
    rec.end = ++clock;
    return { exitCode: run.name === extra.fail ? 7 : 0, tail: "" };
  };
  const runDir = await testDir("composer-test-");
  let schedule: Schedule;
  let error: unknown;
  try {
    schedule = (await compose(commands, { env: {}, runDir, timeoutMs: 10_000, log: quiet, composer: config, exec, onPhase: (event) => void phases.push({ event, at: ++clock }), ...(extra.driverServices !== undefined ? { driverServices: extra.driverServices } : {}) })).schedule;
  } catch (err) {
    error = err;
    schedule = (err as WorkloadError).schedule!;
  }
  return { observed, phases, schedule, error, runDir };
}

const config = (seed: number, over: Partial<ComposerConfig> = {}): ComposerConfig => ({ ...defaultComposerConfig(seed), staggerMs: 10, ...over });
const SEEDS = Array.from({ length: 24 }, (_, i) => 1000 + i * 7919);

describe("test composer: discovery", () => {
  test("helper_ files and directories are ignored; every other entry must be a prefixed, executable command", () => {
    const l = parseTemplateListing("runner1", listing("synthetic"));
    expect(l.ignored.map((i) => i.path.split("/").pop())).toEqual(["helper_lib", "helper_record"]);
    expect(l.commands.map((c) => c.name)).toContain("parallel_driver_p1");
    expect(() => parseTemplateListing("s", `d ${TEMPLATE_ROOT}/t/lib`)).toThrow(/directory "lib" does not start with one of .* \(or helper_/);
    expect(() => parseTemplateListing("s", `x ${TEMPLATE_ROOT}/t/run.sh`)).toThrow(/s:.*run\.sh: file "run\.sh" does not start with one of first_/);
  });

  test("one template across containers: a command found in two services may run in either", () => {
    const p1 = template("synthetic").find((c) => c.name === "parallel_driver_p1");
    expect(p1?.services).toEqual(["runner1", "runner2"]);
  });

  test("a template of anytime_ commands only is valid; one with neither drivers nor anytime_ is not", () => {
    expect(template("anytime-only").map((c) => c.name)).toEqual(["anytime_x", "anytime_y", "finally_f"]);
    expect(() => mergeListings("t", [parseTemplateListing("s", `x ${TEMPLATE_ROOT}/t/first_a\nx ${TEMPLATE_ROOT}/t/finally_b`)])).toThrow(/has no driver or anytime command/);
  });
});

describe("test composer: settings", () => {
  test("COMPOSER_* are read and checked, one line naming the variable", () => {
    const s = loadComposerSettings({ COMPOSER_SEED: "42", COMPOSER_ROUNDS: "3", COMPOSER_TIMELINES: "2", COMPOSER_REGIMES: "parallel", COMPOSER_COPIES: "3", COMPOSER_DURATION: "" });
    expect(s).toMatchObject({ seed: 42, randomSeed: false, rounds: 3, timelines: 2, regimes: ["parallel"], copies: 3, durationMs: undefined });
    expect(loadComposerSettings({}, () => 7)).toMatchObject({ seed: 7, randomSeed: true, rounds: 1, timelines: 1 });
    expect(() => loadComposerSettings({ COMPOSER_ROUNDS: "0" })).toThrow(/^COMPOSER_ROUNDS must be a whole number ≥ 1 \(got "0"\)$/);
    expect(() => loadComposerSettings({ COMPOSER_REGIMES: "parallel,chaos" })).toThrow(/^COMPOSER_REGIMES must be a comma-separated list/);
    expect(() => loadComposerSettings({ COMPOSER_SEED: "-1" })).toThrow(/^COMPOSER_SEED/);
    expect(timelineSeed(0xffffffff, 1)).toBe(0);
    const t = composerTimelines({ COMPOSER_SEED: "10", COMPOSER_TIMELINES: "3" }, "raftkvs");
    expect(t.map((x) => [x.title, x.composer.seed, x.replay])).toEqual([
      ["raftkvs — timeline 1 of 3", 10, "COMPOSER_SEED=10 COMPOSER_ROUNDS=1 COMPOSER_TIMELINES=1"],
      ["raftkvs — timeline 2 of 3", 11, "COMPOSER_SEED=11 COMPOSER_ROUNDS=1 COMPOSER_TIMELINES=1"],
      ["raftkvs — timeline 3 of 3", 12, "COMPOSER_SEED=12 COMPOSER_ROUNDS=1 COMPOSER_TIMELINES=1"],
    ]);
    expect(composerTimelines({}, "dqueue").map((x) => x.title)).toEqual(["dqueue"]);
  });
});

describe("test composer: every rule over many seeds", () => {
  test(`the synthetic template over ${SEEDS.length} seeds, 1–3 rounds: rules 1, 2, 5, 6 hold, faults only around drivers and anytime_`, async () => {
    const commands = template("synthetic");
    const regimes = new Set<string>();
    let concurrentCopies = 0;
    for (const [i, seed] of SEEDS.entries()) {
      const rounds = 1 + (i % 3);
      const { observed, phases, schedule, error } = await timeline(commands, config(seed, { rounds }));
      expect(error).toBeUndefined();
      regimes.add(schedule.regime);
      const plan = new Composer(commands, config(seed, { rounds })).plan(rounds);
      const maxCopies = Math.max(...plan.rounds.map((r) => r.drivers.length));
      const exp = { regime: schedule.regime, hasFirst: true, hasAnytime: true, hasEventually: true, rounds: schedule.rounds, maxCopies };
      expect(ruleViolations(observed, exp), `seed ${seed}`).toEqual([]);
      expect(phaseViolations(observed, phases), `seed ${seed}`).toEqual([]);
      expect(schedule.rounds, `seed ${seed}`).toBe(schedule.regime === "singleton" ? 1 : rounds);
      // The harness's own record agrees with the commands' view.
      expect(schedule.runs.map((r) => r.name).sort()).toEqual(observed.map((r) => r.name).sort());
      expect(schedule.runs.every((r) => r.exitCode === 0 && r.endMs! >= r.startMs)).toBe(true);
      if (schedule.regime === "parallel" && maxCopies >= 2) concurrentCopies++;
    }
    // The seeds reach every regime, and parallel timelines with several copies at once.
    expect([...regimes].sort()).toEqual(["parallel", "serial", "singleton"]);
    expect(concurrentCopies).toBeGreaterThan(0);
  });

  test(`an anytime-only template runs over 20 seeds: anytime_ under faults, no eventually_, finally_ last`, async () => {
    const commands = template("anytime-only");
    for (const seed of SEEDS.slice(0, 20)) {
      const { observed, phases, schedule } = await timeline(commands, config(seed, { rounds: 2 }));
      expect(schedule.regime).toBe("anytime-only");
      expect(ruleViolations(observed, { regime: "anytime-only", hasFirst: false, hasAnytime: true, hasEventually: false, rounds: 2, maxCopies: 0 }), `seed ${seed}`).toEqual([]);
      expect(phaseViolations(observed, phases), `seed ${seed}`).toEqual([]);
      expect(observed.at(-1)?.name).toBe("finally_f");
    }
  });

  test("parallel copies in driver services: distinct services within a round, as many as asked", async () => {
    const commands = template("synthetic");
    for (const seed of SEEDS) {
      const { schedule, observed } = await timeline(commands, config(seed, { regimes: ["parallel"], copies: 3 }), { driverServices: ["c1", "c2", "c3"] });
      const drivers = schedule.runs.filter((r) => r.prefix === "parallel_driver_");
      expect(new Set(drivers.map((d) => d.service))).toEqual(new Set(["c1", "c2", "c3"]));
      expect(ruleViolations(observed, { regime: "parallel", hasFirst: true, hasAnytime: true, hasEventually: true, rounds: 1, maxCopies: 3 })).toEqual([]);
    }
    expect(() => new Composer(commands, config(1, { regimes: ["parallel"], copies: 4 }), { driverServices: ["c1", "c2"] }).round(0)).toThrow(/COMPOSER_COPIES is 4, but parallel drivers can run in only 2 service/);
    expect(() => new Composer(template("anytime-only"), config(1, { regimes: ["serial"] })).regime).not.toThrow();
    expect(() => new Composer(commands.filter((c) => c.prefix !== "serial_driver_"), config(1, { regimes: ["serial"] }))).toThrow(/COMPOSER_REGIMES allows serial, but the template's drivers are/);
  });

  test("a seed replays the same schedule (same choices; only timings differ); another seed differs", async () => {
    const commands = template("synthetic");
    const shape = (s: Schedule) => s.runs.map((r) => `${r.id} ${r.name}@${r.service} exit ${r.exitCode}`).sort();
    for (const seed of SEEDS.slice(0, 8)) {
      const a = await timeline(commands, config(seed, { rounds: 2 }));
      const b = await timeline(commands, config(seed, { rounds: 2 }));
      expect(shape(b.schedule)).toEqual(shape(a.schedule));
      expect(new Composer(commands, config(seed)).plan(3)).toEqual(new Composer(commands, config(seed)).plan(3));
    }
    const plans = new Set(SEEDS.map((s) => JSON.stringify(new Composer(commands, config(s)).plan(2))));
    expect(plans.size).toBeGreaterThan(SEEDS.length / 2);
    // Round k does not depend on how many rounds there are: a duration-bound run replays as a prefix.
    expect(new Composer(commands, config(5)).plan(4).rounds.slice(0, 2)).toEqual(new Composer(commands, config(5)).plan(2).rounds);
  });

  test("COMPOSER_DURATION: rounds keep starting until the time is up, and replay as the same choices", async () => {
    const commands = template("synthetic");
    const seed = SEEDS.find((s) => new Composer(commands, config(s)).regime === "serial")!;
    const { schedule, observed } = await timeline(commands, config(seed, { durationMs: 150 }));
    expect(schedule.rounds).toBeGreaterThanOrEqual(3);
    expect(ruleViolations(observed, { regime: "serial", hasFirst: true, hasAnytime: true, hasEventually: true, rounds: schedule.rounds, maxCopies: 1 })).toEqual([]);
    expect(schedule.replay).toBe(`COMPOSER_SEED=${seed} COMPOSER_ROUNDS=${schedule.rounds}`);
    const replay = await timeline(commands, config(seed, { rounds: schedule.rounds }));
    expect(replay.schedule.runs.map((r) => `${r.id} ${r.name}@${r.service}`)).toEqual(schedule.runs.map((r) => `${r.id} ${r.name}@${r.service}`));
  });

  test("faults (the Fault contract) are injected when the drivers start and stopped before eventually_/finally_", async () => {
    const commands = template("synthetic");
    const order: string[] = [];
    const fault: Fault = {
      name: "stand-in",
      async inject(_cluster, ctx) {
        order.push("inject");
        await new Promise<void>((resolve) => ctx.signal.addEventListener("abort", () => resolve(), { once: true }));
        order.push(`stopped after ${ctx.driverOutput().length} driver lines`);
        return { ok: true };
      },
    };
    const exec: Executor = async (run, o) => {
      order.push(run.prefix);
      o.onLine(`${run.name} says hello`);
      await new Promise((r) => setTimeout(r, 5));
      return { exitCode: 0, tail: "" };
    };
    const seed = SEEDS.find((s) => new Composer(commands, config(s)).regime === "singleton")!;
    const runDir = await testDir("composer-test-");
    const result = await runWorkload({} as StartedCluster, commands, { env: {}, runDir, timeoutMs: 1000, log: quiet, composer: config(seed), exec, faults: [fault] });
    expect(result.faults).toEqual([{ fault, injected: { ok: true } }]);
    const at = (x: string) => order.findIndex((o) => o.startsWith(x));
    expect(order.slice(0, 2)).toEqual(["first_", "inject"]);
    expect(at("stopped")).toBeLessThan(at("eventually_"));
    expect(order[at("stopped")]).toBe("stopped after 1 driver lines");
    expect(order.at(-1)).toBe("finally_");
  });

  test("a failing driver stops the timeline: nothing new starts, eventually_/finally_ do not run, the error names it", async () => {
    const commands = template("synthetic");
    const seed = SEEDS.find((s) => new Composer(commands, config(s, { rounds: 3 })).regime === "serial")!;
    const first = new Composer(commands, config(seed, { rounds: 3 })).round(0)!.drivers[0]!.name;
    const { error, schedule, phases } = await timeline(commands, config(seed, { rounds: 3 }), { fail: first });
    expect(error).toBeInstanceOf(WorkloadError);
    expect((error as Error).message).toMatch(new RegExp(`^${first} \\(in runner\\d\\) exited with code 7`));
    expect(schedule.verdict).toBe("failed");
    expect(schedule.runs.filter((r) => r.prefix === "serial_driver_")).toHaveLength(1);
    expect(schedule.runs.some((r) => r.prefix === "eventually_" || r.prefix === "finally_")).toBe(false);
    expect(phases.map((p) => p.event)).toEqual(["first-start", "first-stop", "drivers-start", "drivers-stop"]);
  });
});

describe("test composer: the rule checks catch schedules that break a rule", () => {
  // A valid parallel timeline, then one-step mutants of it, each still self-consistent but breaking one rule.
  const ok: ObservedRun[] = [
    { name: "first_a", prefix: "first_", start: 0, end: 1, seen: [] },
    { name: "parallel_driver_p1", prefix: "parallel_driver_", start: 2, end: 10, seen: ["parallel_driver_p2@r1.1"] },
    { name: "parallel_driver_p2", prefix: "parallel_driver_", start: 3, end: 9, seen: ["parallel_driver_p1@r2.1"] },
    { name: "anytime_x", prefix: "anytime_", start: 3, end: 6, seen: [] },
    { name: "eventually_e", prefix: "eventually_", start: 11, end: 12, seen: [] },
    { name: "finally_f", prefix: "finally_", start: 13, end: 14, seen: [] },
  ];
  const exp = { regime: "parallel" as const, hasFirst: true, hasAnytime: true, hasEventually: true, rounds: 1, maxCopies: 2 };
  const phases = [{ event: "drivers-start" as const, at: 1.5 }, { event: "drivers-stop" as const, at: 10.5 }];
  const swap = (i: number, r: Partial<ObservedRun>) => ok.map((o, j) => (j === i ? { ...o, ...r } : o));

  test("the valid timeline passes", () => {
    expect(ruleViolations(ok, exp)).toEqual([]);
    expect(phaseViolations(ok, phases)).toEqual([]);
  });
  test.each([
    ["two first_ commands", [...ok, { name: "first_b", prefix: "first_", start: 0.5, end: 1, seen: [] }] as ObservedRun[], exp, /2 first_ runs/],
    ["a driver before first_ ended", swap(1, { start: 0.5 }), exp, /parallel_driver_p1 started before first_a \(first_\) ended/],
    ["parallel drivers one after another", swap(2, { start: 10, end: 10.5, seen: [] }).map((r) => (r.name === "parallel_driver_p1" ? { ...r, seen: [] } : r)), exp, /no two parallel drivers overlapped/],
    ["a second singleton", ok.map((r) => (r.prefix === "parallel_driver_" ? { ...r, name: r.name.replace("parallel", "singleton"), prefix: "singleton_driver_" as const } : r)), { ...exp, regime: "singleton" as const }, /2 singleton_driver_ runs/],
    ["a serial driver seeing another", ok.map((r) => (r.prefix === "parallel_driver_" ? { ...r, prefix: "serial_driver_" as const, seen: ["serial_driver_r@x.1"] } : r)).filter((r) => r.name !== "parallel_driver_p2"), { ...exp, regime: "serial" as const }, /saw another driver running/],
    ["anytime_ after the drivers", swap(3, { start: 10.2, end: 10.4 }), exp, /anytime_x \(anytime_\) ran while no driver did/],
    ["eventually_ while anytime_ runs", swap(4, { start: 5, end: 5.5 }), exp, /eventually_e overlapped anytime_x/],
    ["finally_ before eventually_", swap(5, { start: 11.5, end: 11.8 }), exp, /finally_f started before eventually_e ended|overlapped/],
    ["too few rounds", ok, { ...exp, rounds: 3 }, /2 driver runs over 3 rounds/],
    ["a driver in an anytime-only timeline", ok, { ...exp, regime: "anytime-only" as const }, /driver runs in an anytime-only timeline/],
  ])("%s", (_what, runs, e, message) => {
    expect(ruleViolations(runs, e).join("\n")).toMatch(message);
  });
  test("faults on during first_, or off while a driver runs, are caught", () => {
    expect(phaseViolations(ok, [{ event: "drivers-start", at: 0.5 }, { event: "drivers-stop", at: 10.5 }]).join("\n")).toMatch(/first_a ran inside the fault window/);
    expect(phaseViolations(ok, [{ event: "drivers-start", at: 1.5 }, { event: "drivers-stop", at: 7 }]).join("\n")).toMatch(/parallel_driver_p1 ran outside the fault window/);
  });
});
