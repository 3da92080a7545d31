/**
 * Catching up on updates missed while offline or lost in a gap. GramJS has no catch-up of its own
 * (its `catchUp()` is empty and it ignores `UpdatesTooLong` / `UpdateChannelTooLong`): whatever
 * happens while the service is down, or in a gap Telegram signals with a jump in `pts`, is lost
 * unless we ask for it. We keep the update state (`pts`, `date`, and a `pts`
 * per channel), and call `updates.GetDifference` / `updates.GetChannelDifference`:
 *
 * - at start, from the state saved by the previous run;
 * - when an update's `pts` shows a gap (after a short wait, since updates may arrive out of order);
 * - on `UpdatesTooLong` / `UpdateChannelTooLong`;
 * - every few minutes, which also keeps Telegram sending updates: a GramJS client's updates can
 *   otherwise stop silently after a while.
 *
 * What the difference returns is pushed through GramJS's own dispatch, so it takes the same path
 * as live updates; handlers are idempotent, so updates seen twice do no harm.
 */
import bigInt from "big-integer";
import type { Logger } from "pino";
import { Api, type TelegramClient } from "telegram";
import type { Clock } from "../clock.ts";
import { markChannel } from "../model/peer-id.ts";
import type { EventStore } from "../store/events.ts";
import type { KeyValueStore } from "../store/kv.ts";
import type { PeerStore } from "../store/peers.ts";
import type { TelegramRequests } from "./requests.ts";

/** The account-wide update state. */
export interface UpdateState {
  pts: number;
  qts: number;
  date: number;
  seq: number;
}

const STATE_KEY = "updates.state";
const CHANNEL_KEY = "updates.channels";
/** How often the update state is saved while updates flow. */
const PERSIST_EVERY_MS = 2000;
/** Pages of difference fetched per catch-up, so one pass always ends. */
const MAX_PAGES = 200;

/** Everything catch-up needs. `dispatch` hands a container to GramJS's `_handleUpdate`. */
export interface CatchUpDeps {
  client: TelegramClient;
  /** Every call to Telegram goes through it: a FloodWait delays catching up, it does not fail it. */
  requests: TelegramRequests;
  dispatch: (container: Api.TypeUpdates) => void;
  kv: KeyValueStore;
  peers: PeerStore;
  events: EventStore;
  clock: Clock;
  log: Logger;
  /** Period of the routine difference poll (0 turns it off). */
  pollMs: number;
  /** How long a gap may stay open (the missing updates may still arrive) before we fetch. */
  gapWaitMs: number;
  /**
   * A state to start from when none is saved yet (the Python logger's, when moving over), so
   * what arrived between the two is caught up instead of lost.
   */
  importedState?: () => ImportedUpdateState | null;
}

/** An update state from elsewhere: account-wide, and `pts` per channel (bare id). */
export interface ImportedUpdateState {
  state: UpdateState | null;
  channels: Map<number, number>;
}

/** The `pts` an update carries, and for channel updates the channel's bare id. */
function ptsOf(update: unknown): { pts: number; count: number; channelId: number | null } | undefined {
  const u = update as {
    pts?: unknown;
    ptsCount?: unknown;
    channelId?: { toJSNumber(): number };
    message?: { peerId?: unknown };
  };
  if (typeof u?.pts !== "number" || typeof u.ptsCount !== "number") return undefined;
  if (u.channelId) return { pts: u.pts, count: u.ptsCount, channelId: u.channelId.toJSNumber() };
  const peer = u.message?.peerId;
  if (peer instanceof Api.PeerChannel)
    return { pts: u.pts, count: u.ptsCount, channelId: peer.channelId.toJSNumber() };
  return { pts: u.pts, count: u.ptsCount, channelId: null };
}

/** Tracks update state and fetches what was missed. */
export class CatchUp {
  readonly #d: CatchUpDeps;
  #state: UpdateState | undefined;
  readonly #channels = new Map<number, number>();
  #dirty = false;
  #persistedAt = 0;
  #gapTimer: NodeJS.Timeout | undefined;
  #gapFired: Promise<void> = Promise.resolve();
  #pollTimer: NodeJS.Timeout | undefined;
  #running: Promise<void> = Promise.resolve();
  #stopped = false;
  readonly #channelGaps = new Set<number>();

  constructor(deps: CatchUpDeps) {
    this.#d = deps;
  }

  /** Loads the saved state and catches up from it (or, on a first run, takes Telegram's current state). */
  start(): void {
    const saved = this.#d.kv.get(STATE_KEY);
    if (saved) this.#state = JSON.parse(saved) as UpdateState;
    for (const [id, pts] of Object.entries(
      JSON.parse(this.#d.kv.get(CHANNEL_KEY) ?? "{}") as Record<string, number>,
    )) {
      this.#channels.set(Number(id), pts);
    }
    if (!saved) this.#startFromImported();
    this.#enqueue(async () => {
      if (!this.#state) {
        const s = await this.#d.requests.waitingOut("catching up", () =>
          this.#d.client.invoke(new Api.updates.GetState()),
        );
        this.#state = { pts: s.pts, qts: s.qts, date: s.date, seq: s.seq };
        this.#dirty = true;
        this.persist(true);
        return;
      }
      await this.#difference("start");
      for (const channelId of this.#channels.keys()) await this.#channelDifference(channelId, "start");
    });
    if (this.#d.pollMs > 0) {
      this.#pollTimer = setInterval(() => this.#enqueue(() => this.#difference("poll")), this.#d.pollMs);
      this.#pollTimer.unref();
    }
  }

  #startFromImported(): void {
    let imported: ImportedUpdateState | null = null;
    try {
      imported = this.#d.importedState?.() ?? null;
    } catch (err) {
      this.#d.log.warn({ reason: (err as Error).message }, "no update state imported");
    }
    if (!imported?.state) return;
    this.#state = imported.state;
    for (const [id, pts] of imported.channels) this.#channels.set(id, pts);
    this.#dirty = true;
    this.#d.log.info(
      { pts: imported.state.pts, channels: imported.channels.size },
      "catching up from the imported update state",
    );
  }

  /** Notes an update as handled, in order; opens a gap fetch when its `pts` skips ahead. */
  observe(update: unknown): void {
    if (update instanceof Api.UpdatesTooLong) {
      this.#enqueue(() => this.#difference("too long"));
      return;
    }
    if (update instanceof Api.UpdateChannelTooLong) {
      const channelId = update.channelId.toJSNumber();
      this.#enqueue(() => this.#channelDifference(channelId, "too long"));
      return;
    }
    const p = ptsOf(update);
    // Updates replayed from a difference carry no pts of their own (0).
    if (!p || p.pts <= 0) return;
    if (p.channelId !== null) {
      const local = this.#channels.get(p.channelId);
      if (local !== undefined && p.pts > local + p.count) this.#channelGaps.add(p.channelId);
      if (local === undefined || p.pts > local) this.#channels.set(p.channelId, p.pts);
    } else if (this.#state) {
      if (p.pts > this.#state.pts + p.count) this.#scheduleGap();
      if (p.pts > this.#state.pts) this.#state.pts = p.pts;
    } else return;
    this.#dirty = true;
    if (this.#channelGaps.size > 0) this.#scheduleGap();
  }

  /**
   * Saves the state (call inside the transaction of the updates observed so far). At most every
   * `PERSIST_EVERY_MS` unless `force`: replaying a few seconds of updates after a crash is harmless,
   * a write per batch is not free.
   */
  persist(force = false): void {
    if (!this.#dirty || !this.#state) return;
    const now = this.#d.clock.now();
    if (!force && now - this.#persistedAt < PERSIST_EVERY_MS) return;
    this.#persistedAt = now;
    this.#d.kv.set(STATE_KEY, JSON.stringify(this.#state), now);
    this.#d.kv.set(CHANNEL_KEY, JSON.stringify(Object.fromEntries(this.#channels)), now);
    this.#dirty = false;
  }

  /** Resolves when no catch-up is running or waiting to run for an open gap. */
  async idle(): Promise<void> {
    await this.#gapFired;
    await this.#running;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#gapTimer);
    this.#gapTimer = undefined;
    clearInterval(this.#pollTimer);
    this.#gapFired = Promise.resolve();
    await this.#running;
  }

  #scheduleGap(): void {
    if (this.#gapTimer) return;
    let fired!: () => void;
    this.#gapFired = new Promise((resolve) => {
      fired = resolve;
    });
    this.#gapTimer = setTimeout(() => {
      this.#gapTimer = undefined;
      fired();
      const channels = [...this.#channelGaps];
      this.#channelGaps.clear();
      this.#enqueue(async () => {
        await this.#difference("gap");
        for (const id of channels) await this.#channelDifference(id, "gap");
      });
    }, this.#d.gapWaitMs);
    this.#gapTimer.unref();
  }

  #enqueue(job: () => Promise<void>): void {
    this.#running = this.#running.then(async () => {
      if (this.#stopped) return;
      try {
        await job();
      } catch (err) {
        this.#d.log.warn({ err: (err as Error).message }, "catch-up failed; will retry on the next poll");
      }
    });
  }

  async #difference(reason: string): Promise<void> {
    if (!this.#state) return;
    let fetched = 0;
    for (let page = 0; page < MAX_PAGES; page++) {
      const s: UpdateState = this.#state;
      const diff: Api.updates.TypeDifference = await this.#d.requests.waitingOut("catching up", () =>
        this.#d.client.invoke(new Api.updates.GetDifference({ pts: s.pts, date: s.date, qts: s.qts })),
      );
      if (diff instanceof Api.updates.DifferenceEmpty) {
        this.#state = { ...s, date: diff.date, seq: diff.seq };
        break;
      }
      if (diff instanceof Api.updates.DifferenceTooLong) {
        this.#gapLost(`account updates after pts ${s.pts}`, { reason, pts: s.pts, newPts: diff.pts });
        this.#state = { ...s, pts: diff.pts };
        break;
      }
      const updates = [
        ...diff.newMessages.map(
          (message: Api.TypeMessage) => new Api.UpdateNewMessage({ message, pts: 0, ptsCount: 0 }),
        ),
        ...diff.otherUpdates,
      ];
      fetched += updates.length;
      this.#d.dispatch(
        new Api.Updates({ updates, users: diff.users, chats: diff.chats, date: s.date, seq: 0 }),
      );
      const next: Api.updates.State =
        diff instanceof Api.updates.DifferenceSlice ? diff.intermediateState : diff.state;
      this.#state = { pts: next.pts, qts: next.qts, date: next.date, seq: next.seq };
      if (diff instanceof Api.updates.Difference) break;
    }
    this.#dirty = true;
    if (fetched > 0) this.#d.log.info({ reason, updates: fetched }, "caught up on missed updates");
  }

  async #channelDifference(channelId: number, reason: string): Promise<void> {
    const pts = this.#channels.get(channelId);
    const peer = this.#d.peers.get(markChannel(channelId));
    if (pts === undefined || !peer?.accessHash) return;
    const channel = new Api.InputChannel({
      channelId: bigInt(channelId),
      accessHash: bigInt(peer.accessHash),
    });
    let current = pts;
    for (let page = 0; page < MAX_PAGES; page++) {
      const diff = await this.#d.requests.waitingOut("catching up", () =>
        this.#d.client.invoke(
          new Api.updates.GetChannelDifference({
            channel,
            filter: new Api.ChannelMessagesFilterEmpty(),
            pts: current,
            limit: 100,
          }),
        ),
      );
      if (diff instanceof Api.updates.ChannelDifferenceEmpty) {
        current = diff.pts;
        if (diff.final) break;
        continue;
      }
      if (diff instanceof Api.updates.ChannelDifferenceTooLong) {
        this.#gapLost(`channel ${channelId} updates after pts ${current}`, { reason, channelId });
        const dialog = diff.dialog;
        if (dialog instanceof Api.Dialog && dialog.pts) current = dialog.pts;
        break;
      }
      const updates = [
        ...diff.newMessages.map(
          (message) => new Api.UpdateNewChannelMessage({ message, pts: 0, ptsCount: 0 }),
        ),
        ...diff.otherUpdates,
      ];
      this.#d.dispatch(new Api.Updates({ updates, users: diff.users, chats: diff.chats, date: 0, seq: 0 }));
      current = diff.pts;
      if (diff.final) break;
    }
    this.#channels.set(channelId, current);
    this.#dirty = true;
  }

  /** Telegram says too much was missed to replay: recorded as a warning, never silently. */
  #gapLost(what: string, details: Record<string, unknown>): void {
    const now = this.#d.clock.now();
    this.#d.events.record(
      {
        source: "telegram",
        type: "updates.gap",
        status: "warning",
        occurredAt: now,
        details: { what, ...details },
      },
      now,
    );
    this.#d.log.warn({ what }, "Telegram could not replay every missed update; some may be lost");
  }
}
