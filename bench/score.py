#!/usr/bin/env python3
"""Score a `forecast fit` output against held-out data with the M4 metrics.

Inputs are long CSVs.  train/test: `unique_id,ds,y` (names configurable).  The
forecast file has the group columns, the time column under its input name, then
`forecast`, `lo_80`, `hi_80`, `lo_95`, `hi_95`, `model`; columns are found by
name, so extra or reordered columns are fine.

Metrics, per series, then averaged over series (as in M4):
  sMAPE = 200/h * sum |y - f| / (|y| + |f|)            (a 0/0 term counts as 0)
  MASE  = mean |y - f| / (1/(n-m) * sum_{t=m+1..n} |x_t - x_{t-m}|)
          with the in-sample seasonal-naive MAE over the whole train series x
  OWA   = (sMAPE / sMAPE_Naive2 + MASE / MASE_Naive2) / 2 from the averages.
and, when the interval columns are there, coverage of the 80 % and 95 %
intervals and MSIS (M4, alpha = 0.05, same scale as MASE).

References: Makridakis, Spiliotis & Assimakopoulos (2020), "The M4 Competition:
100,000 time series and 61 forecasting methods", IJF 36(1) 54-74 (metric
definitions, section 2; Naive2 for M4 Hourly: sMAPE 18.383, MASE 2.395, Table 4).

Usage:
  python3 bench/score.py --train train.csv --test test.csv --forecast fc.csv \\
      [--season 24] [--naive2-smape 18.383 --naive2-mase 2.395] [--json OUT]
Exit status: 0 ok, 1 if series or points are missing from the forecast (unless
--allow-missing), 2 on usage or unreadable input.
"""
import argparse
import collections
import csv
import json
import math
import sys

NAIVE2_M4_HOURLY = (18.383, 2.395)  # sMAPE, MASE (M4 paper, Table 4)


def norm_time(s):
    """Normalize a time stamp so '701', '701.0' and ' 701' match."""
    s = s.strip()
    try:
        v = float(s)
        if math.isfinite(v) and v == int(v):
            return str(int(v))
        return repr(v)
    except ValueError:
        return s


def time_sort_key(t):
    try:
        return (0, float(t), "")
    except ValueError:
        return (1, 0.0, t)


def parse_float(s):
    s = s.strip()
    if s == "" or s.lower() in ("na", "nan", "null"):
        return math.nan
    return float(s)


def read_long(path, id_cols, time_col, y_col):
    """-> {key: [(time, y), ...] sorted by time}"""
    out = collections.defaultdict(list)
    with open(path, newline="") as f:
        r = csv.DictReader(f)
        missing = [c for c in id_cols + [time_col, y_col] if c not in (r.fieldnames or [])]
        if missing:
            raise SystemExit(f"score.py: {path}: missing column(s) {', '.join(missing)}; "
                             f"header is {r.fieldnames}")
        for row in r:
            key = tuple(row[c] for c in id_cols)
            out[key].append((norm_time(row[time_col]), parse_float(row[y_col])))
    for v in out.values():
        v.sort(key=lambda p: time_sort_key(p[0]))
    return out


def read_forecast(path, id_cols, time_col, value_col):
    with open(path, newline="") as f:
        r = csv.DictReader(f)
        names = r.fieldnames or []
        missing = [c for c in id_cols + [time_col, value_col] if c not in names]
        if missing:
            raise SystemExit(f"score.py: {path}: missing column(s) {', '.join(missing)}; "
                             f"header is {names}")
        levels = sorted(int(c[3:]) for c in names
                        if c.startswith("lo_") and c[3:].isdigit() and f"hi_{c[3:]}" in names)
        fc = {}
        for row in r:
            key = tuple(row[c] for c in id_cols)
            t = norm_time(row[time_col])
            rec = {"f": parse_float(row[value_col]),
                   "model": row.get("model", "")}
            for lv in levels:
                rec[lv] = (parse_float(row[f"lo_{lv}"]), parse_float(row[f"hi_{lv}"]))
            fc[(key, t)] = rec
    return fc, levels


def seasonal_scale(x, m):
    x = [v for v in x if not math.isnan(v)]
    if len(x) <= m:
        return math.nan
    return sum(abs(x[t] - x[t - m]) for t in range(m, len(x))) / (len(x) - m)


def score(train, test, fc, levels, m):
    per = []
    missing_series, missing_points, nan_points, zero_scale = [], 0, 0, []
    models = collections.Counter()
    cover = {lv: [0, 0] for lv in levels}
    for key in sorted(test):
        obs = [(t, y) for t, y in test[key] if not math.isnan(y)]
        recs = [fc.get((key, t)) for t, _ in obs]
        if all(r is None for r in recs):
            missing_series.append(key)
            continue
        missing_points += sum(r is None for r in recs)
        pairs = [(y, r) for (_, y), r in zip(obs, recs) if r is not None]
        nan_points += sum(math.isnan(r["f"]) for _, r in pairs)
        pairs = [(y, r) for y, r in pairs if not math.isnan(r["f"])]
        if not pairs:
            missing_series.append(key)
            continue
        h = len(pairs)
        smape = 200.0 / h * sum(0.0 if abs(y) + abs(r["f"]) == 0 else
                                abs(y - r["f"]) / (abs(y) + abs(r["f"])) for y, r in pairs)
        mae = sum(abs(y - r["f"]) for y, r in pairs) / h
        scale = seasonal_scale([y for _, y in train.get(key, [])], m)
        rec = {"key": key, "h": h, "smape": smape, "mae": mae}
        if scale > 0 and math.isfinite(scale):
            rec["mase"] = mae / scale
            if 95 in levels:
                a = 0.05
                s = 0.0
                for y, r in pairs:
                    lo, hi = r[95]
                    s += (hi - lo) + (2 / a) * (lo - y) * (y < lo) + (2 / a) * (y - hi) * (y > hi)
                rec["msis"] = s / h / scale
        else:
            zero_scale.append(key)
        for lv in levels:
            for y, r in pairs:
                lo, hi = r[lv]
                if not (math.isnan(lo) or math.isnan(hi)):
                    cover[lv][0] += lo <= y <= hi
                    cover[lv][1] += 1
        models[next((r["model"] for _, r in pairs if r["model"]), "")] += 1
        per.append(rec)
    return per, missing_series, missing_points, nan_points, zero_scale, models, cover


def mean(xs):
    xs = [x for x in xs if x is not None and math.isfinite(x)]
    return sum(xs) / len(xs) if xs else math.nan


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--train", required=True)
    ap.add_argument("--test", required=True)
    ap.add_argument("--forecast", required=True)
    ap.add_argument("--season", type=int, default=24, help="m for the MASE scale (default 24)")
    ap.add_argument("--id", default="unique_id", help="group column(s), comma-separated")
    ap.add_argument("--time", default="ds")
    ap.add_argument("--target", default="y")
    ap.add_argument("--value", default="forecast", help="point-forecast column")
    ap.add_argument("--naive2-smape", type=float, default=NAIVE2_M4_HOURLY[0])
    ap.add_argument("--naive2-mase", type=float, default=NAIVE2_M4_HOURLY[1])
    ap.add_argument("--allow-missing", action="store_true")
    ap.add_argument("--json", help="write the summary as JSON here")
    ap.add_argument("--per-series", help="write per-series sMAPE/MASE CSV here")
    args = ap.parse_args()
    ids = [c for c in args.id.split(",") if c]
    try:
        train = read_long(args.train, ids, args.time, args.target)
        test = read_long(args.test, ids, args.time, args.target)
        fc, levels = read_forecast(args.forecast, ids, args.time, args.value)
    except (OSError, ValueError, csv.Error) as e:
        print(f"score.py: {e}", file=sys.stderr)
        return 2
    per, miss_s, miss_p, nan_p, zero_scale, models, cover = score(
        train, test, fc, levels, args.season)
    smape = mean([p["smape"] for p in per])
    mase = mean([p.get("mase") for p in per])
    owa = 0.5 * (smape / args.naive2_smape + mase / args.naive2_mase)
    summary = {
        "forecast": args.forecast, "season": args.season,
        "series_in_test": len(test), "series_scored": len(per),
        "series_missing": len(miss_s), "points_missing": miss_p, "points_nan": nan_p,
        "series_zero_scale": len(zero_scale),
        "smape": round(smape, 4), "mase": round(mase, 4), "owa": round(owa, 4),
        "naive2": {"smape": args.naive2_smape, "mase": args.naive2_mase},
        "msis_95": round(mean([p.get("msis") for p in per]), 4) if 95 in levels else None,
        "coverage": {str(lv): round(100.0 * c[0] / c[1], 2) if c[1] else None
                     for lv, c in cover.items()},
        "models": dict(models.most_common()),
    }
    print(f"{args.forecast}: {len(per)}/{len(test)} series scored; "
          f"sMAPE {smape:.3f}  MASE {mase:.3f}  OWA {owa:.3f} "
          f"(vs Naive2 sMAPE {args.naive2_smape}, MASE {args.naive2_mase})")
    if levels:
        print("  interval coverage: " + ", ".join(
            f"{lv}%: {summary['coverage'][str(lv)]}" for lv in levels)
              + (f"; MSIS(95) {summary['msis_95']:.3f}" if summary["msis_95"] is not None else ""))
    if models:
        print("  models: " + ", ".join(f"{k or '?'} {v}" for k, v in models.most_common()))
    if miss_s or miss_p or nan_p or zero_scale:
        print(f"  WARNING: {len(miss_s)} series and {miss_p} points missing, {nan_p} NaN "
              f"forecasts, {len(zero_scale)} series with zero MASE scale (left out of MASE)",
              file=sys.stderr)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(summary, f, indent=1)
            f.write("\n")
    if args.per_series:
        with open(args.per_series, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(ids + ["h", "smape", "mase"])
            for p in per:
                w.writerow(list(p["key"]) + [p["h"], f"{p['smape']:.6g}",
                                             f"{p['mase']:.6g}" if "mase" in p else ""])
    if (miss_s or miss_p) and not args.allow_missing:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
