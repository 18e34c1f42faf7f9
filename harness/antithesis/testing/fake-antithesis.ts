// A local stand-in for an Antithesis tenant (https://<tenant>.antithesis.com), for tests only: the launch
// webhook POST /api/v1/launch/{launcher} and the runs API GET /api/v0/runs/{run_id} and
// GET /api/v0/runs/{run_id}/properties, with the shapes of Antithesis's OpenAPI spec (the one behind
// https://antithesis.com/docs/rest_api/): launch answers 202 {"statusCode": 202, "runId": "..."}, launch errors
// {"statusCode": n, "runId": null}, runs-API errors {"message": "..."}, 429 with Retry-After (seconds),
// properties 404 until the run has ended. It records every request so that tests can assert method, path,
// Authorization header and body. It runs nothing: a launched run only steps through the statuses it is given.
import { randomBytes } from "node:crypto";
import { type IncomingMessage, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  readonly method: string;
  /** Path and query, as sent. */
  readonly path: string;
  readonly authorization: string | undefined;
  readonly contentType: string | undefined;
  readonly body: string;
  /** The body parsed as JSON, when it is. */
  readonly json: unknown;
}

export interface FakeProperty {
  readonly name: string;
  readonly status: "Passing" | "Failing";
  readonly description?: string | null;
  readonly is_event?: boolean;
  readonly example_count?: number;
  readonly counterexample_count?: number;
}

export interface FakeAntithesisOptions {
  /** Accepted bearer token (launch and runs API). */
  readonly apiKey?: string;
  /** Accepted basic credentials (launch only, as for the webhook's machine credentials). */
  readonly basic?: { readonly username: string; readonly password: string };
  /** Launchers that exist; default ["basic_test"]. */
  readonly launchers?: readonly string[];
  /** The statuses a run reports, one per GET, the last one repeated; default in_progress, completed. */
  readonly statuses?: readonly string[];
  /** The properties of every ended run. */
  readonly properties?: readonly FakeProperty[];
  /** Page size of the properties endpoint (to exercise next_cursor); default 100. */
  readonly propertiesPageSize?: number;
}

/** A scripted answer that takes the place of the normal one, for the next matching request. */
export interface ScriptedFailure {
  readonly status: number;
  readonly retryAfter?: string;
  readonly body?: string;
}

export interface FakeRun {
  readonly runId: string;
  readonly launcher: string;
  readonly params: Record<string, string>;
  polls: number;
}

export interface FakeAntithesis {
  /** Base URL, http://127.0.0.1:<port> (no trailing slash): ANTITHESIS_BASE_URL. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  readonly runs: Map<string, FakeRun>;
  /** Answer the next requests whose path starts with pathPrefix with these, in order. */
  failNext(pathPrefix: string, ...failures: ScriptedFailure[]): void;
  close(): Promise<void>;
}

export async function startFakeAntithesis(opts: FakeAntithesisOptions = {}): Promise<FakeAntithesis> {
  const requests: RecordedRequest[] = [];
  const runs = new Map<string, FakeRun>();
  const scripted: { prefix: string; failure: ScriptedFailure }[] = [];
  const launchers = opts.launchers ?? ["basic_test"];
  const statuses = opts.statuses ?? ["in_progress", "completed"];
  const terminal = new Set(["completed", "cancelled", "incomplete"]);
  const session = randomBytes(16).toString("hex");
  let launched = 0;
  let url = "";

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = body === undefined ? "" : JSON.stringify(body);
    res.writeHead(status, { ...(text !== "" ? { "content-type": "application/json" } : {}), ...headers });
    res.end(text);
  };
  const bearerOk = (auth: string | undefined) => opts.apiKey !== undefined && auth === `Bearer ${opts.apiKey}`;
  const basicOk = (auth: string | undefined) =>
    opts.basic !== undefined && auth === `Basic ${Buffer.from(`${opts.basic.username}:${opts.basic.password}`).toString("base64")}`;
  const statusOf = (run: FakeRun) => statuses[Math.min(run.polls, statuses.length - 1)] ?? "completed";

  const handle = (req: IncomingMessage, res: ServerResponse, body: string) => {
    const path = req.url ?? "/";
    let json: unknown;
    try {
      json = body === "" ? undefined : JSON.parse(body);
    } catch {
      json = undefined;
    }
    const auth = req.headers.authorization;
    requests.push({ method: req.method ?? "", path, authorization: auth, contentType: req.headers["content-type"], body, json });
    const pathname = path.replace(/\?.*$/, "");
    const isLaunch = pathname.startsWith("/api/v1/launch/");

    const i = scripted.findIndex((s) => path.startsWith(s.prefix));
    if (i >= 0) {
      const [{ failure }] = scripted.splice(i, 1) as [{ prefix: string; failure: ScriptedFailure }];
      const headers: Record<string, string> = failure.retryAfter !== undefined ? { "retry-after": failure.retryAfter } : {};
      res.writeHead(failure.status, { "content-type": "application/json", ...headers });
      res.end(failure.body ?? (isLaunch ? JSON.stringify({ statusCode: failure.status }) : JSON.stringify({ message: `scripted ${failure.status}` })));
      return;
    }

    if (isLaunch) {
      if (req.method !== "POST") return send(res, 405, { statusCode: 405 });
      // Gateway-level rejection: an empty body, as the spec allows.
      if (!bearerOk(auth) && !basicOk(auth)) return send(res, 401, { statusCode: 401 });
      const launcher = decodeURIComponent(pathname.slice("/api/v1/launch/".length));
      if (!launchers.includes(launcher)) return send(res, 404, { statusCode: 404, runId: null });
      const params = (json as { params?: unknown } | undefined)?.params;
      if (typeof params !== "object" || params === null || Array.isArray(params) || !Object.values(params).every((v) => typeof v === "string")) {
        return send(res, 400, { statusCode: 400, runId: null });
      }
      const runId = `${session}-${54}-${++launched}`;
      runs.set(runId, { runId, launcher, params: params as Record<string, string>, polls: 0 });
      return send(res, 202, { statusCode: 202, runId });
    }

    const m = /^\/api\/v0\/runs\/([^/]+)(\/properties)?$/.exec(pathname);
    if (m === null) return send(res, 404, { message: "Resource not found" });
    if (req.method !== "GET") return send(res, 405, { message: "Method not allowed" });
    if (!bearerOk(auth)) return send(res, 401, { message: "Invalid or expired bearer token." });
    const runId = decodeURIComponent(m[1]!);
    const run = runs.get(runId);
    if (run === undefined) return send(res, 404, { message: `Run not found: ${runId}` });
    if (m[2] === undefined) {
      const status = statusOf(run);
      run.polls++;
      const ended = terminal.has(status);
      return send(res, 200, {
        run_id: run.runId,
        status,
        created_at: new Date(0).toISOString(),
        launcher: run.launcher,
        description: run.params["antithesis.description"] ?? null,
        parameters: run.params,
        links: ended ? { triage_report: `${url}/report/${run.runId}.html` } : null,
        ...(status === "incomplete" ? { failure_moment: { input_hash: "-1", vtime: "1.5" } } : {}),
      });
    }
    // Properties: 404 while the run has not ended (the spec's rule for in-progress runs).
    if (run.polls === 0 || !terminal.has(statuses[Math.min(run.polls - 1, statuses.length - 1)] ?? "")) {
      return send(res, 404, { message: `Run ${runId} is still in progress` });
    }
    const size = opts.propertiesPageSize ?? 100;
    const after = Number(new URL(path, "http://x").searchParams.get("after") ?? "0");
    const all = (opts.properties ?? []).map((p) => ({ description: null, is_event: true, is_group: false, example_count: 1, counterexample_count: 0, ...p }));
    const page = all.slice(after, after + size);
    return send(res, 200, { data: page, next_cursor: after + size < all.length ? String(after + size) : null });
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => handle(req, res, Buffer.concat(chunks).toString("utf8")));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    requests,
    runs,
    failNext(prefix, ...failures) {
      for (const failure of failures) scripted.push({ prefix, failure });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
