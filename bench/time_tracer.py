"""Times the tracer's run_trace on programs, in whichever Python runs this file (Pyodide or a native CPython).

Both interpreters run this same harness, so the ratio compares the tracer and nothing else.
Input (globals or argv): TRACER_SOURCE (the tracer's modules joined in load order, tracer-modules.ts), PROGRAMS (name -> code), RUNS. Output: JSON name -> median ms, or an error.
"""
import json
import statistics
import sys
import time


def time_programs(tracer_source, programs, runs):
    ns = {"__name__": "memtrace_tracer"}
    exec(compile(tracer_source, "memtrace-tracer", "exec"), ns)
    run_trace = ns["run_trace"]
    # Every limit explicit, as the runtime passes them (defaults.ts): the tracer has no fallbacks.
    options = json.dumps({"maxSteps": 1000, "timeoutMs": 10000, "maxOutputChars": 10000, "maxContainerItems": 100,
                          "maxFrames": 40})
    out = {}
    for name, code in programs.items():
        samples = []
        for _ in range(runs):
            t0 = time.perf_counter()
            run_trace(code, options)
            samples.append((time.perf_counter() - t0) * 1000)
        out[name] = statistics.median(samples)
    return out


if __name__ == "__main__":
    spec = json.load(sys.stdin)
    try:
        print(json.dumps({"ok": time_programs(spec["tracer"], spec["programs"], spec["runs"])}))
    except Exception as e:  # an older CPython may not run a tracer written for 3.14
        print(json.dumps({"error": f"{type(e).__name__}: {e}"}))
