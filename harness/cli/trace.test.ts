// The offline command's exit codes: 0 on the corpus's good traces, 1 on a damaged copy, 2 on unusable input.
import { cp, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { command } from "./trace.ts";

const run = join(import.meta.dirname, "../../../shared/corpus/tracelink/dqueue/ok/4161323826586722756");

test("pgo-harness trace check: exit 0 on good traces, 1 on a violation, 2 on bad input", async () => {
  expect(await command.run(["check", run])).toBe(0);
  const damaged = await mkdtemp(join(tmpdir(), "cli-"));
  await cp(run, damaged, { recursive: true });
  const file = join(damaged, (await readdir(damaged))[0]!);
  const lines = (await readFile(file, "utf8")).split("\n");
  lines.splice(0, 1);
  await writeFile(file, lines.join("\n"));
  expect(await command.run(["check", damaged])).toBe(1);
  expect(await command.run(["check", join(damaged, "nope")])).toBe(2);
  expect(await command.run(["shiviz", run])).toBe(2);
});
