// Ctrl-C or SIGTERM during a long dqueue workload leaves nothing behind.
import { testInterruptions } from "../../harness/vitest/index.ts";

testInterruptions({ project: "dqueue", file: "suites/dqueue/dqueue.test.ts", env: { DQUEUE_ITEMS: "1000000" } });
