// Faults (Jepsen's nemesis): something done to a running cluster while its drivers run. A fault is swappable
// like a checker: the suite lists the faults of a run; the harness starts each when the drivers start,
// waits for it, and reports its own check (e.g. "a new leader was elected") as a test.
import type { CheckResult } from "../check/checker.ts";
import type { StartedCluster } from "../compose/cluster.ts";
import type { Logger } from "../log.ts";

export interface FaultContext {
  readonly log: Logger;
  /** Aborted when the drivers have finished (a fault still waiting should give up) or the test is cancelled. */
  readonly signal: AbortSignal;
  /** Lines printed by the drivers so far, to time a fault by workload progress rather than by the clock. */
  readonly driverOutput: () => readonly string[];
}

export interface Fault {
  readonly name: string;
  /** Runs alongside the drivers; resolves with what it did (kept in results.json). */
  inject(cluster: StartedCluster, ctx: FaultContext): Promise<Record<string, unknown>>;
  /** After the workload: did the system recover as it should? */
  check?(cluster: StartedCluster, injected: Record<string, unknown>): Promise<CheckResult>;
}
