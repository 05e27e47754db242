/**
 * One-way layers in functions/ (docs/architecture.md, "Folders"): no import cycle between files, none between
 * folders, and each top-level folder imports only folders of the layers below it. Imports are read by a real
 * TypeScript parser (oxc-parser): type-only imports, re-exports and dynamic imports count like any other.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parseSync } from 'oxc-parser';
import { describe, expect, it } from 'vitest';

const FUNCTIONS = resolve(import.meta.dirname, '../../functions');

/** The layers of functions/, lowest first: a folder may import the folders of the layers below its own, never above or beside. */
const LAYERS: readonly (readonly string[])[] = [
  ['platform'],
  ['data', 'models'],
  ['files', 'memory', 'policy'],
  ['http', 'insights', 'lifecycle', 'retention'],
  ['converse'],
  ['handlers'],
];

type Graph = Map<string, Set<string>>;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The module specifiers a file imports, re-exports or imports dynamically (a literal string). */
function specifiersOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const { module, errors } = parseSync(file, text);
  if (errors.length) throw new Error(`${file}: ${errors[0]!.message}`);
  return [
    ...module.staticImports.map((i) => i.moduleRequest.value),
    ...module.staticExports.flatMap((e) => e.entries.flatMap((x) => (x.moduleRequest ? [x.moduleRequest.value] : []))),
    ...module.dynamicImports.flatMap((d) => {
      const literal = /^(['"`])([^'"`$]*)\1$/.exec(text.slice(d.moduleRequest.start, d.moduleRequest.end).trim());
      return literal ? [literal[2]!] : [];
    }),
  ];
}

/** A relative specifier as a file of the tree (`./x` is x.ts, x.tsx or x/index.ts); packages are not files of functions/. */
function resolveImport(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(from), specifier);
  return [base, `${base}.ts`, `${base}.tsx`, join(base, 'index.ts')].find((p) => existsSync(p) && statSync(p).isFile());
}

/** The import graph of functions/: file -> files it imports, paths relative to functions/. */
function importGraph(): Graph {
  const graph: Graph = new Map();
  for (const file of sourceFiles(FUNCTIONS)) {
    const targets = specifiersOf(file).flatMap((s) => {
      const target = resolveImport(file, s);
      return target?.startsWith(`${FUNCTIONS}/`) ? [relative(FUNCTIONS, target)] : [];
    });
    graph.set(relative(FUNCTIONS, file), new Set(targets));
  }
  return graph;
}

/** The graph of folders: a folder imports another when one of its files imports one of the other's. */
function folderGraph(files: Graph, folderOf: (file: string) => string): Graph {
  const graph: Graph = new Map();
  for (const [file, targets] of files) {
    const from = folderOf(file);
    const edges = graph.get(from) ?? graph.set(from, new Set()).get(from)!;
    for (const t of targets) if (folderOf(t) !== from) edges.add(folderOf(t));
  }
  return graph;
}

/** The cycles of a graph: each strongly connected component of more than one node (or a node importing itself), sorted. */
function cyclesOf(graph: Graph): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || graph.get(v)?.has(v)) cycles.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

/** The imports that break the layer rule, as `file -> file (folder may not import folder)`. */
function layerViolations(files: Graph, layers: readonly (readonly string[])[]): string[] {
  const rank = new Map(layers.flatMap((folders, i) => folders.map((f) => [f, i] as const)));
  const top = (file: string) => file.split('/')[0]!;
  const out: string[] = [];
  for (const [file, targets] of files) {
    for (const t of targets) {
      const [a, b] = [top(file), top(t)];
      if (a !== b && !((rank.get(b) ?? Infinity) < (rank.get(a) ?? -Infinity))) out.push(`${file} -> ${t} (${a}/ may not import ${b}/)`);
    }
  }
  return out;
}

const files = importGraph();
const edges = [...files.values()].reduce((n, t) => n + t.size, 0);

describe('one-way layers in functions/', () => {
  it('reads the imports of every file: static, type-only, re-exports and dynamic', () => {
    expect(files.size).toBeGreaterThan(50);
    expect(edges).toBeGreaterThan(files.size);
    expect(files.get('handlers/converse.ts')).toContain('converse/run.ts');
    expect(files.get('converse/providers/index.ts')).toContain('converse/providers/classic.ts'); // import('./classic')
    expect(files.get('policy/principal.ts')).toContain('policy/identity.ts'); // import type
  });

  it('finds a cycle where there is one (the checker itself)', () => {
    const g: Graph = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
      ['d', new Set(['a', 'd'])],
    ]);
    expect(cyclesOf(g)).toEqual([['a', 'b', 'c'], ['d']]);
    expect(layerViolations(new Map([['data/x.ts', new Set(['http/y.ts', 'platform/z.ts'])]]), LAYERS)).toEqual([
      'data/x.ts -> http/y.ts (data/ may not import http/)',
    ]);
  });

  it('has no import cycle between files', () => {
    expect(cyclesOf(files)).toEqual([]);
  });

  it('has no import cycle between folders (each folder, sub-folders included)', () => {
    expect(cyclesOf(folderGraph(files, (f) => dirname(f)))).toEqual([]);
  });

  it('every top-level folder has its layer, and imports only the layers below it', () => {
    const folders = [...new Set([...files.keys()].map((f) => f.split('/')[0]!))].sort();
    expect(folders.filter((f) => !LAYERS.flat().includes(f))).toEqual([]);
    expect(layerViolations(files, LAYERS)).toEqual([]);
  });
});
