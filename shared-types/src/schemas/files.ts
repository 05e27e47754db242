/** Files attached to converse messages: the request that announces an upload (the routes' answers: ./file-links.ts). */
import * as z from 'zod';
import { shortText } from './common';
import { mimeTypeSchema } from './file-feature';

/**
 * True for a file name without path separators, control characters (C0, DEL, C1) or the bidirectional
 * formatting characters (U+200E/F and U+061C marks, U+202A–U+202E embeddings and overrides, U+2066–U+2069
 * isolates) that make `invoice\u202Efdp.exe` display as `invoiceexe.pdf`.
 */
export function isSafeFileName(name: string): boolean {
    for (const c of name) {
        const n = c.codePointAt(0)!;
        if (c === '/' || c === '\\' || n < 0x20 || (n >= 0x7f && n <= 0x9f)) return false;
        if (n === 0x200e || n === 0x200f || n === 0x061c || (n >= 0x202a && n <= 0x202e) || (n >= 0x2066 && n <= 0x2069)) return false;
    }
    return true;
}

/** POST /sessions/{sessionId}/files */
export const createFileUploadRequestSchema = z.strictObject({
    fileName: shortText(255).min(1).refine(isSafeFileName, 'a file name without path separators, control characters or bidirectional formatting characters'),
    mimeType: mimeTypeSchema,
    size: z.number().int().positive(),
});
