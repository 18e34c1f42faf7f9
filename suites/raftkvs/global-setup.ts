import { systemGlobalSetup } from "../../harness/vitest/index.ts";
import raftkvs from "../../systems/raftkvs/system.ts";

export default systemGlobalSetup(raftkvs);
