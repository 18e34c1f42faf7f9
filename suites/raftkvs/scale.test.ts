// Three clients at once, 200 operations each: more concurrency for the checks to judge.
import { describeSystem } from "../../harness/vitest/describe-system.ts";
import raftkvs from "../../systems/raftkvs/system.ts";

describeSystem(raftkvs, { title: "raftkvs, 3 clients × 200 operations", env: { RAFTKVS_CLIENTS: "3", RAFTKVS_OPS: "200" } });
