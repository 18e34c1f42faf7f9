import { systemGlobalSetup } from "../../harness/vitest/global-setup.ts";
import dqueue from "../../systems/dqueue/system.ts";

export default systemGlobalSetup(dqueue);
