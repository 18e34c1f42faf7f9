// Traces read while the system still runs (a `finally_` command on Antithesis runs beside the live services):
// files read one after another at different moments do not form one state of the run, and a record can depend
// on a section its writer appended after its own file was read. The snapshot takes every file's size first (one
// moment), keeps the complete lines up to it, and then the largest consistent cut of those: each file's prefix
// up to its first record that depends on one beyond another file's prefix, repeated until nothing changes.
// A prefix of a behaviour is a behaviour, so the cut is what gets validated; how much was left out is reported.
// Offline validation of collected traces (after the containers stopped) never cuts.
import { open, stat, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { parseRecord } from "./reader.ts";
import { instanceKey } from "./record.ts";

export interface LiveSnapshot {
  /** The snapshot's files in `dir`, same names as the originals. */
  readonly files: readonly string[];
  readonly records: number;
  /** Records read but outside the consistent cut (the files' tails waiting on sections not yet written). */
  readonly leftOut: number;
}

async function readPrefix(path: string, size: number): Promise<string> {
  const fh = await open(path, "r");
  try {
    const buf = Buffer.alloc(size);
    const { bytesRead } = await fh.read(buf, 0, size, 0);
    const text = buf.subarray(0, bytesRead).toString("utf8");
    // A line still being written has no newline yet.
    return text.slice(0, text.lastIndexOf("\n") + 1);
  } finally {
    await fh.close();
  }
}

/** Writes the consistent cut of `files` (as they are now) into `dir`. */
export async function liveSnapshot(files: readonly string[], dir: string): Promise<LiveSnapshot> {
  const sizes = await Promise.all(files.map(async (f) => (await stat(f)).size));
  const texts = await Promise.all(files.map((f, i) => readPrefix(f, sizes[i]!)));
  const parsed = texts.map((t, i) => {
    const lines = t.split("\n").filter((l) => l.trim() !== "");
    const recs = lines.map((l, k) => parseRecord(l, `${basename(files[i]!)}:${k + 1}`));
    return { lines, key: recs[0] === undefined ? undefined : instanceKey(recs[0].archetypeName, recs[0].self), deps: recs.map((r) => r.clock.map(([[a, s], n]) => [instanceKey(a, s), n] as const)) };
  });
  const kept = new Map<string, number>();
  for (const [i, p] of parsed.entries()) {
    if (p.key === undefined) continue;
    // A restarted process opens a second file for the same instance, its clock continuing the first: neither
    // this cut nor TraceLink's one-file-per-instance model can judge that, so say so rather than cut it away.
    if (kept.has(p.key)) throw new Error(`two trace files for instance ${p.key} (${basename(files[i]!)} and another): a restarted process, which TraceLink cannot judge`);
    kept.set(p.key, p.lines.length);
  }
  for (let changed = true; changed; ) {
    changed = false;
    for (const p of parsed) {
      if (p.key === undefined) continue;
      const limit = kept.get(p.key)!;
      const first = p.deps.slice(0, limit).findIndex((deps) => deps.some(([k, n]) => k !== p.key && (kept.get(k) ?? 0) < n));
      if (first >= 0) {
        kept.set(p.key, first);
        changed = true;
      }
    }
  }
  const out: string[] = [];
  let records = 0;
  for (const [i, p] of parsed.entries()) {
    const n = p.key === undefined ? 0 : kept.get(p.key)!;
    const file = join(dir, basename(files[i]!));
    await writeFile(file, p.lines.slice(0, n).map((l) => `${l}\n`).join(""));
    out.push(file);
    records += p.lines.length;
  }
  const inCut = [...kept.values()].reduce((a, b) => a + b, 0);
  return { files: out, records, leftOut: records - inCut };
}
