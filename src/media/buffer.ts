/**
 * The media buffer: downloads kept media in the background after the message row is written,
 * moves a deleted message's file to the deleted-media store, and hands files to the feed sender.
 *
 * Downloads run in a bounded queue. A deletion that arrives while its file is still downloading
 * waits for the download; so does a post that needs the file. Files are stored under random names
 * and shared when two messages carry the same bytes.
 */
import { randomBytes } from "node:crypto";
import { readdirSync, rmSync } from "node:fs";
import { rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import PQueue from "p-queue";
import type { Logger } from "pino";
import type { Api } from "telegram";
import type { Clock } from "../clock.ts";
import type { MediaInfo } from "../model/media.ts";
import type { EventStore } from "../store/events.ts";
import type { MediaFileRow, MediaFileStore } from "../store/media-files.ts";
import type { MessageRow, MessageStore } from "../store/messages.ts";
import { untilStored } from "../store/storage-retry.ts";
import { isTransientStorageError } from "../store/transient-errors.ts";
import type { DeletedMediaStore, OpenedMedia } from "./deleted-media-store.ts";
import { type BufferPolicy, FILE_KINDS, missingMediaReason } from "./policy.ts";

/** Downloads a message's file to a path (streamed); returns its size and sha256. */
export type Downloader = (message: Api.Message, dest: string) => Promise<{ size: number; sha256: string }>;
/** Fetches a message again (fresh file reference), or undefined when it is gone. */
export type Refetcher = (row: MessageRow) => Promise<Api.Message | undefined>;

/** A file ready to post, or why there is none (one sentence for the post; empty when obvious). */
export type PreparedMedia =
  | { ok: true; opened: OpenedMedia; media: MediaInfo }
  | { ok: false; reasonText: string };

/** Whether a message's file is kept, or why not (as `PreparedMedia` says it). */
export type MediaAvailability = { kept: true } | { kept: false; reasonText: string };

/** Where a message's file is, before it is opened. */
type LocatedMedia =
  | { where: "vault"; file: string; media: MediaInfo }
  | { where: "buffer"; path: string; media: MediaInfo }
  | { where: "missing"; reasonText: string };

/** Everything the buffer needs. */
export interface MediaBufferDeps {
  files: MediaFileStore;
  messages: MessageStore;
  events: EventStore;
  deleted: DeletedMediaStore;
  download: Downloader;
  refetch: Refetcher;
  mediaDir: string;
  policy: BufferPolicy;
  concurrency: number;
  clock: Clock;
  log: Logger;
}

function isExpiredReference(err: unknown): boolean {
  const msg = (err as { errorMessage?: string })?.errorMessage ?? (err as Error)?.message ?? "";
  return /FILE_REFERENCE_(EXPIRED|INVALID|EMPTY)/.test(msg);
}

/** Background downloads and the hand-over of deleted files. */
export class MediaBuffer {
  readonly #d: MediaBufferDeps;
  readonly #queue: PQueue;
  readonly #live = new Map<number, Api.Message>();
  readonly #downloads = new Map<number, Promise<void>>();
  readonly #deletions = new Map<number, Promise<void>>();
  readonly #stopping = new AbortController();

  constructor(deps: MediaBufferDeps) {
    this.#d = deps;
    this.#queue = new PQueue({ concurrency: deps.concurrency });
  }

  /** Downloads of rows left pending by a previous run (their messages are fetched again). */
  resume(): void {
    removeLeftovers(this.#d.mediaDir);
    for (const row of this.#d.files.pending()) this.#schedule(row.messageRowId);
  }

  /** Queues the download of a just-stored message's media, using the live message object. */
  download(messageRowId: number, message: Api.Message): void {
    this.#live.set(messageRowId, message);
    this.#schedule(messageRowId);
  }

  /** The message was deleted: once its download settles, move its file to the deleted-media store. */
  deleted(messageRowId: number): void {
    if (this.#deletions.has(messageRowId)) return;
    const done = (async () => {
      await this.#downloads.get(messageRowId);
      await this.#keepDeleted(messageRowId);
    })()
      .catch((err: unknown) =>
        this.#d.log.error({ err, messageRowId }, "could not keep a deleted message's file"),
      )
      .finally(() => this.#deletions.delete(messageRowId));
    this.#deletions.set(messageRowId, done);
  }

  /** A file to post for a message, once its download and move have settled. */
  async prepare(messageRowId: number): Promise<PreparedMedia> {
    const found = await this.#locate(messageRowId);
    if (found.where === "missing") return { ok: false, reasonText: found.reasonText };
    if (found.where === "vault")
      return { ok: true, opened: await this.#d.deleted.open(found.file), media: found.media };
    return { ok: true, opened: { path: found.path, cleanup: async () => {} }, media: found.media };
  }

  /**
   * Whether a message's file is kept (in the buffer or the deleted-media store), once its download
   * and move have settled, without opening it: a folded burst says per message whether its file
   * follows, or why not.
   */
  async availability(messageRowId: number): Promise<MediaAvailability> {
    const found = await this.#locate(messageRowId);
    return found.where === "missing" ? { kept: false, reasonText: found.reasonText } : { kept: true };
  }

  async #locate(messageRowId: number): Promise<LocatedMedia> {
    await this.#downloads.get(messageRowId);
    await this.#deletions.get(messageRowId);
    const msg = this.#d.messages.byRowId(messageRowId);
    const media = msg?.media ? (JSON.parse(msg.media) as MediaInfo) : undefined;
    const row = this.#d.files.byMessage(messageRowId);
    if (!media) return { where: "missing", reasonText: "" };
    if (!row)
      return {
        where: "missing",
        reasonText: missingMediaReason(FILE_KINDS.has(media.kind) ? null : "no_file", media, this.#d.policy),
      };
    if (row.status === "vaulted" && row.vaultFile) return { where: "vault", file: row.vaultFile, media };
    if (row.status === "stored" && row.blob)
      return { where: "buffer", path: path.join(this.#d.mediaDir, row.blob), media };
    const reason = row.status === "purged" ? "purged" : row.status === "pending" ? "pending" : row.reason;
    return { where: "missing", reasonText: missingMediaReason(reason, media, this.#d.policy) };
  }

  /** Messages of one album share this key (chat and grouped id); null when not in an album. */
  albumKey(messageRowId: number): string | null {
    const m = this.#d.messages.byRowId(messageRowId);
    return m?.groupedId ? `${m.chatId}:${m.groupedId}` : null;
  }

  /** Resolves when no download or move is running or queued. */
  async idle(): Promise<void> {
    for (;;) {
      await this.#queue.onIdle();
      const pending = [...this.#downloads.values(), ...this.#deletions.values()];
      if (pending.length === 0 && this.#queue.size === 0 && this.#queue.pending === 0) return;
      await Promise.allSettled(pending);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Stops taking new work and waits for what runs. */
  async stop(): Promise<void> {
    this.#stopping.abort();
    this.#queue.clear();
    await this.idle();
  }

  #schedule(messageRowId: number): void {
    if (this.#stopping.signal.aborted || this.#downloads.has(messageRowId)) return;
    const done = this.#queue
      .add(() => this.#fetch(messageRowId))
      .catch((err: unknown) => this.#d.log.error({ err, messageRowId }, "media download crashed"))
      .finally(() => {
        this.#downloads.delete(messageRowId);
        this.#live.delete(messageRowId);
      });
    this.#downloads.set(messageRowId, done);
  }

  async #fetch(messageRowId: number): Promise<void> {
    const { files, messages, clock } = this.#d;
    const row = files.byMessage(messageRowId);
    const msgRow = messages.byRowId(messageRowId);
    if (row?.status !== "pending" || !msgRow) return;
    let message = this.#live.get(messageRowId) ?? (await this.#d.refetch(msgRow));
    const tmp = path.join(this.#d.mediaDir, `.${randomBytes(12).toString("hex")}.part`);
    const started = clock.now();
    try {
      if (!message) throw new Error("the message is no longer available");
      let got: { size: number; sha256: string };
      try {
        got = await this.#d.download(message, tmp);
      } catch (err) {
        if (!isExpiredReference(err)) throw err;
        message = await this.#d.refetch(msgRow);
        if (!message) throw new Error("the file reference expired and the message is gone");
        got = await this.#d.download(message, tmp);
      }
      await this.#store(row, tmp, got);
    } catch (err) {
      await rm(tmp, { force: true });
      if (isTransientStorageError(err)) {
        // Stopped while storage was failing: the row stays pending and the next start downloads again.
        this.#d.log.error(
          { err, messageRowId },
          "a downloaded file could not be recorded; retried at the next start",
        );
        return;
      }
      await this.#failed(row, msgRow, err, clock.now() - started);
    }
  }

  /** Runs a storage step, waiting out a locked database or a full disk until the buffer stops. */
  #stored<T>(what: string, step: () => T): Promise<T> {
    return untilStored(what, step, { clock: this.#d.clock, signal: this.#stopping.signal, log: this.#d.log });
  }

  async #store(row: MediaFileRow, tmp: string, got: { size: number; sha256: string }): Promise<void> {
    const { files, clock } = this.#d;
    const twin = files.withContent(got.sha256, row.id);
    const shared = twin?.blob && (await exists(path.join(this.#d.mediaDir, twin.blob))) ? twin.blob : null;
    const blob = shared ?? randomBytes(16).toString("hex");
    if (shared) await rm(tmp, { force: true });
    else await rename(tmp, path.join(this.#d.mediaDir, blob));
    try {
      await this.#stored("recording a downloaded file", () =>
        files.update(row.id, { status: "stored", blob, size: got.size, sha256: got.sha256 }, clock.now()),
      );
    } catch (err) {
      if (!shared) await rm(path.join(this.#d.mediaDir, blob), { force: true });
      throw err;
    }
  }

  async #failed(row: MediaFileRow, msgRow: MessageRow, err: unknown, durationMs: number): Promise<void> {
    const now = this.#d.clock.now();
    const message = err instanceof Error ? err.message : String(err);
    await this.#stored("recording a failed download", () => {
      this.#d.files.update(row.id, { status: "failed", reason: message, attempts: row.attempts + 1 }, now);
      this.#d.events.record(
        {
          source: "telegram",
          type: "media.download_failed",
          status: "error",
          occurredAt: now,
          chatId: msgRow.chatId,
          messageId: msgRow.messageId,
          error: message,
          durationMs,
        },
        now,
      );
    });
    this.#d.log.warn(
      { chatId: msgRow.chatId, messageId: msgRow.messageId, err: message },
      "media download failed",
    );
  }

  async #keepDeleted(messageRowId: number): Promise<void> {
    const { files, messages, clock } = this.#d;
    const row = files.byMessage(messageRowId);
    const msg = messages.byRowId(messageRowId);
    if (!row || !msg || row.status !== "stored" || !row.blob) return;
    const media = msg.media ? (JSON.parse(msg.media) as MediaInfo) : undefined;
    const src = path.join(this.#d.mediaDir, row.blob);
    const vaultFile = await this.#d.deleted.keep(src, {
      fileName: media?.fileName ?? `${media?.kind ?? "file"}-${msg.messageId}`,
      mimeType: media?.mimeType ?? "application/octet-stream",
      chatId: msg.chatId,
      messageId: msg.messageId,
      date: msg.date,
    });
    try {
      await this.#stored("recording a deleted message's kept file", () =>
        files.update(row.id, { status: "vaulted", vaultFile }, clock.now()),
      );
    } catch (err) {
      // The buffered copy stays and is what a post of this message uses.
      await this.#d.deleted.discard(vaultFile);
      throw err;
    }
    if (files.blobUsers(row.blob) === 0) await rm(src, { force: true });
  }
}

/**
 * Temporary files left by a crash: partial downloads (`.part`) and decrypted copies of vault files
 * made for posting (`.plain`, plaintext of deleted media). None is in use before the buffer starts,
 * so all go.
 */
function removeLeftovers(mediaDir: string): void {
  let names: string[];
  try {
    names = readdirSync(mediaDir);
  } catch {
    return;
  }
  for (const name of names) {
    if (name.startsWith(".") && (name.endsWith(".part") || name.endsWith(".plain"))) {
      rmSync(path.join(mediaDir, name), { force: true });
    }
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}
