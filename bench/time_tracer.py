"""Times the tracer's run_trace on programs, in whichever Python runs this file (Pyodide or a native CPython).

Both interpreters run this same harness, so the ratio compares the tracer and nothing else.
Input (globals or argv): TRACER_SOURCE (the tracer's modules joined in load order, tracer-modules.ts), PROGRAMS (name -> code), RUNS. Output: JSON
{"wall": name -> median ms, "cpu": name -> median ms of CPU time}, or an error. CPU time is the process's (Node's
process.cpuUsage() under Pyodide, time.process_time() in CPython): on a machine shared with other work it moves far
less than wall time.
"""
import json
import statistics
import sys
import time


def cpu_clock():
    """A CPU-time clock in seconds: the Node process's under Pyodide, this process's in CPython."""
    try:
        from js import process   # Pyodide in Node
    except ImportError:
        return time.process_time

    def node_cpu():
        """User + system CPU seconds of the Node process."""
        used = process.cpuUsage()
        return (used.user + used.system) / 1e6
    return node_cpu


def time_programs(tracer_source, programs, runs):
    ns = {"__name__": "memtrace_tracer"}
    exec(compile(tracer_source, "memtrace-tracer", "exec"), ns)
    run_trace = ns["run_trace"]
    cpu = cpu_clock()
    # Every limit explicit, as the runtime passes them (defaults.ts): the tracer has no fallbacks.
    options = json.dumps({"maxSteps": 1000, "timeoutMs": 10000, "maxOutputChars": 10000, "maxContainerItems": 100,
                          "maxFrames": 40})
    wall, cpu_ms = {}, {}
    # Start-up, untimed: every program is traced once first. Under Pyodide this is when V8 compiles the
    # interpreter's hot WebAssembly to optimized code, which a build pays once for all its blocks.
    for code in programs.values():
        run_trace(code, options)
    for name, code in programs.items():
        samples, cpu_samples = [], []
        for _ in range(runs):
            t0, c0 = time.perf_counter(), cpu()
            run_trace(code, options)
            samples.append((time.perf_counter() - t0) * 1000)
            cpu_samples.append((cpu() - c0) * 1000)
        wall[name] = statistics.median(samples)
        cpu_ms[name] = statistics.median(cpu_samples)
    return {"wall": wall, "cpu": cpu_ms}


if __name__ == "__main__":
    spec = json.load(sys.stdin)
    try:
        print(json.dumps({"ok": time_programs(spec["tracer"], spec["programs"], spec["runs"])}))
    except Exception as e:  # an older CPython may not run a tracer written for 3.14
        print(json.dumps({"error": f"{type(e).__name__}: {e}"}))
