// SIGKILL of one server, a minority or the leader while 3 clients run 200 operations each; each killed server
// is started again when the fault heals and recovers from its persisted state. FAULT_SEED=<n> replays a schedule.
// A restarted server's instances continue in a new trace file each (their next incarnation, the clock counting
// on); TraceLink judges them as such: the structural checks and the design check (which takes the design's
// Restart(n) between a server's incarnations) on the collected traces, and the design check in the container
// (finally_tracelink) on its live cut. Measured here: the cut of a 3 × 200 run (8,391 records) in 10 s, the
// collected traces of another (9,604 records) in 12 s.
import { describeSystem } from "../../harness/vitest/describe-system.ts";
import { kill } from "../../harness/faults/kinds.ts";
import raftkvs, { serverNemesis } from "../../systems/raftkvs/system.ts";

describeSystem(raftkvs, {
  title: "raftkvs with servers killed and restarted, 3 clients × 200 operations",
  env: { RAFTKVS_CLIENTS: "3", RAFTKVS_OPS: "200", COMPOSER_REGIMES: "parallel", COMPOSER_COPIES: "3" },
  faults: [serverNemesis("kills", [kill({ select: ["one", "minority", "leader"] })])],
  skipWhen: (system) => (system.ready === undefined ? `${system.name} from ${system.checkout ?? "this build"} announces no leader in its logs` : undefined),
});
