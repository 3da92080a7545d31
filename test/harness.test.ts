/**
 * Proves the offline Telegram harness (test/support) behaves like Telegram towards a real GramJS
 * client: answers parse, sends are recorded and de-duplicated, errors arrive as the library's own
 * classes, uploads and downloads move real bytes, pushed updates reach handlers.
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { afterEach, test } from "node:test";
import bigInt from "big-integer";
import { Api, errors } from "telegram";
import { CustomFile } from "telegram/client/uploads.js";
import { NewMessage, type NewMessageEvent, Raw } from "telegram/events/index.js";
import { createOfflineClient, type FakeTelegram } from "./support/fake-telegram.ts";
import {
  channel,
  chat,
  deleteChannelMessagesUpdate,
  deleteMessagesUpdate,
  editMessageUpdate,
  message,
  newMessageUpdate,
  shortChatMessage,
  shortMessage,
  user,
} from "./support/tl-factory.ts";

let open: FakeTelegram[] = [];
function setup(options?: Parameters<typeof createOfflineClient>[0]) {
  const made = createOfflineClient(options);
  open.push(made.telegram);
  return made;
}
afterEach(async () => {
  for (const t of open) await t.close();
  open = [];
});

/** Byte equality that fails fast (deepEqual's diff of large buffers takes minutes). */
function assertSameBytes(actual: unknown, expected: Buffer): void {
  assert.ok(Buffer.isBuffer(actual), "expected a Buffer");
  const digest = (b: Buffer) => `${b.length} bytes, sha256 ${createHash("sha256").update(b).digest("hex")}`;
  assert.equal(digest(actual), digest(expected));
}

const logChannel = channel({ id: 777, title: "Log", megagroup: false });
const alice = user({ id: 42, firstName: "Alice", username: "alice" });
const logPeer = () =>
  new Api.InputPeerChannel({ channelId: logChannel.id, accessHash: logChannel.accessHash! });

test("getMe returns the configured self user", async () => {
  const { client } = setup({ self: { id: 555, firstName: "Owner", username: "owner" } });
  const me = await client.getMe();
  assert.ok(me instanceof Api.User);
  assert.equal(me.id.toString(), "555");
  assert.equal(me.firstName, "Owner");
  assert.equal(me.username, "owner");
});

test("sendMessage to a channel is recorded with peer, text and random id, and answered with a message", async () => {
  const { client, telegram } = setup();
  telegram.addEntities(logChannel);
  const sent = await client.sendMessage(logPeer(), { message: "hello log", parseMode: false });
  const [req] = telegram.requestsOf("messages.SendMessage");
  assert.ok(req);
  assert.equal(req.request.message, "hello log");
  assert.ok(req.request.peer instanceof Api.InputPeerChannel);
  assert.equal(telegram.sent.length, 1);
  const delivered = telegram.sent[0]!;
  assert.equal(delivered.chatId, "-100777");
  assert.equal(delivered.message, "hello log");
  assert.equal(delivered.randomId, BigInt(req.request.randomId!.toString()));
  assert.equal(sent.id, delivered.id);
  assert.equal(sent.message, "hello log");
});

test("sendMessage to a user is answered with UpdateShortSentMessage and still yields a message", async () => {
  const { client, telegram } = setup({ primeSelf: true });
  telegram.addEntities(alice);
  const sent = await client.sendMessage(alice, { message: "hi **Alice**" });
  assert.equal(sent.message, "hi Alice"); // GramJS's default markdown parse
  assert.equal(telegram.sent[0]?.chatId, "42");
  assert.ok(telegram.sent[0]?.entities[0] instanceof Api.MessageEntityBold);
});

test("a random_id already used for that peer is refused with RANDOM_ID_DUPLICATE and posts nothing", async () => {
  const { client, telegram } = setup();
  const randomId = bigInt("123456789012345");
  const send = () =>
    client.invoke(new Api.messages.SendMessage({ peer: logPeer(), message: "once", randomId }));
  await send();
  await assert.rejects(
    send(),
    (e: unknown) => e instanceof errors.RPCError && e.errorMessage === "RANDOM_ID_DUPLICATE",
  );
  assert.equal(telegram.sent.length, 1);
  assert.equal(telegram.requestsOf("messages.SendMessage")[1]?.error, "RANDOM_ID_DUPLICATE");
  // Same random id to another peer is a different message.
  await client.invoke(
    new Api.messages.SendMessage({ peer: new Api.InputPeerSelf(), message: "other", randomId }),
  );
  assert.equal(telegram.sent.length, 2);
});

test("failNext FLOOD_WAIT_30 rejects with the library's FloodWaitError, then sending works again", async () => {
  const { client, telegram } = setup();
  telegram.failNext("messages.SendMessage", "FLOOD_WAIT_30");
  await assert.rejects(client.sendMessage(logPeer(), { message: "x" }), (e: unknown) => {
    assert.ok(e instanceof errors.FloodWaitError);
    assert.equal(e.seconds, 30);
    return true;
  });
  assert.equal(telegram.sent.length, 0);
  await client.sendMessage(logPeer(), { message: "x" });
  assert.equal(telegram.sent.length, 1);
});

test("failAfterDelivery delivers, loses the reply, and a retry with the same random id is a duplicate", async () => {
  const { client, telegram } = setup();
  telegram.failAfterDelivery("messages.SendMessage");
  const request = () =>
    new Api.messages.SendMessage({ peer: logPeer(), message: "exactly once", randomId: bigInt(99) });
  await assert.rejects(
    client.invoke(request()),
    (e: unknown) => e instanceof Error && e.message === "TIMEOUT",
  );
  assert.equal(telegram.sent.length, 1);
  await assert.rejects(
    client.invoke(request()),
    (e: unknown) => e instanceof errors.RPCError && e.errorMessage === "RANDOM_ID_DUPLICATE",
  );
  assert.equal(telegram.sent.length, 1);
});

test("a pushed new-message update reaches Raw and NewMessage handlers through GramJS dispatch", async () => {
  const { client, telegram } = setup();
  await client.getMe();
  const group = channel({ id: 900, title: "Group", megagroup: true });
  const raws: Api.TypeUpdate[] = [];
  const texts: string[] = [];
  client.addEventHandler((u: Api.TypeUpdate) => void raws.push(u), new Raw({}));
  client.addEventHandler((e: NewMessageEvent) => void texts.push(e.message.message), new NewMessage({}));
  const msg = message({ id: 5, peer: group, from: alice, text: "hello group" });
  await telegram.push(newMessageUpdate(msg, { users: [alice], chats: [group] }));
  assert.equal(raws.length, 1);
  assert.ok(raws[0] instanceof Api.UpdateNewChannelMessage);
  assert.equal((raws[0].message as Api.Message).message, "hello group");
  assert.deepEqual(texts, ["hello group"]);
  // The server learned the message: getMessages finds it; entities are cached by GramJS.
  const [fetched] = await client.getMessages(group, { ids: [5] });
  assert.equal(fetched?.message, "hello group");
  assert.equal(telegram.requestsOf("channels.GetMessages").length, 1);
});

test("short messages, edits and deletions dispatch too and update the server's view", async () => {
  const { client, telegram } = setup({ primeSelf: true });
  const seen: string[] = [];
  client.addEventHandler((u: Api.TypeUpdate) => void seen.push(u.className), new Raw({}));
  await telegram.push(shortMessage({ id: 10, userId: alice.id, text: "psst" }));
  const edited = message({ id: 10, peer: alice, from: alice, text: "psst (edited)" });
  await telegram.push(editMessageUpdate(edited, { users: [alice] }));
  assert.equal((await client.getMessages(alice, { ids: [10] }))[0]?.message, "psst (edited)");
  await telegram.push(deleteMessagesUpdate([10]));
  assert.deepEqual(seen, ["UpdateShortMessage", "UpdateEditMessage", "UpdateDeleteMessages"]);
  const [gone] = await client.getMessages(alice, { ids: [10] });
  assert.equal(gone, undefined); // the server answers MessageEmpty; GramJS yields undefined

  const group = channel({ id: 901, title: "Group", megagroup: true });
  await telegram.push(
    newMessageUpdate(message({ id: 7, peer: group, from: alice, text: "x" }), { chats: [group] }),
  );
  await telegram.push(deleteChannelMessagesUpdate(group.id, [7]));
  await telegram.push(shortChatMessage({ id: 11, fromId: alice.id, chatId: 77, text: "in a basic group" }));
  assert.deepEqual(seen.slice(3), [
    "UpdateNewChannelMessage",
    "UpdateDeleteChannelMessages",
    "UpdateShortChatMessage",
  ]);
  assert.equal((await client.getMessages(group, { ids: [7] }))[0], undefined);
  assert.equal(
    (await client.getMessages(chat({ id: 77, title: "g" }), { ids: [11] }))[0]?.message,
    "in a basic group",
  );
});

test("sendFile uploads in parts; the fake reassembles the exact bytes", async () => {
  const { client, telegram } = setup();
  const bytes = randomBytes(300 * 1024 + 17); // 3 parts of 128 KiB
  const file = new CustomFile("report.bin", bytes.length, "", bytes);
  const sent = await client.sendFile(logPeer(), { file, caption: "the file", forceDocument: true });
  const parts = telegram.requestsOf("upload.SaveFilePart");
  assert.equal(parts.length, 3);
  assertSameBytes(telegram.uploadedFile(parts[0]!.request.fileId), bytes);
  const delivered = telegram.sent[0]!;
  assert.equal(delivered.via, "messages.SendMedia");
  assert.equal(delivered.message, "the file");
  assertSameBytes(delivered.uploadedBytes, bytes);
  assert.ok(sent.media instanceof Api.MessageMediaDocument);
  assert.equal(sent.file?.name, "report.bin");
  // What was uploaded can be downloaded again.
  assertSameBytes(await client.downloadMedia(sent), bytes);
});

test("albums go through UploadMedia then SendMultiMedia", async () => {
  const { client, telegram } = setup();
  const a = Buffer.from("first file");
  const b = Buffer.from("second file");
  const files = [new CustomFile("a.txt", a.length, "", a), new CustomFile("b.txt", b.length, "", b)];
  await client.sendFile(logPeer(), { file: files, forceDocument: true });
  assert.equal(telegram.requestsOf("messages.UploadMedia").length, 2);
  assert.equal(telegram.requestsOf("messages.SendMultiMedia").length, 1);
  assert.deepEqual(
    telegram.sent.map((s) => s.uploadedBytes?.toString()),
    ["first file", "second file"],
  );
});

test("a registered document downloads via downloadMedia and iterDownload, following FILE_MIGRATE", async () => {
  const { client, telegram } = setup();
  const bytes = randomBytes(1024 * 1024 + 4096 * 3 + 5);
  const media = telegram.documentMedia({ bytes, mimeType: "video/mp4", fileName: "clip.mp4" });
  const doc = media.document as Api.Document;
  assertSameBytes(await client.downloadMedia(media), bytes);

  const chunks: Buffer[] = [];
  const location = new Api.InputDocumentFileLocation({
    id: doc.id,
    accessHash: doc.accessHash,
    fileReference: doc.fileReference,
    thumbSize: "",
  });
  for await (const chunk of client.iterDownload({ file: location, requestSize: 512 * 1024 }))
    chunks.push(chunk);
  assertSameBytes(Buffer.concat(chunks), bytes);

  telegram.registerFile(doc.id, bytes, { dcId: 4 }); // the file now lives on DC 4
  const before = telegram.requests.length;
  assertSameBytes(await client.downloadMedia(media), bytes);
  const calls = telegram.requests.slice(before);
  assert.equal(calls[0]?.error, "FILE_MIGRATE_4");
  assert.ok(calls.slice(1).every((r) => r.dcId === 4 && !r.error));
});

test("photos download through their largest size", async () => {
  const { client, telegram } = setup();
  const bytes = randomBytes(70_000);
  assertSameBytes(await client.downloadMedia(telegram.photoMedia({ bytes })), bytes);
});

test("unknown requests are rejected with FAKE_NOT_IMPLEMENTED and recorded", async () => {
  const { client, telegram } = setup();
  await assert.rejects(
    client.invoke(new Api.help.GetConfig()),
    (e: unknown) =>
      e instanceof errors.RPCError && e.errorMessage === "FAKE_NOT_IMPLEMENTED" && e.code === 400,
  );
  assert.equal(telegram.requestsOf("help.GetConfig")[0]?.error, "FAKE_NOT_IMPLEMENTED");
});

test("peers: usernames resolve, unknown channels fail, a wrong access hash is refused", async () => {
  const { client, telegram } = setup();
  telegram.addEntities(alice, logChannel);
  const resolved = await client.getEntity("alice");
  assert.ok(resolved instanceof Api.User && resolved.id.equals(alice.id));
  const badHash = new Api.InputPeerChannel({ channelId: logChannel.id, accessHash: bigInt(1) });
  await assert.rejects(client.sendMessage(badHash, { message: "x" }), /CHANNEL_INVALID/);
  await assert.rejects(
    client.invoke(
      new Api.channels.GetChannels({
        id: [new Api.InputChannel({ channelId: bigInt(1), accessHash: bigInt(0) })],
      }),
    ),
    /CHANNEL_INVALID/,
  );
  assert.equal(telegram.sent.length, 0);
});

test("connect() is a harmless no-op and authorization is checked against the fake", async () => {
  const { client, telegram } = setup();
  assert.equal(await client.connect(), true);
  assert.equal(client.connected, true);
  assert.equal(await client.checkAuthorization(), true);
  telegram.failNext("updates.GetState", "AUTH_KEY_UNREGISTERED", { code: 401 });
  assert.equal(await client.checkAuthorization(), false);
});

test("close() leaves a client that refuses requests instead of hanging", async () => {
  const { client, telegram } = setup();
  await telegram.close();
  await assert.rejects(client.getMe(), /disconnected/);
});
