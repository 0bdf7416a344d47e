#!/usr/bin/env python3
"""The plain command on every data set of ../shared/data, beside the simple answers.

For each data set: `forecast fit TRAIN --horizon H` (plus `--season` only where
`ds` is an integer step, as a user must then say it), timed (wall, peak RSS) and
scored on the held-out data as the data's source scores it; its leaderboard's
seconds per candidate (where the time goes); then seasonal naive alone and each
main kind alone (`--models K --folds 1`) scored the same way, so that the plain
row stands beside seasonal naive (with the frequency's period, untested; naive
for yearly and "other" data) and the best single kind of the same run.

Metrics (per series, then averaged over series, as M3/M4 do; WAPE pooled):
  sMAPE  = 200/h sum |y - f| / (|y| + |f|)                      (M4 definition)
  MASE   = MAE / in-sample seasonal-naive MAE at lag m (whole train series)
  OWA    = (sMAPE / sMAPE_Naive2 + MASE / MASE_Naive2) / 2, with the published
           Naive2 figures (M4 only; Makridakis, Spiliotis & Assimakopoulos 2020,
           IJF 36(1), Table 4 / the M4 "Evaluation and Ranks" sheet)
  WAPE   = 100 sum |y - f| / sum |y| over all series and steps (retail panels)

Usage: bench/defaults.sh [--kinds ets,theta,...] [--skip-kinds] [DATASET...]
Writes bench/results/defaults.md.  Data read in place from $BENCH_DATA.
"""
import argparse
import collections
import csv
import gzip
import json
import math
import os
import re
import shutil
import subprocess
import sys
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH_DIR)
DATA = os.environ.get("BENCH_DATA", os.path.join(REPO, "..", "shared", "data"))
TMP = os.environ.get("BENCH_TMP", "/tmp/forecast-bench")
RESULTS = os.environ.get("RESULTS_DIR", os.path.join(BENCH_DIR, "results"))

# name, folder, train file, horizon, --season (integer steps only), MASE m,
# metrics shown, Naive2 sMAPE/MASE (M4) or None
SETS = [
    ("m4_hourly", "m4_hourly", "train.csv", 48, "24,168", 24, ("owa", "smape", "mase"), (18.383, 2.395)),
    ("m4_weekly", "m4_weekly", "train.csv.gz", 13, "52", 1, ("owa", "smape", "mase"), (9.161, 2.777)),
    ("m3_yearly", "m3_yearly", "train.csv", 6, None, 1, ("smape", "mase"), None),
    ("m3_quarterly", "m3_quarterly", "train.csv", 8, None, 4, ("smape", "mase"), None),
    ("m3_monthly", "m3_monthly", "train.csv", 18, None, 12, ("smape", "mase"), None),
    ("m3_other", "m3_other", "train.csv", 8, None, 1, ("smape", "mase"), None),
    ("walmart", "walmart_store_dept", "train.csv.gz", 39, None, 52, ("wape", "mase"), None),
    ("favorita", "favorita_transactions", "train.csv", 16, None, 7, ("wape", "mase"), None),
    ("ett_h1", "ett_h1", "train.csv", 96, None, 24, ("wape", "mase", "smape"), None),
]
KINDS = ["ets", "theta", "dotm", "stl", "arima", "gbdt"]
# labelled rows beside the plain one: the plain command with one tuning flag
TUNED = [("--ensemble-by series", ["--ensemble-by", "series"]),
         ("--ensemble-by panel", ["--ensemble-by", "panel"])]


def forecast_bin():
    f = os.environ.get("FORECAST")
    for c in ([f] if f else []) + [os.path.join(REPO, "build", "forecast"), os.path.join(REPO, "forecast")]:
        if c and os.access(c, os.X_OK):
            return os.path.abspath(c)
    sys.exit("defaults: no forecast binary (build it: sh scripts/setup.sh, or set FORECAST)")


def read_long(path):
    """{unique_id: {ds: y}} and the ordered train values per id."""
    op = gzip.open if path.endswith(".gz") else open
    d = collections.defaultdict(dict)
    with op(path, "rt") as f:
        for r in csv.DictReader(f):
            d[r["unique_id"]][r["ds"]] = float(r["y"]) if r["y"] not in ("", "NA") else math.nan
    return d


def series_values(d):
    return {k: [v[t] for t in sorted(v, key=sort_key)] for k, v in d.items()}


def sort_key(t):
    return (0, int(t)) if re.fullmatch(r"-?\d+", t) else (1, t)


def read_forecast(path):
    d = collections.defaultdict(dict)
    with open(path) as f:
        for r in csv.DictReader(f):
            d[r["unique_id"]][r["ds"]] = (float(r["forecast"]), r.get("model", ""))
    return d


def score(train_vals, test, fc, m, naive2):
    smapes, mases = [], []
    abs_err = abs_y = 0.0
    missing = 0
    for uid, ys in test.items():
        f = fc.get(uid, {})
        x = [v for v in train_vals.get(uid, []) if not math.isnan(v)]
        diffs = [abs(x[t] - x[t - m]) for t in range(m, len(x))]
        scale = sum(diffs) / len(diffs) if diffs else math.nan
        e, s = [], []
        for ds, y in ys.items():
            if math.isnan(y):
                continue
            if ds not in f:
                missing += 1
                continue
            p = f[ds][0]
            e.append(abs(y - p))
            s.append(0.0 if y == p == 0 else 200 * abs(y - p) / (abs(y) + abs(p)))
            abs_err += abs(y - p)
            abs_y += abs(y)
        if e:
            smapes.append(sum(s) / len(s))
            if scale > 0:
                mases.append(sum(e) / len(e) / scale)
    out = {
        "smape": sum(smapes) / len(smapes) if smapes else math.nan,
        "mase": sum(mases) / len(mases) if mases else math.nan,
        "wape": 100 * abs_err / abs_y if abs_y else math.nan,
        "missing": missing,
        "series": len(smapes),
    }
    out["owa"] = 0.5 * (out["smape"] / naive2[0] + out["mase"] / naive2[1]) if naive2 else math.nan
    return out


def run(cmd, log):
    """Runs cmd; wall seconds and peak RSS (MiB, GNU time)."""
    tfile = log + ".rss"
    full = ["/usr/bin/time", "-f", "%M", "-o", tfile] + cmd if os.access("/usr/bin/time", os.X_OK) else cmd
    t0 = time.perf_counter()
    with open(log, "w") as out:
        rc = subprocess.run(full, stdout=out, stderr=subprocess.STDOUT).returncode
    wall = time.perf_counter() - t0
    rss = math.nan
    try:
        rss = int(open(tfile).read().split()[-1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    if rc:
        sys.stderr.write(open(log).read()[-2000:])
        raise RuntimeError(f"forecast failed ({rc}): {' '.join(cmd)}")
    return wall, rss


def leaderboard_seconds(log):
    """{kind: seconds} from the printed leaderboard."""
    secs, header = {}, None
    for line in open(log):
        cols = line.split()
        if cols and cols[0] == "model" and "seconds" in cols:
            header = cols
            continue
        if header and len(cols) == len(header) and re.fullmatch(r"[a-z_]+", cols[0]):
            secs[cols[0]] = float(cols[header.index("seconds")])
    return secs


def fmt(v, nd=3):
    return "–" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.{nd}f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sets", nargs="*")
    ap.add_argument("--kinds", default=",".join(KINDS))
    ap.add_argument("--skip-kinds", action="store_true", help="only the plain and snaive rows")
    args = ap.parse_args()
    fc_bin = forecast_bin()
    os.makedirs(TMP, exist_ok=True)
    os.makedirs(RESULTS, exist_ok=True)
    want = args.sets or [s[0] for s in SETS]
    kinds = [] if args.skip_kinds else [k for k in args.kinds.split(",") if k]
    rows = []
    for name, folder, train_name, h, season, m, shown, naive2 in SETS:
        if name not in want:
            continue
        d = os.path.join(DATA, folder)
        train_src, test_p = os.path.join(d, train_name), os.path.join(d, "test.csv")
        if not (os.path.exists(train_src) and os.path.exists(test_p)):
            print(f"defaults: {name} skipped: no {train_src}", file=sys.stderr)
            continue
        train_p = os.path.join(TMP, f"defaults.{name}.train.csv")
        if train_src.endswith(".gz"):
            with gzip.open(train_src, "rb") as src, open(train_p, "wb") as dst:
                shutil.copyfileobj(src, dst)
        else:
            shutil.copyfile(train_src, train_p)
        train_vals = series_values(read_long(train_p))
        test = read_long(test_p)
        # the first h held-out steps of each series (ETTh1's test segment is longer)
        test = {k: {t: v[t] for t in sorted(v, key=sort_key)[:h]} for k, v in test.items()}
        sflag = ["--season", season] if season else []
        plans = [("plain", sflag, None)]
        plans += [(label, sflag + flags, None) for label, flags in TUNED]
        # seasonal naive with the frequency's period untested (naive where
        # the data have none), as the M competitions' benchmark is
        base = "naive" if name in ("m3_yearly", "m3_other") else "snaive"
        keep = [] if season else ["--keep-seasons"]
        plans.append(("snaive", sflag + keep + ["--models", base, "--folds", "1"], None))
        plans += [(k, sflag + ["--models", k, "--folds", "1"], None) for k in kinds]
        res = {}
        for label, extra, _ in plans:
            out = os.path.join(TMP, f"defaults.{name}.{re.sub('[^a-z0-9]+', '_', label).strip('_')}.csv")
            log = out + ".log"
            cmd = [fc_bin, "fit", train_p, "--horizon", str(h)] + extra + ["-o", out, "--model-out", out + ".model"]
            print(f"defaults: {name}: {label}: {' '.join(cmd)}", file=sys.stderr)
            wall, rss = run(cmd, log)
            fc = read_forecast(out)
            sc = score(train_vals, test, fc, m, naive2)
            sc.update(wall=wall, rss=rss)
            if label == "plain":
                sc["seconds"] = leaderboard_seconds(log)
                chosen = collections.Counter()
                for uid, steps in fc.items():
                    if steps:
                        chosen[next(iter(steps.values()))[1]] += 1
                sc["chosen"] = chosen
                sc["cmd"] = ["forecast", "fit", os.path.basename(train_src).replace(".gz", ""), "--horizon", str(h)] + sflag
            res[label] = sc
            print(f"defaults: {name}: {label}: " + ", ".join(f"{k} {fmt(sc[k])}" for k in shown)
                  + f", {wall:.1f} s", file=sys.stderr)
        rows.append((name, h, season, m, shown, res))
    write_results(rows, kinds)


def commit():
    try:
        c = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", REPO, "diff", "--quiet", "HEAD", "--"]).returncode
        return c + (" (+ uncommitted changes)" if dirty else "")
    except OSError:
        return "unknown"


def machine():
    model = "unknown CPU"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return f"nproc {os.cpu_count()}, {model}"


def write_results(rows, kinds):
    primary = {"owa": "OWA", "smape": "sMAPE", "mase": "MASE", "wape": "WAPE"}
    lines = ["# The plain command on every data set (bench/defaults.sh)", "",
             "| | |", "| --- | --- |",
             f"| date | {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} |",
             f"| machine | {machine()} |", f"| commit | {commit()} |",
             f"| OMP_NUM_THREADS | {os.environ.get('OMP_NUM_THREADS', 'unset (all CPUs)')} |", "",
             "Headline: `forecast fit TRAIN --horizon H` (with `--season` only where `ds` is an integer step).",
             "Beside it: the plain command with one tuning flag (labelled), seasonal naive alone and each",
             "main kind alone (`--models K --folds 1`), scored on",
             "the same held-out data; **bold** marks the best of the single kinds. Metrics per bench/defaults.py.",
             ""]
    for name, h, season, m, shown, res in rows:
        plain = res["plain"]
        lines.append(f"## {name} (h = {h}{', --season ' + season if season else ''}; MASE m = {m})")
        lines.append("")
        lines.append(f"`{' '.join(plain['cmd'])}`: wall {plain['wall']:.1f} s, peak RSS {plain['rss']:.0f} MiB; "
                     f"{plain['series']} series scored, {plain['missing']} held-out values without a forecast.")
        lines.append("")
        key = shown[0]
        singles = [k for k in kinds if k in res]
        best = min(singles + ["snaive"], key=lambda k: res[k][key] if not math.isnan(res[k][key]) else math.inf) if singles else None
        hdr = "| run | " + " | ".join(primary[k] for k in shown) + " | wall | peak RSS |"
        lines += [hdr, "|" + " --- |" * (len(shown) + 3)]
        for label in ["plain"] + [t[0] for t in TUNED] + ["snaive"] + singles:
            r = res[label]
            name_cell = ("**plain command**" if label == "plain" else
                         f"plain + `{label}` (tuning)" if label.startswith("--") else
                         f"**{label}** (best single)" if label == best else label)
            lines.append(f"| {name_cell} | " + " | ".join(fmt(r[k]) for k in shown)
                         + f" | {r['wall']:.1f} s | {r['rss']:.0f} MiB |")
        lines.append("")
        secs = plain["seconds"]
        tot = sum(secs.values()) or 1
        lines.append("Time in the plain run per candidate (CPU seconds, all threads): "
                     + ", ".join(f"{k} {v:.1f}" for k, v in sorted(secs.items(), key=lambda kv: -kv[1]) if v >= 0.05)
                     + f" (total {tot:.1f}).")
        lines.append("Models chosen: " + ", ".join(f"{k} {v}" for k, v in plain["chosen"].most_common()) + ".")
        lines.append("")
    path = os.path.join(RESULTS, "defaults.md")
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(lines))
    os.replace(tmp, path)
    print("\n".join(lines))
    print(f"(written to {os.path.relpath(path, REPO)})")


if __name__ == "__main__":
    main()
