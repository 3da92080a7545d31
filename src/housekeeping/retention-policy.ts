/**
 * Which rows are expired, as pure functions of the settings and the time.
 *
 * `PERSIST_TIME_IN_DAYS_{USER,GROUP,CHANNEL,BOT}` keep the Python logger's four kinds; our chat types
 * are finer, so: USER covers private chats and Saved Messages (`user`, `self`), GROUP covers basic
 * groups and supergroups (`group`, `supergroup`; Telethon called both groups), CHANNEL broadcast
 * channels, BOT chats with bots. 0 days means keep forever. Age is counted from the message's date.
 */

const DAY_MS = 86_400_000;

/** Retention in days per kind, as in `Config.retentionDays`. */
export interface RetentionDays {
  user: number;
  group: number;
  channel: number;
  bot: number;
}

/** Which stored chat types each setting governs. */
const CHAT_TYPES_OF: Readonly<Record<keyof RetentionDays, readonly string[]>> = {
  user: ["user", "self"],
  group: ["group", "supergroup"],
  channel: ["channel"],
  bot: ["bot"],
};

/** Messages of `chatTypes` dated before `cutoff` (ms) are expired. */
export interface MessageRule {
  kind: keyof RetentionDays;
  chatTypes: readonly string[];
  cutoff: number;
}

/** The rules in force at `now`; kinds kept forever have none. */
export function messageRules(days: RetentionDays, now: number): MessageRule[] {
  return (Object.keys(CHAT_TYPES_OF) as Array<keyof RetentionDays>)
    .filter((kind) => days[kind] > 0)
    .map((kind) => ({ kind, chatTypes: CHAT_TYPES_OF[kind], cutoff: now - days[kind] * DAY_MS }));
}

/** Events that occurred before the returned time (ms) are expired; null when kept forever. */
export function eventsCutoff(retentionDays: number, now: number): number | null {
  return retentionDays > 0 ? now - retentionDays * DAY_MS : null;
}
