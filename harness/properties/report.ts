// One shape for a property's outcome, whether a local run's SDK output decided it (evaluate.ts) or Antithesis did
// (the runs API, ANTITHESIS_WAIT=1), so that both reports read the same: a test named `property: <message>`,
// failing with one message that says the kind, the place, the counts and the first failure.
import type { RunDetail, RunProperty } from "../antithesis/api.ts";
import type { Kind } from "./catalog.ts";

/**
 * passed / failed as Antithesis decides; not-reached: a property known from the sources that this one run
 * never reached, where Antithesis, over many runs, would need it reached (no evidence either way);
 * not-applicable: the SDK's own degraded-mode property, about a condition that does not hold outside Antithesis.
 */
export type PropertyStatus = "passed" | "failed" | "not-reached" | "not-applicable";

export interface PropertyReport {
  /** The assertion's message: Antithesis's name for the property. */
  readonly name: string;
  readonly kind: Kind | undefined;
  readonly status: PropertyStatus;
  /** Why it has that status, in one sentence. */
  readonly reason: string;
  /** file:line (function), when known. */
  readonly location: string | undefined;
  /** Times the property was seen holding (Sometimes true, Always true, Reachable reached). */
  readonly examples: number | undefined;
  /** Times it was seen violated (Always false, Unreachable reached). */
  readonly counterexamples: number | undefined;
  /** Where it was asserted: service/process (local runs). */
  readonly sources: readonly string[];
  /** The first violation: where, and the details the program attached. */
  readonly firstFailure: string | undefined;
  /** Antithesis's triage report (remote runs). */
  readonly link: string | undefined;
}

export function propertyTestName(name: string): string {
  return `property: ${name}`;
}

/** Everything a person needs about one property, on a few lines. */
export function describeProperty(p: PropertyReport): string {
  const counts = [
    p.examples !== undefined ? `${p.examples} example${p.examples === 1 ? "" : "s"}` : undefined,
    p.counterexamples !== undefined ? `${p.counterexamples} counterexample${p.counterexamples === 1 ? "" : "s"}` : undefined,
  ].filter((c) => c !== undefined);
  const head = [
    `${p.kind ?? "property"} "${p.name}": ${p.status} — ${p.reason}`,
    p.location !== undefined ? `at ${p.location}` : undefined,
    counts.length > 0 ? counts.join(", ") : undefined,
    p.sources.length > 0 ? `from ${p.sources.join(", ")}` : undefined,
  ].filter((s) => s !== undefined);
  return [head.join("; "), ...(p.firstFailure !== undefined ? [`first failure: ${p.firstFailure}`] : []), ...(p.link !== undefined ? [`triage report: ${p.link}`] : [])].join("\n");
}

const KIND_PREFIX = /^(AlwaysOrUnreachable|Always|Sometimes|Reachable|Unreachable): (.+)$/s;

/** Antithesis's properties of a finished run, in the same shape as local ones. Groups are not properties. */
export function remoteProperties(run: RunDetail, properties: readonly RunProperty[]): PropertyReport[] {
  const link = run.links?.triage_report;
  return properties
    .filter((p) => p.is_group !== true)
    .map((p) => {
      const m = KIND_PREFIX.exec(p.name);
      const failed = p.status === "Failing";
      return {
        name: m !== null ? m[2]! : p.name,
        kind: m !== null ? (m[1] as Kind) : undefined,
        status: failed ? "failed" : "passed",
        reason: `Antithesis reports it ${p.status}${p.group !== undefined ? ` (group "${p.group}")` : ""}`,
        location: undefined,
        examples: p.example_count ?? undefined,
        counterexamples: p.counterexample_count ?? undefined,
        sources: [],
        firstFailure: undefined,
        link,
      };
    });
}

/** A short markdown summary: one row per property, failures first. */
export function propertiesMarkdown(title: string, properties: readonly PropertyReport[], notes: readonly string[] = []): string {
  const order: Record<PropertyStatus, number> = { failed: 0, "not-reached": 1, "not-applicable": 2, passed: 3 };
  const rows = [...properties].sort((a, b) => order[a.status] - order[b.status] || a.name.localeCompare(b.name));
  const cell = (s: string | undefined) => (s ?? "").replace(/\|/g, "\\|").replace(/\n/g, " ");
  const count = (status: PropertyStatus) => properties.filter((p) => p.status === status).length;
  const lines = [
    `# Properties: ${title}`,
    "",
    `${properties.length} properties: ${count("passed")} passed, ${count("failed")} failed, ${count("not-reached")} not reached, ${count("not-applicable")} not applicable.`,
    ...notes.map((n) => `\n${n}`),
    "",
    "| status | kind | property | location | examples | counterexamples | from | first failure |",
    "|---|---|---|---|---|---|---|---|",
    ...rows.map(
      (p) =>
        `| ${p.status} | ${p.kind ?? ""} | ${cell(p.name)} | ${cell(p.location)} | ${p.examples ?? ""} | ${p.counterexamples ?? ""} | ${cell(p.sources.join(", "))} | ${cell(p.firstFailure)} |`,
    ),
    "",
  ];
  return lines.join("\n");
}
