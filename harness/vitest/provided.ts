// What a system's global setup hands to its tests (must survive structuredClone).
import type { PreparedSystem } from "../run/prepare.ts";
import type { SubmitOutcome } from "../submit/submit.ts";

export type { PreparedSystem } from "../run/prepare.ts";

export const PROVIDED_KEY = "pgoHarnessPrepared";
export const SUBMIT_KEY = "pgoHarnessSubmitted";
/** Set when the global setup failed: the suite reports it as one failing test instead of running. */
export const SETUP_FAILED_KEY = "pgoHarnessSetupFailed";

export interface SetupFailure {
  readonly system: string;
  /** One line naming the cause and the fix (a stack only for what is not a user error). */
  readonly message: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    pgoHarnessPrepared: PreparedSystem;
    pgoHarnessSubmitted: SubmitOutcome;
    pgoHarnessSetupFailed: SetupFailure | undefined;
  }
}
