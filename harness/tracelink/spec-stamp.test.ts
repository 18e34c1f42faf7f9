// Every MPCal spec a system carries (systems/<name>/*.tla with an --mpcal block) must hold the translation of its
// MPCal text as it is now, unedited since `pgo.jar pcalgen` wrote it (see spec-stamp.ts). The stamp's own
// behaviour on mutants (an MPCal edit, a hand-edited translation, a missing stamp) is tested on dqueue's spec in
// systems/dqueue/spec.test.ts.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { projectRoot } from "../paths.ts";
import { checkStamp } from "./spec-stamp.ts";

async function systemSpecs(): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(projectRoot, "systems"), { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    for (const f of await readdir(join(projectRoot, "systems", entry.name))) {
      if (!f.endsWith(".tla")) continue;
      const path = join(projectRoot, "systems", entry.name, f);
      if (/^\s*--mpcal\s/m.test(await readFile(path, "utf8"))) out.push(path);
    }
  }
  return out.sort();
}

test("dqueue and raftkvs carry MPCal specs", async () => {
  expect(await systemSpecs()).toEqual(expect.arrayContaining([join(projectRoot, "systems/dqueue/dqueue.tla"), join(projectRoot, "systems/raftkvs/raftkvs.tla")]));
});

describe("each system spec's committed translation is its MPCal text's, unedited", async () => {
  for (const spec of await systemSpecs()) {
    test(spec.slice(projectRoot.length + 1), async () => {
      const status = checkStamp(await readFile(spec, "utf8"));
      expect(status.ok, status.ok ? "" : status.reason).toBe(true);
    });
  }
});
