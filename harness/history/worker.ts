// A worker thread of parallel.ts: searches the parts it is handed and sends their outcomes.
import { parentPort } from "node:worker_threads";
import { searchParts } from "./check.ts";
import { models } from "./models.ts";
import type { Operation } from "./operation.ts";
import type { WorkerReply, WorkerRequest } from "./parallel.ts";

parentPort?.on("message", (request: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    const model = models[request.model as keyof typeof models];
    if (model === undefined) throw new Error(`no model "${request.model}"`);
    // Part indices are the caller's.
    const parts: (readonly Operation[])[] = [];
    request.indices.forEach((index, k) => (parts[index] = request.parts[k]!));
    const outcomes = searchParts(model, parts, {
      deadline: performance.now() + request.remainingMs,
      stopAtFirstIllegal: request.stopAtFirstIllegal,
      indices: request.indices,
      control: new Int32Array(request.control),
    });
    reply = { id: request.id, outcomes };
  } catch (err) {
    reply = { id: request.id, error: err instanceof Error ? err.message : String(err) };
  }
  parentPort?.postMessage(reply);
});
