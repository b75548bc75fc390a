"""memtrace tracer, module 2 of 4: heap reachability and cycles (loaded after run.py, see tracer-modules.ts).

The native encoder gives every heap object an id that no other object may take while the trace runs, so it must
know the exact step at which each object dies. Objects that can be weakly referenced report their own death (a
weakref callback); the others (list, dict, tuple, ...) are held by the encoder, and this module decides when such an
object is held by nothing but the encoder any more (reference counts, `_collect`).

Objects unreachable from every frame but kept alive by a reference cycle are the other half: `_cycle_garbage` runs
a small mark phase over them (gc.get_referents, reference counts) and `_cycle_members` finds the cycles themselves
(Tarjan's strongly connected components). The diagram shows them as cycle-only until the collector frees them;
while a collection runs, `HeapLiveness._gc_callback` lets go of the encoder's references to cycle members so that the
collector can free them at the same moment it would without tracing, and takes back the ones a finalizer
resurrected.
"""

class HeapLiveness:
    """Liveness bookkeeping of the native encoder's heap ids (mixed into NativeEncoder, which owns the state).

    Uses the encoder's `strong` (heap id -> object held), `weak` (heap id -> weakref), `ids` (id(obj) -> heap id),
    `dead`, `cycle_strong`, `released`, `gc_dying`, `weak_types`, `in_gc`, `gc_epoch` and `cycle_cache`.
    """

    def _collect(self, reachable):
        """Let go of held objects that only the encoder still refers to; returns the heap ids that died."""
        strong = self.strong
        while not strong.keys() <= reachable:   # only objects out of reach can be held by the encoder alone
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
        """Heap ids among `strong` (not in `reachable`) whose objects only the encoder still refers to."""
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
        if self.strong.keys() <= reachable and self.weak.keys() <= reachable:
            unreachable = None   # the common case, found without building the list
        else:
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
        """gc.callbacks hook. At 'start', let go of the held members of garbage cycles so the collector can
        free them; at 'stop', take back the ones that survived (resurrected by a finalizer) and mark the rest dead,
        so heap ids die with their objects, at the step they would without tracing."""
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
