/**
 * POST /sessions/search: the SessionSearchRequest filters the indexes serve, and a 400 naming every one
 * they do not (docs/api.md lists both). A normal user searches only their own sessions.
 */
import type { RecordOrUndef, SessionSearchRequest, SessionSearchResponse } from 'pika-shared/types/chatbot/chatbot-types';
import { getInsights } from '../data/insights';
import { normalizeLimit } from '../data/pagination';
import { searchSessions, type SessionSearchPlan } from '../data/session-search';
import type { Session } from '../data/sessions';
import { DomainError, forbidden, validationFailed } from '../lib/errors';
import { sessionFor } from '../policy/access';
import type { Principal } from '../policy/principal';

type Request = SessionSearchRequest<Record<string, unknown>>;

/** Filters that would need a scan or a search engine: rejected, never silently ignored. */
const UNSUPPORTED: (keyof Request)[] = [
  'customUserData',
  'insights',
  'feedbackInStatus',
  'feedbackReportedByHuman',
  'feedbackCreatedByCustomer',
  'feedbackSeverity',
  'feedbackType',
  'feedbackUserId',
  'includeFeedback',
];

function unsupportedFields(req: Request, scopedToUser: boolean): { path: string; message: string }[] {
  const out = UNSUPPORTED.filter((f) => req[f] !== undefined).map((f) => ({ path: `body.${f}`, message: 'not supported by this backend' }));
  if (req.dateFilter?.dateType === 'feedback') out.push({ path: 'body.dateFilter.dateType', message: "'feedback' is not supported" });
  if ((req.sortBy?.length ?? 0) > 1) out.push({ path: 'body.sortBy', message: 'one sort field at most' });
  const sort = req.sortBy?.[0]?.field;
  if (sort && sort !== 'createDate' && sort !== 'lastUpdate') out.push({ path: 'body.sortBy.0.field', message: `sorting by ${sort} is not supported` });
  if (sort === 'createDate' && scopedToUser) out.push({ path: 'body.sortBy.0.field', message: "a user's sessions are ordered by lastUpdate" });
  return out;
}

/**
 * Date bounds as the stored dates are written (`toISOString()`: UTC with milliseconds), so that string
 * comparison in key conditions and filters is time comparison: `+05:00` offsets and second precision are
 * accepted by the schema and must not silently drop sessions.
 */
function dateRange(filter: NonNullable<Request['dateFilter']>): { from: string; to?: string } {
  const from = new Date(filter.startDate).toISOString();
  const to = filter.endDate ? new Date(filter.endDate).toISOString() : undefined;
  if (to !== undefined && to < from) throw validationFailed('endDate is before startDate', [{ path: 'body.dateFilter.endDate', message: 'before startDate' }]);
  return { from, ...(to !== undefined ? { to } : {}) };
}

export async function searchSessionsFor(principal: Principal, req: Request): Promise<SessionSearchResponse<RecordOrUndef>> {
  const admin = (await principal.isContentAdmin()) || (await principal.isService());
  if (!admin && req.userId !== undefined && req.userId !== principal.userId) throw forbidden("Only content admins search other users' sessions");
  const userId = admin ? req.userId : principal.userId;
  if (!userId && !req.chatAppId && !req.sessionId) throw validationFailed('Give userId, chatAppId or sessionId', [{ path: 'body', message: 'no scope' }]);
  const problems = unsupportedFields(req, Boolean(userId));
  if (problems.length) throw validationFailed(`Unsupported search fields: ${problems.map((p) => p.path).join(', ')}`, problems);
  const size = normalizeLimit(req.size);
  const date = req.dateFilter ? { on: req.dateFilter.dateType as 'created' | 'updated', ...dateRange(req.dateFilter) } : undefined;

  let sessions: Session[];
  let scrollId: string | undefined;
  if (req.sessionId) {
    // Only "not found" means no result: a database failure is the 503 it is everywhere else.
    const one = await sessionFor(principal, req.sessionId, 'read', 'searchSessions').catch((err) => {
      if (err instanceof DomainError && err.code === 'NOT_FOUND') return undefined;
      throw err;
    });
    sessions = one && (!userId || one.userId === userId) && (!req.chatAppId || one.chatAppId === req.chatAppId) ? [one] : [];
  } else {
    const sort = req.sortBy?.[0];
    const plan: SessionSearchPlan = {
      ...(userId ? { userId } : {}),
      ...(req.chatAppId ? { chatAppId: req.chatAppId } : {}),
      orderBy: sort?.field === 'createDate' ? 'created' : 'updated',
      order: sort?.order ?? 'desc',
      ...(date ? { date } : {}),
      ...(req.flagged !== undefined ? { flagged: req.flagged } : {}),
      ...(req.titlePartial ? { titlePartial: req.titlePartial } : {}),
      limit: size,
      ...(req.scrollId ? { cursor: req.scrollId } : {}),
      caller: principal.userId,
    };
    const page = await searchSessions(plan);
    sessions = page.items;
    scrollId = page.nextCursor;
  }
  if (req.includeInsights) {
    sessions = await Promise.all(sessions.map(async (s) => ({ ...s, ...(await getInsights(s.sessionId).then((i) => (i ? { insights: i } : {}))) })));
  }
  // `total` counts this page: a full count would need a scan (docs/api.md).
  return { success: true, sessions, ...(scrollId ? { scrollId } : {}), total: sessions.length, pageSize: size };
}
