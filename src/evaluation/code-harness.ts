/**
 * The Python side of a code task, in two processes inside the sandbox.
 *
 * The solution and the test cannot share an interpreter if a pass is to mean anything: code in the same process can
 * end it early with status 0 (os._exit, sys.exit, SystemExit), read any secret the harness holds (frames, gc,
 * /proc/self/mem), read the test's expected answers, and return objects whose __eq__ always says yes. So the checker
 * runs the dataset's prompt and test and calls the entry point through a proxy; the runner, a separate interpreter the
 * checker starts, holds the model's code and answers each call. Only plain data crosses between them (JSON, tagged for
 * tuples, sets, bytes, …; exact built-in types only). The checker makes itself undumpable first, so the runner (same
 * uid) can neither ptrace it nor open its /proc/<pid>/mem or fd/; then it reads the run's nonce and the test from fd 3
 * (a pipe, never a file the runner could open) and closes it before the runner exists. It writes the nonce on fd 4 only
 * after the test's check() returned, and exits at once (never raising into the test) when the runner dies or breaks
 * the protocol.
 */

import { STARTED } from './code-sandbox';

const CODEC = String.raw`
import json, math
MAX_LINE = 16 * 1024 * 1024

def encode(x):
    t = type(x)
    if x is None or t in (bool, int, str):
        return x
    if t is float:
        return x if math.isfinite(x) else {"F": repr(x)}
    if t is list:
        return [encode(v) for v in x]
    if t is dict:
        return {"d": [[encode(k), encode(v)] for k, v in x.items()]}
    tags = {tuple: "t", set: "s", frozenset: "f"}
    if t in tags:
        return {tags[t]: [encode(v) for v in x]}
    if t is bytes:
        return {"b": x.hex()}
    if t is complex:
        return {"c": [encode(x.real), encode(x.imag)]}
    raise TypeError("a %s cannot pass between the test and the solution (plain data only)" % t.__name__)

DECODERS = {"F": float, "t": tuple, "s": set, "f": frozenset, "d": dict, "b": bytes.fromhex, "c": lambda v: complex(*v)}

def tagged(obj):
    if len(obj) != 1:
        raise ValueError("malformed message")
    ((tag, value),) = obj.items()
    return DECODERS[tag](value)

def dumps(x):
    return json.dumps(encode(x), allow_nan=False)

def loads(line):
    return json.loads(line, object_hook=tagged)
`;

const CHECKER_MAIN = String.raw`
import builtins, ctypes, os, subprocess, sys

if ctypes.CDLL(None).prctl(4, 0, 0, 0, 0) != 0:  # PR_SET_DUMPABLE 0, before the secret is read or the runner exists
    os._exit(70)
os.write(4, STARTED)
os.set_inheritable(4, False)
secret = b""
while True:
    chunk = os.read(3, 65536)
    if not chunk:
        break
    secret += chunk
os.close(3)
nonce, _, test_source = secret.partition(b"\n")
if hasattr(sys, "set_int_max_str_digits"):
    sys.set_int_max_str_digits(0)
ENTRY = sys.argv[1]

def broken(why):
    sys.stderr.write("harness: %s\n" % why)
    sys.stderr.flush()
    os._exit(3)  # never an exception the test could catch

req_r, req_w = os.pipe()
resp_r, resp_w = os.pipe()
runner = subprocess.Popen([sys.executable, "-I", "-B", "/sandbox/runner.py", ENTRY, str(req_r), str(resp_w)],
                          pass_fds=(req_r, resp_w), close_fds=True, stdin=subprocess.DEVNULL)
os.close(req_r)
os.close(resp_w)
to_runner = os.fdopen(req_w, "w")
from_runner = os.fdopen(resp_r, "r")

def ask(message):
    try:
        to_runner.write(message + "\n")
        to_runner.flush()
        line = from_runner.readline(MAX_LINE)
    except OSError:
        broken("the solution's process is gone")
    if not line.endswith("\n"):
        broken("the solution's process ended or answered too much")
    try:
        return loads(line)
    except Exception:
        broken("the solution's process answered something that is not plain data")

def candidate(*args, **kwargs):
    reply = ask(dumps([list(args), kwargs]))
    if type(reply) is list and len(reply) == 2 and reply[0] == "ok":
        return reply[1]
    if not (type(reply) is list and len(reply) == 3 and reply[0] == "err" and type(reply[1]) is str and type(reply[2]) is str):
        broken("the solution's process broke the protocol")
    error = getattr(builtins, reply[1], None)
    try:
        raised = error(reply[2]) if isinstance(error, type) and issubclass(error, Exception) else None
    except Exception:
        raised = None
    raise raised if raised is not None else RuntimeError("%s: %s" % (reply[1], reply[2]))

candidate.__name__ = ENTRY
scope = {"__name__": "__main__"}
try:
    prompt = compile(open("/sandbox/prompt.py").read(), "prompt.py", "exec")
except SyntaxError:
    prompt = None  # a prompt that leaves the function's body to the completion defines nothing the test can use
if prompt is not None:
    exec(prompt, scope)
scope[ENTRY] = candidate
exec(compile(test_source.decode(), "test.py", "exec"), scope)
scope["check"](candidate)
sys.stdout.flush()
os.write(4, nonce)
runner.kill()
os._exit(0)
`;

const RUNNER_MAIN = String.raw`
import os, sys, traceback
if hasattr(sys, "set_int_max_str_digits"):
    sys.set_int_max_str_digits(0)
ENTRY = sys.argv[1]
requests = os.fdopen(int(sys.argv[2]), "r")
replies = os.fdopen(int(sys.argv[3]), "w")
scope = {"__name__": "__main__"}
try:
    exec(compile(open("/sandbox/solution.py").read(), "solution.py", "exec"), scope)
    function = scope[ENTRY]
    failed = None
except BaseException as error:  # SystemExit too: a solution that exits while loading fails its first call
    traceback.print_exc()
    failed = error

def failure(name, error):
    try:
        text = ("%s" % (error,))[:2000]
    except BaseException:
        text = "(unprintable)"
    return dumps(["err", name, text])

def answer(line):
    try:
        if failed is not None:
            raise failed
        args, kwargs = loads(line)
        result = function(*args, **kwargs)
    except BaseException as error:
        return failure(type(error).__name__, error)
    try:
        return dumps(["ok", result])
    except BaseException as error:  # not a built-in name: the test cannot mistake it for an error it expects
        return failure("UnpassableValue", error)

while True:
    line = requests.readline(MAX_LINE)
    if not line:
        break
    replies.write(answer(line) + "\n")
    replies.flush()
`;

export const CHECKER_SOURCE = `STARTED = ${JSON.stringify(STARTED)}.encode()\n${CODEC}\n${CHECKER_MAIN}`;
export const RUNNER_SOURCE = `${CODEC}\n${RUNNER_MAIN}`;
