/** API tokens: list, create (shown once, with a copy button), revoke. */
import { api } from '../api.js';
import { onTick, tickTimes, timeAgo } from '../components.js';
import type { AppContext, View } from '../context.js';
import { confirmDialog } from '../dialog.js';
import { h } from '../dom.js';
import { announce, errorBox, showError, toast } from '../notify.js';
import type { TokenInfo } from '../types.js';

export function tokensView(ctx: AppContext): View {
  const listBox = h('div', null, h('p', { class: 'muted' }, 'Loading tokens…'));
  const created = h('div', {
    class: 'created-token',
    hidden: true,
    'data-testid': 'created-token',
    tabindex: '-1',
  });
  const nameInput = h('input', {
    id: 'token-name',
    class: 'input',
    required: true,
    maxlength: 100,
    autocomplete: 'off',
    'aria-describedby': 'token-name-error',
  });
  const nameError = h('p', { class: 'field-error', id: 'token-name-error', hidden: true });
  const scopeSelect = h(
    'select',
    { id: 'token-scope', class: 'input' },
    h('option', { value: 'read' }, 'read — view services and health'),
    h('option', { value: 'manage' }, 'manage — also change them'),
  );
  const createButton = h(
    'button',
    { type: 'submit', class: 'button primary', 'data-testid': 'token-create' },
    'Create token',
  );
  const form = h(
    'form',
    { class: 'filters token-form', novalidate: true, 'aria-labelledby': 'token-create-title' },
    h('div', { class: 'field grow' }, h('label', { for: 'token-name' }, 'Name'), nameInput, nameError),
    h('div', { class: 'field' }, h('label', { for: 'token-scope' }, 'Permission'), scopeSelect),
    h('div', { class: 'field field-button' }, createButton),
  );

  function renderList(tokens: readonly TokenInfo[]): void {
    if (tokens.length === 0) {
      listBox.replaceChildren(h('p', { class: 'muted' }, 'No API tokens yet.'));
      return;
    }
    const now = Date.now();
    listBox.replaceChildren(
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          { class: 'table compact', 'data-testid': 'tokens-table' },
          h('caption', { class: 'visually-hidden' }, 'API tokens'),
          h(
            'thead',
            null,
            h(
              'tr',
              null,
              ['Name', 'Permission', 'Prefix', 'Created', 'Last used', 'State', ''].map((t) =>
                h('th', { scope: 'col' }, t),
              ),
            ),
          ),
          h(
            'tbody',
            null,
            tokens.map((token) => {
              const revoke = token.revokedAt
                ? null
                : h(
                    'button',
                    {
                      type: 'button',
                      class: 'button danger-outline small',
                      'data-testid': `revoke-${token.id}`,
                      'aria-label': `Revoke ${token.name}`,
                    },
                    'Revoke…',
                  );
              revoke?.addEventListener('click', async () => {
                const ok = await confirmDialog(
                  `Revoke “${token.name}”?`,
                  h('p', null, 'Requests with this token are refused from now on. This cannot be undone.'),
                  'Revoke token',
                  'danger',
                  'revoke-dialog',
                );
                if (!ok) return;
                revoke.disabled = true;
                try {
                  await api.delete<TokenInfo>(`/api/tokens/${token.id}`);
                  toast(`Token “${token.name}” revoked.`, 'success');
                  announce(`Token ${token.name} revoked.`);
                  await load();
                } catch (error) {
                  revoke.disabled = false;
                  showError(error, 'Could not revoke the token');
                }
              });
              return h(
                'tr',
                { 'data-testid': `token-${token.id}`, class: token.revokedAt ? 'revoked' : null },
                h('td', { 'data-label': 'Name' }, token.name),
                h('td', { 'data-label': 'Permission' }, token.scope),
                h('td', { 'data-label': 'Prefix' }, h('code', null, `${token.prefix}…`)),
                h(
                  'td',
                  { 'data-label': 'Created' },
                  timeAgo(token.createdAt, now),
                  h('span', { class: 'muted' }, ` by ${token.createdBy}`),
                ),
                h(
                  'td',
                  { 'data-label': 'Last used' },
                  token.lastUsedAt ? timeAgo(token.lastUsedAt, now) : 'never',
                ),
                h(
                  'td',
                  { 'data-label': 'State' },
                  token.revokedAt ? ['⊘ revoked ', timeAgo(token.revokedAt, now)] : '✔ active',
                ),
                h('td', { 'data-label': '' }, revoke),
              );
            }),
          ),
        ),
      ),
    );
  }

  async function load(): Promise<void> {
    try {
      renderList(await api.get<TokenInfo[]>('/api/tokens'));
    } catch (error) {
      listBox.replaceChildren(errorBox(error, () => void load()));
    }
  }

  function showCreated(token: string, info: TokenInfo): void {
    const value = h('input', {
      class: 'input mono',
      readonly: true,
      value: token,
      'aria-label': 'The new token',
      'data-testid': 'created-token-value',
    });
    const copy = h('button', { type: 'button', class: 'button secondary' }, 'Copy');
    copy.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(token);
        copy.textContent = 'Copied';
        announce('Token copied to the clipboard.');
      } catch {
        value.select();
        announce('Select and copy the token yourself (the clipboard is not available).');
      }
    });
    created.replaceChildren(
      h('h3', null, `Token “${info.name}” (${info.scope}) created`),
      h(
        'p',
        null,
        'Copy it now: it is shown only this once. Send it as ',
        h('code', null, 'Authorization: Bearer …'),
        '.',
      ),
      h('div', { class: 'copy-row' }, value, copy),
      h(
        'button',
        {
          type: 'button',
          class: 'button secondary small',
          onClick: () => {
            created.hidden = true;
            created.replaceChildren();
          },
        },
        'Done, hide it',
      ),
    );
    created.hidden = false;
    created.focus();
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const name = nameInput.value.trim();
    nameError.hidden = name !== '';
    if (!name) {
      nameError.textContent = 'Give the token a name, e.g. what will use it.';
      nameInput.setAttribute('aria-invalid', 'true');
      nameInput.focus();
      return;
    }
    nameInput.removeAttribute('aria-invalid');
    createButton.disabled = true;
    try {
      const result = await api.post<{ token: string; info: TokenInfo }>('/api/tokens', {
        name,
        scope: scopeSelect.value,
      });
      nameInput.value = '';
      showCreated(result.token, result.info);
      await load();
    } catch (error) {
      showError(error, 'Could not create the token');
    } finally {
      createButton.disabled = false;
    }
  });

  const element = h(
    'div',
    { class: 'page tokens-page' },
    h('div', { class: 'page-head' }, h('h1', { tabindex: '-1' }, 'API tokens')),
    ctx.canManage
      ? [
          h(
            'p',
            { class: 'muted' },
            'Tokens let scripts and other tools use the HTTP API. Only a hash is stored.',
          ),
          h(
            'section',
            { class: 'panel', 'aria-labelledby': 'token-create-title' },
            h('h2', { id: 'token-create-title' }, 'New token'),
            form,
            created,
          ),
          h(
            'section',
            { class: 'panel', 'aria-labelledby': 'token-list-title' },
            h('h2', { id: 'token-list-title' }, 'Tokens'),
            listBox,
          ),
        ]
      : h('p', { 'data-testid': 'needs-manage' }, 'Managing API tokens needs the manage permission.'),
  );
  const untick = onTick((now) => tickTimes(element, now));
  if (ctx.canManage) void load();
  return { element, title: 'API tokens', destroy: untick };
}
