import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findMessageLinks, parseMessageLink } from "../../src/saver/message-links.ts";

function parsed(s: string) {
  const l = parseMessageLink(s);
  if (!l) return undefined;
  const { raw: _, ...rest } = l;
  return rest;
}

describe("parseMessageLink", () => {
  const cases: Array<[string, ReturnType<typeof parsed>]> = [
    ["https://t.me/c/1234567890/55", { peer: { kind: "channel", channelId: 1234567890 }, messageId: 55 }],
    [
      "https://t.me/c/1234567890/7/55",
      { peer: { kind: "channel", channelId: 1234567890 }, messageId: 55, threadId: 7 },
    ],
    ["https://t.me/durov/123", { peer: { kind: "username", username: "durov" }, messageId: 123 }],
    [
      "https://t.me/somegroup/4/123",
      { peer: { kind: "username", username: "somegroup" }, messageId: 123, threadId: 4 },
    ],
    [
      "https://t.me/channelname/10?comment=99",
      { peer: { kind: "username", username: "channelname" }, messageId: 10, commentId: 99 },
    ],
    [
      "https://t.me/somegroup/123?thread=4",
      { peer: { kind: "username", username: "somegroup" }, messageId: 123, threadId: 4 },
    ],
    ["https://t.me/s/durov/123", { peer: { kind: "username", username: "durov" }, messageId: 123 }],
    ["t.me/durov/123", { peer: { kind: "username", username: "durov" }, messageId: 123 }],
    ["www.t.me/durov/123", { peer: { kind: "username", username: "durov" }, messageId: 123 }],
    ["http://telegram.me/durov/123", { peer: { kind: "username", username: "durov" }, messageId: 123 }],
    ["https://telegram.dog/c/99/1", { peer: { kind: "channel", channelId: 99 }, messageId: 1 }],
    [
      "https://t.me/c/1234567890/55?single",
      { peer: { kind: "channel", channelId: 1234567890 }, messageId: 55 },
    ],
    ["tg://openmessage?user_id=42&message_id=7", { peer: { kind: "user", userId: 42 }, messageId: 7 }],
    ["tg://openmessage?chat_id=3001&message_id=8", { peer: { kind: "chat", chatId: 3001 }, messageId: 8 }],
    [
      "tg://privatepost?channel=1234567890&post=55",
      { peer: { kind: "channel", channelId: 1234567890 }, messageId: 55 },
    ],
    [
      "tg://privatepost?channel=1234567890&post=55&thread=3",
      { peer: { kind: "channel", channelId: 1234567890 }, messageId: 55, threadId: 3 },
    ],
    ["tg://resolve?domain=durov&post=123", { peer: { kind: "username", username: "durov" }, messageId: 123 }],
    [
      "tg://resolve?domain=chan&post=10&comment=5",
      { peer: { kind: "username", username: "chan" }, messageId: 10, commentId: 5 },
    ],
    ["https://t.me/durov/123).", { peer: { kind: "username", username: "durov" }, messageId: 123 }],
    // Not message links.
    ["https://t.me/durov", undefined],
    ["https://t.me/joinchat/AAAAAEkk2WdoDrB4-Q8-gg", undefined],
    ["https://t.me/+AAAAAEkk2WdoDrB4", undefined],
    ["https://t.me/c/abc/12", undefined],
    ["https://t.me/c/123/0", undefined],
    ["https://example.com/durov/123", undefined],
    ["https://t.me.evil.com/durov/123", undefined],
    ["tg://resolve?domain=durov", undefined],
    ["tg://openmessage?message_id=5", undefined],
    ["https://t.me/ab/1", undefined],
    ["https://t.me/addstickers/123", undefined],
    ["https://t.me/durov/99999999999999999999", undefined],
  ];
  for (const [input, expected] of cases) {
    it(`${input} → ${expected ? JSON.stringify(expected) : "not a message link"}`, () => {
      assert.deepEqual(parsed(input), expected);
    });
  }
});

describe("findMessageLinks", () => {
  it("finds several links in one message, in order, once each", () => {
    const text =
      "save these: https://t.me/c/1/2 and t.me/durov/5, tg://privatepost?channel=1&post=2 again, junk https://t.me/durov";
    assert.deepEqual(
      findMessageLinks(text).map((l) => [l.peer, l.messageId]),
      [
        [{ kind: "channel", channelId: 1 }, 2],
        [{ kind: "username", username: "durov" }, 5],
      ],
    );
  });

  it("finds nothing in ordinary text", () => {
    assert.deepEqual(findMessageLinks("hello t.me fans, see me/123"), []);
  });
});
