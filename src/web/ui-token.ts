/**
 * Where the web UI's token comes from: `UI_TOKEN` when set, otherwise a random token the service
 * creates at its first start in `DATA_ROOT/db/ui-token` (mode 0600) and reuses after, so a fresh
 * install is never open and the operator need not invent a secret. `telegram-logger ui-url` reads
 * the same file and never creates it (a root-owned file would lock the service out of its own token).
 */
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, writeFileSync } from "node:fs";
import { readUiTokenFile } from "../store/data-paths.ts";

/**
 * `configured` when set; otherwise the token in `file`, created (32 random bytes, base64url,
 * mode 0600) when missing. The file is created exclusively, so two starts cannot race.
 */
export function resolveUiToken(configured: string | null, file: string): string {
  if (configured !== null) return configured;
  const existing = readUiTokenFile(file);
  if (existing !== null) return existing;
  const token = randomBytes(32).toString("base64url");
  writeFileSync(file, `${token}\n`, { mode: 0o600, flag: existsSync(file) ? "w" : "wx" });
  // The umask may have narrowed the mode, never widened it; make it exactly 0600.
  chmodSync(file, 0o600);
  return token;
}
