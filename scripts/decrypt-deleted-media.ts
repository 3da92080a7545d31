#!/usr/bin/env node
/**
 * Standalone form of `telegram-logger decrypt` (same options, same exit statuses), under the name
 * the Python logger's users know: `node scripts/decrypt-deleted-media.ts --in DIR --out DIR`.
 * Reads DELETED_MEDIA_KEY_B64 from the environment or from ./.env (ENV_FILE to choose another).
 */
import { existsSync } from "node:fs";
import { runDecryptCommand } from "../src/commands/decrypt.ts";

const envFile = process.env.ENV_FILE ?? ".env";
try {
  if (existsSync(envFile)) process.loadEnvFile(envFile);
  process.exitCode = await runDecryptCommand(process.argv.slice(2), process.env);
} catch (err) {
  process.stderr.write(`decrypt-deleted-media: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
}
