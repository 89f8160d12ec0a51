import { classifyImport, isDangerousModulePath } from '../../../src/domain/scanning/pickle-policy';
import { verdictOf } from '../../../src/domain/scanning/scan-report';

describe('pickle import policy', () => {
  test.each([
    'torch._utils._rebuild_tensor_v2', 'torch._utils._rebuild_parameter', 'torch.FloatStorage', 'torch.BFloat16Storage',
    'torch.serialization._get_layout', 'collections.OrderedDict', 'numpy.core.multiarray._reconstruct', 'numpy.dtype',
    'numpy.ndarray', 'numpy.core.multiarray.scalar', '_codecs.encode', 'builtins.set', 'builtins.frozenset',
    'builtins.bytearray', 'builtins.slice', 'builtins.complex', 'torch.bfloat16',
  ])('%s is allowed', (full) => {
    const dot = full.lastIndexOf('.');
    expect(classifyImport(full.slice(0, dot), full.slice(dot + 1))).toBeNull();
  });

  test.each([
    ['os', 'system'], ['posix', 'system'], ['nt', 'system'], ['subprocess', 'run'], ['sys', 'modules'], ['socket', 'socket'],
    ['pty', 'spawn'], ['pdb', 'run'], ['bdb', 'Bdb'], ['shutil', 'rmtree'], ['pkgutil', 'resolve_name'], ['inspect', 'getmodule'],
    ['marshal', 'loads'], ['ctypes', 'CDLL'], ['venv', 'create'], ['asyncio.subprocess', 'create_subprocess_shell'],
    ['urllib.request', 'urlopen'], ['http.client', 'HTTPConnection'], ['requests.api', 'get'], ['torch._inductor.codecache', 'x'],
    ['builtins', 'compile'], ['builtins', '__import__'], ['builtins', 'open'], ['builtins', 'breakpoint'], ['operator', 'methodcaller'],
    ['types', 'CodeType'], ['copy_reg', '_reconstructor.__globals__'], ['__builtin__', 'getattr'], ['commands', 'getoutput'],
  ])('%s.%s is CRITICAL', (module, name) => {
    expect(classifyImport(module, name)?.severity).toBe('CRITICAL');
  });

  test('anything else is MEDIUM; submodule prefixes match on dots only', () => {
    expect(classifyImport('sklearn.linear_model', 'LogisticRegression')).toMatchObject({ severity: 'MEDIUM', rule: 'pickle-suspicious-import' });
    expect(classifyImport('osmosis', 'x')?.severity).toBe('MEDIUM');
    expect(isDangerousModulePath('os.path')).toBe(true);
    expect(isDangerousModulePath('keras.layers')).toBe(false);
  });

  test('verdict: any unscannable rule wins over findings; no findings is CLEAN', () => {
    const f = (rule: string) => ({ scanner: 'x', severity: 'LOW' as const, rule, offset: null, message: '' });
    expect(verdictOf([])).toBe('CLEAN');
    expect(verdictOf([f('pickle-suspicious-import')])).toBe('FINDINGS');
    expect(verdictOf([f('pickle-dangerous-import'), f('unscannable-truncated')])).toBe('UNSCANNABLE');
  });
});
