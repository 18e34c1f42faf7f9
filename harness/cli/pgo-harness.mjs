#!/usr/bin/env node
// The pgo-harness command. Plain JavaScript, so that an old Node (which cannot load the TypeScript below) gets
// one line saying what to do instead of a stack trace.
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(`pgo-harness needs Node >= 22.18 (found ${process.versions.node}): run it through npx or npm scripts, which use the project's Node 24\n`);
  process.exit(2);
}
await import("./main.ts");
