/**
 * Prepared statements kept per connection, for the reads that run the same SQL many times (a
 * message lookup per feed item, a bisection's probes, an export's thousands of chunks): preparing
 * costs tens of microseconds each time, more than running such a query, and each prepared
 * statement holds native memory until its wrapper is collected. Keyed by the SQL text, the most
 * recently used kept (SQL built from a filter varies, so the cache is bounded); a connection's
 * statements go with it (WeakMap).
 */
import type Database from "better-sqlite3";

/** Statements kept per connection. */
const KEPT = 64;

const cache = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** `sql` prepared on `sqlite`, once per connection while it stays among the `KEPT` most recent. */
export function statement<P extends unknown[] = unknown[], R = unknown>(
  sqlite: Database.Database,
  sql: string,
): Database.Statement<P, R> {
  let mine = cache.get(sqlite);
  if (!mine) {
    mine = new Map();
    cache.set(sqlite, mine);
  }
  let s = mine.get(sql);
  if (s) mine.delete(sql);
  else {
    s = sqlite.prepare(sql);
    if (mine.size >= KEPT) mine.delete(mine.keys().next().value!);
  }
  mine.set(sql, s);
  return s as unknown as Database.Statement<P, R>;
}
