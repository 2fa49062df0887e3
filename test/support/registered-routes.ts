import type express from 'express';

/** Express 5's router layers, as far as listing routes needs them. */
interface Layer {
  rawPath?: string | string[];
  name: string;
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
}

export interface RegisteredRoute {
  /** An HTTP method, or STATIC for a folder of files mounted with express.static. */
  method: string;
  path: string;
}

/**
 * Every route the app answers, read from its router rather than written down by hand, so a
 * route added without an authorization case makes the authorization test fail.
 */
export function registeredRoutes(app: express.Express): RegisteredRoute[] {
  const found: RegisteredRoute[] = [];
  const join = (prefix: string, p: string) => (p === '/' ? prefix || '/' : `${prefix}${p}`);
  const paths = (p: string | string[] | undefined) => (p === undefined ? ['/'] : Array.isArray(p) ? p : [p]);
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const p of paths(layer.route.path)) {
          for (const method of Object.keys(layer.route.methods).filter((m) => layer.route!.methods[m] && m !== '_all')) {
            found.push({ method: method.toUpperCase(), path: join(prefix, p) });
          }
        }
      } else if (layer.handle.stack) {
        for (const p of paths(layer.rawPath)) walk(layer.handle.stack, join(prefix, p === '/' ? '' : p));
      } else if (layer.name === 'serveStatic') {
        for (const p of paths(layer.rawPath)) found.push({ method: 'STATIC', path: join(prefix, p) });
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return found;
}
