/** The app: session, shell (navigation, connection indicator, theme), routing, live updates. */
import { ApiError, api, onUnauthenticated, setCsrfToken } from './api.js';
import type { AppContext, View } from './context.js';
import { h, setAttr, setText } from './dom.js';
import { statusLabel } from './format.js';
import { connectLive, type LiveConnection } from './live.js';
import { announce, errorBox, mountNotifications, showError, toast } from './notify.js';
import { navSection, parseRoute, type Route } from './router.js';
import { type ConnectionState, Store, statusAnnouncement } from './store.js';
import { applyTheme, nextTheme, storedTheme, THEME_LABELS } from './theme.js';
import type { Instance, ServiceSummary, Session } from './types.js';
import { auditView } from './views/audit.js';
import { detailView } from './views/detail.js';
import { graphView } from './views/graph.js';
import { loginView } from './views/login.js';
import { overviewView } from './views/overview.js';
import { tokensView } from './views/tokens.js';

const store = new Store();
let session: Session | null = null;
let live: LiveConnection | null = null;
let current: View | null = null;
let instancesCache: { at: number; promise: Promise<Instance[]> } | null = null;

let theme = storedTheme();
applyTheme(theme);

const root = h('div', { class: 'app' });
const main = h('main', { id: 'main', class: 'main', tabindex: '-1' });
const nav = h('nav', { class: 'nav', 'aria-label': 'Main' });
const connection = h(
  'span',
  {
    class: 'connection',
    'data-testid': 'connection-status',
    'data-state': 'connecting',
    title: 'Live updates',
  },
  h('span', { class: 'connection-dot', 'aria-hidden': 'true' }),
  h('span', { class: 'connection-text' }, 'Connecting…'),
);
const themeButton = h('button', {
  type: 'button',
  class: 'button ghost small',
  'data-testid': 'theme-toggle',
});
const who = h('span', { class: 'who' });
const logout = h(
  'button',
  { type: 'button', class: 'button ghost small', 'data-testid': 'logout' },
  'Log out',
);
const header = h(
  'header',
  { class: 'topbar' },
  h(
    'a',
    { class: 'brand', href: '/' },
    h('span', { class: 'brand-mark', 'aria-hidden': 'true' }, '◆'),
    'servicedeck',
  ),
  nav,
  h('div', { class: 'topbar-tools' }, connection, themeButton, who, logout),
);

const CONNECTION_TEXT: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

function updateConnection(state: ConnectionState): void {
  connection.dataset.state = state;
  const text = connection.querySelector('.connection-text');
  if (text) setText(text, CONNECTION_TEXT[state]);
  setAttr(
    connection,
    'title',
    state === 'live' ? 'Live updates are on' : `Live updates: ${CONNECTION_TEXT[state].toLowerCase()}`,
  );
}

function updateThemeButton(): void {
  setText(themeButton, THEME_LABELS[theme]);
  setAttr(themeButton, 'aria-label', `Theme: ${theme} (select to change)`);
}
themeButton.addEventListener('click', () => {
  theme = nextTheme(theme);
  applyTheme(theme);
  updateThemeButton();
  announce(`Theme: ${theme}.`);
});
updateThemeButton();

function renderNav(route: Route): void {
  const section = navSection(route);
  const items: { key: NonNullable<ReturnType<typeof navSection>>; label: string; href: string }[] = [
    { key: 'overview', label: 'Services', href: '/' },
    { key: 'graph', label: 'Graph', href: '/graph' },
  ];
  if (session?.level === 'manage') {
    items.push(
      { key: 'audit', label: 'Audit log', href: '/audit' },
      { key: 'tokens', label: 'API tokens', href: '/tokens' },
    );
  }
  nav.replaceChildren(
    h(
      'ul',
      null,
      items.map((item) =>
        h(
          'li',
          null,
          h('a', { href: item.href, 'aria-current': item.key === section ? 'page' : null }, item.label),
        ),
      ),
    ),
  );
}

const context = (): AppContext => {
  if (!session) throw new Error('no session');
  return {
    store,
    session,
    canManage: session.level === 'manage',
    navigate,
    reloadServices: loadServices,
    instances: () => {
      if (!instancesCache || Date.now() - instancesCache.at > 5000) {
        instancesCache = { at: Date.now(), promise: api.get<Instance[]>('/api/instances') };
        instancesCache.promise.catch(() => {
          instancesCache = null;
        });
      }
      return instancesCache.promise;
    },
  };
};

function showLogin(message?: string, discordLogin = false): void {
  current?.destroy();
  current = null;
  live?.close();
  live = null;
  session = null;
  setCsrfToken(null);
  if (window.location.pathname !== '/login-required')
    window.history.replaceState(null, '', '/login-required');
  document.title = 'Log in · servicedeck';
  root.replaceChildren(
    h(
      'main',
      { id: 'main', class: 'main', tabindex: '-1' },
      loginView(() => void boot(), message, discordLogin),
    ),
  );
  root.querySelector('h1')?.focus();
}

function renderRoute(focus: boolean): void {
  if (!session) return;
  const route = parseRoute(window.location.pathname);
  if (route.name === 'login') {
    window.history.replaceState(null, '', '/');
    renderRoute(focus);
    return;
  }
  current?.destroy();
  const ctx = context();
  switch (route.name) {
    case 'overview':
      current = overviewView(ctx);
      break;
    case 'detail':
      current = detailView(ctx, route.id);
      break;
    case 'graph':
      current = graphView(ctx);
      break;
    case 'audit':
      current = auditView(ctx);
      break;
    case 'tokens':
      current = tokensView(ctx);
      break;
    default:
      current = {
        element: h(
          'div',
          { class: 'page' },
          h('h1', { tabindex: '-1' }, 'Page not found'),
          h(
            'p',
            null,
            'There is no page at ',
            h('code', null, route.path),
            '. ',
            h('a', { href: '/' }, 'See all services'),
            '.',
          ),
        ),
        title: 'Not found',
        destroy: () => undefined,
      };
  }
  renderNav(route);
  main.replaceChildren(current.element);
  document.title = `${current.title} · servicedeck`;
  if (focus) {
    window.scrollTo(0, 0);
    (main.querySelector('h1') ?? main).focus({ preventScroll: true });
  }
}

function navigate(path: string, options: { replace?: boolean } = {}): void {
  const url = new URL(path, window.location.origin);
  const target = `${url.pathname}${url.search}`;
  if (target === `${window.location.pathname}${window.location.search}`) return;
  if (options.replace) window.history.replaceState(null, '', target);
  else window.history.pushState(null, '', target);
  renderRoute(true);
}

document.addEventListener('click', (event) => {
  if (
    event.defaultPrevented ||
    event.button !== 0 ||
    event.metaKey ||
    event.ctrlKey ||
    event.shiftKey ||
    event.altKey
  )
    return;
  const anchor = (event.target as Element | null)?.closest?.('a');
  if (!anchor) return;
  const href = anchor.getAttribute('href') ?? (anchor instanceof SVGAElement ? anchor.href.baseVal : null);
  if (
    !href ||
    href.startsWith('#') ||
    anchor.hasAttribute('download') ||
    (anchor.getAttribute('target') ?? '') !== ''
  )
    return;
  const url = new URL(href, window.location.href);
  if (url.origin !== window.location.origin || parseRoute(url.pathname).name === 'not-found' || !session)
    return;
  event.preventDefault();
  navigate(`${url.pathname}${url.search}`);
});
window.addEventListener('popstate', () => renderRoute(true));

let reloadTimer: number | undefined;
async function loadServices(): Promise<void> {
  try {
    store.setServices(await api.get<ServiceSummary[]>('/api/services'));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return;
    showError(error, 'Could not load the services');
  }
}
function reloadServicesSoon(): void {
  window.clearTimeout(reloadTimer);
  reloadTimer = window.setTimeout(() => void loadServices(), 250);
}

let previousConnection: ConnectionState = 'connecting';
store.subscribe((changes) => {
  for (const change of changes) {
    if (change.kind === 'connection') {
      updateConnection(change.state);
      if (
        change.state === 'live' &&
        (previousConnection === 'offline' || previousConnection === 'reconnecting')
      ) {
        announce('Live updates reconnected.');
      } else if (change.state === 'offline' && previousConnection === 'live') {
        announce('Live updates lost; retrying.');
      }
      previousConnection = change.state;
    } else if (change.kind === 'catalog') {
      reloadServicesSoon();
    } else if (change.kind === 'reset') {
      void loadServices().then(() => renderRoute(false));
    }
  }
  const text = statusAnnouncement(
    changes,
    (id) => store.services.get(id)?.name ?? id,
    (status) => statusLabel(status).text,
  );
  if (text) announce(text);
});

logout.addEventListener('click', async () => {
  try {
    await api.delete('/api/session');
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) {
      showError(error, 'Could not log out');
      return;
    }
  }
  showLogin('You have logged out. Open a new login link to come back.');
});

onUnauthenticated(() => {
  if (session) showLogin('Your session has ended. Open a new login link to continue.');
});

async function boot(): Promise<void> {
  try {
    session = await api.get<Session>('/api/session');
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      // A session that just ended says why; the server says whether Discord login is offered.
      showLogin(
        error.message.startsWith('Your access') ? error.message : undefined,
        error.info.details.discordLogin === true,
      );
      return;
    }
    root.replaceChildren(
      h(
        'main',
        { id: 'main', class: 'main' },
        h(
          'div',
          { class: 'page' },
          h('h1', null, 'servicedeck'),
          errorBox(error, () => void boot()),
        ),
      ),
    );
    return;
  }
  setCsrfToken(session.csrfToken);
  setText(who, `${session.actor} · ${session.level}`);
  setAttr(
    who,
    'title',
    `Signed in as ${session.actor} (${session.level === 'manage' ? 'can manage' : 'read only'}) via ${session.via}`,
  );
  logout.hidden = session.via !== 'session';
  root.replaceChildren(h('a', { class: 'skip-link', href: '#main' }, 'Skip to content'), header, main);
  live?.close();
  live = connectLive(store, () => {
    // The stream closed for good: maybe the session ended.
    void api.get<Session>('/api/session').catch(() => undefined);
  });
  renderRoute(false);
  await loadServices();
  if (session.level === 'read') toast('Read-only access: you can look, not change.', 'info');
}

document.body.replaceChildren(root);
mountNotifications(document.body);
void boot();
