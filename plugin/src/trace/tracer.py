"""memtrace tracer: runs inside Pyodide and records a program's execution as a JSON trace.

Entry point: run_trace(code, options_json) -> JSON text (see format.ts). Self-contained (stdlib only) because the
runtime loads this file on its own into a fresh namespace.
"""

import builtins
import json
import re
import sys
import time

FILENAME = '<string>'
TRACE_FORMAT_VERSION = 1

_ADDRESS = re.compile(r' at 0x[0-9a-fA-F]+')
_GLOBAL_HIDDEN = frozenset(('__builtins__', '__name__', '__doc__', '__package__', '__loader__', '__spec__',
                            '__annotations__', '__file__', '__cached__', '__exception__', '__return__'))
_PRIMITIVES = {int: 'int', float: 'float', str: 'str', bool: 'bool', type(None): 'NoneType', complex: 'complex',
               bytes: 'bytes'}
_CO_VARARGS = 0x04
_CO_VARKEYWORDS = 0x08


def _type_name(t):
    mod = getattr(t, '__module__', 'builtins')
    name = getattr(t, '__qualname__', t.__name__)
    return name if mod in ('builtins', '__main__') else mod + '.' + name


def _safe_repr(obj, limit=200):
    try:
        text = repr(obj)
    except BaseException as e:  # a user __repr__ may raise anything
        text = '<%s object (repr failed: %s)>' % (type(obj).__name__, type(e).__name__)
    text = _ADDRESS.sub('', text)
    if len(text) > limit:
        text = text[:limit - 3] + '...'
    return text


def _params(fn):
    """Parameter list as written, without annotations: `a, x=2, *args, **kw`."""
    code = getattr(fn, '__code__', None)
    if code is None:
        return '...'
    names = code.co_varnames
    npos = code.co_argcount
    nposonly = code.co_posonlyargcount
    nkw = code.co_kwonlyargcount
    defaults = getattr(fn, '__defaults__', None) or ()
    kwdefaults = getattr(fn, '__kwdefaults__', None) or {}
    out = []
    first_default = npos - len(defaults)
    for i in range(npos):
        p = names[i]
        if i >= first_default:
            p += '=' + _safe_repr(defaults[i - first_default], 30)
        out.append(p)
        if nposonly and i == nposonly - 1:
            out.append('/')
    i = npos + nkw
    if code.co_flags & _CO_VARARGS:
        out.append('*' + names[i])
        i += 1
    elif nkw:
        out.append('*')
    for k in names[npos:npos + nkw]:
        out.append(k + ('=' + _safe_repr(kwdefaults[k], 30) if k in kwdefaults else ''))
    if code.co_flags & _CO_VARKEYWORDS:
        out.append('**' + names[i])
    return ', '.join(out)


class _StopTracing(BaseException):
    """Raised into the program to end it (step cap, deadline). A BaseException so that `except Exception` lets it
    through; a program that catches BaseException is stopped by tracing staying armed (see Engine._dispatch)."""


class Output:
    """Raw writer for sys.stdout/stderr: no line buffering, so print(end='') is never lost."""

    def __init__(self, cap):
        self.parts = []
        self.size = 0
        self.cap = cap
        self.dropped = 0

    def write(self, s):
        if not isinstance(s, str):
            raise TypeError('write() argument must be str, not %s' % type(s).__name__)
        room = self.cap - self.size
        if len(s) > room:
            self.dropped += len(s) - max(room, 0)
            s = s[:max(room, 0)]
        if s:
            self.parts.append(s)
            self.size += len(s)
        return len(s)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        pass

    def isatty(self):
        return False

    def text(self):
        return ''.join(self.parts)

    encoding = 'utf-8'
    errors = 'strict'


# ---------------------------------------------------------------------------------------------------- native format

class NativeEncoder:
    """Builds memtrace Steps. Heap ids: 1, 2, ... in order of first discovery, where each step is walked as globals,
    then frames in order (variables first), then breadth-first through references."""

    def __init__(self, opts):
        self.max_items = opts.get('maxContainerItems', 100)
        self.max_str = 1000
        self.ids = {}        # id(obj) -> heap id
        self.keep = {}       # heap id -> obj (keeps id() from being reused while we know the object)
        self.next_id = 1
        self.frame_ids = {}  # id(frame) -> frame id, for frames that have started and not finished
        self.next_frame = 1
        self.var_order = {}  # frame id -> [names in order of first appearance]
        self.steps = []
        self.prev = None

    # values
    def value(self, v):
        t = type(v)
        name = _PRIMITIVES.get(t)
        if name is not None:
            if t is str:
                if len(v) > self.max_str:
                    return {'type': 'str', 'repr': repr(v[:self.max_str]), 'fullLength': len(v)}
                return {'type': 'str', 'repr': repr(v)}
            if t is int:
                return {'type': 'int', 'repr': _int_repr(v)}
            return {'type': name, 'repr': repr(v)}
        return {'ref': self._ref(v)}

    def _ref(self, obj):
        k = id(obj)
        hid = self.ids.get(k)
        if hid is None:
            hid = self.next_id
            self.next_id += 1
            self.ids[k] = hid
            self.keep[hid] = obj
        if hid not in self._seen:
            self._seen.add(hid)
            self._queue.append((hid, obj))
        return hid

    def _encode(self, obj):
        t = type(obj)
        cap = self.max_items
        if isinstance(obj, (list, tuple, set, frozenset)) or _is_deque(obj):
            kind = ('tuple' if isinstance(obj, tuple) else 'set' if isinstance(obj, set)
                    else 'frozenset' if isinstance(obj, frozenset) else 'list')
            items = []
            n = 0
            for item in obj:
                if n >= cap:
                    break
                items.append(self.value(item))
                n += 1
            out = {'kind': kind, 'type': _type_name(t), 'items': items}
            if len(obj) > n:
                out['more'] = len(obj) - n
            return out
        if isinstance(obj, dict):
            entries = []
            n = 0
            for k, v in obj.items():
                if n >= cap:
                    break
                entries.append([self.value(k), self.value(v)])
                n += 1
            out = {'kind': 'dict', 'type': _type_name(t), 'entries': entries}
            if len(obj) > n:
                out['more'] = len(obj) - n
            return out
        if t is _FunctionType or t is _BuiltinFunctionType:
            out = {'kind': 'function', 'type': t.__name__, 'name': obj.__name__,
                   'params': _params(obj) if t is _FunctionType else '...'}
            parent = self._function_parent(obj)
            if parent:
                out['parentFrame'] = parent
            return out
        if isinstance(obj, type):
            attrs = [[k, self.value(v)] for k, v in obj.__dict__.items() if k not in _CLASS_HIDDEN]
            out = {'kind': 'class', 'type': _type_name(type(obj)), 'name': obj.__name__,
                   'bases': [b.__name__ for b in obj.__bases__ if b is not object], 'attrs': attrs[:cap]}
            if len(attrs) > cap:
                out['more'] = len(attrs) - cap
            return out
        if t is _ModuleType:
            return {'kind': 'module', 'type': 'module', 'name': obj.__name__}
        if t is _GeneratorType:
            return self._generator(obj)
        d = getattr(obj, '__dict__', None)
        if isinstance(d, dict) and t.__module__ == '__main__' or _is_plain_instance(obj):
            attrs = [[k, self.value(v)] for k, v in list(_instance_attrs(obj))[:cap]]
            out = {'kind': 'instance', 'type': _type_name(t), 'className': t.__name__, 'attrs': attrs}
            total = len(list(_instance_attrs(obj)))
            if total > cap:
                out['more'] = total - cap
            return out
        return {'kind': 'other', 'type': _type_name(t), 'repr': _safe_repr(obj)}

    def _generator(self, gen):
        if gen.gi_running:
            state = 'running'
        elif gen.gi_suspended:
            state = 'suspended'
        elif gen.gi_frame is None:
            state = 'closed'
        else:
            state = 'created'
        out = {'kind': 'generator', 'type': 'generator', 'name': gen.__name__, 'state': state}
        f = gen.gi_frame
        if f is not None and state != 'running':
            out['frame'] = {'line': f.f_lineno, 'locals': self._frame_locals(f, None)}
        return out

    def _function_parent(self, fn):
        return self.closure_parents.get(id(fn))

    def _frame_locals(self, frame, fid):
        code = frame.f_code
        hidden = code.co_freevars
        loc = frame.f_locals
        names = [k for k in loc.keys() if k not in hidden and not (k.startswith('.') or k in _LOCAL_HIDDEN)]
        if fid is None:
            return [[k, self.value(loc[k])] for k in names]
        order = self.var_order.setdefault(fid, [])
        known = set(order)
        for k in names:
            if k not in known:
                order.append(k)
                known.add(k)
        present = set(names)
        return [[k, self.value(loc[k])] for k in order if k in present]

    # frames and steps
    def on_call(self, frame):
        self.frame_ids[id(frame)] = self.next_frame
        self.next_frame += 1

    def on_finished(self, frame):
        self.frame_ids.pop(id(frame), None)

    def step(self, event, line, frame, stack, globals_, arg, stdout_len):
        self._seen = set()
        self._queue = []
        self.closure_parents = {}
        frames = []
        gorder = self.var_order.setdefault(0, [])
        known = set(gorder)
        for k in globals_.keys():
            if k not in _GLOBAL_HIDDEN and k not in known:
                gorder.append(k)
                known.add(k)
        frames.append({'id': 0, 'name': '<module>',
                       'locals': [[k, self.value(globals_[k])] for k in gorder if k in globals_],
                       'line': stack[0].f_lineno if stack and stack[0].f_code.co_name == '<module>' else line})
        for f in stack:
            fid = self.frame_ids.get(id(f))
            if fid is None:
                continue
            entry = {'id': fid, 'name': f.f_code.co_name, 'locals': self._frame_locals(f, fid), 'line': f.f_lineno}
            if f is frame and event == 'return':
                entry['returnValue'] = self.value(arg)
            frames.append(entry)
        heap = {}
        queue = self._queue
        i = 0
        while i < len(queue):
            hid, obj = queue[i]
            i += 1
            heap[hid] = self._encode(obj)
        step = {'line': line, 'event': event, 'frames': frames,
                'heap': {str(k): heap[k] for k in sorted(heap)}, 'stdout': stdout_len}
        if event in ('exception', 'uncaught') and arg is not None:
            step['exception'] = arg
        self.steps.append(step)
        return step


def _int_repr(v):
    try:
        return repr(v)
    except ValueError:  # more digits than sys.get_int_max_str_digits()
        old = sys.get_int_max_str_digits()
        sys.set_int_max_str_digits(0)
        try:
            return repr(v)
        finally:
            sys.set_int_max_str_digits(old)


def _is_deque(obj):
    mod = sys.modules.get('collections')
    return mod is not None and isinstance(obj, mod.deque)


def _instance_attrs(obj):
    d = getattr(obj, '__dict__', None)
    if isinstance(d, dict):
        for k, v in d.items():
            if isinstance(k, str):
                yield k, v
    for cls in type(obj).__mro__:
        for s in cls.__dict__.get('__slots__', ()) if isinstance(cls.__dict__.get('__slots__', ()), (tuple, list)) else ():
            if s in ('__dict__', '__weakref__'):
                continue
            try:
                yield s, getattr(obj, s)
            except AttributeError:
                pass


def _is_plain_instance(obj):
    t = type(obj)
    return t.__module__ == '__main__'


def _f():
    pass


def _g():
    yield


_FunctionType = type(_f)
_BuiltinFunctionType = type(len)
_ModuleType = type(sys)
_GeneratorType = type(_g())
_LOCAL_HIDDEN = frozenset(('__return__', '__exception__', '__module__', '__qualname__', '__firstlineno__',
                           '__static_attributes__', '__classdictcell__', '__classcell__'))
_CLASS_HIDDEN = frozenset(('__module__', '__dict__', '__weakref__', '__doc__', '__qualname__', '__firstlineno__',
                           '__static_attributes__', '__orig_bases__', '__classcell__', '__annotations__',
                           '__annotate__', '__annotate_func__', '__annotations_cache__', '__type_params__'))


# ---------------------------------------------------------------------------------------------------- engine

class Engine:
    """Runs the program under sys.settrace and turns raw events into steps, following Python Tutor's choice of
    which events are steps: every line, call, return and exception event in the program's own frames, starting
    at the first line event of the module."""

    def __init__(self, code, opts, encoder):
        self.code = code
        self.opts = opts
        self.enc = encoder
        self.max_steps = opts.get('maxSteps', 1000)
        self.deadline = time.monotonic() + opts.get('timeoutMs', 10000) / 1000.0
        self.out = Output(opts.get('maxOutputChars', 10000))
        self.started = False
        self.stopping = None   # end reason once the run must stop
        self.globals = None

    def _dispatch(self, frame, event, arg):
        if self.stopping is not None:
            raise _StopTracing()
        if not self.started:
            if event != 'line' or frame.f_code.co_filename != FILENAME:
                return self._dispatch
            self.started = True
        if time.monotonic() > self.deadline:
            self.stopping = 'timeout'
            raise _StopTracing()
        name = frame.f_code.co_name
        if name == '__new__' or name == '__repr__':
            return self._dispatch
        if event == 'call':
            self.enc.on_call(frame)
            self._step('call', frame, None)
        elif event == 'line':
            self._step('line', frame, None)
        elif event == 'return':
            self._step('return', frame, arg)
            self.enc.on_finished(frame)
        elif event == 'exception':
            exc = arg[1]
            self._step('exception', frame, {'type': type(exc).__name__, 'message': _exc_message(exc)})
        return self._dispatch

    def _global_trace(self, frame, event, arg):
        if frame.f_globals is not self.globals:
            return None
        return self._dispatch(frame, event, arg)

    def _stack(self, frame):
        stack = []
        f = frame
        while f is not None:
            if f.f_globals is self.globals and f.f_code.co_filename == FILENAME:
                stack.append(f)
            f = f.f_back
        stack.reverse()
        return stack

    def _step(self, event, frame, arg):
        if len(self.enc.steps) >= self.max_steps:
            self.stopping = 'step-limit'
            raise _StopTracing()
        self.enc.step(event, frame.f_lineno, frame, self._stack(frame), self.globals, arg, self.out.size)

    def run(self):
        try:
            compiled = compile(self.code, FILENAME, 'exec', dont_inherit=True)
        except SyntaxError as e:
            return {'failure': {'kind': 'syntax', 'message': '%s: %s' % (type(e).__name__, e.msg),
                                'line': e.lineno or 1, 'column': e.offset or 1}}
        self.globals = {'__name__': '__main__', '__builtins__': builtins}
        saved_out, saved_err = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = self.out
        end = {'reason': 'completed'}
        sys.settrace(self._global_trace)
        try:
            exec(compiled, self.globals)
        except _StopTracing:
            end = {'reason': self.stopping or 'timeout'}
        except SystemExit as e:
            end = {'reason': 'exit'}
        except MemoryError:
            end = {'reason': 'memory'}
        except BaseException as e:
            end = {'reason': 'exception', 'message': '%s: %s' % (type(e).__name__, _exc_message(e))}
        finally:
            sys.settrace(None)
            sys.stdout, sys.stderr = saved_out, saved_err
        trace = {'format': 'memtrace', 'version': TRACE_FORMAT_VERSION, 'python': sys.version.split()[0],
                 'code': self.code, 'steps': self.enc.steps, 'stdout': self.out.text()}
        if self.out.dropped:
            trace['stdoutTruncated'] = self.out.dropped
        trace['end'] = end
        return trace


def _exc_message(exc):
    try:
        return _ADDRESS.sub('', str(exc))
    except BaseException:
        return ''


def run_trace(code, options_json='{}'):
    try:
        opts = json.loads(options_json or '{}')
        if not isinstance(opts, dict):
            raise ValueError('options must be a JSON object')
    except ValueError as e:
        return json.dumps({'failure': {'kind': 'options', 'message': str(e)}})
    result = Engine(code, opts, NativeEncoder(opts)).run()
    return json.dumps(result, ensure_ascii=False, separators=(',', ':'))
