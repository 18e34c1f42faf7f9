// Content hashes for caching: a stage's output is reused only when the hash of everything it reads is unchanged.
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { lstat, readdir, readlink } from "node:fs/promises";
import { join, relative, sep } from "node:path";

/** Names never part of a build input (VCS data, editor litter, our own outputs); the prepare stamp skips them too. */
export const IGNORED = new Set([".git", "node_modules", ".cache", "runs", ".DS_Store"]);

export type HashInput = string | { readonly tree: string } | { readonly file: string };

/** sha256 (hex) over strings, files and whole directory trees, in the order given. */
export async function hashInputs(inputs: readonly HashInput[]): Promise<string> {
  const hash = createHash("sha256");
  for (const input of inputs) {
    if (typeof input === "string") {
      hash.update(`s:${input.length}:${input}\n`);
    } else if ("tree" in input) {
      hash.update("t:\n");
      await hashTree(hash, input.tree, input.tree);
    } else {
      hash.update("f:\n");
      await hashFile(hash, input.file);
    }
  }
  return hash.digest("hex");
}

async function hashTree(hash: ReturnType<typeof createHash>, root: string, dir: string): Promise<void> {
  const entries = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => !IGNORED.has(e.name))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    const rel = relative(root, path).split(sep).join("/");
    const info = await lstat(path);
    if (info.isSymbolicLink()) {
      hash.update(`l:${rel}:${await readlink(path)}\n`);
    } else if (info.isDirectory()) {
      hash.update(`d:${rel}\n`);
      await hashTree(hash, root, path);
    } else if (info.isFile()) {
      // The executable bit matters: test-composer commands must be executable in the image.
      hash.update(`f:${rel}:${info.mode & 0o111 ? "x" : "-"}:${info.size}\n`);
      await hashFile(hash, path);
    }
  }
}

function hashFile(hash: ReturnType<typeof createHash>, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    createReadStream(path)
      .on("data", (chunk) => hash.update(chunk))
      .on("error", reject)
      .on("end", () => resolve());
  });
}

export function short(hash: string): string {
  return hash.slice(0, 12);
}
