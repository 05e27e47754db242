/**
 * The S3 calls a converse turn makes (./storage.ts): HeadObject, the attached tag and download links. What
 * ../files/service.ts loads for them, so a bundle that needs only these holds no upload or delete call (the
 * converse function's role allows neither: lib/constructs/access-map.ts FILES_ACCESS).
 */
export { headObject, presignDownload, s3Uri, tagObject } from './storage';
