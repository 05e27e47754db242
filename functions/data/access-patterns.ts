/**
 * The indexes by what each query reads from them (docs/data-model.md, access patterns): a query names its
 * pattern, not an index. Several patterns share an index (overloaded keys: keys.ts builds each partition).
 * Imported as a namespace (`import * as ACCESS`): one export each, so a bundle keeps only the patterns it reads.
 */
import type { GsiName } from './table-definition';

/** A user's sessions, by last activity (USER_SESSIONS#u). */
export const userSessions = 'gsi1' satisfies GsiName;
/** Sessions with feedback of a status, sharded (FEEDBACK_STATUS#…). */
export const feedbackByStatus = 'gsi1' satisfies GsiName;
/** Due entries of a background sweep (insights INSDUE#, retention RETDUE#), sharded. */
export const dueEntries = 'gsi1' satisfies GsiName;
/** Users by id prefix (user search). */
export const usersByPrefix = 'gsi1' satisfies GsiName;
/** A user's sessions in one chat app, by last activity. */
export const userAppSessions = 'gsi2' satisfies GsiName;
/** A user's usage months (budget overview, erasure). */
export const usageMonthsOfUser = 'gsi2' satisfies GsiName;
/** A chat app's sessions by creation, sharded (search). */
export const appSessionsByCreated = 'gsi3' satisfies GsiName;
/** A chat app's users ranked by usage, sharded (reports). */
export const usageRank = 'gsi3' satisfies GsiName;
/** A chat app's sessions by last activity, sharded (search). */
export const appSessionsByUpdated = 'gsi4' satisfies GsiName;
