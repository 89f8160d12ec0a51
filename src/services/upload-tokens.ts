import { errors, jwtVerify, SignJWT } from 'jose';
import type { Config } from '../config/config';
import { UnauthenticatedError } from '../domain/common/domain-error';

export interface UploadGrant {
  subject: string;
  versionId: string;
  /** The project the version was in when the token was issued: the token writes there only (a moved model's uploads are NOT_FOUND). */
  project: string;
  expiresAt: Date;
}

/**
 * Short-lived tokens that carry one version's upload, for the commands `uploadCommand` prints. They are signed
 * for another audience (`<JWT_AUDIENCE>:upload`), so the GraphQL API never takes one as a bearer token, and
 * name the version they may write and the project it was in (the editor role they stand for is held there only). HS256 with JWT_SECRET, or with SECRETS_KEY where tokens come from a JWKS.
 */
export class UploadTokens {
  private readonly key: Uint8Array | null;
  private readonly audience: string;

  constructor(
    private readonly auth: Config['auth'],
    secretsKey: string | null,
    private readonly ttlSeconds: number,
  ) {
    const secret = auth.jwtSecret ?? secretsKey;
    this.key = secret ? new TextEncoder().encode(`upload:${secret}`) : null;
    this.audience = `${auth.audience}:upload`;
  }

  async issue(subject: string, versionId: string, project: string, ttlSeconds = this.ttlSeconds): Promise<{ token: string; expiresAt: Date }> {
    if (!this.key) throw new UnauthenticatedError('Upload tokens need JWT_SECRET or SECRETS_KEY on the server');
    const expiresAt = new Date((Math.floor(Date.now() / 1000) + ttlSeconds) * 1000);
    const token = await new SignJWT({ vid: versionId, prj: project, scope: 'upload' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(subject)
      .setIssuer(this.auth.issuer)
      .setAudience(this.audience)
      .setIssuedAt()
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(this.key);
    return { token, expiresAt };
  }

  /** The grant of a valid upload token; anything else (expired, forged, another audience) is UNAUTHENTICATED. */
  async verify(token: string): Promise<UploadGrant> {
    if (!this.key) throw new UnauthenticatedError('Upload tokens are not enabled on this server');
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: this.auth.issuer, audience: this.audience, algorithms: ['HS256'], requiredClaims: ['exp', 'sub'] });
      if (payload.scope !== 'upload' || typeof payload.vid !== 'string' || typeof payload.prj !== 'string' || typeof payload.sub !== 'string') {
        throw new UnauthenticatedError('Not an upload token');
      }
      return { subject: payload.sub, versionId: payload.vid, project: payload.prj, expiresAt: new Date((payload.exp as number) * 1000) };
    } catch (error) {
      if (error instanceof UnauthenticatedError) throw error;
      if (error instanceof errors.JWTExpired) throw new UnauthenticatedError('The upload token has expired; ask uploadCommand for a new one');
      if (error instanceof errors.JOSEError) throw new UnauthenticatedError('The upload token is not valid');
      throw error;
    }
  }

  /** Cheap shape check: upload tokens carry the upload audience, so the HTTP layer knows which verifier to use. */
  static looksLikeUploadToken(token: string, audience: string): boolean {
    try {
      const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { aud?: unknown; scope?: unknown };
      return payload.scope === 'upload' && payload.aud === `${audience}:upload`;
    } catch {
      return false;
    }
  }
}
