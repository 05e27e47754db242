/** The short-lived GET link of an export document (./export-objects.ts writes them): a chunk of its own, all the users function loads. */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { filesBucket, s3Client, s3Failure } from './storage';

/** A GET link to an export document (the name to save it as comes with the object). */
export async function presignExportDownload(key: string, expiresSeconds: number): Promise<string> {
  try {
    return await getSignedUrl(s3Client(), new GetObjectCommand({ Bucket: filesBucket(), Key: key }), { expiresIn: expiresSeconds });
  } catch (err) {
    throw s3Failure(err);
  }
}
