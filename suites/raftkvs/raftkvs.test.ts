// The main job: 3 servers and a client, a random workload (RAFTKVS_OPS, default 20; RAFTKVS_CLIENTS, default 1),
// TraceLink and history checks, always down -v.
import { describeSystem } from "../../harness/vitest/index.ts";
import raftkvs from "../../systems/raftkvs/system.ts";

export default describeSystem(raftkvs);
