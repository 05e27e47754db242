/**
 * SigV4 as S3 checks it, for the local S3's front (./s3-server.ts): a request signed in its `Authorization`
 * header or presigned in its query, and a browser POST form's policy. The canonical request, string to sign
 * and signing key are the AWS SDK's own (@smithy/signature-v4, the signer the S3 client uses), recomputed
 * here from what arrived with the secret of the credential's key id, and compared in constant time.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Hash } from '@smithy/core/serde';
import { ALGORITHM_IDENTIFIER, createScope, getCanonicalHeaders, getSigningKey, SignatureV4, UNSIGNED_PAYLOAD } from '@smithy/signature-v4';
import type { HttpRequest } from '@smithy/types';
import { S3Error } from './s3-protocol';

const sha256 = Hash.bind(null, 'sha256');
const MAX_SKEW_MS = 15 * 60_000;
const MAX_PRESIGNED_SECONDS = 7 * 24 * 3600;
const LONG_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** What the front knows of a request: as received, the path and query raw. */
export interface ArrivedRequest {
  method: string;
  rawPath: string;
  query: Record<string, string | string[]>;
  headers: IncomingHttpHeaders;
}

/** How a request is authenticated: not at all, in its header, in its query (S3 allows one). */
export function authMechanism(req: ArrivedRequest): 'none' | 'header' | 'query' {
  const header = req.headers.authorization !== undefined;
  const query = 'X-Amz-Algorithm' in req.query || 'X-Amz-Signature' in req.query;
  if (header && query) {
    throw new S3Error(
      'InvalidArgument',
      'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified',
      400,
    );
  }
  if ('Signature' in req.query || 'AWSAccessKeyId' in req.query || /^AWS /.test(req.headers.authorization ?? '')) {
    throw new S3Error('InvalidRequest', 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.', 400);
  }
  return header ? 'header' : query ? 'query' : 'none';
}

const dateOf = (longDate: string): Date | undefined => {
  const m = LONG_DATE.exec(longDate);
  return m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)) : undefined;
};

const sameHex = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** The credential scope `<key id>/<yyyymmdd>/<region>/s3/aws4_request`, its secret and its parts. */
function credentialOf(credential: string, longDate: string, secrets: Map<string, string>) {
  const [accessKeyId = '', date, region, service, termination, ...more] = credential.split('/');
  if (!date || !region || service !== 's3' || termination !== 'aws4_request' || more.length) {
    throw new S3Error(
      'AuthorizationHeaderMalformed',
      `The credential is malformed; expecting "<key id>/YYYYMMDD/REGION/s3/aws4_request", not "${credential}".`,
      400,
    );
  }
  if (date !== longDate.slice(0, 8)) throw new S3Error('AuthorizationHeaderMalformed', `The credential date "${date}" is not that of the request.`, 400);
  const secretAccessKey = secrets.get(accessKeyId);
  if (secretAccessKey === undefined) {
    throw new S3Error('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', 403, { AWSAccessKeyId: accessKeyId });
  }
  return { credentials: { accessKeyId, secretAccessKey }, shortDate: date, region };
}

/** The SDK's signer, used for its canonical request and string to sign (protected: reached from a subclass). */
class Recomputer extends SignatureV4 {
  constructor() {
    super({ credentials: { accessKeyId: '', secretAccessKey: '' }, region: '', service: 's3', sha256, uriEscapePath: false });
  }

  async signature(request: HttpRequest, signedHeaders: string[], payloadHash: string, longDate: string, credential: ReturnType<typeof credentialOf>) {
    const canonicalHeaders = getCanonicalHeaders(request, undefined, new Set(signedHeaders));
    const scope = createScope(credential.shortDate, credential.region, 's3');
    const stringToSign = await this.createStringToSign(
      longDate,
      scope,
      this.createCanonicalRequest(request, canonicalHeaders, payloadHash),
      ALGORITHM_IDENTIFIER,
    );
    const hmac = new sha256(await getSigningKey(sha256, credential.credentials, credential.shortDate, credential.region, 's3'));
    hmac.update(stringToSign);
    return Buffer.from(await hmac.digest()).toString('hex');
  }
}
const recomputer = new Recomputer();

/** The canonical URI S3 signs: each segment decoded once and encoded as the SDK encodes it. */
const canonicalPath = (rawPath: string) =>
  rawPath
    .split('/')
    .map((s) => encodeURIComponent(decodeURIComponent(s)).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');

/**
 * Verifies a SigV4 request (header or presigned query) against `secrets` (key id → secret); throws the
 * S3Error S3 would answer. The payload: its signed hash is returned for the caller to compare with the body
 * (`UNSIGNED-PAYLOAD` when not signed).
 */
export async function verifyRequest(req: ArrivedRequest, secrets: Map<string, string>, now = Date.now()): Promise<{ payloadHash: string }> {
  const mechanism = authMechanism(req);
  if (mechanism === 'none') throw new S3Error('AccessDenied', 'Access Denied (this local S3 serves signed requests only)');
  const one = (name: string) => {
    const v = req.query[name];
    return Array.isArray(v) ? undefined : v;
  };
  let credential: string;
  let signedHeaders: string[];
  let provided: string;
  let longDate: string;
  let payloadHash: string;
  const query = { ...req.query };
  if (mechanism === 'header') {
    const auth = req.headers.authorization!;
    const m = /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/.exec(auth.trim());
    if (!m) throw new S3Error('AuthorizationHeaderMalformed', 'The authorization header is malformed; it needs Credential, SignedHeaders and Signature.', 400);
    [, credential, , provided] = m as unknown as [string, string, string, string];
    signedHeaders = m[2]!.split(';');
    longDate = String(req.headers['x-amz-date'] ?? '');
    const requestTime = dateOf(longDate);
    if (!requestTime) throw new S3Error('AccessDenied', 'AWS authentication requires a valid x-amz-date header');
    if (Math.abs(now - requestTime.getTime()) > MAX_SKEW_MS) {
      throw new S3Error('RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.', 403, { RequestTime: longDate });
    }
    const hash = req.headers['x-amz-content-sha256'];
    if (typeof hash !== 'string') throw new S3Error('InvalidRequest', 'Missing required header for this request: x-amz-content-sha256', 400);
    if (hash !== UNSIGNED_PAYLOAD && !/^[0-9a-f]{64}$/.test(hash)) {
      const streaming = hash.startsWith('STREAMING-');
      throw new S3Error(streaming ? 'NotImplemented' : 'InvalidArgument', `x-amz-content-sha256 "${hash}" is not supported here`, streaming ? 501 : 400);
    }
    payloadHash = hash;
  } else {
    if (one('X-Amz-Algorithm') !== ALGORITHM_IDENTIFIER)
      throw new S3Error('AuthorizationQueryParametersError', 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"', 400);
    const [c, d, e, h, s] = ['X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature'].map(one);
    if (!c || !d || !e || !h || !s) {
      throw new S3Error(
        'AuthorizationQueryParametersError',
        'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
        400,
      );
    }
    [credential, longDate, signedHeaders, provided] = [c, d, h.split(';'), s];
    const requestTime = dateOf(longDate);
    const expires = /^\d{1,6}$/.test(e) ? Number(e) : Number.NaN;
    if (!requestTime) throw new S3Error('AuthorizationQueryParametersError', "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"", 400);
    if (!(expires >= 1 && expires <= MAX_PRESIGNED_SECONDS))
      throw new S3Error('AuthorizationQueryParametersError', 'X-Amz-Expires must be 1 to 604800 seconds', 400);
    if (now > requestTime.getTime() + expires * 1000) throw new S3Error('AccessDenied', 'Request has expired', 403, { 'X-Amz-Expires': e });
    if (requestTime.getTime() > now + MAX_SKEW_MS) throw new S3Error('AccessDenied', 'Request is not valid yet');
    payloadHash = UNSIGNED_PAYLOAD;
    delete query['X-Amz-Signature'];
  }
  if (!signedHeaders.includes('host')) throw new S3Error('AccessDenied', 'The host header must be signed');
  // S3: every x-amz- header sent is signed.
  const unsigned = Object.keys(req.headers).filter((h) => h.startsWith('x-amz-') && !signedHeaders.includes(h));
  if (unsigned.length) {
    throw new S3Error('AccessDenied', 'There were headers present in the request which were not signed', 403, { HeadersNotSigned: unsigned.join(', ') });
  }
  const scope = credentialOf(credential, longDate, secrets);
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = req.headers[name];
    if (value === undefined) throw new S3Error('AccessDenied', `The signed header ${name} is not in the request`);
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const request = { method: req.method, protocol: 'http:', hostname: '', path: canonicalPath(req.rawPath), query, headers } as HttpRequest;
  const expected = await recomputer.signature(request, signedHeaders, payloadHash, longDate, scope);
  if (!sameHex(expected, provided)) {
    throw new S3Error(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      403,
      {
        AWSAccessKeyId: scope.credentials.accessKeyId,
      },
    );
  }
  return { payloadHash };
}

/** The hex SHA-256 of a body, to compare with its signed `x-amz-content-sha256`. */
export async function payloadHashOf(body: Buffer): Promise<string> {
  const hash = new sha256();
  hash.update(body);
  return Buffer.from(await hash.digest()).toString('hex');
}

/** Verifies a POST form's policy signature (`fields`: lower-case names); returns nothing or throws as S3 does. */
export async function verifyPolicySignature(fields: Map<string, string>, secrets: Map<string, string>): Promise<void> {
  const policy = fields.get('policy') ?? '';
  if (fields.get('x-amz-algorithm') !== ALGORITHM_IDENTIFIER) throw new S3Error('InvalidArgument', 'x-amz-algorithm must be AWS4-HMAC-SHA256', 400);
  const longDate = fields.get('x-amz-date') ?? '';
  if (!dateOf(longDate)) throw new S3Error('InvalidArgument', 'x-amz-date must be in the ISO8601 Long Format', 400);
  let credential: ReturnType<typeof credentialOf>;
  try {
    credential = credentialOf(fields.get('x-amz-credential') ?? '', longDate, secrets);
  } catch (err) {
    throw err instanceof S3Error && err.code === 'InvalidAccessKeyId' ? err : new S3Error('InvalidArgument', (err as Error).message, 400);
  }
  const hmac = new sha256(await getSigningKey(sha256, credential.credentials, credential.shortDate, credential.region, 's3'));
  hmac.update(policy);
  const expected = Buffer.from(await hmac.digest()).toString('hex');
  if (!sameHex(expected, fields.get('x-amz-signature') ?? '')) throw new S3Error('SignatureDoesNotMatch', 'The policy signature does not match');
}
