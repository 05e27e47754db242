/**
 * Answer verification in the emulator (docs/agent-emulator.md):
 * - the verdict tool (`grade_answer`, functions/converse/verify.ts) answered deterministically: the grade comes
 *   from the grader model id — `grader-<G>` always grades G, `grader-<G>-then-<H>` grades G and then H once the
 *   prompt carries an earlier grading (a retried answer); any other model grades A. The reason names the grade
 *   and how many evidence items the prompt carried, so tests see what the grader read;
 * - a classic agent `evidence` whose traces carry what a real agent's do when it calls an action group and
 *   queries a knowledge base (invocation input, action-group output, retrieved references), then answers like echo.
 */
import { AGENTS, echoAnswer, inputTokensFor, outputTokensFor, split, type AgentRequest, type Step } from './agents';
import { registerToolAnswerer, type ToolRequest } from './model-tools';

export const VERDICT_TOOL = 'grade_answer';
export const EVIDENCE_ACTION_RESULT = 'Order 42 shipped on 2026-11-20 by parcel post';
export const EVIDENCE_KB_PASSAGE = 'Orders ship within two business days of payment.';
export const EVIDENCE_KB_URI = 's3://emulator-kb/shipping-policy.md';

const GRADES = new Set(['A', 'B', 'C', 'F']);

/** The grade of a grading request: from the model id (and whether the answer graded is a retry). */
export function emulatedGrade(modelId: string, prompt: string): 'A' | 'B' | 'C' | 'F' {
  const m = /^grader-([A-Z])(?:-then-([A-Z]))?$/.exec(modelId);
  if (!m || !GRADES.has(m[1]!) || (m[2] && !GRADES.has(m[2]))) return 'A';
  const retried = prompt.includes('<previous_grading');
  return (retried && m[2] ? m[2] : m[1]) as 'A' | 'B' | 'C' | 'F';
}

/** How many numbered evidence items (`[n] …`) the grader's prompt carried. */
export const evidenceCount = (prompt: string) =>
  (/<evidence>\n([\s\S]*?)\n<\/evidence>/.exec(prompt)?.[1] ?? '').split('\n').filter((l) => /^\[\d+\] /.test(l)).length;

registerToolAnswerer(VERDICT_TOOL, (req: ToolRequest) => {
  const prompt = req.texts.join('\n');
  const grade = emulatedGrade(req.modelId, prompt);
  const verdict = grade === 'A' || grade === 'B' ? 'the answer is supported' : 'the answer does not address the question';
  return { grade, reason: `Emulated grade ${grade}: ${verdict} (evidence items: ${evidenceCount(prompt)}).` };
});

function evidenceSteps(req: AgentRequest): Step[] {
  if (!req.enableTrace) return [];
  const traceId = `trace-${req.agentId}-evidence`;
  return [
    {
      kind: 'trace',
      trace: {
        orchestrationTrace: {
          invocationInput: {
            traceId,
            invocationType: 'ACTION_GROUP',
            actionGroupInvocationInput: { actionGroupName: 'orders', function: 'lookup_order', parameters: [{ name: 'orderId', type: 'string', value: '42' }] },
          },
        },
      },
    },
    {
      kind: 'trace',
      trace: { orchestrationTrace: { observation: { traceId, type: 'ACTION_GROUP', actionGroupInvocationOutput: { text: EVIDENCE_ACTION_RESULT } } } },
    },
    {
      kind: 'trace',
      trace: {
        orchestrationTrace: {
          observation: {
            traceId,
            type: 'KNOWLEDGE_BASE',
            knowledgeBaseLookupOutput: {
              retrievedReferences: [{ content: { text: EVIDENCE_KB_PASSAGE }, location: { type: 'S3', s3Location: { uri: EVIDENCE_KB_URI } } }],
            },
          },
        },
      },
    },
  ];
}

AGENTS.evidence = (req) => {
  const answer = echoAnswer(req.inputText);
  const usage: Step[] = req.enableTrace
    ? [
        {
          kind: 'trace',
          trace: {
            orchestrationTrace: {
              modelInvocationOutput: {
                traceId: `trace-${req.agentId}-0`,
                metadata: { usage: { inputTokens: inputTokensFor(req.inputText), outputTokens: outputTokensFor(answer) } },
              },
            },
          },
        },
      ]
    : [];
  return [...evidenceSteps(req), ...usage, ...(req.streamFinalResponse ? split(answer, 3) : [answer]).map((text) => ({ kind: 'chunk' as const, text }))];
};
