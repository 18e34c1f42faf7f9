// The reaper process (our stand-in for testcontainers' Ryuk, whose image cannot be pulled here).
// It is spawned detached by the harness with a pipe on stdin. The harness writes "add <project>" when it brings a
// compose project up and "done <project>" once it has taken it down itself. When the pipe closes — the harness
// exited, crashed, was killed, or was interrupted with Ctrl-C — every project not marked done is removed:
// containers (with their anonymous volumes), then networks, then named volumes.
import { createInterface } from "node:readline";

const projects = new Set<string>();
const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  const [verb, project] = line.trim().split(/\s+/, 2);
  if (project === undefined) return;
  if (verb === "add") projects.add(project);
  if (verb === "done") projects.delete(project);
});
lines.on("close", () => {
  void (async () => {
    // Loaded only when there is something to remove: the watchdog starts beside every run, and dockerode's
    // import would compete with the run for the CPU.
    const { removeProject } = projects.size > 0 ? await import("../docker/project.ts") : { removeProject: undefined };
    for (const project of projects) {
      try {
        const removed = await removeProject!(project);
        process.stderr.write(`[reaper] removed compose project ${project}: ${removed.join(", ") || "nothing left"}\n`);
      } catch (err) {
        process.stderr.write(`[reaper] could not remove ${project}: ${err instanceof Error ? err.message : String(err)}\n`);
      }
    }
    process.exit(0);
  })();
});
