// What systems (systems/<name>/system.ts) import from the harness. The harness is grouped as:
//
//   definition   system.ts (defineSystem), settings.ts
//   stages       run/ drives them in the order written in run/pipeline.ts:
//                gobuild/ → image/ → compose/ (up, setup-complete, down -v, reaper) → workload/ (+ faults/) →
//                collect/ → properties/ → check/ (the checker contract), with docker/ owning the engine
//   checkers     tracelink/ (TraceLink traces, pgo.jar, spec validation), history/ (linearizability, queues)
//   shipping     antithesis/, submit/ (ANTITHESIS=1, pre-flight), instrument/
//   entry points vitest/ (suites: describeSystem, systemGlobalSetup — import them from harness/vitest/index.ts,
//                so that nothing here loads Vitest), cli/ (npx pgo-harness)
//
// Nothing here imports Vitest: `pgo-harness run` loads a system's definition without it. Nor does anything here
// load the run's machinery (the pipeline, dockerode, execa, yaml): Vitest's global setup, each test worker and
// the CLI import a definition on every run, and the checkers load what they need when they run. Scripts that
// drive runs import the pipeline from harness/run/index.ts. (harness/light-imports.test.ts holds this.)
export { defineSystem, DefinitionError, forCheckout, workloadEnvOf, type GoBinary, type GoModule, type ImageSpec, type SystemDefinition, type SystemInput } from "./system.ts";
export { loadSettings, SettingsError, type Settings } from "./settings.ts";
export { logger, type Logger } from "./log.ts";

// The run pipeline's types (its functions: harness/run/index.ts).
export type { PipelineEvent, PipelineOptions, PipelineResult, Stage, StageOutcome } from "./run/pipeline.ts";
export type { RunContext } from "./run/context.ts";
export type { PreparedSystem } from "./run/prepare.ts";
export { isVariant, variant, type Variant, type VariantOptions } from "./run/variant.ts";
export type { ServiceContainer, StartedCluster } from "./compose/cluster.ts";

// Faults (Jepsen's nemesis).
export type { Fault, FaultContext } from "./faults/fault.ts";
export { killDuringWorkload, logClaims, type KillOptions, type LogClaim } from "./faults/kill-service.ts";
export type { FaultKind } from "./faults/kinds.ts";
export { nemesis, type NemesisOptions } from "./faults/nemesis.ts";

// Checkers.
export { mergeVerdicts, runChecker, runCheckers, type CheckContext, type Checker, type CheckResult, type Verdict } from "./check/checker.ts";
export { traceLinkChecker } from "./tracelink/index.ts";
export { pgoJarChecker, pgoJarCheckerInCheckout } from "./tracelink/pgo-jar.ts";
export { specCheckerInCheckout } from "./tracelink/spec/checker.ts";
export { linearizabilityChecker, queueChecker } from "./history/checkers.ts";
export { raftkvsHistory, type ClientShape } from "./history/from-trace.ts";
export type { QueueShape } from "./history/queue.ts";
export { listTraceFiles, readTrace } from "./tracelink/reader.ts";
