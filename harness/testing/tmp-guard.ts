// A Vitest global setup that catches tests leaving files in the temp dir. The run gets a temp dir of its own
// (TMPDIR, which os.tmpdir(), Go and most tools honour, for the workers and every process they start), so what is
// left in it at the end is this run's, even while other processes use /tmp. Leftovers fail the run, named; the
// directory is removed either way. Fix one with harness/testing/temp.ts (testDir / fileDir) or afterAll/finally.
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const TMP_GUARD_PREFIX = "pgo-harness-tests-";

/** Caches and locks that tools keep in the temp dir on purpose (Node's compile cache, testcontainers' lock). */
const TOOLS_OWN = [/^node-compile-cache$/, /^testcontainers-node-\d+\.lock$/];

export default function setup(): () => void {
  // Each project lists this setup: one guard per Vitest process (a child Vitest has its own).
  if (process.env["PGO_HARNESS_TMP_GUARD"] === String(process.pid)) return () => undefined;
  process.env["PGO_HARNESS_TMP_GUARD"] = String(process.pid);
  const previous = process.env["TMPDIR"];
  const root = mkdtempSync(join(tmpdir(), TMP_GUARD_PREFIX));
  process.env["TMPDIR"] = root;
  return () => {
    delete process.env["PGO_HARNESS_TMP_GUARD"];
    if (previous === undefined) delete process.env["TMPDIR"];
    else process.env["TMPDIR"] = previous;
    const left = leftovers(root);
    rmSync(root, { recursive: true, force: true, maxRetries: 3 });
    if (left.length > 0) {
      throw new Error(`the tests left ${left.length} file(s) or folder(s) in the temp dir (now removed): ${left.join(", ")} — remove them on every exit path (harness/testing/temp.ts: testDir, fileDir; or afterAll / finally)`);
    }
  };
}

/**
 * What the tests left in `dir`, tools' own entries aside. A child Vitest (the interrupt and orphan tests start
 * one, then kill it) has its own guard whose folder it cannot remove when killed: that folder is the guard's,
 * not a leftover, but what the child's tests left inside it is, named by its path.
 */
export function leftovers(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return []; // removed already: nothing to report
  }
  return names
    .filter((name) => !TOOLS_OWN.some((re) => re.test(name)))
    .flatMap((name) => (name.startsWith(TMP_GUARD_PREFIX) ? leftovers(join(dir, name)).map((inner) => `${name}/${inner}`) : [name]))
    .sort();
}
