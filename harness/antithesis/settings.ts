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
  const r = new SettingsReader(env, opts.credentialsDir ?? join(projectRoot, "antithesis"));
  // In this order, so that the first complaint is about what comes first: where to, where images go, who is
  // calling, then how the run is launched.
  const { baseUrl, launcher } = endpoint(r);
  const { repository, registryHost, registry } = registryOf(r);
  const { apiKey, basic } = apiCredentials(r);
  const launch = launchParameters(r, apiKey);
  const secrets = [apiKey, basic?.password, registry?.password].filter((s): s is Secret => s !== undefined);
  return {
    tenant: r.tenant,
    baseUrl,
    launcher,
    repository,
    registryHost,
    apiKey,
    basic,
    registry,
    ...launch,
    preflight: r.flag("ANTITHESIS_PREFLIGHT", true),
    secrets,
  };
}

/**
 * The environment (an empty variable counts as unset) and the seed's credential files, grouped by tenant (the
 * part of the file name before .key.json etc.); the tenant, from ANTITHESIS_TENANT or the files' one name.
 * Every complaint is one AntithesisSettingsError.
 */
class SettingsReader {
  readonly dir: string;
  readonly tenant: string | undefined;
  private readonly env: NodeJS.ProcessEnv;
  private readonly files = new Map<string, Set<string>>();

  constructor(env: NodeJS.ProcessEnv, dir: string) {
    this.env = env;
    this.dir = dir;
    if (existsSync(dir)) {
      for (const name of readdirSync(dir)) {
        const m = CRED_FILE.exec(name);
        if (m === null) continue;
        const stem = m[1]!;
        if (!this.files.has(stem)) this.files.set(stem, new Set());
        this.files.get(stem)!.add(m[2]!);
      }
    }
    let tenant = this.get("ANTITHESIS_TENANT");
    if (tenant !== undefined && !TENANT.test(tenant)) this.fail(`ANTITHESIS_TENANT must be lower-case letters, digits and '-' (got "${tenant}")`);
    if (tenant === undefined && this.files.size === 1) tenant = [...this.files.keys()][0];
    this.tenant = tenant;
  }

  get(name: string): string | undefined {
    const v = this.env[name];
    return v === undefined || v.trim() === "" ? undefined : v.trim();
  }

  fail(message: string): never {
    throw new AntithesisSettingsError(message);
  }

  /** Paths inside the current directory are shown relative to it, others as given. */
  shown(file: string): string {
    const rel = relative(process.cwd(), file);
    return rel === "" || rel.startsWith("..") ? file : rel;
  }

  /** The tenant, which the default of `variable` needs. */
  needTenant(variable: string): string {
    return (
      this.tenant ??
      this.fail(
        this.files.size > 1
          ? `ANTITHESIS_TENANT is not set (needed for the default ${variable}) and ${this.shown(this.dir)} holds credential files of several tenants: ${[...this.files.keys()].join(", ")}`
          : `ANTITHESIS_TENANT is not set (needed for the default ${variable}); set it, or set ${variable}`,
      )
    );
  }

  /** The tenant's seed file of this kind (key.json, user.txt, password.txt), if there is one. */
  tenantFile(kind: string): string | undefined {
    if (this.tenant === undefined || !this.files.get(this.tenant)?.has(kind)) return undefined;
    return join(this.dir, `${this.tenant}.${kind}`);
  }

  /** A credential file's content; unreadable or empty is an error naming the file, never quoting it. */
  readCred(file: string, what: string): string {
    let text: string;
    try {
      text = readFileSync(file, "utf8").trim();
    } catch (err) {
      return this.fail(`${what}: cannot read ${this.shown(file)} (${(err as NodeJS.ErrnoException).code ?? "error"})`);
    }
    if (text === "") this.fail(`${what}: ${this.shown(file)} is empty`);
    return text;
  }

  flag(name: string, fallback: boolean): boolean {
    const v = this.get(name);
    if (v === undefined) return fallback;
    if (v === "1" || v === "true") return true;
    if (v === "0" || v === "false") return false;
    return this.fail(`${name} must be "1" or "0" (got "${v}")`);
  }
}

/** Where the launch goes: the tenant's URL unless ANTITHESIS_BASE_URL says otherwise, and the launcher. */
function endpoint(r: SettingsReader): { baseUrl: string; launcher: string } {
  let baseUrl = r.get("ANTITHESIS_BASE_URL");
  if (baseUrl === undefined) {
    baseUrl = `https://${r.needTenant("ANTITHESIS_BASE_URL")}.antithesis.com`;
  } else {
    let url: URL | undefined;
    try {
      url = new URL(baseUrl);
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== "https:" && url.protocol !== "http:") || url.username !== "" || url.password !== "") {
      r.fail(`ANTITHESIS_BASE_URL must be an http(s) URL without credentials, like https://tenant.antithesis.com (got "${url === undefined ? baseUrl : url.origin}")`);
    }
    baseUrl = baseUrl.replace(/\/+$/, "");
  }
  const launcher = r.get("ANTITHESIS_LAUNCHER") ?? "basic_test";
  if (!LAUNCHER.test(launcher)) r.fail(`ANTITHESIS_LAUNCHER must be a launcher name like basic_test (got "${launcher}")`);
  return { baseUrl, launcher };
}

/** Where images are pushed, and how to log in there (a key file, a username and password, the seed's key, or none). */
function registryOf(r: SettingsReader): { repository: string; registryHost: string; registry: RegistryCredentials | undefined } {
  let repository = r.get("ANTITHESIS_REPOSITORY") ?? `us-central1-docker.pkg.dev/molten-verve-216720/${r.needTenant("ANTITHESIS_REPOSITORY")}-repository`;
  if (/^[a-z]+:\/\//i.test(repository)) r.fail(`ANTITHESIS_REPOSITORY must be host/path without a scheme (got "${repository}")`);
  repository = repository.replace(/\/+$/, "");
  if (!/^[a-z0-9.-]+(:\d+)?\/[a-z0-9._/-]+$/.test(repository)) {
    r.fail(`ANTITHESIS_REPOSITORY must be a registry host and lower-case path, like registry.example.com/my-repository (got "${repository}")`);
  }
  const registryHost = repository.split("/")[0]!;

  const keyFile = r.get("ANTITHESIS_REGISTRY_KEY_FILE");
  const regUser = r.get("ANTITHESIS_REGISTRY_USERNAME");
  const regPass = r.get("ANTITHESIS_REGISTRY_PASSWORD");
  if (keyFile !== undefined && (regUser !== undefined || regPass !== undefined)) {
    r.fail("ANTITHESIS_REGISTRY_KEY_FILE and ANTITHESIS_REGISTRY_USERNAME/_PASSWORD are both set; set one way of logging in to the registry");
  }
  if ((regUser === undefined) !== (regPass === undefined)) {
    r.fail(regUser === undefined ? "ANTITHESIS_REGISTRY_PASSWORD is set but ANTITHESIS_REGISTRY_USERNAME is not" : "ANTITHESIS_REGISTRY_USERNAME is set but ANTITHESIS_REGISTRY_PASSWORD is not");
  }
  const fail = (m: string): never => r.fail(m);
  let registry: RegistryCredentials | undefined;
  if (keyFile !== undefined) {
    registry = keyCredentials(r.readCred(keyFile, "ANTITHESIS_REGISTRY_KEY_FILE"), `ANTITHESIS_REGISTRY_KEY_FILE (${r.shown(keyFile)})`, fail);
  } else if (regUser !== undefined && regPass !== undefined) {
    registry = { username: regUser, password: new Secret(regPass), from: "ANTITHESIS_REGISTRY_USERNAME/_PASSWORD" };
  } else {
    const seedKey = r.tenantFile("key.json");
    if (seedKey !== undefined) registry = keyCredentials(r.readCred(seedKey, "registry key"), r.shown(seedKey), fail);
  }
  return { repository, registryHost, registry };
}

/** Who calls the API: a bearer key, basic credentials (the environment's, else the seed's files), or both. */
function apiCredentials(r: SettingsReader): { apiKey: Secret | undefined; basic: BasicAuth | undefined } {
  const apiKeyText = r.get("ANTITHESIS_API_KEY");
  const apiKey = apiKeyText !== undefined ? new Secret(apiKeyText) : undefined;
  const user = r.get("ANTITHESIS_USERNAME");
  const pass = r.get("ANTITHESIS_PASSWORD");
  if ((user === undefined) !== (pass === undefined)) {
    r.fail(user === undefined ? "ANTITHESIS_PASSWORD is set but ANTITHESIS_USERNAME is not" : "ANTITHESIS_USERNAME is set but ANTITHESIS_PASSWORD is not");
  }
  let basic: BasicAuth | undefined;
  if (user !== undefined && pass !== undefined) {
    basic = { username: user, password: new Secret(pass) };
  } else if (apiKey === undefined) {
    const userFile = r.tenantFile("user.txt");
    const passFile = r.tenantFile("password.txt");
    if ((userFile === undefined) !== (passFile === undefined)) {
      r.fail(`${r.shown(join(r.dir, `${r.tenant}.${userFile === undefined ? "password" : "user"}.txt`))} exists but ${r.shown(join(r.dir, `${r.tenant}.${userFile === undefined ? "user" : "password"}.txt`))} does not`);
    }
    if (userFile !== undefined && passFile !== undefined) {
      basic = { username: r.readCred(userFile, "webhook user"), password: new Secret(r.readCred(passFile, "webhook password")) };
    }
  }
  if (apiKey === undefined && basic === undefined) {
    r.fail(
      `ANTITHESIS_API_KEY is not set: set it (bearer), or ANTITHESIS_USERNAME and ANTITHESIS_PASSWORD (basic)${r.tenant !== undefined ? `, or put ${r.tenant}.user.txt and ${r.tenant}.password.txt into ${r.shown(r.dir)}` : ""}`,
    );
  }
  return { apiKey, basic };
}

/** How the run is launched and followed: duration, description, recipients, ANTITHESIS_WAIT and its timeout. */
function launchParameters(r: SettingsReader, apiKey: Secret | undefined): Pick<AntithesisSettings, "durationMinutes" | "description" | "recipients" | "source" | "testName" | "wait" | "waitTimeoutMs"> {
  const durationText = r.get("ANTITHESIS_DURATION");
  let durationMinutes: number | undefined;
  if (durationText !== undefined) {
    durationMinutes = Number(durationText);
    if (!/^\d+$/.test(durationText) || durationMinutes <= 0) r.fail(`ANTITHESIS_DURATION must be a whole number of minutes > 0 (got "${durationText}")`);
  }
  const recipientsText = r.get("ANTITHESIS_RECIPIENTS");
  const recipients = recipientsText === undefined ? [] : recipientsText.split(/[;,]/).map((x) => x.trim()).filter((x) => x !== "");
  const badRecipient = recipients.find((x) => !EMAIL.test(x));
  if (badRecipient !== undefined) r.fail(`ANTITHESIS_RECIPIENTS must be e-mail addresses separated by ";" (got "${badRecipient}")`);

  const wait = r.flag("ANTITHESIS_WAIT", false);
  if (wait && apiKey === undefined) r.fail("ANTITHESIS_API_KEY is not set: ANTITHESIS_WAIT=1 polls the runs API, which takes a bearer API key");
  const waitText = r.get("ANTITHESIS_WAIT_TIMEOUT");
  if (waitText !== undefined && (!/^\d+$/.test(waitText) || Number(waitText) <= 0)) r.fail(`ANTITHESIS_WAIT_TIMEOUT must be a whole number of minutes > 0 (got "${waitText}")`);
  const waitMinutes = waitText !== undefined ? Number(waitText) : durationMinutes !== undefined ? durationMinutes + 120 : 360;
  return {
    durationMinutes,
    description: r.get("ANTITHESIS_DESCRIPTION"),
    recipients,
    source: r.get("ANTITHESIS_SOURCE"),
    testName: r.get("ANTITHESIS_TEST_NAME"),
    wait,
    waitTimeoutMs: waitMinutes * 60_000,
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
