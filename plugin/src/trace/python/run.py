"""memtrace tracer, module 1 of 4: the run loop, I/O and isolation (see tracer-modules.ts for the load order).

Entry point: run_trace(code, options_json) -> JSON text, either a memtrace Trace (native.py), a Python Tutor trace
(options "format": "pytutor", pytutor.py), or {"failure": TraceFailure}. Stdlib only. The four modules run in order
into one fresh namespace (as Python Tutor's pg_logger.py uses pg_encoder.py, but without imports: the namespace is
private to the loader, so nothing of the tracer shows in the program's sys.modules), possibly many times in one
interpreter, so every run undoes what the program did to the interpreter (see Isolation).

Both formats share one Tracer, which decides which interpreter events are steps, the way Python Tutor does: every
line, call, return and exception event in the program's own frames from its first line on, leaving out class bodies
(and everything they call) and __repr__/__new__ frames. The encoders then turn each event into a snapshot. The
caller passes every limit (maxSteps, timeoutMs, maxOutputChars, maxContainerItems, maxFrames): the tracer has no
defaults of its own (they live in defaults.ts).
"""

import builtins
import gc
import json
import math
import os
import re
import sys
import time
import weakref
from itertools import islice as _islice

# The tracer's own name lookups (len, isinstance, ...) go to a private copy of the builtins, so that a program that
# patches the builtins module cannot break the tracer while it runs (they are restored afterwards).
__builtins__ = dict(builtins.__dict__)

FILENAME = '<string>'
TRACE_FORMAT_VERSION = 2
_CO_OPTIMIZED = 0x01
_CO_VARARGS = 0x04
_CO_VARKEYWORDS = 0x08
_CO_GENERATOR_LIKE = 0x20 | 0x80 | 0x200   # generator, coroutine, async generator
_RECURSION_HEADROOM = 120                   # frames kept free above the program's limit for the tracer's own calls
_MAX_STR = 1000                             # str values longer than this are cut (Primitive.fullLength)
_ADDRESS = re.compile(r' at 0x[0-9a-fA-F]+')
LIMITS = ('maxSteps', 'timeoutMs', 'maxOutputChars', 'maxContainerItems', 'maxFrames')   # every one required
_BLOCKED_MODULES = frozenset(('js', 'pyodide', 'pyodide_js', '_pyodide', 'micropip', 'pyodide_http'))


def _f():
    """A plain function, whose type is FunctionType (no `types` import: the tracer keeps its imports few)."""
    pass


def _g():
    """A generator function: _g() gives GeneratorType."""
    yield


class _WithMethod:
    """A class with a method and a __weakref__ slot: gives MethodType and the slot-descriptor type."""
    def m(self):
        """A method, so that _WithMethod().m is a bound method."""
        pass


_FunctionType = type(_f)
_MethodType = type(_WithMethod().m)
_BuiltinFunctionType = type(len)
_ModuleType = type(sys)
_GeneratorType = type(_g())
_CodeType = type(_f.__code__)
_monotonic = time.monotonic
# The tracer keeps its own references to what it calls while the program runs: a program can rebind module
# attributes (json.dumps = None) before the tracer restores them.
_json_dumps = json.dumps
_json_loads = json.loads
_weakref = weakref.ref
_getrefcount = sys.getrefcount
_getframe = sys._getframe
_settrace = sys.settrace
_gc_referents = gc.get_referents
_gc_is_tracked = gc.is_tracked
_gc_get_objects = gc.get_objects
_gc_callbacks = gc.callbacks
_gc_enable = gc.enable
_gc_disable = gc.disable
_gc_isenabled = gc.isenabled
_real_gc_collect = gc.collect
_setrecursionlimit = sys.setrecursionlimit
_getrecursionlimit = sys.getrecursionlimit
_real_id = id
_object_repr = object.__repr__
_object_hash = object.__hash__


class _StopTracing(BaseException):
    """Raised into the program to end it (step cap, deadline, memory)."""


def _exc_message(exc):
    """str(exc) without memory addresses (they differ between runs), or '' when str() itself fails."""
    try:
        return _ADDRESS.sub('', str(exc))
    except BaseException:
        return ''


def _int_repr(v):
    """repr() of an int of any size: Python refuses to print ints past 4300 digits by default, a trace must not."""
    try:
        return repr(v)
    except ValueError:  # more digits than sys.get_int_max_str_digits() allows
        old = sys.get_int_max_str_digits()
        sys.set_int_max_str_digits(0)
        try:
            return repr(v)
        finally:
            sys.set_int_max_str_digits(old)


def _safe_str(fn, obj):
    """fn(obj) if it gives a str, else None: a program's broken __repr__ must not end the trace. The tracer's own
    stop signals (timeout, memory) still pass."""
    try:
        text = fn(obj)
        return text if isinstance(text, str) else None
    except BaseException as e:
        if isinstance(e, (KeyboardInterrupt, _StopTracing, MemoryError)):
            raise
        return None


# ---------------------------------------------------------------------------------------------------- output, input

class Output:
    """Raw writer for sys.stdout/stderr: no buffering, so print(end='') is never lost. Capped."""

    encoding = 'utf-8'
    errors = 'strict'

    def __init__(self, cap, ids):
        """An empty output that keeps at most `cap` characters and counts the ones it drops; default reprs in it
        show the stable numbers of `ids` (a StableIds) instead of addresses."""
        self.ids = ids
        self.parts = []
        self.size = 0
        self.cap = cap
        self.dropped = 0

    def write(self, s):
        """Keep s up to the cap, count the rest; returns len(s) as a file's write() does."""
        if not isinstance(s, str):
            raise TypeError('write() argument must be str, not %s' % type(s).__name__)
        if ' at 0x' in s:
            s = self.ids.rewrite(s)
        room = self.cap - self.size
        if len(s) > room:
            self.dropped += len(s) - max(room, 0)
            s = s[:max(room, 0)]
        if s:
            self.parts.append(s)
            self.size += len(s)
        return len(s)

    def writelines(self, lines):
        """Write each line, as io.TextIOBase.writelines does (no newlines added)."""
        for line in lines:
            self.write(line)

    def flush(self):
        """Nothing to flush: writes are kept at once."""
        pass

    def isatty(self):
        """Not a terminal: programs that check (colour output, progress bars) print plain text."""
        return False

    def writable(self):
        """A write-only stream, as sys.stdout is."""
        return True

    def readable(self):
        """Not readable, as sys.stdout is not."""
        return False

    def fileno(self):
        """There is no descriptor behind captured output: say so, as io.StringIO does."""
        raise OSError('stdout is captured by memtrace and has no file descriptor')

    def text(self):
        """All output kept so far, as one string (joined once and cached as the single part)."""
        if len(self.parts) > 1:
            self.parts = [''.join(self.parts)]
        return self.parts[0] if self.parts else ''


class Input:
    """sys.stdin and input() fed from options.stdin, echoing what is read the way a terminal shows it."""

    encoding = 'utf-8'

    def __init__(self, text, out):
        """Lines of `text` (None: the block gave no stdin, so reading raises), echoed into `out`."""
        self.lines = None if text is None else text.splitlines(True)
        self.out = out

    def _need(self):
        """Raise a clear EOFError when the block gave no stdin at all."""
        if self.lines is None:
            raise EOFError('input() has no data: this program reads input, so pass the text it should read as '
                           'stdin (the memtrace block\'s stdin option)')

    def readline(self, size=-1):
        """The next line with its newline, or '' at the end, as a file's readline() does."""
        self._need()
        return self.lines.pop(0) if self.lines else ''

    def read(self, size=-1):
        """Everything not yet read."""
        self._need()
        text = ''.join(self.lines)
        self.lines = []
        return text

    def readlines(self, hint=-1):
        """The remaining lines, as a list."""
        self._need()
        lines, self.lines = self.lines, []
        return lines

    def __iter__(self):
        """Iterate over lines until the end, as `for line in sys.stdin` does."""
        return iter(self.readline, '')

    def isatty(self):
        """Not a terminal."""
        return False

    def readable(self):
        """A readable stream, as sys.stdin is."""
        return True

    def input(self, prompt=''):
        """The builtin input(): prints the prompt, reads one line and echoes it, as a terminal would show the
        typed line; EOFError when stdin is exhausted."""
        self.out.write(str(prompt))
        self._need()
        if not self.lines:
            raise EOFError('EOF when reading a line (stdin has no more lines)')
        line = self.lines.pop(0)
        if line.endswith('\n'):
            line = line[:-1]
        self.out.write(line + '\n')
        return line


# ---------------------------------------------------------------------------------------------------- stable identities

# First number given out. Above 2**32, so it cannot be an address of Pyodide's 32-bit heap: rewrite() tells the two
# apart. Shaped like an address of a 64-bit CPython, which is what readers see on their own machines.
_STABLE_BASE = 0x7f0000001000
_STABLE_STRIDE = 0x20     # a multiple of 16, so that a hash derived from it (number >> 4) is as spread as CPython's
_DEFAULT_REPR_ADDRESS = re.compile(r'(<[^<>]* at )0x([0-9a-f]+)>')


class StableIds:
    """Per-run object numbers that stand in for memory addresses, so that a trace does not depend on what the
    interpreter ran before (where an object lands in memory does).

    Numbers are given in the order the program first observes an object's identity: id(obj), the default repr of
    an instance of its classes, their default hash, or an address in a default repr it prints (`<function f at
    0x...>`). An object that can be weakly referenced gives its number up when it dies, so a new object never takes
    it; any other object is known by its address, so an object born where a dead one lived takes its number, as
    CPython's id() does.
    """

    def __init__(self):
        """An empty table: the first number given out is _STABLE_BASE."""
        self.by_address = {}   # real id() -> stable number
        self.refs = {}         # real id() -> weakref that forgets the entry when the object dies
        self.next = _STABLE_BASE

    def address(self, real):
        """The stable number for the real address `real`, given out now if it has none yet."""
        number = self.by_address.get(real)
        if number is None:
            number = self.by_address[real] = self.next
            self.next += _STABLE_STRIDE
        return number

    def number(self, obj):
        """The stable number of obj (what the program's id() returns)."""
        real = _real_id(obj)
        number = self.by_address.get(real)
        if number is None:
            number = self.address(real)
            try:
                self.refs[real] = _weakref(obj, self._forget(real))
            except TypeError:
                pass
        return number

    def _forget(self, real):
        """The weakref callback that frees the number of the object at `real` once it dies."""
        by_address, refs = self.by_address, self.refs

        def forget(ref):
            """The object died: its address may be reused by an object that must get a number of its own."""
            if refs.get(real) is ref:
                del refs[real]
                by_address.pop(real, None)
        return forget

    def rewrite(self, text):
        """Text with the real addresses in default reprs (`<... at 0x1c87eb8>`) replaced by stable numbers; a
        stable number already there (from _default_repr) stays."""
        return _DEFAULT_REPR_ADDRESS.sub(self._rewrite_match, text)

    def _rewrite_match(self, match):
        """One `<... at 0x...>` of rewrite(): its address as a stable number."""
        address = int(match.group(2), 16)
        if address >= _STABLE_BASE:
            return match.group(0)
        return '%s%s>' % (match.group(1), hex(self.address(address)))


_stable = [None]   # the running program's StableIds (one run at a time)


def _stable_id(obj, /):
    """builtins.id while a program runs: the object's stable number (see StableIds)."""
    return _stable[0].number(obj)


def _default_repr(self):
    """object.__repr__ with a stable number for the address: put on the program's classes that have no __repr__."""
    t = type(self)
    mod = getattr(t, '__module__', None)
    if isinstance(mod, str) and mod != 'builtins':
        return '<%s.%s object at %s>' % (mod, t.__qualname__, hex(_stable[0].number(self)))
    return '<%s object at %s>' % (t.__name__, hex(_stable[0].number(self)))


def _default_hash(self):
    """object.__hash__ from the stable number instead of the address (CPython hashes the address rotated by 4
    bits; the numbers' low 4 bits are 0): put on the program's classes that hash by identity, so that sets and dicts
    of their instances iterate in the same order whatever ran before."""
    return _stable[0].number(self) >> 4


def _injected(value):
    """Whether a class attribute is one the tracer put there (_default_repr, _default_hash): the encoders leave
    those out, so the diagram shows the class as the program wrote it."""
    return value is _default_repr or value is _default_hash


# ---------------------------------------------------------------------------------------------------- isolation

_baseline = {}   # module name -> its attributes when a program first imported it in this interpreter


class Isolation:
    """Snapshot of interpreter state a program can change, restored after the run, so that one run leaves no trace
    in the next: builtins, sys (attributes, modules, path, streams, recursion limit), the attributes of modules the
    program imported, gc settings, random state, cwd, environment, warnings filters."""

    def __init__(self):
        """Record the interpreter state a program may change, before it runs."""
        self.builtins = dict(builtins.__dict__)
        self.modules = dict(sys.modules)
        self.touched = set()   # names of already-loaded modules the program imported
        self.sys_dict = dict(sys.__dict__)
        self.path = list(sys.path)
        self.meta_path = list(sys.meta_path)
        self.path_hooks = list(sys.path_hooks)
        self.recursion_limit = sys.getrecursionlimit()
        self.int_digits = sys.get_int_max_str_digits()
        self.gc_enabled = _gc_isenabled()
        self.gc_threshold = gc.get_threshold()
        self.gc_callbacks = list(_gc_callbacks)
        self.cwd = os.getcwd()
        self.environ = dict(getattr(os.environ, '_data', None) or {})
        warnings = sys.modules.get('warnings')
        self.warn_filters = list(warnings.filters) if warnings else None

    def note(self, mod):
        """The program imported `mod`: remember its attributes (once per interpreter) to undo changes to them."""
        name = getattr(mod, '__name__', None)
        if not isinstance(name, str) or name in ('sys', 'builtins', '__main__') or self.modules.get(name) is not mod:
            return
        self.touched.add(name)
        if name not in _baseline:
            _baseline[name] = dict(mod.__dict__)

    def restore(self):
        """Put back everything recorded in __init__ and every module the program imported, as it was the first
        time a program imported it. Only what differs is written, so a well-behaved program costs little."""
        _settrace(None)
        b = builtins.__dict__
        if b != self.builtins:
            b.clear()
            b.update(self.builtins)
        modules = sys.modules
        main = self.modules.get('__main__')
        if main is not None and modules.get('__main__') is not main:
            modules['__main__'] = main   # the run's own __main__, always there: put back first, cheaply
        if len(modules) != len(self.modules) or modules != self.modules:
            extra = modules.keys() - self.modules.keys()
            if extra:
                for name in [n for n in modules if n in extra]:
                    del modules[name]
            modules.update(self.modules)   # the same entries as writing back only those that differ
        for name in self.touched:
            snap = _baseline.get(name)
            d = getattr(self.modules.get(name), '__dict__', None)
            if snap is not None and isinstance(d, dict) and d != snap:
                d.clear()
                d.update(snap)
        d = sys.__dict__
        extra = d.keys() - self.sys_dict.keys()
        if extra:
            for k in [k for k in d if k in extra]:
                del d[k]
        d.update(self.sys_dict)   # the same entries as writing back only those that differ
        sys.path[:] = self.path
        sys.meta_path[:] = self.meta_path
        sys.path_hooks[:] = self.path_hooks
        sys.setrecursionlimit(self.recursion_limit)
        sys.set_int_max_str_digits(self.int_digits)
        _gc_callbacks[:] = self.gc_callbacks
        gc.set_threshold(*self.gc_threshold)
        (_gc_enable if self.gc_enabled else _gc_disable)()
        try:
            if os.getcwd() != self.cwd:
                os.chdir(self.cwd)
        except OSError:
            pass
        data = getattr(os.environ, '_data', None)
        if data is not None and data != self.environ:
            for k in [k for k in data if k not in self.environ]:
                os.unsetenv(k)
                del data[k]
            for k, v in self.environ.items():
                if data.get(k) != v:
                    os.putenv(k, v)
                    data[k] = v
        warnings = sys.modules.get('warnings')
        if warnings is not None and self.warn_filters is not None and warnings.filters != self.warn_filters:
            warnings.filters[:] = self.warn_filters


# ---------------------------------------------------------------------------------------------------- stopping

class Monitor:
    """A sys.monitoring tool beside the trace function, for two jobs a trace function cannot do.

    Stopping: once a run must stop, tracing is off (CPython disables a trace function that raises), so a program that
    catches the stop exception would run on; the monitor keeps raising it at every line, call and jump of the
    program's code until the program has unwound.

    Recursion limit: the tracer's own calls run on top of the program's deepest frame, so the real limit is kept a
    little above the program's (_RECURSION_HEADROOM) and the monitor raises RecursionError when a new frame of the
    program would go past the limit the program sees, so that the error comes at the same depth as without tracing.
    """

    def __init__(self, tracer):
        """A monitor for the run of `tracer`; registers nothing until start()."""
        self.tracer = tracer
        self.tool = None
        self.stopping = False
        self.watching = False   # whether the recursion checks are on (see watch_depth)
        self.mon = getattr(sys, 'monitoring', None)

    def _near_limit(self):
        """Cheap test first: only near the recursion limit is the real depth worth counting."""
        tracer = self.tracer
        return tracer.depth + tracer.base_depth + 20 >= tracer.user_limit

    @staticmethod
    def _depth(f):
        """Number of frames from f down to the bottom of the stack."""
        depth = 0
        while f is not None:
            depth += 1
            f = f.f_back
        return depth

    def _call(self, code, offset, callee, arg0):
        # CPython raises RecursionError while pushing the new frame, so the error comes from the call site.
        """CALL event: raise RecursionError when calling a Python function would pass the program's limit."""
        if code.co_filename != FILENAME:
            return self.mon.DISABLE
        if not self._near_limit():
            return None
        t = type(callee)
        if t is _MethodType:
            t = type(callee.__func__)
        if t is _FunctionType and self._depth(_getframe(1)) + 1 + self.tracer.hidden_depth > self.tracer.user_limit:
            raise RecursionError('maximum recursion depth exceeded')
        return None

    def _start(self, code, offset):
        """PY_START event: keep stopping a program that must stop; raise RecursionError for frames that other
        callables start past the program's limit."""
        if code.co_filename != FILENAME:
            return self.mon.DISABLE
        if self.stopping:
            raise _StopTracing()
        # Frames started by other callables (a class's __init__, a callback from C) are checked here instead.
        if self._near_limit() and self._depth(_getframe(1)) + self.tracer.hidden_depth > self.tracer.user_limit:
            raise RecursionError('maximum recursion depth exceeded')
        return None

    def _kill(self, code, *args):
        """LINE/PY_RESUME/JUMP event after the run must stop: raise the stop exception again in the program's code."""
        if code.co_filename != FILENAME:
            return self.mon.DISABLE
        raise _StopTracing()

    def start(self):
        """Claim a free sys.monitoring tool id (no-op without sys.monitoring). Nothing is watched until the program
        nears its recursion limit (watch_depth) or must stop (stop_program)."""
        mon = self.mon
        if mon is None:
            return
        for tool in (4, 3, 5, 1, 2, 0):
            try:
                mon.use_tool_id(tool, 'memtrace')
            except ValueError:
                continue
            self.tool = tool
            break

    def _register_checks(self):
        """The callbacks of the recursion checks (the events that call them are set by the caller)."""
        mon = self.mon
        mon.register_callback(self.tool, mon.events.PY_START, self._start)
        mon.register_callback(self.tool, mon.events.CALL, self._call)

    def watch_depth(self):
        """Turn the CALL and PY_START checks on, once the program nears its recursion limit. Far from it they
        would return at once, yet cost a callback on every call the program makes. They stay on for the run."""
        if self.tool is None or self.watching or self.stopping:
            return
        self.watching = True
        self._register_checks()
        self.mon.set_events(self.tool, self.mon.events.PY_START | self.mon.events.CALL)

    def stop_program(self):
        """From now on raise the stop exception at every line, resume and jump of the program's code."""
        self.stopping = True
        mon = self.mon
        if self.tool is None:
            return
        ev = mon.events
        if not self.watching:
            self._register_checks()
        for e in (ev.LINE, ev.PY_RESUME, ev.JUMP):
            mon.register_callback(self.tool, e, self._kill)
        mon.restart_events()
        mon.set_events(self.tool, ev.PY_START | ev.CALL | ev.LINE | ev.PY_RESUME | ev.JUMP)

    def close(self):
        """Unregister every callback and free the tool id, so the next run can claim it."""
        if self.tool is None:
            return
        mon = self.mon
        if hasattr(mon, 'clear_tool_id'):   # Python 3.14+: freeing the id also clears its events and callbacks
            mon.free_tool_id(self.tool)
            self.tool = None
            return
        mon.set_events(self.tool, 0)
        for e in (mon.events.PY_START, mon.events.CALL, mon.events.LINE, mon.events.PY_RESUME, mon.events.JUMP):
            mon.register_callback(self.tool, e, None)
        mon.free_tool_id(self.tool)
        self.tool = None


# ---------------------------------------------------------------------------------------------------- tracer

class Tracer:
    """Runs the program under sys.settrace and passes the events that are steps to an encoder."""

    def __init__(self, code, opts, encoder):
        """A run of `code` with `opts` (every limit given, see run_trace) whose steps go to `encoder`."""
        self.code = code
        self.opts = opts
        self.enc = encoder
        self.timeout = float(opts['timeoutMs']) / 1000.0
        self.ids = StableIds()
        self.out = Output(int(opts['maxOutputChars']), self.ids)
        self.stdin = Input(opts.get('stdin'), self.out)
        self.monitor = Monitor(self)
        self.depth = 0             # frames of the program that are running (a cheap lower bound of the real depth)
        self.watch_from = 0        # the depth from which the Monitor checks calls against the limit (_watch_limit)
        self.base_depth = 0
        self.hidden_depth = 0      # recursion-counted levels that _getframe() does not show (C entry frames)
        self.started = False
        self.stopping = None       # end reason once the run must stop
        self.skip_until = None     # class-body frame whose events (and everything it calls) are not steps
        self.exiting = False
        self.globals = None
        self.user_limit = 1000
        self.module_frame = None
        self.internal_error = None
        self.new_classes = []      # (class, frame that made it, offset that binds it): classes not yet settled
        self.stores = {}           # cache of _store_after
        self.serialize = _native_json   # result dict -> JSON text, called before the run's cleanup
        self._local = self._local_trace   # the per-frame trace function, made once (not a new bound method per event)

    # -- tracing
    def _global_trace(self, frame, event, arg):
        """sys.settrace's global hook: trace only the frames of the program's own code, in its globals."""
        if frame.f_globals is not self.globals or not self.enc.traces(frame.f_code):
            return None
        return self._local_trace(frame, event, arg)

    def _local_trace(self, frame, event, arg):
        """The per-frame trace function: decides whether an event is a step (from the program's first line, not
        inside class bodies or __repr__/__new__), enforces the deadline and the step cap, and hands steps to the
        encoder. The encoder runs with extra recursion room so that a step at the program's limit can be recorded."""
        if event == 'call':
            self.depth += 1
            if self.depth >= self.watch_from:
                self.monitor.watch_depth()
        elif event == 'return':
            self.depth -= 1
        if self.stopping is not None:
            raise _StopTracing()
        if _monotonic() > self.deadline:
            self._stop('timeout')
        if not self.started:
            if event != 'line' or frame.f_lineno <= 0 or frame.f_code.co_filename != FILENAME:
                return self._local
            self.started = True
            self.module_frame = frame
        if self.new_classes and event != 'call':
            self._settle_classes(frame)
        if self.skip_until is not None:
            if event == 'return' and frame is self.skip_until:
                self.skip_until = None
            return self._local
        code = frame.f_code
        if event == 'call' and not (code.co_flags & _CO_OPTIMIZED) and code.co_name != '<module>':
            self.skip_until = frame   # a class body
            return self._local
        name = code.co_name
        if name == '__repr__' or name == '__new__' or name == '__annotate__' or self.exiting:
            return self._local
        if event == 'exception':
            exc = arg[1]
            if code.co_flags & _CO_GENERATOR_LIKE and arg[0] is StopIteration and arg[2] is None:
                return self._local   # how `await`/`yield from` receive a result, not an error (as bdb)
            if isinstance(exc, (KeyboardInterrupt, _StopTracing)):
                self._stop('timeout')
            if type(exc) is RecursionError:
                _strip_monitor_frames(exc)
            if isinstance(exc, SystemExit) and self.enc.quiet_exit:
                self.exiting = True
                return self._local
        limit = _getrecursionlimit()
        _setrecursionlimit(limit + 2000)
        try:
            full = self.enc.event(event, frame, arg)
        except MemoryError:
            self._stop('memory')
        except KeyboardInterrupt:   # the runtime's interrupt, arriving while the tracer itself runs
            self._stop('timeout')
        except Exception:
            import traceback
            self.internal_error = traceback.format_exc()
            self._stop('internal')
        finally:
            _setrecursionlimit(limit)
        if full:
            self._stop('step-limit')
        return self._local

    def _stop(self, reason):
        """End the run for `reason` (kept if one was already set): stop the program wherever it is."""
        if self.stopping is None:
            self.stopping = reason
        self.monitor.stop_program()
        raise _StopTracing()

    # -- patched builtins
    def _build_class(self, func, name, *bases, **kwds):
        """builtins.__build_class__ while the program runs: notes each class the program's code makes, to give it
        stable defaults (_settle_classes) once its statement, decorators included, has finished."""
        cls = self._real_build_class(func, name, *bases, **kwds)
        code = getattr(func, '__code__', None)
        if (isinstance(cls, type) and code is not None and code.co_filename == FILENAME
                and getattr(func, '__globals__', None) is self.globals):
            maker = _getframe(1)
            self.new_classes.append((cls, maker, _store_after(maker.f_code, maker.f_lasti, self.stores)))
        return cls

    def _settle_classes(self, frame):
        """A class statement of `frame` has finished (the frame has passed the instruction that binds the class's
        name): a class of it that would print or hash by its address gets _default_repr / _default_hash instead.
        Done after the decorators, which decide for themselves (dataclass writes __repr__ and __hash__ only where
        the class has none)."""
        pending = []
        for entry in self.new_classes:
            cls, maker, store = entry
            if maker is not frame or frame.f_lasti <= store:
                pending.append(entry)
                continue
            try:
                if cls.__repr__ is _object_repr:
                    cls.__repr__ = _default_repr
                if cls.__hash__ is _object_hash:
                    cls.__hash__ = _default_hash
            except Exception:   # a metaclass that refuses new attributes keeps CPython's defaults
                pass
        self.new_classes = pending

    def _import(self, name, globals=None, locals=None, fromlist=(), level=0):
        """builtins.__import__ while the program runs: refuses Pyodide's bridges to JS and installed packages with a
        clear message, and notes every module the program imports so that Isolation can undo changes to it."""
        user = globals is self.globals and level == 0
        top = name.partition('.')[0]
        if user and top in _BLOCKED_MODULES:
            raise ModuleNotFoundError(_no_module_message(top), name=top)
        try:
            mod = self._real_import(name, globals, locals, fromlist, level)
        except ModuleNotFoundError as e:
            if user and e.name is not None and e.name.partition('.')[0] == top:
                raise ModuleNotFoundError(_no_module_message(e.name), name=e.name) from None
            raise
        if globals is self.globals:
            iso = self.iso
            iso.note(mod)
            if name in sys.modules:
                iso.note(sys.modules[name])
            for sub in fromlist or ():
                if isinstance(sub, str):
                    iso.note(getattr(mod, sub, None))
        return mod

    def _setrecursionlimit(self, n):
        """sys.setrecursionlimit for the program: records its limit and keeps the real one higher by
        _RECURSION_HEADROOM, for the tracer's own calls; same errors as CPython."""
        if not isinstance(n, int) or isinstance(n, bool):
            raise TypeError("'%s' object cannot be interpreted as an integer" % type(n).__name__)
        if n < 1:
            raise ValueError('recursion limit must be greater or equal than 1')
        depth = 0
        f = _getframe(1)
        while f is not None:
            depth += 1
            f = f.f_back
        if n <= depth:
            raise RecursionError('cannot set the recursion limit to %d at the recursion depth %d: the limit is too '
                                 'low' % (n, depth))
        self.user_limit = n
        _setrecursionlimit(n + _RECURSION_HEADROOM)
        self._watch_limit()

    def _watch_limit(self):
        """Set the depth from which the Monitor checks calls: where its own cheap test (_near_limit) starts to pass.
        A lower limit can put the program there at once."""
        self.watch_from = self.user_limit - self.base_depth - 20
        if self.depth >= self.watch_from:
            self.monitor.watch_depth()

    def _getrecursionlimit(self):
        """sys.getrecursionlimit for the program: the limit it set, not the real one."""
        return self.user_limit

    # -- running
    def _namespace(self):
        """A fresh __main__ module for the program, without loader or spec (as Python Tutor runs code)."""
        main = _ModuleType('__main__')
        g = main.__dict__
        for k in ('__loader__', '__spec__'):
            g.pop(k, None)
        g['__builtins__'] = builtins
        return main, g

    def run(self):
        """Compile and run the program under the trace function with the interpreter prepared (patched builtins,
        captured I/O, no automatic gc, seeded random, virtual asyncio clock), then let the encoder finish the trace
        and undo everything the program changed. Returns the encoder's result (a dict), or a failure dict."""
        try:
            self.compiled = compile(self.code, FILENAME, 'exec', dont_inherit=True)
        except (SyntaxError, ValueError) as e:
            return self.serialize(self.enc.syntax_failure(e, self.code))
        self.iso = iso = Isolation()
        main, self.globals = self._namespace()
        self.enc.begin(self)
        self._real_import = builtins.__import__
        self.user_limit = _getrecursionlimit()
        builtins.__import__ = self._import
        builtins.input = self.stdin.input
        _stable[0] = self.ids
        builtins.id = _stable_id
        self._real_build_class = builtins.__build_class__
        builtins.__build_class__ = self._build_class
        posix = sys.modules.get('posix') or sys.modules.get('nt')
        for mod in (os, posix):
            if mod is not None and hasattr(mod, 'system'):
                iso.note(mod)
                mod.system = _no_system
        sys.setrecursionlimit = self._setrecursionlimit
        sys.getrecursionlimit = self._getrecursionlimit
        sys.settrace = sys.setprofile = _no_tracing
        _setrecursionlimit(self.user_limit + _RECURSION_HEADROOM)
        # No automatic collection during the run: when garbage cycles go away must not depend on allocation counts
        # carried over from earlier runs (determinism). They go when the program calls gc.collect(). The program
        # still sees gc.isenabled() as it expects.
        _real_gc_collect(0)
        _gc_disable()
        iso.note(gc)
        gc_state = [iso.gc_enabled]
        gc.enable = lambda: gc_state.__setitem__(0, True)
        gc.disable = lambda: gc_state.__setitem__(0, False)
        gc.isenabled = lambda: gc_state[0]
        asyncio_loop = _virtual_asyncio(iso)
        sys.modules['__main__'] = main
        sys.stdout = sys.stderr = self.out
        sys.stdin = self.stdin
        sys.argv = ['']
        random = __import__('random')
        random.seed(0)
        error = result = None
        self.deadline = _monotonic() + self.timeout
        self.boundary = _getframe()
        f = self.boundary
        while f is not None:
            self.base_depth += 1
            f = f.f_back
        self.hidden_depth = _hidden_depth()
        self.monitor.start()
        self._watch_limit()
        _settrace(self._global_trace)
        try:
            exec(self.compiled, self.globals)
            reason = 'completed'
        except _StopTracing:
            reason = self.stopping or 'timeout'
        except SystemExit as e:
            reason = 'exit'
            error = e
        except KeyboardInterrupt:
            reason = 'timeout'
        except MemoryError as e:
            reason = 'memory'
            error = e
        except BaseException as e:
            reason = 'exception'
            error = e
        finally:
            _settrace(None)
            self.monitor.close()
            self.stdout_text = self.out.text()
        if self.stopping is not None:
            reason = self.stopping
        try:
            if reason == 'internal':
                result = {'failure': {'kind': 'runtime', 'message': 'memtrace internal error:\n' + self.internal_error}}
            else:
                result = self.enc.finish(self, reason, error)
            # Written out now, so that the collection below does not walk every step's containers.
            return self.serialize(result)
        finally:
            # Free what the program made now, while its output still goes to the discarded stream: finalizers
            # must not print into the host or run in the next program.
            error = result = None
            self.globals.clear()
            self.enc.release()
            _collect_young()
            iso.restore()
            if asyncio_loop is not _NO_ASYNCIO:
                sys.modules['asyncio'].events._set_running_loop(asyncio_loop)


def _store_after(code, offset, stores):
    """Offset of the instruction that binds a class statement's name, given the offset of its __build_class__
    call: the first STORE_* after it (the decorators' calls come in between). `stores` caches the answers of
    one run, by (code, offset)."""
    key = (code, offset)
    found = stores.get(key)
    if found is None:
        # A scan of the raw code units, not dis.get_instructions (which works out every line and jump of the
        # module, about 0.5 ms here): co_code has inline caches zeroed (opcode CACHE), so only real instructions,
        # and EXTENDED_ARG prefixes, which are not stores, can match.
        raw = code.co_code
        found = len(raw)
        for i in range(offset + 2, len(raw), 2):
            if raw[i] in _STORE_OPS:
                found = i
                break
        stores[key] = found
    return found


def _opcodes(named):
    """The opcode numbers of this Python's instructions whose name `named` accepts."""
    import dis
    return frozenset(op for name, op in dis.opmap.items() if named(name))


_STORE_OPS = _opcodes(lambda name: name.startswith('STORE_'))


def _collect_young():
    """Collect the youngest generation now, so that what a finished program made is freed before the next run."""
    _real_gc_collect(0)


def _strip_monitor_frames(exc):
    """Cut the Monitor's own frame off the traceback of a RecursionError it raised, so the traceback ends at the
    call site, as without tracing."""
    own = (Monitor._call.__code__, Monitor._start.__code__)
    tb = exc.__traceback__
    while tb is not None:
        nxt = tb.tb_next
        if nxt is not None and nxt.tb_frame.f_code in own:
            tb.tb_next = None
            return
        tb = nxt


_PROBE = compile('''
def probe(d, getframe):
    f = getframe()
    n = 0
    while f is not None:
        n += 1
        f = f.f_back
    d.append(n)
    probe(d, getframe)
''', FILENAME, 'exec')
_hidden = []


def _hidden_depth():
    """How many levels CPython's recursion counter sees below a program's frames that _getframe() does not.
    Measured once: recurse to the limit from exec()'d code, as the program runs, and compare."""
    if not _hidden:
        ns = {}
        exec(_PROBE, ns)
        seen = []
        limit = _getrecursionlimit()
        f = _getframe()
        here = 0
        while f is not None:
            here += 1
            f = f.f_back
        _setrecursionlimit(here + 40)
        try:
            exec('probe(seen, getframe)', {'probe': ns['probe'], 'seen': seen, 'getframe': sys._getframe})
        except RecursionError:
            pass
        finally:
            _setrecursionlimit(limit)
        _hidden.append(max(0, here + 40 - max(seen)) if seen else 0)
    return _hidden[0]


_NO_ASYNCIO = object()
_virtual_loop_class = []


def _virtual_asyncio(iso):
    """asyncio.run on a loop of its own with a virtual clock (sleep(5) takes no time), instead of Pyodide's
    WebLoop, whose tasks would run after the trace has ended. Returns the loop to put back as running."""
    asyncio = sys.modules.get('asyncio')
    if asyncio is None:
        return _NO_ASYNCIO
    if not _virtual_loop_class:
        class Selector:
            """The virtual loop's selector: no I/O ever arrives; a wait with a timeout moves the loop's clock."""
            def __init__(self, loop):
                """A selector for `loop`, whose clock it advances."""
                self.loop = loop

            def select(self, timeout):
                """Wait for `timeout` seconds of virtual time; waiting forever would never end, so it is an error."""
                if timeout is None:
                    raise RuntimeError('the program waits for an event that never comes (memtrace has no I/O)')
                self.loop.clock += timeout
                return []

            def close(self):
                """Nothing to release."""
                pass

        class VirtualLoop(asyncio.BaseEventLoop):
            """An asyncio loop whose clock moves only when every task waits: asyncio.sleep(5) takes no real time."""
            def __init__(self):
                """A loop at time 0 with the virtual selector."""
                super().__init__()
                self.clock = 0.0
                self._selector = Selector(self)

            def time(self):
                """The virtual clock, in seconds."""
                return self.clock

            def _process_events(self, events):
                """No I/O events to dispatch."""
                pass

            def _write_to_self(self):
                """No self-pipe to wake: the loop never blocks for real."""
                pass

        _virtual_loop_class.append(VirtualLoop)
    VirtualLoop = _virtual_loop_class[0]

    def run(main, *, debug=None, loop_factory=None):
        """asyncio.run for the program: the same Runner, on a VirtualLoop."""
        with asyncio.Runner(debug=debug, loop_factory=VirtualLoop) as runner:
            return runner.run(main)

    iso.note(asyncio)
    asyncio.run = run
    asyncio.new_event_loop = VirtualLoop
    previous = asyncio.events._get_running_loop()
    asyncio.events._set_running_loop(None)
    return previous


def _no_tracing(function):
    """The program runs under memtrace's own trace function: it cannot install another one."""
    raise RuntimeError('sys.settrace and sys.setprofile are not available under memtrace (it is tracing this '
                       'program)')


def _no_system(command):
    """os.system in Pyodide under Node would start a real shell: not for traced programs."""
    raise PermissionError('os.system is not available in memtrace: programs cannot start other programs')


def _no_module_message(name):
    """The ModuleNotFoundError text for a package that is not there: says that only the standard library is."""
    return ("No module named '%s': only the Python standard library is available here (no packages are "
            "installed)" % name)




# ---------------------------------------------------------------------------------------------------- entry point

def run_trace(code, options_json='{}'):
    """Trace `code`; returns JSON text. Options: TraceOptions (format.ts) plus "format": "memtrace" | "pytutor"."""
    try:
        opts = _json_loads(options_json or '{}')
        if not isinstance(opts, dict):
            raise ValueError('options must be a JSON object')
        fmt = opts.get('format', 'memtrace')
        if fmt not in ('memtrace', 'pytutor'):
            raise ValueError('unknown format %r' % (fmt,))
        for k in LIMITS:
            if k not in opts:
                raise ValueError('%s is required (the caller passes every limit, see defaults.ts)' % k)
            if not isinstance(opts[k], (int, float)) or isinstance(opts[k], bool) or opts[k] < 0:
                raise ValueError('%s must be a non-negative number' % k)
        if 'stdin' in opts and opts['stdin'] is not None and not isinstance(opts['stdin'], str):
            raise ValueError('stdin must be a string')
        if not isinstance(code, str):
            raise ValueError('code must be a string')
    except ValueError as e:
        return _json_dumps({'failure': {'kind': 'options', 'message': str(e)}})
    encoder = PytutorEncoder(opts) if fmt == 'pytutor' else NativeEncoder(opts)
    tracer = Tracer(code, opts, encoder)
    tracer.serialize = _pytutor_json if fmt == 'pytutor' else _native_json
    try:
        return tracer.run()
    except MemoryError:
        result = {'failure': {'kind': 'memory', 'message': 'the tracer ran out of memory'}}
    except BaseException as e:   # never let the host see a Python exception
        import traceback
        result = {'failure': {'kind': 'runtime', 'message': 'memtrace internal error:\n' + traceback.format_exc()}}
    return tracer.serialize(result)


# The encoders build traces as trees (values may be shared, never contain themselves), so the encoder's check for
# circular references, a third of its time in Pyodide, can be left out: the text is the same.
def _pytutor_json(result):
    """A Python Tutor trace (or failure) as JSON text, as Python Tutor writes it."""
    return _json_dumps(result, indent=None, ensure_ascii=False, check_circular=False)


def _native_json(result):
    """A memtrace trace (or failure) as compact JSON text."""
    return _json_dumps(result, ensure_ascii=False, separators=(',', ':'), check_circular=False)
