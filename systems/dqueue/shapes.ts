// What the harness's queue check needs to know of dqueue's traces: where items enter and leave.
import type { QueueShape } from "../../harness/index.ts";

/** Items enter at the producer's committed reads of `s` and leave at the consumer's committed writes of `proc`. */
export const DQUEUE_SHAPE: QueueShape = {
  producer: { archetype: "AProducer", name: "s", tag: "read" },
  consumer: { archetype: "AConsumer", name: "proc", tag: "write" },
};
