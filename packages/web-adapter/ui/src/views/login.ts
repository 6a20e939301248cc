/** Shown without a session: how to log in. */
import { h } from '../dom.js';

export function loginView(retry: () => void, message?: string, discordLogin = false): HTMLElement {
  return h(
    'div',
    { class: 'page login-page', 'data-testid': 'login-required' },
    h('h1', { tabindex: '-1' }, 'Log in to servicedeck'),
    message ? h('p', { class: 'notice' }, message) : null,
    discordLogin
      ? h(
          'p',
          null,
          h(
            'a',
            { class: 'button primary', href: '/auth/discord/login', 'data-testid': 'discord-login' },
            'Log in with Discord',
          ),
          ' — members of the bot’s server with access to the dashboard. Or:',
        )
      : null,
    h(
      'p',
      null,
      'This dashboard needs a session. When servicedeck started, it printed a login link like ',
      h('code', null, 'http://127.0.0.1:4600/login?token=…'),
      '. Open that link in this browser: it logs you in and brings you back here.',
    ),
    h(
      'p',
      null,
      'A link works once and for a few minutes. For a new one, run ',
      h('code', null, 'servicedeck web login'),
      ' on the host (or restart servicedeck).',
    ),
    h(
      'button',
      { type: 'button', class: 'button primary', onClick: retry },
      'I have opened the link — try again',
    ),
  );
}
