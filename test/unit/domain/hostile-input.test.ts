import { ValidationError } from '../../../src/domain/common/domain-error';
import { text } from '../../../src/domain/common/field-rules';
import { decodeCursor, encodeCursor, ModelOrder } from '../../../src/domain/catalog/model-query';
import { isRole } from '../../../src/domain/auth/roles';
import { redactUrl, validateImportSource } from '../../../src/domain/onboarding/import-source';
import { SourceType } from '../../../src/domain/catalog/catalog-enums';

function rejection(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('accepted');
}

test('text refuses NUL and control characters naming the field; tabs and line breaks stay', () => {
  expect(rejection(() => text('description', 'a\0b', 100)).message).toBe('description: must not contain control characters (U+0000 at position 1)');
  expect(rejection(() => text('reason', '\u0007'.repeat(2000), 20_000)).field).toBe('reason');
  expect(rejection(() => text('reason', 'x\u009by', 100)).message).toContain('U+009B');
  expect(text('changelog', 'line one\n\tline two\r\n', 100)).toBe('line one\n\tline two');
});

test('a well-formed cursor carrying a value of the wrong kind is BAD_USER_INPUT on after', () => {
  const id = '0b9f1d9a-3c1e-4d8e-9b5a-2f4c6d8e0a1b';
  const forged = (order: ModelOrder, value: string | null, cursorId = id) => encodeCursor({ order, value, id: cursorId });
  for (const [order, value] of [
    [ModelOrder.CREATED_AT_DESC, 'not a date'],
    [ModelOrder.CREATED_AT_DESC, '2024-02-30T00:00:00.000Z'],
    [ModelOrder.CREATED_AT_DESC, '0000-01-01T00:00:00.000Z'], // PostgreSQL has no year 0: its cast failed as an internal error
    [ModelOrder.PARAMETER_COUNT_DESC, '1e10'],
    [ModelOrder.PARAMETER_COUNT_DESC, '99999999999999999999'],
    [ModelOrder.NAME_ASC, null],
    [ModelOrder.NAME_ASC, 'a\0b'],
  ] as const) {
    expect([order, value, rejection(() => decodeCursor(forged(order, value), order)).field]).toEqual([order, value, 'after']);
  }
  expect(rejection(() => decodeCursor(forged(ModelOrder.NAME_ASC, 'x', '-'.repeat(36)), ModelOrder.NAME_ASC)).field).toBe('after');
  expect(decodeCursor(forged(ModelOrder.CREATED_AT_DESC, '2024-02-01T10:00:00.000Z'), ModelOrder.CREATED_AT_DESC).value).toBe('2024-02-01T10:00:00.000Z');
});

test('prototype names are not roles', () => {
  for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) expect(isRole(name)).toBe(false);
  expect(isRole('viewer')).toBe(true);
});

test('URL credentials leave the URL: sealed when a sealer is given, refused without one; redaction for display', () => {
  const seal = (secret: string) => `sealed(${secret})`;
  expect(validateImportSource({ sourceType: SourceType.URL, url: 'https://bob:p%40ss@files.test/m.gguf' }, seal)).toEqual({
    type: SourceType.URL,
    url: 'https://files.test/m.gguf',
    fileName: 'm.gguf',
    sha256: null,
    credentials: 'sealed(bob:p@ss)',
  });
  expect(rejection(() => validateImportSource({ sourceType: SourceType.URL, url: 'https://bob:pw@files.test/m.gguf' })).field).toBe('url');
  expect(rejection(() => validateImportSource({ sourceType: SourceType.URL, url: 'https://files.test/%E0%A4%A' })).message).toContain('percent-encoding');
  expect(redactUrl('https://bob:pw@files.test/m')).toBe('https://***@files.test/m');
});
