// Kill one service's container (SIGKILL, as a crash) once the workload has made some progress.
import type { StartedCluster } from "../compose/cluster.ts";
import type { Fault, FaultContext } from "./fault.ts";

export interface KillOptions {
  readonly name: string;
  /** Which service to kill, decided at the moment of the kill. */
  readonly pick: (cluster: StartedCluster) => Promise<{ service: string; why: string }>;
  /** Kill once this many driver output lines have been printed (so the workload is under way). */
  readonly afterDriverLines: number;
  readonly check?: Fault["check"];
}

export function killDuringWorkload(opts: KillOptions): Fault {
  return {
    name: opts.name,
    async inject(cluster: StartedCluster, ctx: FaultContext) {
      while (ctx.driverOutput().length < opts.afterDriverLines) {
        if (ctx.signal.aborted) throw new Error(`the drivers finished before printing ${opts.afterDriverLines} lines; nothing was killed`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const target = await opts.pick(cluster);
      await cluster.kill(target.service, "SIGKILL");
      const at = new Date().toISOString();
      ctx.log.info(`killed ${target.service} (${target.why}) after ${ctx.driverOutput().length} driver lines`);
      return { killed: target.service, why: target.why, at, afterDriverLines: ctx.driverOutput().length };
    },
    ...(opts.check !== undefined ? { check: opts.check } : {}),
  };
}

export interface LogClaim {
  readonly service: string;
  /** The number captured by the pattern's first group (e.g. a Raft term). */
  readonly n: number;
  readonly line: string;
}

/** Every log line of the matching services that matches `pattern`, whose first group is a number. */
export async function logClaims(cluster: StartedCluster, services: RegExp, pattern: RegExp): Promise<LogClaim[]> {
  const claims: LogClaim[] = [];
  for (const c of await cluster.containers()) {
    if (!services.test(c.service)) continue;
    for (const line of (await cluster.logs(c.service)).split("\n")) {
      const m = pattern.exec(line);
      if (m?.[1] !== undefined) claims.push({ service: c.service, n: Number(m[1]), line });
    }
  }
  return claims.sort((a, b) => a.n - b.n);
}
