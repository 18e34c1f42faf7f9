// The two properties the in-container TraceLink validator (in-container.ts, run by finally_tracelink) reports, as
// catalog entries: the property tests are named before the run, like the system's own SDK assertions.
import type { CatalogEntry } from "../properties/catalog.ts";

export const BEHAVIOUR_PROPERTY = "TraceLink: the traces are a behaviour of the design";
export const VALIDATED_PROPERTY = "TraceLink: the traces were validated";

const at = { literal: true, file: "harness/tracelink/in-container.ts", module: "pgo-harness", line: 0, function: "finally_tracelink" } as const;

export const IN_CONTAINER_TRACELINK: readonly CatalogEntry[] = [
  { ...at, name: BEHAVIOUR_PROPERTY, kind: "Always", form: "Always" },
  { ...at, name: VALIDATED_PROPERTY, kind: "Sometimes", form: "Sometimes" },
];
