// Jepsen's combined nemesis: partitions, pauses, packet faults and kills with restart, one at a time in a seeded
// random order, while 3 clients run 200 operations each; TraceLink judges the restarted servers' incarnations
// (see fault-kill.test.ts). FAULT_SEED=<n> replays a schedule.
import { describeSystem } from "../../harness/vitest/describe-system.ts";
import { kill, packets, partition, pause } from "../../harness/faults/kinds.ts";
import raftkvs, { serverNemesis } from "../../systems/raftkvs/system.ts";

describeSystem(raftkvs, {
  title: "raftkvs under mixed faults, 3 clients × 200 operations",
  env: { RAFTKVS_CLIENTS: "3", RAFTKVS_OPS: "200", COMPOSER_REGIMES: "parallel", COMPOSER_COPIES: "3" },
  faults: [
    serverNemesis(
      "mixed",
      [
        partition({ shapes: ["one", "minority-third", "majorities-ring", "bridge", "random-halves", "leader"] }),
        pause({ select: ["one", "minority", "leader"] }),
        packets({ delayMs: 20, jitterMs: 10, lossPct: 10, duplicatePct: 10, reorderPct: 20 }),
        kill({ select: ["one", "minority", "leader"] }),
      ],
      // Short windows: 3 × 200 operations take 2–5 s here, and each window should leave room for another kind.
      { quietMs: [20, 200], faultMs: [300, 800] },
    ),
  ],
  skipWhen: (system) => (system.ready === undefined ? `${system.name} from ${system.checkout ?? "this build"} announces no leader in its logs` : undefined),
});
