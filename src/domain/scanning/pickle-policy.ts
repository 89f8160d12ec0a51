import type { Severity } from './scan-report';

/**
 * Which imports a pickle may make. An allowlist of what real checkpoints (torch.save, numpy, sklearn-free
 * state dicts) need; everything else is at least suspicious, and the known-dangerous modules below (and
 * their submodules) are critical. Names are compared after Python 2 → 3 renames, the way the unpickler
 * resolves them, so `__builtin__.eval` is `builtins.eval`.
 */

const TORCH_STORAGES = [
  'Float', 'Double', 'Half', 'BFloat16', 'Long', 'Int', 'Short', 'Char', 'Byte', 'Bool',
  'ComplexFloat', 'ComplexDouble', 'QInt8', 'QUInt8', 'QInt32', 'QUInt4x2', 'QUInt2x4', 'Untyped',
].map((t) => `torch.${t}Storage`);

const TORCH_DTYPES = [
  'float16', 'float32', 'float64', 'bfloat16', 'half', 'float', 'double', 'int8', 'uint8', 'int16', 'int32',
  'int64', 'uint16', 'uint32', 'uint64', 'bool', 'complex32', 'complex64', 'complex128', 'qint8', 'quint8',
  'qint32', 'quint4x2', 'float8_e4m3fn', 'float8_e5m2', 'float8_e4m3fnuz', 'float8_e5m2fnuz', 'long', 'int', 'short',
  'cfloat', 'cdouble',
].map((t) => `torch.${t}`);

const ALLOWED = new Set<string>([
  'torch._utils._rebuild_tensor',
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_tensor_v3',
  'torch._utils._rebuild_parameter',
  'torch._utils._rebuild_parameter_with_state',
  'torch._utils._rebuild_qtensor',
  'torch._utils._rebuild_sparse_tensor',
  'torch._utils._rebuild_nested_tensor',
  'torch._utils._rebuild_meta_tensor_no_storage',
  'torch._utils._rebuild_device_tensor_from_numpy',
  'torch._utils._rebuild_wrapper_subclass',
  'torch._tensor._rebuild_from_type_v2',
  'torch.serialization._get_layout',
  'torch.storage.UntypedStorage',
  'torch.storage.TypedStorage',
  'torch.Size',
  'torch.device',
  'torch.strided',
  'torch.sparse_coo',
  'torch.contiguous_format',
  'torch.channels_last',
  'torch.preserve_format',
  'torch.per_tensor_affine',
  'torch.per_channel_affine',
  'torch.nn.parameter.Parameter',
  ...TORCH_STORAGES,
  ...TORCH_DTYPES,
  'collections.OrderedDict',
  'collections.defaultdict',
  'collections.Counter',
  'collections.deque',
  'copyreg._reconstructor',
  'numpy.core.multiarray._reconstruct',
  'numpy._core.multiarray._reconstruct',
  'numpy.core.multiarray.scalar',
  'numpy._core.multiarray.scalar',
  'numpy.core.numeric._frombuffer',
  'numpy._core.numeric._frombuffer',
  'numpy.dtype',
  'numpy.ndarray',
  // Checked separately when called: allowed only while its argument is plain data, not an inner pickle.
  '_codecs.encode',
  'builtins.set',
  'builtins.frozenset',
  'builtins.bytearray',
  'builtins.bytes',
  'builtins.slice',
  'builtins.complex',
  'builtins.range',
  'builtins.int',
  'builtins.float',
  'builtins.str',
  'builtins.bool',
  'builtins.dict',
  'builtins.list',
  'builtins.tuple',
  'builtins.object',
  'datetime.datetime',
  'datetime.date',
  'datetime.timedelta',
  'decimal.Decimal',
]);

/**
 * What numpy's own pickling of arrays, dtypes and scalars imports (ndarray.__reduce__, dtype.__reduce__,
 * scalar reduce; bytes through `_codecs.encode` at protocol 2), under numpy 1.x and 2.x module names. An
 * object-dtype array whose pickle imports nothing else is what np.save writes for plain Python items.
 */
const NUMPY_ARRAY_GLOBALS = new Set<string>([
  'numpy.core.multiarray._reconstruct',
  'numpy._core.multiarray._reconstruct',
  'numpy.core.multiarray.scalar',
  'numpy._core.multiarray.scalar',
  'numpy.ndarray',
  'numpy.dtype',
  '_codecs.encode',
]);

/** Whether a resolved import is one of numpy's own array reconstructors (see NUMPY_ARRAY_GLOBALS). */
export function isNumpyArrayGlobal(global: string): boolean {
  return NUMPY_ARRAY_GLOBALS.has(global);
}

/** Modules (and all their submodules) whose import alone is treated as code execution. */
const DANGEROUS_MODULES = [
  'os', 'posix', 'nt', 'posixpath', 'ntpath', 'subprocess', '_posixsubprocess', 'sys', 'socket', '_socket',
  'runpy', 'pty', 'pdb', 'bdb', 'shutil', 'importlib', 'pkgutil', 'inspect', 'marshal', 'ctypes', '_ctypes',
  'pip', 'venv', 'ensurepip', 'webbrowser', 'asyncio', 'urllib', 'urllib2', 'http', 'httplib', 'requests',
  'httpx', 'aiohttp', 'ftplib', 'smtplib', 'telnetlib', 'xmlrpc', 'code', 'codeop', 'commands', 'multiprocessing',
  'signal', 'platform', 'uuid', 'tempfile', 'io', '_io', 'pathlib', 'glob', 'fileinput', 'zipimport', 'shelve',
  'dbm', 'pickle', '_pickle', 'cPickle', 'dill', 'cloudpickle', 'joblib', 'threading',
  '_thread', 'gc', 'types', 'operator', 'functools', 'timeit', 'trace', 'profile', 'cProfile',
  'torch.hub', 'torch.jit', 'torch._inductor', 'torch._dynamo', 'torch.utils.cpp_extension', 'torch.load',
  'torch.storage._load_from_bytes', 'torch.serialization.load', 'torch._C', 'torch.ops', 'torch.classes',
  'numpy.f2py', 'numpy.load', 'numpy.testing', 'numpy.distutils', 'numpy.ctypeslib',
];

/** Single callables that run code or touch the host. */
const DANGEROUS_GLOBALS = new Set<string>([
  'builtins.eval', 'builtins.exec', 'builtins.compile', 'builtins.getattr', 'builtins.setattr', 'builtins.delattr',
  'builtins.__import__', 'builtins.open', 'builtins.breakpoint', 'builtins.input', 'builtins.globals',
  'builtins.locals', 'builtins.vars', 'builtins.memoryview', 'builtins.help', 'builtins.exit', 'builtins.quit',
  'builtins.apply', 'builtins.execfile', 'builtins.reload', 'builtins.super', 'builtins.type', 'builtins.classmethod',
  'builtins.staticmethod', 'builtins.property', 'builtins.map', 'builtins.filter',
  'operator.attrgetter', 'operator.methodcaller', 'operator.itemgetter', 'functools.partial', 'functools.reduce',
  'types.CodeType', 'types.FunctionType', 'types.MethodType',
]);

/** The unpickler's Python 2 names (a subset of `_compat_pickle`) that matter for the lists above. */
const MODULE_RENAMES = new Map<string, string>([
  ['__builtin__', 'builtins'], ['exceptions', 'builtins'], ['copy_reg', 'copyreg'], ['cPickle', 'pickle'],
  ['commands', 'subprocess'], ['urllib2', 'urllib.request'], ['httplib', 'http.client'], ['thread', '_thread'],
  ['Queue', 'queue'], ['UserDict', 'collections'], ['StringIO', 'io'], ['cStringIO', 'io'], ['__main__', '__main__'],
]);

export interface ImportVerdict {
  severity: Severity;
  rule: 'pickle-dangerous-import' | 'pickle-suspicious-import' | 'pickle-attribute-traversal';
  /** The name as the unpickler resolves it. */
  global: string;
}

export function resolveGlobalName(module: string, name: string): string {
  const renamed = MODULE_RENAMES.get(module) ?? module;
  return `${renamed}.${name}`;
}

function underDangerousModule(full: string): boolean {
  return DANGEROUS_MODULES.some((m) => full === m || full.startsWith(`${m}.`));
}

/** null = allowed. */
export function classifyImport(module: string, name: string): ImportVerdict | null {
  const global = resolveGlobalName(module, name);
  // Protocol 4 resolves dotted names attribute by attribute, so `x.__globals__` or `__class__` walks
  // reach anything; no real checkpoint needs a dunder in the attribute path.
  if (/__\w*__/.test(name.replace(/^__newobj(_ex)?__$/, '')) || name.includes('<') || /\s/.test(module + name)) {
    return { severity: 'CRITICAL', rule: 'pickle-attribute-traversal', global };
  }
  if (ALLOWED.has(global)) return null;
  if (DANGEROUS_GLOBALS.has(global) || underDangerousModule(global)) {
    return { severity: 'CRITICAL', rule: 'pickle-dangerous-import', global };
  }
  return { severity: 'MEDIUM', rule: 'pickle-suspicious-import', global };
}

/** Module paths in other formats' configs (Keras `module`) reuse the same dangerous list. */
export function isDangerousModulePath(path: string): boolean {
  return DANGEROUS_GLOBALS.has(path) || underDangerousModule(MODULE_RENAMES.get(path) ?? path);
}

const IDENTIFIER_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** Whether a GLOBAL operand could name a real module/attribute (probing bytes that may not be a pickle). */
export function isPlausibleGlobal(module: string, name: string): boolean {
  return module.length <= 256 && name.length <= 256 && IDENTIFIER_PATH.test(module) && IDENTIFIER_PATH.test(name);
}
