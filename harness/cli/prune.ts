// `pgo-harness prune [--keep N] [--system <name>] [--dry-run]`: remove old content-hashed images (image/prune.ts).
import { stderr, stdout } from "node:process";
import { dockerClient } from "../docker/client.ts";
import { pruneImages } from "../image/prune.ts";

const USAGE = "usage: pgo-harness prune [--keep N] [--system <name>] [--dry-run]\n";

export const command = {
  summary: "remove all but the newest N content-hashed images of each system image",
  async run(args: string[]): Promise<number> {
    let keep = 3;
    let system: string | undefined;
    let dryRun = false;
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (a === "--keep") {
        const n = Number(args[++i]);
        if (!Number.isInteger(n) || n < 0) {
          stderr.write(`pgo-harness prune: --keep must be a whole number >= 0, got "${args[i] ?? ""}"\n${USAGE}`);
          return 2;
        }
        keep = n;
      } else if (a === "--system") system = args[++i];
      else if (a === "--dry-run") dryRun = true;
      else {
        stderr.write(`pgo-harness prune: unexpected argument "${a}"\n${USAGE}`);
        return 2;
      }
    }
    const r = await pruneImages(dockerClient(), { keep, ...(system !== undefined ? { system } : {}), dryRun });
    for (const ref of r.removed) stdout.write(`${dryRun ? "would remove" : "removed"} ${ref}\n`);
    for (const f of r.failed) stdout.write(`kept ${f.ref}: ${f.reason}\n`);
    stdout.write(`${dryRun ? "would free" : "freed"} up to ${(r.bytes / 1e6).toFixed(0)} MB; ${r.kept.length} tag(s) kept (the newest ${keep} of each image)\n`);
    return r.failed.length > 0 ? 1 : 0;
  },
};
