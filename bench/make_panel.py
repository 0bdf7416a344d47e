#!/usr/bin/env python3
"""Generate a large synthetic daily panel `store,item,date,sales` for the benchmarks.

S series (store x item; --items per store, default 100) x D days from --start
(default 2022-01-01), integer unit sales with per-series level (log-uniform,
0.2 .. 400 a day, so low levels give many zeros), a weekly profile with a weekend
peak, a small per-series trend and Poisson noise.  Deterministic for a given
seed.  Rows are written date-major (all series for day 1, then day 2, ...), as a
point-of-sale export would be; --order series writes one series after the other.
--gap-rate P drops that fraction of rows (as missing dates) at random.

--m5 makes an M5-like panel (Makridakis, Spiliotis & Assimakopoulos 2022,
"M5 accuracy competition", IJF 38(4)): 10 stores (--items = series / 10),
lower and more intermittent levels, a price column (a base price per item,
20% off in about one week in ten, when demand rises by about 60%), and
events: every store closed on Christmas Day (sales 0) and demand up about
half on the US events M5 lists most (Super Bowl, Thanksgiving, July 4th,
Easter, Memorial and Labor Day); --events-out writes them as `date,event`.

Speed: values are looked up in precomputed tables of formatted draws (64 level
classes x 7 weekdays x 64 draws), so the generator is a string join per day;
~7.3M rows (100 stores x 100 items x 730 days) take a few seconds.

Usage:
  python3 bench/make_panel.py --series 10000 --days 730 --out /tmp/panel.csv
"""
import argparse
import datetime as dt
import math
import random
import sys

NCLASS = 64          # level classes, log-spaced
NDRAW = 64           # pre-drawn values per (class, weekday)
LO, HI = 0.2, 400.0  # daily mean range
DOW = [0.88, 0.84, 0.9, 0.96, 1.1, 1.36, 1.2]  # Mon..Sun


def poisson(rng, lam):
    if lam < 30.0:
        k, p = 0, math.exp(-lam)
        s, u = p, rng.random()
        while u > s:
            k += 1
            p *= lam / k
            s += p
        return k
    # normal approximation with continuity correction is plenty for a benchmark
    return max(0, int(math.floor(rng.gauss(lam, math.sqrt(lam)) + 0.5)))


def build_tables(rng):
    """table[c][dow] -> list of NDRAW formatted values for level class c."""
    ratio = math.log(HI / LO) / (NCLASS - 1)
    table = []
    for c in range(NCLASS):
        level = LO * math.exp(ratio * c)
        per_dow = []
        for w in range(7):
            lam = level * DOW[w]
            per_dow.append([str(poisson(rng, lam)) for _ in range(NDRAW)])
        table.append(per_dow)
    return table


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--series", type=int, required=True, help="number of series S")
    ap.add_argument("--days", type=int, required=True, help="days per series D")
    ap.add_argument("--out", required=True, help="output CSV ('-' for stdout)")
    ap.add_argument("--items", type=int, default=100, help="items per store (default 100)")
    ap.add_argument("--start", default="2022-01-01", help="first date (ISO)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--order", choices=("date", "series"), default="date")
    ap.add_argument("--gap-rate", type=float, default=0.0,
                    help="fraction of rows to drop as missing dates (default 0)")
    ap.add_argument("--m5", action="store_true", help="M5-like: prices, events, 10 stores")
    ap.add_argument("--events-out", help="with --m5: write the events as date,event")
    args = ap.parse_args()
    if args.series < 1 or args.days < 1 or args.items < 1:
        ap.error("--series, --days and --items must be positive")
    if args.m5:
        return main_m5(args)

    rng = random.Random(args.seed)
    table = build_tables(rng)
    items = min(args.items, args.series)
    stores = (args.series + items - 1) // items
    sw, iw = len(str(stores)), len(str(items))
    prefixes, cls0, trend = [], [], []
    for k in range(args.series):
        s, i = divmod(k, items)
        prefixes.append(f"S{s + 1:0{sw}d},I{i + 1:0{iw}d},")
        cls0.append(rng.randrange(NCLASS - 4))
        trend.append(rng.choice((-2, -1, 0, 0, 1, 2, 3)))  # classes over the span
    start = dt.date.fromisoformat(args.start)
    dates = [(start + dt.timedelta(days=d)) for d in range(args.days)]
    iso = [d.isoformat() for d in dates]
    dows = [d.weekday() for d in dates]
    span = max(1, args.days - 1)
    gap_keep = None
    if args.gap_rate > 0.0:
        grng = random.Random(args.seed + 1)
        gap_keep = lambda: grng.random() >= args.gap_rate  # noqa: E731

    def cls_at(k, d):
        c = cls0[k] + (trend[k] * d) // span
        return 0 if c < 0 else (NCLASS - 1 if c >= NCLASS else c)

    out = sys.stdout if args.out == "-" else open(args.out, "w", buffering=1 << 22,
                                                  newline="\n", encoding="ascii")
    rows = 0
    try:
        out.write("store,item,date,sales\n")
        if args.order == "date":
            for d in range(args.days):
                date_s, w = iso[d], dows[d]
                h = (d * 2654435761) & 0xFFFFFFFF
                vals = [table[cls_at(k, d)][w][((h + k * 40503) >> 7) & (NDRAW - 1)]
                        for k in range(args.series)]
                if gap_keep is None:
                    out.write("".join([p + date_s + "," + v + "\n"
                                       for p, v in zip(prefixes, vals)]))
                    rows += args.series
                else:
                    lines = [p + date_s + "," + v + "\n"
                             for p, v in zip(prefixes, vals) if gap_keep()]
                    out.write("".join(lines))
                    rows += len(lines)
        else:
            for k in range(args.series):
                p = prefixes[k]
                lines = []
                for d in range(args.days):
                    if gap_keep is not None and not gap_keep():
                        continue
                    h = (d * 2654435761) & 0xFFFFFFFF
                    v = table[cls_at(k, d)][dows[d]][((h + k * 40503) >> 7) & (NDRAW - 1)]
                    lines.append(p + iso[d] + "," + v + "\n")
                out.write("".join(lines))
                rows += len(lines)
    finally:
        if out is not sys.stdout:
            out.close()
    print(f"make_panel: wrote {rows} rows ({args.series} series x {args.days} days"
          f"{', gaps' if gap_keep else ''}) to {args.out}", file=sys.stderr)


def us_events(years):
    """{date: name} of the events main_m5 raises demand on (and Christmas)."""
    ev = {}
    for y in years:
        def nth(month, weekday, n):  # n-th weekday of the month; n = -1: last
            if n > 0:
                d = dt.date(y, month, 1)
                d += dt.timedelta(days=(weekday - d.weekday()) % 7 + 7 * (n - 1))
                return d
            d = dt.date(y, month + 1, 1) - dt.timedelta(days=1) if month < 12 else dt.date(y, 12, 31)
            return d - dt.timedelta(days=(d.weekday() - weekday) % 7)
        a = y % 19; b, c = divmod(y, 100); d_, e = divmod(b, 4)  # Easter (Anonymous Gregorian)
        f = (b + 8) // 25; g = (b - f + 1) // 3; h = (19 * a + b - d_ - g + 15) % 30
        i, k = divmod(c, 4); l = (32 + 2 * e + 2 * i - h - k) % 7; m = (a + 11 * h + 22 * l) // 451
        em, ed = divmod(h + l - 7 * m + 114, 31)
        ev[dt.date(y, em, ed + 1)] = "Easter"
        ev[nth(2, 6, 1)] = "SuperBowl"
        ev[dt.date(y, 7, 4)] = "IndependenceDay"
        ev[nth(5, 0, -1)] = "MemorialDay"
        ev[nth(9, 0, 1)] = "LaborDay"
        ev[nth(11, 3, 4)] = "Thanksgiving"
        ev[dt.date(y, 12, 25)] = "Christmas"
    return ev


def main_m5(args):
    rng = random.Random(args.seed)
    table = build_tables(rng)
    stores = 10 if args.series >= 10 else 1
    items = (args.series + stores - 1) // stores
    start = dt.date.fromisoformat(args.start)
    dates = [start + dt.timedelta(days=d) for d in range(args.days)]
    events = us_events(range(start.year, dates[-1].year + 1))
    keys, cls0, trend, price = [], [], [], []
    for k in range(args.series):
        s, i = divmod(k, items)
        keys.append(f"S{s + 1:02d},I{i + 1:05d},")
        cls0.append(min(NCLASS - 10, int(rng.expovariate(1 / 14.0))))  # mostly low levels
        trend.append(rng.choice((-2, -1, 0, 0, 1, 2, 3)))
        price.append(round(math.exp(rng.uniform(math.log(0.5), math.log(20))), 2))
    span = max(1, args.days - 1)
    out = sys.stdout if args.out == "-" else open(args.out, "w", buffering=1 << 22,
                                                  newline="\n", encoding="ascii")
    rows = 0
    try:
        out.write("store,item,date,sales,price\n")
        for d, day in enumerate(dates):
            iso, w, week = day.isoformat(), day.weekday(), d // 7
            ev = events.get(day)
            h = (d * 2654435761) & 0xFFFFFFFF
            lines = []
            for k in range(args.series):
                promo = ((week * 7919 + k * 104729) % 10) == 0
                c = cls0[k] + (trend[k] * d) // span + (4 if promo else 0) + (3 if ev else 0)
                c = 0 if c < 0 else (NCLASS - 1 if c >= NCLASS else c)
                v = "0" if ev == "Christmas" else table[c][w][((h + k * 40503) >> 7) & (NDRAW - 1)]
                p = price[k] * (0.8 if promo else 1.0)
                lines.append(f"{keys[k]}{iso},{v},{p:.2f}\n")
            out.write("".join(lines))
            rows += len(lines)
    finally:
        if out is not sys.stdout:
            out.close()
    if args.events_out:
        with open(args.events_out, "w", encoding="ascii") as f:
            f.write("date,event\n")
            for day in sorted(events):
                if dates[0] <= day <= dates[-1]:
                    f.write(f"{day.isoformat()},{events[day]}\n")
    print(f"make_panel: wrote {rows} rows ({args.series} series x {args.days} days, M5-like) "
          f"to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
