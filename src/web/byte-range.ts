/**
 * The `Range` header of a media request (RFC 9110 §14), for one range of bytes: what a browser's
 * <video> and <audio> ask for to seek. Several ranges at once (multipart answers) are not served:
 * the whole file is, which the RFC allows.
 */

/** What to send: the whole file, bytes `start`…`end` (inclusive), or a 416. */
export type ByteRange =
  | { kind: "whole" }
  | { kind: "part"; start: number; end: number }
  | { kind: "unsatisfiable" };

/** The range `header` asks of a file of `size` bytes. */
export function byteRange(header: string | undefined, size: number): ByteRange {
  if (header === undefined) return { kind: "whole" };
  const m = /^\s*bytes\s*=\s*(.*)$/i.exec(header);
  if (!m) return { kind: "whole" }; // another unit: ignored
  const spec = m[1]!.trim();
  if (spec.includes(",")) return { kind: "whole" };
  const r = /^(\d*)-(\d*)$/.exec(spec);
  if (!r || (r[1] === "" && r[2] === "")) return { kind: "unsatisfiable" };
  if (r[1] === "") {
    const suffix = Number(r[2]);
    if (suffix === 0 || size === 0) return { kind: "unsatisfiable" };
    return { kind: "part", start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(r[1]);
  const end = r[2] === "" ? size - 1 : Math.min(Number(r[2]), size - 1);
  if (!Number.isSafeInteger(start) || start >= size || (r[2] !== "" && Number(r[2]) < start))
    return { kind: "unsatisfiable" };
  return { kind: "part", start, end };
}
