// Temporary directories for tests, removed on every exit path: a test's when the test ends (passed, failed or
// timed out), a file's after its last test. What a test leaves anyway is reported by ./tmp-guard.ts.
import { mkdtempSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, onTestFinished } from "vitest";

/** Removes a directory and everything in it; nothing if it is already gone. */
export const removeDir = (dir: string): Promise<void> => rm(dir, { recursive: true, force: true, maxRetries: 3 });

/** Inside a test (or a helper a test calls): a fresh directory under the temp dir, removed when the test ends. */
export async function testDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  onTestFinished(() => removeDir(dir));
  return dir;
}

/** testDir for synchronous tests. */
export function testDirSync(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  onTestFinished(() => removeDir(dir));
  return dir;
}

/** At a file's or a describe's top level: a fresh directory under the temp dir, removed after its tests. */
export function fileDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => removeDir(dir));
  return dir;
}
