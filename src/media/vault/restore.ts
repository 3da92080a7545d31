/**
 * Restores one encrypted file (vault or Python-logger format) into an output folder under its
 * original, sanitized name. Plaintext is written to a hidden temporary file in the output folder
 * and moved into place only when fully authenticated; on any failure the temporary file is
 * deleted, so a failure never leaves partial plaintext behind. Outputs are mode 0600.
 */
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { access, link, open, rename, rm, unlink } from "node:fs/promises";
import path from "node:path";
import { PLAIN_DELETED_MEDIA_NAME } from "../deleted-media-store.ts";
import { decryptVaultToPath, readVaultMeta } from "./decrypt.ts";
import { VaultError } from "./errors.ts";
import { safeFileName, uniqueName } from "./file-name.ts";
import { hasVaultMagic, MAGIC, type VaultMeta } from "./format.ts";
import { decryptLegacyFile, legacyOriginalName } from "./legacy.ts";

/** The output file exists and `force` was not given. */
export class OutputExistsError extends Error {
  readonly output: string;
  constructor(output: string) {
    super(`${output} already exists (use --force to overwrite)`);
    this.name = "OutputExistsError";
    this.output = output;
  }
}

/** How to restore. `claimed` collects names given out in this run, so inputs never collide. */
export interface RestoreOptions {
  force: boolean;
  claimed: Set<string>;
}

/** What was restored. `meta` is absent for Python-logger files, which carry none. */
export interface Restored {
  input: string;
  output: string;
  format: "vault" | "legacy";
  meta?: VaultMeta;
}

/** Temporary plaintext files being written now; removed by `removePartialOutputs` on a signal. */
const partial = new Set<string>();

/** Deletes every temporary plaintext file still being written (for SIGINT/SIGTERM handlers). */
export function removePartialOutputs(): void {
  for (const f of partial) rmSync(f, { force: true });
  partial.clear();
}

async function startsWithMagic(file: string): Promise<boolean> {
  const h = await open(file, "r");
  try {
    const b = Buffer.alloc(MAGIC.length);
    const { bytesRead } = await h.read(b, 0, b.length, 0);
    return hasVaultMagic(b.subarray(0, bytesRead));
  } finally {
    await h.close();
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/** Moves `tmp` to `final`; without `force`, never replaces a file that appeared meanwhile. */
async function place(tmp: string, final: string, force: boolean): Promise<void> {
  if (force) return rename(tmp, final);
  try {
    await link(tmp, final); // atomic "create only if absent"
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EEXIST") throw new OutputExistsError(final);
    if (code !== "EPERM" && code !== "ENOTSUP" && code !== "EXDEV" && code !== "EOPNOTSUPP") throw err;
    // A file system without hard links: check, then rename.
    if (await exists(final)) throw new OutputExistsError(final);
    return rename(tmp, final);
  }
  await unlink(tmp);
}

/**
 * Decrypts `input` into `outDir` with `key`. Throws `VaultError` (cause in `kind`),
 * `OutputExistsError`, or a file-system error; in every case nothing is left in `outDir`.
 */
export async function restoreFile(
  input: string,
  key: Uint8Array,
  outDir: string,
  options: RestoreOptions,
): Promise<Restored> {
  const base = path.basename(input);
  const vault = await startsWithMagic(input);
  let meta: VaultMeta | undefined;
  let wanted: string;
  const fallback = `${base.replace(/\.[^.]*$/, "") || "file"}.bin`;
  if (vault) {
    meta = await readVaultMeta(input, key);
    wanted = safeFileName(meta.fileName, safeFileName(fallback, "file.bin"));
  } else if (PLAIN_DELETED_MEDIA_NAME.test(base)) {
    // Kept in the clear by the service: no need to run AES-GCM over it to learn that.
    throw new VaultError(
      "not-vault",
      "not encrypted: a file the service kept while ENCRYPT_DELETED_MEDIA was off (already readable)",
    );
  } else {
    wanted = safeFileName(legacyOriginalName(base), safeFileName(fallback, "file.bin"));
  }
  const name = uniqueName(wanted, (c) => options.claimed.has(c));
  const output = path.join(outDir, name);
  if (!options.force && (await exists(output))) throw new OutputExistsError(output);
  options.claimed.add(name);

  const tmp = path.join(outDir, `.tl-decrypt-${randomBytes(8).toString("hex")}.partial`);
  partial.add(tmp);
  try {
    if (vault) await decryptVaultToPath(input, key, tmp, { flags: "wx", mode: 0o600, sync: true });
    else {
      // Opened (and closed) here: nothing can create the temporary file after its removal below.
      const out = await open(tmp, "wx", 0o600);
      try {
        await decryptLegacyFile(input, key, out);
        await out.sync();
      } catch (err) {
        if (err instanceof VaultError && !/\.enc$/i.test(base)) {
          throw new VaultError(
            "not-vault",
            "not a vault file (no TLVAULT signature) and not a Python logger file readable with this key",
          );
        }
        throw err;
      } finally {
        await out.close();
      }
    }
    await place(tmp, output, options.force);
  } catch (err) {
    options.claimed.delete(name);
    throw err;
  } finally {
    await rm(tmp, { force: true });
    partial.delete(tmp);
  }
  return { input, output, format: vault ? "vault" : "legacy", meta };
}
