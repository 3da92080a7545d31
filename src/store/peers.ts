/**
 * Queries on `peers`. GramJS keeps no entities across restarts, so every user, group and channel
 * seen is kept here with its access hash; posts mention and link them from this table.
 * Writes are skipped when nothing changed, because the same few peers arrive with every update.
 */

import type { PeerInfo, StoredPeer } from "../model/peer.ts";
import type { Db } from "./db.ts";
import { eq, sql } from "./orm.ts";
import type { SameShape } from "./same-shape.ts";
import { peers } from "./schema.ts";

/** A stored peer: the model's type, checked against the table's columns. */
export type PeerRow = SameShape<typeof peers.$inferSelect, StoredPeer>;

function fingerprint(p: PeerInfo): string {
  return `${p.type}|${p.accessHash ?? ""}|${p.username ?? ""}|${p.name}|${p.isSelf ? 1 : 0}|${p.noforwards ? 1 : 0}`;
}

/** Peer persistence with a write-through cache. */
export class PeerStore {
  readonly #upsert;
  readonly #byId;
  /** Last known state of each peer written or read, with its fingerprint. */
  readonly #known = new Map<number, { row: PeerRow; fp: string }>();

  constructor(db: Db) {
    const p = (name: string) => sql.placeholder(name);
    this.#upsert = db
      .insert(peers)
      .values({
        peerId: p("peerId"),
        type: p("type"),
        accessHash: p("accessHash"),
        username: p("username"),
        name: p("name"),
        isSelf: p("isSelf"),
        noforwards: p("noforwards"),
        updatedAt: p("updatedAt"),
      })
      .onConflictDoUpdate({
        target: peers.peerId,
        set: {
          type: sql`excluded.type`,
          // A "min" entity comes without its access hash: keep the one we have.
          accessHash: sql`coalesce(excluded.access_hash, ${peers.accessHash})`,
          username: sql`excluded.username`,
          name: sql`excluded.name`,
          isSelf: sql`excluded.is_self or ${peers.isSelf}`,
          noforwards: sql`excluded.noforwards`,
          updatedAt: sql`excluded.updated_at`,
        },
      })
      .prepare();
    this.#byId = db
      .select()
      .from(peers)
      .where(eq(peers.peerId, p("peerId")))
      .prepare();
  }

  /** Stores or refreshes a peer; a no-op when it is unchanged since the last call. */
  remember(peer: PeerInfo, now: number): void {
    const fp = fingerprint(peer);
    if (this.#known.get(peer.peerId)?.fp === fp) return;
    this.#upsert.run({
      ...peer,
      isSelf: peer.isSelf ? 1 : 0,
      noforwards: peer.noforwards ? 1 : 0,
      updatedAt: now,
    });
    // Re-read: the upsert keeps a known access hash when a "min" entity comes without one.
    const row = this.#byId.get({ peerId: peer.peerId });
    if (row) this.#known.set(peer.peerId, { row, fp });
  }

  /** The stored peer with marked id `peerId`. */
  get(peerId: number): PeerRow | undefined {
    const known = this.#known.get(peerId);
    if (known) return known.row;
    const row = this.#byId.get({ peerId });
    if (row) this.#known.set(peerId, { row, fp: fingerprint(row) });
    return row;
  }

  /** Forgets the cache (after a rollback, the database may not hold what the cache says). */
  resetCache(): void {
    this.#known.clear();
  }
}
