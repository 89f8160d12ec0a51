import { apiProcesses, MAX_API_PROCESSES } from '../../../src/config/api-processes';
import { ConfigError, loadConfig } from '../../../src/config/config';

test('API_PROCESSES: unset or blank is 1 (one process, no cluster primary), a number is that many', () => {
  expect(apiProcesses({})).toBe(1);
  expect(apiProcesses({ API_PROCESSES: '  ' })).toBe(1);
  expect(apiProcesses({ API_PROCESSES: '1' })).toBe(1);
  expect(apiProcesses({ API_PROCESSES: ' 4 ' })).toBe(4);
  expect(apiProcesses({ API_PROCESSES: String(MAX_API_PROCESSES) })).toBe(MAX_API_PROCESSES);
  expect(loadConfig({}).apiProcesses).toBe(1);
  expect(loadConfig({ API_PROCESSES: '3' }).apiProcesses).toBe(3);
});

test('API_PROCESSES=auto is the host available parallelism, at least 1 and capped', () => {
  expect(apiProcesses({ API_PROCESSES: 'auto' }, () => 6)).toBe(6);
  expect(apiProcesses({ API_PROCESSES: 'AUTO' }, () => 2)).toBe(2);
  expect(apiProcesses({ API_PROCESSES: 'auto' }, () => 0)).toBe(1);
  expect(apiProcesses({ API_PROCESSES: 'auto' }, () => 10_000)).toBe(MAX_API_PROCESSES);
});

test.each(['0', '-2', '1.5', '2e1', 'two', '0x2', String(MAX_API_PROCESSES + 1), 'auto4'])('API_PROCESSES=%s is a startup error naming the variable', (raw) => {
  expect(() => apiProcesses({ API_PROCESSES: raw })).toThrow(ConfigError);
  expect(() => loadConfig({ API_PROCESSES: raw })).toThrow(`API_PROCESSES must be "auto" or an integer between 1 and ${MAX_API_PROCESSES}, got "${raw}"`);
});
