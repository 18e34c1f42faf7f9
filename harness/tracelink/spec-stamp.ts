// An MPCal spec carries its own translation: `pgo.jar pcalgen` writes the PlusCal between `\* BEGIN PLUSCAL
// TRANSLATION` and `\* END PLUSCAL TRANSLATION`, and the TLA+ between `\* BEGIN TRANSLATION` and `\* END
// TRANSLATION`. Nothing in that generated text says which MPCal it came from, and tracegen/TLC read the TLA+
// part, so an MPCal edit without a regeneration would silently check traces against the old design. After each
// regeneration the spec is stamped with sha256 digests of its source (everything above the PlusCal translation)
// and of both generated parts; checkStamp then tells a stale or hand-edited translation without a JVM.
//
// Stamp a spec right after `pgo.jar pcalgen <spec.tla>`:  npx node harness/tracelink/spec-stamp.ts <spec.tla>
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { argv, exit, stderr, stdout } from "node:process";

const BEGIN_PLUSCAL = /^\s*\\\*\s+BEGIN\s+PLUSCAL\s+TRANSLATION\s*$/;
const END_PLUSCAL = /^\s*\\\*\s+END\s+PLUSCAL\s+TRANSLATION\s*$/;
// pcal.trans may append checksums to these two markers.
const BEGIN_TLA = /^\s*\\\*\s+BEGIN\s+TRANSLATION\b/;
const END_TLA = /^\s*\\\*\s+END\s+TRANSLATION\b/;
// The stamp lives inside the PlusCal translation area, so that a regeneration wipes it: a translation without
// a stamp is one nobody vouched for.
const STAMP = /^\\\* stamp (mpcal|pluscal|tla) sha256:([0-9a-f]{64})\s*$/;
const PARTS = ["mpcal", "pluscal", "tla"] as const;
type Part = (typeof PARTS)[number];

export class SpecStampError extends Error {}

interface Split {
  readonly lines: string[];
  /** Index of the BEGIN PLUSCAL TRANSLATION line. */
  readonly beginPlusCal: number;
  readonly digests: Record<Part, string>;
  readonly stamp: Partial<Record<Part, string>>;
}

/** sha256 of text, insensitive to line endings and trailing blanks (editors differ there, meaning does not). */
function digest(lines: readonly string[]): string {
  const normal = lines.map((l) => l.replace(/\s+$/, "")).join("\n").trim();
  return createHash("sha256").update(normal).digest("hex");
}

function findLine(lines: readonly string[], re: RegExp, from: number, what: string): number {
  for (let i = from; i < lines.length; i++) if (re.test(lines[i]!)) return i;
  throw new SpecStampError(`no \`${what}\` line${from > 0 ? " after the previous marker" : ""}: is this a spec translated by pgo.jar pcalgen?`);
}

function split(text: string): Split {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const beginPlusCal = findLine(lines, BEGIN_PLUSCAL, 0, "\\* BEGIN PLUSCAL TRANSLATION");
  const endPlusCal = findLine(lines, END_PLUSCAL, beginPlusCal + 1, "\\* END PLUSCAL TRANSLATION");
  const beginTla = findLine(lines, BEGIN_TLA, endPlusCal + 1, "\\* BEGIN TRANSLATION");
  const endTla = findLine(lines, END_TLA, beginTla + 1, "\\* END TRANSLATION");
  const source = lines.slice(0, beginPlusCal);
  if (!source.some((l) => /--mpcal\b/.test(l))) throw new SpecStampError("no `--mpcal` block above the PlusCal translation");
  const stamp: Partial<Record<Part, string>> = {};
  const pluscal: string[] = [];
  for (const line of lines.slice(beginPlusCal + 1, endPlusCal)) {
    const m = STAMP.exec(line);
    if (m) stamp[m[1] as Part] = m[2]!;
    else pluscal.push(line);
  }
  return {
    lines,
    beginPlusCal,
    digests: { mpcal: digest(source), pluscal: digest(pluscal), tla: digest(lines.slice(beginTla + 1, endTla)) },
    stamp,
  };
}

export type StampStatus = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Whether the spec's translation is stamped as generated from its current MPCal text, and is unedited since. */
export function checkStamp(text: string): StampStatus {
  const s = split(text);
  const missing = PARTS.filter((p) => s.stamp[p] === undefined);
  if (missing.length > 0) {
    return { ok: false, reason: `the translation is not stamped (no ${missing.join(", ")} digest): regenerate it with pgo.jar pcalgen, then stamp it` };
  }
  if (s.stamp.mpcal !== s.digests.mpcal) {
    return { ok: false, reason: "the translation is older than the MPCal text (the MPCal digest differs): regenerate it with pgo.jar pcalgen, then stamp it" };
  }
  for (const part of ["pluscal", "tla"] as const) {
    if (s.stamp[part] !== s.digests[part]) {
      return { ok: false, reason: `the generated ${part === "tla" ? "TLA+" : "PlusCal"} translation was edited by hand since it was stamped: regenerate it with pgo.jar pcalgen, then stamp it` };
    }
  }
  return { ok: true };
}

/** The spec with a fresh stamp (any old one replaced). Only right after a regeneration is that true. */
export function stampSpec(text: string): string {
  const s = split(text);
  const lines = s.lines.filter((l, i) => i <= s.beginPlusCal || !STAMP.test(l));
  lines.splice(s.beginPlusCal + 1, 0, ...PARTS.map((p) => `\\* stamp ${p} sha256:${s.digests[p]}`));
  return lines.join("\n");
}

if (import.meta.main) {
  const files = argv.slice(2);
  if (files.length === 0) {
    stderr.write("usage: node harness/tracelink/spec-stamp.ts <spec.tla>...   (right after pgo.jar pcalgen)\n");
    exit(2);
  }
  for (const file of files) {
    try {
      writeFileSync(file, stampSpec(readFileSync(file, "utf8")));
      stdout.write(`stamped ${file}\n`);
    } catch (err) {
      stderr.write(`spec-stamp: ${file}: ${err instanceof Error ? err.message : String(err)}\n`);
      exit(1);
    }
  }
}
