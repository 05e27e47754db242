/**
 * The browser playground and the interactive API reference, served by `npm start` (never deployed: not part of
 * the CDK stack). `playground/src/main.ts` is bundled with esbuild on first request; the API reference is
 * swagger-ui-dist from node_modules with docs/openapi.json. Nothing is fetched from a CDN.
 *
 * `createPlaygroundHandler(config)` answers GET/HEAD of `/`, `/playground[/…]` and `/docs[/…]` and returns false
 * for anything else, so the local API can mount it in front of its routes, and the browser tests can serve the
 * same pages from another origin.
 */
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const PAGES = join(ROOT, 'playground');
const SWAGGER_UI = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

export interface PlaygroundConfig {
  /** The API's base URL; empty or absent: the page's own origin. */
  apiUrl?: string;
  /** Prefilled in the sign-in form (local dev tokens only). */
  token?: string;
  /** Chat apps offered in the picker (users cannot list chat apps through the API). */
  chatApps?: { chatAppId: string; title: string }[];
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
};

/** The playground's files: path → file on disk (a fixed list, so no path from a request reaches the disk). */
const FILES: Record<string, string> = {
  '/playground/styles.css': join(PAGES, 'styles.css'),
  '/docs/docs.css': join(PAGES, 'docs.css'),
  '/docs/init.js': join(PAGES, 'docs-init.js'),
  '/docs/swagger-ui.css': join(SWAGGER_UI, 'swagger-ui.css'),
  '/docs/swagger-ui-bundle.js': join(SWAGGER_UI, 'swagger-ui-bundle.js'),
  '/docs/favicon-32x32.png': join(SWAGGER_UI, 'favicon-32x32.png'),
};

let bundle: Promise<string> | undefined;

/** Bundles the playground (pika-shared/client from source, through playground/tsconfig.json's paths). */
export function buildPlayground(): Promise<string> {
  bundle ??= build({
    entryPoints: [join(PAGES, 'src/main.ts')],
    tsconfig: join(PAGES, 'tsconfig.json'),
    bundle: true,
    write: false,
    format: 'esm',
    target: 'es2022',
    platform: 'browser',
    minify: true,
    sourcemap: 'inline',
    logLevel: 'silent',
  }).then((r) => r.outputFiles[0]!.text);
  bundle.catch(() => (bundle = undefined));
  return bundle;
}

/**
 * True for a loopback `Host` (`localhost`, `127.0.0.1`, `[::1]`, with or without a port): the only hosts the dev
 * token is handed to. A page of another name that resolves to this machine (DNS rebinding) gets nothing.
 */
export function isLoopbackHost(host: string | undefined): boolean {
  return /^(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/i.test(host ?? '');
}

export function createPlaygroundHandler(config: PlaygroundConfig = {}) {
  const send = (req: IncomingMessage, res: ServerResponse, status: number, type: string, body: string | Buffer, extra: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...extra });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  const page = (name: string) => readFile(join(PAGES, name), 'utf8');

  return async function servePlayground(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const html = (body: string) =>
      send(req, res, 200, TYPES['.html']!, body, {
        'content-security-policy': "default-src 'self'; connect-src *; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
      });
    if (path === '/' || path === '/playground' || path === '/playground/') return (html(await page('index.html')), true);
    if (path === '/docs' || path === '/docs/') return (html(await page('docs.html')), true);
    if (path === '/playground/app.js') return (send(req, res, 200, TYPES['.js']!, await buildPlayground()), true);
    if (path === '/playground/config.json' || path === '/docs/config.json') {
      if (!isLoopbackHost(req.headers.host)) {
        const error = { code: 'FORBIDDEN', message: 'The playground configuration is served to localhost, 127.0.0.1 or [::1] only' };
        return (send(req, res, 403, TYPES['.json']!, JSON.stringify({ error })), true);
      }
      return (send(req, res, 200, TYPES['.json']!, JSON.stringify(config)), true);
    }
    if (path === '/docs/openapi.json') {
      const spec = JSON.parse(await readFile(join(ROOT, 'docs/openapi.json'), 'utf8')) as { servers?: unknown };
      // "Try it out" goes to this API: the configured URL, else the origin the page was loaded from.
      spec.servers = [{ url: config.apiUrl || `http://${req.headers.host ?? 'localhost:3000'}`, description: 'local API' }];
      return (send(req, res, 200, TYPES['.json']!, JSON.stringify(spec)), true);
    }
    const file = FILES[path];
    if (file) return (send(req, res, 200, TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream', await readFile(file)), true);
    if (path.startsWith('/playground/') || path.startsWith('/docs/')) return (send(req, res, 404, 'text/plain; charset=utf-8', 'Not found'), true);
    return false;
  };
}
