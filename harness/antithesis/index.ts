// Antithesis submit mode: settings, registry push by digest, the pinned config image, the launch and runs API.
// Test stand-ins (a local registry, a fake Antithesis server) are in ./testing/ and not exported here.
export { Secret, REDACTED } from "./secret.ts";
export { AntithesisSettingsError, loadAntithesisSettings, scrub, type AntithesisSettings, type BasicAuth, type LoadOptions, type RegistryCredentials } from "./settings.ts";
export {
  RegistryError,
  dockerConfigCredentials,
  loginRegistry,
  manifestExists,
  missingDigestRefs,
  pushImage,
  pushImages,
  pushTarget,
  repositoryTag,
  registryScheme,
  type PushTarget,
  type PushedImage,
  type RegistryLogin,
} from "./registry.ts";
export { ConfigImageError, buildConfigImage, composeServices, pinCompose, pushConfigImage, readComposeFromImage, type BuiltConfigImage, type ConfigImageOptions } from "./config-image.ts";
export {
  AntithesisApiError,
  TERMINAL_STATUSES,
  getProperties,
  getRun,
  launch,
  launchParams,
  retryAfterMs,
  runIdOf,
  waitForRun,
  type ApiStage,
  type HttpOptions,
  type LaunchInput,
  type LaunchResult,
  type RunDetail,
  type RunProperty,
  type WaitOptions,
} from "./api.ts";
