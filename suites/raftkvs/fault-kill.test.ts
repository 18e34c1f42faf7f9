// SIGKILL of one server, a minority or the leader while 3 clients run 200 operations each; each killed server
// is started again when the fault heals and recovers from its persisted state. FAULT_SEED=<n> replays a schedule.
// Judged by every-request-answered and linearizability, not by TraceLink: a restarted server opens a new trace
// file for the same instance whose clock continues the first incarnation's (its first line's own entry is
// e.g. 327), and the TraceLink checks model one file per instance, so they cannot judge a restart yet.
import { describeSystem } from "../../harness/vitest/describe-system.ts";
import { kill } from "../../harness/faults/kinds.ts";
import raftkvs, { serverNemesis } from "../../systems/raftkvs/system.ts";

describeSystem(
  { ...raftkvs, checks: (settings, system) => raftkvs.checks(settings, system).filter((c) => c.name !== "tracelink") },
  {
    title: "raftkvs with servers killed and restarted, 3 clients × 200 operations",
    env: { RAFTKVS_CLIENTS: "3", RAFTKVS_OPS: "200", COMPOSER_REGIMES: "parallel", COMPOSER_COPIES: "3" },
    faults: [serverNemesis("kills", [kill({ select: ["one", "minority", "leader"] })])],
    skipWhen: (system) => (system.ready === undefined ? `${system.name} from ${system.checkout ?? "this build"} announces no leader in its logs` : undefined),
  },
);
