#!/usr/bin/env python3
"""Run a command N times; report wall-clock time and peak resident set size.

Wall time is measured with time.perf_counter() around the child; peak RSS comes
from GNU time (`/usr/bin/time -f %M`, KiB) when it is installed, otherwise from
resource.getrusage(RUSAGE_CHILDREN) (max over children so far, also KiB on
Linux).  CPU time (user + system, all threads) is the children's rusage
difference around the run: steadier than wall time on a shared machine.  The command's stdout goes to --stdout (default /dev/null); its stderr
is kept and shown if it fails.

Prints one line of JSON:
  {"runs": [{"wall_s": .., "cpu_s": .., "rss_kib": .., "rc": 0}, ...],
   "best_wall_s": .., "median_wall_s": .., "max_rss_kib": .., "rc": 0}
and exits with the command's first non-zero exit code (after printing).

Usage: python3 bench/timecmd.py [--runs 3] [--stdout FILE] [--json FILE] -- CMD ARGS...
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

GNU_TIME = "/usr/bin/time"


def run_once(cmd, stdout_path):
    have_gnu_time = os.access(GNU_TIME, os.X_OK)
    with tempfile.NamedTemporaryFile("r", suffix=".rss", delete=False) as rss_file, \
            tempfile.TemporaryFile("w+") as err, \
            open(stdout_path, "w") as out:
        full = [GNU_TIME, "-f", "%M", "-o", rss_file.name] + cmd if have_gnu_time else cmd
        ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run(full, stdout=out, stderr=err)
        wall = time.perf_counter() - t0
        ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
        rss = None
        if have_gnu_time:
            text = open(rss_file.name).read().split()
            # GNU time writes "Command exited with non-zero status N" first on failure
            nums = [t for t in text if t.isdigit()]
            rss = int(nums[-1]) if nums else None
        if rss is None:
            rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        err.seek(0)
        errtext = err.read()
    os.unlink(rss_file.name)
    return {"wall_s": round(wall, 4), "cpu_s": round(cpu, 3), "rss_kib": rss, "rc": proc.returncode}, errtext


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--stdout", default=os.devnull, help="where the command's stdout goes")
    ap.add_argument("--json", help="also write the JSON result to this file")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    cmd = args.cmd[1:] if args.cmd and args.cmd[0] == "--" else args.cmd
    if not cmd:
        ap.error("no command given")
    runs, rc = [], 0
    for _ in range(max(1, args.runs)):
        r, errtext = run_once(cmd, args.stdout)
        runs.append(r)
        if r["rc"] != 0:
            rc = r["rc"]
            sys.stderr.write(f"timecmd: command failed (exit {rc}): {' '.join(cmd)}\n")
            sys.stderr.write(errtext[-4000:])
            break
        if errtext.strip():
            sys.stderr.write(errtext[-2000:])
    walls = [r["wall_s"] for r in runs]
    res = {"runs": runs, "best_wall_s": min(walls),
           "median_wall_s": round(statistics.median(walls), 4),
           "max_rss_kib": max(r["rss_kib"] or 0 for r in runs), "rc": rc}
    line = json.dumps(res)
    print(line)
    if args.json:
        with open(args.json, "w") as f:
            f.write(line + "\n")
    sys.exit(rc)


if __name__ == "__main__":
    main()
