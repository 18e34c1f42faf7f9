import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterEach, describe, expect, test } from "vitest";
import { Secret } from "./secret.ts";
import { AntithesisSettingsError, loadAntithesisSettings, scrub } from "./settings.ts";

const dirs: string[] = [];
function credDir(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "antithesis-settings-"));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function errorOf(fn: () => unknown): AntithesisSettingsError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AntithesisSettingsError);
    return err as AntithesisSettingsError;
  }
  throw new Error("expected an AntithesisSettingsError");
}

describe("antithesis settings", () => {
  test("defaults from the tenant; an empty variable counts as unset", () => {
    const s = loadAntithesisSettings({ ANTITHESIS_TENANT: "acme", ANTITHESIS_API_KEY: "k-123456", ANTITHESIS_LAUNCHER: "", ANTITHESIS_DURATION: " " }, { credentialsDir: credDir() });
    expect(s.baseUrl).toBe("https://acme.antithesis.com");
    expect(s.repository).toBe("us-central1-docker.pkg.dev/molten-verve-216720/acme-repository");
    expect(s.registryHost).toBe("us-central1-docker.pkg.dev");
    expect(s.launcher).toBe("basic_test");
    expect(s.durationMinutes).toBeUndefined();
    expect(s.registry).toBeUndefined(); // an existing docker login
    expect(s.apiKey?.reveal()).toBe("k-123456");
    expect(s.basic).toBeUndefined();
    expect(s.wait).toBe(false);
    expect(s.waitTimeoutMs).toBe(360 * 60_000);
    expect(s.preflight).toBe(true);
  });

  test("explicit values are validated and normalized", () => {
    const s = loadAntithesisSettings(
      {
        ANTITHESIS_BASE_URL: "http://127.0.0.1:8080/",
        ANTITHESIS_REPOSITORY: "127.0.0.1:5000/pgo/",
        ANTITHESIS_USERNAME: "machine",
        ANTITHESIS_PASSWORD: "pw-abcdef",
        ANTITHESIS_DURATION: "45",
        ANTITHESIS_RECIPIENTS: "a@x.org; b@y.org,c@z.org",
        ANTITHESIS_WAIT: "0",
        ANTITHESIS_PREFLIGHT: "0",
      },
      { credentialsDir: credDir() },
    );
    expect(s.tenant).toBeUndefined();
    expect(s.baseUrl).toBe("http://127.0.0.1:8080");
    expect(s.repository).toBe("127.0.0.1:5000/pgo");
    expect(s.registryHost).toBe("127.0.0.1:5000");
    expect(s.basic?.username).toBe("machine");
    expect(s.durationMinutes).toBe(45);
    expect(s.waitTimeoutMs).toBe((45 + 120) * 60_000);
    expect(s.recipients).toEqual(["a@x.org", "b@y.org", "c@z.org"]);
    expect(s.preflight).toBe(false);
  });

  test("the seed's files are the fallback, and name the tenant", () => {
    const key = JSON.stringify({ type: "service_account", private_key: "-----BEGIN seed-private-key" });
    const dir = credDir({ "mongoresearch.key.json": key, "mongoresearch.user.txt": "seeduser\n", "mongoresearch.password.txt": "seed-password-9\n" });
    const s = loadAntithesisSettings({}, { credentialsDir: dir });
    expect(s.tenant).toBe("mongoresearch");
    expect(s.baseUrl).toBe("https://mongoresearch.antithesis.com");
    expect(s.basic?.username).toBe("seeduser");
    expect(s.basic?.password.reveal()).toBe("seed-password-9");
    expect(s.registry?.username).toBe("_json_key");
    expect(s.registry?.password.reveal()).toBe(key);
    // The environment wins over the files.
    const e = loadAntithesisSettings({ ANTITHESIS_USERNAME: "envuser", ANTITHESIS_PASSWORD: "env-pass-1", ANTITHESIS_REGISTRY_USERNAME: "ru", ANTITHESIS_REGISTRY_PASSWORD: "rp-secret" }, { credentialsDir: dir });
    expect(e.basic?.username).toBe("envuser");
    expect(e.registry?.username).toBe("ru");
  });

  test("API key and basic credentials together are allowed (launch basic, runs API bearer)", () => {
    const s = loadAntithesisSettings({ ANTITHESIS_TENANT: "acme", ANTITHESIS_API_KEY: "key-1", ANTITHESIS_USERNAME: "u", ANTITHESIS_PASSWORD: "p-1234", ANTITHESIS_WAIT: "1" }, { credentialsDir: credDir() });
    expect(s.apiKey?.reveal()).toBe("key-1");
    expect(s.basic?.username).toBe("u");
    expect(s.wait).toBe(true);
  });

  test.each([
    [{ ANTITHESIS_API_KEY: "k" }, /^ANTITHESIS_TENANT is not set \(needed for the default ANTITHESIS_BASE_URL\)/],
    [{ ANTITHESIS_API_KEY: "k", ANTITHESIS_BASE_URL: "https://x.example" }, /^ANTITHESIS_TENANT is not set \(needed for the default ANTITHESIS_REPOSITORY\)/],
    [{ ANTITHESIS_TENANT: "Acme!" }, /^ANTITHESIS_TENANT must be/],
    [{ ANTITHESIS_TENANT: "acme" }, /^ANTITHESIS_API_KEY is not set: set it \(bearer\), or ANTITHESIS_USERNAME and ANTITHESIS_PASSWORD/],
    [{ ANTITHESIS_TENANT: "acme", ANTITHESIS_USERNAME: "u" }, /^ANTITHESIS_USERNAME is set but ANTITHESIS_PASSWORD is not$/],
    [{ ANTITHESIS_TENANT: "acme", ANTITHESIS_PASSWORD: "p-secret" }, /^ANTITHESIS_PASSWORD is set but ANTITHESIS_USERNAME is not$/],
    [{ ANTITHESIS_TENANT: "acme", ANTITHESIS_USERNAME: "u", ANTITHESIS_PASSWORD: "p-secret", ANTITHESIS_WAIT: "1" }, /^ANTITHESIS_API_KEY is not set: ANTITHESIS_WAIT=1/],
    [{ ANTITHESIS_TENANT: "acme", ANTITHESIS_API_KEY: "k", ANTITHESIS_WAIT: "yes" }, /^ANTITHESIS_WAIT must be "1" or "0" \(got "yes"\)/],
    [{ ANTITHESIS_TENANT: "acme", ANTITHESIS_API_KEY: "k", ANTITHESIS_DURATION: "1.5" }, /^ANTITHESIS_DURATION must be a whole number of minutes/],
    [{ ANTITHESIS_TENANT: "acme", ANTITHESIS_API_KEY: "k", ANTITHESIS_WAIT_TIMEOUT: "soon" }, /^ANTITHESIS_WAIT_TIMEOUT must be a whole number of minutes > 0 \(got "soon"\)/],
    [{ ANTITHESIS_TENANT: "acme", ANTITHESIS_API_KEY: "k", ANTITHESIS_BASE_URL: "ftp://x" }, /^ANTITHESIS_BASE_URL must be an http\(s\) URL/],
    [{ ANTITHESIS_TENANT: "acme", ANTITHESIS_API_KEY: "k", ANTITHESIS_REPOSITORY: "https://r.example/x" }, /^ANTITHESIS_REPOSITORY must be host\/path without a scheme/],
    [{ ANTITHESIS_TENANT: "acme", ANTITHESIS_API_KEY: "k", ANTITHESIS_RECIPIENTS: "a@x.org;nobody" }, /^ANTITHESIS_RECIPIENTS must be e-mail addresses.*"nobody"/],
    [{ ANTITHESIS_TENANT: "acme", ANTITHESIS_API_KEY: "k", ANTITHESIS_REGISTRY_USERNAME: "r" }, /^ANTITHESIS_REGISTRY_USERNAME is set but ANTITHESIS_REGISTRY_PASSWORD is not$/],
    [
      { ANTITHESIS_TENANT: "acme", ANTITHESIS_API_KEY: "k", ANTITHESIS_REGISTRY_KEY_FILE: "/nonexistent/key.json", ANTITHESIS_REGISTRY_PASSWORD: "rp-secret" },
      /^ANTITHESIS_REGISTRY_KEY_FILE and ANTITHESIS_REGISTRY_USERNAME\/_PASSWORD are both set/,
    ],
    [{ ANTITHESIS_TENANT: "acme", ANTITHESIS_API_KEY: "k", ANTITHESIS_REGISTRY_KEY_FILE: "/nonexistent/key.json" }, /^ANTITHESIS_REGISTRY_KEY_FILE: cannot read \/nonexistent\/key.json \(ENOENT\)/],
  ])("refused with one error naming the variable: %j", (env, message) => {
    expect(errorOf(() => loadAntithesisSettings(env, { credentialsDir: credDir() })).message).toMatch(message);
  });

  test("file problems name the file and never quote its content", () => {
    const broken = '{"private_key": "broken-key-material-XYZ"';
    let dir = credDir({ "acme.key.json": broken });
    let err = errorOf(() => loadAntithesisSettings({ ANTITHESIS_API_KEY: "k" }, { credentialsDir: dir }));
    expect(err.message).toMatch(/acme\.key\.json: not valid JSON/);
    expect(err.message).not.toContain("broken-key-material");
    expect(inspect(err)).not.toContain("broken-key-material");

    dir = credDir({ "acme.user.txt": "u\n" });
    err = errorOf(() => loadAntithesisSettings({}, { credentialsDir: dir }));
    expect(err.message).toMatch(/acme\.user\.txt exists but .*acme\.password\.txt does not/);

    dir = credDir({ "a.user.txt": "u", "a.password.txt": "p", "b.user.txt": "u", "b.password.txt": "p" });
    err = errorOf(() => loadAntithesisSettings({}, { credentialsDir: dir }));
    expect(err.message).toMatch(/ANTITHESIS_TENANT is not set .* several tenants: a, b/);
    // Naming the tenant picks its files.
    expect(loadAntithesisSettings({ ANTITHESIS_TENANT: "b" }, { credentialsDir: dir }).basic?.username).toBe("u");
  });

  test("secrets never print: String, JSON, inspect, template literals, the whole settings object", () => {
    const values = { ANTITHESIS_API_KEY: "api-key-SENTINEL-1", ANTITHESIS_PASSWORD: "password-SENTINEL-2", ANTITHESIS_REGISTRY_PASSWORD: "registry-SENTINEL-3" };
    const s = loadAntithesisSettings({ ANTITHESIS_TENANT: "acme", ANTITHESIS_USERNAME: "u", ANTITHESIS_REGISTRY_USERNAME: "r", ...values }, { credentialsDir: credDir() });
    const outputs = [JSON.stringify(s), inspect(s, { depth: 10, showHidden: true }), String(s.apiKey), `${s.basic?.password}`, s.secrets.join(",")];
    for (const out of outputs) {
      for (const v of Object.values(values)) expect(out).not.toContain(v);
    }
    expect(JSON.stringify({ k: s.apiKey })).toBe('{"k":"[REDACTED]"}');
    expect(s.secrets).toHaveLength(3);
    expect(scrub(`denied for registry-SENTINEL-3 and api-key-SENTINEL-1`, s.secrets)).toBe("denied for [REDACTED] and [REDACTED]");
    expect(new Secret("x").reveal()).toBe("x");
  });
});
