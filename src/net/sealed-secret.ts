import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * A secret the user handed us (the credentials of a URL import), kept as a sealed reference: AES-256-GCM
 * under a key only the API and workers have (SECRETS_KEY). Rows, operation inputs and Temporal histories
 * hold the sealed form; no GraphQL field shows it; the worker opens it just before it connects.
 */
export interface SecretSealer {
  seal(secret: string): string;
  open(sealed: string): string;
}

const PREFIX = 'sealed:v1:';

export class SealedSecretError extends Error {}

export function createSecretSealer(keyMaterial: string): SecretSealer {
  const key = Buffer.from(hkdfSync('sha256', keyMaterial, 'modelhub', 'import-credentials', 32));
  return {
    seal(secret) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
      return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
    },
    open(sealed) {
      if (!sealed.startsWith(PREFIX)) throw new SealedSecretError('not a sealed secret');
      const raw = Buffer.from(sealed.slice(PREFIX.length), 'base64url');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
        decipher.setAuthTag(raw.subarray(12, 28));
        return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
      } catch {
        throw new SealedSecretError('the sealed credentials cannot be opened with this SECRETS_KEY');
      }
    },
  };
}
