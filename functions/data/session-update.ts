/**
 * What a write of a message adds to its session item (turn bookkeeping, a generated title, insights activity,
 * counters): each concern's part, joined into one update (messages.ts writes it with the message).
 */
import { roundUsd } from '../platform/money';

/** Extra attributes SET (or SET where absent, or REMOVEd), and counters ADDed, on the session item with a message. */
export interface SessionExtras {
  set?: Record<string, unknown>;
  setIfNotExists?: Record<string, unknown>;
  add?: Record<string, number>;
  remove?: readonly string[];
}

/**
 * Several concerns' extras on one session update: counters they share are summed (one ADD per attribute),
 * back to micro-dollars (the session's counters are token counts and costs rounded by costOf).
 */
export function joinExtras(...parts: Array<SessionExtras | undefined>): SessionExtras {
  const out: Required<SessionExtras> = { set: {}, setIfNotExists: {}, add: {}, remove: [] };
  for (const part of parts) {
    Object.assign(out.set, part?.set);
    Object.assign(out.setIfNotExists, part?.setIfNotExists);
    for (const [name, n] of Object.entries(part?.add ?? {})) out.add[name] = roundUsd((out.add[name] ?? 0) + n);
    out.remove = [...out.remove, ...(part?.remove ?? [])];
  }
  return out;
}
