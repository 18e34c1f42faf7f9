// The run never outlives its caller: when the process that started this one goes away (an `npx` wrapper killed
// with SIGTERM exits at once without passing the signal on; this process is then re-parented), this process
// sends itself SIGTERM, which tears the run down as an interrupt does (down -v; the reaper for the rest).
let watching = false;

export function watchParent(onOrphaned: () => void = () => process.kill(process.pid, "SIGTERM"), intervalMs = 500): void {
  if (watching) return;
  watching = true;
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(timer);
      process.stderr.write(`[pgo-harness] the parent process (${parent}) is gone: stopping the run\n`);
      onOrphaned();
    }
  }, intervalMs);
  timer.unref();
}
