// Antithesis's verdicts, applied to what one local run's processes asserted (and what the catalogs declare):
// - Always, AlwaysOrUnreachable and the numeric/boolean Always forms fail when any evaluation was false;
// - Sometimes (and its forms) fail when declared but never true;
// - Reachable fails when never reached; Unreachable fails when reached;
// - Always, Sometimes and Reachable must be reached: declared in the run's own catalog (`hit: false` records,
//   which instrumented builds emit at start-up) and never reached is a failure, as on Antithesis. Known only
//   from the sources (catalog.ts) and never reached in this one run is "not-reached": one local run is one
//   timeline, not an exploration, so it is shown, not judged.
// The instrumentor catalogs a computed message as `Message from "file[line]"`, which nothing ever asserts: not
// applicable (the real messages from that place are properties of their own).
// The SDK's "compiled with CGO enabled" property (emitted when ANTITHESIS_OUTPUT_DIR is set in a binary built
// without cgo) is about reaching Antithesis's coverage library, which no local run has: not applicable.
import { type CatalogEntry, type Kind, kindOf } from "./catalog.ts";
import type { PropertyReport, PropertyStatus } from "./report.ts";
import type { Location, SourcedAssert } from "./sdk-output.ts";

export const SDK_CGO_PROPERTY = "Go application under test compiled with CGO enabled";
/** How antithesis-go-instrumentor v0.8.0 catalogs an assertion whose message is not a constant. */
const INSTRUMENTOR_PLACEHOLDER = /^Message from ".*\[\d+\]"$/;

interface Group {
  id: string;
  message: string;
  kind: Kind;
  location: Location | undefined;
  declared: boolean;
  hits: number;
  trues: number;
  falses: number;
  sources: Set<string>;
  firstFalse: SourcedAssert | undefined;
}

/** One report per property (by id, as the SDK keys them), in first-seen order. */
export function evaluateAsserts(asserts: readonly SourcedAssert[]): PropertyReport[] {
  const groups = new Map<string, Group>();
  for (const a of asserts) {
    const r = a.assert;
    let g = groups.get(r.id);
    if (g === undefined) {
      g = { id: r.id, message: r.message, kind: kindOf(r.assert_type, r.must_hit), location: undefined, declared: false, hits: 0, trues: 0, falses: 0, sources: new Set(), firstFalse: undefined };
      groups.set(r.id, g);
    }
    if (g.location === undefined && r.location != null && r.location.file !== "") g.location = r.location;
    if (!r.hit) {
      g.declared = true;
      continue;
    }
    g.hits++;
    g.sources.add(sourceName(a));
    if (r.condition) g.trues++;
    else {
      g.falses++;
      g.firstFalse ??= a;
    }
  }
  return [...groups.values()].map(judge);
}

function sourceName(a: SourcedAssert): string {
  return a.source.service !== undefined ? `${a.source.service}/${a.source.process}` : a.source.file;
}

function judge(g: Group): PropertyReport {
  const v = verdict(g);
  const counterexamples = g.kind === "Unreachable" ? g.hits : g.kind === "Always" || g.kind === "AlwaysOrUnreachable" ? g.falses : 0;
  const examples = g.kind === "Unreachable" ? 0 : g.kind === "Reachable" ? g.hits : g.trues;
  const first = g.kind === "Unreachable" ? undefined : g.firstFalse;
  return {
    name: g.message,
    kind: g.kind,
    status: v.status,
    reason: v.reason,
    location: g.location !== undefined ? formatLocation(g.location) : undefined,
    examples,
    counterexamples,
    sources: [...g.sources].sort(),
    firstFailure: v.status === "failed" && first !== undefined ? `${sourceName(first)} (${first.source.file}:${first.line}): ${JSON.stringify(first.assert.details ?? null)}` : undefined,
    link: undefined,
  };
}

function verdict(g: Group): { status: PropertyStatus; reason: string } {
  if (g.id === SDK_CGO_PROPERTY && g.location === undefined) {
    return { status: "not-applicable", reason: "the SDK's degraded-mode notice (a binary without cgo, ANTITHESIS_OUTPUT_DIR set): no Antithesis coverage library exists outside Antithesis" };
  }
  if (g.hits === 0 && INSTRUMENTOR_PLACEHOLDER.test(g.id)) {
    return { status: "not-applicable", reason: "the instrumentor's catalog entry for a message computed at run time; what is asserted there is judged under its own messages" };
  }
  const unreached = g.declared
    ? { status: "failed" as const, reason: "declared in the catalog but never reached" }
    : { status: "not-reached" as const, reason: "not reached in this run" };
  switch (g.kind) {
    case "Always":
    case "AlwaysOrUnreachable":
      if (g.falses > 0) return { status: "failed", reason: `false in ${g.falses} of ${g.hits} reported evaluations` };
      if (g.hits === 0) return g.kind === "Always" ? unreached : { status: "passed", reason: "never reached, which AlwaysOrUnreachable allows" };
      return { status: "passed", reason: "true every time it was evaluated" };
    case "Sometimes":
      if (g.trues > 0) return { status: "passed", reason: "true at least once" };
      if (g.hits > 0) return { status: "failed", reason: `never true (false in all ${g.hits} reported evaluations)` };
      return unreached;
    case "Reachable":
      return g.hits > 0 ? { status: "passed", reason: "reached" } : unreached;
    case "Unreachable":
      return g.hits > 0 ? { status: "failed", reason: `reached ${g.hits} time${g.hits === 1 ? "" : "s"}` } : { status: "passed", reason: "never reached" };
  }
}

function formatLocation(l: Location): string {
  const fn = [l.class, l.function].filter((s) => s !== "").join(".");
  return `${l.file}:${l.begin_line}${fn !== "" ? ` (${fn})` : ""}`;
}

/** One property test: a catalog entry (all the run's properties asserted at its call site), or what lies outside. */
export interface PropertyTestOutcome {
  readonly name: string;
  readonly status: PropertyStatus;
  readonly properties: readonly PropertyReport[];
  readonly entry: CatalogEntry | undefined;
}

/** The name a catalog entry's test gets: its message, or template; the place when two entries share one. */
export function catalogTestNames(catalog: readonly CatalogEntry[]): Map<CatalogEntry, string> {
  const names = new Map<CatalogEntry, string>();
  const byName = new Map<string, CatalogEntry[]>();
  for (const e of catalog) byName.set(e.name, [...(byName.get(e.name) ?? []), e]);
  for (const [name, entries] of byName) {
    // One message asserted in several places is one property (the SDK keys by message); a template is not.
    const literal = entries.every((e) => e.literal);
    for (const e of entries) names.set(e, literal || entries.length === 1 ? name : `${name} (${e.module}/${e.file}:${e.line})`);
  }
  return names;
}

export const OUTSIDE_CATALOG = "assertions outside the source catalog";

/**
 * Matches the run's properties to the catalog: by message for literal entries, by file and line for computed
 * ones. Returns one outcome per distinct test name (catalog order), then one for properties no entry covers.
 */
export function matchCatalog(catalog: readonly CatalogEntry[], reports: readonly PropertyReport[]): PropertyTestOutcome[] {
  const names = catalogTestNames(catalog);
  const covered = new Set<PropertyReport>();
  const outcomes = new Map<string, { entry: CatalogEntry; properties: PropertyReport[] }>();
  for (const e of catalog) {
    const name = names.get(e)!;
    const slot = outcomes.get(name) ?? { entry: e, properties: [] };
    outcomes.set(name, slot);
    for (const p of reports) {
      const hit = e.literal ? p.name === e.name : atEntry(p, e);
      if (hit && !slot.properties.includes(p)) {
        slot.properties.push(p);
        covered.add(p);
      }
    }
  }
  const result: PropertyTestOutcome[] = [...outcomes].map(([name, { entry, properties }]) => ({
    name,
    entry,
    properties: properties.length > 0 ? properties : [notReached(entry, name)],
    status: combined(properties.length > 0 ? properties : [notReached(entry, name)]),
  }));
  const outside = reports.filter((p) => !covered.has(p));
  result.push({ name: OUTSIDE_CATALOG, entry: undefined, properties: outside, status: outside.length === 0 ? "passed" : combined(outside) });
  return result;
}

function atEntry(p: PropertyReport, e: CatalogEntry): boolean {
  const m = /^(.*):(\d+)(?: \(.*\))?$/.exec(p.location ?? "");
  if (m === null) return false;
  const file = m[1]!;
  return Number(m[2]) === e.line && (file === e.file || file.endsWith(`/${e.file}`));
}

/** A catalog entry nothing in the run asserted. */
export function notReached(e: CatalogEntry, name: string): PropertyReport {
  const allowed = e.kind === "Unreachable" || e.kind === "AlwaysOrUnreachable";
  return {
    name,
    kind: e.kind,
    status: allowed ? "passed" : "not-reached",
    reason: allowed ? `never reached, which ${e.kind} allows` : "not reached in this run",
    location: `${e.module}/${e.file}:${e.line}${e.function !== "" ? ` (${e.function})` : ""}`,
    examples: 0,
    counterexamples: 0,
    sources: [],
    firstFailure: undefined,
    link: undefined,
  };
}

/** failed beats passed beats not-reached; not-applicable only when nothing else is there. */
function combined(ps: readonly PropertyReport[]): PropertyStatus {
  const judged = ps.filter((p) => p.status !== "not-applicable");
  if (judged.length === 0) return "not-applicable";
  if (judged.some((p) => p.status === "failed")) return "failed";
  return judged.every((p) => p.status === "not-reached") ? "not-reached" : "passed";
}
