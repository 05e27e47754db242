/**
 * The indexes by what each query reads from them (docs/data-model.md, access patterns): a query names its
 * pattern, not an index. Several patterns share an index (overloaded keys: keys.ts builds each partition).
 */
import type { GsiName } from './table-definition';

export const ACCESS = {
  /** A user's sessions, by last activity (USER_SESSIONS#u). */
  userSessions: 'gsi1',
  /** Sessions with feedback of a status, sharded (FEEDBACK_STATUS#…). */
  feedbackByStatus: 'gsi1',
  /** Due entries of a background sweep (insights INSDUE#, retention RETDUE#), sharded. */
  dueEntries: 'gsi1',
  /** Users by id prefix (user search). */
  usersByPrefix: 'gsi1',
  /** A user's sessions in one chat app, by last activity. */
  userAppSessions: 'gsi2',
  /** A user's usage months (budget overview, erasure). */
  usageMonthsOfUser: 'gsi2',
  /** A chat app's sessions by creation, sharded (search). */
  appSessionsByCreated: 'gsi3',
  /** A chat app's users ranked by usage, sharded (reports). */
  usageRank: 'gsi3',
  /** A chat app's sessions by last activity, sharded (search). */
  appSessionsByUpdated: 'gsi4',
} as const satisfies Record<string, GsiName>;
