/**
 * Prepared statements kept per connection, for the reads that run the same SQL many times a page
 * (a message lookup per feed item, a bisection's probes): preparing costs tens of microseconds
 * each time, more than running such a query. Keyed by the SQL text; a connection's statements go
 * with it (WeakMap).
 */
import type Database from "better-sqlite3";

const cache = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** `sql` prepared on `sqlite`, once per connection. */
export function statement(sqlite: Database.Database, sql: string): Database.Statement {
  let mine = cache.get(sqlite);
  if (!mine) {
    mine = new Map();
    cache.set(sqlite, mine);
  }
  let s = mine.get(sql);
  if (!s) {
    s = sqlite.prepare(sql);
    mine.set(sql, s);
  }
  return s;
}
