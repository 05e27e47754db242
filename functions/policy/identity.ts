import type { UserType } from 'pika-shared/types/chatbot/chatbot-types';

/** Who a verified bearer token says the caller is (functions/http/auth.ts reads it from the token's claims). */
export interface TokenIdentity {
  userId: string;
  roles: string[];
  userType?: UserType;
  /** Seconds since epoch. */
  expiresAt?: number;
}
