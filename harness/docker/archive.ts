// Reading files out of containers through Docker's archive API (`docker cp`): works on stopped containers
// and on images without a shell or coreutils.
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type Docker from "dockerode";
import tarFs from "tar-fs";
import tarStream from "tar-stream";

/** Copies the directory `path` of a container into `dest` (its contents, not the directory itself). */
export async function copyDirFromContainer(docker: Docker, containerId: string, path: string, dest: string): Promise<void> {
  const archive = await docker.getContainer(containerId).getArchive({ path: path.replace(/\/?$/, "/.") });
  await pipeline(archive as unknown as Readable, tarFs.extract(dest, { strip: 1 }));
}

/** Reads every regular file below `path` into memory (for small files such as the SDK's output). */
export async function readFilesFromContainer(docker: Docker, containerId: string, path: string): Promise<Map<string, string>> {
  const archive = await docker.getContainer(containerId).getArchive({ path });
  const files = new Map<string, string>();
  const extract = tarStream.extract();
  extract.on("entry", (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on("data", (c: unknown) => chunks.push(c as Buffer));
    stream.on("end", () => {
      if (header.type === "file") files.set(header.name, Buffer.concat(chunks).toString("utf8"));
      next();
    });
    stream.resume();
  });
  await pipeline(archive as unknown as Readable, extract);
  return files;
}
