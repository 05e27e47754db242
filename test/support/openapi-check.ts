/**
 * Every answer the API test suites see, held to docs/openapi.json as generated from the route table: the
 * operation is found by method and path template (so routes added later are covered), then its status must be
 * declared, each header it carries (HTTP's own aside) declared for that status (and valid, required ones present), its content
 * type the declared one, and a JSON body valid against the response schema. A method a path does not define is
 * held to components.responses.MethodNotAllowed. Paths outside the document (dev pages, unknown paths) and
 * CORS preflights are not checked. The schemas are JSON Schema 2020-12 (OpenAPI 3.1), checked with Ajv.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { buildOpenApi } from '../../functions/http/openapi';

type Obj = Record<string, any>;
const doc = buildOpenApi() as Obj;
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);
ajv.addSchema(doc, 'openapi.json');

const pointer = (...parts: string[]) => parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');
const resolve = (node: Obj): Obj =>
  node?.$ref
    ? resolve(
        node.$ref
          .slice(2)
          .split('/')
          .reduce((o: Obj, k: string) => o[k.replaceAll('~1', '/').replaceAll('~0', '~')], doc),
      )
    : node;

/** HTTP's own headers (the connection, the body's framing and type, the date): every other header an answer carries must be declared for it. */
const TRANSPORT_HEADERS = new Set(['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding', 'content-type']);

const templates = Object.keys(doc.paths).map((template) => ({
  template,
  re: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
  statics: template.split('/').filter((s) => !s.startsWith('{')).length,
}));

/** The path template a request path is an instance of (the most literal one, as API Gateway picks). */
export function templateOf(path: string): string | undefined {
  const bare = path.split('?')[0]!;
  return templates.filter((t) => t.re.test(bare)).sort((a, b) => b.statics - a.statics)[0]?.template;
}

export interface Exchange {
  method: string;
  path: string;
  status: number;
  headers: Headers;
  /** The parsed JSON body, or the text when it is not JSON; undefined for a stream not read here. */
  body?: unknown;
}

const validators = new Map<string, ReturnType<Ajv2020['getSchema']>>();
function validatorAt(ref: string) {
  if (!validators.has(ref)) validators.set(ref, ajv.getSchema(ref) ?? ajv.compile({ $ref: ref }));
  return validators.get(ref)!;
}

/** How many answers were checked per operation (`METHOD template` where the path defines no such method), in this worker. */
export const checked = new Map<string, number>();

/** The ways this answer breaks the document ([] when it keeps it). */
export function openApiMismatches(x: Exchange): string[] {
  const template = templateOf(x.path);
  const method = x.method.toLowerCase();
  if (!template || method === 'options' || method === 'head') return [];
  const operation = doc.paths[template][method];
  const key = operation?.operationId ?? `${x.method} ${template}`;
  checked.set(key, (checked.get(key) ?? 0) + 1);
  const at = `${x.method} ${x.path} (${operation?.operationId ?? template}) answered ${x.status}`;
  let response: Obj | undefined;
  let where: string;
  if (operation) {
    response = operation.responses[String(x.status)];
    if (!response) return [`${at}: status not declared (declared: ${Object.keys(operation.responses).join(' ')})`];
    where = response.$ref ? `openapi.json${response.$ref}` : `openapi.json#/${pointer('paths', template, method, 'responses', String(x.status))}`;
  } else {
    if (x.status !== 405) return [`${at}: the path defines no ${x.method}, so only a 405 is declared`];
    where = 'openapi.json#/components/responses/MethodNotAllowed';
    response = doc.components.responses.MethodNotAllowed;
  }
  const resolved = resolve(response!);
  const problems: string[] = [];
  const declared: Record<string, Obj> = Object.fromEntries(
    Object.entries((resolved.headers ?? {}) as Obj).map(([k, v]) => [k.toLowerCase(), { name: k, ...resolve(v) }]),
  );
  const names = new Set([...x.headers.keys()].filter((h) => !TRANSPORT_HEADERS.has(h)));
  for (const name of new Set([...names, ...Object.keys(declared)])) {
    const value = x.headers.get(name);
    const d = declared[name];
    if (value !== null && !d) problems.push(`${at}: header ${name} is not declared for this status`);
    if (value === null && d?.required) problems.push(`${at}: required header ${d.name} is missing`);
    if (value !== null && d?.schema) {
      const asInteger = d.schema.type === 'integer' && /^-?\d+$/.test(value) ? Number(value) : value;
      const check = ajv.compile(d.schema);
      if (!check(asInteger)) problems.push(`${at}: header ${name}: ${JSON.stringify(value)} ${ajv.errorsText(check.errors)}`);
    }
  }
  const contentTypes = Object.keys(resolved.content ?? {});
  const actual = (x.headers.get('content-type') ?? '').split(';')[0]!.trim();
  if (contentTypes.length && !contentTypes.includes(actual))
    return [...problems, `${at}: content type ${actual || '(none)'}, declared ${contentTypes.join(', ')}`];
  if (actual === 'application/json' && x.body !== undefined) {
    const validate = validatorAt(`${where}/content/application~1json/schema`)!;
    if (!validate(x.body)) {
      const errors = (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
      problems.push(`${at}: body does not match the response schema: ${errors.join('; ')}`);
    }
  }
  return problems;
}

/** Throws when the answer breaks the document (the test that made the call fails, naming the call). */
export function expectOpenApi(x: Exchange): void {
  const problems = openApiMismatches(x);
  if (problems.length) throw new Error(`The answer breaks docs/openapi.json:\n${problems.join('\n')}`);
}
