// raftkvs: a Raft-replicated key-value store (our hand-written counterpart of PGo's systems/raftkvs), three
// servers and up to three clients. Its assets run PGo's raftkvs unchanged (same flags, same config keys).
import {
  defineSystem,
  killDuringWorkload,
  linearizabilityChecker,
  logClaims,
  nemesis,
  pgoJarChecker,
  pgoJarCheckerInCheckout,
  specCheckerInCheckout,
  traceLinkChecker,
  type Fault,
  type FaultKind,
  type NemesisOptions,
  type StartedCluster,
  type SystemDefinition,
} from "../../harness/index.ts";
import { everyRequestAnswered, withRecordBudget } from "./checks.ts";
import { clientHistory } from "./shapes.ts";

/** Every server prints this when it becomes leader; the harness reads it to find the leader. */
const BECAME_LEADER = /became leader in term (\d+)/;
const SERVERS = /^server\d+$/;
const MAX_CLIENTS = 3;
/** Our design; its raftkvsValidate.cfg declares MAX_CLIENTS clients, so it fits runs of 1 to 3. */
const SPEC = "systems/raftkvs/raftkvs.tla";
/** PGo's raftkvs spec takes its constants from one file per server count; the compose file runs 3 servers. */
const PGO_SPEC_CFG = "systems/raftkvs/raftkvsValidate3.cfg";
/**
 * pgo.jar + TLC on our spec: runs up to this many trace records are checked, larger ones skipped (times measured
 * here are in testdata/README.md, "tracelink/ours/raftkvs"), and TLC is stopped after PGO_JAR_TIMEOUT_MS.
 */
const PGO_JAR_MAX_RECORDS = 3000;
const PGO_JAR_TIMEOUT_MS = 600_000;

const raftkvs = defineSystem({
  name: "raftkvs",
  spec: SPEC,
  modules: [
    { name: "support", dir: "systems/support" },
    { name: "raftkvs", dir: "systems/raftkvs" },
  ],
  binaries: [
    { name: "raftkvs-server", package: "./raftkvs/cmd/server" },
    { name: "raftkvs-client", package: "./raftkvs/cmd/client" },
    { name: "ready", package: "./support/cmd/ready" },
  ],
  // With PGO_DIR: PGo's own raftkvs (same cmd/server and cmd/client, same flags and config keys) and distsys.
  pgo: {
    modules: [
      { name: "distsys", dir: "distsys" },
      { name: "raftkvs", dir: "systems/raftkvs" },
    ],
    specCfg: PGO_SPEC_CFG,
  },
  assets: "antithesis/raftkvs",
  images: [
    { name: "server", dockerfile: "Dockerfile.server", ref: "raftkvs-server:antithesis" },
    { name: "client", dockerfile: "Dockerfile.client", ref: "raftkvs-client:antithesis" },
    { name: "config", dockerfile: "Dockerfile.config", ref: "raftkvs-config:antithesis", config: true },
  ],
  template: "raftkvs",
  // Antithesis builds (ANTITHESIS=1) instrument the system's own module for coverage.
  instrument: ["raftkvs"],
  tracesVolume: "traces",
  workloadEnv: [
    { name: "RAFTKVS_OPS", int: [1, 1_000_000_000] },
    { name: "RAFTKVS_CLIENTS", int: [1, MAX_CLIENTS] },
  ],
  // The driver runs once per client container, all at once.
  driverServices: (env) => {
    const n = Number(env["RAFTKVS_CLIENTS"] ?? "1");
    if (!Number.isInteger(n) || n < 1 || n > MAX_CLIENTS) throw new Error(`RAFTKVS_CLIENTS must be 1..${MAX_CLIENTS} (got "${env["RAFTKVS_CLIENTS"]}")`);
    return Array.from({ length: n }, (_, i) => `client${i + 1}`);
  },
  ready: { services: SERVERS, logMessage: BECAME_LEADER },
  // TraceLink structure, every request answered, the clients' history linearizable (get/put on a KV store), and
  // pgo.jar's TraceLink (when a jar is given) against our spec, or against PGo's raftkvs spec for PGo's build.
  checks: (settings, system) => [
    traceLinkChecker(),
    everyRequestAnswered(),
    linearizabilityChecker({ history: clientHistory }),
    settings.pgoDir !== undefined
      ? pgoJarCheckerInCheckout(settings, "systems/raftkvs/raftkvs.tla")
      : withRecordBudget(
          pgoJarChecker({ spec: system.spec, pgoJar: settings.pgoJar, env: settings.env, timeoutMs: PGO_JAR_TIMEOUT_MS }),
          PGO_JAR_MAX_RECORDS,
          "measured here: 1,949 records took 2 minutes, 4,125 took 9, 10,545 were not done after 12",
        ),
    // The native validator, on every run: PGo's spec (3 servers) under PGO_DIR, else ours.
    specCheckerInCheckout(settings, "systems/raftkvs/raftkvs.tla", system.spec, PGO_SPEC_CFG),
  ],
});
export default raftkvs;

/** The server that most recently claimed leadership (highest term). */
async function currentLeader(cluster: StartedCluster): Promise<{ service: string; term: number }> {
  const claims = await logClaims(cluster, SERVERS, BECAME_LEADER);
  const last = claims.at(-1);
  if (last === undefined) throw new Error("no server has claimed leadership");
  return { service: last.service, term: last.n };
}

/** SIGKILL the leader once the drivers have printed `afterDriverLines` lines; then a new leader must be elected. */
export function killLeader(opts: { afterDriverLines: number }): Fault {
  return killDuringWorkload({
    name: "kill the leader",
    afterDriverLines: opts.afterDriverLines,
    pick: async (cluster) => {
      const leader = await currentLeader(cluster);
      return { service: leader.service, why: `leader in term ${leader.term}` };
    },
    check: async (cluster, injected) => {
      const killed = String(injected["killed"]);
      const claims = await logClaims(cluster, SERVERS, BECAME_LEADER);
      const killedTerm = Math.max(...claims.filter((c) => c.service === killed).map((c) => c.n));
      const successor = claims.find((c) => c.service !== killed && c.n > killedTerm);
      return {
        name: "raftkvs/new-leader-after-kill",
        valid: successor !== undefined,
        summary:
          successor !== undefined
            ? `${successor.service} became leader in term ${successor.n} after ${killed} (leader in term ${killedTerm}) was killed`
            : `no other server became leader after ${killed} (leader in term ${killedTerm}) was killed; claims: ${claims.map((c) => `${c.service}@${c.n}`).join(", ")}`,
        details: { killed, killedTerm, claims },
      };
    },
  });
}

/**
 * A seeded fault schedule on the three servers (clients are never faulted), the leader found from the logs.
 * Short faults, because 3 × 200 operations take only seconds when nothing goes wrong.
 */
export function serverNemesis(name: string, kinds: readonly FaultKind[], opts: Partial<Pick<NemesisOptions, "quietMs" | "faultMs" | "seed" | "minFaults">> = {}): Fault {
  return nemesis({
    name,
    kinds,
    nodes: SERVERS,
    quietMs: opts.quietMs ?? [100, 600],
    faultMs: opts.faultMs ?? [500, 1500],
    leader: async (cluster) => (await currentLeader(cluster)).service,
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.minFaults !== undefined ? { minFaults: opts.minFaults } : {}),
  });
}
