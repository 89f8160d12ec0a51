import { compareSemVer, formatSemVer, parseSemVer } from '../../../src/domain/versioning/semver';
import { ValidationError } from '../../../src/domain/common/domain-error';

describe('semver', () => {
  test.each(['0.0.0', '1.2.3', '10.20.30', '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-0.3.7', '1.0.0-x.7.z.92', '1.0.0+20130313144700', '1.0.0-beta+exp.sha.5114f85'])(
    '%s parses and prints back',
    (v) => expect(formatSemVer(parseSemVer(v))).toBe(v),
  );

  test.each(['1', '1.2', 'v1.2.3', '01.2.3', '1.02.3', '1.2.3-', '1.2.3-01', '1.2.3+', 'a.b.c', '', '1.2.3.4', '99999999999.0.0'])(
    '%s is refused naming the field',
    (v) => {
      expect(() => parseSemVer(v)).toThrow(ValidationError);
      expect(() => parseSemVer(v, 'version')).toThrow(/^version:/);
    },
  );

  test('precedence follows semver §11', () => {
    const ordered = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.0.1', '1.1.0', '2.0.0'];
    const shuffled = [...ordered].reverse();
    expect(shuffled.sort((a, b) => compareSemVer(parseSemVer(a), parseSemVer(b)))).toEqual(ordered);
    expect(compareSemVer(parseSemVer('1.0.0+a'), parseSemVer('1.0.0+b'))).toBe(0);
  });
});
