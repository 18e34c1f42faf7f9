// Moved to harness/redact.ts (the one redaction module).
export { REDACTED, Secret } from "../redact.ts";
