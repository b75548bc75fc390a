"""memtrace tracer: runs a program inside Pyodide and records its execution as a JSON trace.

Entry point: run_trace(code, options_json) -> JSON text, either a memtrace Trace (format.ts), a Python Tutor trace
(options "format": "pytutor"), or {"failure": TraceFailure}. Self-contained (stdlib only): the runtime loads this file
on its own into a fresh namespace, possibly many times in one interpreter, so every run undoes what the program did
to the interpreter (see Isolation).

Both formats share one Engine, which decides which interpreter events are steps, the way Python Tutor does: every
line, call, return and exception event in the program's own frames from its first line on, leaving out class bodies
(and everything they call) and __repr__/__new__ frames. The encoders then turn each event into a snapshot.
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
_BLOCKED_MODULES = frozenset(('js', 'pyodide', 'pyodide_js', '_pyodide', 'micropip', 'pyodide_http'))


def _f():
    pass


def _g():
    yield


class _WithMethod:
    def m(self):
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


class _StopTracing(BaseException):
    """Raised into the program to end it (step cap, deadline, memory)."""


def _exc_message(exc):
    try:
        return _ADDRESS.sub('', str(exc))
    except BaseException:
        return ''


def _int_repr(v):
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

    def writable(self):
        return True

    def readable(self):
        return False

    def fileno(self):
        raise OSError('stdout is captured by memtrace and has no file descriptor')

    def text(self):
        if len(self.parts) > 1:
            self.parts = [''.join(self.parts)]
        return self.parts[0] if self.parts else ''


class Input:
    """sys.stdin and input() fed from options.stdin, echoing what is read the way a terminal shows it."""

    encoding = 'utf-8'

    def __init__(self, text, out):
        self.lines = None if text is None else text.splitlines(True)
        self.out = out

    def _need(self):
        if self.lines is None:
            raise EOFError('input() has no data: this program reads input, so pass the text it should read as '
                           'stdin (the memtrace block\'s stdin option)')

    def readline(self, size=-1):
        self._need()
        return self.lines.pop(0) if self.lines else ''

    def read(self, size=-1):
        self._need()
        text = ''.join(self.lines)
        self.lines = []
        return text

    def readlines(self, hint=-1):
        self._need()
        lines, self.lines = self.lines, []
        return lines

    def __iter__(self):
        return iter(self.readline, '')

    def isatty(self):
        return False

    def readable(self):
        return True

    def input(self, prompt=''):
        self.out.write(str(prompt))
        self._need()
        if not self.lines:
            raise EOFError('EOF when reading a line (stdin has no more lines)')
        line = self.lines.pop(0)
        if line.endswith('\n'):
            line = line[:-1]
        self.out.write(line + '\n')
        return line


# ---------------------------------------------------------------------------------------------------- isolation

_baseline = {}   # module name -> its attributes when a program first imported it in this interpreter


class Isolation:
    """Snapshot of interpreter state a program can change, restored after the run, so that one run leaves no trace
    in the next: builtins, sys (attributes, modules, path, streams, recursion limit), the attributes of modules the
    program imported, gc settings, random state, cwd, environment, warnings filters."""

    def __init__(self):
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
        _settrace(None)
        b = builtins.__dict__
        if b != self.builtins:
            b.clear()
            b.update(self.builtins)
        modules = sys.modules
        if len(modules) != len(self.modules) or modules != self.modules:
            for name in [n for n in modules if n not in self.modules]:
                del modules[name]
            for name, mod in self.modules.items():
                if modules.get(name) is not mod:
                    modules[name] = mod
        for name in self.touched:
            snap = _baseline.get(name)
            d = getattr(self.modules.get(name), '__dict__', None)
            if snap is not None and isinstance(d, dict) and d != snap:
                d.clear()
                d.update(snap)
        d = sys.__dict__
        for k in [k for k in d if k not in self.sys_dict]:
            del d[k]
        for k, v in self.sys_dict.items():
            if d.get(k, d) is not v:
                d[k] = v
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

    def __init__(self, engine):
        self.engine = engine
        self.tool = None
        self.stopping = False
        self.mon = getattr(sys, 'monitoring', None)

    def _near_limit(self):
        engine = self.engine
        return engine.depth + engine.base_depth + 20 >= engine.user_limit

    @staticmethod
    def _depth(f):
        depth = 0
        while f is not None:
            depth += 1
            f = f.f_back
        return depth

    def _call(self, code, offset, callee, arg0):
        # CPython raises RecursionError while pushing the new frame, so the error comes from the call site.
        if code.co_filename != FILENAME:
            return self.mon.DISABLE
        if not self._near_limit():
            return None
        t = type(callee)
        if t is _MethodType:
            t = type(callee.__func__)
        if t is _FunctionType and self._depth(_getframe(1)) + 1 + self.engine.hidden_depth > self.engine.user_limit:
            raise RecursionError('maximum recursion depth exceeded')
        return None

    def _start(self, code, offset):
        if code.co_filename != FILENAME:
            return self.mon.DISABLE
        if self.stopping:
            raise _StopTracing()
        # Frames started by other callables (a class's __init__, a callback from C) are checked here instead.
        if self._near_limit() and self._depth(_getframe(1)) + self.engine.hidden_depth > self.engine.user_limit:
            raise RecursionError('maximum recursion depth exceeded')
        return None

    def _kill(self, code, *args):
        if code.co_filename != FILENAME:
            return self.mon.DISABLE
        raise _StopTracing()

    def start(self):
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
        if self.tool is None:
            return
        mon.register_callback(self.tool, mon.events.PY_START, self._start)
        mon.register_callback(self.tool, mon.events.CALL, self._call)
        mon.set_events(self.tool, mon.events.PY_START | mon.events.CALL)

    def stop_program(self):
        self.stopping = True
        mon = self.mon
        if self.tool is None:
            return
        ev = mon.events
        for e in (ev.LINE, ev.PY_RESUME, ev.JUMP):
            mon.register_callback(self.tool, e, self._kill)
        mon.restart_events()
        mon.set_events(self.tool, ev.PY_START | ev.CALL | ev.LINE | ev.PY_RESUME | ev.JUMP)

    def close(self):
        if self.tool is None:
            return
        mon = self.mon
        mon.set_events(self.tool, 0)
        for e in (mon.events.PY_START, mon.events.CALL, mon.events.LINE, mon.events.PY_RESUME, mon.events.JUMP):
            mon.register_callback(self.tool, e, None)
        mon.free_tool_id(self.tool)
        self.tool = None


# ---------------------------------------------------------------------------------------------------- engine

class Engine:
    """Runs the program under sys.settrace and passes the events that are steps to an encoder."""

    def __init__(self, code, opts, encoder):
        self.code = code
        self.opts = opts
        self.enc = encoder
        self.timeout = float(opts.get('timeoutMs', 10000)) / 1000.0
        self.out = Output(int(opts.get('maxOutputChars', 10000)))
        self.stdin = Input(opts.get('stdin'), self.out)
        self.monitor = Monitor(self)
        self.depth = 0             # frames of the program that are running (a cheap lower bound of the real depth)
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

    # -- tracing
    def _global_trace(self, frame, event, arg):
        if frame.f_globals is not self.globals or not self.enc.traces(frame.f_code):
            return None
        return self._local_trace(frame, event, arg)

    def _local_trace(self, frame, event, arg):
        if event == 'call':
            self.depth += 1
        elif event == 'return':
            self.depth -= 1
        if self.stopping is not None:
            raise _StopTracing()
        if _monotonic() > self.deadline:
            self._stop('timeout')
        if not self.started:
            if event != 'line' or frame.f_lineno <= 0 or frame.f_code.co_filename != FILENAME:
                return self._local_trace
            self.started = True
            self.module_frame = frame
        if self.skip_until is not None:
            if event == 'return' and frame is self.skip_until:
                self.skip_until = None
            return self._local_trace
        code = frame.f_code
        if event == 'call' and not (code.co_flags & _CO_OPTIMIZED) and code.co_name != '<module>':
            self.skip_until = frame   # a class body
            return self._local_trace
        name = code.co_name
        if name == '__repr__' or name == '__new__' or name == '__annotate__' or self.exiting:
            return self._local_trace
        if event == 'exception':
            exc = arg[1]
            if code.co_flags & _CO_GENERATOR_LIKE and arg[0] is StopIteration and arg[2] is None:
                return self._local_trace   # how `await`/`yield from` receive a result, not an error (as bdb)
            if isinstance(exc, (KeyboardInterrupt, _StopTracing)):
                self._stop('timeout')
            if type(exc) is RecursionError:
                _strip_monitor_frames(exc)
            if isinstance(exc, SystemExit) and self.enc.quiet_exit:
                self.exiting = True
                return self._local_trace
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
        return self._local_trace

    def _stop(self, reason):
        if self.stopping is None:
            self.stopping = reason
        self.monitor.stop_program()
        raise _StopTracing()

    # -- patched builtins
    def _import(self, name, globals=None, locals=None, fromlist=(), level=0):
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

    def _getrecursionlimit(self):
        return self.user_limit

    # -- running
    def _namespace(self):
        main = _ModuleType('__main__')
        g = main.__dict__
        for k in ('__loader__', '__spec__'):
            g.pop(k, None)
        g['__builtins__'] = builtins
        return main, g

    def run(self):
        try:
            self.compiled = compile(self.code, FILENAME, 'exec', dont_inherit=True)
        except (SyntaxError, ValueError) as e:
            return self.enc.syntax_failure(e, self.code)
        self.iso = iso = Isolation()
        main, self.globals = self._namespace()
        self.enc.begin(self)
        self._real_import = builtins.__import__
        self.user_limit = _getrecursionlimit()
        builtins.__import__ = self._import
        builtins.input = self.stdin.input
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
        error = None
        self.deadline = _monotonic() + self.timeout
        self.boundary = _getframe()
        f = self.boundary
        while f is not None:
            self.base_depth += 1
            f = f.f_back
        self.hidden_depth = _hidden_depth()
        self.monitor.start()
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
                return {'failure': {'kind': 'runtime', 'message': 'memtrace internal error:\n' + self.internal_error}}
            return self.enc.finish(self, reason, error)
        finally:
            # Free what the program made now, while its output still goes to the discarded stream: finalizers
            # must not print into the host or run in the next program.
            error = None
            self.globals.clear()
            self.enc.release()
            _collect_young()
            iso.restore()
            if asyncio_loop is not _NO_ASYNCIO:
                sys.modules['asyncio'].events._set_running_loop(asyncio_loop)


def _collect_young():
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
            def __init__(self, loop):
                self.loop = loop

            def select(self, timeout):
                if timeout is None:
                    raise RuntimeError('the program waits for an event that never comes (memtrace has no I/O)')
                self.loop.clock += timeout
                return []

            def close(self):
                pass

        class VirtualLoop(asyncio.BaseEventLoop):
            def __init__(self):
                super().__init__()
                self.clock = 0.0
                self._selector = Selector(self)

            def time(self):
                return self.clock

            def _process_events(self, events):
                pass

            def _write_to_self(self):
                pass

        _virtual_loop_class.append(VirtualLoop)
    VirtualLoop = _virtual_loop_class[0]

    def run(main, *, debug=None, loop_factory=None):
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
    return ("No module named '%s': only the Python standard library is available here (no packages are "
            "installed)" % name)


# ---------------------------------------------------------------------------------------------------- native format

class _Frame:
    """What the native encoder knows about one call: stable id, lexical parent, variable order."""

    __slots__ = ('fid', 'name', 'code', 'parent', 'order', 'line', 'active', 'gen', 'entry', 'refs')

    def __init__(self, fid, code, parent):
        self.fid = fid
        self.name = code.co_name
        self.code = code
        self.parent = parent      # frame id of the lexical parent, or 0
        self.order = []
        self.line = code.co_firstlineno
        self.active = True
        self.gen = None           # weakref to the generator owning this frame
        # While a frame waits for a call it made, its variables cannot change (unless they are cells): its entry is
        # built once and reused until it runs again.
        self.entry = None
        self.refs = None


_HIDDEN_GLOBALS = frozenset(('__builtins__', '__name__', '__doc__', '__package__', '__loader__', '__spec__',
                             '__file__', '__cached__', '__annotations__', '__annotate__'))
_SLOT_TYPES = (type(_WithMethod.__dict__['__weakref__']), type(type('_Slots', (), {'__slots__': ('a',)}).a))
_CLASS_HIDDEN = frozenset(('__module__', '__dict__', '__weakref__', '__doc__', '__qualname__', '__firstlineno__',
                           '__static_attributes__', '__orig_bases__', '__classcell__', '__classdictcell__',
                           '__annotations__', '__annotate__', '__annotate_func__', '__annotations_cache__',
                           '__type_params__', '__slots__', '__dataclass_fields__', '__dataclass_params__',
                           '__match_args__', '__replace__'))


def _type_name(t):
    mod = getattr(t, '__module__', 'builtins')
    name = getattr(t, '__qualname__', None) or getattr(t, '__name__', '?')
    return name if mod in ('builtins', '__main__', None) else '%s.%s' % (mod, name)


def _short_repr(obj, limit=200):
    text = _safe_str(repr, obj)
    if text is None:
        text = '<%s object>' % type(obj).__name__
    text = _ADDRESS.sub('', text)
    return text if len(text) <= limit else text[:limit - 3] + '...'


def _opcodes(*names):
    import dis
    return frozenset(dis.opmap[n] for n in names if n in dis.opmap)


# The instructions a frame can leave by without an exception: a return, or a generator's yield.
_LEAVE_OPS = _opcodes('RETURN_VALUE', 'RETURN_CONST', 'YIELD_VALUE', 'RETURN_GENERATOR', 'INSTRUMENTED_RETURN_VALUE',
                      'INSTRUMENTED_RETURN_CONST', 'INSTRUMENTED_YIELD_VALUE')


def _unwinding(frame):
    """A `return` event of a frame that an exception is leaving (say through a `finally`): it returns nothing."""
    code = frame.f_code.co_code
    i = frame.f_lasti
    return 0 <= i < len(code) and code[i] not in _LEAVE_OPS


_IMMUTABLE = (int, float, complex, str, bytes, bool, type(None), type(Ellipsis))


def _immutable(values):
    if values is None:
        return True
    if isinstance(values, dict):
        values = tuple(values.values())
    return all(isinstance(v, _IMMUTABLE) or (type(v) is tuple and _immutable(v)) for v in values)


def _params(fn):
    """Parameter list as written, without annotations: `a, x=2, *args, **kw`."""
    code = getattr(fn, '__code__', None)
    if not isinstance(code, _CodeType):
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
            p += '=' + _short_repr(defaults[i - first_default], 30)
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
        out.append(k + ('=' + _short_repr(kwdefaults[k], 30) if k in kwdefaults else ''))
    if code.co_flags & _CO_VARKEYWORDS:
        out.append('**' + names[i])
    if isinstance(fn, _MethodType) and out and out[0] not in ('/', '*') and not out[0].startswith('*'):
        out.pop(0)   # bound: the first parameter is taken
        if out and out[0] == '/':
            out.pop(0)
    return ', '.join(out)


_PRIMITIVE_NAMES = {int: 'int', float: 'float', str: 'str', bool: 'bool', type(None): 'NoneType',
                    complex: 'complex', bytes: 'bytes'}


class NativeEncoder:
    """Builds memtrace steps.

    Heap ids are 1, 2, ... in order of first discovery, where each step is walked as: the values of all variables
    (globals, then frames in order, each in variable order), then breadth-first through references. An id belongs
    to one object for the whole trace and is never reused: objects that can be weakly referenced are watched with
    a weakref; the others (list, dict, tuple, ...) are held by the encoder, which lets go of one when nothing but
    the encoder refers to it any more (sys.getrefcount), so the object dies at the same step it would have.
    Objects held only by a reference cycle are found by a small cycle analysis (cycleOnly) and released to the
    garbage collector while it runs (gc.callbacks).
    """

    quiet_exit = True

    def __init__(self, opts):
        self.max_items = int(opts.get('maxContainerItems', 100))
        self.max_steps = int(opts.get('maxSteps', 1000))
        self.max_frames = max(2, int(opts.get('maxFrames', 40)))
        self.kinds = {}        # type -> (kind, type name, slot names or None)
        self.params = {}       # id(function) -> ((code, defaults, kwdefaults), params text)
        self.steps = []
        self.ids = {}          # id(obj) -> heap id, for live objects only
        self.strong = {}       # heap id -> obj, for objects that cannot be weakly referenced
        self.weak = {}         # heap id -> weakref
        self.next_id = 1
        self.dead = set()      # heap ids that died since the previous step
        self.frames = {}       # frame id -> _Frame
        self.active = {}       # id(frame object) -> _Frame, for frames that are running
        self.call_stack = []   # (frame, _Frame) of running frames, outermost first (events are strictly nested)
        self.gen_frames = {}   # id(generator) -> _Frame
        self.next_frame = 1
        self.order0 = []       # global variables in order of first appearance
        self.fn_parent = {}    # heap id of a function -> frame id of its lexical parent
        self.closures = {}     # heap id of a nested function -> weakref (functions are weakly referenceable)
        self.prev_entries = {}
        self.prev_heap = {}
        self.gc_epoch = 0
        self.cycle_cache = None
        self.released = {}     # heap id -> (id, type) of cycle garbage released while the collector runs
        self.cycle_strong = set()
        self.in_gc = False
        self.weak_types = {}   # heap id -> type, for weakly referenced objects
        self.gc_dying = {}     # id(obj) -> heap id: weakly referenced objects whose weakref the collector cleared;
                               # they may still run __del__ (and be resurrected) before the collection ends

    # ---- engine interface
    def begin(self, engine):
        self.engine = engine
        self.globals = engine.globals
        self.module_code = engine.compiled
        self.defining = {}   # id(code) -> the code object that defines it (static nesting of the program)
        todo = [engine.compiled]
        while todo:
            outer = todo.pop()
            for c in outer.co_consts:
                if type(c) is _CodeType:
                    self.defining[id(c)] = outer
                    todo.append(c)
        self.codes = set(self.defining)
        self.codes.add(id(engine.compiled))
        _gc_callbacks.append(self._gc_callback)

    def traces(self, code):
        """Only the program's own code: not strings it (or a library, like dataclasses) exec()s in its globals."""
        return id(code) in self.codes

    def syntax_failure(self, e, code):
        failure = {'kind': 'syntax', 'message': '%s: %s' % (type(e).__name__, getattr(e, 'msg', None) or str(e))}
        if isinstance(e, SyntaxError):
            failure['line'] = e.lineno or 1
            failure['column'] = e.offset or 1
        return {'failure': failure}

    def event(self, event, frame, arg):
        if event == 'call':
            self._on_call(frame)
        if len(self.steps) >= self.max_steps:
            return True
        exc = None
        if event == 'exception':
            exc = {'type': type(arg[1]).__name__, 'message': _exc_message(arg[1])}
        self._snapshot(event, frame, arg if event == 'return' else None, exc)
        if event == 'return':
            self._on_return(frame)
        return False

    def finish(self, engine, reason, error):
        try:
            _gc_callbacks.remove(self._gc_callback)
        except ValueError:
            pass
        steps = self.steps
        end = {'reason': reason}
        if reason == 'exception':
            end['message'] = '%s: %s' % (type(error).__name__, _exc_message(error))
            last = steps[-1] if steps else None
            if (last is not None and last['event'] == 'return' and len(last['frames']) == 1 and len(steps) >= 2
                    and steps[-2]['event'] == 'exception' and len(steps[-2]['frames']) == 1):
                steps.pop()
            if steps and steps[-1]['event'] == 'exception' and len(steps[-1]['frames']) == 1:
                steps[-1]['event'] = 'uncaught'
            elif steps:
                step = dict(steps[-1])
                step['event'] = 'uncaught'
                step['exception'] = {'type': type(error).__name__, 'message': _exc_message(error)}
                step['changed'] = {'vars': [], 'objects': []}
                step.pop('freed', None)
                steps.append(step)
        elif reason == 'exit':
            code = getattr(error, 'code', None)
            if code is not None:
                end['message'] = str(code)
        elif reason == 'memory':
            end['message'] = 'MemoryError' + (': ' + _exc_message(error) if error is not None and str(error) else '')
        elif reason == 'timeout':
            end['message'] = 'stopped after %g ms' % (engine.timeout * 1000)
        elif reason == 'step-limit':
            end['message'] = 'stopped after %d steps' % self.max_steps
        trace = {'format': 'memtrace', 'version': TRACE_FORMAT_VERSION, 'python': sys.version.split()[0],
                 'code': engine.code, 'steps': steps, 'stdout': engine.stdout_text}
        if engine.out.dropped:
            trace['stdoutTruncated'] = engine.out.dropped
        trace['end'] = end
        return trace

    # ---- frames
    def _on_call(self, frame):
        code = frame.f_code
        gen = frame.f_generator if code.co_flags & _CO_GENERATOR_LIKE else None
        if gen is not None:
            info = self.gen_frames.get(id(gen))
            if info is not None and info.gen() is gen:
                info.active = True
                self.active[id(frame)] = info
                self.call_stack.append((frame, info))
                return
        if code.co_name == '<module>':
            return   # exec()'d code runs in the global frame
        info = _Frame(self.next_frame, code, self._call_parent(frame))
        self.next_frame += 1
        self.frames[info.fid] = info
        self.active[id(frame)] = info
        self.call_stack.append((frame, info))
        if gen is not None:
            key = id(gen)
            info.gen = _weakref(gen, lambda r, key=key, gf=self.gen_frames: gf.pop(key, None))
            self.gen_frames[key] = info

    def _on_return(self, frame):
        info = self.active.pop(id(frame), None)
        if info is not None:
            info.active = False
            info.line = frame.f_lineno
            stack = self.call_stack
            if stack and stack[-1][0] is frame:
                stack.pop()
            else:
                self.call_stack = [e for e in stack if e[0] is not frame]

    def _call_parent(self, frame):
        """Lexical parent of a new call: the frame that made the function being called."""
        code = frame.f_code
        defining = self.defining.get(id(code))
        if defining is None or defining is self.module_code:
            return 0
        candidates = []
        for hid, ref in self.closures.items():
            fn = ref()
            if fn is not None and fn.__code__ is code:
                candidates.append((hid, fn))
        if len(candidates) > 1:
            loc = frame.f_locals
            for hid, fn in candidates:
                cells = fn.__closure__ or ()
                try:
                    if all(name in loc and loc[name] is c.cell_contents
                           for name, c in zip(code.co_freevars, cells)):
                        return self.fn_parent.get(hid, 0)
                except ValueError:
                    continue
        if candidates:
            return self.fn_parent.get(candidates[0][0], 0)
        for f in self._callers(frame):
            if f.f_code is defining:
                info = self.active.get(id(f))
                return info.fid if info is not None else 0
        return 0

    def _callers(self, frame):
        f = frame.f_back
        g = self.globals
        while f is not None:
            if f.f_globals is g:
                yield f
            f = f.f_back

    def _stack(self, frame):
        """Running frames of the program, outermost first, each with its _Frame."""
        return list(self.call_stack)

    # ---- values
    def _value(self, v):
        t = type(v)
        name = _PRIMITIVE_NAMES.get(t)
        if name is not None:
            if t is str:
                if len(v) > _MAX_STR:
                    return {'type': 'str', 'repr': repr(v[:_MAX_STR]), 'fullLength': len(v)}
                return {'type': 'str', 'repr': repr(v)}
            if t is int:
                return {'type': 'int', 'repr': _int_repr(v)}
            return {'type': name, 'repr': repr(v)}
        hid = self.ids.get(id(v))
        if hid is None:
            hid = self._track(v)
        if hid not in self._seen:
            self._seen.add(hid)
            self._queue.append((hid, v))
        return {'ref': hid}

    def _track(self, obj):
        key = id(obj)
        hid = self.gc_dying.pop(key, None)
        if hid is not None and self.weak_types.get(hid) is type(obj):
            self.ids[key] = hid   # inside a collection, before any memory is freed: the same object
            self.weak[hid] = _weakref(obj, self._weak_died(hid, key))
            return hid
        hid = self.next_id
        self.next_id += 1
        self.ids[key] = hid
        try:
            self.weak[hid] = _weakref(obj, self._weak_died(hid, key))
            self.weak_types[hid] = type(obj)
        except TypeError:
            self.strong[hid] = obj
        if type(obj) is _FunctionType and obj.__code__.co_name != '<module>':
            parent = self._function_parent(obj)
            if parent:
                self.fn_parent[hid] = parent
                self.closures[hid] = self.weak[hid]
        return hid

    def _weak_died(self, hid, key):
        ids, weak = self.ids, self.weak

        def died(ref):
            if ids.get(key) == hid:
                del ids[key]
            if weak.get(hid) is ref:
                del weak[hid]
            if self.in_gc:
                self.gc_dying[key] = hid
            else:
                self.dead.add(hid)
        return died

    def _function_parent(self, fn):
        """The running frame whose code defines fn (topmost first), as Python Tutor finds it; 0 for global."""
        defining = self.defining.get(id(fn.__code__))
        if defining is None or defining is self.module_code:
            return 0
        for f, info in reversed(self._cur_stack):
            if f.f_code is defining:
                return info.fid
        return 0

    def _locals(self, frame, info):
        code = frame.f_code
        free = code.co_freevars
        loc = frame.f_locals
        order = info.order
        known = set(order)
        present = []
        for k in loc.keys():
            if k in free or not isinstance(k, str):
                continue
            present.append(k)
            if k not in known:
                order.append(k)
                known.add(k)
        present = set(present)
        return [[k, self._value(loc[k])] for k in order if k in present]

    def _encode(self, obj):
        t = type(obj)
        info = self.kinds.get(t)
        if info is None:
            info = self.kinds[t] = _classify(t)
        kind, tname, slots = info
        cap = self.max_items
        value = self._value
        if kind == 'list' or kind == 'tuple' or kind == 'set' or kind == 'frozenset':
            items = []
            for item in obj:
                if len(items) >= cap:
                    break
                items.append(value(item))
            out = {'kind': kind, 'type': tname, 'items': items}
            if len(items) == cap and len(obj) > cap:
                out['more'] = len(obj) - cap
            return out
        if kind == 'dict':
            entries = []
            for k, v in obj.items():
                if len(entries) >= cap:
                    break
                entries.append([value(k), value(v)])
            out = {'kind': 'dict', 'type': tname, 'entries': entries}
            if len(entries) == cap and len(obj) > cap:
                out['more'] = len(obj) - cap
            return out
        if kind == 'instance':
            attrs = []
            total = 0
            d = getattr(obj, '__dict__', None)
            if isinstance(d, dict):
                for k, v in d.items():
                    if isinstance(k, str):
                        total += 1
                        if total <= cap:
                            attrs.append([k, value(v)])
            for k in slots or ():
                try:
                    v = getattr(obj, k)
                except AttributeError:
                    continue
                total += 1
                if total <= cap:
                    attrs.append([k, value(v)])
            out = {'kind': 'instance', 'type': tname, 'className': t.__name__, 'attrs': attrs}
            if total > len(attrs):
                out['more'] = total - len(attrs)
            return out
        if kind == 'function':
            code = obj.__code__
            key = (code, obj.__defaults__, obj.__kwdefaults__)
            params = self.params.get(id(obj))
            if params is None or params[0] != key:
                params = (key, _params(obj))
                # A mutable default (the classic `cart=[]`) changes in place and still compares equal to itself,
                # so only signatures whose defaults cannot change are kept.
                if _immutable(obj.__defaults__) and _immutable(obj.__kwdefaults__):
                    self.params[id(obj)] = params
            out = {'kind': 'function', 'type': 'function', 'name': obj.__name__, 'params': params[1]}
            parent = self.fn_parent.get(self.ids.get(id(obj)))
            if parent:
                out['parentFrame'] = parent
            return out
        if kind == 'class':
            if obj.__module__ != '__main__':   # a library's class: its insides are not the lesson
                return {'kind': 'other', 'type': tname, 'repr': _short_repr(obj)}
            d = obj.__dict__
            enum = sys.modules.get('enum')
            if enum is not None and isinstance(obj, enum.EnumType):
                names = [k for k in d if k in obj.__members__]
            else:
                names = [k for k in d if k not in _CLASS_HIDDEN and isinstance(k, str)
                         and not (k == '__hash__' and d[k] is None) and type(d[k]) not in _SLOT_TYPES]
            out = {'kind': 'class', 'type': tname, 'name': obj.__name__,
                   'bases': [b.__name__ for b in obj.__bases__ if b is not object],
                   'attrs': [[k, value(d[k])] for k in names[:cap]]}
            if len(names) > cap:
                out['more'] = len(names) - cap
            return out
        if kind == 'builtin':
            return {'kind': 'function', 'type': tname, 'name': obj.__name__, 'params': '...'}
        if kind == 'module':
            return {'kind': 'module', 'type': 'module', 'name': obj.__name__}
        if kind == 'generator':
            return self._generator(obj)
        return {'kind': 'other', 'type': tname, 'repr': _short_repr(obj)}

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
            info = self.gen_frames.get(id(gen))
            if info is None or info.gen() is not gen:
                info = _Frame(0, f.f_code, 0)   # never started: no frame id yet
            out['frame'] = {'line': f.f_lineno, 'locals': self._locals(f, info)}
        return out

    # ---- snapshot
    def _snapshot(self, event, frame, ret, exc):
        self._seen = set()
        self._queue = []
        stack = self._stack(frame)
        self._cur_stack = stack
        g = self.globals
        order0 = self.order0
        known = set(order0)
        for k in g:
            if k not in known and k not in _HIDDEN_GLOBALS and isinstance(k, str):
                order0.append(k)
                known.add(k)
        line = frame.f_lineno
        frames = [{'id': 0, 'name': '<module>', 'locals': [[k, self._value(g[k])] for k in order0 if k in g],
                   'line': self.engine.module_frame.f_lineno}]
        shown = set()
        omitted = None
        if len(stack) > self.max_frames:
            outer = self.max_frames // 4
            cut = len(stack) - (self.max_frames - outer)
            omitted = {'after': stack[outer - 1][1].fid if outer else 0, 'count': cut - outer}
            stack = stack[:outer] + stack[cut:]
        for f, info in stack:
            if f is frame:
                info.entry = None
            elif info.entry is not None:
                frames.append(info.entry)
                shown.add(info.fid)
                for hid in info.refs:
                    if hid not in self._seen:
                        obj = self._obj(hid)
                        if obj is not None:
                            self._seen.add(hid)
                            self._queue.append((hid, obj))
                continue
            entry = {'id': info.fid, 'name': info.name, 'locals': self._locals(f, info), 'line': f.f_lineno}
            if info.parent:
                entry['parent'] = info.parent
            if f is frame and event == 'return' and not _unwinding(f):
                entry['returnValue'] = self._value(ret)
            elif f is not frame and not info.code.co_cellvars:
                info.entry = entry
                info.refs = [v['ref'] for _, v in entry['locals'] if 'ref' in v]
            frames.append(entry)
            shown.add(info.fid)
        heap = {}
        self._drain(heap)
        exited = self._exited_frames(stack, heap, shown)
        if exited:
            frames.extend(exited)
            self._drain(heap)
        reachable = set(heap)
        freed = self._collect(reachable)
        cycle_only = self._cycle_only(reachable)
        if cycle_only:
            for hid in cycle_only:
                obj = self._obj(hid)
                if obj is not None and hid not in self._seen:
                    self._seen.add(hid)
                    self._queue.append((hid, obj))
            self._drain(heap)
        step = {'line': line, 'event': event, 'frames': frames, 'heap': {str(k): heap[k] for k in sorted(heap)},
                'stdout': self.engine.out.size}
        if exc is not None:
            step['exception'] = exc
        if omitted is not None:
            step['omittedFrames'] = omitted
        changed_vars = []
        prev_entries = self.prev_entries
        entries = {}
        for fr in frames:
            fid = fr['id']
            entries[fid] = fr
            prev = prev_entries.get(fid)
            if prev is fr:
                continue
            old = dict(prev['locals']) if prev is not None else {}
            prefix = '%d:' % fid
            for k, v in fr['locals']:
                if old.get(k) != v:
                    changed_vars.append(prefix + k)
        prev_heap = self.prev_heap
        step['changed'] = {'vars': changed_vars,
                           'objects': [k for k in sorted(heap) if prev_heap.get(k) != heap[k]]}
        gone = sorted(h for h in prev_heap if h not in heap and h in freed)
        if gone:
            step['freed'] = gone
        cyc = sorted(h for h in heap if h not in reachable)
        if cyc:
            step['cycleOnly'] = cyc
        self.prev_entries = entries
        self.prev_heap = heap
        self.steps.append(step)
        self._queue = None
        self._cur_stack = None

    def _drain(self, heap):
        queue = self._queue
        i = 0
        while i < len(queue):
            hid, obj = queue[i]
            i += 1
            try:
                heap[hid] = self._encode(obj)
            except Exception:   # an odd object must not cost the whole trace
                heap[hid] = {'kind': 'other', 'type': _type_name(type(obj)), 'repr': _short_repr(obj)}
        queue.clear()

    def _obj(self, hid):
        obj = self.strong.get(hid)
        if obj is None:
            ref = self.weak.get(hid)
            obj = ref() if ref is not None else None
        return obj

    # ---- exited frames kept by closures
    def _exited_frames(self, stack, heap, shown):
        wanted = set()
        for f, info in stack:
            p = info.parent
            while p and p not in shown and p not in wanted:
                wanted.add(p)
                p = self.frames[p].parent
        for hid in heap:
            p = self.fn_parent.get(hid)
            while p and p not in shown and p not in wanted:
                wanted.add(p)
                p = self.frames[p].parent
        wanted = [fid for fid in sorted(wanted) if not self.frames[fid].active and self.frames[fid].gen is None]
        if not wanted:
            return []
        cells = {}   # frame id -> {name: value}
        for hid, ref in list(self.closures.items()):
            fn = ref()
            if fn is None:
                del self.closures[hid]
                continue
            closure = fn.__closure__ or ()
            for name, cell in zip(fn.__code__.co_freevars, closure):
                owner = self.fn_parent.get(hid, 0)
                while owner and name not in self.frames[owner].code.co_cellvars:
                    owner = self.frames[owner].parent
                if owner:
                    try:
                        cells.setdefault(owner, {})[name] = cell.cell_contents
                    except ValueError:
                        pass
        out = []
        for fid in wanted:
            info = self.frames[fid]
            vals = cells.get(fid, {})
            for k in vals:
                if k not in info.order:
                    info.order.append(k)
            entry = {'id': fid, 'name': info.name, 'locals': [[k, self._value(vals[k])] for k in info.order
                                                               if k in vals],
                     'line': info.line, 'exited': True}
            if info.parent:
                entry['parent'] = info.parent
            out.append(entry)
        return out

    # ---- liveness
    def _collect(self, reachable):
        """Let go of held objects that only the encoder still refers to; returns the heap ids that died."""
        strong = self.strong
        while True:
            dead = self._unreferenced(strong, reachable)
            if not dead:
                break
            for hid in dead:
                obj = strong.pop(hid)
                key = id(obj)
                if self.ids.get(key) == hid:
                    del self.ids[key]
                self.dead.add(hid)
                self.cycle_strong.discard(hid)
                obj = None   # dies here, which may leave others unreferenced: hence the loop
        dead_now = self.dead
        self.dead = set()
        return dead_now

    @staticmethod
    def _unreferenced(strong, reachable):
        # A fresh list held exactly like the program's objects gives the reference count of "held by us only".
        items = [(0, [])]
        items.extend((hid, o) for hid, o in strong.items() if hid not in reachable)
        base = None
        dead = []
        for hid, o in items:
            rc = _getrefcount(o) + (0 if hid == 0 else -1)   # minus the encoder's own dict
            if base is None:
                base = rc
            elif rc <= base:
                dead.append(hid)
        return dead

    def _cycle_only(self, reachable):
        """Heap ids of objects that are not reachable from any frame and alive only through a reference cycle."""
        unreachable = [hid for hid in list(self.strong) + list(self.weak) if hid not in reachable]
        if not unreachable:
            self.cycle_strong = set()
            return []
        objs = [(hid, o) for hid, o in ((hid, self._obj(hid)) for hid in unreachable) if o is not None]
        key = (self.gc_epoch, tuple((hid, _getrefcount(o)) for hid, o in objs))
        if self.cycle_cache is not None and self.cycle_cache[0] == key:
            return self.cycle_cache[1]
        result, cycle_members = _cycle_garbage(objs, self.strong, self.globals)
        objs = None
        self.cycle_strong = {hid for hid in cycle_members if hid in self.strong}
        self.cycle_cache = (key, result)
        return result

    def _gc_callback(self, phase, info):
        if phase == 'start':
            self.in_gc = True
            for hid in self.cycle_strong:
                obj = self.strong.pop(hid, None)
                if obj is not None and _gc_is_tracked(obj):
                    self.released[hid] = (id(obj), type(obj))
                elif obj is not None:
                    self.strong[hid] = obj
                obj = None
            self.cycle_strong = set()
        else:
            self.in_gc = False
            self.gc_epoch += 1
            dying = self.gc_dying
            self.gc_dying = {}
            if not self.released and not dying:
                return
            want = {key: hid for hid, (key, _) in self.released.items()}
            found = {}
            for o in _gc_get_objects():
                k = id(o)
                hid = want.get(k)
                if hid is not None and type(o) is self.released[hid][1]:
                    found[hid] = o
                hid = dying.get(k)
                if hid is not None and type(o) is self.weak_types.get(hid):
                    del dying[k]   # resurrected by a finalizer: still the same object
                    self.ids[k] = hid
                    self.weak[hid] = _weakref(o, self._weak_died(hid, k))
            for hid in dying.values():
                self.dead.add(hid)
            for hid, (key, _) in self.released.items():
                if hid in found:
                    self.strong[hid] = found[hid]
                else:
                    if self.ids.get(key) == hid:
                        del self.ids[key]
                    self.dead.add(hid)
            self.released = {}
            found = o = None

    def release(self):
        try:
            _gc_callbacks.remove(self._gc_callback)
        except ValueError:
            pass
        self.strong.clear()
        self.weak.clear()
        self.ids.clear()
        self.closures.clear()
        self.gen_frames.clear()
        self.active.clear()
        self.call_stack = []
        self.engine = None


def _cycle_garbage(objs, strong, user_globals):
    """Small mark phase over the objects in `objs` and everything they refer to (gc.get_referents): an object is
    externally held when its reference count exceeds the references from inside the analysed set plus the
    encoder's own. Returns (heap ids held only by cycles, heap ids that are members of a cycle)."""
    skip_ids = {id(user_globals), id(builtins.__dict__)}
    nodes = {}      # id -> obj
    hid_of = {}
    for hid, o in objs:
        nodes[id(o)] = o
        hid_of[id(o)] = hid
    queue = list(nodes.values())
    limit = 5000
    i = 0
    while i < len(queue):
        o = queue[i]
        i += 1
        for r in _gc_referents(o):
            k = id(r)
            if k in nodes or k in skip_ids or not _gc_is_tracked(r) or isinstance(r, (type, _ModuleType, _CodeType)):
                continue
            nodes[k] = r
            queue.append(r)
            if len(nodes) > limit:
                return [], []
    queue = None
    edges = {}
    internal = dict.fromkeys(nodes, 0)
    for k, o in nodes.items():
        out = []
        for r in _gc_referents(o):
            rk = id(r)
            if rk in internal:
                internal[rk] += 1
                out.append(rk)
        edges[k] = out
    r = o = None   # loop variables would otherwise count as references
    # A fresh list held exactly like the analysed objects (in `nodes` and `seq`, read by the same instruction in
    # the same loop) gives the count of the analysis's own references, whatever the interpreter's specialised
    # bytecode does with borrowed references.
    calibration = []
    calibration_key = id(calibration)
    nodes[calibration_key] = calibration
    del calibration
    keys = [calibration_key] + [k for k in nodes if k != calibration_key]
    seq = [nodes[k] for k in keys]
    base = 0
    external = []
    for i in range(len(seq)):
        rc = _getrefcount(seq[i])
        if i == 0:
            base = rc
            continue
        k = keys[i]
        hid = hid_of.get(k)
        held = 0 if hid is None else 1 + (1 if strong.get(hid) is seq[i] else 0)   # the caller's list, the encoder
        if rc - base - held - internal[k] > 0:
            external.append(k)
    seq = None
    del nodes[calibration_key]
    alive = set(external)
    stack = list(external)
    while stack:
        k = stack.pop()
        for rk in edges[k]:
            if rk not in alive:
                alive.add(rk)
                stack.append(rk)
    garbage = [k for k in nodes if k not in alive]
    if not garbage:
        return [], []
    members = _cycle_members(garbage, edges)
    result = sorted(hid_of[k] for k in garbage if k in hid_of)
    cycle_hids = [hid_of[k] for k in members if k in hid_of]
    return result, cycle_hids


def _cycle_members(nodes, edges):
    """Nodes that are on a cycle (Tarjan's strongly connected components, iterative)."""
    inside = set(nodes)
    index = {}
    low = {}
    on_stack = set()
    stack = []
    members = set()
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            v, pos = work.pop()
            if pos == 0:
                index[v] = low[v] = counter
                counter += 1
                stack.append(v)
                on_stack.add(v)
            succ = [w for w in edges[v] if w in inside]
            if pos < len(succ):
                work.append((v, pos + 1))
                w = succ[pos]
                if w not in index:
                    work.append((w, 0))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            for w in succ:
                if w in on_stack and index[w] > index[v]:
                    low[v] = min(low[v], low[w])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1 or v in edges[v]:
                    members.update(comp)
    return members


def _classify(t):
    """How objects of type t are drawn: (kind, type name, slot names or None)."""
    name = _type_name(t)
    collections = sys.modules.get('collections')
    enum = sys.modules.get('enum')
    if issubclass(t, tuple):
        return 'tuple', name, None
    if issubclass(t, list) or (collections is not None and issubclass(t, collections.deque)):
        return 'list', name, None
    if issubclass(t, set):
        return 'set', name, None
    if issubclass(t, frozenset):
        return 'frozenset', name, None
    if issubclass(t, dict):
        return 'dict', name, None
    if t is _FunctionType:
        return 'function', name, None
    if t is _BuiltinFunctionType:
        return 'builtin', name, None
    if issubclass(t, type):
        return 'class', name, None
    if t is _ModuleType:
        return 'module', name, None
    if t is _GeneratorType:
        return 'generator', name, None
    if issubclass(t, BaseException) or (enum is not None and issubclass(t, enum.Enum)):
        return 'other', name, None
    slots = []
    for cls in t.__mro__:
        declared = cls.__dict__.get('__slots__', ())
        if isinstance(declared, str):
            declared = (declared,)
        for s in declared:
            if s not in ('__dict__', '__weakref__') and s not in slots:
                slots.append(s)
    # Objects of the program's classes show their attributes; a library's objects (a Future, a Fraction) are
    # drawn by their repr, except plain namespaces.
    if t.__module__ == '__main__' or (t.__module__ == 'types' and t.__name__ == 'SimpleNamespace'):
        return 'instance', name, tuple(slots)
    return 'other', name, None


# ---------------------------------------------------------------------------------------------------- Python Tutor

_PT_IGNORE = frozenset(('__builtins__', '__name__', '__exception__', '__doc__', '__package__'))
_PT_HIDDEN_ATTRS = ('__doc__', '__module__', '__return__', '__dict__', '__locals__', '__weakref__', '__qualname__')
_PT_LIMIT_MESSAGE = ('Stopped after running %d steps. Please shorten your code,\n'
                     'since Python Tutor is not designed to handle long-running code.')


def _pt_primitive(dat):
    if type(dat) is float:
        if math.isinf(dat):
            return ['SPECIAL_FLOAT', 'Infinity' if dat > 0 else '-Infinity']
        if math.isnan(dat):
            return ['SPECIAL_FLOAT', 'NaN']
        if dat == int(dat):
            return ['SPECIAL_FLOAT', '%.1f' % dat]
        return round(dat, 4)
    return dat


class PytutorEncoder:
    """Python Tutor's execution-trace format, with its default display options (no cumulative mode, no heap
    primitives), following the behaviour of its pg_logger/pg_encoder. Heap ids follow object identity: this encoder
    holds every object it has encoded, so an id never passes to another object (Python Tutor derives ids from id()).
    Like Python Tutor, it keeps every frame it has shown alive."""

    quiet_exit = False

    def __init__(self, opts):
        import inspect
        self.inspect = inspect
        self.max_steps = int(opts.get('maxSteps', 1000))
        self.trace = []
        self.frame_ids = {}          # frame -> id
        self.next_frame = 1
        self.closures = {}           # function -> parent frame
        self.lambda_closures = {}    # code -> parent frame
        self.global_funcs = set()
        self.zombies = []
        self.parents = set()
        self.extras = {}             # frame -> {'__return__': value}: what Python Tutor writes into f_locals
        self.globals_order = []
        self.small_ids = {}
        self.keep = []
        self.next_small = 1
        self.lambda_lines = {}
        self.breakpoints = []
        self.prev_line = -1
        self.limit_hit = False

    def traces(self, code):
        return code.co_filename == FILENAME   # as Python Tutor: exec()'d strings in the program's globals too

    def begin(self, engine):
        self.engine = engine
        self.globals = engine.globals
        for i, line in enumerate(engine.code.splitlines()):
            if line.endswith('#break') and not line.strip().startswith('#break'):
                self.breakpoints.append(i + 1)

    def syntax_failure(self, e, code):
        entry = {'event': 'uncaught_exception'}
        if getattr(e, 'lineno', None) is not None:
            entry['line'] = e.lineno
        if hasattr(e, 'offset'):
            entry['offset'] = e.offset
        entry['exception_msg'] = '%s: %s' % (type(e).__name__, str(e))
        return {'code': code, 'trace': [entry]}

    # ---- frame helpers
    def _locals(self, frame):
        """frame.f_locals as Python Tutor sees it, including what it wrote there (__return__)."""
        if frame.f_globals is self.globals and frame.f_code.co_name == '<module>':
            d = dict(frame.f_globals)
        else:
            d = dict(frame.f_locals)
        extra = self.extras.get(frame)
        if extra:
            d.update(extra)
        return d

    def _user_locals(self, frame):
        return {k: v for k, v in self._locals(frame).items() if k not in _PT_IGNORE}

    def _parent_frame(self, frame):
        code = frame.f_code
        for fn, parent in self.closures.items():
            if fn.__code__ == code:
                loc = self._locals(frame)
                ploc = self._locals(parent)
                matched = True
                for k in loc:
                    if k in code.co_varnames:
                        continue
                    if k != '__return__' and k in ploc:
                        if _pt_differ(ploc[k], loc[k]):
                            matched = False
                            break
                if matched:
                    return parent
        for lcode, parent in self.lambda_closures.items():
            if lcode == code:
                return parent
        return None

    def _zombie_by_id(self, fid):
        for f in self.zombies:
            if self.frame_ids.get(f) == fid:
                return f
        return None

    # ---- events
    def event(self, event, frame, arg):
        if event == 'call':
            self.extras.get(frame, {}).pop('__return__', None)
        elif event == 'return':
            self.extras.setdefault(frame, {})['__return__'] = arg
        tb = arg[2] if event == 'exception' else None
        pt_event = 'step_line' if event == 'line' else event
        entry = self._interaction(frame, tb, pt_event)
        if event == 'exception':
            entry['exception_msg'] = type(arg[1]).__name__ + ': ' + str(arg[1])
        lineno = entry['line']
        append = True
        if self.breakpoints:
            if not (lineno in self.breakpoints or self.prev_line in self.breakpoints):
                append = False
            if pt_event == 'exception':
                append = True
        self.prev_line = lineno
        if append:
            self.trace.append(entry)
        if len(self.trace) >= self.max_steps:
            self.trace.append({'event': 'instruction_limit_reached',
                               'exception_msg': _PT_LIMIT_MESSAGE % self.max_steps})
            self.limit_hit = True
            return True
        return False

    def _interaction(self, frame, tb, event):
        self.heap = {}
        chain = []
        f = frame
        boundary = self.engine.boundary
        while f is not None and f is not boundary:
            chain.append(f)
            f = f.f_back
        stack = list(reversed(chain))          # stack[0] is the program's module frame
        curindex = len(stack) - 1
        if tb is not None and tb.tb_frame is frame:
            tb = tb.tb_next
        while tb is not None:
            stack.append(tb.tb_frame)
            tb = tb.tb_next
        top = frame
        if event == 'call':
            self.frame_ids[top] = self.next_frame
            self.next_frame += 1
        active = stack[:curindex + 1]
        active_ids = set(map(id, active))
        zombies_to_render = [z for z in self.zombies if id(z) not in active_ids]

        if curindex > 0:   # inside some call: look for functions made here
            for v in _pt_reachable_functions(self._user_locals(top)):
                if v not in self.closures and v not in self.global_funcs:
                    chosen = None
                    for f in reversed(stack):
                        if chosen is not None:
                            break
                        for const in f.f_code.co_consts:
                            if const is v.__code__:
                                chosen = f
                                break
                    if chosen is not None and chosen in self.frame_ids:
                        self.closures[v] = chosen
                        self.parents.add(chosen)
                        if chosen not in self.zombies:
                            self.zombies.append(chosen)
            for const in top.f_code.co_consts:
                if type(const) is _CodeType and const.co_name == '<lambda>':
                    self.lambda_closures[const] = top
                    self.parents.add(top)
                    if top not in self.zombies:
                        self.zombies.append(top)
        else:
            for k, v in self._user_locals(top).items():
                if type(v) in (_FunctionType, _MethodType) and v not in self.closures:
                    self.global_funcs.add(v)

        stack_entries = []
        i = curindex
        while i >= 0:
            f = stack[i]
            if f.f_code.co_name == '<module>':
                break
            if f in self.frame_ids:
                stack_entries.append(self._stack_entry(f))
            i -= 1
        zombie_entries = [self._stack_entry(z) for z in zombies_to_render]

        encoded_globals = {}
        g = {k: v for k, v in self.globals.items() if k not in _PT_IGNORE and k != '__return__'}
        for k, v in g.items():
            encoded_globals[k] = self._encode(v, self._parent_of_function)
            if k not in self.globals_order:
                self.globals_order.append(k)
        ordered_globals = [k for k in self.globals_order if k in encoded_globals]

        to_render = []
        for e in stack_entries:
            e['is_zombie'] = False
            e['is_highlighted'] = False
            to_render.append(e)
        if to_render:
            to_render[0]['is_highlighted'] = True
        for e in zombie_entries:
            e['is_zombie'] = True
            e['is_highlighted'] = False
            to_render.append(e)
        to_render.sort(key=lambda e: e['frame_id'])
        for e in to_render:
            h = e['func_name'] + '_f' + str(e['frame_id'])
            if e['is_parent']:
                h += '_p'
            if e['is_zombie']:
                h += '_z'
            e['unique_hash'] = h
        return {'line': frame.f_lineno, 'event': event, 'func_name': frame.f_code.co_name,
                'globals': encoded_globals, 'ordered_globals': ordered_globals, 'stack_to_render': to_render,
                'heap': self.heap, 'stdout': self.engine.out.text()}

    def _stack_entry(self, frame):
        parents = []
        f = frame
        while True:
            p = self._parent_frame(f)
            if p is None:
                break
            parents.append(self.frame_ids[p])
            f = p
        name = frame.f_code.co_name
        if name == '':
            name = 'unnamed function'
        if name == '<lambda>':
            name += self._lambda_suffix(frame.f_code)
        code = frame.f_code
        encoded = {}
        for k, v in self._user_locals(frame).items():
            in_parent = False
            for pid in parents:
                pf = self._zombie_by_id(pid)
                if pf is None:
                    continue
                ploc = self._locals(pf)
                if k in ploc and k != '__return__' and not _pt_differ(ploc[k], v):
                    in_parent = True
            if in_parent and k not in code.co_varnames:
                continue
            if k == '__module__':
                continue
            encoded[k] = self._encode(v, self._parent_of_function)
        ordered = [k for k in code.co_varnames if k in encoded]
        for k in sorted(encoded):
            if k != '__return__' and k not in ordered:
                ordered.append(k)
        if '__return__' in encoded:
            ordered.append('__return__')
        return {'func_name': name, 'is_parent': frame in self.parents, 'frame_id': self.frame_ids[frame],
                'parent_frame_id_list': parents, 'encoded_locals': encoded, 'ordered_varnames': ordered}

    def _parent_of_function(self, fn):
        try:
            parent = self.closures.get(fn)
        except TypeError:
            return None
        return self.frame_ids.get(parent) if parent is not None else None

    def _lambda_suffix(self, code):
        lst = self.lambda_lines.get(code.co_firstlineno)
        if lst is None or code not in lst:
            return ''
        return ' <line %d>' % code.co_firstlineno

    # ---- values
    def _external(self, dat):
        try:
            mod = self.inspect.getmodule(dat)
            path = mod.__file__
            if not path:
                path = self.inspect.getsourcefile(dat)
            external = bool(path) and path[0] == '/'
        except (AttributeError, TypeError):
            external = False
        if external and _pt_is_instance(dat) and type(dat) not in (_FunctionType, _MethodType, _BuiltinFunctionType) \
                and type(dat).__name__ != 'ABCMeta':
            external = False
        return external

    def _encode(self, dat, get_parent):
        t = type(dat)
        if t in (int, float, str, bool, type(None)):
            return _pt_primitive(dat)
        if self._external(dat):
            label = 'class' if isinstance(dat, type) else 'object' if _pt_is_instance(dat) else t.__name__
            return ['IMPORTED_FAUX_PRIMITIVE', 'imported ' + label]
        small = self.small_ids.get(id(dat))
        if small is None:
            small = self.next_small
            self.next_small += 1
            self.small_ids[id(dat)] = small
            self.keep.append(dat)
        ref = ['REF', small]
        if small in self.heap:
            return ref
        new = []
        self.heap[small] = new
        if t is list or t is tuple or t is set:
            new.append('LIST' if t is list else 'TUPLE' if t is tuple else 'SET')
            for e in dat:
                new.append(self._encode(e, get_parent))
        elif t is dict:
            new.append('DICT')
            for k, v in dat.items():
                if k not in ('__module__', '__return__', '__locals__'):
                    new.append([self._encode(k, get_parent), self._encode(v, get_parent)])
        elif t is _FunctionType or t is _MethodType:
            self._encode_function(dat, new, get_parent)
        elif t is _BuiltinFunctionType:
            new.extend(['FUNCTION', _pt_name(dat) + '(...)', None])
        elif isinstance(dat, type) or _pt_is_instance(dat):
            self._encode_class_or_instance(dat, new)
        else:
            new.extend([t.__name__, str(dat)])
        return ref

    def _encode_function(self, dat, new, get_parent):
        spec = self.inspect.getfullargspec(dat)
        args = list(spec.args)
        defaults = []
        if spec.defaults:
            missing = len(args) - len(spec.defaults)
            for i in range(missing, len(args)):
                defaults.append([args[i], self._encode(spec.defaults[i - missing], get_parent)])
        if spec.varargs:
            args.append('*' + spec.varargs)
        if spec.kwonlyargs:
            args.extend(spec.kwonlyargs)
            if spec.kwonlydefaults:
                for k in spec.kwonlyargs:
                    if k in spec.kwonlydefaults:
                        defaults.append([k, self._encode(spec.kwonlydefaults[k], get_parent)])
        if spec.varkw:
            args.append('**' + spec.varkw)
        name = _pt_name(dat)
        pretty = name + '(' + ', '.join(args) + ')'
        if name == '<lambda>':
            code = dat.__code__
            lst = self.lambda_lines.setdefault(code.co_firstlineno, [])
            if code not in lst:
                lst.append(code)
            pretty += self._lambda_suffix(code)
        new.extend(['FUNCTION', pretty, get_parent(dat) if get_parent else None])
        if defaults:
            new.append(defaults)

    def _encode_class_or_instance(self, dat, new):
        if _pt_is_instance(dat):
            class_name = _pt_name(type(dat))
            text = None
            try:
                text = dat.__str__()
                if text[0] == '<' and text[-1] == '>' and (' at ' in text or text.startswith('<module')):
                    text = None
            except Exception:
                text = None
            if text:
                new.extend(['INSTANCE_PPRINT', class_name, text])
            else:
                new.extend(['INSTANCE', class_name])
            if class_name == 'module':
                return
        else:
            new.extend(['CLASS', _pt_name(dat), [b.__name__ for b in dat.__bases__ if b is not object]])
        d = getattr(dat, '__dict__', None)
        if d is None:
            return
        for attr in sorted(k for k in d if k not in _PT_HIDDEN_ATTRS):
            new.append([self._encode(attr, None), self._encode(d[attr], None)])

    # ---- end
    def finish(self, engine, reason, error):
        trace = self.trace
        if reason == 'exception' or reason == 'memory':
            entry = {'event': 'uncaught_exception'}
            if hasattr(error, 'lineno'):
                entry['line'] = error.lineno
            if hasattr(error, 'offset'):
                entry['offset'] = error.offset
            entry['exception_msg'] = type(error).__name__ + ': ' + str(error)
            if not any(e['event'] == 'exception' for e in trace):
                trace.append(entry)
        elif reason == 'timeout' and not self.limit_hit:
            trace.append({'event': 'instruction_limit_reached',
                          'exception_msg': 'Stopped after running for %g seconds.' % engine.timeout})
        if (len(trace) >= 2 and trace[-2]['event'] == 'exception' and trace[-1]['event'] == 'return'
                and trace[-1]['func_name'] == '<module>'):
            trace.pop()
        return {'code': engine.code, 'trace': trace}

    def release(self):
        self.keep = None
        self.frame_ids = self.closures = self.zombies = self.extras = None
        self.lambda_closures = self.parents = self.global_funcs = None
        self.engine = None


def _pt_differ(a, b):
    try:
        return bool(a != b)
    except Exception:
        return True


def _pt_name(obj):
    return obj.__name__ if hasattr(obj, '__name__') else _pt_name(type(obj))


def _pt_is_instance(dat):
    t = type(dat)
    return t not in (int, float, str, bool, type(None)) and isinstance(t, type) and not isinstance(dat, type)


def _pt_reachable_functions(local_vars):
    """Functions reachable from a frame's variables through lists, tuples, sets, dicts and __dict__s."""
    seen = set()
    out = []
    stack = list(reversed(list(local_vars.values())))
    while stack:
        v = stack.pop()
        if id(v) in seen:
            continue
        seen.add(id(v))
        t = type(v)
        if t is _FunctionType or t is _MethodType:
            out.append(v)
        elif t in (list, tuple, set):
            stack.extend(reversed(list(v)))
        elif t is dict or isinstance(v, type) or _pt_is_instance(v):
            d = v if t is dict else getattr(v, '__dict__', None)
            if d:
                items = []
                for k, val in list(d.items()):
                    items.append(k)
                    items.append(val)
                stack.extend(reversed(items))
    return out


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
        for k in ('maxSteps', 'timeoutMs', 'maxOutputChars', 'maxContainerItems', 'maxFrames'):
            if k in opts and (not isinstance(opts[k], (int, float)) or isinstance(opts[k], bool) or opts[k] < 0):
                raise ValueError('%s must be a non-negative number' % k)
        if 'stdin' in opts and opts['stdin'] is not None and not isinstance(opts['stdin'], str):
            raise ValueError('stdin must be a string')
        if not isinstance(code, str):
            raise ValueError('code must be a string')
    except ValueError as e:
        return _json_dumps({'failure': {'kind': 'options', 'message': str(e)}})
    encoder = PytutorEncoder(opts) if fmt == 'pytutor' else NativeEncoder(opts)
    engine = Engine(code, opts, encoder)
    try:
        result = engine.run()
    except MemoryError:
        result = {'failure': {'kind': 'memory', 'message': 'the tracer ran out of memory'}}
    except BaseException as e:   # never let the host see a Python exception
        import traceback
        result = {'failure': {'kind': 'runtime', 'message': 'memtrace internal error:\n' + traceback.format_exc()}}
    if fmt == 'pytutor':
        return _json_dumps(result, indent=None, ensure_ascii=False)
    return _json_dumps(result, ensure_ascii=False, separators=(',', ':'))
