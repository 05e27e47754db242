/**
 * One Converse call through the Bedrock runtime client (./bedrock.ts). The client and its SDK load with the
 * first call: titles, answer verification and insights need them, most turns of a warm session do not.
 */
import type { ConverseCommandInput, ConverseCommandOutput } from '@aws-sdk/client-bedrock-runtime';

export async function converseOnce(input: ConverseCommandInput, options: { abortSignal?: AbortSignal }): Promise<ConverseCommandOutput> {
  const [{ ConverseCommand }, { bedrockRuntimeClient }] = await Promise.all([import('@aws-sdk/client-bedrock-runtime'), import('./bedrock')]);
  return bedrockRuntimeClient().send(new ConverseCommand(input), options);
}
