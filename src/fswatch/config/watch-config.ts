/**
 * The watch-config file (`WATCH_CONFIG`), parsed and validated without touching the disk. It keeps
 * the CRM file-event service's shape (`poll_interval`, `directories[]` with `path`, `project`,
 * `username`, `include`, `exclude`, `compute_checksum`, `emit_on_start`, `poll_interval`) so its
 * users keep their file, and adds `important`, `max_diff_bytes`, `notify`, `network` and a few
 * timings. Every problem names the field (`directories[2].include[0]: ...`); unknown keys are errors,
 * so a typo never silently turns a setting off. Documented in docs/watch-config.md.
 */
import path from "node:path";
import { ConfigError } from "../../config.ts";
import { CHANGE_TYPES, type ChangeType } from "../../model/file-change.ts";

/** A mistake in the watch-config file; `field` is the JSON path of the culprit. */
export class WatchConfigError extends ConfigError {
  readonly field: string;
  constructor(field: string, problem: string) {
    super("WATCH_CONFIG", field ? `${field}: ${problem}` : problem);
    this.name = "WatchConfigError";
    this.field = field;
  }
}

/** Who is told about changes in the log chat. */
export type NotifyMode = "none" | "deletions" | "all";

/**
 * What gives a root its change hints: chokidar (the default), or `fs-watch`, the service's own
 * per-folder `fs.watch` watcher, for large trees: chokidar stats every file at start and stays at
 * ~300 MB for 100,000 files, where `fs-watch` needs ~90 MB and is ready in a fraction of a second
 * (docs/watch-config.md, bench/fswatch-audit.bench.ts).
 */
export type WatcherKind = "chokidar" | "fs-watch";

const WATCHER_KINDS: readonly WatcherKind[] = ["chokidar", "fs-watch"];

/** One watched folder, with every default filled in. */
export interface RootConfig {
  /** Absolute path of the folder (relative paths are resolved against the config file's folder). */
  path: string;
  project: string;
  username: string | null;
  include: string[];
  exclude: string[];
  /** Text files whose content is kept and whose changes are stored as unified diffs. */
  important: string[];
  computeChecksum: boolean;
  emitOnStart: boolean;
  pollIntervalMs: number;
  maxDiffBytes: number;
  notify: NotifyMode;
  /** Network share: no native events (they miss remote changes); scheduled scans only. */
  network: boolean;
  digestWindowMs: number;
  watcher: WatcherKind;
  /**
   * The change types recorded as events; the others still update the snapshot, so what is
   * recorded later stays right.
   */
  events: ChangeType[];
}

/** The whole watch config. */
export interface WatchConfig {
  /** How long a path must be quiet before it is examined. */
  settleMs: number;
  /** How long a vanished file waits for its new name before it counts as deleted. */
  renameWindowMs: number;
  directories: RootConfig[];
  /**
   * The CRM service's `database.path`: an SQLite file that gets a copy of every file change in the
   * CRM's `file_events` table (crm/crm-export.ts); null when not set.
   */
  crmDatabase: string | null;
}

/** Defaults, documented in docs/watch-config.md. */
export const WATCH_DEFAULTS = {
  pollIntervalSec: 300,
  settleMs: 300,
  renameWindowMs: 500,
  maxDiffBytes: 256 * 1024,
  digestWindowSec: 60,
} as const;

const TOP_KEYS = [
  "poll_interval",
  "settle_ms",
  "rename_window_ms",
  "watcher",
  "events",
  "database",
  "directories",
];
const DIR_KEYS = [
  "path",
  "project",
  "username",
  "include",
  "exclude",
  "important",
  "compute_checksum",
  "emit_on_start",
  "poll_interval",
  "max_diff_bytes",
  "notify",
  "network",
  "digest_window",
  "watcher",
  "events",
];

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function checkKeys(obj: Json, allowed: string[], at: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      throw new WatchConfigError(
        `${at}${at ? "." : ""}${key}`,
        `unknown setting (expected one of ${allowed.join(", ")})`,
      );
    }
  }
}

function positiveNumber(v: unknown, field: string, fallback: number, max = 86_400 * 365): number {
  if (v === undefined) return fallback;
  if (typeof v !== "number" || !Number.isFinite(v) || v <= 0 || v > max) {
    throw new WatchConfigError(
      field,
      `expected a number greater than 0 and at most ${max}, got ${JSON.stringify(v)}`,
    );
  }
  return v;
}

function wholeNumber(v: unknown, field: string, fallback: number, max: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0 || v > max) {
    throw new WatchConfigError(field, `expected a whole number from 0 to ${max}, got ${JSON.stringify(v)}`);
  }
  return v;
}

function boolean(v: unknown, field: string, fallback: boolean): boolean {
  if (v === undefined) return fallback;
  if (typeof v !== "boolean")
    throw new WatchConfigError(field, `expected true or false, got ${JSON.stringify(v)}`);
  return v;
}

function text(v: unknown, field: string): string {
  if (typeof v !== "string" || v.trim() === "") {
    throw new WatchConfigError(field, `expected a non-empty string, got ${JSON.stringify(v)}`);
  }
  return v;
}

function patterns(v: unknown, field: string, fallback: string[]): string[] {
  if (v === undefined) return fallback;
  if (!Array.isArray(v))
    throw new WatchConfigError(field, `expected a list of fnmatch patterns, got ${JSON.stringify(v)}`);
  return v.map((p, i) => {
    if (typeof p !== "string" || p === "") {
      throw new WatchConfigError(
        `${field}[${i}]`,
        `expected a non-empty fnmatch pattern string, got ${JSON.stringify(p)}`,
      );
    }
    return p;
  });
}

function watcherKind(v: unknown, field: string, fallback: WatcherKind): WatcherKind {
  if (v === undefined) return fallback;
  if (WATCHER_KINDS.includes(v as WatcherKind)) return v as WatcherKind;
  throw new WatchConfigError(field, `expected "chokidar" or "fs-watch", got ${JSON.stringify(v)}`);
}

function changeTypes(v: unknown, field: string, fallback: ChangeType[]): ChangeType[] {
  if (v === undefined) return fallback;
  const expected = CHANGE_TYPES.map((t) => `"${t}"`).join(", ");
  if (!Array.isArray(v) || v.length === 0) {
    throw new WatchConfigError(field, `expected a non-empty list of ${expected}, got ${JSON.stringify(v)}`);
  }
  v.forEach((t, i) => {
    if (!CHANGE_TYPES.includes(t)) {
      throw new WatchConfigError(`${field}[${i}]`, `expected one of ${expected}, got ${JSON.stringify(t)}`);
    }
  });
  return CHANGE_TYPES.filter((t) => v.includes(t));
}

/** What a folder inherits from the top level unless it says otherwise. */
interface Inherited {
  pollIntervalSec: number;
  watcher: WatcherKind;
  events: ChangeType[];
}

function parseDirectory(raw: unknown, at: string, baseDir: string, inherited: Inherited): RootConfig {
  if (!isObject(raw)) throw new WatchConfigError(at, `expected an object, got ${JSON.stringify(raw)}`);
  checkKeys(raw, DIR_KEYS, at);
  const rawPath = text(raw.path, `${at}.path`);
  if (rawPath.includes("\0")) throw new WatchConfigError(`${at}.path`, "must not contain a NUL character");
  const abs = path.resolve(baseDir, rawPath);
  const notify = raw.notify ?? "none";
  if (notify !== "none" && notify !== "deletions" && notify !== "all") {
    throw new WatchConfigError(
      `${at}.notify`,
      `expected "none", "deletions" or "all", got ${JSON.stringify(notify)}`,
    );
  }
  const username =
    raw.username === undefined || raw.username === null ? null : text(raw.username, `${at}.username`);
  return {
    path: abs,
    project: raw.project === undefined ? path.basename(abs) || abs : text(raw.project, `${at}.project`),
    username,
    include: patterns(raw.include, `${at}.include`, ["*"]),
    exclude: patterns(raw.exclude, `${at}.exclude`, []),
    important: patterns(raw.important, `${at}.important`, []),
    computeChecksum: boolean(raw.compute_checksum, `${at}.compute_checksum`, false),
    emitOnStart: boolean(raw.emit_on_start, `${at}.emit_on_start`, false),
    pollIntervalMs: Math.round(
      positiveNumber(raw.poll_interval, `${at}.poll_interval`, inherited.pollIntervalSec) * 1000,
    ),
    maxDiffBytes: wholeNumber(
      raw.max_diff_bytes,
      `${at}.max_diff_bytes`,
      WATCH_DEFAULTS.maxDiffBytes,
      64 * 1024 * 1024,
    ),
    notify,
    network: boolean(raw.network, `${at}.network`, false),
    digestWindowMs: Math.round(
      positiveNumber(raw.digest_window, `${at}.digest_window`, WATCH_DEFAULTS.digestWindowSec, 86_400) * 1000,
    ),
    watcher: watcherKind(raw.watcher, `${at}.watcher`, inherited.watcher),
    events: changeTypes(raw.events, `${at}.events`, inherited.events),
  };
}

function inside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

/**
 * Parses the text of a watch-config file. `baseDir` is the folder relative `path`s are resolved
 * against (the config file's folder). Throws `WatchConfigError` naming the field on any problem.
 */
export function parseWatchConfig(source: string, baseDir: string): WatchConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(source);
  } catch (err) {
    throw new WatchConfigError("", `not valid JSON: ${(err as Error).message}`);
  }
  if (!isObject(raw)) throw new WatchConfigError("", "expected a JSON object with a `directories` list");
  checkKeys(raw, TOP_KEYS, "");
  const pollIntervalSec = positiveNumber(raw.poll_interval, "poll_interval", WATCH_DEFAULTS.pollIntervalSec);
  if (!Array.isArray(raw.directories)) {
    throw new WatchConfigError(
      "directories",
      `expected a list of folders to watch, got ${JSON.stringify(raw.directories)}`,
    );
  }
  const inherited = {
    pollIntervalSec,
    watcher: watcherKind(raw.watcher, "watcher", "chokidar"),
    events: changeTypes(raw.events, "events", [...CHANGE_TYPES]),
  };
  const directories = raw.directories.map((d, i) =>
    parseDirectory(d, `directories[${i}]`, baseDir, inherited),
  );
  directories.forEach((d, i) => {
    directories.forEach((other, j) => {
      if (j < i && inside(other.path, d.path)) {
        throw new WatchConfigError(
          `directories[${i}].path`,
          `is the same as or inside directories[${j}].path (${other.path})`,
        );
      }
      if (j < i && inside(d.path, other.path)) {
        throw new WatchConfigError(
          `directories[${i}].path`,
          `contains directories[${j}].path (${other.path})`,
        );
      }
    });
  });
  return {
    settleMs: wholeNumber(raw.settle_ms, "settle_ms", WATCH_DEFAULTS.settleMs, 60_000),
    renameWindowMs: wholeNumber(
      raw.rename_window_ms,
      "rename_window_ms",
      WATCH_DEFAULTS.renameWindowMs,
      60_000,
    ),
    directories,
    crmDatabase: crmDatabase(raw.database, baseDir),
  };
}

function crmDatabase(v: unknown, baseDir: string): string | null {
  if (v === undefined || v === null) return null;
  if (!isObject(v))
    throw new WatchConfigError("database", `expected {"path": "…"}, got ${JSON.stringify(v)}`);
  checkKeys(v, ["path"], "database");
  if (v.path === undefined || v.path === null) return null;
  if (typeof v.path !== "string" || v.path.trim() === "") {
    throw new WatchConfigError("database.path", `expected a file path, got ${JSON.stringify(v.path)}`);
  }
  return path.resolve(baseDir, v.path);
}
