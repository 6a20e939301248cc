/** The app's routes (history API paths the server answers with index.html). No DOM. */

export type Route =
  | { readonly name: 'overview' }
  | { readonly name: 'detail'; readonly id: string }
  | { readonly name: 'graph' }
  | { readonly name: 'audit' }
  | { readonly name: 'tokens' }
  | { readonly name: 'login' }
  | { readonly name: 'not-found'; readonly path: string };

/** The route of a path (`/services/github` → detail of github). */
export function parseRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === '/' || path === '/services') return { name: 'overview' };
  if (path === '/graph') return { name: 'graph' };
  if (path === '/audit') return { name: 'audit' };
  if (path === '/tokens') return { name: 'tokens' };
  if (path === '/login-required') return { name: 'login' };
  const match = /^\/services\/([^/]+)$/.exec(path);
  if (match?.[1]) {
    try {
      return { name: 'detail', id: decodeURIComponent(match[1]) };
    } catch {
      return { name: 'not-found', path };
    }
  }
  return { name: 'not-found', path };
}

/** The path of a route. */
export function routePath(route: Route): string {
  switch (route.name) {
    case 'overview':
      return '/';
    case 'detail':
      return `/services/${encodeURIComponent(route.id)}`;
    case 'graph':
      return '/graph';
    case 'audit':
      return '/audit';
    case 'tokens':
      return '/tokens';
    case 'login':
      return '/login-required';
    case 'not-found':
      return route.path;
  }
}

/** Which navigation entry a route belongs to. */
export function navSection(route: Route): 'overview' | 'graph' | 'audit' | 'tokens' | null {
  switch (route.name) {
    case 'overview':
    case 'detail':
      return 'overview';
    case 'graph':
    case 'audit':
    case 'tokens':
      return route.name;
    default:
      return null;
  }
}
