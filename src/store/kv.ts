/**
 * A small key/value table for state that is not worth a table of its own (self id, update state).
 */

import type { Db } from "./db.ts";
import { eq, sql } from "./orm.ts";
import { kv } from "./schema.ts";

/** Reads and writes `kv`. */
export class KeyValueStore {
  readonly #db: Db;

  readonly #upsert;

  constructor(db: Db) {
    this.#db = db;
    const p = (name: string) => sql.placeholder(name);
    this.#upsert = db
      .insert(kv)
      .values({ key: p("key"), value: p("value"), updatedAt: p("now") })
      .onConflictDoUpdate({
        target: kv.key,
        set: { value: sql`excluded.value`, updatedAt: sql`excluded.updated_at` },
      })
      .prepare();
  }

  get(key: string): string | undefined {
    return this.#db.select({ value: kv.value }).from(kv).where(eq(kv.key, key)).get()?.value;
  }

  set(key: string, value: string, now: number): void {
    this.#upsert.run({ key, value, now });
  }
}
