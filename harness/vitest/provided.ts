// What a system's global setup hands to its tests (must survive structuredClone).
import type { BuiltImage } from "../image/index.ts";
import type { SubmitOutcome } from "../submit/submit.ts";

export interface PreparedSystem {
  readonly system: string;
  readonly baseImage: string;
  readonly build: { readonly hash: string; readonly cached: boolean; readonly workspace: string; readonly binDir: string; readonly symbolsDir: string | undefined };
  readonly images: readonly BuiltImage[];
}

export const PROVIDED_KEY = "pgoHarnessPrepared";
export const SUBMIT_KEY = "pgoHarnessSubmitted";

declare module "vitest" {
  export interface ProvidedContext {
    pgoHarnessPrepared: PreparedSystem;
    pgoHarnessSubmitted: SubmitOutcome;
  }
}
