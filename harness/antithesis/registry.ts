// Pushing images to Antithesis's registry (ANTITHESIS_REPOSITORY) through the Docker engine (dockerode), and
// proving that the pushed digest is there. Credentials go to the engine as an auth config (the
// X-Registry-Auth header), never on a command line, in a log line or in an error: a registry key file logs
// in as `_json_key` with the JSON as password (as the seed's `docker login -u _json_key` did); without
// configured credentials, an existing `docker login` is used (~/.docker/config.json: auths, credHelpers,
// credsStore), as the docker CLI would.
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { type Docker, imageExists } from "../docker/client.ts";
import type { Logger } from "../log.ts";
import { Secret } from "./secret.ts";
import { type AntithesisSettings, scrub } from "./settings.ts";

export class RegistryError extends Error {
  override name = "RegistryError";
}

export interface RegistryLogin {
  readonly host: string;
  /** undefined: no credentials anywhere; pushes go out anonymously. */
  readonly username: string | undefined;
  readonly password: Secret | undefined;
  /** Where the credentials came from, for messages. */
  readonly from: string;
}

export interface PushTarget {
  /** The local image (tag or id) to push. */
  readonly localTag: string;
  /** Name inside the repository, e.g. "dqueue". */
  readonly name: string;
  /** Tag to push under (the reference used afterwards is the digest). */
  readonly tag: string;
}

export interface PushedImage {
  readonly local: string;
  /** `<repository>/<name>:<tag>` as pushed. */
  readonly tagged: string;
  /** `<repository>/<name>@sha256:…`: what Antithesis is given. */
  readonly ref: string;
  readonly digest: string;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const MANIFEST_TYPES = [
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.oci.image.index.v1+json",
].join(", ");

/** A push target from a compose reference (`dqueue:antithesis` → name dqueue) and a local tag (its tag). */
export function pushTarget(composeRef: string, localTag: string): PushTarget {
  const name = composeRef.replace(/[:@].*$/, "").split("/").pop()!;
  const tag = /:([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$/.exec(localTag)?.[1] ?? "latest";
  return { localTag, name, tag };
}

/** Where a target lands in the repository, by tag (the pre-flight runs these; Antithesis gets digests). */
export function repositoryTag(settings: Pick<AntithesisSettings, "repository">, target: PushTarget): string {
  return `${settings.repository}/${target.name}:${target.tag}`;
}

/** Resolves the registry credentials and has the engine check them (one clear error when refused). */
export async function loginRegistry(docker: Docker, settings: AntithesisSettings, log?: Logger): Promise<RegistryLogin> {
  const host = settings.registryHost;
  let login: RegistryLogin;
  if (settings.registry !== undefined) {
    login = { host, username: settings.registry.username, password: settings.registry.password, from: settings.registry.from };
  } else {
    const existing = await dockerConfigCredentials(host);
    login = existing ?? { host, username: undefined, password: undefined, from: "no credentials" };
  }
  if (login.username === undefined || login.password === undefined) {
    log?.info(`no registry credentials for ${host} configured or in the docker config; pushing without logging in`);
    return login;
  }
  try {
    await docker.checkAuth({ username: login.username, password: login.password.reveal(), serveraddress: host });
  } catch (err) {
    throw new RegistryError(`registry login to ${host} as "${login.username}" (${login.from}) failed: ${cleanMessage(err, secretsOf(settings, login))}`);
  }
  log?.info(`logged in to ${host} as "${login.username}" (${login.from})`);
  return login;
}

/** Tags the local image into the repository, pushes it, and checks that the registry has the digest. */
export async function pushImage(docker: Docker, settings: AntithesisSettings, login: RegistryLogin, target: PushTarget, log?: Logger): Promise<PushedImage> {
  const repo = `${settings.repository}/${target.name}`;
  const tagged = repositoryTag(settings, target);
  const secrets = secretsOf(settings, login);
  // A repository tag made here is only the vehicle for the push and is removed after it; one that existed
  // before (e.g. made for the pre-flight) stays.
  const hadTag = await imageExists(docker, tagged);
  try {
    await docker.getImage(target.localTag).tag({ repo, tag: target.tag });
  } catch (err) {
    throw new RegistryError(`cannot tag ${target.localTag} as ${tagged}: ${cleanMessage(err, secrets)}`);
  }
  let digest: string;
  try {
    const push = async () => {
      const authconfig = login.username !== undefined && login.password !== undefined ? { username: login.username, password: login.password.reveal(), serveraddress: login.host } : undefined;
      const stream = await docker.getImage(repo).push({ tag: target.tag, ...(authconfig !== undefined ? { authconfig } : {}) });
      return followPush(docker, stream);
    };
    digest = log !== undefined ? await log.step(`Pushing ${tagged}`, push) : await push();
  } catch (err) {
    const hint =
      login.username === undefined && /unauthori[sz]ed|denied|authentication required/i.test(String(err))
        ? ` (no registry credentials: set ANTITHESIS_REGISTRY_KEY_FILE or ANTITHESIS_REGISTRY_USERNAME/_PASSWORD, or docker login ${login.host})`
        : "";
    throw new RegistryError(`push of ${tagged} failed: ${cleanMessage(err, secrets)}${hint}`);
  } finally {
    if (!hadTag) await docker.getImage(tagged).remove({ noprune: true }).catch(() => undefined);
  }
  const ref = `${repo}@${digest}`;
  if (!(await manifestExists(settings, login, ref))) {
    throw new RegistryError(`pushed ${tagged} but the registry does not have ${ref}`);
  }
  return { local: target.localTag, tagged, ref, digest };
}

/** Pushes every image; compose reference → pushed digest reference. */
export async function pushImages(
  docker: Docker,
  settings: AntithesisSettings,
  login: RegistryLogin,
  images: readonly { readonly composeRef: string; readonly localTag: string }[],
  log?: Logger,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const image of images) out[image.composeRef] = (await pushImage(docker, settings, login, pushTarget(image.composeRef, image.localTag), log)).ref;
  return out;
}

/** The references that are not digest references present in the registry (empty: all are there). */
export async function missingDigestRefs(settings: AntithesisSettings, login: RegistryLogin, refs: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const ref of refs) {
    if (!/^[^/]+\/.+@sha256:[0-9a-f]{64}$/.test(ref) || !(await manifestExists(settings, login, ref))) missing.push(ref);
  }
  return missing;
}

/** HEAD /v2/<name>/manifests/<digest>, with the registry's own auth flow (basic, or a bearer token). */
export async function manifestExists(settings: AntithesisSettings, login: RegistryLogin, ref: string): Promise<boolean> {
  const m = /^([^/]+)\/(.+)@(sha256:[0-9a-f]{64})$/.exec(ref);
  if (m === null) throw new RegistryError(`"${ref}" is not a digest reference (host/name@sha256:…)`);
  const [, host, name, digest] = m as unknown as [string, string, string, string];
  const url = `${registryScheme(host)}://${host}/v2/${name}/manifests/${digest}`;
  const basic = login.username !== undefined && login.password !== undefined ? `Basic ${Buffer.from(`${login.username}:${login.password.reveal()}`).toString("base64")}` : undefined;
  const head = (authorization?: string) =>
    fetch(url, { method: "HEAD", headers: { accept: MANIFEST_TYPES, ...(authorization !== undefined ? { authorization } : {}) }, signal: AbortSignal.timeout(30_000) });
  let res: Response;
  try {
    res = await head();
    if (res.status === 401) {
      const challenge = res.headers.get("www-authenticate") ?? "";
      if (/^bearer/i.test(challenge)) res = await head(`Bearer ${await registryToken(challenge, name, basic, host)}`);
      else if (basic !== undefined) res = await head(basic);
    }
  } catch (err) {
    if (err instanceof RegistryError) throw err;
    throw new RegistryError(`cannot reach the registry at ${url}: ${cleanMessage(err, secretsOf(settings, login))}`);
  }
  if (res.status === 200) {
    const got = res.headers.get("docker-content-digest");
    return got === null || got === digest;
  }
  if (res.status === 404) return false;
  throw new RegistryError(`HEAD ${url} answered ${res.status}${res.status === 401 || res.status === 403 ? ` (registry credentials for ${host}: ${login.from})` : ""}`);
}

async function registryToken(challenge: string, name: string, basic: string | undefined, host: string): Promise<string> {
  const fields = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1]!.toLowerCase(), x[2]!]));
  if (fields["realm"] === undefined) throw new RegistryError(`registry ${host} asked for a bearer token without a realm`);
  const url = new URL(fields["realm"]);
  if (fields["service"] !== undefined) url.searchParams.set("service", fields["service"]);
  url.searchParams.set("scope", fields["scope"] ?? `repository:${name}:pull`);
  const res = await fetch(url, { headers: basic !== undefined ? { authorization: basic } : {}, signal: AbortSignal.timeout(30_000) });
  if (!res.ok) throw new RegistryError(`registry ${host}: token request to ${url.origin}${url.pathname} answered ${res.status}`);
  const body = (await res.json().catch(() => ({}))) as { token?: unknown; access_token?: unknown };
  const token = typeof body.token === "string" ? body.token : typeof body.access_token === "string" ? body.access_token : undefined;
  if (token === undefined) throw new RegistryError(`registry ${host}: the token response holds no token`);
  return token;
}

/** Plain HTTP only where engines allow it by default (loopback); https everywhere else. */
export function registryScheme(host: string): "http" | "https" {
  return /^(127\.|localhost(:|$)|\[::1\])/.test(host) ? "http" : "https";
}

/** Follows the push progress stream; the digest comes from the final aux record (or the status line). */
function followPush(docker: Docker, stream: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let digest: string | undefined;
    let error: string | undefined;
    docker.modem.followProgress(
      stream,
      (err: Error | null) => {
        if (err !== null) return reject(err);
        if (error !== undefined) return reject(new Error(error));
        if (digest === undefined) return reject(new Error("the engine reported no digest"));
        resolve(digest);
      },
      (event: { error?: string; errorDetail?: { message?: string }; status?: string; aux?: { Digest?: string } }) => {
        if (event.error !== undefined) error = event.errorDetail?.message ?? event.error;
        if (event.aux?.Digest !== undefined && DIGEST.test(event.aux.Digest)) digest = event.aux.Digest;
        const m = /digest: (sha256:[0-9a-f]{64})/.exec(event.status ?? "");
        if (digest === undefined && m !== null) digest = m[1];
      },
    );
  });
}

/** Credentials from the docker CLI's config for host, as `docker push` would use them. */
export async function dockerConfigCredentials(host: string, configDir: string = process.env["DOCKER_CONFIG"] ?? join(homedir(), ".docker")): Promise<RegistryLogin | undefined> {
  let config: { auths?: Record<string, { auth?: string; username?: string; password?: string }>; credHelpers?: Record<string, string>; credsStore?: string };
  const file = join(configDir, "config.json");
  try {
    config = JSON.parse(await readFile(file, "utf8")) as typeof config;
  } catch {
    return undefined;
  }
  const helper = config.credHelpers?.[host] ?? config.credsStore;
  if (helper !== undefined && /^[A-Za-z0-9_.-]+$/.test(helper)) {
    const r = await execa(`docker-credential-${helper}`, ["get"], { input: host, reject: false, timeout: 30_000 });
    if (r.exitCode === 0) {
      try {
        const c = JSON.parse(r.stdout) as { Username?: string; Secret?: string };
        if (typeof c.Username === "string" && typeof c.Secret === "string") {
          return { host, username: c.Username, password: new Secret(c.Secret), from: `docker login (docker-credential-${helper})` };
        }
      } catch {
        // fall through to auths
      }
    }
  }
  const entry = Object.entries(config.auths ?? {}).find(([k]) => k.replace(/^https?:\/\//, "").replace(/\/.*$/, "") === host)?.[1];
  if (entry === undefined) return undefined;
  if (typeof entry.auth === "string" && entry.auth !== "") {
    const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
    const i = decoded.indexOf(":");
    if (i > 0) return { host, username: decoded.slice(0, i), password: new Secret(decoded.slice(i + 1)), from: `docker login (${file})` };
  }
  if (typeof entry.username === "string" && typeof entry.password === "string") {
    return { host, username: entry.username, password: new Secret(entry.password), from: `docker login (${file})` };
  }
  return undefined;
}

function secretsOf(settings: AntithesisSettings, login: RegistryLogin): Secret[] {
  return [...settings.secrets, ...(login.password !== undefined ? [login.password] : [])];
}

/** One line, secrets removed: the engine's messages can be long and multi-line. */
function cleanMessage(err: unknown, secrets: readonly Secret[]): string {
  const e = err as { json?: { message?: unknown }; message?: unknown };
  const raw = typeof e?.json?.message === "string" ? e.json.message : typeof e?.message === "string" ? e.message : String(err);
  return scrub(raw.replace(/^\(HTTP code \d+\) [a-z ]+ - /i, ""), secrets).replace(/\s+/g, " ").trim();
}
