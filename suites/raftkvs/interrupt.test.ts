// Ctrl-C or SIGTERM during a long raftkvs workload leaves nothing behind.
import { testInterruptions } from "../../harness/vitest/index.ts";

testInterruptions({ project: "raftkvs", file: "suites/raftkvs/raftkvs.test.ts", env: { RAFTKVS_OPS: "1000000" } });
