/**
 * Formatting entities in the JSON form stored in `messages.entities` and `outbox.entities`. Kept
 * apart from the TL conversions (entities.ts) so the feed and the file audit can use them without
 * loading GramJS.
 */

/** One formatting entity in the form stored in `messages.entities` and `outbox.entities`. */
export interface StoredEntity {
  _: string;
  offset: number;
  length: number;
  url?: string;
  userId?: string;
  accessHash?: string;
  language?: string;
  documentId?: string;
  collapsed?: boolean;
}

/** Serializes entities for a text column: null for none, so "no formatting" compares equal. */
export function entitiesJson(entities: readonly StoredEntity[]): string | null {
  return entities.length === 0 ? null : JSON.stringify(entities);
}

/** Parses a stored entities column. */
export function parseEntities(json: string | null | undefined): StoredEntity[] {
  if (!json) return [];
  const parsed: unknown = JSON.parse(json);
  return Array.isArray(parsed) ? (parsed as StoredEntity[]) : [];
}
