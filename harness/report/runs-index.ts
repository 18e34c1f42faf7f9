// runs/index.html: every run on this machine, newest first, each row linking to the run's own page.
import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { escapeHtml, page, table, type Cell } from "./html.ts";
import { readRunSummary, writeRunPage, type RunPageSummary } from "./run-page.ts";

const RUN_DIR = /^\d{8}T\d{6}Z-[0-9a-f]+$/;

async function dirs(path: string): Promise<string[]> {
  try {
    return (await readdir(path, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
}

/**
 * Writes runs/index.html; returns the rows, newest first. A run's row comes from the summary its page wrote;
 * only a run whose page was never written (an old or interrupted one) is rendered here, so a run's cost does
 * not grow with the number of runs kept.
 */
export async function writeRunsIndex(runsDir: string): Promise<RunPageSummary[]> {
  const rows: { summary: RunPageSummary; href: string }[] = [];
  for (const system of await dirs(runsDir)) {
    for (const run of (await dirs(join(runsDir, system))).filter((d) => RUN_DIR.test(d))) {
      const dir = join(runsDir, system, run);
      rows.push({ summary: (await readRunSummary(dir)) ?? (await writeRunPage(dir)), href: `${system}/${run}/index.html` });
    }
  }
  rows.sort((a, b) => (b.summary.startedAt ?? "").localeCompare(a.summary.startedAt ?? ""));
  const verdict = (v: RunPageSummary["verdict"]): Cell =>
    v === true ? { html: '<span class="pass">pass</span>' } : v === false ? { html: '<span class="fail">FAIL</span>' } : { html: `<span class="unknown">${v === "unknown" ? "unknown" : "unfinished"}</span>` };
  const body =
    `<h1>Runs</h1>` +
    table(["started", "system", "variant", "verdict", "commit", "run"], rows.map(({ summary: s, href }) => [
      s.startedAt ?? "",
      s.system,
      s.variant ?? "",
      verdict(s.verdict),
      s.commit === undefined ? "" : `${s.commit.slice(0, 12)}${s.dirty === true ? " (dirty)" : ""}`,
      { html: `<a href="${escapeHtml(encodeURI(href))}">${escapeHtml(s.id)}</a>` },
    ]));
  await writeFile(join(runsDir, "index.html"), page("pgo-harness runs", body));
  return rows.map((r) => r.summary);
}
