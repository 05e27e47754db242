/**
 * The API Gateway side of the deployed tier, read from the synthesized template: resources and methods
 * (which function, proxy or response-streaming integration, MOCK methods), the REQUEST authorizer with its
 * identity source and result cache, required-parameter validation, and gateway responses (status, header
 * mappings, body template; types without their own response fall back to DEFAULT_4XX/5XX's with their
 * default status). Behaviour API Gateway documents, emulated; IAM evaluation in AWS is not (covered by
 * the template assertions in test/cdk).
 */
import { randomUUID } from 'node:crypto';
import type { InvokeResult, LambdaService, StreamResult } from './lambda';

type Json = Record<string, any>;

export interface GatewayRequest {
  method: string;
  /** Path with query, e.g. /sessions?limit=5 */
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface GatewayResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Body pieces as the integration produced them (streamed responses: one per write). */
  chunks: string[];
  /** Which gateway response answered, if API Gateway answered by itself. */
  gatewayResponse?: string;
  /** Why a streamed integration response is broken (API Gateway's 502, or a stream cut short), if it is. */
  integrationError?: string;
}

/** Default status and message of the gateway response types the emulator produces. */
const GATEWAY_DEFAULTS: Record<string, [number, string]> = {
  UNAUTHORIZED: [401, 'Unauthorized'],
  ACCESS_DENIED: [403, 'User is not authorized to access this resource'],
  MISSING_AUTHENTICATION_TOKEN: [403, 'Missing Authentication Token'],
  BAD_REQUEST_PARAMETERS: [400, 'Missing required request parameters'],
  AUTHORIZER_CONFIGURATION_ERROR: [500, 'Internal server error'],
  AUTHORIZER_FAILURE: [500, 'Internal server error'],
  INTEGRATION_FAILURE: [504, 'Internal server error'],
  INTEGRATION_TIMEOUT: [504, 'Endpoint request timed out'],
  API_CONFIGURATION_ERROR: [500, 'Internal server error'],
  INVALID_API_KEY: [403, 'Forbidden'],
};

interface Method {
  path: string;
  httpMethod: string;
  props: Json;
}

const flat = (v: unknown): string => {
  if (typeof v === 'string') return v;
  const o = v as Json;
  if (o['Fn::Join']) return (o['Fn::Join'][1] as unknown[]).map(flat).join(o['Fn::Join'][0]);
  if (o['Fn::GetAtt']) return `<${o['Fn::GetAtt'].join('.')}>`;
  if (o.Ref) return `<${o.Ref}>`;
  return JSON.stringify(o);
};
const functionOfUri = (uri: unknown): string => {
  const m = /\/functions\/<(\w+)\.Arn>\/(response-streaming-)?invocations$/.exec(flat(uri));
  if (!m) throw new Error(`not a Lambda integration URI: ${flat(uri)}`);
  return m[1]!;
};
const headerOf = (headers: Record<string, string>, name: string) => Object.entries(headers).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];

export class Gateway {
  readonly stage: string;
  readonly apiId = 'tierapi001';
  private readonly methods: Method[] = [];
  private readonly responses = new Map<string, Json>();
  private readonly authorizer: { functionId: string; identityHeader: string; ttlSeconds: number } | undefined;
  private readonly cache = new Map<string, { until: number; result: Json }>();
  /** Authorizer invocations (cache misses), in order, by identity value. */
  readonly authorizerCalls: string[] = [];

  constructor(
    template: { Resources: Record<string, { Type: string; Properties: Json }> },
    private readonly lambda: LambdaService,
    private readonly region = 'us-east-1',
  ) {
    const res = Object.entries(template.Resources);
    const of = (type: string) => res.filter(([, r]) => r.Type === type);
    const resources = new Map(of('AWS::ApiGateway::Resource'));
    const pathOf = (id: string | undefined): string => {
      const r = id ? resources.get(id) : undefined;
      if (!r) return '';
      return `${pathOf(r.Properties.ParentId?.Ref)}/${r.Properties.PathPart}`;
    };
    for (const [, m] of of('AWS::ApiGateway::Method')) {
      this.methods.push({ path: pathOf(m.Properties.ResourceId?.Ref) || '/', httpMethod: m.Properties.HttpMethod, props: m.Properties });
    }
    for (const [, r] of of('AWS::ApiGateway::GatewayResponse')) this.responses.set(r.Properties.ResponseType, r.Properties);
    this.stage = of('AWS::ApiGateway::Stage')[0]![1].Properties.StageName;
    const auth = of('AWS::ApiGateway::Authorizer')[0]?.[1].Properties;
    if (auth) {
      if (auth.Type !== 'REQUEST') throw new Error(`authorizer type ${auth.Type} not emulated`);
      const header = /^method\.request\.header\.(.+)$/.exec(auth.IdentitySource)?.[1];
      if (!header) throw new Error(`identity source ${auth.IdentitySource} not emulated`);
      this.authorizer = { functionId: functionOfUri(auth.AuthorizerUri), identityHeader: header, ttlSeconds: auth.AuthorizerResultTtlInSeconds ?? 300 };
    }
  }

  /** Forgets cached authorizer results (as a redeploy or TTL expiry would). */
  clearAuthorizerCache(): void {
    this.cache.clear();
  }

  async request(req: GatewayRequest): Promise<GatewayResponse> {
    const url = new URL(req.path, 'https://api.test');
    const headers = req.headers ?? {};
    const match = this.match(url.pathname, req.method);
    if (!match) return this.gatewayResponse('MISSING_AUTHENTICATION_TOKEN', headers);
    const { method, pathParameters } = match;
    const p = method.props;
    const query = Object.fromEntries(url.searchParams);
    const requestId = randomUUID();
    const methodArn = `arn:aws:execute-api:${this.region}:111122223333:${this.apiId}/${this.stage}/${req.method}${url.pathname}`;

    let authorizerContext: Json | undefined;
    if (p.AuthorizationType === 'CUSTOM') {
      const auth = await this.authorize(req, url, headers, method, pathParameters, query, methodArn, requestId);
      if ('type' in auth) return this.gatewayResponse(auth.type, headers);
      authorizerContext = auth.context;
    }
    for (const [param, required] of Object.entries((p.RequestParameters ?? {}) as Record<string, boolean>)) {
      const q = /^method\.request\.querystring\.(.+)$/.exec(param)?.[1];
      if (required && q && !url.searchParams.has(q)) return this.gatewayResponse('BAD_REQUEST_PARAMETERS', headers);
    }

    const integration = p.Integration;
    if (integration.Type === 'MOCK') return this.mock(integration, req.method, headers);
    if (integration.Type !== 'AWS_PROXY') throw new Error(`integration ${integration.Type} not emulated`);
    const event = {
      resource: method.path,
      path: url.pathname,
      httpMethod: req.method,
      headers,
      multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
      queryStringParameters: Object.keys(query).length ? query : null,
      multiValueQueryStringParameters: Object.keys(query).length
        ? Object.fromEntries([...url.searchParams.keys()].map((k) => [k, url.searchParams.getAll(k)]))
        : null,
      pathParameters: Object.keys(pathParameters).length ? pathParameters : null,
      stageVariables: null,
      body: req.body ?? null,
      isBase64Encoded: false,
      requestContext: {
        accountId: '111122223333',
        apiId: this.apiId,
        authorizer: authorizerContext ?? null,
        httpMethod: req.method,
        identity: { sourceIp: '198.51.100.7', userAgent: headerOf(headers, 'user-agent') ?? null },
        path: `/${this.stage}${url.pathname}`,
        protocol: 'HTTP/1.1',
        requestId,
        requestTimeEpoch: Date.now(),
        resourceId: 'abc123',
        resourcePath: method.path,
        stage: this.stage,
      },
    };
    const out = await this.lambda.invoke(functionOfUri(integration.Uri), event);
    const streaming = integration.ResponseTransferMode === 'STREAM';
    return streaming ? this.streamed(out, headers) : this.proxied(out, headers);
  }

  private match(path: string, httpMethod: string): { method: Method; pathParameters: Record<string, string> } | undefined {
    const segs = path.split('/').filter(Boolean);
    let best: { score: number; path: string; params: Record<string, string> } | undefined;
    for (const template of new Set(this.methods.map((m) => m.path))) {
      const t = template.split('/').filter(Boolean);
      if (t.length !== segs.length) continue;
      const params: Record<string, string> = {};
      let score = 0;
      const ok = t.every((s, i) => {
        const v = /^\{(\w+)\}$/.exec(s);
        if (v) return ((params[v[1]!] = decodeURIComponent(segs[i]!)), true);
        score++;
        return s === segs[i];
      });
      // API Gateway prefers literal segments (/sessions/search) over variables (/sessions/{sessionId}).
      if (ok && (!best || score > best.score)) best = { score, path: template, params };
    }
    if (!best) return undefined;
    const method =
      this.methods.find((m) => m.path === best!.path && m.httpMethod === httpMethod) ??
      this.methods.find((m) => m.path === best!.path && m.httpMethod === 'ANY');
    return method ? { method, pathParameters: best.params } : undefined;
  }

  private async authorize(
    req: GatewayRequest,
    url: URL,
    headers: Record<string, string>,
    method: Method,
    pathParameters: Record<string, string>,
    query: Record<string, string>,
    methodArn: string,
    requestId: string,
  ): Promise<{ type: string } | { context: Json }> {
    const a = this.authorizer!;
    const identity = headerOf(headers, a.identityHeader);
    // A REQUEST authorizer with an identity source is not called when the source is missing: 401.
    if (!identity) return { type: 'UNAUTHORIZED' };
    const cached = a.ttlSeconds > 0 ? this.cache.get(identity) : undefined;
    let result: Json;
    if (cached && cached.until > Date.now()) result = cached.result;
    else {
      this.authorizerCalls.push(identity);
      const out: InvokeResult = await this.lambda.invoke(a.functionId, {
        type: 'REQUEST',
        methodArn,
        resource: method.path,
        path: url.pathname,
        httpMethod: req.method,
        headers,
        multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
        queryStringParameters: query,
        multiValueQueryStringParameters: Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]])),
        pathParameters,
        stageVariables: {},
        requestContext: {
          accountId: '111122223333',
          apiId: this.apiId,
          httpMethod: req.method,
          path: `/${this.stage}${url.pathname}`,
          stage: this.stage,
          requestId,
          resourcePath: method.path,
        },
      });
      if (out.kind === 'error' && out.error.errorMessage === 'Unauthorized') return { type: 'UNAUTHORIZED' };
      // Any other function error, a timeout or an answer without a policy: the authorizer is unusable.
      if (out.kind !== 'result') return { type: 'AUTHORIZER_CONFIGURATION_ERROR' };
      result = out.result as Json;
      if (!result?.principalId || !result.policyDocument?.Statement) return { type: 'AUTHORIZER_CONFIGURATION_ERROR' };
      if (a.ttlSeconds > 0) this.cache.set(identity, { until: Date.now() + a.ttlSeconds * 1000, result });
    }
    const statements = [result.policyDocument.Statement].flat() as Json[];
    const matches = (st: Json) =>
      [st.Action].flat().some((x: string) => x === 'execute-api:Invoke' || x === 'execute-api:*' || x === '*') &&
      [st.Resource].flat().some((r: string) => wildcard(r, methodArn));
    if (statements.some((st) => st.Effect === 'Deny' && matches(st))) return { type: 'ACCESS_DENIED' };
    if (!statements.some((st) => st.Effect === 'Allow' && matches(st))) return { type: 'ACCESS_DENIED' };
    return { context: { principalId: result.principalId, ...(result.context ?? {}) } };
  }

  private proxied(out: InvokeResult, reqHeaders: Record<string, string>): GatewayResponse {
    if (out.kind === 'timeout') return this.gatewayResponse('INTEGRATION_TIMEOUT', reqHeaders);
    const r = out.kind === 'result' ? (out.result as Json) : undefined;
    // A function error or a malformed proxy answer: 502 "Internal server error" (not customizable).
    if (!r || typeof r.statusCode !== 'number')
      return { status: 502, headers: { 'content-type': 'application/json' }, body: '{"message": "Internal server error"}', chunks: [] };
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries((r.headers ?? {}) as Record<string, string>)) headers[k.toLowerCase()] = String(v);
    for (const [k, v] of Object.entries((r.multiValueHeaders ?? {}) as Record<string, string[]>)) headers[k.toLowerCase()] = v.join(',');
    const body = r.isBase64Encoded ? Buffer.from(r.body ?? '', 'base64').toString('utf8') : (r.body ?? '');
    return { status: r.statusCode, headers, body, chunks: [body] };
  }

  /** A response-streaming invocation: the 8-NUL-byte-delimited JSON prelude gives status and headers. */
  private streamed(out: InvokeResult, reqHeaders: Record<string, string>): GatewayResponse {
    if (out.kind === 'timeout') return this.gatewayResponse('INTEGRATION_TIMEOUT', reqHeaders);
    const bad = (integrationError: string): GatewayResponse => ({
      status: 502,
      headers: { 'content-type': 'application/json' },
      body: '{"message": "Internal server error"}',
      chunks: [],
      integrationError,
    });
    if (out.kind !== 'stream') return bad(out.kind === 'error' ? `function error: ${out.error.errorType}` : 'not a streamed response');
    const parsed = splitPrelude(out);
    // Nothing reached the client yet: a failed invocation or a prelude that is not there is API Gateway's 502.
    if ('malformed' in parsed) return bad(parsed.malformed);
    if (out.error && !parsed.chunks.length) return bad(`function error: ${out.error.errorType}`);
    const { prelude, chunks } = parsed;
    const headers = Object.fromEntries(Object.entries((prelude.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), String(v)]));
    const texts = chunks.map((c) => c.toString('utf8'));
    return {
      status: prelude.statusCode ?? 200,
      headers,
      body: texts.join(''),
      chunks: texts,
      // Failed after its first bytes: the client sees the stream cut there.
      ...(out.error ? { integrationError: `function error mid-stream: ${out.error.errorType}` } : {}),
    };
  }

  private mock(integration: Json, httpMethod: string, reqHeaders: Record<string, string>): GatewayResponse {
    const status = String(JSON.parse(integration.RequestTemplates['application/json']).statusCode);
    const ir = (integration.IntegrationResponses as Json[]).find((r) => r.StatusCode === status)!;
    const headers: Record<string, string> = { 'content-type': 'application/json' }; // the method response's default
    for (const [k, v] of Object.entries((ir.ResponseParameters ?? {}) as Record<string, string>)) {
      const value = mapValue(v, reqHeaders);
      if (value !== undefined) headers[k.replace('method.response.header.', '').toLowerCase()] = value;
    }
    const body = (ir.ResponseTemplates?.['application/json'] ?? '').replace(/\$context\.httpMethod/g, httpMethod);
    return { status: Number(status), headers, body, chunks: [body] };
  }

  /** API Gateway answering by itself, as configured; unconfigured types fall back to DEFAULT_4XX/5XX. */
  gatewayResponse(type: string, reqHeaders: Record<string, string>): GatewayResponse {
    const [defaultStatus, message] = GATEWAY_DEFAULTS[type] ?? [500, 'Internal server error'];
    const own = this.responses.get(type);
    const config = own ?? this.responses.get(defaultStatus < 500 ? 'DEFAULT_4XX' : 'DEFAULT_5XX');
    const status = own?.StatusCode ? Number(own.StatusCode) : defaultStatus;
    if (!config) return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message }), chunks: [], gatewayResponse: type };
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    for (const [k, v] of Object.entries((config.ResponseParameters ?? {}) as Record<string, string>)) {
      const value = mapValue(v, reqHeaders);
      if (value !== undefined) headers[k.replace('gatewayresponse.header.', '').toLowerCase()] = value;
    }
    const template: string = config.ResponseTemplates?.['application/json'] ?? JSON.stringify({ message });
    const body = template.replace(/\$context\.error\.messageString/g, JSON.stringify(message)).replace(/\$context\.error\.message/g, message);
    return { status, headers, body, chunks: [body], gatewayResponse: type };
  }
}

/** A mapping value: 'literal' or method.request.header.X (absent header: no header). */
function mapValue(v: string, reqHeaders: Record<string, string>): string | undefined {
  if (v.startsWith("'") && v.endsWith("'")) return v.slice(1, -1);
  const h = /^method\.request\.header\.(.+)$/.exec(v)?.[1];
  if (h) return headerOf(reqHeaders, h);
  throw new Error(`mapping ${v} not emulated`);
}

/** IAM-style wildcard match of a policy resource against the method ARN. */
function wildcard(pattern: string, value: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(value);
}

const PRELUDE_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';

/**
 * A streamed response's parts: with the HTTP integration content type (HttpResponseStream.from), the JSON
 * prelude up to 8 NUL bytes, then the body with its chunk boundaries kept; otherwise all body, status 200.
 */
export function splitPrelude(out: StreamResult): { prelude: Json; chunks: Buffer[] } | { malformed: string } {
  const chunks = out.chunks.map((c) => Buffer.from(c));
  if (out.contentType !== PRELUDE_CONTENT_TYPE) return { prelude: { statusCode: 200, headers: { 'content-type': out.contentType } }, chunks };
  const all = Buffer.concat(chunks);
  const end = all.indexOf(Buffer.alloc(8));
  if (end < 0) return { malformed: `no prelude delimiter in ${all.length} bytes of ${PRELUDE_CONTENT_TYPE}` };
  let prelude: Json;
  try {
    prelude = JSON.parse(all.subarray(0, end).toString('utf8'));
  } catch {
    return { malformed: 'prelude is not JSON' };
  }
  // Keep the chunk boundaries after the prelude (the delimiter is its own write).
  let skip = end + 8;
  const rest = chunks.flatMap((c) => {
    if (skip >= c.length) return ((skip -= c.length), []);
    const tail = c.subarray(skip);
    skip = 0;
    return [tail];
  });
  return { prelude, chunks: rest };
}
