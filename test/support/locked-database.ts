/**
 * Another process holding the database's write lock, as a `scan` run, a backup or an open
 * `sqlite3` shell would: a second real SQLite connection on the app's file. Tests take the lock at
 * the moment they stage and release it to see what the service did meanwhile.
 */
import type { TestContext } from "node:test";
import Database from "better-sqlite3";
import { type MediaFileRow, MediaFileStore } from "../../src/store/media-files.ts";
import { MessageStore } from "../../src/store/messages.ts";
import { type AppFixture, type FixtureOptions, startFixture } from "./app-fixture.ts";
import { recordingLogger } from "./log-lines.ts";
import { channel } from "./tl-factory.ts";

/**
 * A fixture whose log is kept (`log`, and its `until` for a wait on one entry), and a second
 * connection that can take the write lock (`other.exec("BEGIN IMMEDIATE")` / `"COMMIT"`).
 */
export async function lockableFixture(t: TestContext, env: Record<string, string> = {}) {
  const log = recordingLogger();
  let other: Database.Database | undefined;
  // First of the test's after-hooks: a test that failed while holding the lock releases it before
  // the app stops.
  t.after(() => {
    if (other?.inTransaction) other.exec("ROLLBACK");
  });
  const options: FixtureOptions = { logger: log.logger };
  const f = await startFixture(t, env, undefined, options);
  const lock = new Database(f.app.store.file);
  other = lock;
  t.after(() => lock.close());
  return { f, other: lock, log, until: log.until };
}

/** The file row of message `messageId` in chat `chatId`, as stored now (undefined: no such row). */
export function storedFile(f: AppFixture, chatId: number, messageId: number): MediaFileRow | undefined {
  const row = new MessageStore(f.app.store.db).find(chatId, messageId);
  return row && new MediaFileStore(f.app.store.db).byMessage(row.id);
}

let hooks = 0;

/**
 * Takes the write lock on `other` as soon as the app's transaction in which `event` happens has
 * committed — `event` is a trigger event with an optional condition, e.g. `"INSERT ON events WHEN
 * NEW.type = 'message.deleted'"`. It stages a lock between two steps of the service that no
 * request or file marks (a deletion recorded, its file not yet moved). A temporary trigger on the
 * app's connection notes the moment; the lock is taken once the JavaScript that ran the
 * transaction has returned, i.e. after its commit. Resolves when the lock is held.
 */
export function lockAfterCommit(f: AppFixture, other: Database.Database, event: string): Promise<void> {
  const app = f.app.store.sqlite;
  const name = `test_lock_after_commit_${++hooks}`;
  const [on, when = "1"] = event.split(/\s+WHEN\s+/i);
  return new Promise((resolve, reject) => {
    let fired = false;
    app.function(name, { varargs: false }, () => {
      if (fired) return null;
      fired = true;
      queueMicrotask(() => {
        try {
          app.exec(`DROP TRIGGER IF EXISTS temp.${name}`);
          other.exec("BEGIN IMMEDIATE");
          resolve();
        } catch (err) {
          reject(err);
        }
      });
      return null;
    });
    app.exec(`CREATE TEMP TRIGGER ${name} AFTER ${on} WHEN ${when} BEGIN SELECT ${name}(); END`);
  });
}

/** A public channel whose posts the restricted-link saver fetches (`t.me/publicnews/…`), added to `f`. */
export function publicNews(f: AppFixture) {
  const news = channel({
    id: 7002,
    title: "Public",
    megagroup: false,
    username: "publicnews",
    accessHash: 72,
  });
  f.telegram.addEntities(news);
  return news;
}
