/**
 * drizzle, loaded through its CommonJS build. Its ES-module build is hundreds of small files:
 * loading it took ~600 ms and left ~90 MB more RSS than the CommonJS build (~100 ms, measured on
 * this project's machine), on every start of the service. Types come from the package as usual;
 * every store file imports drizzle from here, so only one copy is ever loaded.
 */
import { createRequire } from "node:module";

// `__filename` exists where drizzle-kit loads the schema as CommonJS; Node runs us as an ES module.
const load = createRequire(typeof __filename === "string" ? __filename : import.meta.url);

const core = load("drizzle-orm") as typeof import("drizzle-orm");
const sqliteCore = load("drizzle-orm/sqlite-core") as typeof import("drizzle-orm/sqlite-core");
const driver = load("drizzle-orm/better-sqlite3") as typeof import("drizzle-orm/better-sqlite3");
const migrator = load(
  "drizzle-orm/better-sqlite3/migrator",
) as typeof import("drizzle-orm/better-sqlite3/migrator");

export const { and, asc, count, desc, eq, gt, gte, inArray, lt, lte, max, min, ne, or, sql } = core;
export const { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } = sqliteCore;
export const { drizzle } = driver;
export const { migrate } = migrator;
export type { BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
