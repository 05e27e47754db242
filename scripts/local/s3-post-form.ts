/**
 * A browser POST upload as S3 reads it, for the local S3's front (./s3-server.ts). The form's parts are read
 * in order: fields (names case-insensitive, each at most once), then the one file part `file`, which ends the
 * fields — a field after it, a second file or a file part under another name is refused (S3 documents the
 * file as the last field; refusing rather than ignoring what follows keeps one reading of the form). The
 * policy is checked on exactly what is stored: its signature (./s3-sigv4.ts), expiration and every condition
 * (bucket, key, Content-Type, content-length-range, every other field). `${filename}` in the key becomes the
 * file's name, as in S3, and the key is checked after (./s3-protocol.ts). The store is then sent a form
 * rebuilt from what was checked: nothing it parses differently can reach it.
 */
import { S3Error, checkKey } from './s3-protocol';
import { verifyPolicySignature } from './s3-sigv4';

export interface PostUpload {
  /** The fields before the file, by lower-case name. */
  fields: Map<string, string>;
  file: { data: Blob; name: string; type: string };
}

const refuse = (message: string, argument: string) => new S3Error('InvalidArgument', message, 400, { ArgumentName: argument });

/** Reads a multipart/form-data body in S3's order; throws the S3Error S3 would answer. */
export async function parsePostForm(body: Buffer, contentType: string): Promise<PostUpload> {
  let form: FormData;
  try {
    form = await new Request('http://local/', { method: 'POST', headers: { 'content-type': contentType }, body }).formData();
  } catch {
    throw new S3Error('MalformedPOSTRequest', 'The body of your POST request is not well-formed multipart/form-data.', 400);
  }
  const fields = new Map<string, string>();
  let file: PostUpload['file'] | undefined;
  for (const [rawName, value] of form) {
    const name = rawName.toLowerCase();
    if (file) {
      throw name === 'file' || typeof value !== 'string'
        ? refuse('POST requires exactly one file upload per request.', 'file')
        : refuse(`The file must be the last field of the form; found "${rawName}" after it.`, rawName);
    }
    if (name === 'file') {
      file = typeof value === 'string' ? { data: new Blob([value]), name: '', type: '' } : { data: value, name: value.name, type: value.type };
      continue;
    }
    if (typeof value !== 'string') throw refuse('POST requires exactly one file upload per request.', rawName);
    if (fields.has(name)) throw refuse(`The form field "${rawName}" is given more than once.`, rawName);
    fields.set(name, value);
  }
  if (!file) throw refuse('POST requires exactly one file upload per request.', 'file');
  if (!fields.has('key')) throw refuse("Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.", 'key');
  return { fields, file };
}

/** S3's variable in a form's key: the uploaded file's name. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: S3's own syntax, not a template
export const FILENAME_VARIABLE = '${filename}';

/** The key an upload is stored under: `${filename}` replaced by the file's name, then checked. */
export const uploadKey = (upload: PostUpload) => checkKey(upload.fields.get('key')!.replaceAll(FILENAME_VARIABLE, upload.file.name), 'key');

/** Checks a POST upload's policy and conditions (`fields`: lower-case names); throws an S3Error as S3 would. */
export async function checkPostPolicy(
  bucket: string,
  fields: Map<string, string>,
  fileSize: number,
  secrets: Map<string, string>,
  nowMs = Date.now(),
): Promise<void> {
  const policyText = fields.get('policy');
  if (!policyText) throw new S3Error('AccessDenied', 'Bucket POST must contain a policy (this server accepts signed uploads only)');
  await verifyPolicySignature(fields, secrets);
  let policy: { expiration?: unknown; conditions?: unknown };
  try {
    policy = JSON.parse(Buffer.from(policyText, 'base64').toString('utf8'));
  } catch {
    throw new S3Error('InvalidPolicyDocument', 'Invalid Policy: Invalid JSON.', 400);
  }
  if (typeof policy?.expiration !== 'string' || !Array.isArray(policy.conditions)) {
    throw new S3Error('InvalidPolicyDocument', 'Invalid Policy: it needs an expiration and a list of conditions.', 400);
  }
  if (!(Date.parse(policy.expiration) > nowMs)) throw new S3Error('AccessDenied', 'Invalid according to Policy: Policy expired.');
  const values = new Map(fields);
  values.set('bucket', bucket);
  const covered = new Set(['policy', 'x-amz-signature', 'file']);
  for (const c of policy.conditions as unknown[]) {
    if (Array.isArray(c) && c[0] === 'content-length-range') {
      const [, min, max] = c as [string, unknown, unknown];
      if (typeof min !== 'number' || typeof max !== 'number')
        throw new S3Error('InvalidPolicyDocument', 'Invalid Policy: content-length-range needs two numbers.', 400);
      if (fileSize > max) throw new S3Error('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', 400);
      if (fileSize < min) throw new S3Error('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size', 400);
      continue;
    }
    const entries = c && typeof c === 'object' && !Array.isArray(c) ? Object.entries(c) : [];
    if (!Array.isArray(c) && entries.length !== 1) throw new S3Error('InvalidPolicyDocument', 'Invalid Policy: a condition names one field.', 400);
    const [op, rawName, expectedValue] = Array.isArray(c) ? (c as unknown[]) : ['eq', `$${entries[0]![0]}`, entries[0]![1]];
    if (typeof rawName !== 'string' || typeof expectedValue !== 'string')
      throw new S3Error('InvalidPolicyDocument', 'Invalid Policy: condition values are strings.', 400);
    const name = rawName.replace(/^\$/, '').toLowerCase();
    covered.add(name);
    const actual = values.get(name) ?? '';
    const ok = op === 'eq' ? actual === expectedValue : op === 'starts-with' ? actual.startsWith(expectedValue) : false;
    if (!ok) throw new S3Error('AccessDenied', `Invalid according to Policy: Policy Condition failed: ["${String(op)}", "$${name}", "${expectedValue}"]`);
  }
  // S3: every form field but the exempt ones must be covered by a condition.
  for (const name of values.keys()) {
    if (!covered.has(name) && !name.startsWith('x-ignore-') && name !== 'bucket') {
      throw new S3Error('AccessDenied', `Invalid according to Policy: Extra input fields: ${name}`);
    }
  }
}

/** What S3 does not store as the object (the policy and its signature). */
const NOT_STORED = new Set(['policy', 'x-amz-signature', 'x-amz-credential', 'x-amz-algorithm', 'x-amz-date', 'x-amz-security-token', 'bucket', 'tagging']);

/** The form the store is sent: the checked key and fields, then the one file (its parser sees nothing else). */
export async function rebuiltForm(upload: PostUpload, key: string): Promise<{ body: Buffer; contentType: string }> {
  const form = new FormData();
  form.append('key', key);
  for (const [name, value] of upload.fields) if (name !== 'key' && !NOT_STORED.has(name) && !name.startsWith('x-ignore-')) form.append(name, value);
  form.append('file', new Blob([upload.file.data], { type: upload.file.type || 'application/octet-stream' }), upload.file.name || 'file');
  const req = new Request('http://local/', { method: 'POST', body: form });
  return { body: Buffer.from(await req.arrayBuffer()), contentType: req.headers.get('content-type')! };
}
