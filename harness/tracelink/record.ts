// The TraceLink record as PGo's Go runtime writes it: one JSON object per critical section, one line each.
// The field meanings are in the README (TraceLink traces); this schema is the boundary check for every reader.
import { z } from "zod";

export const csElementSchema = z.object({
  tag: z.enum(["read", "write"]),
  name: z.object({ name: z.string(), prefix: z.string(), self: z.string() }),
  indices: z.array(z.string()),
  value: z.string(),
  oldValue: z.string().optional(),
});
export type CsElement = z.infer<typeof csElementSchema>;

export const recordSchema = z.object({
  archetypeName: z.string().min(1),
  self: z.string().min(1),
  clock: z.array(z.tuple([z.tuple([z.string(), z.string()]), z.number().int().nonnegative()])),
  csElements: z.array(csElementSchema).min(1),
  isAbort: z.boolean(),
  startTime: z.iso.datetime({ offset: true }),
  endTime: z.iso.datetime({ offset: true }),
});
export type TraceRecord = z.infer<typeof recordSchema>;

/** The key of an archetype instance in a vector clock, e.g. `AServer:1`. */
export function instanceKey(archetype: string, self: string): string {
  return `${archetype}:${self}`;
}

/** The instance's own clock entry, or undefined when the clock lacks it. */
export function ownClock(record: TraceRecord): number | undefined {
  for (const [[a, s], n] of record.clock) if (a === record.archetypeName && s === record.self) return n;
  return undefined;
}
