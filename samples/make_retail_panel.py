#!/usr/bin/env python3
"""Generate samples/retail_daily.csv: a synthetic but realistic daily retail panel.

4 stores x 6 items = 24 series of integer unit sales, 2023-01-01 .. 2024-12-31,
long format `store,item,date,sales`, rows in date-major order (date, store, item).

The latent mean of every (store, item, day) is multiplicative:

    mu = base(item) * store(store) * trend(store, t) * weekly(item, dow)
         * yearly(item, day of year) * holiday(item, date) * lifecycle(item, date)

and sales are drawn from a negative binomial (gamma-Poisson mixture) with that
mean, so counts are over-dispersed like real point-of-sale data.  Two items are
intermittent slow movers (demand occurs on few days, 1-3 units at a time).

Features a forecaster should cope with:
  * store and item level effects, a mild store-specific trend (one store declines);
  * weekly seasonality with weekend peaks, amplitude per item;
  * a smooth annual cycle peaking in mid-December (cold_brew also peaks in summer);
  * US holidays: Thanksgiving (4th Thursday of November) and the day before,
    Black Friday, Christmas Eve, New Year's Eve, July 4th (and the 3rd),
    Memorial Day and Labor Day weekends; Christmas Day closed (rows present,
    sales 0) and January 1st near zero (short opening hours);
  * product life cycle: cold_brew launched 2023-06-15 (2023-06-22 in store S4)
    and umbrella launched 2023-07-10, both with a ramp-up; coffee discontinued
    after 2024-09-30 with a sell-off decline over its last three weeks (no rows
    before a launch or after the discontinuation);
  * gaps (rows absent): S2/milk 2024-03-11..15 (dairy aisle closed for
    renovation), S1/coffee 2023-11-06..08 and S4/bread 2023-08-09 and
    2023-10-17 (point-of-sale export failures).

Python 3 standard library only; the seed is fixed, so the output is identical on
every run and platform (random.Random is a Mersenne Twister; all arithmetic is
IEEE double).

Usage: python3 samples/make_retail_panel.py [--out samples/retail_daily.csv] [--seed 20230101]
"""
import argparse
import datetime as dt
import io
import math
import os
import random

STORES = ["S1", "S2", "S3", "S4"]
# store level (multiplier) and yearly trend (fractional growth per year)
STORE_LEVEL = {"S1": 1.35, "S2": 1.0, "S3": 0.8, "S4": 0.55}
STORE_TREND = {"S1": 0.04, "S2": 0.02, "S3": -0.03, "S4": 0.06}

ITEMS = ["bread", "milk", "coffee", "cold_brew", "batteries", "umbrella"]
# base daily units in a level-1.0 store (for intermittent items: probability
# that a demand occurs on an average day)
ITEM_BASE = {"bread": 55.0, "milk": 70.0, "coffee": 16.0, "cold_brew": 22.0,
             "batteries": 0.16, "umbrella": 0.10}
INTERMITTENT = {"batteries", "umbrella"}
# weekly amplitude: exponent applied to the common day-of-week profile
ITEM_WEEKLY = {"bread": 1.0, "milk": 0.6, "coffee": 0.4, "cold_brew": 1.3,
               "batteries": 0.5, "umbrella": 0.3}
# annual-cycle amplitude (log scale, December peak)
ITEM_YEARLY = {"bread": 0.15, "milk": 0.09, "coffee": 0.16, "cold_brew": 0.05,
               "batteries": 0.35, "umbrella": 0.0}
# sensitivity to holiday effects (exponent on the holiday multiplier)
ITEM_HOLIDAY = {"bread": 1.0, "milk": 0.9, "coffee": 0.8, "cold_brew": 0.7,
                "batteries": 1.2, "umbrella": 0.3}
# negative-binomial shape (larger = closer to Poisson)
ITEM_SHAPE = {"bread": 30.0, "milk": 40.0, "coffee": 12.0, "cold_brew": 8.0}

# Monday .. Sunday, weekend peak
DOW_PROFILE = [0.86, 0.82, 0.88, 0.95, 1.12, 1.38, 1.22]

START = dt.date(2023, 1, 1)
END = dt.date(2024, 12, 31)

# (store, item) -> (first date, last date) of the series; default: START..END
LAUNCH = {("S1", "cold_brew"): dt.date(2023, 6, 15),
          ("S2", "cold_brew"): dt.date(2023, 6, 15),
          ("S3", "cold_brew"): dt.date(2023, 6, 15),
          ("S4", "cold_brew"): dt.date(2023, 6, 22)}
for _s in STORES:
    LAUNCH[(_s, "umbrella")] = dt.date(2023, 7, 10)
DISCONTINUED = {(_s, "coffee"): dt.date(2024, 9, 30) for _s in STORES}


def _days(first, last):
    return {first + dt.timedelta(days=i) for i in range((last - first).days + 1)}


GAPS = {("S2", "milk"): _days(dt.date(2024, 3, 11), dt.date(2024, 3, 15)),
        ("S1", "coffee"): _days(dt.date(2023, 11, 6), dt.date(2023, 11, 8)),
        ("S4", "bread"): {dt.date(2023, 8, 9), dt.date(2023, 10, 17)}}


def nth_weekday(year, month, weekday, n):
    """n-th (1-based) given weekday (Mon=0) of a month; n=-1 for the last one."""
    if n > 0:
        first = dt.date(year, month, 1)
        return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    last = nxt - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def holiday_table(years):
    """date -> (name, multiplier) for the US retail calendar used here."""
    h = {}
    for y in years:
        thanksgiving = nth_weekday(y, 11, 3, 4)
        memorial = nth_weekday(y, 5, 0, -1)
        labor = nth_weekday(y, 9, 0, 1)
        h[dt.date(y, 1, 1)] = ("new_year", 0.08)
        h[dt.date(y, 1, 2)] = ("new_year_after", 0.85)
        h[memorial - dt.timedelta(days=2)] = ("memorial_weekend", 1.15)
        h[memorial] = ("memorial_day", 1.25)
        h[dt.date(y, 7, 3)] = ("july_3", 1.25)
        h[dt.date(y, 7, 4)] = ("independence_day", 1.55)
        h[labor - dt.timedelta(days=2)] = ("labor_weekend", 1.12)
        h[labor] = ("labor_day", 1.2)
        h[thanksgiving - dt.timedelta(days=1)] = ("thanksgiving_eve", 1.5)
        h[thanksgiving] = ("thanksgiving", 1.8)
        h[thanksgiving + dt.timedelta(days=1)] = ("black_friday", 1.7)
        h[dt.date(y, 12, 23)] = ("dec_23", 1.3)
        h[dt.date(y, 12, 24)] = ("christmas_eve", 1.9)
        h[dt.date(y, 12, 25)] = ("christmas", 0.0)  # closed
        h[dt.date(y, 12, 31)] = ("new_years_eve", 1.35)
    return h


def poisson(rng, lam):
    """Poisson variate: inversion for small means, PTRS (Hoermann 1993) otherwise."""
    if lam <= 0.0:
        return 0
    if lam < 10.0:
        k, p = 0, math.exp(-lam)
        s, u = p, rng.random()
        while u > s:
            k += 1
            p *= lam / k
            s += p
            if k > 1000:
                break
        return k
    slam = math.sqrt(lam)
    loglam = math.log(lam)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    inv_alpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2)
    while True:
        u = rng.random() - 0.5
        v = rng.random()
        us = 0.5 - abs(u)
        k = int(math.floor((2 * a / us + b) * u + lam + 0.43))
        if us >= 0.07 and v <= vr:
            return k
        if k < 0 or (us < 0.013 and v > us):
            continue
        if (math.log(v) + math.log(inv_alpha) - math.log(a / (us * us) + b)
                <= -lam + k * loglam - math.lgamma(k + 1)):
            return k


def neg_binomial(rng, mu, shape):
    """Gamma-Poisson mixture with mean mu and variance mu + mu^2/shape."""
    if mu <= 0.0:
        return 0
    return poisson(rng, rng.gammavariate(shape, mu / shape))


def lifecycle(key, date):
    """Multiplier for ramp-up after a launch and sell-off before a delisting."""
    m = 1.0
    launch = LAUNCH.get(key)
    if launch is not None:
        age = (date - launch).days
        m *= 1.0 - 0.85 * math.exp(-age / 25.0)
        if age < 7:
            m *= 1.3  # launch promotion
    end = DISCONTINUED.get(key)
    if end is not None:
        left = (end - date).days
        if left < 21:
            m *= 0.25 + 0.75 * left / 21.0
    return m


def generate(seed):
    rng = random.Random(seed)
    holidays = holiday_table(range(START.year, END.year + 1))
    # a fixed per-series weekly-profile wobble and noise so series are not clones
    wobble = {(s, i): [math.exp(rng.gauss(0.0, 0.04)) for _ in range(7)]
              for s in STORES for i in ITEMS}
    out = io.StringIO()
    out.write("store,item,date,sales\n")
    ndays = (END - START).days + 1
    for d in range(ndays):
        date = START + dt.timedelta(days=d)
        iso = date.isoformat()
        dow = date.weekday()
        doy = date.timetuple().tm_yday
        years = d / 365.25
        # annual cycle, peak around 15 December (day 349)
        annual = math.cos(2.0 * math.pi * (doy - 349) / 365.25)
        summer = math.cos(2.0 * math.pi * (doy - 196) / 365.25)  # mid-July
        hname, hmult = holidays.get(date, (None, 1.0))
        for s in STORES:
            trend = (1.0 + STORE_TREND[s]) ** years
            for i in ITEMS:
                key = (s, i)
                first = LAUNCH.get(key, START)
                last = DISCONTINUED.get(key, END)
                # draw even for absent rows, so each series' stream does not
                # depend on which other rows exist
                sub = random.Random(rng.getrandbits(64))
                if date < first or date > last or date in GAPS.get(key, ()):
                    continue
                weekly = (DOW_PROFILE[dow] ** ITEM_WEEKLY[i]) * wobble[key][dow]
                yearly = math.exp(ITEM_YEARLY[i] * annual)
                if i == "cold_brew":
                    yearly *= math.exp(0.45 * summer)
                if i == "umbrella":  # rainy spring and autumn
                    yearly *= math.exp(0.5 * math.cos(4.0 * math.pi * (doy - 105) / 365.25))
                hol = hmult ** ITEM_HOLIDAY[i] if hmult > 0.0 else 0.0
                if i == "batteries" and hname == "black_friday":
                    hol *= 2.0
                mu = (ITEM_BASE[i] * STORE_LEVEL[s] * trend * weekly * yearly
                      * hol * lifecycle(key, date))
                if i in INTERMITTENT:
                    p = min(mu, 0.95)
                    if sub.random() < p:
                        r = sub.random()
                        sales = 1 if r < 0.62 else (2 if r < 0.9 else 3)
                    else:
                        sales = 0
                else:
                    sales = neg_binomial(sub, mu, ITEM_SHAPE[i])
                out.write(f"{s},{i},{iso},{sales}\n")
    return out.getvalue()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(here, "retail_daily.csv"))
    ap.add_argument("--seed", type=int, default=20230101)
    args = ap.parse_args()
    text = generate(args.seed)
    with open(args.out, "w", newline="\n", encoding="ascii") as f:
        f.write(text)


if __name__ == "__main__":
    main()
