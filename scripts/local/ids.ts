/**
 * Unique ids for tests and benchmarks, which share one table: `<prefix>-<lower-case ULID>`, sortable by
 * creation time and safe in paths and keys.
 */
import { ulid } from 'ulid';

export const uniqueId = (prefix = 'u'): string => `${prefix}-${ulid().toLowerCase()}`;
