/**
 * Seeding chats for the web tests through the service's own stores, as capture writes them:
 * peers (`PeerStore.remember`), messages (`MessageStore.insert`), deletions (`markDeleted`), edits
 * (`applyEdit`, which keeps every revision), media rows (`MediaFileStore`) with their files in the
 * buffer folder or the vault (encrypted with `encryptFileToVault`, as the deleted-media store does).
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { encryptFileToVault } from "../../src/media/vault/encrypt.ts";
import { entitiesJson, type StoredEntity } from "../../src/model/entities.ts";
import type { MediaInfo } from "../../src/model/media.ts";
import type { PeerInfo } from "../../src/model/peer.ts";
import { MediaFileStore } from "../../src/store/media-files.ts";
import { MessageStore } from "../../src/store/messages.ts";
import { PeerStore } from "../../src/store/peers.ts";
import type { WebFixture } from "./support.ts";

/** A message to seed; what is not given gets a plain default. */
export interface SeedMessage {
  chatId: number;
  messageId: number;
  chatType?: string;
  senderId?: number | null;
  date: number;
  text?: string;
  entities?: StoredEntity[];
  media?: MediaInfo;
  replyTo?: number;
  outgoing?: boolean;
  selfDestructing?: boolean;
}

/** The service's stores on the fixture's database. */
export function chatSeeder(f: WebFixture) {
  const db = f.app.store.db;
  const messages = new MessageStore(db);
  const peers = new PeerStore(db);
  const files = new MediaFileStore(db);
  const now = () => Date.now();
  return {
    peer(p: Partial<PeerInfo> & { peerId: number; name: string; type: string }): void {
      peers.remember({ accessHash: null, username: null, isSelf: false, noforwards: false, ...p }, now());
    },
    /** Stores messages; returns their row ids. */
    messages(list: SeedMessage[]): number[] {
      return db.transaction(() =>
        list.map((m) => {
          const id = messages.insert(
            {
              chatId: m.chatId,
              messageId: m.messageId,
              chatType: m.chatType ?? (m.chatId > 0 ? "user" : "supergroup"),
              senderId: m.senderId ?? null,
              date: m.date,
              text: m.text ?? "",
              entities: entitiesJson(m.entities ?? []),
              media: m.media ? JSON.stringify(m.media) : null,
              replyToMessageId: m.replyTo ?? null,
              outgoing: m.outgoing ?? false,
              noforwards: false,
              selfDestructing: m.selfDestructing ?? false,
            },
            m.date,
          );
          if (id === null) throw new Error(`message ${m.chatId}/${m.messageId} seeded twice`);
          return id;
        }),
      );
    },
    deleted(chatId: number, messageId: number, at: number, kind: string): void {
      const row = messages.find(chatId, messageId)!;
      messages.markDeleted(row.id, at, kind);
    },
    /** Edits a message to `text` at `at` (the first edit keeps the original as version 0). */
    edited(chatId: number, messageId: number, text: string, at: number): void {
      const row = messages.find(chatId, messageId)!;
      db.transaction(() =>
        messages.applyEdit(row, { text, entities: row.entities, media: row.media, editDate: at }, at),
      );
    },
    /** A kept file in the media buffer for the message's row; returns the media row id. */
    buffered(rowId: number, bytes: Buffer): number {
      const blob = `blob-${rowId}`;
      writeFileSync(path.join(f.app.config.mediaDir, blob), bytes);
      return this.fileRow(rowId, { status: "stored", blob, size: bytes.length });
    },
    /** A kept file in the vault, encrypted with `key`; returns the media row id. */
    async vaulted(rowId: number, bytes: Buffer, key: Uint8Array, chunkSize = 1024): Promise<number> {
      const src = path.join(f.base, `plain-${rowId}`);
      writeFileSync(src, bytes);
      const entry = await encryptFileToVault(
        src,
        f.app.config.vaultDir,
        key,
        { fileName: "clip.mp4", mimeType: "video/mp4", chatId: 0, messageId: 0, date: 0 },
        { chunkSize, sync: false },
      );
      return this.fileRow(rowId, {
        status: "vaulted",
        vaultFile: path.basename(entry.path),
        size: bytes.length,
      });
    },
    /** A media row as the buffer writes it (`add`, then `update`); returns its id. */
    fileRow(
      rowId: number,
      fields: { status: string; blob?: string; vaultFile?: string; size?: number; reason?: string },
    ): number {
      files.add(rowId, "pending", null, fields.size ?? null, now());
      const row = files.byMessage(rowId)!;
      files.update(
        row.id,
        {
          status: fields.status,
          blob: fields.blob ?? null,
          vaultFile: fields.vaultFile ?? null,
          reason: fields.reason ?? null,
        },
        now(),
      );
      return row.id;
    },
  };
}
