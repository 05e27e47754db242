/** Bundles the page (src/main.tsx and everything it imports) into dist/app.js with esbuild: no download at run time. */
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function bundle(outdir = join(root, 'dist')): Promise<string> {
  await build({
    entryPoints: [join(root, 'src/main.tsx')],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    jsx: 'automatic',
    minify: true,
    outfile: join(outdir, 'app.js'),
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
  });
  return outdir;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await bundle();
