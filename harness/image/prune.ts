// Every change of a system's inputs makes new content-hashed image tags (pgo-harness/<system>-<image>:<hash>,
// about 200 MB each for a test image), and nothing else removes the old ones: prune keeps the newest `keep` tags
// of each repository and removes the rest (an image a container still uses is kept and said so).
import type { Docker } from "../docker/client.ts";

export interface PruneOptions {
  /** Tags to keep per repository, newest first (default 3). */
  readonly keep?: number;
  /** Only this system's repositories (pgo-harness/<system>-*); default: every pgo-harness/ repository. */
  readonly system?: string;
  readonly dryRun?: boolean;
}

export interface PruneResult {
  readonly removed: readonly string[];
  readonly kept: readonly string[];
  readonly failed: readonly { readonly ref: string; readonly reason: string }[];
  readonly bytes: number;
}

export async function pruneImages(docker: Docker, opts: PruneOptions = {}): Promise<PruneResult> {
  const keep = opts.keep ?? 3;
  const prefix = opts.system !== undefined ? `pgo-harness/${opts.system}-` : "pgo-harness/";
  const byRepo = new Map<string, { ref: string; created: number; size: number }[]>();
  for (const img of await docker.listImages()) {
    for (const ref of img.RepoTags ?? []) {
      if (!ref.startsWith(prefix)) continue;
      const repo = ref.slice(0, ref.lastIndexOf(":"));
      byRepo.set(repo, [...(byRepo.get(repo) ?? []), { ref, created: img.Created, size: img.Size }]);
    }
  }
  const removed: string[] = [];
  const kept: string[] = [];
  const failed: { ref: string; reason: string }[] = [];
  let bytes = 0;
  for (const tags of byRepo.values()) {
    tags.sort((a, b) => b.created - a.created || b.ref.localeCompare(a.ref));
    kept.push(...tags.slice(0, keep).map((t) => t.ref));
    for (const t of tags.slice(keep)) {
      if (opts.dryRun === true) {
        removed.push(t.ref);
        bytes += t.size;
        continue;
      }
      try {
        await docker.getImage(t.ref).remove();
        removed.push(t.ref);
        bytes += t.size;
      } catch (err) {
        failed.push({ ref: t.ref, reason: (err as { statusCode?: number }).statusCode === 409 ? "in use by a container" : err instanceof Error ? err.message : String(err) });
      }
    }
  }
  return { removed, kept, failed, bytes };
}
