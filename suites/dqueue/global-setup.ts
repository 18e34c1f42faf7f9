import { systemGlobalSetup } from "../../harness/vitest/index.ts";
import dqueue from "../../systems/dqueue/system.ts";

export default systemGlobalSetup(dqueue);
