/**
 * Serves the page: index.html, the bundle (dist/app.js, built if missing) and config.json from the environment
 * (PIKA_API_URL, PIKA_CHAT_APP_ID, PIKA_TOKEN). The API must allow this origin (the backend's CORS_ORIGINS).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundle, root } from './build.js';
import type { ChatConfig } from './config.js';

export async function serve(config: ChatConfig, port = 0, dist = join(root, 'dist')): Promise<{ url: string; server: Server }> {
  if (!existsSync(join(dist, 'app.js'))) await bundle(dist);
  const files: Record<string, [string, string | Buffer]> = {
    '/': ['text/html; charset=utf-8', readFileSync(join(root, 'index.html'))],
    '/app.js': ['text/javascript; charset=utf-8', readFileSync(join(dist, 'app.js'))],
  };
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://page').pathname;
    // Read per request: a test may fill the config in once the API is up.
    const file = path === '/config.json' ? (['application/json', JSON.stringify(config)] as [string, string]) : files[path];
    if (!file) return void res.writeHead(404).end('Not found');
    res.writeHead(200, { 'content-type': file[0], 'cache-control': 'no-store' }).end(file[1]);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const env = (name: string, fallback?: string) => {
    const value = process.env[name] ?? fallback;
    if (!value) throw new Error(`Set ${name}`);
    return value;
  };
  const { url } = await serve(
    { apiUrl: env('PIKA_API_URL', 'http://localhost:3000'), chatAppId: env('PIKA_CHAT_APP_ID', 'demo'), token: env('PIKA_TOKEN') },
    Number(process.env.PORT ?? 5173),
  );
  console.log(`Chat page on ${url} (the API must allow this origin: CORS_ORIGINS=${url})`);
}
