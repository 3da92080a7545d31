/**
 * A small key/value table for state that is not worth a table of its own (self id, update state).
 */
import { eq } from "drizzle-orm";
import type { Db } from "./db.ts";
import { kv } from "./schema.ts";

/** Reads and writes `kv`. */
export class KeyValueStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  get(key: string): string | undefined {
    return this.#db.select({ value: kv.value }).from(kv).where(eq(kv.key, key)).get()?.value;
  }

  set(key: string, value: string, now: number): void {
    this.#db
      .insert(kv)
      .values({ key, value, updatedAt: now })
      .onConflictDoUpdate({ target: kv.key, set: { value, updatedAt: now } })
      .run();
  }
}
