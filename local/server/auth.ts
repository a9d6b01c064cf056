/**
 * Bearer-token access for the local dashboard: `radiomics serve` creates a random token at start-up and
 * prints it; every API request must carry it as `Authorization: Bearer <token>`.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

import type { CallerIdentity } from '@radiomics/core/api';

export function createAccessToken(): string {
  return randomBytes(24).toString('base64url');
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Maps bearer tokens to identities; compares digests in constant time so timing reveals nothing of a token. */
export class TokenAuthenticator {
  private readonly entries: { digest: Buffer; identity: CallerIdentity }[];

  constructor(tokens: ReadonlyMap<string, CallerIdentity>) {
    this.entries = [...tokens].map(([token, identity]) => ({ digest: digest(token), identity }));
  }

  identify(authorization: string | undefined): CallerIdentity | undefined {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) return undefined;
    const presented = digest(match[1]);
    let found: CallerIdentity | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, presented)) found = entry.identity;
    }
    return found;
  }
}
