// The README's layout section names every folder of harness/ and no folder that is gone.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, test } from "vitest";
import { projectRoot } from "./paths.ts";

test("README's layout lists exactly the folders of harness/", async () => {
  const readme = await readFile(join(projectRoot, "README.md"), "utf8");
  const section = /## Layout\n\n```\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(section, "a ## Layout section with a code block").toBeDefined();
  const listed = [...section!.matchAll(/^ {2}([a-z][a-z0-9-]*)\/\s/gm)].map((m) => m[1]!).sort();
  const folders = (await readdir(join(projectRoot, "harness"), { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  expect(listed).toEqual(folders);
});
