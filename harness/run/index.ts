// What scripts that drive runs import (bench/, a CI job of one's own): resolve a context once, prepare, run the
// pipeline. Kept out of harness/index.ts, which system definitions import and which must stay light.
export { resolveContext, requireDocker, type ContextOptions, type RunContext } from "./context.ts";
export { runPipeline, STAGES, type PipelineEvent, type PipelineOptions, type PipelineResult, type Stage, type StageOutcome } from "./pipeline.ts";
export { prepareSystem, type PrepareOptions, type PreparedSystem } from "./prepare.ts";
export { isVariant, variant, type Variant, type VariantOptions } from "./variant.ts";
