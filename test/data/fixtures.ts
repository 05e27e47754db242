import type { SessionInsights } from 'pika-shared/types/chatbot/chatbot-types';

export const sampleInsights = (summary = 'The user asked about an order'): SessionInsights => ({
  summary,
  goalAchievement: { score: 80, status: 'partially_achieved', explanation: 'most of it' },
  userSatisfaction: { score: 70, level: 'satisfied', sentiment: 'positive', explanation: 'thanked the agent' },
  aiPerformance: { overallScore: 75, accuracy: 80, efficiency: 70, explanation: 'ok' },
  interactionQuality: { score: 72, explanation: 'clear' },
  metrics: { sessionDuration: 'short', complexity: 'simple', userEffort: 'low', aiConfidence: 'high' },
  generateDate: '2024-01-15T10:20:00.000Z',
});
