"""memtrace tracer, module 4 of 4: the Python Tutor encoder (loaded last, see tracer-modules.ts).

Writes Python Tutor's execution-trace format, as its pg_logger.py and pg_encoder.py write it with their default
display options (no cumulative mode, heap primitives off), so that Python Tutor's frontend (or any tool that reads
its traces) can show a memtrace run. The CLI's `--format pytutor` emits it; the shared conformance set checks it
against traces made by Python Tutor itself.

  Trace       {"code": <program>, "trace": [Entry, ...]}
  Entry       {"line": n, "event": "step_line" | "call" | "return" | "exception", "func_name": <running function>,
               "globals": {name: Encoded}, "ordered_globals": [name, ...],
               "stack_to_render": [FrameEntry, ...], "heap": {"<id>": HeapEntry}, "stdout": <all output so far>,
               "exception_msg"?: "Type: message"}
              or a last {"event": "uncaught_exception" | "instruction_limit_reached", "exception_msg", "line"?}
  FrameEntry  {"func_name", "frame_id", "is_highlighted", "is_parent", "is_zombie", "parent_frame_id_list",
               "encoded_locals": {name: Encoded}, "ordered_varnames": [name, ...], "unique_hash"}
  Encoded     a primitive (int, str, bool, None; a float rounded to 4 places, or ["SPECIAL_FLOAT", "Infinity"],
              "NaN", "2.0"), ["REF", <heap id>], or ["IMPORTED_FAUX_PRIMITIVE", "imported class"]
  HeapEntry   ["LIST" | "TUPLE" | "SET", Encoded, ...]          ["DICT", [Encoded, Encoded], ...]
              ["INSTANCE", class name, [attr, Encoded], ...]    ["INSTANCE_PPRINT", class name, str(), [...], ...]
              ["CLASS", name, [base, ...], [attr, Encoded], ...]
              ["FUNCTION", "f(a, b)", <parent frame id or null>, [[name, Encoded], ...]?]   defaults last
              [type name, str(value)]                          anything else

Like the native format, it is capped: a container or an object's attributes beyond maxContainerItems end with
["IMPORTED_FAUX_PRIMITIVE", "… N more"] (in a dict or an object, as a pair with ["IMPORTED_FAUX_PRIMITIVE",
"…"]), and output beyond maxOutputChars ends with a line "[… N more characters of output]". Python Tutor
itself has no caps (its server cuts runs at 1000 steps).

Heap ids are small numbers in order of first encoding (Python Tutor derives them from id(); this encoder holds
every object it has encoded, so an id never passes to another object). Frames that define closures stay as zombies.
"""

_PT_IGNORE = frozenset(('__builtins__', '__name__', '__exception__', '__doc__', '__package__'))
_PT_HIDDEN_ATTRS = ('__doc__', '__module__', '__return__', '__dict__', '__locals__', '__weakref__', '__qualname__')
_PT_LIMIT_MESSAGE = ('Stopped after running %d steps. Please shorten your code,\n'
                     'since Python Tutor is not designed to handle long-running code.')


# Containers and attribute lists longer than maxContainerItems end with one more element (a dict or an object with
# one more pair) that counts the rest. Python Tutor has no such field; IMPORTED_FAUX_PRIMITIVE is the encoding its
# frontend draws as a bare label, so the count shows there as text and not as a value of the program.
_PT_MORE = '\u2026 %d more'
_PT_MORE_VALUE = ['IMPORTED_FAUX_PRIMITIVE', '\u2026']
_PT_OUTPUT_CUT = '\n[\u2026 %d more characters of output]'


def _pt_more(count):
    """The element that stands for `count` items left out of a container."""
    return ['IMPORTED_FAUX_PRIMITIVE', _PT_MORE % count]


def _pt_primitive(dat):
    """A primitive as Python Tutor encodes it: floats rounded to 4 places, inf/nan and whole floats as
    SPECIAL_FLOAT; int, str, bool and None as they are."""
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
        """An empty trace with the step cap from `opts` (maxSteps, required)."""
        import inspect
        self.inspect = inspect
        self.max_steps = int(opts['maxSteps'])
        self.max_items = int(opts['maxContainerItems'])
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
        """Every frame whose code comes from the program's text, including strings it exec()s (as Python Tutor)."""
        return code.co_filename == FILENAME   # as Python Tutor: exec()'d strings in the program's globals too

    def begin(self, tracer):
        """Start of a run: note the lines marked `#break` (Python Tutor's breakpoints)."""
        self.tracer = tracer
        self.globals = tracer.globals
        for i, line in enumerate(tracer.code.splitlines()):
            if line.endswith('#break') and not line.strip().startswith('#break'):
                self.breakpoints.append(i + 1)

    def syntax_failure(self, e, code):
        """A one-entry trace with the uncaught SyntaxError, as Python Tutor reports one."""
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
        """A frame's variables without the names Python Tutor hides (__builtins__, __name__, ...)."""
        return {k: v for k, v in self._locals(frame).items() if k not in _PT_IGNORE}

    def _parent_frame(self, frame):
        """The frame that defined the function running in `frame` (its lexical parent), or None: the frame
        a closure was made in, matched on shared variable values as Python Tutor does, or the frame of a lambda."""
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
        """The kept (zombie) frame with Python Tutor frame id `fid`, or None."""
        for f in self.zombies:
            if self.frame_ids.get(f) == fid:
                return f
        return None

    # ---- events
    def event(self, event, frame, arg):
        """Record one trace entry (only around breakpoints when the program has some); returns True when the
        step cap is reached, after appending Python Tutor's instruction_limit_reached entry."""
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
        """One trace entry, as pg_logger's interaction(): the stack from the program's module frame to
        `frame`, closures found and their frames kept as zombies, globals and every frame encoded with one heap."""
        self.heap = {}
        chain = []
        f = frame
        boundary = self.tracer.boundary
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
            for v in _pt_reachable_functions(self._user_locals(top), self.max_items):
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
                'heap': self.heap, 'stdout': self._stdout()}

    def _stdout(self):
        """The output so far; once the output cap cut it, with a last line that counts what was left out."""
        out = self.tracer.out
        if not out.dropped:
            return out.text()
        return out.text() + _PT_OUTPUT_CUT % out.dropped

    def _stack_entry(self, frame):
        """One entry of stack_to_render: the frame's variables (less those it shares with its lexical
        parents), ordered parameters first, then alphabetically, then __return__."""
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
        """The frame id of the frame a function closes over, or None (global or unknown)."""
        try:
            parent = self.closures.get(fn)
        except TypeError:
            return None
        return self.frame_ids.get(parent) if parent is not None else None

    def _lambda_suffix(self, code):
        """' <line N>' for a lambda that shares its first line with another lambda, as Python Tutor names them."""
        lst = self.lambda_lines.get(code.co_firstlineno)
        if lst is None or code not in lst:
            return ''
        return ' <line %d>' % code.co_firstlineno

    # ---- values
    def _external(self, dat):
        """Whether dat comes from a module file (the standard library): Python Tutor draws those as 'imported
        ...' instead of opening them."""
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
        """The encoding of dat: a primitive, an IMPORTED_FAUX_PRIMITIVE, or a REF to its heap entry (encoded
        once per step, depth first, as pg_encoder's encode())."""
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
            cap = self.max_items
            for e in dat:
                if len(new) > cap:
                    new.append(_pt_more(len(dat) - cap))
                    break
                new.append(self._encode(e, get_parent))
        elif t is dict:
            new.append('DICT')
            cap = self.max_items
            seen = 0
            for k, v in dat.items():
                if len(new) > cap:
                    new.append([_pt_more(len(dat) - seen), _PT_MORE_VALUE])
                    break
                seen += 1
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
        """A FUNCTION heap entry: 'name(args)', the parent frame id, and encoded defaults if any."""
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
        """A CLASS, INSTANCE or INSTANCE_PPRINT (when str() is not the default '<... at 0x...>')
        entry, with the attributes of __dict__ sorted by name."""
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
        attrs = sorted(k for k in d if k not in _PT_HIDDEN_ATTRS and not _injected(d[k]))
        for attr in attrs[:self.max_items]:
            new.append([self._encode(attr, None), self._encode(d[attr], None)])
        if len(attrs) > self.max_items:
            new.append([_pt_more(len(attrs) - self.max_items), _PT_MORE_VALUE])

    # ---- end
    def finish(self, tracer, reason, error):
        """The finished trace: an uncaught exception or the timeout as Python Tutor's last entry."""
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
                          'exception_msg': 'Stopped after running for %g seconds.' % tracer.timeout})
        if (len(trace) >= 2 and trace[-2]['event'] == 'exception' and trace[-1]['event'] == 'return'
                and trace[-1]['func_name'] == '<module>'):
            trace.pop()
        return {'code': tracer.code, 'trace': trace}

    def release(self):
        """End of a run: drop every object and frame the encoder kept alive."""
        self.keep = None
        self.frame_ids = self.closures = self.zombies = self.extras = None
        self.lambda_closures = self.parents = self.global_funcs = None
        self.tracer = None
        self.trace = []   # already written out: freed now rather than walked by the collection that follows


def _pt_differ(a, b):
    """a != b, as Python Tutor compares values when it looks for a frame's lexical parent (errors count as
    different)."""
    try:
        return bool(a != b)
    except Exception:
        return True


def _pt_name(obj):
    """obj.__name__, or its type's name when it has none."""
    return obj.__name__ if hasattr(obj, '__name__') else _pt_name(type(obj))


def _pt_is_instance(dat):
    """Whether dat is an instance of a class (not a primitive, not a class), as pg_encoder's is_instance."""
    t = type(dat)
    return t not in (int, float, str, bool, type(None)) and isinstance(t, type) and not isinstance(dat, type)


def _pt_reachable_functions(local_vars, cap):
    """Functions reachable from a frame's variables through lists, tuples, sets, dicts and __dict__s, looking at
    the first `cap` items of each (the ones the trace shows)."""
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
            stack.extend(reversed(list(_islice(v, cap))))
        elif t is dict or isinstance(v, type) or _pt_is_instance(v):
            d = v if t is dict else getattr(v, '__dict__', None)
            if d:
                items = []
                for k, val in list(_islice(d.items(), cap)):
                    items.append(k)
                    items.append(val)
                stack.extend(reversed(items))
    return out

