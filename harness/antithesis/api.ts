// The Antithesis HTTP API, as documented in the OpenAPI spec that the REST API page
// (https://antithesis.com/docs/rest_api/) describes and snouty ships (src/openapi.json):
// - POST {base}/api/v1/launch/{launcher}, body {"params": {...}} with string values, answers
//   202 {"statusCode": 202, "runId": "<hex>-<n>-<n>"}; errors carry {"statusCode": n, "runId": null} or an
//   empty body. Bearer (the spec's global scheme) or basic auth (the webhook pages' machine credentials).
// - GET {base}/api/v0/runs/{run_id} (bearer): {run_id, status: starting|in_progress|completed|cancelled|
//   incomplete|unknown, links: {triage_report}, ...}; errors are {"message": "..."}.
// - GET {base}/api/v0/runs/{run_id}/properties (bearer): {data: [{name, status: Passing|Failing, ...}],
//   next_cursor}, paginated with ?after=; 404 while the run is in progress.
// - 429 carries Retry-After in seconds; the spec asks for exponential backoff with jitter.
// Nothing here logs a header, and every message from a server is scrubbed of the secrets before it is shown.
import { z } from "zod";
import type { Logger } from "../log.ts";
import { type AntithesisSettings, scrub } from "./settings.ts";

export type ApiStage = "launch" | "run" | "properties" | "wait";

export class AntithesisApiError extends Error {
  override name = "AntithesisApiError";
  readonly status: number | undefined;
  readonly stage: ApiStage;

  constructor(stage: ApiStage, status: number | undefined, message: string) {
    super(message);
    this.stage = stage;
    this.status = status;
  }
}

export interface HttpOptions {
  /** Defaults to the global fetch (undici). */
  readonly fetch?: typeof fetch;
  /** Defaults to setTimeout; tests pass a recorder. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly log?: Logger;
  /** Retries after a 5xx (or an unreachable server) before giving up; default 3. */
  readonly maxServerRetries?: number;
  /** Retries after a 429 before giving up; default 8. */
  readonly maxRateLimitRetries?: number;
  /** First backoff step, doubled each retry; default 1000 ms. */
  readonly backoffMs?: number;
  /** Upper bound of one wait (Retry-After included); default 5 min. */
  readonly maxWaitMs?: number;
  /** Per-request timeout; default 60 s. */
  readonly requestTimeoutMs?: number;
}

export interface LaunchInput {
  /** The config image, by digest: `repo/name@sha256:…`. */
  readonly configImage: string;
  /** Every other image, by digest. */
  readonly images: readonly string[];
  /** Used when ANTITHESIS_DESCRIPTION is not set. */
  readonly description?: string;
}

export interface LaunchResult {
  /** From the response body; undefined when the server sent none (the spec allows runId: null). */
  readonly runId: string | undefined;
  readonly status: number;
  readonly params: Readonly<Record<string, string>>;
}

export const TERMINAL_STATUSES = ["completed", "cancelled", "incomplete"] as const;

const runSchema = z.looseObject({
  run_id: z.string(),
  status: z.string(),
  launcher: z.string().optional(),
  description: z.string().nullish(),
  created_at: z.string().optional(),
  started_at: z.string().nullish(),
  completed_at: z.string().nullish(),
  links: z.looseObject({ triage_report: z.string().optional() }).nullish(),
  failure_moment: z.unknown().optional(),
});
export type RunDetail = z.infer<typeof runSchema>;

const propertySchema = z.looseObject({
  name: z.string(),
  status: z.enum(["Passing", "Failing"]),
  description: z.string().nullish(),
  is_event: z.boolean().optional(),
  is_group: z.boolean().optional(),
  group: z.string().optional(),
  example_count: z.number().nullish(),
  counterexample_count: z.number().nullish(),
});
const propertyPageSchema = z.looseObject({ data: z.array(propertySchema), next_cursor: z.string().nullish() });
export type RunProperty = z.infer<typeof propertySchema>;

/** The launch parameters, every value a string, only those that are set. */
export function launchParams(settings: AntithesisSettings, input: LaunchInput): Record<string, string> {
  for (const image of [input.configImage, ...input.images]) {
    if (image === "" || /[;,\s]/.test(image)) throw new AntithesisApiError("launch", undefined, `launch: image reference "${image}" must not be empty or contain ";", "," or spaces`);
  }
  const params: Record<string, string> = {};
  const description = settings.description ?? input.description;
  if (description !== undefined) params["antithesis.description"] = description;
  if (settings.durationMinutes !== undefined) params["antithesis.duration"] = String(settings.durationMinutes);
  params["antithesis.config_image"] = input.configImage;
  if (input.images.length > 0) params["antithesis.images"] = input.images.join(";");
  if (settings.recipients.length > 0) params["antithesis.report.recipients"] = settings.recipients.join(";");
  if (settings.source !== undefined) params["antithesis.source"] = settings.source;
  if (settings.testName !== undefined) params["antithesis.test_name"] = settings.testName;
  return params;
}

/** Starts a run; any 2xx is success. */
export async function launch(settings: AntithesisSettings, input: LaunchInput, opts: HttpOptions = {}): Promise<LaunchResult> {
  const params = launchParams(settings, input);
  const url = `${settings.baseUrl}/api/v1/launch/${encodeURIComponent(settings.launcher)}`;
  // Basic (the webhook's machine credentials) when given, else the API key.
  const authorization =
    settings.basic !== undefined
      ? `Basic ${Buffer.from(`${settings.basic.username}:${settings.basic.password.reveal()}`).toString("base64")}`
      : `Bearer ${settings.apiKey?.reveal() ?? ""}`;
  const res = await request(settings, "launch", "POST", url, authorization, JSON.stringify({ params }), opts);
  return { runId: runIdOf(res.json), status: res.status, params };
}

export async function getRun(settings: AntithesisSettings, runId: string, opts: HttpOptions = {}): Promise<RunDetail> {
  const url = `${settings.baseUrl}/api/v0/runs/${encodeURIComponent(runId)}`;
  const res = await request(settings, "run", "GET", url, bearer(settings, "run"), undefined, opts);
  const parsed = runSchema.safeParse(res.json);
  if (!parsed.success) throw new AntithesisApiError("run", res.status, `run ${runId}: unexpected response from GET ${url}: ${describeIssue(parsed.error)}`);
  return parsed.data;
}

export interface WaitOptions extends HttpOptions {
  /** Default 60 s. */
  readonly pollMs?: number;
  readonly timeoutMs: number;
  /** Called after every poll. */
  readonly onProgress?: (run: RunDetail) => void;
}

/** Polls the run until it is completed, cancelled or incomplete. */
export async function waitForRun(settings: AntithesisSettings, runId: string, opts: WaitOptions): Promise<RunDetail> {
  const sleep = opts.sleep ?? defaultSleep;
  const pollMs = opts.pollMs ?? 60_000;
  const deadline = performance.now() + opts.timeoutMs;
  for (;;) {
    const run = await getRun(settings, runId, opts);
    opts.onProgress?.(run);
    if ((TERMINAL_STATUSES as readonly string[]).includes(run.status)) return run;
    if (performance.now() + pollMs > deadline) {
      throw new AntithesisApiError("wait", undefined, `run ${runId}: still "${run.status}" after ${Math.round(opts.timeoutMs / 60_000)} min of waiting`);
    }
    await sleep(pollMs);
  }
}

/** Every property of a finished run, all pages. */
export async function getProperties(settings: AntithesisSettings, runId: string, opts: HttpOptions = {}): Promise<RunProperty[]> {
  const out: RunProperty[] = [];
  let after: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const query = new URLSearchParams({ limit: "100", ...(after !== undefined ? { after } : {}) });
    const url = `${settings.baseUrl}/api/v0/runs/${encodeURIComponent(runId)}/properties?${query}`;
    const res = await request(settings, "properties", "GET", url, bearer(settings, "properties"), undefined, opts);
    const parsed = propertyPageSchema.safeParse(res.json);
    if (!parsed.success) throw new AntithesisApiError("properties", res.status, `run ${runId}: unexpected properties response: ${describeIssue(parsed.error)}`);
    out.push(...parsed.data.data);
    after = parsed.data.next_cursor ?? undefined;
    if (after === undefined || after === "") return out;
  }
  throw new AntithesisApiError("properties", undefined, `run ${runId}: more than 1000 pages of properties`);
}

// A finished run's properties become reports in harness/properties (remoteProperties), the same shape as a
// local run's.

function bearer(settings: AntithesisSettings, stage: ApiStage): string {
  if (settings.apiKey === undefined) throw new AntithesisApiError(stage, undefined, "ANTITHESIS_API_KEY is not set: the runs API takes a bearer API key");
  return `Bearer ${settings.apiKey.reveal()}`;
}

/** The run id in a launch response: the spec says runId; other plausible spellings are accepted too. */
export function runIdOf(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const b = body as Record<string, unknown>;
  for (const key of ["runId", "run_id", "runID", "id"]) {
    const v = b[key];
    if (typeof v === "string" && v !== "") return v;
  }
  if (typeof b["data"] === "object") return runIdOf(b["data"]);
  return undefined;
}

interface ApiResponse {
  readonly status: number;
  readonly json: unknown;
}

async function request(
  settings: AntithesisSettings,
  stage: ApiStage,
  method: "GET" | "POST",
  url: string,
  authorization: string,
  body: string | undefined,
  opts: HttpOptions,
): Promise<ApiResponse> {
  const doFetch = opts.fetch ?? fetch;
  const sleep = opts.sleep ?? defaultSleep;
  const maxServer = opts.maxServerRetries ?? 3;
  const maxRate = opts.maxRateLimitRetries ?? 8;
  const backoff = opts.backoffMs ?? 1000;
  const maxWait = opts.maxWaitMs ?? 300_000;
  const what = `${method} ${url.replace(/\?.*$/, "")}`;
  const clean = (text: string) => scrub(text, settings.secrets);
  let serverRetries = 0;
  let rateRetries = 0;
  for (;;) {
    // Backoff for server errors: doubles with every server retry.
    const exp = Math.min(maxWait, backoff * 2 ** serverRetries);
    let res: Response;
    try {
      res = await doFetch(url, {
        method,
        headers: { authorization, accept: "application/json", ...(body !== undefined ? { "content-type": "application/json" } : {}) },
        ...(body !== undefined ? { body } : {}),
        signal: AbortSignal.timeout(opts.requestTimeoutMs ?? 60_000),
        redirect: "error",
      });
    } catch (err) {
      const reason = clean(errorReason(err));
      // A POST that may have reached the server is not repeated (it could launch twice); a refused connection is.
      const retriable = method === "GET" || /ECONNREFUSED|ENOTFOUND|EAI_AGAIN/.test(reason);
      if (retriable && serverRetries < maxServer) {
        serverRetries++;
        opts.log?.warn(`${stage}: ${what} failed (${reason}); retry ${serverRetries} of ${maxServer} in ${(exp / 1000).toFixed(1)} s`);
        await sleep(jitter(exp));
        continue;
      }
      throw new AntithesisApiError(stage, undefined, `Antithesis ${stage}: ${what} failed: ${reason}`);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text === "" ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (res.status >= 200 && res.status < 300) return { status: res.status, json };
    const detail = serverMessage(json, text, clean);
    if (res.status === 429 && rateRetries < maxRate) {
      rateRetries++;
      const after = retryAfterMs(res.headers.get("retry-after"));
      // As Retry-After says, but never less than the backoff step, so repeated 429s slow down.
      const step = backoff * 2 ** (rateRetries - 1);
      const wait = Math.min(maxWait, after !== undefined ? Math.max(after, step) : jitter(step));
      opts.log?.warn(`${stage}: ${what}: 429 Too Many Requests; retry ${rateRetries} of ${maxRate} in ${(wait / 1000).toFixed(1)} s`);
      await sleep(wait);
      continue;
    }
    if (res.status >= 500 && serverRetries < maxServer) {
      serverRetries++;
      opts.log?.warn(`${stage}: ${what}: ${res.status}${detail}; retry ${serverRetries} of ${maxServer} in ${(exp / 1000).toFixed(1)} s`);
      await sleep(jitter(exp));
      continue;
    }
    throw new AntithesisApiError(stage, res.status, `Antithesis ${stage}: ${what} answered ${res.status}: ${explain(settings, stage, res.status, serverRetries, rateRetries)}${detail}`);
  }
}

function explain(settings: AntithesisSettings, stage: ApiStage, status: number, serverRetries: number, rateRetries: number): string {
  const auth =
    stage === "launch" && settings.basic !== undefined
      ? `basic auth as "${settings.basic.username}" (ANTITHESIS_USERNAME/ANTITHESIS_PASSWORD or the user/password files)`
      : "the bearer API key (ANTITHESIS_API_KEY)";
  switch (status) {
    case 401:
      return `the credentials were refused: ${auth}`;
    case 403:
      return `the credentials (${auth}) are not allowed to do this`;
    case 404:
      return stage === "launch" ? `no launcher "${settings.launcher}" at ${settings.baseUrl} (check ANTITHESIS_LAUNCHER, ANTITHESIS_TENANT/ANTITHESIS_BASE_URL)` : "not found";
    case 429:
      return `still rate-limited after ${rateRetries} retries`;
    default:
      return status >= 500 ? `server error, still after ${serverRetries} retries` : "request refused";
  }
}

/** One line of what the server said, if anything useful: {"message"} or a short text body. */
function serverMessage(json: unknown, text: string, clean: (s: string) => string): string {
  let msg: string | undefined;
  if (typeof json === "object" && json !== null && typeof (json as { message?: unknown }).message === "string") msg = (json as { message: string }).message;
  else if (json === undefined && text.trim() !== "" && !/^\s*</.test(text)) msg = text;
  if (msg === undefined) return "";
  const line = clean(msg).replace(/\s+/g, " ").trim();
  return line === "" ? "" : ` (${line.length > 200 ? `${line.slice(0, 200)}…` : line})`;
}

/** Retry-After: seconds, or an HTTP date. */
export function retryAfterMs(header: string | null): number | undefined {
  if (header === null || header.trim() === "") return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function jitter(ms: number): number {
  return Math.round(ms * (1 + Math.random() * 0.2));
}

function errorReason(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    const code = cause instanceof Error ? ((cause as NodeJS.ErrnoException).code ?? cause.message) : undefined;
    return code !== undefined ? `${err.message} (${code})` : err.message;
  }
  return String(err);
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return `${issue?.path.join(".") || "body"} ${issue?.message ?? "is invalid"}`;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
