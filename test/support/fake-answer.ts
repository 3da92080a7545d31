/**
 * How the fake answers on the wire: a TL object, a boolean or a vector serialized to TL bytes, or
 * an RPC error that GramJS turns into its own error classes.
 */
import type { BigInteger } from "big-integer";

/** Thrown by `handle()` handlers (and the built-in answers) to answer a request with an RPC error. */
export class FakeRpcError extends Error {
  readonly code: number;
  readonly errorMessage: string;
  constructor(code: number, errorMessage: string) {
    super(`${code}: ${errorMessage}`);
    this.code = code;
    this.errorMessage = errorMessage;
  }
}

/** What an answer may be: a TL object, a boolean, or a vector (of TL objects, ints or longs). */
export type Answer =
  | { getBytes(): Buffer }
  | boolean
  | readonly ({ getBytes(): Buffer } | number | BigInteger)[];

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}

/** TL serialization of an answer: vectors as 0x1cb5c415 + count + items, Bool as boolTrue/boolFalse. */
export function serialize(answer: Answer): Buffer {
  if (typeof answer === "boolean") return u32(answer ? 0x997275b5 : 0xbc799737);
  if (!Array.isArray(answer)) return (answer as { getBytes(): Buffer }).getBytes();
  const items = answer.map((x: { getBytes(): Buffer } | number | BigInteger) => {
    if (typeof x === "number") return u32(x);
    if ("getBytes" in x) return x.getBytes();
    const b = Buffer.alloc(8);
    b.writeBigInt64LE(BigInt(x.toString()));
    return b;
  });
  return Buffer.concat([u32(0x1cb5c415), u32(answer.length), ...items]);
}
