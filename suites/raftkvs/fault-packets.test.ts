// Packet faults on every server's interface while 3 clients run 200 operations each: tc netem delay, loss,
// duplication and reordering where the kernel has netem; otherwise loss and duplication by iptables, and the
// report says that delay and reordering were not applied. FAULT_SEED=<n> replays a schedule.
import { describeSystem } from "../../harness/vitest/describe-system.ts";
import { packets } from "../../harness/faults/kinds.ts";
import raftkvs, { serverNemesis } from "../../systems/raftkvs/system.ts";

describeSystem(raftkvs, {
  title: "raftkvs with packets delayed, lost, duplicated and reordered, 3 clients × 200 operations",
  env: { RAFTKVS_CLIENTS: "3", RAFTKVS_OPS: "200", COMPOSER_REGIMES: "parallel", COMPOSER_COPIES: "3" },
  faults: [serverNemesis("packets", [packets({ delayMs: 20, jitterMs: 10, lossPct: 10, duplicatePct: 10, reorderPct: 20 })])],
  skipWhen: (system) => (system.ready === undefined ? `${system.name} from ${system.checkout ?? "this build"} announces no leader in its logs` : undefined),
});
