/**
 * The chat list (`/ui/chats`, `/api/chats`) and a chat's transcript (`/ui/chats/<chatId>`,
 * `/api/chats/<chatId>`). Other pages link to a message as `/ui/chats/<chatId>?around=<messageId>`.
 */
import { Hono } from "hono";
import { type ChatListQuery, parseChatListQuery } from "./chat-list-query.ts";
import { chatsPage } from "./chats-page.ts";
import { FilterError } from "./event-query.ts";
import type { PageDeps } from "./page-deps.ts";
import { MAX_MESSAGE_ID, onlyKnown, single, wholeNumber } from "./query-params.ts";
import { transcriptPage } from "./transcript-page.ts";
import {
  MAX_MESSAGES_PER_PAGE,
  MESSAGES_PER_PAGE,
  type TranscriptAnchor,
  type TranscriptQuery,
} from "./transcript-query.ts";

export const TRANSCRIPT_PARAMETERS = ["before", "after", "around", "date", "limit"] as const;

const DAY_MS = 86_400_000;

/** The chat id in the path; throws `FilterError` naming `chatId` when it is not one. */
export function parseChatId(text: string): number {
  const id = Number(text);
  if (!/^-?\d{1,16}$/.test(text) || !Number.isSafeInteger(id) || id === 0)
    throw new FilterError("chatId", `"${text.slice(0, 40)}" is not a chat id`);
  return id;
}

/** `params` as a transcript query; at most one of before, after, around and date. */
export function parseTranscriptQuery(chatId: number, params: URLSearchParams): TranscriptQuery {
  onlyKnown(params, TRANSCRIPT_PARAMETERS);
  const limit = wholeNumber(params, "limit", 1, MAX_MESSAGES_PER_PAGE) ?? MESSAGES_PER_PAGE;
  const given = (["before", "after", "around", "date"] as const).filter((n) => single(params, n) !== null);
  if (given.length > 1) throw new FilterError(given[1]!, `cannot be given with ${given[0]}`);
  let anchor: TranscriptAnchor = { kind: "latest" };
  for (const kind of ["before", "after", "around"] as const) {
    const messageId = wholeNumber(params, kind, 0, MAX_MESSAGE_ID);
    if (messageId !== null) anchor = { kind, messageId };
  }
  const date = single(params, "date");
  if (date !== null) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
    const at = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : Number.NaN;
    if (!m || Number.isNaN(at) || new Date(at).toISOString().slice(0, 10) !== date)
      throw new FilterError("date", "expected a day as YYYY-MM-DD");
    anchor = { kind: "date", at: Math.floor(at / DAY_MS) * DAY_MS };
  }
  return { chatId, anchor, limit };
}

export function chatsRoutes({ reads }: PageDeps): Hono {
  const app = new Hono();
  app.get("/api/chats", async (c) => {
    let query: ChatListQuery;
    try {
      query = parseChatListQuery(new URL(c.req.url).searchParams);
    } catch (err) {
      if (err instanceof FilterError) return c.json({ error: err.message, parameter: err.parameter }, 400);
      throw err;
    }
    const p = await reads.run("chatList", query);
    return c.json({ chats: p.chats, total: p.total, next: p.next });
  });
  app.get("/ui/chats", async (c) => {
    const params = new URL(c.req.url).searchParams;
    let query: ChatListQuery;
    try {
      query = parseChatListQuery(params);
    } catch (err) {
      if (!(err instanceof FilterError)) throw err;
      return c.html(chatsPage({ params, page: null, problem: err.message }), 400);
    }
    return c.html(chatsPage({ params, page: await reads.run("chatList", query), problem: null }));
  });
  app.get("/api/chats/:chatId", async (c) => {
    let query: TranscriptQuery;
    try {
      query = parseTranscriptQuery(parseChatId(c.req.param("chatId")), new URL(c.req.url).searchParams);
    } catch (err) {
      if (err instanceof FilterError) return c.json({ error: err.message, parameter: err.parameter }, 400);
      throw err;
    }
    const p = await reads.run("chatTranscript", query);
    if (p.chat === null) return c.json({ error: "no such chat" }, 404);
    return c.json(p);
  });
  app.get("/ui/chats/:chatId", async (c) => {
    const params = new URL(c.req.url).searchParams;
    const text = c.req.param("chatId");
    let chatId = 0;
    let query: TranscriptQuery;
    try {
      chatId = parseChatId(text);
      query = parseTranscriptQuery(chatId, params);
    } catch (err) {
      if (!(err instanceof FilterError)) throw err;
      return c.html(transcriptPage({ chatId, params, page: null, problem: err.message }), 400);
    }
    const p = await reads.run("chatTranscript", query);
    if (p.chat === null)
      return c.html(
        transcriptPage({ chatId, params, page: null, problem: "No messages of this chat are stored." }),
        404,
      );
    return c.html(transcriptPage({ chatId, params, page: p, problem: null }));
  });
  return app;
}
