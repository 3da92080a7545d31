/**
 * Seeds for the detail, files and report pages' tests, written through the real stores as the
 * service writes them: a message with its versions (MessageStore, PeerStore), a file renamed and
 * then its folder renamed (EventStore rows as the file audit records them).
 */
import type { NewEvent } from "../../src/store/events.ts";
import { MessageStore } from "../../src/store/messages.ts";
import { PeerStore } from "../../src/store/peers.ts";
import type { WebFixture } from "./support.ts";

/** Markup, a script and a right-to-left override: must arrive as text everywhere. */
export const HOSTILE = '<script>alert("x")</script>\u202Egnp.exe';
const HOUR = 3_600_000;
/** A unified diff as the file audit records it in `details.diff`. */
export const DIFF = "--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-<b>one</b>\n+two\n";

/** Message 7 of chat -1001234 (named with HOSTILE) with two edits and then deleted, written as ingest writes it (MessageStore.insert, applyEdit). */
export function seedMessage(f: WebFixture, T0: number): void {
  const db = f.app.store.db;
  const messages = new MessageStore(db);
  new PeerStore(db).remember(
    {
      peerId: -1001234,
      type: "channel",
      accessHash: null,
      username: null,
      name: `Chat ${HOSTILE}`,
      isSelf: false,
      noforwards: false,
    },
    T0,
  );
  db.transaction(() => {
    const rowId = messages.insert(
      { chatId: -1001234, messageId: 7, chatType: "channel", date: T0 - 60_000, text: "первый вариант" },
      T0,
    )!;
    let row = messages.byRowId(rowId)!;
    messages.applyEdit(
      row,
      { text: "второй <b>вариант</b>", entities: null, media: null, editDate: T0 + 1 },
      T0 + 1,
    );
    row = messages.byRowId(rowId)!;
    messages.applyEdit(
      row,
      { text: `третий ${HOSTILE}`, entities: null, media: null, editDate: T0 + 2 },
      T0 + 2,
    );
    messages.markDeleted(rowId, T0 + 3, "deleted");
  });
}

/** A file created, edited, renamed, its folder renamed, edited again; and its neighbours. */
export function seedRenames(f: WebFixture, t0: number): number[] {
  const fs = (e: Omit<NewEvent, "source" | "status" | "project">): NewEvent => ({
    source: "fs",
    status: "success",
    project: "docs",
    ...e,
  });
  return f.seed([
    fs({ type: "file.created", occurredAt: t0, path: "/srv/docs/a.txt", details: { root: "/srv" } }),
    fs({
      type: "file.modified",
      occurredAt: t0 + HOUR,
      path: "/srv/docs/a.txt",
      details: { root: "/srv", diff: DIFF },
    }),
    fs({
      type: "file.renamed",
      occurredAt: t0 + 2 * HOUR,
      path: "/srv/docs/b.txt",
      details: { root: "/srv", oldPath: "/srv/docs/a.txt" },
    }),
    fs({
      type: "file.modified",
      occurredAt: t0 + 3 * HOUR,
      path: "/srv/docs/b.txt",
      details: { root: "/srv" },
    }),
    fs({
      type: "file.renamed",
      occurredAt: t0 + 4 * HOUR,
      path: "/srv/papers",
      details: { root: "/srv", oldPath: "/srv/docs", kind: "directory", files: 2 },
    }),
    fs({
      type: "file.modified",
      occurredAt: t0 + 5 * HOUR,
      path: "/srv/papers/b.txt",
      details: { root: "/srv" },
    }),
    fs({
      type: "file.created",
      occurredAt: t0 + 6 * HOUR,
      path: "/srv/docs/other.txt",
      details: { root: "/srv" },
    }),
    fs({
      type: "file.modified",
      occurredAt: t0 + 7 * HOUR,
      path: "/srv/papers/c.txt",
      details: { root: "/srv" },
    }),
  ]);
}
