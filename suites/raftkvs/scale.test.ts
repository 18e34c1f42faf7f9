// Three clients at once, 200 operations each: more concurrency for the checks to judge.
import { describeSystem } from "../../harness/vitest/describe-system.ts";
import raftkvs from "../../systems/raftkvs/system.ts";

describeSystem(raftkvs, {
  title: "raftkvs, 3 clients × 200 operations",
  env: { RAFTKVS_CLIENTS: "3", RAFTKVS_OPS: "200" },
  // Measured here (2 cores): PGo's raftkvs completed about 100 of these 600 operations in 11 minutes, its
  // clients timing out again and again; the variant is sized for our implementation (600 in about 1.5 s).
  skipWhen: (system) =>
    system.checkout !== undefined ? `3 × 200 operations take PGo's raftkvs far longer than a CI job allows (about 100 operations in 11 minutes measured on 2 cores); run it with RAFTKVS_CLIENTS=3 on the main suite file instead` : undefined,
});
