// A run's page, runs/<system>/<id>/index.html: what a person opens first after a run (Jepsen serves its store/ as
// pages; this is the same without a server). Self-contained: inline CSS, no script, no request outside the run
// directory. Everything comes from the files the run left, so a failed or interrupted run gets a page too.
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { z } from "zod";
import { faultsHtml, runFaults, writeHistoryTimelines } from "./faults.ts";
import { escapeHtml, page, table, type Cell } from "./html.ts";

const verdict = z.union([z.boolean(), z.literal("unknown")]);
type Verdict = z.infer<typeof verdict>;

// Tolerant on purpose: a page must render whatever stage the run stopped in, and older runs lack newer fields.
const runJson = z
  .object({
    system: z.string(),
    id: z.string(),
    variant: z.string().optional(),
    startedAt: z.string().optional(),
    git: z.object({ commit: z.string(), dirty: z.boolean() }).optional(),
    rerun: z.string().optional(),
    images: z.array(z.string()).optional(),
    seed: z.unknown().optional(),
  })
  .loose();
export type RunInfo = z.infer<typeof runJson>;

const stage = z.union([
  z.string(),
  z.object({ status: z.string(), seconds: z.number().optional(), ms: z.number().optional(), error: z.string().optional() }).loose(),
]);
const check = z.object({ name: z.string(), valid: verdict, summary: z.string(), details: z.unknown().optional() }).loose();
const resultsJson = z
  .object({
    verdict: verdict.optional(),
    stages: z.union([z.record(z.string(), stage), z.array(z.object({ name: z.string() }).loose())]).optional(),
    /** The pipeline keeps `stages` as plain statuses and the durations and errors here. */
    stageDetails: z.record(z.string(), stage).optional(),
    commands: z.array(z.object({ name: z.string(), service: z.string().optional(), exitCode: z.number().nullable().optional(), seconds: z.number().optional() }).loose()).optional(),
    faults: z.array(z.record(z.string(), z.unknown())).optional(),
    checks: z.array(check).optional(),
  })
  .loose();
export type RunResults = z.infer<typeof resultsJson>;

// properties.json (harness/properties) names a property `name`; `message` is the SDK's word for the same.
const property = z
  .object({ name: z.string().optional(), message: z.string().optional(), kind: z.string().optional(), status: z.string().optional(), passed: z.boolean().optional(), location: z.unknown().optional(), hits: z.unknown().optional(), examples: z.number().optional(), counterexamples: z.number().optional() })
  .loose();

/** Reads and validates a JSON file; undefined when it is missing, an Error describing it when it is unusable. */
async function readJson<T>(path: string, schema: z.ZodType<T>): Promise<T | undefined | Error> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return undefined;
  }
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : new Error(`${path}: ${parsed.error.issues[0]?.path.join(".") ?? ""} ${parsed.error.issues[0]?.message ?? "invalid"}`);
  } catch (err) {
    return new Error(`${path}: not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
}

async function listFiles(dir: string, root: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name, "en", { numeric: true }))) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(path, root)));
    else if (e.isFile() && e.name !== "index.html") out.push(relative(root, path));
  }
  return out;
}

const verdictCell = (v: Verdict | undefined): { html: string } => {
  if (v === true) return { html: '<span class="pass">pass</span>' };
  if (v === false) return { html: '<span class="fail">FAIL</span>' };
  if (v === "unknown") return { html: '<span class="unknown">unknown</span>' };
  return { html: '<span class="unknown">unfinished</span>' };
};

/** The first violation a check reports, from its details (checkers name it `violations`, `first` or `explanation`). */
function firstViolation(details: unknown): string | undefined {
  if (details === null || typeof details !== "object") return undefined;
  const d = details as Record<string, unknown>;
  for (const key of ["explanation", "first", "firstViolation"]) if (typeof d[key] === "string") return d[key];
  const list = d["violations"];
  if (Array.isArray(list) && list.length > 0) {
    const v = list[0] as unknown;
    if (typeof v === "string") return v;
    if (v !== null && typeof v === "object") {
      const o = v as Record<string, unknown>;
      const where = typeof o["where"] === "string" ? `${o["where"]}: ` : typeof o["file"] === "string" ? `${o["file"]}${typeof o["line"] === "number" ? `:${o["line"]}` : ""}: ` : "";
      const what = typeof o["message"] === "string" ? o["message"] : JSON.stringify(o);
      return where + what;
    }
  }
  return undefined;
}

function stageRows(stages: RunResults["stages"]): Cell[][] {
  if (stages === undefined) return [];
  const entries: [string, z.infer<typeof stage>][] = Array.isArray(stages)
    ? stages.map((s) => [s.name, { status: typeof s["status"] === "string" ? s["status"] : "?", ...(typeof s["seconds"] === "number" ? { seconds: s["seconds"] } : {}) }])
    : Object.entries(stages);
  return entries.map(([name, s]) => {
    const status = typeof s === "string" ? s : s.status;
    const seconds = typeof s === "string" ? undefined : (s.seconds ?? (s.ms !== undefined ? s.ms / 1000 : undefined));
    const cls = status === "passed" ? "pass" : status === "failed" ? "fail" : "unknown";
    return [name, { html: `<span class="${cls}">${escapeHtml(status)}</span>` }, seconds === undefined ? "" : `${seconds.toFixed(2)} s`, typeof s === "string" ? "" : (s.error ?? (typeof s["reason"] === "string" ? s["reason"] : ""))];
  });
}

const link = (href: string, text = href): { html: string } => ({ html: `<a href="${escapeHtml(encodeURI(href))}">${escapeHtml(text)}</a>` });

export interface RunPageSummary {
  readonly system: string;
  readonly id: string;
  readonly variant: string | undefined;
  readonly verdict: Verdict | undefined;
  readonly startedAt: string | undefined;
  readonly commit: string | undefined;
  readonly dirty: boolean | undefined;
}

/** Writes runDir/index.html and returns what the runs index shows of it. */
export async function writeRunPage(runDir: string): Promise<RunPageSummary> {
  const problems: string[] = [];
  const info = await readJson(join(runDir, "run.json"), runJson);
  const results = await readJson(join(runDir, "results.json"), resultsJson);
  const props = await readJson(join(runDir, "properties.json"), z.union([z.array(property), z.object({ properties: z.array(property) }).loose()]));
  for (const x of [info, results, props]) if (x instanceof Error) problems.push(x.message);
  const run = info instanceof Error ? undefined : info;
  const res = results instanceof Error ? undefined : results;
  if (res === undefined && !(results instanceof Error)) problems.push("results.json is missing: the run ended before its results were written (interrupted?)");

  const files = await listFiles(runDir, runDir);
  const faults = runFaults(res?.faults ?? []);
  // The client history redrawn with the fault windows (before the page lists the run's files).
  const drawn = await writeHistoryTimelines(runDir, res?.checks ?? [], faults, files);
  problems.push(...drawn.problems);
  for (const t of drawn.timelines) if (!files.includes(t.file)) files.push(t.file);
  const system = run?.system ?? "?";
  const id = run?.id ?? runDir.split("/").pop() ?? "?";
  const title = `${system}${run?.variant !== undefined ? ` · ${run.variant}` : ""} · run ${id}`;
  const v = res?.verdict;
  const sections: string[] = [];

  sections.push(`<header><h1>${escapeHtml(title)}</h1><p class="verdict">verdict: ${verdictCell(v).html}</p>${problems.map((p) => `<p class="fail">${escapeHtml(p)}</p>`).join("")}</header>`);
  sections.push(
    section("run", "Run", table(["", ""], [
      ["started", run?.startedAt ?? ""],
      ["commit", run?.git === undefined ? "unknown" : `${run.git.commit}${run.git.dirty ? " (with uncommitted changes)" : ""}`],
      ["rerun", { html: `<code>${escapeHtml(run?.rerun ?? "")}</code>` }],
      ["images", (run?.images ?? []).join(", ")],
      ...(run?.seed !== undefined ? [["seed", JSON.stringify(run.seed)] as Cell[]] : []),
    ])),
  );
  sections.push(section("stages", "Stages", table(["stage", "status", "duration", "error"], stageRows(res?.stageDetails ?? res?.stages))));
  sections.push(section("commands", "Test-composer commands", table(["command", "service", "exit", "duration", "log"], (res?.commands ?? []).map((c) => {
    const log = files.find((f) => f === `commands/${c.service ?? ""}-${c.name}.log`);
    return [c.name, c.service ?? "", c.exitCode === undefined || c.exitCode === null ? "—" : String(c.exitCode), c.seconds === undefined ? "" : `${c.seconds.toFixed(2)} s`, log === undefined ? "" : link(log)];
  }))));
  sections.push(section("checks", "Checks", table(["check", "verdict", "summary", "first violation", "artefacts"], (res?.checks ?? []).map((c) => {
    const dir = `checks/${c.name.replace(/[^A-Za-z0-9._-]+/g, "_")}/`;
    const artefacts = files.filter((f) => f.startsWith(dir));
    const first = c.valid === true ? undefined : firstViolation(c.details);
    return [c.name, verdictCell(c.valid), c.summary, first === undefined ? "" : { html: `<code>${escapeHtml(first)}</code>` }, { html: artefacts.map((f) => link(f, f.slice(dir.length)).html).join("<br>") }];
  }))));
  const propList = props === undefined || props instanceof Error ? undefined : Array.isArray(props) ? props : props.properties;
  sections.push(section("properties", "Properties (the system's Antithesis assertions)", propList === undefined ? "<p>No properties.json in this run.</p>" : table(["property", "kind", "verdict", "location", "hits"], propList.map((p) => [p.name ?? p.message ?? "?", p.kind ?? "", verdictCell(p.passed ?? (p.status === undefined ? undefined : p.status === "passed" ? true : p.status === "failed" ? false : "unknown")), typeof p.location === "string" ? p.location : p.location === undefined ? "" : JSON.stringify(p.location), p.hits !== undefined ? JSON.stringify(p.hits) : p.examples !== undefined ? `${p.examples} examples, ${p.counterexamples ?? 0} counterexamples` : ""]))));
  const withFaults = drawn.timelines[0];
  sections.push(section("faults", "Faults", faultsHtml(faults, run?.rerun, withFaults?.originMs) + (faults.length > 0 && withFaults !== undefined ? `<p>On the history timeline: ${link(withFaults.file).html}</p>` : "")));
  // The full history with the faults first, then the checks' own (e.g. a violation's illegal part).
  const timelines = [...drawn.timelines.map((t) => t.file), ...files.filter((f) => f.startsWith("checks/") && f.endsWith(".html") && !drawn.timelines.some((t) => t.file === f))];
  sections.push(section("timeline", "History timeline", drawn.notes.map((n) => `<p>${escapeHtml(n)}</p>`).join("") + (timelines.length === 0 ? "<p>No timeline in this run.</p>" : timelines.map((f) => `<p>${link(f).html}</p><iframe src="${escapeHtml(encodeURI(f))}" title="${escapeHtml(f)}"></iframe>`).join(""))));
  const groups: [string, string][] = [["logs/", "Container logs"], ["traces/", "Traces"], ["antithesis-sdk/", "Antithesis SDK output"]];
  sections.push(section("files", "Files", groups.map(([prefix, name]) => {
    const list = files.filter((f) => f.startsWith(prefix));
    return `<h3>${escapeHtml(name)} (${list.length})</h3><p>${list.map((f) => link(f, f.slice(prefix.length)).html).join(" · ") || "none"}</p>`;
  }).join("") + `<h3>Other</h3><p>${files.filter((f) => !groups.some(([p]) => f.startsWith(p)) && !f.startsWith("checks/") && !f.startsWith("commands/")).map((f) => link(f).html).join(" · ")}</p>`));

  await writeFile(join(runDir, "index.html"), page(title, sections.join("\n")));
  const summary: RunPageSummary = { system, id, variant: run?.variant, verdict: v, startedAt: run?.startedAt ?? (await stat(runDir)).mtime.toISOString(), commit: run?.git?.commit, dirty: run?.git?.dirty };
  // The runs index reads this instead of rendering every run's page again after each run.
  await writeFile(join(runDir, SUMMARY_FILE), `${JSON.stringify(summary)}\n`);
  return summary;
}

/** Beside a run's index.html: what the runs index shows of it. */
export const SUMMARY_FILE = "summary.json";

const summaryJson = z.object({
  system: z.string(),
  id: z.string(),
  variant: z.string().optional(),
  verdict: verdict.optional(),
  startedAt: z.string().optional(),
  commit: z.string().optional(),
  dirty: z.boolean().optional(),
});

/** The run's summary as its page wrote it; undefined when the page was never written (or predates summaries). */
export async function readRunSummary(runDir: string): Promise<RunPageSummary | undefined> {
  const parsed = await readJson(join(runDir, SUMMARY_FILE), summaryJson);
  if (parsed === undefined || parsed instanceof Error) return undefined;
  return { system: parsed.system, id: parsed.id, variant: parsed.variant, verdict: parsed.verdict, startedAt: parsed.startedAt, commit: parsed.commit, dirty: parsed.dirty };
}

function section(id: string, heading: string, body: string): string {
  return `<section id="${id}"><h2>${escapeHtml(heading)}</h2>${body}</section>`;
}
