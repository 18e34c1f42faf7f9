// History checks (issue 5): linearizability (Wing–Gong/Lowe search, P-compositionality) and queue semantics.
export * from "./operation.ts";
export * from "./model.ts";
export * from "./models.ts";
export * from "./wgl.ts";
export * from "./check.ts";
export * from "./parallel.ts";
export * from "./generate.ts";
export * from "./parse.ts";
export * from "./load.ts";
export * from "./explain.ts";
export * from "./timeline.ts";
export * from "./report.ts";
export * from "./from-trace.ts";
export * from "./queue.ts";
export * from "./checkers.ts";
