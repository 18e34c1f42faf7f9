// SIGKILL of one server, a minority or the leader while 3 clients run 200 operations each; each killed server
// is started again when the fault heals and recovers from its persisted state. FAULT_SEED=<n> replays a schedule.
import { describeSystem } from "../../harness/vitest/describe-system.ts";
import { kill } from "../../harness/faults/kinds.ts";
import raftkvs, { serverNemesis } from "../../systems/raftkvs/system.ts";

describeSystem(raftkvs, {
  title: "raftkvs with servers killed and restarted, 3 clients × 200 operations",
  env: { RAFTKVS_CLIENTS: "3", RAFTKVS_OPS: "200" },
  faults: [serverNemesis("kills", [kill({ select: ["one", "minority", "leader"] })])],
  skipWhen: (system) => (system.ready === undefined ? `${system.name} from ${system.checkout ?? "this build"} announces no leader in its logs` : undefined),
});
