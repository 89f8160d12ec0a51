import { readFileSync } from 'node:fs';
import path from 'node:path';
import { API_NODE_ENV } from '../../../bench/api/api-process';

const root = path.resolve(__dirname, '../../..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

/** The node flags between `node` and `dist/src/main.js` in a JSON-array command (`["node", …, "dist/src/main.js"]`). */
function flagsOfCommand(text: string, where: string): string[] {
  const match = /\[\s*"node"((?:\s*,\s*"[^"]*")*?)\s*,\s*"dist\/src\/main\.js"\s*\]/.exec(text);
  if (!match) throw new Error(`${where} has no ["node", …, "dist/src/main.js"] command`);
  return [...match[1].matchAll(/"([^"]*)"/g)].map((m) => m[1]);
}

describe('the API starts with the same node flags everywhere it is started', () => {
  const start = (JSON.parse(read('package.json')) as { scripts: { start: string } }).scripts.start.trim().split(/\s+/);

  test('npm start is `node <flags> dist/src/main.js` and bounds the old generation (the heap the RSS target rests on)', () => {
    expect(start[0]).toBe('node');
    expect(start.at(-1)).toBe('dist/src/main.js');
    expect(start.slice(1, -1)).toContain('--max-old-space-size=512');
  });

  test("the image's CMD and the Helm chart's API command carry npm start's flags", () => {
    const flags = start.slice(1, -1);
    expect(flagsOfCommand(read('Dockerfile').split('\n').filter((l) => l.startsWith('CMD')).join('\n'), 'Dockerfile CMD')).toEqual(flags);
    expect(flagsOfCommand(read('deploy/helm/modelhub/templates/api.yaml'), 'the Helm API template')).toEqual(flags);
  });

  test('the bench starts the API in the NODE_ENV the image and the Helm chart set (graphql-js production mode)', () => {
    expect(/^ENV NODE_ENV=(\S+)/m.exec(read('Dockerfile'))?.[1]).toBe(API_NODE_ENV);
    expect(/- name: NODE_ENV\s+value: (\S+)/.exec(read('deploy/helm/modelhub/templates/_helpers.tpl'))?.[1]).toBe(API_NODE_ENV);
  });
});
