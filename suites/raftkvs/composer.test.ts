// The test composer on raftkvs: three timelines, each on a fresh compose project with its own seed, whose
// drivers are parallel_driver_random_workload copies running at once in 2–3 client containers (chosen per
// seed and round), anytime/eventually/finally as the template has them. Each timeline's traces must pass every
// check. 50 operations per copy (0.3–2 s each here, longer than the up-to-0.1 s stagger between copies, so they
// overlap), to keep the three timelines short.
import { describeSystem } from "../../harness/vitest/describe-system.ts";
import raftkvs from "../../systems/raftkvs/system.ts";

describeSystem(raftkvs, {
  title: "raftkvs under the test composer, parallel drivers",
  env: { RAFTKVS_CLIENTS: "3", RAFTKVS_OPS: "50", COMPOSER_TIMELINES: "3", COMPOSER_REGIMES: "parallel" },
});
