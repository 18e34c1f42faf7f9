// The system's own Antithesis assertions as the local verdict: SDK output per process, Antithesis's rules,
// and one report shape for local and remote properties.
export { type CatalogEntry, type Kind, kindOf, scanGoSource, scanModules } from "./catalog.ts";
export { evaluateAsserts, matchCatalog, OUTSIDE_CATALOG, type PropertyTestOutcome, SDK_CGO_PROPERTY } from "./evaluate.ts";
export { describeProperty, type PropertyReport, type PropertyStatus, propertiesMarkdown, propertyTestName, remoteProperties } from "./report.ts";
export { assertPropertyOutcome, evaluateRunProperties, type RunProperties, systemCatalog } from "./run.ts";
export { MAIN_PROCESS, parseSdkText, readSdkOutput, SDK_OUTPUT_DIR, sdkOutputFile, sdkOutputPath, sourceOf } from "./sdk-output.ts";
