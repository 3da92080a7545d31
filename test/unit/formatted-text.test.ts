import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { splitFormatted, TextBuilder, truncateText } from "../../src/model/formatted-text.ts";

describe("TextBuilder", () => {
  it("shifts appended entities by the UTF-16 length of what precedes them", () => {
    const b = new TextBuilder().add("🗑 Header 👍🏽", { _: "MessageEntityBold" }).add("\n");
    b.addFormatted({ text: "a 😀 bold", entities: [{ _: "MessageEntityBold", offset: 5, length: 4 }] });
    const { text, entities } = b.build();
    const body = entities[1]!;
    assert.equal(text.slice(body.offset, body.offset + body.length), "bold");
    assert.equal(entities[0]!.length, "🗑 Header 👍🏽".length);
  });
});

describe("splitFormatted", () => {
  it("keeps short text whole", () => {
    const t = { text: "hello", entities: [] };
    assert.deepEqual(splitFormatted(t, 4096), [t]);
  });

  it("splits at 4096 UTF-16 units, preferring line ends, and clips entities into both parts", () => {
    const text = `${"word ".repeat(900)}\n${"x".repeat(1000)}`;
    const entities = [{ _: "MessageEntityItalic", offset: 4000, length: 1000 }];
    const parts = splitFormatted({ text, entities }, 4096);
    assert.equal(parts.length, 2);
    assert.ok(parts.every((p) => p.text.length <= 4096));
    assert.equal(parts.map((p) => p.text).join(""), text);
    const covered = parts.flatMap((p) => p.entities).reduce((n, e) => n + e.length, 0);
    assert.equal(covered, 1000);
    assert.equal(parts[1]!.entities[0]!.offset, 0);
  });

  it("never cuts a surrogate pair in half", () => {
    const text = "😀".repeat(3000);
    const parts = splitFormatted(
      { text, entities: [{ _: "MessageEntityBold", offset: 0, length: text.length }] },
      4096,
    );
    for (const p of parts) {
      assert.ok(p.text.length <= 4096);
      assert.ok(!/^[\uDC00-\uDFFF]/.test(p.text) && !/[\uD800-\uDBFF]$/.test(p.text));
      assert.equal(p.entities[0]!.length, p.text.length);
    }
    assert.equal(parts.map((p) => p.text).join(""), text);
  });
});

describe("truncateText", () => {
  it("shortens with an ellipsis without splitting emoji", () => {
    assert.equal(truncateText("abc", 10), "abc");
    const t = truncateText("ab😀😀", 4);
    assert.ok(t.length <= 4);
    assert.ok(t.endsWith("…"));
    assert.ok(!/[\uD800-\uDBFF]…$/.test(t));
  });
});
