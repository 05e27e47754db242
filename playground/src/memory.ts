/** The memory panel: the caller's AgentCore Memory records (list, delete one, forget me). */
import { PikaApiError } from 'pika-shared/client';
import { $, el, failureText, type MemoryRecord, state } from './page';

/** How a 401 is handled (main.ts: back to the sign-in form); set once at start. */
let report: (err: unknown, what: string) => void = () => undefined;
export function onMemoryUnauthorized(handler: typeof report): void {
  report = handler;
}

function memoryStatus(text: string) {
  $('memory-status').textContent = text;
}
function memoryError(text?: string) {
  const box = $('memory-error');
  box.hidden = !text;
  box.textContent = text ?? '';
}
function failed(err: unknown, what: string) {
  if (err instanceof PikaApiError && err.status === 401) return report(err, what);
  memoryError(failureText(err, what));
}

function memoryItem(r: MemoryRecord) {
  const del = el('button', { type: 'button', className: 'danger' }, 'Delete');
  del.setAttribute('aria-label', `Delete record: ${r.content}`);
  del.addEventListener('click', () => void deleteMemoryRecord(r.recordId));
  const li = el(
    'li',
    {},
    el('p', { className: 'content' }, r.content, el('small', {}, `${r.namespaces.join(', ')} · ${new Date(r.createdAt).toLocaleString()}`)),
    del,
  );
  li.dataset.recordId = r.recordId;
  return li;
}

export async function loadMemory(reset: boolean) {
  if (!state.client) return;
  if (reset) state.memoryCursor = undefined;
  memoryError();
  try {
    const page = await state.client.call('listMyMemory', { query: { limit: 20, ...(state.memoryCursor ? { cursor: state.memoryCursor } : {}) } });
    const list = $('memory-list');
    if (reset) list.replaceChildren();
    list.append(...page.items.map(memoryItem));
    state.memoryCursor = page.nextCursor;
    $('more-memory').hidden = !page.nextCursor;
    $('no-memory').hidden = list.children.length > 0;
    memoryStatus(`${list.children.length} record${list.children.length === 1 ? '' : 's'}${page.nextCursor ? ' (more to load)' : ''}`);
  } catch (err) {
    failed(err, 'Listing your memory');
  }
}

export async function openMemory() {
  $('memory-panel').hidden = false;
  $('memory').setAttribute('aria-expanded', 'true');
  memoryStatus('Loading…');
  await loadMemory(true);
  $('memory-h').focus();
}
export function closeMemory(focus = true) {
  $('memory-panel').hidden = true;
  $('memory').setAttribute('aria-expanded', 'false');
  if (focus) $('memory').focus();
}

async function deleteMemoryRecord(recordId: string) {
  if (!state.client) return;
  memoryError();
  try {
    await state.client.call('deleteMyMemoryRecord', { params: { recordId } });
    [...$('memory-list').children].find((li) => (li as HTMLElement).dataset.recordId === recordId)?.remove();
    const left = $('memory-list').children.length;
    $('no-memory').hidden = left > 0;
    memoryStatus(`Record deleted. ${left} left.`);
    $('memory-h').focus();
  } catch (err) {
    failed(err, 'Deleting the record');
  }
}

export async function forgetMe() {
  if (!state.client) return;
  if (!confirm('Forget everything every chat app remembers about you? This cannot be undone.')) return;
  memoryError();
  try {
    const r = await state.client.call('forgetMyMemory', {});
    $('memory-list').replaceChildren();
    state.memoryCursor = undefined;
    $('more-memory').hidden = true;
    $('no-memory').hidden = false;
    memoryStatus(`Forgotten: ${r.records} record${r.records === 1 ? '' : 's'} and ${r.events} event${r.events === 1 ? '' : 's'} deleted.`);
  } catch (err) {
    failed(err, 'Forgetting you');
  }
}
