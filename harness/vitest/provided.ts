// What a system's global setup hands to its tests (must survive structuredClone).
import type { PreparedSystem } from "../run/prepare.ts";
import type { SubmitOutcome } from "../submit/submit.ts";

export type { PreparedSystem } from "../run/prepare.ts";

export const PROVIDED_KEY = "pgoHarnessPrepared";
export const SUBMIT_KEY = "pgoHarnessSubmitted";

declare module "vitest" {
  export interface ProvidedContext {
    pgoHarnessPrepared: PreparedSystem;
    pgoHarnessSubmitted: SubmitOutcome;
  }
}
