// The Antithesis SDK's local output: one JSONL file per process, and the records in it.
//
// Locally every service's main process and every test-composer command gets its own
// ANTITHESIS_SDK_LOCAL_OUTPUT file, named after both, so that each assertion can be traced to the service and
// process that made it. Records are what the Go SDK v0.8.0 writes (internal/emit.go, assert/assert.go):
// {"antithesis_sdk":{...}} first, then {"antithesis_assert":{hit, must_hit, assert_type, display_type, message,
// condition, id, location:{file, function, class, begin_line, begin_column}, details}}, {"antithesis_setup":…}
// and anything else a program writes by hand (e.g. $ANTITHESIS_OUTPUT_DIR/sdk.jsonl).
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";

/** Where the SDK output volume is mounted in every container. */
export const SDK_OUTPUT_DIR = "/tmp/antithesis";

/** The process name of a service's own (compose `command`) process. */
export const MAIN_PROCESS = "main";

/** The file one process writes: sdk-<service>@<process>.jsonl (`@` cannot occur in a compose service name). */
export function sdkOutputFile(service: string, process: string): string {
  return `sdk-${service}@${process.replace(/[^A-Za-z0-9._@-]/g, "_")}.jsonl`;
}

export function sdkOutputPath(service: string, process: string): string {
  return `${SDK_OUTPUT_DIR}/${sdkOutputFile(service, process)}`;
}

export interface Source {
  /** The file, relative to the SDK output directory. */
  readonly file: string;
  /** Undefined for files no harness-assigned name describes (e.g. sdk.jsonl written by hand). */
  readonly service: string | undefined;
  readonly process: string | undefined;
}

export function sourceOf(file: string): Source {
  const m = /^sdk-([^@]+)@(.+)\.jsonl$/.exec(file);
  return m !== null ? { file, service: m[1], process: m[2] } : { file, service: undefined, process: undefined };
}

const locationSchema = z.looseObject({
  file: z.string().default(""),
  function: z.string().default(""),
  class: z.string().default(""),
  begin_line: z.number().default(0),
  begin_column: z.number().default(0),
});

export const assertSchema = z.looseObject({
  hit: z.boolean(),
  must_hit: z.boolean(),
  assert_type: z.enum(["always", "sometimes", "reachability"]),
  display_type: z.string(),
  message: z.string(),
  condition: z.boolean(),
  id: z.string(),
  location: locationSchema.nullish(),
  details: z.unknown().optional(),
});
export type AssertRecord = z.infer<typeof assertSchema>;
export type Location = z.infer<typeof locationSchema>;

export interface SourcedAssert {
  readonly assert: AssertRecord;
  readonly source: Source;
  /** 1-based line in the source file. */
  readonly line: number;
}

export interface SdkOutput {
  readonly asserts: SourcedAssert[];
  /** Files found (relative names), each with how many SDK-start records and assertion records it holds. */
  readonly files: { readonly source: Source; readonly starts: number; readonly asserts: number }[];
  /** Lines that are not JSON or whose antithesis_assert does not have the SDK's shape (file:line: reason). */
  readonly malformed: string[];
}

/** Parses one file's text. A last line without its newline may be mid-write (a killed process): it is skipped. */
export function parseSdkText(text: string, source: Source): { asserts: SourcedAssert[]; starts: number; malformed: string[] } {
  const asserts: SourcedAssert[] = [];
  const malformed: string[] = [];
  let starts = 0;
  const lines = text.split("\n");
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    let doc: unknown;
    try {
      doc = JSON.parse(line);
    } catch {
      if (i === lines.length - 1) return; // the unterminated tail of a killed writer
      malformed.push(`${source.file}:${i + 1}: not JSON`);
      return;
    }
    if (typeof doc !== "object" || doc === null) return;
    const rec = doc as Record<string, unknown>;
    if ("antithesis_sdk" in rec) starts++;
    if (!("antithesis_assert" in rec)) return;
    const parsed = assertSchema.safeParse(rec["antithesis_assert"]);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      malformed.push(`${source.file}:${i + 1}: antithesis_assert ${issue?.path.join(".") ?? ""} ${issue?.message ?? "is invalid"}`);
      return;
    }
    asserts.push({ assert: parsed.data, source, line: i + 1 });
  });
  return { asserts, starts, malformed };
}

/** Reads every *.jsonl file of a collected SDK output directory (a missing directory reads as empty). */
export async function readSdkOutput(dir: string): Promise<SdkOutput> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const out: SdkOutput = { asserts: [], files: [], malformed: [] };
  for (const name of names.filter((n) => n.endsWith(".jsonl")).sort()) {
    const source = sourceOf(name);
    const parsed = parseSdkText(await readFile(join(dir, name), "utf8"), source);
    out.asserts.push(...parsed.asserts);
    out.malformed.push(...parsed.malformed);
    out.files.push({ source, starts: parsed.starts, asserts: parsed.asserts.length });
  }
  return out;
}
