/**
 * A chat on the Vercel AI SDK's useChat, unchanged, against the Pika chat backend's POST /converse/ai-sdk:
 * send, stream, stop, reopen the chat with its history after a reload (the session id rides in the URL), and
 * approve or deny what the agent asks to do (a tool approval: the chat app's clientTools with approval).
 */
import { useChat } from '@ai-sdk/react';
import { DefaultChatTransport, lastAssistantMessageIsCompleteWithApprovalResponses, type UIMessage } from 'ai';
import { useMemo, useState } from 'react';
import type { ChatConfig } from './config.js';

/** What the backend puts in an answer's metadata (start / finish chunks). */
type Meta = { sessionId?: string; usage?: { totalCost: number } };

export function App({ config, sessionId, history }: { config: ChatConfig; sessionId?: string; history: UIMessage[] }) {
  const transport = useMemo(
    () =>
      new DefaultChatTransport<UIMessage>({
        api: `${config.apiUrl}/converse/ai-sdk`,
        headers: { authorization: `Bearer ${config.token}` },
        body: { chatAppId: config.chatAppId },
      }),
    [config],
  );
  // A reopened chat uses its session id as the chat id: the next message continues that session.
  const { messages, sendMessage, stop, status, error, addToolApprovalResponse } = useChat({
    ...(sessionId ? { id: sessionId } : {}),
    messages: history,
    transport,
    // Once every approval the agent asked for is answered, the answers go back and the agent carries on.
    sendAutomaticallyWhen: lastAssistantMessageIsCompleteWithApprovalResponses,
    onFinish: ({ message }) => rememberSession((message.metadata as Meta | undefined)?.sessionId),
  });
  const [input, setInput] = useState('');
  const current = [...messages].reverse().find((m) => (m.metadata as Meta | undefined)?.sessionId);
  const session = sessionId ?? (current?.metadata as Meta | undefined)?.sessionId;

  async function stopAnswer() {
    stop(); // stops reading
    // …and asks the backend to stop the agent (otherwise the whole answer is still generated and stored).
    if (session) await fetch(`${config.apiUrl}/sessions/${session}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${config.token}` } });
  }

  return (
    <main>
      <h1>Chat</h1>
      <ol aria-label="Messages">
        {messages.map((m) => (
          <li key={m.id} data-role={m.role}>
            <strong>{m.role === 'user' ? 'You' : 'Agent'}:</strong>{' '}
            {m.parts.map((p, i) =>
              p.type === 'text' ? (
                <span key={i}>{p.text}</span>
              ) : 'approval' in p && p.state === 'approval-requested' ? (
                <span key={i} role="group" aria-label="Approval">
                  Allow {p.type.slice('tool-'.length)} {JSON.stringify(p.input)}?{' '}
                  <button type="button" onClick={() => void addToolApprovalResponse({ id: p.approval.id, approved: true })}>
                    Approve
                  </button>
                  <button type="button" onClick={() => void addToolApprovalResponse({ id: p.approval.id, approved: false })}>
                    Deny
                  </button>
                </span>
              ) : null,
            )}
          </li>
        ))}
      </ol>
      {error ? <p role="alert">{error.message}</p> : null}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (!input.trim()) return;
          void sendMessage({ text: input });
          setInput('');
        }}
      >
        <label>
          Message <input value={input} onChange={(e) => setInput(e.target.value)} disabled={status === 'streaming' || status === 'submitted'} />
        </label>
        <button type="submit" disabled={status === 'streaming' || status === 'submitted'}>
          Send
        </button>
        <button type="button" onClick={() => void stopAnswer()} disabled={status !== 'streaming' && status !== 'submitted'}>
          Stop
        </button>
      </form>
      <p aria-label="Status">{status}</p>
    </main>
  );
}

/** The session id in the URL, so that a reload reopens this chat. */
function rememberSession(sessionId: string | undefined) {
  if (!sessionId) return;
  const url = new URL(location.href);
  url.searchParams.set('session', sessionId);
  history.replaceState(null, '', url);
}
