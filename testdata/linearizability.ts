// The reference histories of testdata/linearizability and the verdict each has (its verdicts.tsv files).
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { HistoryFormat } from "../harness/history/load.ts";
import { LIN_HISTORIES } from "./paths.ts";

export interface ReferenceHistory {
  readonly format: HistoryFormat;
  readonly file: string;
  readonly path: string;
  readonly linearizable: boolean;
}

/** Every history listed in the verdicts.tsv files under `root`. */
export async function referenceHistories(root = LIN_HISTORIES): Promise<ReferenceHistory[]> {
  const out: ReferenceHistory[] = [];
  for (const format of ["etcd", "kv"] as const) {
    const tsv = await readFile(join(root, format, "verdicts.tsv"), "utf8");
    for (const line of tsv.trim().split("\n").slice(1)) {
      const [file, verdict] = line.split("\t");
      if (file === undefined || (verdict !== "true" && verdict !== "false")) throw new Error(`${format}/verdicts.tsv: expected "<history>\\t<true|false>", got ${JSON.stringify(line)}`);
      out.push({ format, file, path: join(root, format, file), linearizable: verdict === "true" });
    }
  }
  return out;
}
