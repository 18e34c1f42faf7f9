// Moved to harness/docker/logs.ts (the Docker room); kept for the fault kinds that still import it from here.
export { demuxLogs, readLogs, saveLogs } from "../docker/logs.ts";
