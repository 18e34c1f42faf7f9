// Stage 2a: the base image of every system image. The configured BASE_IMAGE when the engine has it or can pull
// it; otherwise one built from Debian packages (debootstrap + docker import), tagged by the hash of its recipe
// so that it is built once per machine. No container registry is needed.
import { mkdtemp, readFile, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Logger } from "../log.ts";
import type { Settings } from "../settings.ts";
import { hashInputs, short } from "../gobuild/hash.ts";
import { type Docker, imageExists, tryPull } from "../docker/client.ts";

export class BaseImageError extends Error {
  override name = "BaseImageError";
}

export async function resolveBaseImage(settings: Settings, docker: Docker, log: Logger): Promise<string> {
  if (settings.baseImage !== undefined) {
    if (await imageExists(docker, settings.baseImage)) return settings.baseImage;
    const failure = await log.step(`Pulling BASE_IMAGE ${settings.baseImage}`, () => tryPull(docker, settings.baseImage!, 60_000));
    if (failure === undefined) return settings.baseImage;
    log.warn(`BASE_IMAGE "${settings.baseImage}" is not on this engine and could not be pulled (${failure}); building a Debian ${settings.debianSuite} base image instead`);
  }
  const mirror = settings.debianMirror ?? (await aptDebianMirror());
  if (mirror === undefined) {
    throw new BaseImageError("No base image: set BASE_IMAGE to an image this engine has, or DEBIAN_MIRROR to a Debian mirror URL for debootstrap.");
  }
  const recipe = { suite: settings.debianSuite, variant: "minbase", mirror, arch: "amd64" };
  const tag = `pgo-harness/base:${recipe.suite}-${short(await hashInputs(["base/v1", JSON.stringify(recipe)]))}`;
  // Present (every run but the first on a machine): no lock to take, nothing more to load.
  if (await imageExists(docker, tag)) {
    log.info(`base image ${tag} is present`);
    return tag;
  }
  // Locked: on a fresh machine several suites ask for the base image at once; one builds it, the others then
  // find it present.
  const { withLock } = await import("../gobuild/lock.ts");
  return withLock(join(settings.cacheDir, "locks", "base-image"), async () => {
    if (await imageExists(docker, tag)) {
      log.info(`base image ${tag} is present`);
      return tag;
    }
    await log.step(`Building base image ${tag} with debootstrap (${recipe.suite}, ${recipe.variant}, ${mirror})`, () =>
      debootstrapImport(recipe, tag),
    );
    return tag;
  });
}

async function debootstrapImport(recipe: { suite: string; variant: string; mirror: string; arch: string }, tag: string): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new BaseImageError("Building the base image with debootstrap needs root: run as root, or set BASE_IMAGE to an image this engine has.");
  }
  const [{ execa }, { default: fse }] = await Promise.all([import("execa"), import("fs-extra")]);
  try {
    await execa("debootstrap", ["--version"]);
  } catch {
    throw new BaseImageError("debootstrap is not installed: run scripts/setup.sh (or apt-get install debootstrap), or set BASE_IMAGE.");
  }
  const dir = await mkdtemp(join(tmpdir(), "pgo-harness-rootfs-"));
  try {
    await execa("debootstrap", [`--variant=${recipe.variant}`, `--arch=${recipe.arch}`, recipe.suite, dir, recipe.mirror], { all: true }).catch((err: { all?: string; message: string }) => {
      throw new BaseImageError(`debootstrap failed: ${(err.all ?? err.message).split("\n").slice(-10).join("\n")}`);
    });
    // Leave apt usable inside image builds, pointed at the same mirror.
    await fse.outputFile(join(dir, "etc/apt/sources.list"), `deb ${recipe.mirror} ${recipe.suite} main\n`);
    // A shell pipe, so the root filesystem streams from tar to the engine without being held in memory.
    await execa("bash", ["-o", "pipefail", "-c", 'tar -C "$1" -c . | docker import --change "$3" - "$2" >/dev/null', "import", dir, tag, 'CMD ["/bin/bash"]'], {
      stdout: "ignore",
    });
  } finally {
    await fse.remove(dir);
  }
}

/** The Debian mirror this machine's apt already uses (deb822 .sources or one-line sources.list). */
export async function aptDebianMirror(): Promise<string | undefined> {
  const files: string[] = ["/etc/apt/sources.list"];
  try {
    for (const f of await readdir("/etc/apt/sources.list.d")) files.push(join("/etc/apt/sources.list.d", f));
  } catch {
    // no sources.list.d: nothing to add
  }
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch {
      continue;
    }
    for (const m of text.matchAll(/^\s*(?:URIs:\s*|deb\s+(?:\[[^\]]*\]\s+)?)(\S+)/gm)) {
      const uri = m[1]!;
      if (/^https?:\/\/.*\/debian\/?$/.test(uri)) return uri.replace(/\/$/, "");
    }
  }
  return undefined;
}
