/**
 * What the local S3's front (./s3-server.ts) shares with its checks: S3's error answer, and the names it lets
 * through to the store. The store (s3rver) keeps an object at `<directory>/<bucket>/<key>`, so a key is
 * checked after S3's one percent-decoding: no `.`/`..` or empty segment, no backslash, no control character,
 * at most 1024 bytes — nothing that could name a file outside its bucket. (S3 itself would store `a/../b`
 * as a plain key; no key the files feature makes looks like that.)
 */
import type { ServerResponse } from 'node:http';

/** An S3 error answer: its code, HTTP status and message, with S3's XML body. */
export class S3Error extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 403,
    readonly detail: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Text for an XML element. */
export const xmlText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function sendError(res: ServerResponse, err: S3Error, headers: Record<string, string> = {}): void {
  if (res.headersSent) return void res.end();
  const detail = Object.entries(err.detail)
    .map(([k, v]) => `<${k}>${xmlText(v)}</${k}>`)
    .join('');
  res.writeHead(err.status, { 'content-type': 'application/xml', ...headers });
  res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${err.code}</Code><Message>${xmlText(err.message)}</Message>${detail}</Error>`);
}

/** S3's bucket naming rules (3–63 of a-z 0-9 . -, starting and ending with a letter or digit, no `..`). */
export function checkBucketName(name: string): void {
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) || name.includes('..')) {
    throw new S3Error('InvalidBucketName', 'The specified bucket is not valid.', 400, { BucketName: name });
  }
}

/** Refuses a key the store could not keep inside its bucket (see above); returns it. */
export function checkKey(key: string, argument = 'key'): string {
  const refuse = (why: string) => {
    throw new S3Error('InvalidArgument', `Object key refused by the local S3: ${why}`, 400, { ArgumentName: argument, ArgumentValue: key.slice(0, 1024) });
  };
  if (key === '') refuse('empty');
  if (Buffer.byteLength(key) > 1024) throw new S3Error('KeyTooLongError', 'Your key is too long', 400);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\u0000-\u001f\u007f]/.test(key)) refuse('control character');
  if (key.includes('\\')) refuse('backslash');
  const segments = key.split('/');
  if (segments.some((s, i) => s === '.' || s === '..' || (s === '' && i < segments.length - 1))) refuse('dot or empty path segment');
  return key;
}

/** `/bucket/key…` of a path-style URL path, percent-decoded once as S3 does (400 when it cannot be). */
export function parsePath(rawPath: string): { bucket?: string; key?: string } {
  const [, rawBucket, ...rest] = rawPath.split('/');
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw new S3Error('InvalidURI', "Couldn't parse the specified URI.", 400);
    }
  };
  const bucket = rawBucket ? decode(rawBucket) : undefined;
  const key = rest.length ? decode(rest.join('/')) : undefined;
  return { ...(bucket ? { bucket } : {}), ...(key ? { key } : {}) };
}

/** A raw query string as name → value(s), each percent-decoded once (`?tagging` is `tagging` → ''). */
export function parseQuery(rawQuery: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const part of rawQuery.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    let name: string;
    let value: string;
    try {
      name = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
      value = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
    } catch {
      throw new S3Error('InvalidURI', "Couldn't parse the specified URI.", 400);
    }
    if (name === '__proto__') throw new S3Error('InvalidArgument', 'Invalid query parameter', 400);
    const prior = query[name];
    query[name] = prior === undefined ? value : [...(Array.isArray(prior) ? prior : [prior]), value];
  }
  return query;
}
