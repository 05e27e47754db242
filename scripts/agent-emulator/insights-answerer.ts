/**
 * The emulator's answer to the session-insights tool (functions/insights/generate.ts): a valid, deterministic
 * SessionInsights input derived from the transcript. A transcript with words of frustration ("useless",
 * "not working", "frustrated", "angry", "wrong") is judged a poor outcome (goal not_achieved, user very
 * dissatisfied), anything else a good one. Model ids invalid-tool / invalid-tool-once / fail-tool still steer
 * failures (model-tools.ts).
 */
import { registerToolAnswerer } from './model-tools';

export const INSIGHTS_TOOL_NAME = 'record_session_insights';
const POOR = /\b(useless|not working|frustrat\w*|angry|wrong)\b/i;

registerToolAnswerer(INSIGHTS_TOOL_NAME, (req) => {
  const transcript = req.texts.join('\n');
  const poor = POOR.test(transcript);
  const firstQuestion = /User: (.*)/.exec(transcript)?.[1]?.trim().slice(0, 120) ?? 'something';
  const turns = (transcript.match(/^User: /gm) ?? []).length;
  return {
    summary: `The user asked about: ${firstQuestion} (${turns} question${turns === 1 ? '' : 's'}).`,
    goalAchievement: poor
      ? { score: 10, status: 'not_achieved', explanation: 'The user said the answers did not help.' }
      : { score: 90, status: 'fully_achieved', explanation: 'The assistant answered every question.' },
    userSatisfaction: poor
      ? { score: 5, level: 'very_dissatisfied', sentiment: 'negative', explanation: 'The user expressed frustration.' }
      : { score: 85, level: 'satisfied', sentiment: 'positive', explanation: 'No complaint in the conversation.' },
    aiPerformance: { overallScore: poor ? 20 : 88, accuracy: poor ? 20 : 90, efficiency: poor ? 30 : 85, explanation: 'Judged from the transcript.' },
    interactionQuality: { score: poor ? 25 : 86, explanation: 'Judged from the transcript.' },
    metrics: { sessionDuration: turns > 5 ? 'medium' : 'short', complexity: 'simple', userEffort: poor ? 'high' : 'low', aiConfidence: 'high' },
  };
});
