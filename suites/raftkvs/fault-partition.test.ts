// Jepsen's partitions between the servers (one node, a minority third, majorities ring, bridge, random halves)
// while 3 clients run 200 operations each; the clients reach every server throughout. Seeded: FAULT_SEED=<n>
// replays a schedule (the seed is in the report, run.json and results.json).
import { describeSystem } from "../../harness/vitest/describe-system.ts";
import { partition } from "../../harness/faults/kinds.ts";
import raftkvs, { serverNemesis } from "../../systems/raftkvs/system.ts";

describeSystem(raftkvs, {
  title: "raftkvs under partitions, 3 clients × 200 operations",
  env: { RAFTKVS_CLIENTS: "3", RAFTKVS_OPS: "200", COMPOSER_REGIMES: "parallel", COMPOSER_COPIES: "3" },
  faults: [serverNemesis("partitions", [partition({ shapes: ["one", "minority-third", "majorities-ring", "bridge", "random-halves", "leader"] })])],
  skipWhen: (system) => (system.ready === undefined ? `${system.name} from ${system.checkout ?? "this build"} announces no leader in its logs` : undefined),
});
