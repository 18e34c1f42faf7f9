// An MPCal spec carries its PlusCal/TLA+ translation (written by `pgo.jar pcalgen`), as PGo's specs do. The
// translation goes stale when the MPCal text changes and nobody regenerates it, and pgo.jar tracegen/TLC then
// check traces against the old design. pcalgen writes no checksum of its input, so after regenerating we stamp
// the translation with the SHA-256 of the MPCal block, and tests recompute it:
//
//   java -jar pgo.jar pcalgen <abs spec.tla>
//   npx node harness/tracelink/spec-freshness.ts stamp <spec.tla>
//
// The stamp is the line `\* mpcal-sha256: <hex>` right after `\* BEGIN PLUSCAL TRANSLATION` (pcalgen rewrites
// that block, so a regeneration without a new stamp is noticed too).
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";

const MPCAL_START = /^\s*--mpcal\s+\w+\s*\{/m;
const PCAL_BEGIN = "\\* BEGIN PLUSCAL TRANSLATION";
const PCAL_END = "\\* END PLUSCAL TRANSLATION";
const STAMP = /^\\\* mpcal-sha256: ([0-9a-f]{64})$/;

export class SpecFreshnessError extends Error {
  override name = "SpecFreshnessError";
}

interface Layout {
  readonly lines: readonly string[];
  /** Index of the `--mpcal` line. */
  readonly mpcalStart: number;
  /** Index of `\* BEGIN PLUSCAL TRANSLATION`. */
  readonly pcalBegin: number;
  /** Index of `\* END PLUSCAL TRANSLATION`. */
  readonly pcalEnd: number;
}

function layout(text: string, label: string): Layout {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  const mpcalStart = lines.findIndex((l) => MPCAL_START.test(l));
  if (mpcalStart < 0) throw new SpecFreshnessError(`${label}: no "--mpcal <name> {" block`);
  const pcalBegin = lines.findIndex((l, i) => i > mpcalStart && l.trim() === PCAL_BEGIN);
  if (pcalBegin < 0) throw new SpecFreshnessError(`${label}: no "${PCAL_BEGIN}" line after the MPCal block`);
  const pcalEnd = lines.findIndex((l, i) => i > pcalBegin && l.trim() === PCAL_END);
  if (pcalEnd < 0) throw new SpecFreshnessError(`${label}: no "${PCAL_END}" line after "${PCAL_BEGIN}"`);
  return { lines, mpcalStart, pcalBegin, pcalEnd };
}

/** SHA-256 (hex) of the MPCal block: from the `--mpcal` line up to the PlusCal translation, line endings as LF. */
export function mpcalDigest(text: string, label = "spec"): string {
  const l = layout(text, label);
  return createHash("sha256").update(l.lines.slice(l.mpcalStart, l.pcalBegin).join("\n")).digest("hex");
}

export type Freshness =
  | { readonly fresh: true; readonly digest: string }
  | { readonly fresh: false; readonly digest: string; readonly stamped: string | undefined; readonly reason: string };

/** Whether the committed translation was generated from the MPCal text as it is now. */
export function specFreshness(text: string, label = "spec"): Freshness {
  const l = layout(text, label);
  const digest = mpcalDigest(text, label);
  const stamps = l.lines.slice(l.pcalBegin + 1, l.pcalEnd).flatMap((line) => STAMP.exec(line.trim())?.[1] ?? []);
  const hasAlgorithm = l.lines.slice(l.pcalBegin + 1, l.pcalEnd).some((line) => /^\s*--algorithm\b/.test(line));
  const regen = `regenerate it: java -jar pgo.jar pcalgen <abs ${label}>, then npx node harness/tracelink/spec-freshness.ts stamp ${label}`;
  if (!hasAlgorithm) return { fresh: false, digest, stamped: undefined, reason: `${label}: no PlusCal translation (--algorithm) between the translation markers; ${regen}` };
  if (stamps.length !== 1) {
    return { fresh: false, digest, stamped: undefined, reason: `${label}: ${stamps.length === 0 ? "no" : `${stamps.length}`} "\\* mpcal-sha256:" stamp(s) in the PlusCal translation (expected one); ${regen}` };
  }
  const stamped = stamps[0] ?? "";
  if (stamped !== digest) {
    return { fresh: false, digest, stamped, reason: `${label}: the translation is older than the MPCal text (stamped ${stamped.slice(0, 12)}…, MPCal now ${digest.slice(0, 12)}…); ${regen}` };
  }
  return { fresh: true, digest };
}

/** The spec with its stamp set to the digest of its MPCal block (after a pcalgen run). */
export function stampSpec(text: string, label = "spec"): string {
  const l = layout(text, label);
  const digest = mpcalDigest(text, label);
  const kept = l.lines.filter((line, i) => !(i > l.pcalBegin && i < l.pcalEnd && STAMP.test(line.trim())));
  kept.splice(l.pcalBegin + 1, 0, `\\* mpcal-sha256: ${digest}`);
  return kept.join("\n");
}

// `npx node harness/tracelink/spec-freshness.ts stamp|check <spec.tla>...`
if (import.meta.main) {
  const [command, ...files] = process.argv.slice(2);
  if ((command !== "stamp" && command !== "check") || files.length === 0) {
    console.error("usage: spec-freshness.ts stamp|check <spec.tla>...");
    process.exit(2);
  }
  let stale = 0;
  for (const file of files) {
    const text = await readFile(file, "utf8");
    if (command === "stamp") {
      await writeFile(file, stampSpec(text, file));
      console.log(`${file}: stamped ${mpcalDigest(text, file)}`);
    } else {
      const f = specFreshness(text, file);
      console.log(f.fresh ? `${file}: fresh` : f.reason);
      if (!f.fresh) stale++;
    }
  }
  process.exit(stale > 0 ? 1 : 0);
}
