// What suite files (suites/<name>/) import: the Vitest entry points. Kept apart from harness/index.ts, which
// systems import, so that loading a system's definition outside Vitest (pgo-harness run) never loads Vitest.
export { describeSystem } from "./describe-system.ts";
export { systemGlobalSetup } from "./global-setup.ts";
export { testInterruptions } from "./interruptions.ts";
export type { VariantOptions as RunOptions } from "../run/variant.ts";
