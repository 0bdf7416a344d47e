#!/usr/bin/env python3
"""Calibration of the plain command's prediction intervals, old (the members'
bounds averaged by weight) against new (--ensemble-intervals auto|conformal),
on the data sets of ../shared/data that have a test.csv.

For each data set and mode: `forecast fit TRAIN --horizon H [--ensemble-intervals
MODE]`, scored on the first H held-out steps of each series:
  coverage L  share of held-out values inside [lo_L, hi_L], over all series and
              steps (L = 80, 95: the levels fit writes by default)
  MSIS        mean scaled interval score of the 95% interval (Makridakis,
              Spiliotis & Assimakopoulos 2020, "The M4 Competition", IJF 36(1)):
              per series 1/h sum (U - L) + 2/a (L - y) 1{y < L} + 2/a (y - U) 1{y > U},
              a = 0.05, divided by the in-sample seasonal-naive MAE at lag m
              (m as bench/defaults.py scores MASE), then averaged over series
  width       mean scaled width (U - L) / scale of the 95% interval
The point forecasts are the same in every mode (checked); sMAPE and MASE are
shown once.  A row with --ensemble stack shows the stacked ensemble's accuracy
and intervals beside them.  The reading and MASE scaling are bench/defaults.py's.

Usage: bench/intervals.sh [DATASET...] (default: m3_yearly m3_quarterly m3_other;
the other sets of bench/defaults.py are accepted but large).
Writes bench/results/intervals.md.
"""
import csv
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import defaults as D  # noqa: E402

SMALL = ["m3_yearly", "m3_quarterly", "m3_other"]
MODES = [("members (default)", []),
         ("auto", ["--ensemble-intervals", "auto"]),
         ("conformal", ["--ensemble-intervals", "conformal"]),
         ("stack, members", ["--ensemble", "stack"]),
         ("stack, auto", ["--ensemble", "stack", "--ensemble-intervals", "auto"])]
ALPHA = 0.05


def read_bounds(path):
    """{uid: {ds: (forecast, lo80, hi80, lo95, hi95, model)}}"""
    d = {}
    with open(path) as f:
        for r in csv.DictReader(f):
            d.setdefault(r["unique_id"], {})[r["ds"]] = (
                float(r["forecast"]), float(r["lo_80"]), float(r["hi_80"]),
                float(r["lo_95"]), float(r["hi_95"]), r["model"])
    return d


def interval_scores(train_vals, test, fc, m):
    inside = {80: 0, 95: 0}
    total = 0
    msis, width = [], []
    for uid, ys in test.items():
        f = fc.get(uid, {})
        x = [v for v in train_vals.get(uid, []) if not math.isnan(v)]
        diffs = [abs(x[t] - x[t - m]) for t in range(m, len(x))]
        scale = sum(diffs) / len(diffs) if diffs else math.nan
        s, w, n = 0.0, 0.0, 0
        for ds, y in ys.items():
            if math.isnan(y) or ds not in f:
                continue
            _, l80, h80, l95, h95, _ = f[ds]
            inside[80] += l80 <= y <= h80
            inside[95] += l95 <= y <= h95
            total += 1
            s += (h95 - l95) + 2 / ALPHA * (l95 - y) * (y < l95) + 2 / ALPHA * (y - h95) * (y > h95)
            w += h95 - l95
            n += 1
        if n and scale > 0:
            msis.append(s / n / scale)
            width.append(w / n / scale)
    mean = lambda v: sum(v) / len(v) if v else math.nan  # noqa: E731
    return {"cov80": 100 * inside[80] / total if total else math.nan,
            "cov95": 100 * inside[95] / total if total else math.nan,
            "msis": mean(msis), "width": mean(width)}


def main():
    want = sys.argv[1:] or SMALL
    fc_bin = D.forecast_bin()
    os.makedirs(D.TMP, exist_ok=True)
    os.makedirs(D.RESULTS, exist_ok=True)
    rows = []
    for name, folder, train_name, h, season, m, _, naive2 in D.SETS:
        if name not in want:
            continue
        d = os.path.join(D.DATA, folder)
        train_src, test_p = os.path.join(d, train_name), os.path.join(d, "test.csv")
        if not (os.path.exists(train_src) and os.path.exists(test_p)):
            print(f"intervals: {name} skipped", file=sys.stderr)
            continue
        if train_src.endswith(".gz"):  # the program reads plain CSV: a copy in the scratch dir
            plain = os.path.join(D.TMP, f"intervals.{name}.train.csv")
            with D.gzip.open(train_src, "rb") as src, open(plain, "wb") as dst:
                D.shutil.copyfileobj(src, dst)
            train_src = plain
        train_vals = D.series_values(D.read_long(train_src))
        test = D.read_long(test_p)
        test = {k: {t: v[t] for t in sorted(v, key=D.sort_key)[:h]} for k, v in test.items()}
        sflag = ["--season", season] if season else []
        points = None
        for label, flags in MODES:
            tag = label.replace(" (default)", "").replace(", ", "_")
            out = os.path.join(D.TMP, f"intervals.{name}.{tag}.csv")
            cmd = ([fc_bin, "fit", train_src, "--horizon", str(h)] + sflag + flags +
                   ["-o", out, "--model-out", out + ".model"])  # never beside the data
            print(f"intervals: {name}: {' '.join(cmd)}", file=sys.stderr)
            wall, _ = D.run(cmd, out + ".log")
            fc = read_bounds(out)
            pts = {u: {t: v[0] for t, v in s.items()} for u, s in fc.items()}
            if not label.startswith("stack"):
                if points is None:
                    points = pts
                elif pts != points:
                    sys.exit(f"intervals: {name}: {label} changed the point forecasts")
            acc = D.score(train_vals, test, {u: {t: (v[0], v[5]) for t, v in s.items()}
                                             for u, s in fc.items()}, m, naive2)
            sc = interval_scores(train_vals, test, fc, m)
            ens = sum(1 for s in fc.values() if s and next(iter(s.values()))[5] == "ensemble")
            sc.update(smape=acc["smape"], mase=acc["mase"], wall=wall, ens=ens, series=len(fc),
                      cmd=" ".join(["forecast", "fit", os.path.basename(train_src), "--horizon", str(h)]
                                   + sflag + flags))
            print(f"intervals: {name}: {label}: cov80 {D.fmt(sc['cov80'], 1)} cov95 "
                  f"{D.fmt(sc['cov95'], 1)} MSIS {D.fmt(sc['msis'])}", file=sys.stderr)
            rows.append((name, label, sc))
    write(rows)


def write(rows):
    lines = ["# Ensemble prediction intervals: coverage and MSIS (bench/intervals.sh)", "",
             "| | |", "| --- | --- |",
             f"| date | {D.time.strftime('%Y-%m-%d %H:%M UTC', D.time.gmtime())} |",
             f"| machine | {D.machine()} |", f"| commit | {D.commit()} |",
             f"| OMP_NUM_THREADS | {os.environ.get('OMP_NUM_THREADS', 'unset (all CPUs)')} |", "",
             "Nominal coverage: 80 and 95. MSIS: the 95% interval, alpha 0.05, scaled by the in-sample",
             "seasonal-naive MAE (bench/intervals.py). Ensemble series: series whose forecast combines",
             "two or more members (only their bounds differ between modes).", "",
             "| data | intervals | cover 80 | cover 95 | MSIS | width 95 | sMAPE | MASE | ensemble series | s | command |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for name, label, sc in rows:
        lines.append(f"| {name} | {label} | {D.fmt(sc['cov80'], 1)} | {D.fmt(sc['cov95'], 1)} | "
                     f"{D.fmt(sc['msis'])} | {D.fmt(sc['width'])} | {D.fmt(sc['smape'])} | "
                     f"{D.fmt(sc['mase'])} | {sc['ens']}/{sc['series']} | {sc['wall']:.1f} | `{sc['cmd']}` |")
    path = os.path.join(D.RESULTS, "intervals.md")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"intervals: wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
