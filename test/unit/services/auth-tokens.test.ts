import { SignJWT } from 'jose';
import { loadConfig } from '../../../src/config/config';
import { UnauthenticatedError } from '../../../src/domain/common/domain-error';
import { createTokenVerifier } from '../../../src/services/auth-tokens';

const auth = loadConfig({ NODE_ENV: 'test', TOKEN_MAX_LIFETIME_S: '3600' }).auth;
const verifier = createTokenVerifier(auth);
const now = () => Math.floor(Date.now() / 1000);

function token(claims: Record<string, unknown>, set: { exp?: number | null; iat?: number | null } = {}): Promise<string> {
  const jwt = new SignJWT({ roles: ['viewer'], ...claims }).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').setIssuer(auth.issuer).setAudience(auth.audience);
  if (set.iat !== null) jwt.setIssuedAt(set.iat ?? now());
  if (set.exp !== null) jwt.setExpirationTime(set.exp ?? now() + 600);
  return jwt.sign(new TextEncoder().encode(auth.jwtSecret!));
}

async function refusal(jwt: Promise<string>): Promise<string> {
  try {
    await verifier.verify(await jwt);
  } catch (error) {
    expect(error).toBeInstanceOf(UnauthenticatedError);
    return (error as Error).message;
  }
  throw new Error('accepted');
}

test('a well-formed token passes', async () => {
  await expect(verifier.verify(await token({}))).resolves.toEqual({ subject: 'alice', roles: ['viewer'] });
});

test('a token without exp is refused', async () => {
  expect(await refusal(token({}, { exp: null }))).toBe('The access token\'s "exp" claim is not accepted');
});

test('a token living longer than TOKEN_MAX_LIFETIME_S is refused', async () => {
  expect(await refusal(token({}, { exp: now() + 365 * 86_400 }))).toContain('lives longer than the 3600 s');
});

test('a token issued a year ahead is refused', async () => {
  const ahead = now() + 365 * 86_400;
  expect(await refusal(token({}, { iat: ahead, exp: ahead + 600 }))).toMatch(/"iat"/);
});

test.each([['constructor'], ['__proto__'], ['superuser']])('a role claim %j is refused, not ignored', async (role) => {
  expect(await refusal(token({ roles: ['viewer', role] }))).toContain('roles this server does not know');
  expect(await refusal(token({ roles: undefined, role }))).toContain('roles this server does not know');
});
