// dqueue: a producer and a consumer archetype over TCP mailboxes (our hand-written counterpart of PGo's
// systems/dqueue). The test binary runs both; the driver command fails unless items arrive exactly, in order.
import { queueChecker } from "../../harness/history/index.ts";
import { defineSystem } from "../../harness/system.ts";
import { pgoJarCheckerInCheckout } from "../../harness/tracelink/pgo-jar.ts";
import { traceLinkChecker } from "../../harness/tracelink/index.ts";
import { specCheckerInCheckout } from "../../harness/tracelink/spec/checker.ts";

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
  workloadEnv: ["DQUEUE_ITEMS", "DQUEUE_PLANT"],
  // The design our dqueue implements, with its translation; its traces are validated against it.
  spec: "systems/dqueue/dqueue.tla",
  // TraceLink structure, the queue's promise (every item consumed once, in order), and pgo.jar's TraceLink when
  // a jar is given: against our spec, or under PGO_DIR (PGo's build) against PGo's dqueue spec.
  checks: (settings, system) => [
    traceLinkChecker(),
    queueChecker(),
    pgoJarCheckerInCheckout(settings, "systems/dqueue/dqueue.tla", system.spec),
    // The same question answered natively (no JVM): PGo's spec under PGO_DIR, else ours.
    specCheckerInCheckout(settings, "systems/dqueue/dqueue.tla", system.spec),
  ],
});
