#!/usr/bin/env node
// The pgo-harness command. Plain JavaScript, so that an old Node (which cannot load the TypeScript below) gets
// one line saying what to do instead of a stack trace.
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(`pgo-harness needs Node >= 22.18 (found ${process.versions.node}): run it through npx or npm scripts, which use the project's Node 24\n`);
  process.exit(2);
}
// V8's compiled code of the harness and its ~1500 modules, kept between runs in the harness's cache folder:
// it halves the import time that every command pays at start-up. Node checks each entry against its source.
{
  const { enableCompileCache } = await import("node:module");
  const { join, resolve } = await import("node:path");
  const root = new URL("../..", import.meta.url).pathname;
  enableCompileCache(join(resolve(root, process.env.PGO_HARNESS_CACHE_DIR || ".cache"), "node-compile-cache"));
}
await import("./main.ts");
