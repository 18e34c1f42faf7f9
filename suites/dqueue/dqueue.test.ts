// dqueue end to end: up → workload → collect → checks, always down -v.
import { describeSystem } from "../../harness/vitest/index.ts";
import dqueue from "../../systems/dqueue/system.ts";

export default describeSystem(dqueue);
