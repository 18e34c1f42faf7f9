// dqueue: a producer and a consumer archetype over TCP mailboxes (our hand-written counterpart of PGo's
// systems/dqueue). The test binary runs both; the driver command fails unless items arrive exactly, in order.
import { defineSystem, pgoJarCheckerInCheckout, queueChecker, specCheckerInCheckout, traceLinkChecker } from "../../harness/index.ts";
import { DQUEUE_SHAPE } from "./shapes.ts";

export default defineSystem({
  name: "dqueue",
  modules: [
    { name: "support", dir: "systems/support" },
    { name: "dqueue", dir: "systems/dqueue" },
  ],
  binaries: [
    { name: "dqueue.test", package: "./dqueue", kind: "test" },
    { name: "ready", package: "./support/cmd/ready" },
  ],
  // With PGO_DIR: PGo's own dqueue (same package path, same test name) and its distsys runtime.
  pgo: {
    modules: [
      { name: "distsys", dir: "distsys" },
      { name: "dqueue", dir: "systems/dqueue" },
    ],
  },
  assets: "antithesis/dqueue",
  images: [
    { name: "test", dockerfile: "Dockerfile.test", ref: "dqueue:antithesis" },
    { name: "config", dockerfile: "Dockerfile.config", ref: "dqueue-config:antithesis", config: true },
  ],
  template: "dqueue",
  // Antithesis builds (ANTITHESIS=1) instrument the system's own module for coverage.
  instrument: ["dqueue"],
  tracesVolume: "traces",
  // DQUEUE_PLANT: a planted property failure, for the harness's own tests (suites/dqueue/planted.test.ts).
  workloadEnv: [
    { name: "DQUEUE_ITEMS", int: [1, 100_000_000] },
    { name: "DQUEUE_PLANT", values: ["always", "sometimes"] },
  ],
  // The design our dqueue implements, with its translation; its traces are validated against it.
  spec: "systems/dqueue/dqueue.tla",
  // TraceLink structure, the queue's promise (every item consumed once, in order), and pgo.jar's TraceLink when
  // a jar is given: against our spec, or under PGO_DIR (PGo's build) against PGo's dqueue spec.
  checks: (settings, system) => [
    traceLinkChecker(),
    queueChecker({ shape: DQUEUE_SHAPE }),
    pgoJarCheckerInCheckout(settings, "systems/dqueue/dqueue.tla", system.spec),
    // The same question answered natively (no JVM): PGo's spec under PGO_DIR, else ours.
    specCheckerInCheckout(settings, "systems/dqueue/dqueue.tla", system.spec),
  ],
});
