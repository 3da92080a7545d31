/**
 * Whether the Telegram session is still connected and authorized, for /health. Connection state is
 * read from the client (no network); authorization is asked of Telegram once a minute in the
 * background (`updates.GetState`, the call GramJS's own `checkAuthorization` uses) and cached, so a
 * health probe never waits on the network. Only an "unauthorized" answer (HTTP-like code 401:
 * AUTH_KEY_UNREGISTERED, SESSION_REVOKED, ...) counts as logged out; a network failure does not.
 */
import type { Logger } from "pino";
import { Api, type TelegramClient } from "telegram";
import type { TelegramRequests } from "./requests.ts";

/** How often authorization is checked. */
export const AUTH_PROBE_INTERVAL_MS = 60_000;
const PROBE_TIMEOUT_MS = 15_000;
const SAMPLE_INTERVAL_MS = 5_000;

/** Connection and authorization of the running client. */
export class TelegramStatusProbe {
  readonly #client: TelegramClient;
  readonly #requests: TelegramRequests;
  readonly #log: Logger;
  #authorized: boolean | null = true;
  #timer: NodeJS.Timeout | undefined;
  #tick: NodeJS.Timeout | undefined;
  #inFlight = false;
  #badSince: number | null = null;
  readonly #now: () => number;

  /** `client` was authorized when capture started (connectAuthorized or a login checked it). */
  constructor(client: TelegramClient, requests: TelegramRequests, log: Logger, now: () => number) {
    this.#client = client;
    this.#requests = requests;
    this.#log = log;
    this.#now = now;
  }

  /**
   * Since when the client has been disconnected or unauthorized (null when fine). Sampled every few
   * seconds, so a health probe after a long quiet spell still sees how long it has been down.
   */
  get badSince(): number | null {
    this.#sample();
    return this.#badSince;
  }

  #sample(): void {
    if (this.connected && this.#authorized !== false) this.#badSince = null;
    else this.#badSince ??= this.#now();
  }

  /** Whether the client has a live connection now. */
  get connected(): boolean {
    return Boolean(this.#client.connected);
  }

  /** The last authorization answer (true at start; null when the last probe could not tell). */
  get authorized(): boolean | null {
    return this.#authorized;
  }

  /** Starts the periodic probe. */
  start(): void {
    this.#timer ??= setInterval(() => void this.probe(), AUTH_PROBE_INTERVAL_MS);
    this.#timer.unref();
    this.#tick ??= setInterval(() => this.#sample(), SAMPLE_INTERVAL_MS);
    this.#tick.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    clearInterval(this.#tick);
    this.#timer = undefined;
    this.#tick = undefined;
  }

  /** Asks Telegram once; keeps the last answer when it cannot tell. */
  async probe(): Promise<void> {
    if (this.#inFlight || !this.connected) return;
    this.#inFlight = true;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        // A FloodWait is no answer about the session: the probe only notes that it could not tell.
        this.#requests.passingOn(() => this.#client.invoke(new Api.updates.GetState())),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error("authorization probe timed out")), PROBE_TIMEOUT_MS);
        }),
      ]);
      this.#authorized = true;
    } catch (err) {
      const e = err as { code?: number; errorMessage?: string };
      if (e.code === 401) {
        if (this.#authorized !== false)
          this.#log.error({ reason: e.errorMessage }, "Telegram session is no longer authorized");
        this.#authorized = false;
        this.#sample();
      } else {
        this.#log.debug({ err }, "authorization probe could not tell");
      }
    } finally {
      clearTimeout(timer);
      this.#inFlight = false;
    }
  }
}
