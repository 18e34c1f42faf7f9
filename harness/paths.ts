import { fileURLToPath } from "node:url";

/** The project's root directory (where package.json is), independent of the current directory. */
export const projectRoot: string = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");
