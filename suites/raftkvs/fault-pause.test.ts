// docker pause (every process frozen) of one server, a minority, a majority, all of them or the leader, while
// 3 clients run 200 operations each; each pause ends with docker unpause. FAULT_SEED=<n> replays a schedule.
import { describeSystem } from "../../harness/vitest/describe-system.ts";
import { pause } from "../../harness/faults/kinds.ts";
import raftkvs, { serverNemesis } from "../../systems/raftkvs/system.ts";

describeSystem(raftkvs, {
  title: "raftkvs with servers paused, 3 clients × 200 operations",
  env: { RAFTKVS_CLIENTS: "3", RAFTKVS_OPS: "200", COMPOSER_REGIMES: "parallel", COMPOSER_COPIES: "3" },
  faults: [serverNemesis("pauses", [pause({ select: ["one", "minority", "majority", "all", "leader"] })])],
  skipWhen: (system) => (system.ready === undefined ? `${system.name} from ${system.checkout ?? "this build"} announces no leader in its logs` : undefined),
});
