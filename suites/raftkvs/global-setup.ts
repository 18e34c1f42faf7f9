import { systemGlobalSetup } from "../../harness/vitest/global-setup.ts";
import raftkvs from "../../systems/raftkvs/system.ts";

export default systemGlobalSetup(raftkvs);
