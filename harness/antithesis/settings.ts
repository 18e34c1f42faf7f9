// Antithesis submit-mode settings, from the environment (Antithesis's own CLI names where they exist) with the
// seed's credential files in antithesis/ as a fallback: <tenant>.key.json (registry service-account key),
// <tenant>.user.txt and <tenant>.password.txt (webhook basic auth). Everything is checked here, before
// anything is built; one AntithesisSettingsError names the variable (or file) at fault and never quotes a
// secret. An empty variable counts as unset.
//
// Credentials, decided:
// - ANTITHESIS_API_KEY and ANTITHESIS_USERNAME/_PASSWORD may both be set: the launch webhook is documented with
//   basic auth and the runs API with bearer, so the launch uses basic when it is given, bearer otherwise, and
//   the runs API (ANTITHESIS_WAIT=1) always needs the API key.
// - A username without its password (or the reverse) is an error, as is a registry key file together with a
//   registry username/password. Environment variables win over files; files are read only for what the
//   environment leaves unset, and a user file without its password file is an error.
// - No registry credentials anywhere means: rely on an existing `docker login` for the repository's host.
// - Without ANTITHESIS_TENANT, the tenant is taken from the credential files' names when they all name one.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { projectRoot } from "../paths.ts";
import { Secret } from "./secret.ts";

export class AntithesisSettingsError extends Error {
  override name = "AntithesisSettingsError";
}

export interface BasicAuth {
  readonly username: string;
  readonly password: Secret;
}

export interface RegistryCredentials extends BasicAuth {
  /** Where they came from (a variable or file name), for log lines. */
  readonly from: string;
}

export interface AntithesisSettings {
  readonly tenant: string | undefined;
  /** `https://<tenant>.antithesis.com` unless ANTITHESIS_BASE_URL says otherwise; no trailing slash. */
  readonly baseUrl: string;
  readonly launcher: string;
  /** `host[:port]/path` that images are pushed into; no scheme, no trailing slash. */
  readonly repository: string;
  /** The repository's registry host (`host[:port]`). */
  readonly registryHost: string;
  /** Bearer token: the runs API, and the launch when no basic credentials are given. */
  readonly apiKey: Secret | undefined;
  /** Webhook machine credentials (basic auth) for the launch. */
  readonly basic: BasicAuth | undefined;
  /** Registry login; undefined = rely on an existing docker login for registryHost. */
  readonly registry: RegistryCredentials | undefined;
  /** Test duration in minutes; undefined = the launcher's default. */
  readonly durationMinutes: number | undefined;
  readonly description: string | undefined;
  readonly recipients: readonly string[];
  readonly source: string | undefined;
  readonly testName: string | undefined;
  /** ANTITHESIS_WAIT=1: poll the run until it ends and report its properties. */
  readonly wait: boolean;
  /** How long ANTITHESIS_WAIT=1 waits (ANTITHESIS_WAIT_TIMEOUT, minutes): default duration + 2 h, or 6 h. */
  readonly waitTimeoutMs: number;
  /** ANTITHESIS_PREFLIGHT=0 skips the local pre-flight. */
  readonly preflight: boolean;
  /** Every secret above, for scrubbing text that came from elsewhere (daemon or server messages). */
  readonly secrets: readonly Secret[];
}

export interface LoadOptions {
  /** Where the seed's credential files live; default <project>/antithesis. */
  readonly credentialsDir?: string;
}

const CRED_FILE = /^(.+)\.(key\.json|user\.txt|password\.txt)$/;
const TENANT = /^[a-z0-9][a-z0-9-]*$/;
const LAUNCHER = /^[A-Za-z0-9_.-]+$/;
const EMAIL = /^[^\s@;,]+@[^\s@;,]+$/;

export function loadAntithesisSettings(env: NodeJS.ProcessEnv, opts: LoadOptions = {}): AntithesisSettings {
  const get = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === "" ? undefined : v.trim();
  };
  const fail = (message: string): never => {
    throw new AntithesisSettingsError(message);
  };
  const dir = opts.credentialsDir ?? join(projectRoot, "antithesis");
  // Paths inside the current directory are shown relative to it, others as given.
  const shown = (file: string) => {
    const rel = relative(process.cwd(), file);
    return rel === "" || rel.startsWith("..") ? file : rel;
  };

  // The seed's files, grouped by tenant (the part before .key.json etc.).
  const files = new Map<string, Set<string>>();
  if (existsSync(dir)) {
    for (const name of readdirSync(dir)) {
      const m = CRED_FILE.exec(name);
      if (m === null) continue;
      const stem = m[1]!;
      if (!files.has(stem)) files.set(stem, new Set());
      files.get(stem)!.add(m[2]!);
    }
  }

  let tenant = get("ANTITHESIS_TENANT");
  if (tenant !== undefined && !TENANT.test(tenant)) {
    fail(`ANTITHESIS_TENANT must be lower-case letters, digits and '-' (got "${tenant}")`);
  }
  if (tenant === undefined && files.size === 1) tenant = [...files.keys()][0];
  const needTenant = (variable: string): string =>
    tenant ??
    fail(
      files.size > 1
        ? `ANTITHESIS_TENANT is not set (needed for the default ${variable}) and ${shown(dir)} holds credential files of several tenants: ${[...files.keys()].join(", ")}`
        : `ANTITHESIS_TENANT is not set (needed for the default ${variable}); set it, or set ${variable}`,
    );
  const tenantFile = (kind: string): string | undefined => {
    if (tenant === undefined || !files.get(tenant)?.has(kind)) return undefined;
    return join(dir, `${tenant}.${kind}`);
  };
  const readCred = (file: string, what: string): string => {
    let text: string;
    try {
      text = readFileSync(file, "utf8").trim();
    } catch (err) {
      return fail(`${what}: cannot read ${shown(file)} (${(err as NodeJS.ErrnoException).code ?? "error"})`);
    }
    if (text === "") fail(`${what}: ${shown(file)} is empty`);
    return text;
  };

  // Endpoint.
  let baseUrl = get("ANTITHESIS_BASE_URL");
  if (baseUrl === undefined) {
    baseUrl = `https://${needTenant("ANTITHESIS_BASE_URL")}.antithesis.com`;
  } else {
    let url: URL | undefined;
    try {
      url = new URL(baseUrl);
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== "https:" && url.protocol !== "http:") || url.username !== "" || url.password !== "") {
      fail(`ANTITHESIS_BASE_URL must be an http(s) URL without credentials, like https://tenant.antithesis.com (got "${url === undefined ? baseUrl : url.origin}")`);
    }
    baseUrl = baseUrl.replace(/\/+$/, "");
  }
  const launcher = get("ANTITHESIS_LAUNCHER") ?? "basic_test";
  if (!LAUNCHER.test(launcher)) fail(`ANTITHESIS_LAUNCHER must be a launcher name like basic_test (got "${launcher}")`);

  // Registry.
  let repository = get("ANTITHESIS_REPOSITORY") ?? `us-central1-docker.pkg.dev/molten-verve-216720/${needTenant("ANTITHESIS_REPOSITORY")}-repository`;
  if (/^[a-z]+:\/\//i.test(repository)) fail(`ANTITHESIS_REPOSITORY must be host/path without a scheme (got "${repository}")`);
  repository = repository.replace(/\/+$/, "");
  if (!/^[a-z0-9.-]+(:\d+)?\/[a-z0-9._/-]+$/.test(repository)) {
    fail(`ANTITHESIS_REPOSITORY must be a registry host and lower-case path, like registry.example.com/my-repository (got "${repository}")`);
  }
  const registryHost = repository.split("/")[0]!;

  const keyFile = get("ANTITHESIS_REGISTRY_KEY_FILE");
  const regUser = get("ANTITHESIS_REGISTRY_USERNAME");
  const regPass = get("ANTITHESIS_REGISTRY_PASSWORD");
  let registry: RegistryCredentials | undefined;
  if (keyFile !== undefined && (regUser !== undefined || regPass !== undefined)) {
    fail("ANTITHESIS_REGISTRY_KEY_FILE and ANTITHESIS_REGISTRY_USERNAME/_PASSWORD are both set; set one way of logging in to the registry");
  }
  if ((regUser === undefined) !== (regPass === undefined)) {
    fail(regUser === undefined ? "ANTITHESIS_REGISTRY_PASSWORD is set but ANTITHESIS_REGISTRY_USERNAME is not" : "ANTITHESIS_REGISTRY_USERNAME is set but ANTITHESIS_REGISTRY_PASSWORD is not");
  }
  if (keyFile !== undefined) {
    registry = keyCredentials(readCred(keyFile, "ANTITHESIS_REGISTRY_KEY_FILE"), `ANTITHESIS_REGISTRY_KEY_FILE (${shown(keyFile)})`, fail);
  } else if (regUser !== undefined && regPass !== undefined) {
    registry = { username: regUser, password: new Secret(regPass), from: "ANTITHESIS_REGISTRY_USERNAME/_PASSWORD" };
  } else {
    const seedKey = tenantFile("key.json");
    if (seedKey !== undefined) registry = keyCredentials(readCred(seedKey, "registry key"), shown(seedKey), fail);
  }

  // API credentials.
  const apiKeyText = get("ANTITHESIS_API_KEY");
  const apiKey = apiKeyText !== undefined ? new Secret(apiKeyText) : undefined;
  const user = get("ANTITHESIS_USERNAME");
  const pass = get("ANTITHESIS_PASSWORD");
  if ((user === undefined) !== (pass === undefined)) {
    fail(user === undefined ? "ANTITHESIS_PASSWORD is set but ANTITHESIS_USERNAME is not" : "ANTITHESIS_USERNAME is set but ANTITHESIS_PASSWORD is not");
  }
  let basic: BasicAuth | undefined;
  if (user !== undefined && pass !== undefined) {
    basic = { username: user, password: new Secret(pass) };
  } else if (apiKey === undefined) {
    const userFile = tenantFile("user.txt");
    const passFile = tenantFile("password.txt");
    if ((userFile === undefined) !== (passFile === undefined)) {
      fail(`${shown(join(dir, `${tenant}.${userFile === undefined ? "password" : "user"}.txt`))} exists but ${shown(join(dir, `${tenant}.${userFile === undefined ? "user" : "password"}.txt`))} does not`);
    }
    if (userFile !== undefined && passFile !== undefined) {
      basic = { username: readCred(userFile, "webhook user"), password: new Secret(readCred(passFile, "webhook password")) };
    }
  }
  if (apiKey === undefined && basic === undefined) {
    fail(
      `ANTITHESIS_API_KEY is not set: set it (bearer), or ANTITHESIS_USERNAME and ANTITHESIS_PASSWORD (basic)${tenant !== undefined ? `, or put ${tenant}.user.txt and ${tenant}.password.txt into ${shown(dir)}` : ""}`,
    );
  }

  // Launch parameters.
  const durationText = get("ANTITHESIS_DURATION");
  let durationMinutes: number | undefined;
  if (durationText !== undefined) {
    durationMinutes = Number(durationText);
    if (!/^\d+$/.test(durationText) || durationMinutes <= 0) fail(`ANTITHESIS_DURATION must be a whole number of minutes > 0 (got "${durationText}")`);
  }
  const recipientsText = get("ANTITHESIS_RECIPIENTS");
  const recipients = recipientsText === undefined ? [] : recipientsText.split(/[;,]/).map((r) => r.trim()).filter((r) => r !== "");
  const badRecipient = recipients.find((r) => !EMAIL.test(r));
  if (badRecipient !== undefined) fail(`ANTITHESIS_RECIPIENTS must be e-mail addresses separated by ";" (got "${badRecipient}")`);

  const flag = (name: string, fallback: boolean): boolean => {
    const v = get(name);
    if (v === undefined) return fallback;
    if (v === "1" || v === "true") return true;
    if (v === "0" || v === "false") return false;
    return fail(`${name} must be "1" or "0" (got "${v}")`);
  };
  const wait = flag("ANTITHESIS_WAIT", false);
  if (wait && apiKey === undefined) fail("ANTITHESIS_API_KEY is not set: ANTITHESIS_WAIT=1 polls the runs API, which takes a bearer API key");

  const waitText = get("ANTITHESIS_WAIT_TIMEOUT");
  if (waitText !== undefined && (!/^\d+$/.test(waitText) || Number(waitText) <= 0)) fail(`ANTITHESIS_WAIT_TIMEOUT must be a whole number of minutes > 0 (got "${waitText}")`);
  const waitMinutes = waitText !== undefined ? Number(waitText) : durationMinutes !== undefined ? durationMinutes + 120 : 360;

  const secrets = [apiKey, basic?.password, registry?.password].filter((s): s is Secret => s !== undefined);
  return {
    tenant,
    baseUrl,
    launcher,
    repository,
    registryHost,
    apiKey,
    basic,
    registry,
    durationMinutes,
    description: get("ANTITHESIS_DESCRIPTION"),
    recipients,
    source: get("ANTITHESIS_SOURCE"),
    testName: get("ANTITHESIS_TEST_NAME"),
    wait,
    waitTimeoutMs: waitMinutes * 60_000,
    preflight: flag("ANTITHESIS_PREFLIGHT", true),
    secrets,
  };
}

/** A service-account key JSON logs in as `_json_key` with the whole JSON as password (as the seed does). */
function keyCredentials(text: string, from: string, fail: (m: string) => never): RegistryCredentials {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    // Not the parser's message: it quotes the text around the error, i.e. part of the key.
    return fail(`${from}: not valid JSON (expected a service-account key file)`);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) fail(`${from}: expected a JSON object (a service-account key file)`);
  return { username: "_json_key", password: new Secret(text), from };
}

export { scrub } from "../redact.ts";
