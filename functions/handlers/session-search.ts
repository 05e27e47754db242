/**
 * POST /sessions/search: every SessionSearchRequest field (docs/api.md, "Session search"). A normal user
 * searches only their own sessions; content admins (and the service role) anyone's. The data layer
 * (functions/data/session-search.ts) reads a bounded candidate set and refuses a broader search with a
 * 400 SEARCH_TOO_BROAD.
 */
import type { ChatSessionFeedback, RecordOrUndef, SessionSearchRequest, SessionSearchResponse } from 'pika-shared/types/chatbot/chatbot-types';
import { listSessionFeedback } from '../data/feedback';
import { getInsights } from '../data/insights';
import { normalizeLimit } from '../data/pagination';
import { searchSessions, type FeedbackFilter, type SessionSearchPlan } from '../data/session-search';
import type { Session } from '../data/sessions';
import { forbidden, validationFailed } from '../platform/errors';
import { authorizeSession, visibleFeedback } from '../policy/access';
import type { Principal } from '../policy/principal';

type Request = SessionSearchRequest<Record<string, unknown>>;

/** Feedback returned per session with `includeFeedback` (oldest first; one Query each). */
export const SEARCH_FEEDBACK_PER_SESSION = 100;

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

const sortedSet = <T extends string>(v: T[] | undefined): T[] | undefined => (v?.length ? [...new Set(v)].sort() : undefined);

function feedbackFilterOf(req: Request): FeedbackFilter | undefined {
  const f: FeedbackFilter = {
    ...(sortedSet(req.feedbackInStatus) ? { status: sortedSet(req.feedbackInStatus)! } : {}),
    ...(sortedSet(req.feedbackSeverity) ? { severity: sortedSet(req.feedbackSeverity)! } : {}),
    ...(sortedSet(req.feedbackType) ? { type: sortedSet(req.feedbackType)! } : {}),
    ...(req.feedbackReportedByHuman !== undefined ? { reportedByHuman: req.feedbackReportedByHuman } : {}),
    ...(req.feedbackCreatedByCustomer !== undefined ? { createdByCustomer: req.feedbackCreatedByCustomer } : {}),
    ...(req.feedbackUserId !== undefined ? { userId: req.feedbackUserId } : {}),
  };
  return Object.keys(f).length ? f : undefined;
}

function insightsFilterOf(req: Request): SessionSearchPlan['insights'] {
  const p = req.insights;
  if (!p) return undefined;
  if (p.minGoalAchievementScore !== undefined && p.maxGoalAchievementScore !== undefined && p.minGoalAchievementScore > p.maxGoalAchievementScore) {
    throw validationFailed('minGoalAchievementScore is above maxGoalAchievementScore', [
      { path: 'body.insights.maxGoalAchievementScore', message: 'below minGoalAchievementScore' },
    ]);
  }
  const out: NonNullable<SessionSearchPlan['insights']> = {
    ...(sortedSet(p.goalCompletionStatus) ? { goalCompletionStatus: sortedSet(p.goalCompletionStatus)! } : {}),
    ...(sortedSet(p.satisfactionLevel) ? { satisfactionLevel: sortedSet(p.satisfactionLevel)! } : {}),
    ...(sortedSet(p.sentiment) ? { sentiment: sortedSet(p.sentiment)! } : {}),
    ...(sortedSet(p.complexity) ? { complexity: sortedSet(p.complexity)! } : {}),
    ...(p.minGoalAchievementScore !== undefined ? { minGoalAchievementScore: p.minGoalAchievementScore } : {}),
    ...(p.maxGoalAchievementScore !== undefined ? { maxGoalAchievementScore: p.maxGoalAchievementScore } : {}),
  };
  return Object.keys(out).length ? out : undefined;
}

/** The requested order, a field given twice counted once; default: newest activity first. */
function sortOf(req: Request): SessionSearchPlan['sortBy'] {
  const seen = new Set<string>();
  const out = (req.sortBy ?? []).filter((s) => !seen.has(s.field) && seen.add(s.field));
  return out.length ? out : [{ field: 'lastUpdate', order: 'desc' }];
}

type SearchedSession = Session & { feedback?: ChatSessionFeedback[] };

export async function searchSessionsFor(principal: Principal, req: Request): Promise<SessionSearchResponse<RecordOrUndef> & { sessions: SearchedSession[] }> {
  const admin = (await principal.isContentAdmin()) || (await principal.isService());
  if (!admin && req.userId !== undefined && req.userId !== principal.userId) throw forbidden("Only content admins search other users' sessions");
  const userId = admin ? req.userId : principal.userId;
  const size = normalizeLimit(req.size);
  const date = req.dateFilter ? { on: req.dateFilter.dateType, ...dateRange(req.dateFilter) } : undefined;
  const insights = insightsFilterOf(req);
  const feedback = feedbackFilterOf(req);
  const plan: SessionSearchPlan = {
    ...(req.sessionId ? { sessionId: req.sessionId } : {}),
    ...(userId ? { userId } : {}),
    ...(req.chatAppId ? { chatAppId: req.chatAppId } : {}),
    ...(date ? { date } : {}),
    ...(req.flagged !== undefined ? { flagged: req.flagged } : {}),
    ...(req.titlePartial ? { titlePartial: req.titlePartial } : {}),
    ...(req.customUserData && Object.keys(req.customUserData).length ? { customData: req.customUserData } : {}),
    ...(insights ? { insights } : {}),
    ...(feedback ? { feedback } : {}),
    sortBy: sortOf(req),
    limit: size,
    ...(req.scrollId ? { cursor: req.scrollId } : {}),
    caller: principal.userId,
  };
  const page = await searchSessions(plan);
  // Another user's session shown to an admin is logged as viewingContentFor, as any other read of it.
  for (const s of page.items) if (s.userId !== principal.userId) await authorizeSession(principal, s, 'read', 'searchSessions');

  const sessions: SearchedSession[] = await Promise.all(
    page.items.map(async (s) => {
      const [ins, fb] = await Promise.all([
        req.includeInsights ? getInsights(s.sessionId) : undefined,
        req.includeFeedback ? listSessionFeedback(s.sessionId, { limit: SEARCH_FEEDBACK_PER_SESSION, caller: principal.userId }) : undefined,
      ]);
      return {
        ...s,
        ...(ins ? { insights: ins } : {}),
        ...(fb ? { feedback: await visibleFeedback(principal, fb.items) } : {}),
      };
    }),
  );
  return { success: true, sessions, ...(page.nextCursor ? { scrollId: page.nextCursor } : {}), total: page.total, pageSize: size };
}
