/**
 * Conflicts: items held by in-flight writes (counted per item), and TransactGetItems under way that a write to
 * one of their items dooms.
 */
import type { FrontState } from './state';

export function doomTransactGets(front: FrontState, id: string) {
  for (const tg of front.transactGets.get(id) ?? []) tg.doomed.add(tg.index.get(id)!);
}

export function track(map: Map<string, number>, ids: string[], delta: 1 | -1) {
  for (const id of ids) {
    const n = (map.get(id) ?? 0) + delta;
    if (n > 0) map.set(id, n);
    else map.delete(id);
  }
}
