// The nemesis: a seeded schedule of faults (Jepsen's combined nemesis). It alternates a quiet gap and one fault
// of a kind picked at random, on targets picked at random, then heals it — until stopped. Everything random
// comes from one seed, so FAULT_SEED=<n> replays the same kinds, targets and durations. It can be driven by
// hand (prepare / start / stop / heal) or used as a Fault in describeSystem({ faults }), which runs it while
// the drivers run and heals it before the later commands, before collection and before teardown.
import type { CheckResult } from "../check/checker.ts";
import type { StartedCluster } from "../compose/cluster.ts";
import type { Logger } from "../log.ts";
import type { Fault, FaultContext, FaultPrepareContext, FaultWindow } from "./fault.ts";
import type { ActiveFault, FaultKind, KindContext } from "./kinds.ts";
import { faultSeed, Random } from "./random.ts";
import { Sidecars, sidecarImage } from "./sidecar.ts";

export interface NemesisOptions {
  /** Names the fault in reports, e.g. "partitions". */
  readonly name: string;
  readonly kinds: readonly FaultKind[];
  /** The services faults aim at (e.g. /^server\d+$/). */
  readonly nodes: RegExp;
  /** Quiet time before each fault, ms, drawn uniformly from [min, max]. */
  readonly quietMs: readonly [number, number];
  /** How long each fault lasts, ms, drawn uniformly from [min, max]. */
  readonly faultMs: readonly [number, number];
  /** Default: FAULT_SEED, or a fresh random seed. */
  readonly seed?: number;
  /** Finds the node holding the leader role (for "leader" targets). */
  readonly leader?: (cluster: StartedCluster) => Promise<string>;
  /** The check fails when fewer faults than this were injected (default 1): a fault variant must fault. */
  readonly minFaults?: number;
}

/** What a nemesis did: kept in results.json and run.json. */
export interface NemesisRecord {
  readonly seed: number;
  readonly windows: readonly FaultWindow[];
  readonly errors: readonly string[];
  readonly rerun: string;
}

export class Nemesis {
  readonly seed: number;
  readonly windows: FaultWindow[] = [];
  readonly errors: string[] = [];
  private readonly opts: NemesisOptions;
  private random: Random;
  private sidecars: Sidecars | undefined;
  private netem = false;
  private active: { kind: string; fault: ActiveFault; index: number } | undefined;
  private loop: Promise<void> | undefined;
  private stopper: AbortController | undefined;

  constructor(opts: NemesisOptions) {
    for (const [what, [lo, hi]] of [["quietMs", opts.quietMs], ["faultMs", opts.faultMs]] as const) {
      if (!(lo >= 0 && hi >= lo)) throw new Error(`nemesis "${opts.name}": ${what} must be [min, max] with 0 ≤ min ≤ max (got [${lo}, ${hi}])`);
    }
    if (opts.kinds.length === 0) throw new Error(`nemesis "${opts.name}": give at least one fault kind`);
    this.opts = opts;
    this.seed = opts.seed ?? faultSeed();
    this.random = new Random(this.seed);
  }

  get plan(): Record<string, unknown> {
    const o = this.opts;
    return { seed: this.seed, kinds: o.kinds.map((k) => ({ name: k.name, ...k.params })), nodes: String(o.nodes), quietMs: o.quietMs, faultMs: o.faultMs };
  }

  /** Builds the sidecar image, starts a sidecar per node and probes for netem; before the drivers start. */
  async prepare(cluster: StartedCluster, ctx: FaultPrepareContext): Promise<void> {
    const image = await sidecarImage(cluster.docker, ctx.baseImage, ctx.log);
    this.sidecars = new Sidecars(cluster, image, ctx.log);
    const nodes = await this.nodes(cluster);
    await Promise.all(nodes.map((n) => this.sidecars!.ensure(n)));
    const probe = await this.sidecars.run(nodes[0]!, "tc qdisc add dev eth0 root netem delay 0ms 2>&1 && tc qdisc del dev eth0 root && echo netem-ok; true");
    this.netem = probe.includes("netem-ok");
    ctx.log.info(`sidecars ready on ${nodes.join(", ")}; netem ${this.netem ? "available" : "not available in this kernel (packet faults use iptables; no delay or reorder)"}; seed ${this.seed}`);
  }

  private async nodes(cluster: StartedCluster): Promise<string[]> {
    const nodes = (await cluster.containers()).map((c) => c.service).filter((s) => this.opts.nodes.test(s));
    if (nodes.length === 0) throw new Error(`nemesis "${this.opts.name}": no service matches ${String(this.opts.nodes)}`);
    return nodes.sort();
  }

  /** Starts the schedule in the background; it runs until stop(). */
  start(cluster: StartedCluster, log: Logger): void {
    if (this.loop !== undefined) throw new Error(`nemesis "${this.opts.name}" is already running`);
    if (this.sidecars === undefined) throw new Error(`nemesis "${this.opts.name}": prepare() first`);
    this.stopper = new AbortController();
    this.loop = this.run(cluster, log, this.stopper.signal);
  }

  private async run(cluster: StartedCluster, log: Logger, signal: AbortSignal): Promise<void> {
    const nodes = await this.nodes(cluster);
    const leader = this.opts.leader;
    const ctx: KindContext = {
      cluster, sidecars: this.sidecars!, random: this.random, log, nodes, netem: this.netem,
      leader: leader !== undefined ? () => leader(cluster) : undefined,
    };
    const t0 = Date.now();
    while (!signal.aborted) {
      // Drawn before waiting, so the sequence of draws does not depend on when the drivers finish.
      const quiet = this.random.between(...this.opts.quietMs);
      const duration = this.random.between(...this.opts.faultMs);
      const kind = this.random.pick(this.opts.kinds);
      if (!(await sleep(quiet, signal))) break;
      let fault: ActiveFault;
      const start = Date.now();
      try {
        fault = await kind.start(ctx);
      } catch (err) {
        const message = `${kind.name} at +${start - t0} ms: ${err instanceof Error ? err.message : String(err)}`;
        this.errors.push(message);
        log.warn(`could not inject ${message}`);
        continue;
      }
      const index = this.windows.push({ kind: kind.name, targets: fault.targets, start, end: undefined, detail: fault.detail }) - 1;
      this.active = { kind: kind.name, fault, index };
      log.info(`+${start - t0} ms ${kind.name}: ${fault.detail} (in effect after ${Date.now() - start} ms, for ${duration} ms)`);
      await sleep(duration, signal);
      await this.healActive(log);
    }
  }

  private async healActive(log: Logger): Promise<void> {
    const a = this.active;
    if (a === undefined) return;
    this.active = undefined;
    const started = Date.now();
    try {
      await a.fault.heal();
      this.windows[a.index] = { ...this.windows[a.index]!, end: Date.now() };
      log.info(`healed ${a.kind} (${a.fault.targets.join(", ")}) in ${Date.now() - started} ms`);
    } catch (err) {
      this.errors.push(`healing ${a.kind}: ${err instanceof Error ? err.message : String(err)}`);
      log.warn(`could not heal ${a.kind}: ${String(err)}`);
    }
  }

  /** Stops the schedule and heals the fault in effect; resolves when everything is healed. */
  async stop(log: Logger): Promise<void> {
    this.stopper?.abort();
    await this.loop?.catch((err: unknown) => void this.errors.push(`schedule: ${String(err)}`));
    this.loop = undefined;
    await this.healActive(log);
  }

  /** stop(), then removes the sidecars. Idempotent; safe after a failure. */
  async heal(log: Logger): Promise<void> {
    await this.stop(log);
    await this.sidecars?.removeAll();
  }

  record(): NemesisRecord {
    return { seed: this.seed, windows: this.windows, errors: this.errors, rerun: `FAULT_SEED=${this.seed}` };
  }

  check(): CheckResult {
    const unhealed = this.windows.filter((w) => w.end === undefined);
    const min = this.opts.minFaults ?? 1;
    const list = this.windows.map((w) => `${w.kind} ${w.detail ?? w.targets.join(",")} ${w.end !== undefined ? `${w.end - w.start} ms` : "never healed"}`);
    const valid = unhealed.length === 0 && this.windows.length >= min && this.errors.length === 0;
    const why =
      unhealed.length > 0 ? `${unhealed.length} fault(s) never healed`
      : this.errors.length > 0 ? `errors: ${this.errors.join("; ")}`
      : this.windows.length < min ? `only ${this.windows.length} fault(s) injected before the drivers finished (at least ${min} wanted)`
      : `${this.windows.length} fault(s) injected and healed`;
    return {
      name: `faults/${this.opts.name}`,
      valid,
      summary: `seed ${this.seed} (rerun with FAULT_SEED=${this.seed}): ${why}${list.length > 0 ? `: ${list.join(" | ")}` : ""}`,
      details: this.record(),
    };
  }
}

/** Resolves true after ms, or false as soon as signal aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** The nemesis as a Fault for describeSystem({ faults }): runs while the drivers run, healed when they end. */
export function nemesis(opts: NemesisOptions): Fault & { readonly nemesis: Nemesis } {
  const n = new Nemesis(opts);
  let log: Logger | undefined;
  return {
    name: opts.name,
    nemesis: n,
    get plan() {
      return n.plan;
    },
    async prepare(cluster, ctx) {
      log = ctx.log;
      await n.prepare(cluster, ctx);
    },
    async inject(cluster: StartedCluster, ctx: FaultContext) {
      n.start(cluster, ctx.log);
      await new Promise<void>((resolve) => (ctx.signal.aborted ? resolve() : ctx.signal.addEventListener("abort", () => resolve(), { once: true })));
      await n.stop(ctx.log);
      return { ...n.record() };
    },
    async heal() {
      if (log !== undefined) await n.heal(log);
    },
    async check() {
      return n.check();
    },
  };
}
