// The local test composer: per seed it decides which template commands run, where and in which order, the
// way Antithesis's test composer may (antithesis.com/docs/test_templates/test_composer_reference). Every
// decision comes from the seed, so the same seed (and the same template) gives the same plan; only the
// timings differ between replays. Execution is in run.ts.
import { mulberry32 } from "../random.ts";
import { z } from "zod";
import { isDriver, type Prefix, type TemplateCommand } from "./template.ts";

/** How the drivers of one timeline run. Antithesis picks one per branch; so do we, per seed. */
export type Regime = "singleton" | "parallel" | "serial" | "anytime-only";
export const DRIVER_REGIMES = ["singleton", "parallel", "serial"] as const;
type DriverRegime = (typeof DRIVER_REGIMES)[number];
const REGIME_PREFIX: Record<DriverRegime, Prefix> = { singleton: "singleton_driver_", parallel: "parallel_driver_", serial: "serial_driver_" };

export interface ComposerConfig {
  readonly seed: number;
  /** Driver rounds (a singleton runs once whatever this says). */
  readonly rounds: number;
  /** When set, rounds keep starting until this much time has passed (at least one round). */
  readonly durationMs: number | undefined;
  /** The regimes this run may pick from (default: all three). */
  readonly regimes: readonly DriverRegime[];
  /** Concurrent copies of parallel drivers per round; unset: 2..maxCopies, chosen per round. */
  readonly copies: number | undefined;
  /** Upper bound on copies when the drivers may run anywhere (no driverServices). */
  readonly maxCopies: number;
  /** Upper bound on the random delay before a parallel copy starts after its round begins. */
  readonly staggerMs: number;
}

export interface ComposerSettings extends ComposerConfig {
  readonly timelines: number;
  /** True when COMPOSER_SEED was not given (the seed was drawn at random and is logged for a replay). */
  readonly randomSeed: boolean;
}

export class ComposerError extends Error {
  override name = "ComposerError";
}

const count = (what: string) => z.coerce.number({ error: `must be ${what}` }).int({ error: `must be ${what}` }).min(1, { error: `must be ${what}` });
const envSchema = z.object({
  COMPOSER_SEED: z.coerce.number({ error: "must be an integer 0..4294967295" }).int({ error: "must be an integer 0..4294967295" }).min(0).max(0xffffffff).optional(),
  COMPOSER_ROUNDS: count("a whole number ≥ 1").default(1),
  COMPOSER_DURATION: z.coerce.number({ error: "must be a number of seconds > 0" }).positive({ error: "must be a number of seconds > 0" }).optional(),
  COMPOSER_TIMELINES: count("a whole number ≥ 1").max(50, { error: "must be at most 50" }).default(1),
  COMPOSER_REGIMES: z
    .string()
    .regex(/^(singleton|parallel|serial)(,(singleton|parallel|serial))*$/, { error: 'must be a comma-separated list of "singleton", "parallel", "serial"' })
    .optional(),
  COMPOSER_COPIES: count("a whole number ≥ 1").optional(),
});

/** Reads COMPOSER_* from an environment (an empty variable counts as unset); a bad value fails with one line. */
export function loadComposerSettings(env: Readonly<Record<string, string | undefined>>, drawSeed: () => number = randomSeed): ComposerSettings {
  const present: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (k.startsWith("COMPOSER_") && v !== undefined && v !== "") present[k] = v;
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue?.path[0] ?? "COMPOSER_*");
    throw new ComposerError(`${key} ${issue?.message ?? "is invalid"} (got "${present[key] ?? ""}")`);
  }
  const s = parsed.data;
  return {
    seed: s.COMPOSER_SEED ?? drawSeed(),
    randomSeed: s.COMPOSER_SEED === undefined,
    rounds: s.COMPOSER_ROUNDS,
    durationMs: s.COMPOSER_DURATION === undefined ? undefined : s.COMPOSER_DURATION * 1000,
    timelines: s.COMPOSER_TIMELINES,
    regimes: s.COMPOSER_REGIMES === undefined ? DRIVER_REGIMES : [...new Set(s.COMPOSER_REGIMES.split(",") as DriverRegime[])],
    copies: s.COMPOSER_COPIES,
    maxCopies: 3,
    staggerMs: 100,
  };
}

export function randomSeed(): number {
  return Math.floor(Math.random() * 0x100000000) >>> 0;
}

/** The quick default: one round, a random seed. */
export function defaultComposerConfig(seed: number = randomSeed()): ComposerConfig {
  return { seed, rounds: 1, durationMs: undefined, regimes: DRIVER_REGIMES, copies: undefined, maxCopies: 3, staggerMs: 100 };
}

/** The seed of timeline `t` (0-based) of a run seeded `seed`: replay one timeline alone with COMPOSER_SEED=<it>. */
export function timelineSeed(seed: number, t: number): number {
  return (seed + t) >>> 0;
}

export interface Timeline {
  /** 1-based. */
  readonly index: number;
  readonly of: number;
  /** "<title>" alone, or "<title> — timeline 2 of 3". */
  readonly title: string;
  /** The composer settings of this timeline (its own seed). */
  readonly composer: ComposerSettings;
  /** The variables that give this timeline's choices again. */
  readonly replay: string;
}

/** The COMPOSER_TIMELINES timelines of a run: each is run on a fresh compose project and reported on its own. */
export function composerTimelines(env: Readonly<Record<string, string | undefined>>, title: string): Timeline[] {
  const settings = loadComposerSettings(env);
  return Array.from({ length: settings.timelines }, (_, t) => {
    const seed = timelineSeed(settings.seed, t);
    return {
      index: t + 1,
      of: settings.timelines,
      title: settings.timelines > 1 ? `${title} — timeline ${t + 1} of ${settings.timelines}` : title,
      composer: { ...settings, seed },
      replay: `COMPOSER_SEED=${seed} ${settings.durationMs !== undefined ? `COMPOSER_DURATION=${settings.durationMs / 1000}` : `COMPOSER_ROUNDS=${settings.rounds}`} COMPOSER_TIMELINES=1`,
    };
  });
}

// ---- seeded randomness: mulberry32, one independent stream per decision, so that the plan of round k does
// not depend on how many rounds ran before (a duration-bound run replays as a prefix of the same choices).


function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export class Rng {
  private readonly next: () => number;
  constructor(seed: number, label: string) {
    this.next = mulberry32((seed ^ fnv1a(label)) >>> 0);
  }
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new ComposerError("internal: nothing to pick from");
    return items[this.int(0, items.length - 1)]!;
  }
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
}

// ---- the plan

export interface PlannedRun {
  /** Unique in the timeline: "first", "r0.d1" (round 0, driver 1), "r0.a0" (anytime), "e0", "f0". */
  readonly id: string;
  readonly name: string;
  readonly prefix: Prefix;
  readonly path: string;
  readonly service: string;
  /** Drivers (and anytime-only rounds): wait this long after the round begins. */
  readonly delayMs?: number;
  /** anytime_ during drivers: starts the moment this driver run starts. */
  readonly after?: string;
}

export interface PlannedRound {
  readonly index: number;
  readonly drivers: readonly PlannedRun[];
  readonly anytimes: readonly PlannedRun[];
}

export interface PlanSummary {
  readonly seed: number;
  readonly regime: Regime;
  readonly first: PlannedRun | undefined;
  readonly rounds: readonly PlannedRound[];
  readonly eventually: readonly PlannedRun[];
  readonly finally: readonly PlannedRun[];
  readonly notes: readonly string[];
}

export interface Placement {
  /** Where drivers run (e.g. one client container each); concurrent copies get distinct services. */
  readonly driverServices?: readonly string[] | undefined;
}

/** The composer's decisions for one timeline. Pure: no clock, no I/O. */
export class Composer {
  readonly seed: number;
  readonly regime: Regime;
  readonly first: PlannedRun | undefined;
  readonly eventually: readonly PlannedRun[];
  readonly finally: readonly PlannedRun[];
  /** Why something in the template will not run in this timeline (for the log). */
  readonly notes: string[] = [];
  private readonly byPrefix: (p: Prefix) => TemplateCommand[];
  private readonly config: ComposerConfig;
  private readonly placement: Placement;

  constructor(commands: readonly TemplateCommand[], config: ComposerConfig, placement: Placement = {}) {
    this.config = config;
    this.placement = placement;
    this.seed = config.seed;
    const sorted = [...commands].sort((a, b) => a.name.localeCompare(b.name));
    this.byPrefix = (p) => sorted.filter((c) => c.prefix === p);
    const at = (c: TemplateCommand, id: string, rng: Rng, extra: Partial<PlannedRun> = {}): PlannedRun => ({
      id, name: c.name, prefix: c.prefix, path: c.path, service: this.placeOne(c, rng), ...extra,
    });

    // "If a test template contains multiple first commands, exactly one is selected per execution path."
    const firsts = this.byPrefix("first_");
    const rf = new Rng(config.seed, "first");
    this.first = firsts.length > 0 ? at(rf.pick(firsts), "first", rf) : undefined;
    if (firsts.length > 1) this.notes.push(`${firsts.length} first_ commands: ${this.first!.name} runs, the others not (exactly one per execution path)`);

    const available = DRIVER_REGIMES.filter((r) => this.byPrefix(REGIME_PREFIX[r]).length > 0);
    const allowed = available.filter((r) => config.regimes.includes(r));
    if (available.length > 0 && allowed.length === 0) {
      throw new ComposerError(`COMPOSER_REGIMES allows ${config.regimes.join(", ")}, but the template's drivers are ${available.map((r) => REGIME_PREFIX[r]).join(", ")}`);
    }
    // A template of anytime_ commands only is valid: "must have at least one of … parallel_driver, singleton_driver, serial_driver, anytime".
    this.regime = allowed.length === 0 ? "anytime-only" : new Rng(config.seed, "regime").pick(allowed);
    for (const r of available) if (r !== this.regime) this.notes.push(`${REGIME_PREFIX[r]} commands do not run: this timeline's drivers are ${this.regime}`);
    if (this.regime === "parallel" && config.copies !== undefined && config.copies > this.maxCopies()) {
      throw new ComposerError(`COMPOSER_COPIES is ${config.copies}, but parallel drivers can run in only ${this.maxCopies()} service(s)`);
    }
    if (this.regime === "parallel" && this.maxCopies() < 2) this.notes.push(`only ${this.maxCopies()} driver service(s), so parallel drivers run one copy at a time`);

    // eventually_: "runs only after at least one driver has started"; finally_: after the drivers completed.
    const re = new Rng(config.seed, "eventually");
    const eventually = re.shuffle(this.byPrefix("eventually_"));
    if (this.regime === "anytime-only" && eventually.length > 0) {
      this.notes.push("eventually_ commands do not run: they run only after a driver has started, and this template has none");
      this.eventually = [];
    } else {
      this.eventually = eventually.map((c, i) => at(c, `e${i}`, re));
    }
    const rz = new Rng(config.seed, "finally");
    this.finally = rz.shuffle(this.byPrefix("finally_")).map((c, i) => at(c, `f${i}`, rz));
  }

  private maxCopies(): number {
    const services = this.placement.driverServices;
    return services !== undefined ? services.length : this.config.maxCopies;
  }

  /** Drivers run in driverServices when given, else anywhere the command was found. */
  private placeOne(c: TemplateCommand, rng: Rng): string {
    const services = isDriver(c.prefix) && this.placement.driverServices !== undefined ? this.placement.driverServices : (c.services ?? [c.service]);
    return rng.pick(services);
  }

  /** Round k of the driver phase, or undefined when the regime has no more (a singleton runs once). */
  round(k: number): PlannedRound | undefined {
    const rng = new Rng(this.seed, `round-${k}`);
    const anytimes = this.byPrefix("anytime_");
    const run = (c: TemplateCommand, id: string, extra: Partial<PlannedRun> = {}, service?: string): PlannedRun => ({
      id, name: c.name, prefix: c.prefix, path: c.path, service: service ?? this.placeOne(c, rng), ...extra,
    });
    let drivers: PlannedRun[];
    switch (this.regime) {
      case "singleton":
        // "A singleton_driver command will run as the only driver command in a particular branch of history."
        if (k > 0) return undefined;
        drivers = [run(rng.pick(this.byPrefix("singleton_driver_")), `r${k}.d0`, { delayMs: 0 })];
        break;
      case "serial":
        // serial_driver_: "runs repeatedly, but only one at a time"; no other driver alongside.
        drivers = [run(rng.pick(this.byPrefix("serial_driver_")), `r${k}.d0`, { delayMs: 0 })];
        break;
      case "parallel": {
        // "The test composer may start a parallel_driver command while other parallel_driver commands
        // (including earlier copies of the same one) are running."
        const max = this.maxCopies();
        const copies = this.config.copies ?? rng.int(Math.min(2, max), max);
        const services = this.placement.driverServices !== undefined ? rng.shuffle(this.placement.driverServices).slice(0, copies) : undefined;
        const parallel = this.byPrefix("parallel_driver_");
        drivers = Array.from({ length: copies }, (_, i) =>
          run(rng.pick(parallel), `r${k}.d${i}`, { delayMs: i === 0 ? 0 : rng.int(0, this.config.staggerMs) }, services?.[i]),
        );
        break;
      }
      case "anytime-only": {
        // With no driver, a round is a few anytime_ commands at once, under faults as drivers would be.
        const chosen = rng.shuffle(anytimes).slice(0, rng.int(1, anytimes.length));
        return { index: k, drivers: [], anytimes: chosen.map((c, i) => run(c, `r${k}.a${i}`, { delayMs: i === 0 ? 0 : rng.int(0, this.config.staggerMs) })) };
      }
    }
    // anytime_ "may run alongside any command type except first_": each starts the moment a driver of the round starts.
    const chosen = anytimes.length === 0 ? [] : rng.shuffle(anytimes).slice(0, rng.int(1, anytimes.length));
    return { index: k, drivers, anytimes: chosen.map((c, i) => run(c, `r${k}.a${i}`, { after: rng.pick(drivers).id })) };
  }

  /** The whole plan for `rounds` rounds (what a run with COMPOSER_ROUNDS=rounds does). */
  plan(rounds: number): PlanSummary {
    const list: PlannedRound[] = [];
    for (let k = 0; k < rounds; k++) {
      const r = this.round(k);
      if (r === undefined) break;
      list.push(r);
    }
    return { seed: this.seed, regime: this.regime, first: this.first, rounds: list, eventually: this.eventually, finally: this.finally, notes: this.notes };
  }
}
