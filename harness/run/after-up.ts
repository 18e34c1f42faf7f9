// What the stages after `up` use, in one module: the pipeline loads it (and dockerode, through the context's
// client) while `docker compose up` starts the containers, when a warm run's own process has nothing to do but
// wait. Imported statically, these modules would cost every run about 0.1 s of start-up before compose starts.
export { waitForLogMessage, waitForSetupComplete } from "../compose/setup-complete.ts";
export { collectSdkOutput, collectTraces } from "../collect/traces.ts";
export { saveLogs } from "../docker/logs.ts";
export { evaluateRunProperties, systemCatalog } from "../properties/evaluate-run.ts";
export { describeProperty } from "../properties/report.ts";
export { writeRunPage } from "../report/run-page.ts";
export { writeRunsIndex } from "../report/runs-index.ts";
export { discoverTemplate } from "../workload/template.ts";
export { runWorkload, WorkloadError } from "../workload/run.ts";
