// Jepsen's classic nemesis: crash the leader (SIGKILL) while the clients run. The workload must still complete
// after a new election, and the checks must still pass on what was recorded.
import { describeSystem } from "../../harness/vitest/index.ts";
import raftkvs, { killLeader } from "../../systems/raftkvs/system.ts";

export default describeSystem(raftkvs, {
  title: "raftkvs with the leader killed during the workload",
  env: { RAFTKVS_OPS: "200" },
  faults: [killLeader({ afterDriverLines: 40 })],
  // The leader is found from the servers' "became leader" lines, which PGo's raftkvs does not print.
  skipWhen: (system) => (system.ready === undefined ? `${system.name} from ${system.checkout ?? "this build"} announces no leader in its logs, so the leader cannot be found to be killed` : undefined),
});
