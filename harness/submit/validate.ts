// What `snouty validate` (antithesishq/snouty, src/validate.rs) checks before a submission, beyond what our
// pre-flight run shows: the compose file renders the same with and without this shell's environment (Antithesis
// runs compose hermetically), no network is external, every service names an explicit image, and every image is
// linux/amd64. One line per problem, naming the service, network or variable; values are never printed (they
// may be secrets).
import { readFile } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { execa } from "execa";
import { parse } from "yaml";
import type { Docker } from "../docker/client.ts";

export interface ValidateOptions {
  readonly composeFile: string;
  /** The shell's environment, as `docker compose` would see it here. */
  readonly env: NodeJS.ProcessEnv;
  readonly docker: Docker;
  /** compose image reference → the image that will run (built tag or final reference); others are used as named. */
  readonly images: Readonly<Record<string, string>>;
}

type Doc = { services?: Record<string, { image?: unknown } | null>; networks?: Record<string, { external?: unknown } | null> | null };

/** Returns the problems found, one line each; empty when the file is fit for Antithesis. */
export async function validateForAntithesis(opts: ValidateOptions): Promise<string[]> {
  const text = await readFile(opts.composeFile, "utf8");
  const doc = (parse(text, { merge: true }) ?? {}) as Doc;
  const file = basename(opts.composeFile);
  const problems: string[] = [];
  problems.push(...(await hermeticRendering(opts, text, file)));
  for (const [name, net] of Object.entries(doc.networks ?? {})) {
    if (net?.external !== undefined && net.external !== false) problems.push(`${file}: network "${name}" is external; Antithesis provides no external networks (declare it in the file)`);
  }
  for (const [service, svc] of Object.entries(doc.services ?? {})) {
    const image = svc?.image;
    if (typeof image !== "string" || image === "") {
      problems.push(`${file}: service "${service}" names no image: (Antithesis runs pushed images only, it builds nothing)`);
      continue;
    }
    const ref = opts.images[image] ?? image;
    const info = await opts.docker.getImage(ref).inspect().catch(() => undefined);
    if (info !== undefined && (info.Os !== "linux" || info.Architecture !== "amd64")) {
      problems.push(`${file}: service "${service}" runs an image for ${info.Os}/${info.Architecture}; Antithesis runs linux/amd64`);
    }
  }
  return problems;
}

/** Variables the file interpolates ($X, ${X}, ${X:-…}, …). */
export function interpolatedVariables(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(/(?<!\$)\$(?:\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))/g)) names.add((m[1] ?? m[2])!);
  return [...names].sort();
}

async function hermeticRendering(opts: ValidateOptions, text: string, file: string): Promise<string[]> {
  const render = async (env: NodeJS.ProcessEnv) =>
    execa("docker", ["compose", "-f", basename(opts.composeFile), "config", "--format", "json"], {
      cwd: dirname(opts.composeFile),
      env,
      extendEnv: false,
      reject: false,
    });
  // Only what is needed to find and run docker; compose sees nothing of this shell's own variables.
  const scrubbed: NodeJS.ProcessEnv = { PATH: opts.env["PATH"] ?? "/usr/bin:/bin" };
  if (opts.env["DOCKER_CONFIG"] !== undefined) scrubbed["DOCKER_CONFIG"] = opts.env["DOCKER_CONFIG"];
  if (opts.env["HOME"] !== undefined) scrubbed["HOME"] = opts.env["HOME"];
  const [shell, hermetic] = await Promise.all([render(opts.env), render(scrubbed)]);
  const set = interpolatedVariables(text).filter((v) => opts.env[v] !== undefined && opts.env[v] !== "" && scrubbed[v] === undefined);
  const names = set.length > 0 ? set.join(", ") : "no variable set here";
  if (hermetic.exitCode !== 0) {
    return [`${file}: does not render without this shell's environment (Antithesis runs compose hermetically); it interpolates ${interpolatedVariables(text).join(", ") || "nothing"} (set here: ${names})`];
  }
  if (shell.exitCode !== 0) return [`${file}: docker compose config fails with this shell's environment (variables set here that it reads: ${names})`];
  if (shell.stdout !== hermetic.stdout) {
    return [`${file}: renders differently with this shell's environment than without it (Antithesis runs compose hermetically): it reads ${names}`];
  }
  return [];
}
