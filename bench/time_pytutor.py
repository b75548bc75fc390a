"""Times Python Tutor's own tracer (pg_logger.py + pg_encoder.py) on programs, in the CPython that runs this file.

Python Tutor's code is not part of this repository: the bench is pointed at a folder that holds it (`--pytutor DIR`
or MEMTRACE_PYTUTOR_DIR). Settings are those of Python Tutor's test driver generate_json_trace.py: cumulative mode
and heap primitives off, no input, no custom modules, a 1000-step limit, the trace written as indented JSON.
Start-up (importing the tracer, and one untimed run of every program, as bench/time_tracer.py does) is outside
the timings.

Input (stdin, JSON): {"dir": folder of pg_logger.py, "programs": name -> code, "runs": N, "out"?: folder}.
Output: JSON {"ok": {"wall": name -> median ms, "cpu": name -> median ms of CPU time}} or {"error": text}. With "out", each program's trace is also written there
as <name>.json (for a check against the conformance references with compare.mjs).
"""
import io
import json
import os
import random
import statistics
import sys
import time
import types


def load_pg_logger(folder):
    """Import pg_logger from `folder`. Its custom modules (web-page helpers not on this machine) are empty modules,
    as with a driver that has none."""
    for name in ('callback_module', 'ttt_module', 'html_module', 'htmlexample_module', 'matrix', 'htmlFrame'):
        sys.modules.setdefault(name, types.ModuleType(name))
    sys.path.insert(0, folder)
    import pg_logger
    pg_logger.MAX_EXECUTED_LINES = 1000
    pg_logger.DEBUG = False   # no traceback printed for a program's uncaught exception
    return pg_logger


def trace_once(pg_logger, code):
    """One run as generate_json_trace.py makes it: a fresh logger; the finalizer writes the trace as JSON text."""
    random.seed(0)   # the driver runs each program in a new process, whose random was seeded at import
    return pg_logger.exec_script_str_local(
        code, None, False, False, lambda src, trace: json.dumps({'code': src, 'trace': trace}, indent=2))


def time_programs(folder, programs, runs, out=None):
    """Median milliseconds per program over `runs` runs: wall time and this process's CPU time."""
    pg_logger = load_pg_logger(folder)
    stdout, stderr = sys.stdout, sys.stderr
    wall, cpu = {}, {}
    try:
        sys.stderr = io.StringIO()   # a program's stray errors stay out of the harness's output
        for code in programs.values():   # untimed, as for memtrace's tracer (bench/time_tracer.py)
            trace_once(pg_logger, code)
            sys.stdout = stdout
        for name, code in programs.items():
            samples, cpu_samples = [], []
            text = None
            for _ in range(runs):
                t0, c0 = time.perf_counter(), time.process_time()
                text = trace_once(pg_logger, code)
                samples.append((time.perf_counter() - t0) * 1000)
                cpu_samples.append((time.process_time() - c0) * 1000)
                sys.stdout = stdout
            wall[name] = statistics.median(samples)
            cpu[name] = statistics.median(cpu_samples)
            if out:
                with open(os.path.join(out, name + '.json'), 'w', encoding='utf-8') as f:
                    f.write(text)
    finally:
        sys.stdout, sys.stderr = stdout, stderr
    return {'wall': wall, 'cpu': cpu}


if __name__ == '__main__':
    spec = json.load(sys.stdin)
    try:
        times = time_programs(spec['dir'], spec['programs'], spec['runs'], spec.get('out'))
        print(json.dumps({'ok': times}))
    except Exception as e:
        print(json.dumps({'error': f'{type(e).__name__}: {e}'}))
