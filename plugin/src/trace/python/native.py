"""memtrace tracer, module 3 of 4: the native encoder (loaded after heap.py, see tracer-modules.ts).

Turns each step the Tracer (run.py) passes it into one snapshot of the memtrace trace format, version 1 (the
TypeScript types and their documentation are in format.ts; users read /docs/trace-format/). JSON, byte-stable:

  Trace      {"format": "memtrace", "version": 1, "python": "3.14.2", "code": <program>, "steps": [Step, ...],
              "stdout": <all printed text, capped>, "stdoutTruncated"?: <characters left out>,
              "end": {"reason": "completed" | "exception" | "exit" | "step-limit" | "timeout" | "memory",
                      "message"?: <text>}}
  Step       {"line": n, "event": "line" | "call" | "return" | "exception" | "uncaught",
              "frames": [Frame, ...],        the global frame (id 0), running calls outermost first, then exited
                                             frames that closures still refer to
              "heap": {"<id>": HeapObject},  every object reachable from the frames, ids ascending
              "stdout": <length of the output printed so far>,
              "exception"?: {"type", "message"},
              "omittedFrames"?: {"after": <frame id>, "count": n},   deep stacks keep the outer quarter and the top
              "changed": {"vars": ["<frame id>:<name>", ...], "objects": [<heap id>, ...]},  against the step before
              "freed"?: [<heap id>, ...],     objects that died at this step
              "cycleOnly"?: [<heap id>, ...]} objects alive only through a reference cycle
  Frame      {"id", "name", "locals": [[name, Value], ...], "line", "returnValue"?: Value, "exited"?: true,
              "parent"?: <frame id of the lexical parent>}
  Value      a primitive drawn inline, {"type": "int", "repr": "10"} (str repr cut at 1000 characters with
              "fullLength"), or a reference {"ref": <heap id>}
  HeapObject {"kind": "list" | "tuple" | "set" | "frozenset", "type", "items": [Value, ...]}
             {"kind": "dict", "type", "entries": [[Value, Value], ...]}
             {"kind": "instance", "type", "className", "attrs": [[name, Value], ...]}
             {"kind": "class", "type", "name", "bases": [name, ...], "attrs": [[name, Value], ...]}
             {"kind": "function", "type", "name", "params": "a, x=2, *args", "inProgram": true | false,
              "parentFrame"?: <frame id>}     inProgram: its code is one of the program's (compiled from its
                                             text), not a library's nor a string exec()'d at run time
             {"kind": "module", "type", "name"}
             {"kind": "generator", "type", "name", "state", "frame"?: {"line", "locals"}}
             {"kind": "other", "type", "repr", "inProgram"?: true | false}   inProgram: for a staticmethod,
                                             classmethod or property, whether the function it wraps is the program's
             Containers longer than maxContainerItems keep that many items and say how many are left in "more".

Heap ids are 1, 2, ... in order of first discovery and never pass to another object; frame ids are 1, 2, ... in the
order calls start (0 is the global frame). See NativeEncoder for how ids follow objects, and heap.py for liveness.

Delta. The tracer does not write the Trace above but its delta, which the host expands (trace/delta.ts) into
exactly that Trace: "delta" in place of "steps", each step written against the one before it (the first against
an empty step), so that a long loop writes what its lines change, not its whole heap again at every step:

  Delta step {"line", "event",
              "frames": [Frame | <frame id> | [<frame id>, <line>], ...],  the id alone: the same Frame as the step
                                             before's with that id; with a line: that Frame at another line
              "heap": {"<id>": HeapObject},  only the objects that are new or differ from the step before's
              "stdout", "exception"?, "omittedFrames"?,
              "drop"?: [<heap id>, ...],     the step before's objects that are not in this step's heap
              "freed"?, "cycleOnly"?}        as in Step
  Step.changed is left out: the host works it out (changed.objects are the keys of the delta's heap).
"""

class _Frame:
    """What the native encoder knows about one call: stable id, lexical parent, variable order."""

    __slots__ = ('fid', 'name', 'code', 'parent', 'order', 'known', 'line', 'active', 'gen', 'entry', 'refs')

    def __init__(self, fid, code, parent):
        """A call of `code` with frame id `fid` and lexical parent `parent` (a frame id, 0 for global)."""
        self.fid = fid
        self.name = code.co_name
        self.code = code
        self.parent = parent      # frame id of the lexical parent, or 0
        self.order = []
        self.known = set()        # the names in order
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
    """Type name as drawn: bare for builtins and the program's own classes, module-qualified otherwise."""
    mod = getattr(t, '__module__', 'builtins')
    name = getattr(t, '__qualname__', None) or getattr(t, '__name__', '?')
    return name if mod in ('builtins', '__main__', None) else '%s.%s' % (mod, name)


def _short_repr(obj, limit=200):
    """repr() for an 'other' object: without addresses (they differ between runs), at most `limit` characters."""
    text = _safe_str(repr, obj)
    if text is None:
        text = '<%s object>' % type(obj).__name__
    text = _ADDRESS.sub('', text)
    return text if len(text) <= limit else text[:limit - 3] + '...'


def _wrapped_function(obj):
    """The Python function a staticmethod, classmethod or property wraps (its getter), else None."""
    if isinstance(obj, (staticmethod, classmethod)):
        fn = getattr(obj, '__func__', None)
    elif isinstance(obj, property):
        fn = obj.fget
    else:
        return None
    return fn if type(fn) is _FunctionType else None


# The instructions a frame can leave by without an exception: a return, or a generator's yield (_opcodes: run.py).
_LEAVE_OPS = _opcodes(frozenset(('RETURN_VALUE', 'RETURN_CONST', 'YIELD_VALUE', 'RETURN_GENERATOR',
                                 'INSTRUMENTED_RETURN_VALUE', 'INSTRUMENTED_RETURN_CONST',
                                 'INSTRUMENTED_YIELD_VALUE')).__contains__)


def _unwinding(frame):
    """A `return` event of a frame that an exception is leaving (say through a `finally`): it returns nothing."""
    code = frame.f_code.co_code
    i = frame.f_lasti
    return 0 <= i < len(code) and code[i] not in _LEAVE_OPS


_IMMUTABLE = (int, float, complex, str, bytes, bool, type(None), type(Ellipsis))


def _immutable(values):
    """Whether every value (of a tuple, a dict's values, or None) is immutable all the way down."""
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


_PLAIN_SEQUENCES = frozenset((list, tuple, set, frozenset))
_PRIM_CACHE = 20000   # at most this many cached Values of ints and strs per trace
_is_immortal = getattr(sys, '_is_immortal', None)   # Python 3.14+: small ints, interned strs

_PRIMITIVE_NAMES = {int: 'int', float: 'float', str: 'str', bool: 'bool', type(None): 'NoneType',
                    complex: 'complex', bytes: 'bytes'}


class NativeEncoder(HeapLiveness):
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
        """An empty trace with the limits from `opts` (maxContainerItems, maxSteps, maxFrames; all required)."""
        self.max_items = int(opts['maxContainerItems'])
        self.max_steps = int(opts['maxSteps'])
        self.max_frames = max(2, int(opts['maxFrames']))
        self.kinds = {}        # type -> (kind, type name, slot names or None)
        self.functions = {}    # heap id of a function -> (code, defaults, name, its HeapObject)
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
        self.known0 = set(_HIDDEN_GLOBALS)   # the names in order0, and the globals never shown
        self.prim = {}         # int or short str -> its Value (see _value)
        self.refs = {}         # heap id -> its Value {"ref": id}
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

    # ---- tracer interface
    def begin(self, tracer):
        """Start of a run: map every code object of the program to the code that defines it (to find lexical
        parents), and watch the garbage collector."""
        self.tracer = tracer
        self.globals = tracer.globals
        self.module_code = tracer.compiled
        self.defining = {}   # id(code) -> the code object that defines it (static nesting of the program)
        todo = [tracer.compiled]
        while todo:
            outer = todo.pop()
            for c in outer.co_consts:
                if type(c) is _CodeType:
                    self.defining[id(c)] = outer
                    todo.append(c)
        self.codes = set(self.defining)
        self.codes.add(id(tracer.compiled))
        _gc_callbacks.append(self._gc_callback)

    def traces(self, code):
        """Only the program's own code: not strings it (or a library, like dataclasses) exec()s in its globals."""
        return id(code) in self.codes

    def syntax_failure(self, e, code):
        """The failure for a program that does not compile: kind 'syntax' with the error's line and column."""
        failure = {'kind': 'syntax', 'message': '%s: %s' % (type(e).__name__, getattr(e, 'msg', None) or str(e))}
        if isinstance(e, SyntaxError):
            failure['line'] = e.lineno or 1
            failure['column'] = e.offset or 1
        return {'failure': failure}

    def event(self, event, frame, arg):
        """Record one step (returns True when the step cap is reached, which ends the run). Calls and returns
        also maintain the encoder's own stack of _Frames."""
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

    def finish(self, tracer, reason, error):
        """The finished trace: steps, output and the end reason with its message. An uncaught exception ends
        with an 'uncaught' step (the last exception step of the global frame, or a copy of the last step)."""
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
                step = dict(steps[-1])   # the same state as the step before: every frame by id, no heap change
                step['event'] = 'uncaught'
                step['frames'] = [f if type(f) is int else f[0] if type(f) is list else f['id'] for f in step['frames']]
                step['heap'] = {}
                step['exception'] = {'type': type(error).__name__, 'message': _exc_message(error)}
                step.pop('drop', None)
                step.pop('freed', None)
                steps.append(step)
        elif reason == 'exit':
            code = getattr(error, 'code', None)
            if code is not None:
                end['message'] = str(code)
        elif reason == 'memory':
            end['message'] = 'MemoryError' + (': ' + _exc_message(error) if error is not None and str(error) else '')
        elif reason == 'timeout':
            end['message'] = 'stopped after %g ms' % (tracer.timeout * 1000)
        elif reason == 'step-limit':
            end['message'] = 'stopped after %d steps' % self.max_steps
        trace = {'format': 'memtrace', 'version': TRACE_FORMAT_VERSION, 'python': sys.version.split()[0],
                 'code': tracer.code, 'delta': steps, 'stdout': tracer.stdout_text}
        if tracer.out.dropped:
            trace['stdoutTruncated'] = tracer.out.dropped
        trace['end'] = end
        return trace

    # ---- frames
    def _on_call(self, frame):
        """A frame starts: give it a _Frame with a new id, or reuse the one of the generator it resumes."""
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
        """A frame leaves (returns, yields or unwinds): drop it from the running stack, keep its last line."""
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
        """The program's frames below `frame`, innermost first."""
        f = frame.f_back
        g = self.globals
        while f is not None:
            if f.f_globals is g:
                yield f
            f = f.f_back

    # ---- values
    def _value(self, v):
        """A Value for v: a primitive inline, or a reference to its heap id (queued for encoding this step)."""
        t = type(v)
        if t is int or t is str:
            # Values are never changed once made, so equal ints and strs share one (read-only) Value.
            found = self.prim.get(v)
            if found is not None:
                return found
            if t is int:
                found = {'type': 'int', 'repr': _int_repr(v)}
            elif len(v) > _MAX_STR:
                return {'type': 'str', 'repr': repr(v[:_MAX_STR]), 'fullLength': len(v)}
            else:
                found = {'type': 'str', 'repr': repr(v)}
            # Only immortal objects are kept as keys: holding any other would change its reference count, which
            # the program can see (sys.getrefcount).
            if _is_immortal is not None and len(self.prim) < _PRIM_CACHE and _is_immortal(v):
                self.prim[v] = found
            return found
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
        ref = self.refs.get(hid)
        if ref is None:
            ref = self.refs[hid] = {'ref': hid}   # read-only, shared like the primitives' Values
        return ref

    def _track(self, obj):
        """Give obj a heap id and start watching it (weakref, or held): a new id, or the old one of an object the
        collector is resurrecting."""
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
        """The weakref callback for heap id `hid`: forgets the object and marks the id dead (or dying, while
        a collection runs, since a finalizer may still resurrect it)."""
        ids, weak = self.ids, self.weak

        def died(ref):
            """The object behind heap id `hid` is gone."""
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
        """A frame's variables as [name, Value] pairs, in order of first appearance (free variables are the
        parent's and left out)."""
        free = frame.f_code.co_freevars
        present = {}
        for k, v in frame.f_locals.items():   # one pass over the frame (f_locals is a proxy of it)
            if k not in free and isinstance(k, str):
                present[k] = v
        order = info.order
        known = info.known
        if not present.keys() <= known:
            for k in present:
                if k not in known:
                    order.append(k)
                    known.add(k)
        value = self._value
        return [[k, value(present[k])] for k in order if k in present]

    def _encode(self, obj):
        """The HeapObject for obj, by its kind (see _classify); containers cut at maxContainerItems with 'more'."""
        t = type(obj)
        info = self.kinds.get(t)
        if info is None:
            info = self.kinds[t] = _classify(t)
        kind, tname, slots = info
        cap = self.max_items
        value = self._value
        if kind == 'list' or kind == 'tuple' or kind == 'set' or kind == 'frozenset':
            if t in _PLAIN_SEQUENCES:   # iterating them runs no program code: stop at the cap without a next()
                items = [value(item) for item in _islice(obj, cap)]
            else:
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
            if t is dict:
                entries = [[value(k), value(v)] for k, v in _islice(obj.items(), cap)]
            else:
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
            return self._function(obj)
        if kind == 'class':
            if obj.__module__ != '__main__':   # a library's class: its insides are not the lesson
                return {'kind': 'other', 'type': tname, 'repr': _short_repr(obj)}
            d = obj.__dict__
            enum = sys.modules.get('enum')
            if enum is not None and isinstance(obj, enum.EnumType):
                names = [k for k in d if k in obj.__members__]
            else:
                names = [k for k in d if k not in _CLASS_HIDDEN and isinstance(k, str)
                         and not (k == '__hash__' and d[k] is None) and type(d[k]) not in _SLOT_TYPES
                         and not _injected(d[k])]
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
        out = {'kind': 'other', 'type': tname, 'repr': _short_repr(obj)}
        wrapped = _wrapped_function(obj)
        if wrapped is not None:
            out['inProgram'] = id(wrapped.__code__) in self.codes
        return out

    def _function(self, fn):
        """A function's HeapObject, made again only when its code, name or defaults change. Steps share it, which
        also tells _snapshot at once that it did not change."""
        code = fn.__code__
        defaults = fn.__defaults__
        name = fn.__name__
        hid = self.ids.get(id(fn))
        known = self.functions.get(hid)
        if known is not None and known[0] is code and known[1] is defaults and known[2] == name:
            return known[3]
        out = {'kind': 'function', 'type': 'function', 'name': name, 'params': _params(fn),
               'inProgram': id(code) in self.codes}
        parent = self.fn_parent.get(hid)
        if parent:
            out['parentFrame'] = parent
        # Defaults that can change in place (the classic `cart=[]`) change the params text without a new tuple, and
        # keyword-only defaults live in a dict that can: those functions are made again at every step.
        if hid is not None and fn.__kwdefaults__ is None and _immutable(defaults):
            self.functions[hid] = (code, defaults, name, out)
        return out

    def _generator(self, gen):
        """A generator: its state and, while not running, its suspended frame's line and locals."""
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
        """Build one Step: the frames (reusing entries of frames that wait for a call), every object reachable
        from them breadth-first, exited frames that closures keep, cycle-only objects, what died, and what changed
        since the previous step."""
        self._seen = set()
        self._queue = []
        stack = list(self.call_stack)
        self._cur_stack = stack
        line = frame.f_lineno
        frames, shown, omitted, stack = self._frame_entries(event, frame, ret, stack)
        heap = {}
        self._drain(heap)
        exited = self._exited_frames(stack, heap, shown)
        if exited:
            frames.extend(exited)
            self._drain(heap)
        reachable = set(heap)
        if self.dead or not (self.strong.keys() <= reachable and self.weak.keys() <= reachable):
            freed = self._collect(reachable)
            cycle_only = self._cycle_only(reachable)
        else:   # everything watched is in reach and nothing died: nothing to let go of, no cycle garbage
            freed = cycle_only = None
            if self.cycle_strong:
                self.cycle_strong = set()
        if cycle_only:
            for hid in cycle_only:
                obj = self._obj(hid)
                if obj is not None and hid not in self._seen:
                    self._seen.add(hid)
                    self._queue.append((hid, obj))
            self._drain(heap)
        keys = sorted(heap)
        if keys != list(heap):   # found out of id order: JSON writes a dict in its order
            heap = {k: heap[k] for k in keys}
        prev_heap = self.prev_heap
        # Only what differs from the step before is written (see the module's header, "Delta").
        step = {'line': line, 'event': event, 'frames': self._delta_frames(frames),
                'heap': {k: heap[k] for k in keys if prev_heap.get(k) is not heap[k] and prev_heap.get(k) != heap[k]},
                'stdout': self.tracer.out.size}
        if exc is not None:
            step['exception'] = exc
        if omitted is not None:
            step['omittedFrames'] = omitted
        if not prev_heap.keys() <= heap.keys():
            step['drop'] = sorted(prev_heap.keys() - heap.keys())
        if freed:
            gone = sorted(h for h in prev_heap if h not in heap and h in freed)
            if gone:
                step['freed'] = gone
        if len(heap) > len(reachable):   # cycle-only objects were added after `reachable`
            step['cycleOnly'] = [h for h in keys if h not in reachable]
        self.prev_heap = heap
        self.steps.append(step)
        self._queue = None
        self._cur_stack = None

    def _frame_entries(self, event, frame, ret, stack):
        """The frames of a step: the global frame, then the running ones (deep stacks cut, see omittedFrames).
        Returns (frames, ids of the frames shown, omittedFrames or None, the stack as shown)."""
        g = self.globals
        order0 = self.order0
        known = self.known0
        if not g.keys() <= known:   # a new global (rare after the first steps): in order of appearance
            for k in g:
                if k not in known and isinstance(k, str):
                    order0.append(k)
                    known.add(k)
        value = self._value
        frames = [{'id': 0, 'name': '<module>', 'locals': [[k, value(g[k])] for k in order0 if k in g],
                   'line': self.tracer.module_frame.f_lineno}]
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
                entry['returnValue'] = value(ret)
            elif f is not frame and not info.code.co_cellvars:
                info.entry = entry
                info.refs = [v['ref'] for _, v in entry['locals'] if 'ref' in v]
            frames.append(entry)
            shown.add(info.fid)
        return frames, shown, omitted, stack

    def _delta_frames(self, frames):
        """The step's frames as the delta writes them: the id alone for a frame equal to the step before's, [id, line]
        for one that only moved to another line."""
        prev_entries = self.prev_entries
        entries = {}
        out = []
        for fr in frames:
            fid = fr['id']
            entries[fid] = fr
            prev = prev_entries.get(fid)
            if prev is fr:
                out.append(fid)
            elif (prev is not None and prev['locals'] == fr['locals'] and prev.get('returnValue') == fr.get('returnValue')
                  and prev.get('exited') == fr.get('exited')):
                # Name and parent never change for an id: the same frame, or the same at another line.
                out.append(fid if prev['line'] == fr['line'] else [fid, fr['line']])
            else:
                out.append(fr)
        self.prev_entries = entries
        return out

    def _drain(self, heap):
        """Encode every queued object into `heap`; encoding queues what it refers to, so this walks the graph."""
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
        """The live object with heap id `hid`, or None if it died."""
        obj = self.strong.get(hid)
        if obj is None:
            ref = self.weak.get(hid)
            obj = ref() if ref is not None else None
        return obj

    # ---- exited frames kept by closures
    def _exited_frames(self, stack, heap, shown):
        """Frames that have returned but that a closure in view (or a running frame's lexical parent
        chain) still refers to, with the values of their cells, marked exited."""
        wanted = set()
        for f, info in stack:
            p = info.parent
            while p and p not in shown and p not in wanted:
                wanted.add(p)
                p = self.frames[p].parent
        fn_parent = self.fn_parent
        if fn_parent:
            for hid in heap:
                p = fn_parent.get(hid)
                while p and p not in shown and p not in wanted:
                    wanted.add(p)
                    p = self.frames[p].parent
        if not wanted:
            return []
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
                if k not in info.known:
                    info.order.append(k)
                    info.known.add(k)
            entry = {'id': fid, 'name': info.name, 'locals': [[k, self._value(vals[k])] for k in info.order
                                                               if k in vals],
                     'line': info.line, 'exited': True}
            if info.parent:
                entry['parent'] = info.parent
            out.append(entry)
        return out


    def release(self):
        """End of a run: drop every reference to the program's objects and stop watching the collector."""
        try:
            _gc_callbacks.remove(self._gc_callback)
        except ValueError:
            pass
        self.strong.clear()
        self.weak.clear()
        self.ids.clear()
        self.closures.clear()
        self.functions.clear()
        self.gen_frames.clear()
        self.active.clear()
        self.call_stack = []
        self.tracer = None
        self.steps = []   # already written out: freed now rather than walked by the collection that follows
        self.prev_heap = {}
        self.prev_entries = {}



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

