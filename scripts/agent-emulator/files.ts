/**
 * Files that reached an emulated agent, for every kind: classic/inline `sessionState.files` /
 * `inlineSessionState.files` (name, S3 source, use case), the harness's attached-files text block, the
 * runtime payload's `files`. The `echo-files` agent of each kind answers with the names it received, so a test
 * sees over HTTP that a file reached the agent (the full requests are at GET /_emulator/requests).
 */
import { echoAnswer } from './agents';

export interface ReceivedFile {
  name: string;
  /** s3://bucket/key */
  uri?: string;
  useCase?: string;
}

/** `sessionState.files` / `inlineSessionState.files` of an InvokeAgent / InvokeInlineAgent body. */
export function classicFiles(state: any): ReceivedFile[] {
  const files: any[] = Array.isArray(state?.files) ? state.files : [];
  return files.map((f) => ({
    name: String(f?.name ?? ''),
    ...(f?.source?.s3Location?.uri ? { uri: String(f.source.s3Location.uri) } : {}),
    ...(f?.useCase ? { useCase: String(f.useCase) } : {}),
  }));
}

/** The echo answer plus the files received: `You said: …; files: a.pdf, b.png` (or `files: none`). */
export const filesAnswer = (input: string, names: string[]) => `${echoAnswer(input)}; files: ${names.length ? names.join(', ') : 'none'}`;
