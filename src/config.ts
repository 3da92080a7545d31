/**
 * The environment, validated once at start into one typed `Config`.
 *
 * Variable names follow the Python logger so its users can keep their `.env`. Every problem is
 * reported as a `ConfigError` naming the variable; the command prints it and exits 78
 * (EX_CONFIG), so systemd does not restart-loop on a configuration mistake. Values of secret
 * variables are never echoed back.
 */
import path from "node:path";
import { cleanEnv, EnvMissingError, str } from "envalid";
import { type NatsSettings, natsSecrets, natsSettings } from "./config/nats.ts";
import {
  bool,
  intIn,
  listenHost,
  logLevel,
  natsServers,
  nonNegativeNumber,
  reportKinds,
  secret,
  subjectToken,
  uiToken,
  urlPath,
} from "./config/values.ts";
import { type IgnoredIds, type LogChatTarget, parseIgnoredIds, parseLogChat } from "./model/peer-id.ts";
import type { ReportKind } from "./model/report-kind.ts";
import { timeZoneProblem } from "./model/time-zone.ts";
import { dataPathsOf, readUiTokenFile, uiTokenFileOf } from "./store/data-paths.ts";

/** Exit status for a configuration error (sysexits.h EX_CONFIG). */
export const EXIT_CONFIG = 78;

/** A configuration mistake the user can fix; `variable` names the culprit. */
export class ConfigError extends Error {
  readonly variable: string;
  constructor(variable: string, problem: string) {
    super(`${variable}: ${problem}`);
    this.name = "ConfigError";
    this.variable = variable;
  }
}

/** Telegram settings; absent when the service runs the file audit alone. */
export interface TelegramConfig {
  apiId: number;
  apiHash: string;
  logChat: LogChatTarget;
  /** Where the session string is kept (mode 0600). */
  sessionFile: string;
  /** The Python logger's Telethon session, imported when `sessionFile` does not exist yet. */
  telethonSessionFile: string;
}

/** How the log-chat feed sends. */
export interface FeedConfig {
  postsPerMinute: number;
  /** Deletions queued within this window are considered together for folding. */
  foldWindowMs: number;
  /** More deletions than this in one window are folded into one post with an attached listing. */
  maxDeletedInline: number;
  maxAttempts: number;
  saveEditedMessages: boolean;
}

/** Everything the service reads from its environment. */
export interface Config {
  dataRoot: string;
  dbFile: string;
  mediaDir: string;
  vaultDir: string;
  telegram: TelegramConfig | null;
  /**
   * Telegram-only variables that are set although Telegram capture is off (API_ID and API_HASH
   * unset, WATCH_CONFIG set): `.env.example` pre-fills some, and `src/app/start-app.ts` logs once
   * that they are ignored rather than refusing to start. Empty when Telegram capture is on.
   */
  ignoredTelegramSettings: string[];
  listenOutgoing: boolean;
  ignoredIds: IgnoredIds;
  /** How often to ask Telegram for missed updates (0: only at start and on gaps). */
  catchUpPollSecs: number;
  /** How long a pts gap may stay open before the difference is fetched. */
  catchUpGapWaitMs: number;
  feed: FeedConfig;
  media: {
    bufferAll: boolean;
    maxBufferFileSize: number;
    bufferTtlHours: number;
    encryptDeleted: boolean;
    deletedMediaKey: Buffer | null;
    /** Vault files older than this many days are purged; 0 keeps them forever. */
    deletedTtlDays: number;
  };
  retentionDays: { user: number; group: number; channel: number; bot: number };
  http: {
    host: string;
    /** 0 lets the system pick a free port (tests); the chosen port is logged. */
    port: number;
    healthPath: string;
    errorWindowSecs: number;
    housekeepingStaleSecs: number;
    /** Connected but no update for this long counts as a stall (0 = never). */
    updateStallSecs: number;
    /** A due post waiting this long with nothing sent (and no FloodWait) means the outbox is stuck. */
    outboxStuckSecs: number;
  };
  /** The retention loop (src/housekeeping). */
  housekeeping: {
    intervalSecs: number;
    /** `events` older than this are archived to `archiveDir` and deleted (0 = keep forever). */
    eventsRetentionDays: number;
    /** Log-chat posts delivered longer ago than this are removed from the outbox (0 = keep). */
    outboxRetentionDays: number;
    archiveDir: string;
    /** Archive files are removed this many days after the day they were written (0 = keep). */
    archiveRetentionDays: number;
    /** Reports posted to the log chat when their period ends (`REPORT_TO_LOG_CHAT`). */
    reportsToLogChat: ReportKind[];
  };
  watchConfigFile: string | null;
  logLevel: string;
  /** `UI_TOKEN`, the web UI's access token; null: the service keeps a random one in `DATA_ROOT/db/ui-token`. */
  uiToken: string | null;
  /** NATS_URL and its companions: the service records the remote agents' events (null: no agents). */
  nats: NatsSettings | null;
}

/** What `telegram-logger agent` reads: its watch config, its own small data folder, the broker. */
export interface AgentConfig {
  dataRoot: string;
  /** The agent's SQLite file: its snapshot and its outbox, nothing else. */
  dbFile: string;
  watchConfigFile: string;
  nats: NatsSettings;
  logLevel: string;
}

const SPECS = {
  API_ID: intIn(1, 2 ** 31 - 1)({ default: undefined }),
  API_HASH: secret({ default: undefined }),
  LOG_CHAT_ID: str({ default: undefined }),
  DATA_ROOT: str({ default: "./data" }),
  SESSION_FILE: str({ default: undefined }),
  TELETHON_SESSION_FILE: str({ default: undefined }),
  BUFFER_ALL_MEDIA: bool({ default: false }),
  MAX_BUFFER_FILE_SIZE: intIn(0, Number.MAX_SAFE_INTEGER)({ default: 209_715_200 }),
  MEDIA_BUFFER_TTL_HOURS: nonNegativeNumber({ default: 24 }),
  ENCRYPT_DELETED_MEDIA: bool({ default: false }),
  DELETED_MEDIA_KEY_B64: secret({ default: undefined }),
  DELETED_MEDIA_TTL_DAYS: nonNegativeNumber({ default: 0 }),
  MAX_DELETED_MESSAGES_PER_EVENT: intIn(1, 100)({ default: 5 }),
  SAVE_EDITED_MESSAGES: bool({ default: false }),
  LISTEN_OUTGOING_MESSAGES: bool({ default: true }),
  IGNORED_IDS: str({ default: "" }),
  PERSIST_TIME_IN_DAYS_USER: nonNegativeNumber({ default: 0 }),
  PERSIST_TIME_IN_DAYS_GROUP: nonNegativeNumber({ default: 0 }),
  PERSIST_TIME_IN_DAYS_CHANNEL: nonNegativeNumber({ default: 0 }),
  PERSIST_TIME_IN_DAYS_BOT: nonNegativeNumber({ default: 0 }),
  FEED_POSTS_PER_MINUTE: intIn(1, 6000)({ default: 20 }),
  FEED_FOLD_WINDOW_MS: intIn(0, 60_000)({ default: 1500 }),
  FEED_MAX_ATTEMPTS: intIn(1, 100)({ default: 8 }),
  CATCH_UP_POLL_SECS: intIn(0, 86_400)({ default: 300 }),
  CATCH_UP_GAP_WAIT_MS: intIn(0, 60_000)({ default: 500 }),
  HTTP_HOST: listenHost({ default: "127.0.0.1" }),
  HEALTH_PORT: intIn(0, 65535)({ default: 8080 }),
  HEALTH_PATH: urlPath({ default: "/health" }),
  UI_TOKEN: uiToken({ default: undefined }),
  HEALTH_ERROR_WINDOW_SECS: intIn(0, 10 ** 9)({ default: 300 }),
  HEALTH_HOUSEKEEPING_STALE_SECS: intIn(1, 10 ** 9)({ default: 900 }),
  HEALTH_UPDATE_STALL_SECS: intIn(0, 10 ** 9)({ default: 21_600 }),
  HEALTH_OUTBOX_STUCK_SECS: intIn(1, 10 ** 9)({ default: 900 }),
  HOUSEKEEPING_INTERVAL_SECS: intIn(1, 86_400)({ default: 300 }),
  EVENTS_RETENTION_DAYS: nonNegativeNumber({ default: 90 }),
  OUTBOX_RETENTION_DAYS: nonNegativeNumber({ default: 30 }),
  ARCHIVE_RETENTION_DAYS: nonNegativeNumber({ default: 0 }),
  REPORT_TO_LOG_CHAT: reportKinds({ default: [] }),
  WATCH_CONFIG: str({ default: undefined }),
  LOG_LEVEL: logLevel({ default: "info" }),
  DEBUG_MODE: bool({ default: false }),
  NATS_URL: natsServers({ default: undefined }),
  AGENT_ID: subjectToken({ default: undefined }),
  NATS_CREDS: str({ default: undefined }),
  NATS_USER: str({ default: undefined }),
  NATS_PASSWORD: secret({ default: undefined }),
  NATS_TOKEN: secret({ default: undefined }),
  NATS_CA: str({ default: undefined }),
  NATS_CERT: str({ default: undefined }),
  NATS_KEY: str({ default: undefined }),
};

/** Variables whose values must never appear in an error message. */
const SECRET_VARIABLES = new Set([
  "API_HASH",
  "DELETED_MEDIA_KEY_B64",
  "UI_TOKEN",
  "NATS_PASSWORD",
  "NATS_TOKEN",
]);

/**
 * Variables naming a login: any one of them set means Telegram capture is wanted, so the others it
 * needs become required. LOG_CHAT_ID is not one: `.env.example` pre-fills it with `me`.
 */
const TELEGRAM_SWITCHES = ["API_ID", "API_HASH", "SESSION_FILE", "TELETHON_SESSION_FILE"] as const;

/** Variables only Telegram capture reads; set without credentials they are reported as ignored. */
const TELEGRAM_ONLY = [
  "LOG_CHAT_ID",
  "LISTEN_OUTGOING_MESSAGES",
  "SAVE_EDITED_MESSAGES",
  "IGNORED_IDS",
  "CATCH_UP_POLL_SECS",
  "CATCH_UP_GAP_WAIT_MS",
  "MAX_DELETED_MESSAGES_PER_EVENT",
  "BUFFER_ALL_MEDIA",
  "MAX_BUFFER_FILE_SIZE",
  "MEDIA_BUFFER_TTL_HOURS",
  "ENCRYPT_DELETED_MEDIA",
  "REPORT_TO_LOG_CHAT",
] as const;

/** Names of every variable the service reads, for docs and `.env.example` checks. */
export const CONFIG_VARIABLES = Object.keys(SPECS);

function validate(env: Record<string, string | undefined>) {
  // An empty value means "not set", as in the Python logger's .env files.
  const present: Record<string, string> = {};
  for (const [k, v] of Object.entries(env))
    if (k in SPECS && v !== undefined && v.trim() !== "") present[k] = v;
  return cleanEnv(present, SPECS, {
    reporter: ({ errors }) => {
      const first = Object.entries(errors)[0];
      if (!first) return;
      const [variable, error] = first as [string, Error];
      if (error instanceof EnvMissingError) throw new ConfigError(variable, "is required but not set");
      // UI_TOKEN's one message never quotes the value.
      const quiet = SECRET_VARIABLES.has(variable) && variable !== "UI_TOKEN";
      const problem = quiet ? "is not valid" : error.message;
      throw new ConfigError(variable, problem);
    },
  });
}

function decodeKey(b64: string | undefined): Buffer | null {
  if (b64 === undefined) return null;
  const normalized = b64.replace(/-/g, "+").replace(/_/g, "/");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(normalized)) {
    throw new ConfigError("DELETED_MEDIA_KEY_B64", "is not base64 (expected the base64 of 32 random bytes)");
  }
  const key = Buffer.from(normalized, "base64");
  if (key.length !== 32) {
    throw new ConfigError(
      "DELETED_MEDIA_KEY_B64",
      `decodes to ${key.length} bytes; AES-256 needs exactly 32`,
    );
  }
  return key;
}

/**
 * Reads and validates the environment. Takes the environment as an object so tests never touch
 * `process.env`. Throws `ConfigError` on the first problem found.
 *
 * Telegram capture is on when API_ID, API_HASH or a session file is set, and then needs all three
 * of API_ID, API_HASH and LOG_CHAT_ID. Without them and with WATCH_CONFIG the file audit runs alone,
 * and with NATS_URL the service records the remote agents' events (alone, when neither of the other
 * two is there); without any there is nothing to run, and the missing API_ID is named.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const e = validate(env);
  const dataRoot = path.resolve(e.DATA_ROOT);
  const watchConfigFile = e.WATCH_CONFIG ? path.resolve(e.WATCH_CONFIG) : null;
  const nats = natsSettings(e, (variable, problem) => new ConfigError(variable, problem));

  const isSet = (name: string) => (env[name]?.trim() ?? "") !== "";
  const telegramWanted = TELEGRAM_SWITCHES.some(isSet);
  let telegram: TelegramConfig | null = null;
  if (telegramWanted || (!watchConfigFile && !nats)) {
    if (e.API_ID === undefined)
      throw new ConfigError("API_ID", "is required but not set (get it at my.telegram.org)");
    if (e.API_HASH === undefined) throw new ConfigError("API_HASH", "is required but not set");
    if (e.LOG_CHAT_ID === undefined)
      throw new ConfigError("LOG_CHAT_ID", "is required but not set (a chat id or `me`)");
    telegram = {
      apiId: e.API_ID,
      apiHash: e.API_HASH,
      logChat: parseLogChat(e.LOG_CHAT_ID, (problem) => new ConfigError("LOG_CHAT_ID", problem)),
      sessionFile: path.resolve(e.SESSION_FILE ?? path.join(dataRoot, "db", "telegram.session")),
      telethonSessionFile: path.resolve(e.TELETHON_SESSION_FILE ?? path.join(dataRoot, "db", "user.session")),
    };
  }

  const deletedMediaKey = decodeKey(e.DELETED_MEDIA_KEY_B64);
  if (e.ENCRYPT_DELETED_MEDIA && !deletedMediaKey) {
    throw new ConfigError(
      "DELETED_MEDIA_KEY_B64",
      "is required when ENCRYPT_DELETED_MEDIA=true (generate one: openssl rand -base64 32)",
    );
  }

  const paths = dataPathsOf(dataRoot);
  return {
    dataRoot,
    dbFile: paths.dbFile,
    mediaDir: paths.mediaDir,
    vaultDir: paths.vaultDir,
    telegram,
    ignoredTelegramSettings: telegram ? [] : TELEGRAM_ONLY.filter(isSet),
    listenOutgoing: e.LISTEN_OUTGOING_MESSAGES,
    catchUpPollSecs: e.CATCH_UP_POLL_SECS,
    catchUpGapWaitMs: e.CATCH_UP_GAP_WAIT_MS,
    ignoredIds: parseIgnoredIds(e.IGNORED_IDS, (problem) => new ConfigError("IGNORED_IDS", problem)),
    feed: {
      postsPerMinute: e.FEED_POSTS_PER_MINUTE,
      foldWindowMs: e.FEED_FOLD_WINDOW_MS,
      maxDeletedInline: e.MAX_DELETED_MESSAGES_PER_EVENT,
      maxAttempts: e.FEED_MAX_ATTEMPTS,
      saveEditedMessages: e.SAVE_EDITED_MESSAGES,
    },
    media: {
      bufferAll: e.BUFFER_ALL_MEDIA,
      maxBufferFileSize: e.MAX_BUFFER_FILE_SIZE,
      bufferTtlHours: e.MEDIA_BUFFER_TTL_HOURS,
      encryptDeleted: e.ENCRYPT_DELETED_MEDIA,
      deletedMediaKey,
      deletedTtlDays: e.DELETED_MEDIA_TTL_DAYS,
    },
    retentionDays: {
      user: e.PERSIST_TIME_IN_DAYS_USER,
      group: e.PERSIST_TIME_IN_DAYS_GROUP,
      channel: e.PERSIST_TIME_IN_DAYS_CHANNEL,
      bot: e.PERSIST_TIME_IN_DAYS_BOT,
    },
    http: {
      host: e.HTTP_HOST,
      port: e.HEALTH_PORT,
      healthPath: e.HEALTH_PATH,
      errorWindowSecs: e.HEALTH_ERROR_WINDOW_SECS,
      housekeepingStaleSecs: e.HEALTH_HOUSEKEEPING_STALE_SECS,
      updateStallSecs: e.HEALTH_UPDATE_STALL_SECS,
      outboxStuckSecs: e.HEALTH_OUTBOX_STUCK_SECS,
    },
    housekeeping: {
      intervalSecs: e.HOUSEKEEPING_INTERVAL_SECS,
      eventsRetentionDays: e.EVENTS_RETENTION_DAYS,
      outboxRetentionDays: e.OUTBOX_RETENTION_DAYS,
      archiveDir: paths.archiveDir,
      archiveRetentionDays: e.ARCHIVE_RETENTION_DAYS,
      reportsToLogChat: reportsToLogChat(e.REPORT_TO_LOG_CHAT, env.TZ),
    },
    watchConfigFile,
    logLevel: e.DEBUG_MODE ? "debug" : e.LOG_LEVEL,
    uiToken: e.UI_TOKEN ?? null,
    nats,
  };
}

/**
 * Reads and validates the environment of `telegram-logger agent`: NATS_URL and WATCH_CONFIG (or
 * `--config`, which the caller puts there) are required; Telegram settings play no part.
 */
export function loadAgentConfig(env: Record<string, string | undefined>): AgentConfig {
  const e = validate(env);
  const nats = natsSettings(e, (variable, problem) => new ConfigError(variable, problem));
  if (nats === null) throw new ConfigError("NATS_URL", "is required but not set (the agent publishes to it)");
  if (!e.WATCH_CONFIG)
    throw new ConfigError("WATCH_CONFIG", "is required but not set (the folders to watch)");
  const dataRoot = path.resolve(e.DATA_ROOT);
  return {
    dataRoot,
    dbFile: dataPathsOf(dataRoot).dbFile,
    watchConfigFile: path.resolve(e.WATCH_CONFIG),
    nats,
    logLevel: e.DEBUG_MODE ? "debug" : e.LOG_LEVEL,
  };
}

/** The reports to post, once `TZ` is known to cut their days right. */
function reportsToLogChat(kinds: ReportKind[], tz: string | undefined): ReportKind[] {
  const zone = kinds.length > 0 ? timeZoneProblem(tz) : null;
  if (zone !== null) throw new ConfigError("TZ", zone.replace(/^TZ: /, ""));
  return kinds;
}

/** Values the agent must never show: the NATS password or token. */
export function agentSecretValues(config: AgentConfig): string[] {
  return natsSecrets(config.nats);
}

/** Values that must never appear in logs, health output or errors (API hash, vault key, UI token, NATS password or token). */
export function secretValues(config: Config): string[] {
  const out: string[] = [];
  const uiToken = config.uiToken ?? generatedUiToken(config.dbFile);
  if (uiToken !== null) out.push(uiToken);
  if (config.telegram) out.push(config.telegram.apiHash);
  if (config.media.deletedMediaKey) out.push(config.media.deletedMediaKey.toString("base64"));
  out.push(...natsSecrets(config.nats));
  return out;
}

/** Generated web UI tokens already read, by token file: the file never changes once written. */
const generatedTokens = new Map<string, string>();

/**
 * The web UI's token the service generated into `DATA_ROOT/db/ui-token` (when `UI_TOKEN` is unset),
 * or null before the first start creates it. Read once, then remembered.
 */
function generatedUiToken(dbFile: string): string | null {
  const file = uiTokenFileOf(dbFile);
  const known = generatedTokens.get(file);
  if (known !== undefined) return known;
  const token = readUiTokenFile(file);
  if (token !== null) generatedTokens.set(file, token);
  return token;
}
