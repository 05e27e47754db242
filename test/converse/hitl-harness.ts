/** Chat apps with agents that ask the client (human in the loop), for the tests of each protocol. */
import type { Api } from '../api/harness';
import { chatAppWith, storedMessages } from './harness';

/** The emulator's asking functions as the chat app's client tools (cancel_order asks for an approval either way). */
export const CLIENT_TOOLS = [
  { name: 'lookup_order', description: 'Looks an order up in the browser' },
  { name: 'cancel_order', approval: true },
];

/** A chat app whose agent is the emulator's `name` agent of `kind`, with `clientTools` (default CLIENT_TOOLS). */
export const askingApp = (api: Api, kind: string, name: string, clientTools: unknown = CLIENT_TOOLS) => chatAppWith(api, kind, name, { clientTools });

export { storedMessages };
