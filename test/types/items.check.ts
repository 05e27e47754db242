/**
 * Compile-fail fixtures for typed items out of the table (functions/data/items.ts `entity`): `tsc` (run by
 * `npm test`) fails if any line marked @ts-expect-error stops being an error, so a read by a wrong attribute
 * name is proved to be rejected. Never executed.
 */
import { ANY_ITEM, MESSAGE, SESSION, TURN_ATTRIBUTES } from '../../functions/data/items';
import { TTL_ATTRIBUTE } from '../../functions/data/table-definition';

export function fixtures(raw: Record<string, unknown>) {
  const session = SESSION.item(raw);
  const ok: (string | number | undefined)[] = [session.sessionId, session[TURN_ATTRIBUTES.turnLeaseUntil], session[TTL_ATTRIBUTE], session.titleClaimUntil];
  // @ts-expect-error an attribute a session item does not have (it is `sessionId`)
  const typo = session.sesionId;
  // @ts-expect-error the record leaves the internal attributes out
  const internal = SESSION.record(raw).turnId;
  // @ts-expect-error a projection of an attribute a message does not have (it is `content`)
  const projected = MESSAGE.projection('messageId', 'contents');
  // @ts-expect-error a projected read holds only what it projected
  const notProjected = MESSAGE.projection('messageId').read(raw).content;
  const keys: string[] = [ANY_ITEM.projection('pk', 'sk').read(raw).pk];
  return { ok, typo, internal, projected, notProjected, keys };
}
