/**
 * Kept media against what the database recorded: every buffered file (`media/`, rows `stored`)
 * must exist with its recorded size and SHA-256; every deleted message's file (`media_deleted/`,
 * rows `vaulted`) must exist and, encrypted, authenticate with the key, belong to its message and
 * hash to the recorded SHA-256 (without the key, only its header and length are checked). Files no
 * row refers to are told as notices. Runs beside the service: a file that disappears because the
 * service purged it meanwhile is looked up again and not reported. Queries avoid the indexes
 * (`NOT INDEXED`), so a damaged index, which the database check reports, does not hide the media.
 */
import { createHash } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import { open } from "node:fs/promises";
import path from "node:path";
import type Database from "better-sqlite3";
import { checkVaultShape, digestVaultFile, keyIdDamaged } from "../media/vault/decrypt.ts";
import { VAULT_EXTENSION } from "../media/vault/encrypt.ts";
import { VaultError } from "../media/vault/errors.ts";
import type { Area, AreaResult, Finding, Severity } from "./findings.ts";

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
  FROM media_files AS f NOT INDEXED JOIN messages m ON m.id = f.message_row_id WHERE f.status = ? ORDER BY f.id`;

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

const whose = (r: Pick<KeptRow, "chat_id" | "message_id">) => `message ${r.message_id} in chat ${r.chat_id}`;
const errno = (err: unknown) => (err as NodeJS.ErrnoException).code ?? "";

/** Collects one area's findings. */
class Findings {
  readonly list: Finding[] = [];
  readonly area: Area;
  constructor(area: Area) {
    this.area = area;
  }
  add(severity: Severity, subject: string, problem: string): void {
    this.list.push({ area: this.area, severity, subject, problem });
  }
}

/** Regular, non-hidden files of `dir` (hidden ones are the service's temporary files). */
function filesIn(dir: string, found: Findings): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isFile() && !d.name.startsWith("."))
      .map((d) => d.name);
  } catch (err) {
    if (errno(err) !== "ENOENT")
      found.add("unchecked", dir, `cannot list it (${errno(err) || (err as Error).message})`);
    return [];
  }
}

/** Whether row `id` still has `status` (the service may have purged or vaulted it meanwhile). */
function stillIs(sqlite: Database.Database, id: number, status: string): boolean {
  return (
    sqlite.prepare("SELECT 1 FROM media_files NOT INDEXED WHERE id = ? AND status = ?").get(id, status) !==
    undefined
  );
}

/** What an I/O error on a kept file means: gone (unless the service removed it meanwhile) or unreadable. */
function fileError(err: unknown, found: Findings, subject: string, stillKept: () => boolean): void {
  if (errno(err) === "ENOENT") {
    if (stillKept()) found.add("damaged", subject, "missing");
  } else found.add("unchecked", subject, `cannot read it (${errno(err) || (err as Error).message})`);
}

/** Checks the media buffer against the `stored` rows; each file is read once, however many rows share it. */
export async function checkBuffer(sqlite: Database.Database, mediaDir: string): Promise<AreaResult> {
  const found = new Findings("buffer");
  const onDisk = filesIn(mediaDir, found);
  const byBlob = new Map<string, KeptRow[]>();
  for (const r of sqlite.prepare<[string], KeptRow>(ROWS).all("stored")) {
    if (!r.blob) {
      found.add("damaged", `media_files row ${r.id} (${whose(r)})`, "recorded as kept, with no file name");
      continue;
    }
    const users = byBlob.get(r.blob);
    if (users) users.push(r);
    else byBlob.set(r.blob, [r]);
  }
  const buf = Buffer.allocUnsafeSlow(HASH_READ);
  let bytes = 0;
  for (const [blob, users] of byBlob) {
    const first = users[0]!;
    const subject = `media/${blob} (${whose(first)}${users.length > 1 ? ` and ${users.length - 1} more` : ""})`;
    const file = path.join(mediaDir, path.basename(blob));
    try {
      const size = statSync(file).size;
      bytes += size;
      if (first.size === null || first.sha256 === null) {
        found.add("unchecked", subject, "recorded without its size or SHA-256");
      } else if (size !== first.size) {
        found.add("damaged", subject, `${size} bytes on disk, ${first.size} recorded`);
      } else if ((await sha256Of(file, buf)) !== first.sha256) {
        found.add("damaged", subject, "content differs from what was downloaded (SHA-256)");
      }
    } catch (err) {
      fileError(err, found, subject, () => users.some((u) => stillIs(sqlite, u.id, "stored")));
    }
  }
  const refers = sqlite.prepare("SELECT 1 FROM media_files NOT INDEXED WHERE blob = ? AND status = 'stored'");
  for (const name of onDisk) {
    if (!byBlob.has(name) && !refers.get(name))
      found.add("notice", `media/${name}`, "no stored row refers to it");
  }
  return { area: "buffer", checked: byBlob.size, bytes, findings: found.list };
}

/** One deleted message's file: its finding, or null when it is intact. */
async function judgeVaulted(
  file: string,
  row: KeptRow,
  key: Uint8Array | null,
  buf: Buffer,
): Promise<[Severity, string] | null> {
  const size = statSync(file).size;
  if (row.size === null || row.sha256 === null) return ["unchecked", "recorded without its size or SHA-256"];
  if (!file.endsWith(VAULT_EXTENSION)) {
    if (size !== row.size) return ["damaged", `${size} bytes on disk, ${row.size} recorded`];
    if ((await sha256Of(file, buf)) !== row.sha256) return ["damaged", "content differs (SHA-256)"];
    return null;
  }
  try {
    if (!key) {
      await checkVaultShape(file, row.size);
      return null;
    }
    const d = await digestVaultFile(file, key);
    if (d.meta.chatId !== row.chat_id || d.meta.messageId !== row.message_id)
      return [
        "damaged",
        `holds the file of ${whose({ chat_id: d.meta.chatId, message_id: d.meta.messageId })}`,
      ];
    if (d.size !== row.size) return ["damaged", `decrypts to ${d.size} bytes, ${row.size} recorded`];
    if (d.sha256 !== row.sha256)
      return ["damaged", "decrypts to other content than was downloaded (SHA-256)"];
    return null;
  } catch (err) {
    if (!(err instanceof VaultError)) throw err;
    if (err.kind !== "wrong-key") return ["damaged", err.message];
    if (key && (await keyIdDamaged(file, key)))
      return ["damaged", "its header's key id is damaged (the key itself fits)"];
    return ["notice", "encrypted with another key: not checked"];
  }
}

/** What a vault file that no row refers to is. */
function strayVaultFile(name: string): string {
  return name.endsWith(".enc")
    ? "a Python logger file, not in the database (telegram-logger decrypt reads it)"
    : "no row refers to it";
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
  const found = new Findings("vault");
  const onDisk = filesIn(vaultDir, found);
  const referenced = new Set<string>();
  const buf = Buffer.allocUnsafeSlow(HASH_READ);
  let bytes = 0;
  let encrypted = 0;
  for (const row of sqlite.prepare<[string], KeptRow>(ROWS).all("vaulted")) {
    if (!row.vault_file) {
      found.add(
        "damaged",
        `media_files row ${row.id} (${whose(row)})`,
        "recorded as kept, with no file name",
      );
      continue;
    }
    const name = path.basename(row.vault_file);
    referenced.add(name);
    const subject = `media_deleted/${name} (${whose(row)})`;
    const file = path.join(vaultDir, name);
    try {
      bytes += statSync(file).size;
      if (name.endsWith(VAULT_EXTENSION)) encrypted++;
      const verdict = await judgeVaulted(file, row, key, buf);
      if (verdict) found.add(verdict[0], subject, verdict[1]);
    } catch (err) {
      fileError(err, found, subject, () => stillIs(sqlite, row.id, "vaulted"));
    }
  }
  const refers = sqlite.prepare("SELECT 1 FROM media_files NOT INDEXED WHERE vault_file = ?");
  for (const name of onDisk) {
    if (!referenced.has(name) && !refers.get(name))
      found.add("notice", `media_deleted/${name}`, strayVaultFile(name));
  }
  const how =
    encrypted === 0
      ? undefined
      : key
        ? "encrypted files authenticated with the key"
        : "no key: encrypted files' headers and lengths only";
  return { area: "vault", checked: referenced.size, bytes, how, findings: found.list };
}
