// The harness side of the reaper (see reaper-main.ts): one detached watchdog per process, started on first use.
import { type ChildProcess, spawn } from "node:child_process";
import { openSync } from "node:fs";
import { fileURLToPath } from "node:url";

export class Reaper {
  private readonly child: ChildProcess;
  private constructor(child: ChildProcess) {
    this.child = child;
  }

  /** Starts the watchdog; its own messages go to logFile. */
  static start(logFile: string): Reaper {
    const child = spawn(process.execPath, [fileURLToPath(new URL("./reaper-main.ts", import.meta.url))], {
      // detached: a Ctrl-C aimed at the test run's process group must not kill the watchdog too.
      detached: true,
      stdio: ["pipe", "ignore", openSync(logFile, "a")],
    });
    child.unref();
    // The pipe must not keep this process alive; it only has to close when this process goes.
    (child.stdin as unknown as { unref?: () => void }).unref?.();
    return new Reaper(child);
  }

  add(project: string): void {
    this.child.stdin?.write(`add ${project}\n`);
  }

  done(project: string): void {
    this.child.stdin?.write(`done ${project}\n`);
  }

  /** Ends the watch: the reaper removes what is still registered (nothing, after every done) and exits. */
  close(): void {
    this.child.stdin?.end();
  }
}
