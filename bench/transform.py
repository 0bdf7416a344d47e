#!/usr/bin/env python3
"""The plain command beside --transform log1p and --transform boxcox=auto.

For each data set named (default: favorita, the count panel of
../shared/data: daily transactions per store): `forecast fit TRAIN
--horizon H` plain, with `--transform log1p` and with `--transform
boxcox=auto`, one run each, scored on the held-out data by
bench/defaults.py's score() (WAPE pooled, MASE and sMAPE per series), and
the number of series whose final models stayed on the original scale (the
fit's warning).  Also checks that the plain run's forecasts and model file
are byte-identical to those of a binary given in $FORECAST_BASE (the
commit before --transform log1p/boxcox), when set.

Usage: python3 bench/transform.py [DATASET...]   (names of defaults.py's SETS)
Writes bench/results/transform.md.  Data read in place from $BENCH_DATA.
"""
import filecmp
import gzip
import importlib.util
import os
import re
import shutil
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("defaults", os.path.join(HERE, "defaults.py"))
d = importlib.util.module_from_spec(spec)
spec.loader.exec_module(d)

RUNS = [("plain", []), ("--transform log1p", ["--transform", "log1p"]),
        ("--transform boxcox=auto", ["--transform", "boxcox=auto"])]


def main():
    want = sys.argv[1:] or ["favorita"]
    fc_bin = d.forecast_bin()
    base = os.environ.get("FORECAST_BASE")
    os.makedirs(d.TMP, exist_ok=True)
    out_md = []
    for name, folder, train_name, h, season, m, shown, naive2 in d.SETS:
        if name not in want:
            continue
        src = os.path.join(d.DATA, folder)
        train_src, test_p = os.path.join(src, train_name), os.path.join(src, "test.csv")
        if not (os.path.exists(train_src) and os.path.exists(test_p)):
            print(f"transform: {name} skipped: no {train_src}", file=sys.stderr)
            continue
        train_p = os.path.join(d.TMP, f"transform.{name}.train.csv")
        if train_src.endswith(".gz"):
            with gzip.open(train_src, "rb") as a, open(train_p, "wb") as b:
                shutil.copyfileobj(a, b)
        else:
            shutil.copyfile(train_src, train_p)
        train_vals = d.series_values(d.read_long(train_p))
        test = d.read_long(test_p)
        test = {k: {t: v[t] for t in sorted(v, key=d.sort_key)[:h]} for k, v in test.items()}
        sflag = ["--season", season] if season else []
        rows = []
        for label, extra in RUNS:
            tag = re.sub("[^a-z0-9]+", "_", label).strip("_")
            out = os.path.join(d.TMP, f"transform.{name}.{tag}.csv")
            cmd = [fc_bin, "fit", train_p, "--horizon", str(h)] + sflag + extra + ["-o", out, "--model-out", out + ".model"]
            print(f"transform: {name}: {label}: {' '.join(cmd)}", file=sys.stderr)
            wall, rss = d.run(cmd, out + ".log")
            sc = d.score(train_vals, test, d.read_forecast(out), m, naive2)
            kept = ""
            for line in open(out + ".log"):
                g = re.search(r"(\d+) of (\d+) series modelled on their original scale", line)
                if g:
                    kept = f"{g.group(1)} of {g.group(2)}"
            rows.append((label, sc, wall, rss, kept or ("–" if extra else "")))
            print(f"transform: {name}: {label}: " + ", ".join(f"{k} {d.fmt(sc[k])}" for k in shown), file=sys.stderr)
            if not extra and base:
                bout = os.path.join(d.TMP, f"transform.{name}.base.csv")
                d.run([base, "fit", train_p, "--horizon", str(h)] + sflag + ["-o", bout, "--model-out", bout + ".model"], bout + ".log")
                same = filecmp.cmp(out, bout, shallow=False)
                # the model files differ only in their source path if at all: compare them whole
                same_model = filecmp.cmp(out + ".model", bout + ".model", shallow=False)
                rows[-1] = rows[-1] + (f"forecasts {'identical' if same else 'DIFFER'}, model file {'identical' if same_model else 'DIFFERS'} (vs FORECAST_BASE)",)
        out_md.append((name, h, m, shown, rows))
    write(out_md)


def write(sets):
    lines = ["# Log and Box-Cox scales (`--transform log1p|boxcox`)", "",
             "Written by `python3 bench/transform.py` (one run each; scores as bench/defaults.py's:",
             "WAPE pooled over series and steps, MASE and sMAPE averaged over series).", "",
             f"| | |", "| --- | --- |", f"| date | {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} |",
             f"| machine | {d.machine()} |", f"| commit | {d.commit()} |", ""]
    for name, h, m, shown, rows in sets:
        lines += [f"## {name} (h = {h}; MASE m = {m})", ""]
        lines += ["| run | " + " | ".join(k.upper() if k != "smape" else "sMAPE" for k in shown)
                  + " | wall | peak RSS | series kept on their original scale |",
                  "| --- | " + " | ".join("---" for _ in shown) + " | --- | --- | --- |"]
        notes = []
        for r in rows:
            label, sc, wall, rss, kept = r[:5]
            lines.append(f"| {label} | " + " | ".join(d.fmt(sc[k]) for k in shown)
                         + f" | {wall:.1f} s | {d.fmt(rss, 0)} MiB | {kept} |")
            if len(r) > 5:
                notes.append(f"Plain run: {r[5]}.")
        lines += [""] + notes + [""]
    os.makedirs(d.RESULTS, exist_ok=True)
    path = os.path.join(d.RESULTS, "transform.md")
    with open(path, "w") as f:
        f.write("\n".join(lines))
    print(f"transform: wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
