import { ValidationError } from '../../../src/domain/common/domain-error';
import { fsStorePath, keyPrefix, storeName } from '../../../src/domain/storage/store';
import { partSizeFor, MAX_PARTS } from '../../../src/storage/s3-multipart';
import { unavailability } from '../../../src/storage/unavailable-store';
import { StoreUnavailableError } from '../../../src/domain/storage/store';

describe('who may point a filesystem store where', () => {
  const roots = ['/srv/stores'];
  const reserved = ['/srv/modelhub/artifacts', '/srv/stores/system'];
  const taken = ['/srv/stores/team-a'];

  it('takes a folder strictly inside a root, normalised', () => {
    expect(fsStorePath('path', '/srv/stores/team-b/./models/', roots, reserved, taken)).toBe('/srv/stores/team-b/models');
  });

  it.each([
    ['relative', 'stores/team-b', 'absolute'],
    ['the root itself', '/srv/stores', 'STORE_FS_ROOTS'],
    ['outside every root', '/etc', 'STORE_FS_ROOTS'],
    ['a sibling sharing the prefix', '/srv/stores-evil/x', 'STORE_FS_ROOTS'],
    ['escaping with ..', '/srv/stores/../modelhub/artifacts', 'STORE_FS_ROOTS'],
    ["inside another store's folder", '/srv/stores/team-a/sub', "another store's folder"],
    ["holding another store's folder", '/srv/stores/team-a/..', 'STORE_FS_ROOTS'],
    ["the server's own data", '/srv/stores/system/x', "server's own data"],
  ])('refuses a path %s', (_why, wanted, message) => {
    expect(() => fsStorePath('path', wanted, roots, reserved, taken)).toThrow(ValidationError);
    expect(() => fsStorePath('path', wanted, roots, reserved, taken)).toThrow(message);
  });

  it('refuses a folder that would contain another store', () => {
    expect(() => fsStorePath('path', '/srv/stores/team', ['/srv/stores'], [], ['/srv/stores/team/a'])).toThrow("another store's folder");
  });

  it('refuses everything when no root is configured', () => {
    expect(() => fsStorePath('path', '/srv/stores/x', [], [], [])).toThrow('STORE_FS_ROOTS');
  });
});

describe('store names and key prefixes', () => {
  it('names are slugs', () => {
    expect(storeName('name', ' Archive ')).toBe('archive');
    expect(() => storeName('name', '../x')).toThrow(ValidationError);
  });

  it('prefixes are relative key paths ending in a slash', () => {
    expect(keyPrefix('p', null)).toBe('');
    expect(keyPrefix('p', '/team/models/')).toBe('team/models/');
    for (const bad of ['a//b', 'a/../b', './a', 'a b', 'x'.repeat(201)]) expect(() => keyPrefix('p', bad)).toThrow(ValidationError);
  });
});

describe('direct uploads', () => {
  it('sizes parts so any allowed file fits S3 limits', () => {
    expect(partSizeFor(1)).toBe(16 * 1024 * 1024);
    const huge = 5 * 1024 ** 4; // 5 TiB
    expect(Math.ceil(huge / partSizeFor(huge))).toBeLessThanOrEqual(MAX_PARTS);
  });
});

describe('a store that is away', () => {
  it('is told from other failures by code, status or the SDK wrapper’s text', () => {
    expect(unavailability(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }))).toBe('it cannot be reached');
    expect(unavailability(new Error('AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:9'))).toBe('it cannot be reached');
    expect(unavailability(Object.assign(new Error('Service Unavailable'), { $metadata: { httpStatusCode: 503 } }))).toBe('it answered 503');
    expect(unavailability(new StoreUnavailableError('x', 'it did not answer in time'))).toBe('it did not answer in time');
    expect(unavailability(Object.assign(new Error('NoSuchKey'), { $metadata: { httpStatusCode: 404 } }))).toBeNull();
    expect(unavailability(new ValidationError('x', 'bad'))).toBeNull();
  });
});
