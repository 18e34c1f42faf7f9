// Fault kinds (Jepsen's nemesis, with plain Docker), each a generator: given the nodes and a seeded random
// source it starts one fault and returns how to heal it. The nemesis (nemesis.ts) composes them into a schedule.
import type { StartedCluster } from "../compose/cluster.ts";
import type { Logger } from "../log.ts";
import type { Random } from "./random.ts";
import type { Sidecars } from "./sidecar.ts";

export interface KindContext {
  readonly cluster: StartedCluster;
  readonly sidecars: Sidecars;
  readonly random: Random;
  readonly log: Logger;
  /** The nodes faults aim at (services), sorted. */
  readonly nodes: readonly string[];
  /** The node that currently holds a role (e.g. the Raft leader), from the system's logs. */
  readonly leader: (() => Promise<string>) | undefined;
  /** Whether the kernel offers tc's netem qdisc (probed once by the nemesis). */
  readonly netem: boolean;
}

export interface ActiveFault {
  readonly targets: readonly string[];
  readonly detail: string;
  heal(): Promise<void>;
}

export interface FaultKind {
  readonly name: string;
  /** The kind's parameters, for run.json. */
  readonly params: Record<string, unknown>;
  start(ctx: KindContext): Promise<ActiveFault>;
}

/** Which nodes a pause or kill hits: Jepsen's one / minority / majority / all, or the current leader. */
export type Selection = "one" | "minority" | "majority" | "all" | "leader";

async function select(ctx: KindContext, how: Selection): Promise<string[]> {
  const n = ctx.nodes.length;
  const shuffled = ctx.random.shuffle(ctx.nodes);
  switch (how) {
    case "one":
      return shuffled.slice(0, 1);
    case "minority":
      return shuffled.slice(0, Math.max(1, Math.floor((n - 1) / 2)));
    case "majority":
      return shuffled.slice(0, Math.floor(n / 2) + 1);
    case "all":
      return [...ctx.nodes];
    case "leader":
      if (ctx.leader === undefined) throw new Error("the system names no role to find a leader by");
      return [await ctx.leader()];
  }
}

// ---------------------------------------------------------------------------------------------------------
// Partitions. A grudge maps each node to the nodes whose packets it drops (as Jepsen's); only traffic
// between the nodes is cut, clients still reach every node.

export type PartitionShape = "one" | "minority-third" | "majorities-ring" | "bridge" | "random-halves" | "leader";
export type Grudge = ReadonlyMap<string, ReadonlySet<string>>;

/** Every node drops the nodes outside its own component. */
export function completeGrudge(components: readonly (readonly string[])[]): Grudge {
  const grudge = new Map<string, Set<string>>();
  const all = components.flat();
  for (const comp of components) for (const node of comp) grudge.set(node, new Set(all.filter((o) => !comp.includes(o))));
  return grudge;
}

/** The grudge of a shape over nodes (a leader shape needs `leader`). Pure: the random source decides. */
export function partitionGrudge(shape: PartitionShape, nodes: readonly string[], random: Random, leader?: string): Grudge {
  const n = nodes.length;
  if (n < 2) throw new Error(`a partition needs at least two nodes (got ${n})`);
  const s = random.shuffle(nodes);
  switch (shape) {
    case "one":
      return completeGrudge([s.slice(0, 1), s.slice(1)]);
    case "leader": {
      if (leader === undefined || !nodes.includes(leader)) throw new Error(`no leader among ${nodes.join(", ")} to isolate`);
      return completeGrudge([[leader], nodes.filter((x) => x !== leader)]);
    }
    case "minority-third": {
      const k = Math.max(1, Math.floor(n / 3));
      return completeGrudge([s.slice(0, k), s.slice(k)]);
    }
    case "random-halves": {
      const k = Math.floor(n / 2);
      return completeGrudge([s.slice(0, k), s.slice(k)]);
    }
    case "bridge": {
      // Two halves that cannot talk, and one node that talks to both.
      if (n < 3) throw new Error("a bridge needs at least three nodes");
      const k = Math.floor(n / 2);
      const a = s.slice(0, k);
      const b = s.slice(k + 1);
      const grudge = new Map<string, Set<string>>([[s[k]!, new Set()]]);
      for (const x of a) grudge.set(x, new Set(b));
      for (const x of b) grudge.set(x, new Set(a));
      return grudge;
    }
    case "majorities-ring": {
      // Nodes on a ring; each sees the majority centred on itself, so every node sees a majority, but no two
      // see the same one (for 3 nodes: each drops one other, one way).
      const m = Math.floor(n / 2) + 1;
      const grudge = new Map<string, Set<string>>();
      s.forEach((node, i) => {
        const sees = new Set(Array.from({ length: m }, (_, j) => s[(i - Math.floor(m / 2) + j + n) % n]!));
        grudge.set(node, new Set(s.filter((o) => !sees.has(o))));
      });
      return grudge;
    }
  }
}

export function describeGrudge(grudge: Grudge): string {
  return [...grudge].filter(([, from]) => from.size > 0).map(([node, from]) => `${node} drops ${[...from].sort().join("+")}`).sort().join("; ");
}

/** IPv4 address of each service on its (first) compose network, read at the moment of the fault. */
async function addresses(cluster: StartedCluster, services: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const service of services) {
    const ip = await cluster.address(service);
    if (ip === undefined) throw new Error(`${service} has no IP address (is it running?)`);
    out.set(service, ip);
  }
  return out;
}

/** The filter rules a fault adds live in their own chain, so healing removes exactly them. */
const CHAIN = "PGOH_FAULT";
const addChain = `iptables -w -N ${CHAIN} 2>/dev/null; iptables -w -C INPUT -j ${CHAIN} 2>/dev/null || iptables -w -I INPUT -j ${CHAIN}`;
const dropChain = `iptables -w -D INPUT -j ${CHAIN} 2>/dev/null; iptables -w -F ${CHAIN} 2>/dev/null; iptables -w -X ${CHAIN} 2>/dev/null; true`;

export function partition(opts: { shapes: readonly PartitionShape[] }): FaultKind {
  if (opts.shapes.length === 0) throw new Error("partition: give at least one shape");
  return {
    name: "partition",
    params: { shapes: opts.shapes },
    async start(ctx) {
      const shape = ctx.random.pick(opts.shapes);
      const leader = shape === "leader" ? await ctx.leader?.() : undefined;
      const grudge = partitionGrudge(shape, ctx.nodes, ctx.random, leader);
      const ips = await addresses(ctx.cluster, ctx.nodes);
      const cut = [...grudge].filter(([, from]) => from.size > 0);
      const healers: string[] = [];
      try {
        await Promise.all(
          cut.map(async ([node, from]) => {
            healers.push(node);
            const rules = [...from].map((o) => `iptables -w -A ${CHAIN} -s ${ips.get(o)} -j DROP`).join(" && ");
            await ctx.sidecars.run(node, `${addChain} && ${rules}`);
          }),
        );
      } catch (err) {
        await Promise.all(healers.map((node) => ctx.sidecars.run(node, dropChain).catch(() => undefined)));
        throw err;
      }
      return {
        targets: cut.map(([node]) => node).sort(),
        detail: `${shape}${leader !== undefined ? ` (${leader})` : ""}: ${describeGrudge(grudge)}`,
        heal: async () => {
          await Promise.all(cut.map(([node]) => ctx.sidecars.run(node, dropChain)));
        },
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Process faults: docker pause (SIGSTOP of every process, by the freezer cgroup) and SIGKILL then restart.

export function pause(opts: { select: readonly Selection[] }): FaultKind {
  return {
    name: "pause",
    params: { select: opts.select },
    async start(ctx) {
      const how = ctx.random.pick(opts.select);
      const targets = await select(ctx, how);
      const paused: string[] = [];
      const unpause = () => Promise.all(paused.map((s) => ctx.cluster.unpause(s)));
      try {
        for (const s of targets) {
          await ctx.cluster.pause(s);
          paused.push(s);
        }
      } catch (err) {
        await unpause().catch(() => undefined);
        throw err;
      }
      return { targets, detail: `pause ${how}: ${targets.join(", ")}`, heal: async () => void (await unpause()) };
    },
  };
}

export function kill(opts: { select: readonly Selection[] }): FaultKind {
  return {
    name: "kill",
    params: { select: opts.select },
    async start(ctx) {
      const how = ctx.random.pick(opts.select);
      const targets = await select(ctx, how);
      const restart = () => Promise.all(targets.map((s) => ctx.cluster.start(s)));
      try {
        await Promise.all(targets.map((s) => ctx.cluster.kill(s, "SIGKILL")));
      } catch (err) {
        await restart().catch(() => undefined);
        throw err;
      }
      return { targets, detail: `SIGKILL ${how}: ${targets.join(", ")}, restarted when healed`, heal: async () => void (await restart()) };
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Packet faults: tc netem (delay, loss, duplicate, reorder) on every node's interface. Where the kernel has no
// netem, loss and duplication come from iptables (statistic match, TEE) and delay/reorder are reported as not
// applied.

export interface PacketOptions {
  readonly delayMs?: number;
  readonly jitterMs?: number;
  readonly lossPct?: number;
  readonly duplicatePct?: number;
  readonly reorderPct?: number;
}

export function packets(opts: PacketOptions): FaultKind {
  const wants = Object.entries(opts).filter(([, v]) => v !== undefined && v > 0);
  if (wants.length === 0) throw new Error("packets: ask for at least one of delayMs, lossPct, duplicatePct, reorderPct");
  for (const [k, v] of wants) if (k.endsWith("Pct") && (v as number) > 100) throw new Error(`packets: ${k} must be 0..100 (got ${v})`);
  return {
    name: "packets",
    params: { ...opts },
    async start(ctx) {
      const targets = [...ctx.nodes];
      let detail: string;
      let script: (peers: string[]) => string;
      let undo: string;
      if (ctx.netem) {
        const args = [
          opts.delayMs ? `delay ${opts.delayMs}ms${opts.jitterMs ? ` ${opts.jitterMs}ms` : ""}` : "",
          opts.lossPct ? `loss ${opts.lossPct}%` : "",
          opts.duplicatePct ? `duplicate ${opts.duplicatePct}%` : "",
          opts.reorderPct ? `reorder ${opts.reorderPct}%` : "",
        ].filter((a) => a !== "").join(" ");
        detail = `netem ${args}`;
        script = () => `tc qdisc replace dev eth0 root netem ${args}`;
        undo = "tc qdisc del dev eth0 root 2>/dev/null; true";
      } else {
        const p = (pct: number) => (pct / 100).toFixed(4);
        const missing = [opts.delayMs ? "delay" : "", opts.reorderPct ? "reorder" : ""].filter((x) => x !== "");
        detail = [
          opts.lossPct ? `loss ${opts.lossPct}% (iptables)` : "",
          opts.duplicatePct ? `duplicate ${opts.duplicatePct}% (iptables TEE)` : "",
          missing.length > 0 ? `${missing.join(", ")} not applied: this kernel has no netem qdisc` : "",
        ].filter((x) => x !== "").join("; ");
        script = (peers) =>
          [
            addChain,
            opts.lossPct ? `iptables -w -A ${CHAIN} -m statistic --mode random --probability ${p(opts.lossPct)} -j DROP` : "",
            ...(opts.duplicatePct
              ? [`iptables -w -t mangle -N ${CHAIN} 2>/dev/null; iptables -w -t mangle -C OUTPUT -j ${CHAIN} 2>/dev/null || iptables -w -t mangle -I OUTPUT -j ${CHAIN}`,
                 ...peers.map((ip) => `iptables -w -t mangle -A ${CHAIN} -d ${ip} -m statistic --mode random --probability ${p(opts.duplicatePct!)} -j TEE --gateway ${ip}`)]
              : []),
          ].filter((x) => x !== "").join(" && ");
        undo = `${dropChain}; iptables -w -t mangle -D OUTPUT -j ${CHAIN} 2>/dev/null; iptables -w -t mangle -F ${CHAIN} 2>/dev/null; iptables -w -t mangle -X ${CHAIN} 2>/dev/null; true`;
      }
      const ips = await addresses(ctx.cluster, targets);
      const done: string[] = [];
      try {
        await Promise.all(
          targets.map(async (node) => {
            done.push(node);
            await ctx.sidecars.run(node, script([...ips].filter(([o]) => o !== node).map(([, ip]) => ip)));
          }),
        );
      } catch (err) {
        await Promise.all(done.map((node) => ctx.sidecars.run(node, undo).catch(() => undefined)));
        throw err;
      }
      return { targets, detail, heal: async () => void (await Promise.all(targets.map((node) => ctx.sidecars.run(node, undo)))) };
    },
  };
}
