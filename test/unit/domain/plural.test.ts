import { counted } from '../../../src/domain/common/plural';

test('counts read as English: 1 file, 0 files, 2 findings, 1 byte (bigint too)', () => {
  expect([counted(1, 'file'), counted(0, 'file'), counted(2, 'finding'), counted(1n, 'byte'), counted(3, 'entry', 'entries')]).toEqual(['1 file', '0 files', '2 findings', '1 byte', '3 entries']);
});
