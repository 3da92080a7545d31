/**
 * `chat_stats`, the counts per chat the web UI's chat list reads: kept by triggers
 * (drizzle/0006_chat_stats.sql) through every way the service changes what they count — messages
 * stored, marked deleted, edited, their files kept, vaulted, purged, and retention's deletes — and
 * counted from scratch by the migration for an existing database. Each state is compared with the
 * counts computed from the tables themselves.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { openStore, type Store } from "../../src/store/db.ts";
import { MediaFileStore } from "../../src/store/media-files.ts";
import { MessageStore } from "../../src/store/messages.ts";
import { RetentionQueries } from "../../src/store/retention.ts";
import { tempDir } from "../support/tmp.ts";

const KEPT = "('stored', 'vaulted')";

/** The counts, computed from the tables. */
function truth(store: Store) {
  return store.sqlite
    .prepare(
      `SELECT m.chat_id AS chatId, count(*) AS messages, sum(m.deleted_at IS NOT NULL) AS deleted,
              sum(m.revision_count > 0) AS edited, sum(coalesce(f.status IN ${KEPT}, 0)) AS mediaKept,
              max(m.message_id) AS lastMessageId, m.date AS lastDate
         FROM messages m LEFT JOIN media_files f ON f.message_row_id = m.id GROUP BY m.chat_id ORDER BY m.chat_id`,
    )
    .all();
}

function kept(store: Store) {
  return store.sqlite
    .prepare(
      `SELECT chat_id AS chatId, messages, deleted, edited, media_kept AS mediaKept, last_message_id AS lastMessageId,
              last_date AS lastDate FROM chat_stats ORDER BY chat_id`,
    )
    .all();
}

describe("chat_stats", () => {
  it("follows inserts, deletion marks, edits, file states and retention's deletes", (t) => {
    const store = openStore(path.join(tempDir(t), "db.sqlite"));
    t.after(() => store.close());
    const messages = new MessageStore(store.db);
    const files = new MediaFileStore(store.db);
    const rows: number[] = [];
    for (let i = 1; i <= 60; i++) {
      const chatId = i % 3 === 0 ? -1_001_000_000_001 : i % 3 === 1 ? 42 : -77;
      const id = messages.insert(
        { chatId, messageId: i, chatType: chatId === 42 ? "user" : "group", date: 1_000 * i, text: `m${i}` },
        1_000 * i,
      );
      rows.push(id!);
    }
    assert.equal(
      messages.insert({ chatId: 42, messageId: 1, chatType: "user", date: 1, text: "dup" }, 1),
      null,
    );
    assert.deepEqual(kept(store), truth(store));

    for (const id of rows.filter((_, i) => i % 4 === 0)) messages.markDeleted(id, 99_999, "deleted");
    for (const id of rows.filter((_, i) => i % 5 === 0)) {
      const row = messages.byRowId(id)!;
      messages.applyEdit(row, { text: "v1", entities: null, media: null, editDate: 5 }, 5);
      messages.applyEdit(messages.byRowId(id)!, { text: "v2", entities: null, media: null, editDate: 6 }, 6);
    }
    assert.deepEqual(kept(store), truth(store));

    for (const [i, id] of rows.entries()) if (i % 2 === 0) files.add(id, "pending", null, 10, 1);
    for (const [i, id] of rows.entries()) {
      const f = files.byMessage(id);
      if (!f) continue;
      if (i % 4 === 0) files.update(f.id, { status: "stored", blob: "b" }, 2);
      if (i % 8 === 0) files.update(f.id, { status: "vaulted", vaultFile: "v.bin" }, 3);
      if (i % 12 === 0) files.update(f.id, { status: "purged" }, 4);
    }
    assert.deepEqual(kept(store), truth(store));

    // Retention removes the oldest messages (with their revisions; files go by cascade), newest too.
    const retention = new RetentionQueries(store);
    retention.purgeMessages(["group"], 30_500, 1000);
    store.sqlite.prepare("DELETE FROM messages WHERE message_id IN (58, 59)").run();
    assert.deepEqual(kept(store), truth(store));
    retention.purgeMessages(["group"], Number.MAX_SAFE_INTEGER, 1000);
    assert.deepEqual(kept(store), truth(store), "a chat with no message left has no row");
  });

  it("is counted from scratch by the migration for an existing database", (t) => {
    const store = openStore(path.join(tempDir(t), "db.sqlite"));
    t.after(() => store.close());
    const messages = new MessageStore(store.db);
    const files = new MediaFileStore(store.db);
    for (let i = 1; i <= 30; i++) {
      const id = messages.insert(
        { chatId: i % 2 ? 5 : -6, messageId: i, chatType: "user", date: i, text: "" },
        i,
      )!;
      if (i % 3 === 0) messages.markDeleted(id, 100, "own");
      if (i % 4 === 0) files.add(id, "pending", null, 1, 1);
      if (i % 8 === 0) files.update(files.byMessage(id)!.id, { status: "stored" }, 2);
    }
    const before = kept(store);
    store.sqlite.prepare("DELETE FROM chat_stats").run();
    const statements = readFileSync(
      path.join(import.meta.dirname, "../../drizzle/0006_chat_stats.sql"),
      "utf8",
    )
      .split("--> statement-breakpoint")
      .filter((s) => /^\s*(--[^\n]*\n\s*)*(INSERT INTO `chat_stats`|UPDATE `chat_stats`)/.test(s));
    assert.equal(statements.length, 2, "the migration's two counting statements");
    for (const s of statements) store.sqlite.exec(s);
    assert.deepEqual(kept(store), before);
    assert.deepEqual(kept(store), truth(store));
  });
});
