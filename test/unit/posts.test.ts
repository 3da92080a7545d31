import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { StoredMessage as MessageRow } from "../../src/model/message.ts";
import type { StoredPeer as PeerRow } from "../../src/model/peer.ts";
import { deletedMessagePost, foldedMediaPost } from "../../src/posts/deleted.ts";
import { editedMessagePost } from "../../src/posts/edited.ts";
import {
  foldedDeletionsCaption,
  foldedDeletionsListing,
  MEDIA_FOLLOWS_NOTE,
} from "../../src/posts/folded-burst.ts";
import { messageLink } from "../../src/posts/links.ts";
import { isLogPost } from "../../src/posts/marks.ts";
import { wordDiff } from "../../src/posts/word-diff.ts";

function row(over: Partial<MessageRow> = {}): MessageRow {
  return {
    id: 1,
    chatId: -1001234567890,
    messageId: 42,
    chatType: "supergroup",
    senderId: 777,
    date: Date.UTC(2026, 10, 22, 4, 20, 11),
    editDate: null,
    text: "hello **world**",
    entities: JSON.stringify([{ _: "MessageEntityBold", offset: 6, length: 9 }]),
    media: null,
    groupedId: null,
    replyToMessageId: null,
    forward: null,
    outgoing: false,
    noforwards: false,
    selfDestructing: false,
    ttlPeriod: null,
    deletedAt: null,
    deletionKind: null,
    revisionCount: 0,
    recordedAt: 0,
    ...over,
  };
}

const alice: PeerRow = {
  peerId: 777,
  type: "user",
  accessHash: "-5",
  username: "alice",
  name: "Alice",
  isSelf: false,
  noforwards: false,
  updatedAt: 0,
};
const group: PeerRow = {
  ...alice,
  peerId: -1001234567890,
  type: "supergroup",
  username: null,
  name: "Team",
  accessHash: "9",
};

describe("messageLink", () => {
  it("links channel posts publicly or by internal id, private chats by deep link", () => {
    assert.equal(messageLink(-1001234567890, 42, group), "https://t.me/c/1234567890/42");
    assert.equal(messageLink(-1001234567890, 42, { ...group, username: "team" }), "https://t.me/team/42");
    assert.equal(messageLink(777, 5, alice), "tg://openmessage?user_id=777&message_id=5");
    assert.equal(messageLink(-4321, 5, undefined), "tg://openmessage?chat_id=4321&message_id=5");
  });
});

describe("deletedMessagePost", () => {
  it("keeps the original text and formatting verbatim, after a header with mention and link", () => {
    const post = deletedMessagePost(row(), { chat: group, sender: alice }, "deleted", null);
    assert.ok(post.text.endsWith("hello **world**"), "markdown is not interpreted");
    const bold = post.entities.find(
      (e) => e._ === "MessageEntityBold" && post.text.slice(e.offset, e.offset + e.length) === "**world**",
    );
    assert.ok(bold, "the original bold entity is shifted onto the same characters");
    const mention = post.entities.find((e) => e._ === "InputMessageEntityMentionName");
    assert.equal(mention?.userId, "777");
    assert.equal(post.text.slice(mention!.offset, mention!.offset + mention!.length), "Alice");
    assert.ok(post.entities.some((e) => e.url === "https://t.me/c/1234567890/42"));
    assert.match(post.text, /2026-11-22 04:20:11 UTC/);
  });

  it("labels auto-delete timers and the owner's own messages", () => {
    assert.match(
      deletedMessagePost(row({ ttlPeriod: 86400 }), { chat: group, sender: alice }, "auto_delete", null).text,
      /auto-delete timer/,
    );
    assert.match(
      deletedMessagePost(row({ outgoing: true }), { chat: group, sender: alice }, "own", null).text,
      /Your own message/,
    );
  });
});

describe("editedMessagePost and wordDiff", () => {
  it("marks removed and added words and shows both versions", () => {
    const d = wordDiff("the quick fox", "the slow fox")!;
    assert.equal(d.text, "the [-quick-]{+slow+} fox");
    assert.deepEqual(
      d.entities.map((e) => [e._, d.text.slice(e.offset, e.offset + e.length)]),
      [
        ["MessageEntityStrike", "[-quick-]"],
        ["MessageEntityBold", "{+slow+}"],
      ],
    );
    const post = editedMessagePost(
      { text: "the quick fox", entities: null, media: undefined },
      row({ text: "the slow fox", entities: null }),
      { chat: group, sender: alice },
      1,
    );
    assert.match(post.text, /Before:\nthe quick fox/);
    assert.match(post.text, /After:\nthe slow fox/);
    assert.match(post.text, /\[-quick-\]\{\+slow\+\}/);
  });
});

describe("foldedDeletionsCaption", () => {
  it("fits the caption limit whatever the number and size of the messages", () => {
    const items = Array.from({ length: 1000 }, (_, i) => ({
      text: `message ${i} ${"x".repeat(3000)}`,
      chatName: `chat ${i % 30}`,
    }));
    const c = foldedDeletionsCaption(items, 5, "deleted.txt", 1024);
    assert.ok(c.text.length <= 1024, `caption is ${c.text.length} units`);
    assert.match(c.text, /1000 messages deleted/);
    assert.match(c.text, /deleted\.txt/);
  });

  it("says how many recovered files follow the folded post", () => {
    const items = [{ text: "a", chatName: "c" }];
    assert.match(foldedDeletionsCaption(items, 5, "d.txt", 1024, 3).text, /📎 3 recovered files follow\n/);
    assert.match(foldedDeletionsCaption(items, 5, "d.txt", 1024, 1).text, /📎 1 recovered file follows\n/);
    assert.doesNotMatch(foldedDeletionsCaption(items, 5, "d.txt", 1024).text, /recovered/);
  });
});

describe("foldedDeletionsListing", () => {
  it("says under each message whether its file follows or why it is missing", () => {
    const listing = foldedDeletionsListing(
      [
        { text: "with photo", chatName: "c", mediaNote: MEDIA_FOLLOWS_NOTE },
        { text: "too big", chatName: "c", mediaNote: "The file was not kept: 2.0 MiB is over the cap." },
        { text: "plain text", chatName: "c" },
      ],
      Date.UTC(2026, 0, 1),
    );
    const entries = listing.trimEnd().split("\n\n────────────────────────\n\n");
    assert.deepEqual(entries.slice(1), [
      `with photo\n\n📎 ${MEDIA_FOLLOWS_NOTE}`,
      "too big\n\n📎 The file was not kept: 2.0 MiB is over the cap.",
      "plain text",
    ]);
  });
});

describe("foldedMediaPost", () => {
  it("names the chat, sender, message (as a link) and date in one line, then the text with its formatting", () => {
    const post = foldedMediaPost(row({ deletionKind: "deleted" }), { chat: group, sender: alice });
    assert.equal(
      post.text,
      "🗑 Media of a deleted message\nTeam (supergroup) · from Alice @alice · message 42 · sent 2026-11-22 04:20:11 UTC\n\nhello **world**",
    );
    assert.ok(isLogPost(post.text), "recognised as the logger's own post");
    const link = post.entities.find((e) => e.url === "https://t.me/c/1234567890/42");
    assert.equal(post.text.slice(link!.offset, link!.offset + link!.length), "message 42");
    const bold = post.entities.find((e) => e._ === "MessageEntityBold" && e.offset > 20);
    assert.equal(post.text.slice(bold!.offset, bold!.offset + bold!.length), "**world**");
  });

  it("labels auto-deleted and own messages, and leaves out an empty text", () => {
    const peers = { chat: alice, sender: alice };
    const privateRow = { chatId: 777, chatType: "user", text: "", entities: null };
    const auto = foldedMediaPost(row({ ...privateRow, deletionKind: "auto_delete" }), peers);
    assert.equal(
      auto.text,
      "⏲ Media of a message removed by the auto-delete timer\nprivate chat with Alice @alice · message 42 · sent 2026-11-22 04:20:11 UTC",
    );
    assert.match(
      foldedMediaPost(row({ deletionKind: "own" }), peers).text,
      /^🗑 Media of your own deleted message/,
    );
  });
});
