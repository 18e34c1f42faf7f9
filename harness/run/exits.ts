// Unplanned exits: a container of the run that stopped (or restarted) although no planned fault stopped it and
// the system does not declare it a one-shot job. A server that panics or is OOM-killed mid-workload must fail
// the run, named, even when the clients cope.
import { constants } from "node:os";
import type { ContainerState } from "../compose/cluster.ts";
import type { FaultOutcome } from "../workload/run.ts";

/** The services the run's faults say they stopped (`killed`, or `services`, in what they return). */
export function plannedStops(faults: readonly FaultOutcome[]): Set<string> {
  const out = new Set<string>();
  for (const f of faults) {
    const i = f.injected ?? {};
    if (typeof i["killed"] === "string") out.add(i["killed"]);
    if (Array.isArray(i["services"])) for (const s of i["services"]) if (typeof s === "string") out.add(s);
    // The nemesis's record: every window's targets (a kill it failed to heal is its own check's to report).
    if (Array.isArray(i["windows"])) for (const w of i["windows"] as { targets?: unknown }[]) for (const t of Array.isArray(w.targets) ? w.targets : []) if (typeof t === "string") out.add(t);
  }
  return out;
}

function signalName(exitCode: number): string | undefined {
  if (exitCode <= 128) return undefined;
  return Object.entries(constants.signals).find(([, n]) => n === exitCode - 128)?.[0];
}

/** One line per unplanned exit: service, exit code, signal, OOM kill, time. */
export function unplannedExits(states: readonly ContainerState[], planned: ReadonlySet<string>, oneShot: readonly string[]): string[] {
  const out: string[] = [];
  for (const s of states) {
    if (planned.has(s.service) || oneShot.includes(s.service)) continue;
    const stopped = s.status === "exited" || s.status === "dead";
    if (!stopped && s.restarts === 0) continue;
    const sig = signalName(s.exitCode);
    const how = [
      `exit code ${s.exitCode}${sig !== undefined ? ` (${sig})` : ""}`,
      s.oomKilled ? "OOM-killed" : undefined,
      s.restarts > 0 ? `restarted ${s.restarts} time(s)` : undefined,
      s.finishedAt !== "" && !s.finishedAt.startsWith("0001-") ? `at ${s.finishedAt}` : undefined,
    ].filter((x) => x !== undefined);
    out.push(`service "${s.service}" ${stopped ? "exited" : "is " + s.status} and no planned fault stopped it: ${how.join(", ")}`);
  }
  return out;
}
