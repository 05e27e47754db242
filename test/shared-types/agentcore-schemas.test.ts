import { describe, expect, it } from 'vitest';
import { agentCoreAgentSchema, agentCoreHarnessSchema, agentCoreRuntimeSchema } from 'pika-shared/schemas/agentcore';
import { emulatorHarnessArn, emulatorRuntimeArn } from '../../scripts/agent-emulator';

const harnessArn = 'arn:aws:bedrock-agentcore:us-west-2:123456789012:harness/MyHarness-XyZ1234567';
const agentRuntimeArn = 'arn:aws:bedrock-agentcore:eu-central-1:123456789012:runtime/support_agent-AbCdE12345';

describe('AgentCore agent schemas', () => {
  it('accept real-shaped ARNs, the emulator’s, qualifiers and overrides', () => {
    expect(
      agentCoreHarnessSchema.parse({
        kind: 'agentcore-harness',
        harnessArn,
        qualifier: 'DEFAULT',
        overrides: { modelId: 'anthropic.claude', systemPrompt: 'Be brief.', allowedTools: ['shell'], maxIterations: 5, maxTokens: 2000, timeoutSeconds: 60 },
      }),
    ).toBeTruthy();
    expect(agentCoreRuntimeSchema.parse({ kind: 'agentcore-runtime', agentRuntimeArn, qualifier: 'prod_v2' })).toBeTruthy();
    for (const protocol of ['HTTP', 'AGUI'])
      expect(agentCoreRuntimeSchema.parse({ kind: 'agentcore-runtime', agentRuntimeArn, protocol }).protocol).toBe(protocol);
    expect(agentCoreAgentSchema.parse({ kind: 'agentcore-harness', harnessArn: emulatorHarnessArn('echo-attributes') }).kind).toBe('agentcore-harness');
    expect(agentCoreAgentSchema.parse({ kind: 'agentcore-runtime', agentRuntimeArn: emulatorRuntimeArn('echo') }).kind).toBe('agentcore-runtime');
    expect(agentCoreHarnessSchema.safeParse({ kind: 'agentcore-harness', harnessArn: harnessArn.replace(':aws:', ':aws-us-gov:') }).success).toBe(true);
  });

  it('reject ARNs of another shape, service or resource kind, and bad overrides', () => {
    const bad = [
      agentRuntimeArn, // a runtime is not a harness
      'arn:aws:bedrock-agentcore:us-west-2:123456789012:harness/MyHarness', // no id suffix
      'arn:aws:bedrock-agentcore:us-west-2:123456789012:harness/my-harness-XyZ1234567', // '-' in the name
      'arn:aws:bedrock:us-west-2:123456789012:harness/MyHarness-XyZ1234567',
      'arn:aws:bedrock-agentcore:us-west-2:12345:harness/MyHarness-XyZ1234567',
      `${harnessArn}/extra`,
    ];
    for (const arn of bad) expect(agentCoreHarnessSchema.safeParse({ kind: 'agentcore-harness', harnessArn: arn }).success, arn).toBe(false);
    expect(agentCoreRuntimeSchema.safeParse({ kind: 'agentcore-runtime', agentRuntimeArn: harnessArn }).success).toBe(false);
    expect(agentCoreRuntimeSchema.safeParse({ kind: 'agentcore-runtime', agentRuntimeArn, qualifier: 'has space' }).success).toBe(false);
    for (const protocol of ['agui', 'MCP', 'A2A', ''])
      expect(agentCoreRuntimeSchema.safeParse({ kind: 'agentcore-runtime', agentRuntimeArn, protocol }).success, protocol).toBe(false);
    expect(agentCoreHarnessSchema.safeParse({ kind: 'agentcore-harness', harnessArn, overrides: { maxIterations: 0 } }).success).toBe(false);
    expect(agentCoreHarnessSchema.safeParse({ kind: 'agentcore-harness', harnessArn, overrides: { maxTokens: 1.5 } }).success).toBe(false);
  });
});
