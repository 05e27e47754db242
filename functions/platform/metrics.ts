/**
 * CloudWatch custom metrics as Embedded Metric Format lines on stdout (CloudWatch Logs extracts them; no
 * API call, no dependency). Written with process.stdout.write, not console.log: the Lambda runtime prefixes
 * console lines with timestamp and request id, which would hide the JSON from EMF extraction.
 */

export const METRICS_NAMESPACE = 'PikaChat';
/** The authorizer could not decide (JWKS or Secrets Manager down, a bug); rejected tokens are not counted. */
export const AUTHORIZER_FAILURES = 'AuthorizerFailures';
/** A converse answer streamed to the user that could not be stored (run.ts persist). */
export const ANSWERS_NOT_STORED = 'AnswersNotStored';
/** An answer that could not be stored at once and went to the redrive queue (stored later, exactly once). */
export const ANSWERS_DEFERRED = 'AnswersDeferred';

/** Metrics carry one dimension, `service` (POWERTOOLS_SERVICE_NAME: one per stage). */
export function countMetric(name: string, value = 1): void {
  const service = process.env.POWERTOOLS_SERVICE_NAME ?? 'pika-chat';
  const line = {
    _aws: { Timestamp: Date.now(), CloudWatchMetrics: [{ Namespace: METRICS_NAMESPACE, Dimensions: [['service']], Metrics: [{ Name: name, Unit: 'Count' }] }] },
    service,
    [name]: value,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
