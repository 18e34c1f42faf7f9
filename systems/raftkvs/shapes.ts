// What the harness's history checks need to know of raftkvs's traces: its client archetype and channels.
import { raftkvsHistory, type ClientShape } from "../../harness/index.ts";

/** A committed read of reqCh is a request taken (invoke), a committed write of respCh its answer (completion). */
export const RAFTKVS_CLIENT: ClientShape = { archetype: "AClient", request: "reqCh", response: "respCh" };

/** The clients' get/put history from a run's traces. */
export const clientHistory = (tracesDir: string) => raftkvsHistory(tracesDir, RAFTKVS_CLIENT);
