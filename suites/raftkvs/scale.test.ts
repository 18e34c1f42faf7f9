// Three clients at once, 200 operations each: more concurrency for the checks to judge.
import { describeSystem } from "../../harness/vitest/describe-system.ts";
import raftkvs from "../../systems/raftkvs/system.ts";

describeSystem(raftkvs, {
  title: "raftkvs, 3 clients × 200 operations",
  // Three copies of the parallel driver at once, one per client (a singleton_driver_ would run alone).
  env: { RAFTKVS_CLIENTS: "3", RAFTKVS_OPS: "200", COMPOSER_REGIMES: "parallel", COMPOSER_COPIES: "3" },
  // Measured here (2 cores, otherwise idle): PGo's raftkvs does 3 × 50 operations in 29 s, but on 3 × 200 it
  // stalled after about 120 operations (no progress for minutes, its clients timing out over and over); ours
  // does the 600 in about 1.5 s. So on a checkout this variant is not run; the main file takes RAFTKVS_CLIENTS.
  skipWhen: (system) =>
    system.checkout !== undefined
      ? "PGo's raftkvs stalls on 3 × 200 operations here (about 120 done, then none for minutes); run suites/raftkvs/raftkvs.test.ts with RAFTKVS_CLIENTS=3 RAFTKVS_OPS=50 instead (29 s measured)"
      : undefined,
});
