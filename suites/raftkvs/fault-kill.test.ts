// SIGKILL of one server, a minority or the leader while 3 clients run 100 operations each; each killed server
// is started again when the fault heals and recovers from its persisted state. FAULT_SEED=<n> replays a schedule.
// A restarted server's instances continue in a new trace file each (their next incarnation, the clock counting
// on); TraceLink judges them as such: the structural checks on the collected traces, and the design check in the
// container (finally_tracelink), which takes the design's Restart(n) between a server's incarnations. As in the
// other fault variants the design is not checked again on the complete collected traces (raftkvsUnderFaults), and
// the workload is 3 × 100: at 3 × 200 the in-container check of the cut (8,391 records) ran out of its 600 s here.
import { describeSystem } from "../../harness/vitest/describe-system.ts";
import { kill } from "../../harness/faults/kinds.ts";
import { raftkvsUnderFaults, serverNemesis } from "../../systems/raftkvs/system.ts";

describeSystem(raftkvsUnderFaults, {
  title: "raftkvs with servers killed and restarted, 3 clients × 100 operations",
  env: { RAFTKVS_CLIENTS: "3", RAFTKVS_OPS: "100", COMPOSER_REGIMES: "parallel", COMPOSER_COPIES: "3" },
  faults: [serverNemesis("kills", [kill({ select: ["one", "minority", "leader"] })])],
  skipWhen: (system) => (system.ready === undefined ? `${system.name} from ${system.checkout ?? "this build"} announces no leader in its logs` : undefined),
});
