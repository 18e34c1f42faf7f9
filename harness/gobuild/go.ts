// Stage 1b: compile a system's binaries in its workspace, for the images' platform (linux/amd64; static unless
// cgo is asked for, as Antithesis builds need it: without cgo the SDK cannot reach Antithesis's coverage library).
import { join } from "node:path";
import type { GoBinary } from "../system.ts";

export class GoBuildError extends Error {
  override name = "GoBuildError";
}

/** The environment every Go command of the harness runs with. */
export function goEnv(workspace: string, cgo = false): Record<string, string> {
  const path = process.env["PATH"] ?? "";
  return {
    // Go's installer location is added so a shell without it on PATH still builds.
    PATH: path.split(":").includes("/usr/local/go/bin") ? path : `${path}:/usr/local/go/bin`,
    GOWORK: join(workspace, "go.work"),
    // Workspace mode refuses -mod=mod; modules must commit complete go.sum files.
    GOFLAGS: "",
    CGO_ENABLED: cgo ? "1" : "0",
    GOOS: "linux",
    GOARCH: "amd64",
  };
}

// execa is loaded by the functions that run go, not with this file: Vitest's global setup imports GoBuildError
// on every run, and a warm run runs no go.
export async function goVersion(): Promise<string> {
  const { execa } = await import("execa");
  try {
    const { stdout } = await execa("go", ["env", "GOVERSION"], { env: goEnv("/nonexistent") });
    return stdout.trim();
  } catch (err) {
    if ((err as { code?: string }).code === "ENOENT") {
      throw new GoBuildError("Go is not installed (no `go` on PATH nor in /usr/local/go/bin): install Go >= 1.24 from https://go.dev/dl/ into /usr/local/go, then run scripts/setup.sh");
    }
    throw err;
  }
}

export async function buildBinary(workspace: string, binary: GoBinary, outDir: string, cgo = false): Promise<string> {
  const out = join(outDir, binary.name);
  const args =
    binary.kind === "test"
      ? ["test", "-c", "-o", out, binary.package]
      : ["build", "-trimpath", "-o", out, binary.package];
  const { execa, ExecaError } = await import("execa");
  try {
    await execa("go", args, { cwd: workspace, env: goEnv(workspace, cgo), all: true });
  } catch (err) {
    const output = err instanceof ExecaError ? String(err.all ?? err.message) : String(err);
    throw new GoBuildError(
      `go ${args.join(" ")} failed in ${workspace}:\n${output.split("\n").slice(-40).join("\n")}`,
    );
  }
  return out;
}
