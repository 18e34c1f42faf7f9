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

/** What a fault may use before the drivers start (e.g. to build and start its sidecars). */
export interface FaultPrepareContext {
  readonly log: Logger;
  /** The base image the system images were built from (sidecars are built from it too). */
  readonly baseImage: string;
  readonly signal?: AbortSignal;
}

/** One interval during which a fault was in effect (wall-clock milliseconds since the epoch). */
export interface FaultWindow {
  readonly kind: string;
  readonly targets: readonly string[];
  readonly start: number;
  /** When it was healed; undefined if it never was (a bug: reported by the nemesis's check). */
  readonly end: number | undefined;
  readonly detail?: string;
}

export interface Fault {
  readonly name: string;
  /** What is known before the run (e.g. the seed and the kinds); recorded in run.json. */
  readonly plan?: Record<string, unknown>;
  /** Before the workload: build or start what injecting needs, so that the first fault is not late. */
  prepare?(cluster: StartedCluster, ctx: FaultPrepareContext): Promise<void>;
  /**
   * Undoes whatever is still in effect and removes helpers (idempotent). The harness calls it before
   * collection and before teardown, also after a failure; inject heals on its own when the drivers finish.
   */
  heal?(cluster: StartedCluster): Promise<void>;
  /** Runs alongside the drivers; resolves with what it did (kept in results.json). */
  inject(cluster: StartedCluster, ctx: FaultContext): Promise<Record<string, unknown>>;
  /** After the workload: did the system recover as it should? */
  check?(cluster: StartedCluster, injected: Record<string, unknown>): Promise<CheckResult>;
}
