import type { Request } from 'express';
import { type Authentication, authenticate } from '../../graphql/auth';
import type { TokenVerifier } from '../../services/auth-tokens';
import { type UploadGrant, UploadTokens } from '../../services/upload-tokens';
import { hasRole, type Principal, Role } from '../../domain/auth/roles';
import { ForbiddenError, UnauthenticatedError } from '../../domain/common/domain-error';

/**
 * Hub clients insist on tokens starting with `hf_` (checked client-side), so `HF_TOKEN=hf_<our JWT>` is
 * accepted anywhere a bearer token is: the prefix is dropped before the JWT is verified. A JWT never starts
 * with `hf_` (its first part is base64url of `{"`), so nothing else is read differently.
 */
export function bearerToken(req: Request): string | null {
  const match = /^Bearer\s+(\S+)$/i.exec(req.header('authorization')?.trim() ?? '');
  if (!match) return null;
  return match[1].startsWith('hf_') ? match[1].slice(3) : match[1];
}

export async function authenticateRequest(verifier: TokenVerifier, req: Request): Promise<Authentication> {
  const header = req.header('authorization');
  if (!header) return authenticate(verifier, undefined);
  const token = bearerToken(req);
  return authenticate(verifier, token === null ? header : `Bearer ${token}`);
}

/** Who writes a version's files: an editor's own token, or an upload token scoped to exactly this version. */
export interface UploadActor {
  subject: string;
  grant: UploadGrant | null;
  /** The caller's own token (null with an upload token, whose version was checked when it was issued). */
  principal: Principal | null;
}

export async function uploadActor(verifier: TokenVerifier, tokens: UploadTokens, audience: string, req: Request): Promise<UploadActor> {
  const token = bearerToken(req);
  if (token !== null && UploadTokens.looksLikeUploadToken(token, audience)) {
    const grant = await tokens.verify(token);
    return { subject: grant.subject, grant, principal: null };
  }
  const { principal, authFailure } = await authenticateRequest(verifier, req);
  const editor = requireEditor(principal, authFailure);
  return { subject: editor.subject, grant: null, principal: editor };
}

export function requireEditor(principal: Principal | null, authFailure: string | null): Principal {
  if (!principal) throw new UnauthenticatedError(authFailure ?? 'Authentication required: send "Authorization: Bearer <token>"');
  if (!hasRole(principal, Role.EDITOR)) throw new ForbiddenError('Uploading files needs the editor role', { requiredRole: Role.EDITOR });
  return principal;
}

/**
 * An upload token writes only the version it names; an editor's own token only versions of their projects
 * (as the GraphQL mutations check).
 */
export async function requireVersion(actor: UploadActor, versionId: string, access: VersionWriteCheck | null): Promise<void> {
  if (actor.grant && actor.grant.versionId !== versionId) {
    throw new ForbiddenError('This upload token is for another version', { versionId: actor.grant.versionId });
  }
  if (actor.principal) await access?.requireVersionWrite(actor.principal, versionId, Role.EDITOR, 'upload files');
}

export interface VersionWriteCheck {
  requireVersionWrite(principal: Principal, versionId: string, role: Role, action: string): Promise<void>;
}
