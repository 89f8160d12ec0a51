import { helperEnv } from '../../../src/system/helper-env';

test('a helper process gets where programs, libraries, locale and proxies are, and none of the service settings', () => {
  const kept = {
    PATH: '/usr/bin',
    HOME: '/home/app',
    LANG: 'C.UTF-8',
    LC_ALL: 'C',
    LD_LIBRARY_PATH: '/opt/lib',
    HTTPS_PROXY: 'http://proxy:3128',
    no_proxy: 'localhost',
  };
  const dropped = {
    DATABASE_URL: 'postgres://u:secret@db/x',
    SECRETS_KEY: 'k',
    HF_TOKEN: 'hf_x',
    AWS_SECRET_ACCESS_KEY: 'a',
    JWT_PUBLIC_KEY: 'p',
    PATHOLOGICAL: 'not PATH',
    NODE_OPTIONS: '--require evil.js',
  };
  expect(helperEnv({ LC_MESSAGES: 'C' }, { ...kept, ...dropped })).toEqual({ ...kept, LC_MESSAGES: 'C' });
});
