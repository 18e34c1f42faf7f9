// The temp-dir guard on its own: it hands out a fresh TMPDIR, names what is left there, ignores the tools' own
// caches, removes the directory either way and puts TMPDIR back.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterEach, expect, test } from "vitest";
import setup, { TMP_GUARD_PREFIX } from "./tmp-guard.ts";

const saved = { TMPDIR: process.env["TMPDIR"], guard: process.env["PGO_HARNESS_TMP_GUARD"] };
afterEach(() => {
  for (const [key, value] of [["TMPDIR", saved.TMPDIR], ["PGO_HARNESS_TMP_GUARD", saved.guard]] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

/** A guard as a fresh Vitest process would run it (this worker may share the run's guard marker). */
function freshGuard(): { dir: string; teardown: () => void } {
  delete process.env["PGO_HARNESS_TMP_GUARD"];
  const before = tmpdir();
  const teardown = setup();
  const dir = tmpdir();
  expect(dir).not.toBe(before);
  expect(basename(dir).startsWith(TMP_GUARD_PREFIX)).toBe(true);
  return { dir, teardown };
}

test("a file and a folder left behind fail the teardown, named; the directory is removed and TMPDIR restored", () => {
  const before = process.env["TMPDIR"];
  const { dir, teardown } = freshGuard();
  writeFileSync(join(dir, "leaky-file"), "x");
  mkdirSync(join(dir, "composer-test-abc123"));
  expect(() => teardown()).toThrow(/left 2 file\(s\) or folder\(s\) in the temp dir \(now removed\): composer-test-abc123, leaky-file/);
  expect(existsSync(dir)).toBe(false);
  expect(process.env["TMPDIR"]).toBe(before);
});

test("nothing left, or only Node's compile cache and testcontainers' lock: the teardown passes", () => {
  const { dir, teardown } = freshGuard();
  mkdirSync(join(dir, "node-compile-cache"));
  writeFileSync(join(dir, "testcontainers-node-0.lock"), "");
  expect(() => teardown()).not.toThrow();
  expect(existsSync(dir)).toBe(false);
});

test("a second setup in the same process (another project of the run) is a no-op", () => {
  const { dir, teardown } = freshGuard();
  const second = setup();
  expect(tmpdir()).toBe(dir);
  second();
  expect(existsSync(dir)).toBe(true);
  teardown();
});

test("a killed child Vitest's own guard folder is not a leftover, but what its tests left inside it is", () => {
  const { dir, teardown } = freshGuard();
  // The child's guard folder, as a child Vitest killed before its teardown leaves it (with its compile cache).
  const child = join(dir, `${TMP_GUARD_PREFIX}child1`);
  mkdirSync(join(child, "node-compile-cache"), { recursive: true });
  mkdirSync(join(dir, `${TMP_GUARD_PREFIX}child2`));
  expect(() => teardown()).not.toThrow();
  expect(existsSync(dir)).toBe(false);

  const again = freshGuard();
  const leaky = join(again.dir, `${TMP_GUARD_PREFIX}child3`);
  mkdirSync(join(leaky, "fake-pgo-xyz"), { recursive: true });
  expect(() => again.teardown()).toThrow(new RegExp(`left 1 file\\(s\\) or folder\\(s\\).*: ${TMP_GUARD_PREFIX}child3/fake-pgo-xyz`));
  expect(existsSync(again.dir)).toBe(false);
});
