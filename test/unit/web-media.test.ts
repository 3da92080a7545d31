/**
 * How the web UI sends a kept file: the type a message names is used only for images, audio and
 * video (anything else is a download), the file name in Content-Disposition is made safe, and the
 * Range header is read as RFC 9110 says (a bad or unsatisfiable range is a 416, several ranges or
 * another unit the whole file).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { MediaInfo } from "../../src/model/media.ts";
import { byteRange } from "../../src/web/byte-range.ts";
import { contentTypeOf, dispositionOf, mediaElementOf } from "../../src/web/media-type.ts";

const media = (m: Partial<MediaInfo>): MediaInfo => ({ kind: "document", identity: "x", ...m });

describe("web media types", () => {
  it("sends only images, audio and video as themselves", () => {
    assert.equal(contentTypeOf(media({ kind: "photo" })), "image/jpeg");
    assert.equal(contentTypeOf(media({ kind: "voice" })), "audio/ogg");
    assert.equal(contentTypeOf(media({ mimeType: "Video/MP4" })), "video/mp4");
    for (const unsafe of [
      "text/html",
      "image/svg+xml",
      "application/pdf",
      "text/javascript",
      "image/png; x",
      "",
    ])
      assert.equal(contentTypeOf(media({ mimeType: unsafe })), "application/octet-stream", unsafe);
    assert.equal(contentTypeOf(null), "application/octet-stream");
    assert.equal(mediaElementOf(media({ mimeType: "image/webp" })), "img");
    assert.equal(mediaElementOf(media({ mimeType: "audio/wav" })), "audio");
    assert.equal(mediaElementOf(media({ kind: "round_video" })), "video");
    assert.equal(mediaElementOf(media({ mimeType: "application/zip" })), "download");
  });

  it("names the file safely in Content-Disposition", () => {
    assert.equal(
      dispositionOf(media({ fileName: "../../etc/it's (1)*.pdf", mimeType: "application/pdf" }), "f"),
      `attachment; filename="it's (1)_.pdf"; filename*=UTF-8''it%27s%20%281%29_.pdf`,
    );
    assert.equal(
      dispositionOf(media({ fileName: "фото.jpg", mimeType: "image/jpeg" }), "f"),
      `inline; filename="____.jpg"; filename*=UTF-8''%D1%84%D0%BE%D1%82%D0%BE.jpg`,
    );
    assert.match(dispositionOf(media({}), "media-7"), /^attachment; filename="media-7"/);
  });

  it("reads the Range header", () => {
    assert.deepEqual(byteRange(undefined, 100), { kind: "whole" });
    assert.deepEqual(byteRange("bytes=0-9", 100), { kind: "part", start: 0, end: 9 });
    assert.deepEqual(byteRange("bytes=90-", 100), { kind: "part", start: 90, end: 99 });
    assert.deepEqual(byteRange("bytes=90-500", 100), { kind: "part", start: 90, end: 99 });
    assert.deepEqual(byteRange("bytes=-10", 100), { kind: "part", start: 90, end: 99 });
    assert.deepEqual(byteRange("bytes=-500", 100), { kind: "part", start: 0, end: 99 });
    assert.deepEqual(byteRange("bytes=0-1,5-6", 100), { kind: "whole" });
    assert.deepEqual(byteRange("items=0-1", 100), { kind: "whole" });
    for (const bad of ["bytes=100-", "bytes=5-1", "bytes=-0", "bytes=-", "bytes=a-b", "bytes=1-2-3"])
      assert.deepEqual(byteRange(bad, 100), { kind: "unsatisfiable" }, bad);
    assert.deepEqual(byteRange("bytes=0-", 0), { kind: "unsatisfiable" });
  });
});
