// Traces read while the system still runs (a `finally_` command on Antithesis runs beside the live services):
// files read one after another at different moments do not form one state of the run, and a record can depend
// on a section its writer appended after its own file was read. The snapshot takes every file's size first (one
// moment), keeps the complete lines up to it, and then the largest consistent cut of those: each file's prefix
// up to its first record that depends on one beyond another file's prefix, repeated until nothing changes.
// A prefix of a behaviour is a behaviour, so the cut is what gets validated; how much was left out is reported.
// Offline validation of collected traces (after the containers stopped) never cuts.
import { open, stat, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { incarnations, parseRecord } from "./reader.ts";
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
  // An instance's files are its incarnations (a restarted process), read as one sequence in order of n: the cut
  // keeps a prefix of that sequence, so a later incarnation is cut only after all of an earlier one is kept.
  const order = new Map(incarnations(files).flatMap((g) => g.files.map((f, k) => [f, k] as const)));
  const seq = new Map<string, { deps: (readonly (readonly [string, number])[])[]; offsets: Map<number, number> }>();
  for (const [i, p] of parsed.entries()) {
    if (p.key === undefined) continue;
    let s = seq.get(p.key);
    if (s === undefined) seq.set(p.key, (s = { deps: [], offsets: new Map() }));
    s.offsets.set(i, order.get(files[i]!) ?? 0);
  }
  for (const s of seq.values()) {
    const members = [...s.offsets.keys()].sort((a, b) => s.offsets.get(a)! - s.offsets.get(b)!);
    for (const i of members) {
      s.offsets.set(i, s.deps.length);
      s.deps.push(...parsed[i]!.deps);
    }
  }
  const kept = new Map<string, number>([...seq].map(([k, s]) => [k, s.deps.length]));
  for (let changed = true; changed; ) {
    changed = false;
    for (const [key, s] of seq) {
      const limit = kept.get(key)!;
      const first = s.deps.slice(0, limit).findIndex((deps) => deps.some(([k, n]) => k !== key && (kept.get(k) ?? 0) < n));
      if (first >= 0) {
        kept.set(key, first);
        changed = true;
      }
    }
  }
  const out: string[] = [];
  let records = 0;
  for (const [i, p] of parsed.entries()) {
    const s = p.key === undefined ? undefined : seq.get(p.key)!;
    const n = s === undefined ? 0 : Math.max(0, Math.min(p.lines.length, kept.get(p.key!)! - s.offsets.get(i)!));
    const file = join(dir, basename(files[i]!));
    await writeFile(file, p.lines.slice(0, n).map((l) => `${l}\n`).join(""));
    out.push(file);
    records += p.lines.length;
  }
  const inCut = [...kept.values()].reduce((a, b) => a + b, 0);
  return { files: out, records, leftOut: records - inCut };
}
