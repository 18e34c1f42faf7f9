// The global setup alone, not the suite entry points (harness/vitest/index.ts): the main process then never loads
// the pipeline and Vitest's test runtime, which only the test worker needs.
import { systemGlobalSetup } from "../../harness/vitest/global-setup.ts";
import raftkvs from "../../systems/raftkvs/system.ts";

export default systemGlobalSetup(raftkvs);
