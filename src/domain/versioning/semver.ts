import { ValidationError } from '../common/domain-error';

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  prerelease: string | null;
  build: string | null;
}

// semver.org 2.0.0 grammar, without a leading "v" (registries store the canonical form).
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

const MAX_PART = 2_147_483_647;

export function parseSemVer(value: string, field = 'version'): SemVer {
  const trimmed = value.trim();
  if (trimmed.length > 128) throw new ValidationError(field, 'must be at most 128 characters');
  const match = SEMVER.exec(trimmed);
  if (!match) {
    throw new ValidationError(field, `"${trimmed}" is not a semantic version (major.minor.patch, e.g. 1.0.0 or 2.1.0-rc.1)`);
  }
  const [major, minor, patch] = [match[1], match[2], match[3]].map(Number);
  if ([major, minor, patch].some((n) => n > MAX_PART)) throw new ValidationError(field, 'version numbers are too large');
  return { major, minor, patch, prerelease: match[4] ?? null, build: match[5] ?? null };
}

export function formatSemVer(v: SemVer): string {
  return `${v.major}.${v.minor}.${v.patch}${v.prerelease ? `-${v.prerelease}` : ''}${v.build ? `+${v.build}` : ''}`;
}

function compareIdentifiers(a: string, b: string): number {
  const an = /^\d+$/.test(a);
  const bn = /^\d+$/.test(b);
  if (an && bn) return Math.sign(Number(a) - Number(b));
  if (an) return -1;
  if (bn) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Precedence per semver §11: build metadata is ignored, a prerelease sorts before its release. */
export type Precedence = Pick<SemVer, 'major' | 'minor' | 'patch' | 'prerelease'>;

export function compareSemVer(a: Precedence, b: Precedence): number {
  const core = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
  if (core !== 0) return Math.sign(core);
  if (a.prerelease === b.prerelease) return 0;
  if (a.prerelease === null) return 1;
  if (b.prerelease === null) return -1;
  const pa = a.prerelease.split('.');
  const pb = b.prerelease.split('.');
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    if (pa[i] === undefined) return -1;
    if (pb[i] === undefined) return 1;
    const c = compareIdentifiers(pa[i], pb[i]);
    if (c !== 0) return c;
  }
  return 0;
}
