// Stage 1a: assemble a Go workspace from the modules a system lists — each module copied into a fresh
// directory and tied together by go.work — as PGo's own Antithesis build does. A copy, not the source tree,
// so the build sees exactly the hashed inputs and can be handed to tools that rewrite sources (instrumentation).
import { join } from "node:path";
import fse from "fs-extra";
import { execa } from "execa";
import type { GoModule } from "../system.ts";

const SKIP = new Set([".git", "node_modules", ".cache", "runs"]);

export async function assembleWorkspace(modules: readonly GoModule[], dir: string, env: Record<string, string>): Promise<void> {
  await fse.emptyDir(dir);
  for (const m of modules) {
    await fse.copy(m.dir, join(dir, m.name), {
      filter: (src) => !SKIP.has(src.slice(src.lastIndexOf("/") + 1)),
    });
  }
  // `go work init` picks a go line that satisfies every module, which a hand-written go.work would not.
  await execa("go", ["work", "init", ...modules.map((m) => `./${m.name}`)], { cwd: dir, env, extendEnv: true });
}
