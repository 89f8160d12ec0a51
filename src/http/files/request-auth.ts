import type { Request, Response } from 'express';
import { type Caller, requireCaller, userCaller } from '../../domain/auth/caller';
import { Role } from '../../domain/auth/roles';
import { ForbiddenError } from '../../domain/common/domain-error';
import { type Authentication, authenticate } from '../../graphql/auth';
import type { TokenVerifier } from '../../services/auth-tokens';
import { UploadTokens } from '../../services/upload-tokens';

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

/** The id the app's first middleware gave this request (every answer carries it in x-request-id). */
function requestIdOf(res: Response): string | null {
  const id: unknown = res.locals.requestId;
  return typeof id === 'string' ? id : null;
}

/** The request's Caller, made once at the route's edge: UNAUTHENTICATED without a valid token, before anything is looked up. */
export async function callerOfRequest(verifier: TokenVerifier, req: Request, res: Response): Promise<Caller> {
  const { principal, authFailure } = await authenticateRequest(verifier, req);
  return requireCaller(principal, authFailure, requestIdOf(res));
}

/** Who writes a version's files, and the one version an upload token is limited to (null: any the caller may write). */
export interface UploadCaller {
  caller: Caller;
  onlyVersion: string | null;
}

export interface UploadAuthDeps {
  verifier: TokenVerifier;
  tokens: UploadTokens;
  audience: string;
}

/**
 * An editor's own token, or an upload token (uploadCommand): that one stands for the editor role its subject held in
 * the version's project when it was issued, in that project only, and for that version only (`requireGrantFor`).
 */
export async function uploadCaller(deps: UploadAuthDeps, req: Request, res: Response): Promise<UploadCaller> {
  const token = bearerToken(req);
  if (token !== null && UploadTokens.looksLikeUploadToken(token, deps.audience)) {
    const grant = await deps.tokens.verify(token);
    const principal = { subject: grant.subject, roles: [], projects: new Map([[grant.project, [Role.EDITOR]]]) };
    return { caller: userCaller(principal, requestIdOf(res)), onlyVersion: grant.versionId.toLowerCase() };
  }
  return { caller: await callerOfRequest(deps.verifier, req, res), onlyVersion: null };
}

/**
 * An upload token names its version: any other id is refused before it is looked up, so the answer says nothing
 * about whether that id exists or whose it is.
 */
export function requireGrantFor(upload: UploadCaller, versionId: string): void {
  if (upload.onlyVersion !== null && upload.onlyVersion !== versionId.toLowerCase()) {
    throw new ForbiddenError('This upload token is for another version', { versionId: upload.onlyVersion });
  }
}
