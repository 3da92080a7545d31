/**
 * Kept media against what the database recorded: every buffered file (`media/`, rows `stored`)
 * must exist with its recorded size and SHA-256; every deleted message's file (`media_deleted/`,
 * rows `vaulted`) must exist and, encrypted, authenticate with the key and hash to the recorded
 * SHA-256 (without the key, only its header and length are checked). Files no row refers to are
 * told as notices. Runs beside the service: a file missing because the service purged it meanwhile
 * is looked up again and not reported.
 */
import { createHash } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import { open } from "node:fs/promises";
import path from "node:path";
import type Database from "better-sqlite3";
import { checkVaultShape, digestVaultFile } from "../media/vault/decrypt.ts";
import { VAULT_EXTENSION } from "../media/vault/encrypt.ts";
import { VaultError } from "../media/vault/errors.ts";
import type { AreaResult, Finding } from "./findings.ts";

/** A kept file as the database knows it. */
interface KeptRow {
  id: number;
  blob: string | null;
  vault_file: string | null;
  size: number | null;
  sha256: string | null;
  chat_id: number;
  message_id: number;
}

const ROWS = `SELECT f.id, f.blob, f.vault_file, f.size, f.sha256, m.chat_id, m.message_id
  FROM media_files f JOIN messages m ON m.id = f.message_row_id WHERE f.status = ? ORDER BY f.id`;

/** Bytes read at a time when hashing. */
const HASH_READ = 1024 * 1024;

/**
 * SHA-256 of a file, read into `buf`, one buffer for every file of a check: a fresh buffer per
 * read (a read stream) or per file left the garbage collector tens of MB behind
 * (bench/verify.bench.ts).
 */
async function sha256Of(file: string, buf: Buffer): Promise<string> {
  const hash = createHash("sha256");
  const fh = await open(file, "r");
  try {
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
  return hash.digest("hex");
}

const whose = (r: KeptRow) => `message ${r.message_id} in chat ${r.chat_id}`;

/** Regular, non-hidden files of `dir` (hidden ones are the service's temporary files). */
function filesIn(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isFile() && !d.name.startsWith("."))
      .map((d) => d.name);
  } catch {
    return [];
  }
}

/** Whether row `id` still has `status` (the service may have purged or vaulted it meanwhile). */
function stillIs(sqlite: Database.Database, id: number, status: string): boolean {
  return (
    sqlite.prepare("SELECT 1 FROM media_files WHERE id = ? AND status = ?").get(id, status) !== undefined
  );
}

/** Checks the media buffer against the `stored` rows; each file is read once, however many rows share it. */
export async function checkBuffer(sqlite: Database.Database, mediaDir: string): Promise<AreaResult> {
  const onDisk = filesIn(mediaDir);
  const rows = sqlite.prepare<[string], KeptRow>(ROWS).all("stored");
  const buf = Buffer.allocUnsafeSlow(HASH_READ);
  const byBlob = new Map<string, KeptRow[]>();
  for (const r of rows) if (r.blob) byBlob.set(r.blob, [...(byBlob.get(r.blob) ?? []), r]);
  const findings: Finding[] = [];
  const damaged = (subject: string, problem: string) =>
    findings.push({ area: "buffer", severity: "damaged", subject, problem });
  let bytes = 0;
  for (const [blob, users] of byBlob) {
    const file = path.join(mediaDir, path.basename(blob));
    const first = users[0]!;
    const subject = `media/${blob} (${whose(first)}${users.length > 1 ? ` and ${users.length - 1} more` : ""})`;
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      if (users.some((u) => stillIs(sqlite, u.id, "stored"))) damaged(subject, "missing");
      continue;
    }
    bytes += size;
    if (first.size !== null && size !== first.size) {
      damaged(subject, `${size} bytes on disk, ${first.size} recorded`);
      continue;
    }
    const sha256 = await sha256Of(file, buf);
    if (first.sha256 && sha256 !== first.sha256)
      damaged(subject, "content differs from what was downloaded (SHA-256)");
  }
  for (const name of onDisk) {
    if (byBlob.has(name)) continue;
    const refers = sqlite.prepare("SELECT 1 FROM media_files WHERE blob = ? AND status = 'stored'").get(name);
    if (!refers)
      findings.push({
        area: "buffer",
        severity: "notice",
        subject: `media/${name}`,
        problem: "no row refers to it",
      });
  }
  return { area: "buffer", checked: byBlob.size, bytes, findings };
}

/** One deleted message's file: missing, damaged, under another key, or fine. */
async function checkVaulted(
  file: string,
  row: KeptRow,
  key: Uint8Array | null,
  buf: Buffer,
): Promise<[Finding["severity"], string] | null> {
  const size = statSync(file).size;
  if (!file.endsWith(VAULT_EXTENSION)) {
    if (row.size !== null && size !== row.size)
      return ["damaged", `${size} bytes on disk, ${row.size} recorded`];
    if (row.sha256 && (await sha256Of(file, buf)) !== row.sha256)
      return ["damaged", "content differs (SHA-256)"];
    return null;
  }
  try {
    if (!key) {
      await checkVaultShape(file, row.size);
      return null;
    }
    const d = await digestVaultFile(file, key);
    if (row.size !== null && d.size !== row.size)
      return ["damaged", `decrypts to ${d.size} bytes, ${row.size} recorded`];
    if (row.sha256 && d.sha256 !== row.sha256)
      return ["damaged", "decrypts to other content than was downloaded (SHA-256)"];
    return null;
  } catch (err) {
    if (!(err instanceof VaultError)) throw err;
    if (err.kind === "wrong-key") return ["notice", "encrypted with another key: not checked"];
    return ["damaged", err.message];
  }
}

/**
 * Checks `media_deleted/` against the `vaulted` rows. With `key`, encrypted files are authenticated
 * and hashed in full; without it, only their header and length.
 */
export async function checkVault(
  sqlite: Database.Database,
  vaultDir: string,
  key: Uint8Array | null,
): Promise<AreaResult> {
  const onDisk = filesIn(vaultDir);
  const rows = sqlite.prepare<[string], KeptRow>(ROWS).all("vaulted");
  const buf = Buffer.allocUnsafeSlow(HASH_READ);
  const findings: Finding[] = [];
  const referenced = new Set<string>();
  let bytes = 0;
  let encrypted = 0;
  for (const row of rows) {
    if (!row.vault_file) continue;
    const name = path.basename(row.vault_file);
    referenced.add(name);
    const file = path.join(vaultDir, name);
    const subject = `media_deleted/${name} (${whose(row)})`;
    try {
      bytes += statSync(file).size;
    } catch {
      if (stillIs(sqlite, row.id, "vaulted"))
        findings.push({ area: "vault", severity: "damaged", subject, problem: "missing" });
      continue;
    }
    if (name.endsWith(VAULT_EXTENSION)) encrypted++;
    const found = await checkVaulted(file, row, key, buf);
    if (found) findings.push({ area: "vault", severity: found[0], subject, problem: found[1] });
  }
  for (const name of onDisk) {
    if (!referenced.has(name))
      findings.push({
        area: "vault",
        severity: "notice",
        subject: `media_deleted/${name}`,
        problem: "no row refers to it",
      });
  }
  const how =
    encrypted === 0
      ? undefined
      : key
        ? "encrypted files authenticated with the key"
        : "no key: encrypted files' headers and lengths only";
  return { area: "vault", checked: referenced.size, bytes, how, findings };
}
