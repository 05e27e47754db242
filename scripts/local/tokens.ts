/** Dev tokens for the local server (HS256 with the local secret); the deployed stack verifies the same way. */
import { SignJWT } from 'jose';
import type { UserType } from 'pika-shared/types/chatbot/chatbot-types';

export interface DevTokenInput {
  userId: string;
  roles?: string[];
  userType?: UserType;
  secret: string;
  /** Seconds; default 12 h. */
  ttlSeconds?: number;
  issuer?: string;
  audience?: string;
}

export async function mintDevToken(input: DevTokenInput): Promise<string> {
  let jwt = new SignJWT({ roles: input.roles ?? [], ...(input.userType ? { userType: input.userType } : {}) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(input.userId)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + (input.ttlSeconds ?? 12 * 3600));
  if (input.issuer) jwt = jwt.setIssuer(input.issuer);
  if (input.audience) jwt = jwt.setAudience(input.audience);
  return jwt.sign(new TextEncoder().encode(input.secret));
}
