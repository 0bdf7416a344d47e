#!/usr/bin/python3
"""Data generator and xgboost side of bench/gbdt.sh.

  gbdt_xgb.py gen DIR N_TRAIN N_TEST N_COLS SEED
      writes DIR/{x_train,y_train,x_test,y_test}.f32: raw little-endian
      float32, x column-major (x[c * n + r]) as libforecast's learner takes it.
      y = Friedman #1 on columns 0-4 (Friedman 1991) + 0.5 (x5 + ... + x9)
      + N(0, 1); column 2 is missing (NaN) in 10% of rows; the other columns
      are noise.
  gbdt_xgb.py train DIR N_TREES NUM_LEAVES LEARNING_RATE MAX_BIN NTHREAD
      trains xgboost (tree_method=hist, grow_policy=lossguide, max_leaves,
      lambda 0, min_child_weight 20 = min_data_in_leaf 20 for squared
      error, base_score = mean y) and prints one JSON line: seconds for
      DMatrix + training, seconds of training alone, test RMSE.
Needs the Debian packages python3-xgboost and python3-numpy (/usr/bin/python3).
"""
import json
import os
import sys
import time

import numpy as np


def gen(d, n_train, n_test, p, seed):
    rng = np.random.default_rng(seed)
    os.makedirs(d, exist_ok=True)
    for name, n in (("train", n_train), ("test", n_test)):
        x = rng.random((p, n), dtype=np.float32)  # row c = column c of the matrix
        y = (10 * np.sin(np.pi * x[0] * x[1]) + 20 * (x[2] - 0.5) ** 2 + 10 * x[3] + 5 * x[4]
             + 0.5 * x[5:10].sum(axis=0) + rng.standard_normal(n)).astype(np.float32)
        x[2, rng.random(n) < 0.1] = np.nan
        x.tofile(os.path.join(d, "x_%s.f32" % name))
        y.tofile(os.path.join(d, "y_%s.f32" % name))


def load(d, name):
    y = np.fromfile(os.path.join(d, "y_%s.f32" % name), dtype=np.float32)
    x = np.fromfile(os.path.join(d, "x_%s.f32" % name), dtype=np.float32)
    x = np.ascontiguousarray(x.reshape(-1, y.size).T)
    return x, y


def train(d, n_trees, num_leaves, lr, max_bin, nthread):
    import xgboost as xgb
    x, y = load(d, "train")
    xt, yt = load(d, "test")
    params = {
        "tree_method": "hist", "grow_policy": "lossguide", "max_leaves": num_leaves,
        "max_depth": 0, "max_bin": max_bin, "learning_rate": lr, "reg_lambda": 0.0,
        "min_child_weight": 20.0, "objective": "reg:squarederror",
        "base_score": float(np.mean(y.astype(np.float64))), "nthread": nthread, "seed": 0,
    }
    t0 = time.perf_counter()
    dm = xgb.DMatrix(x, label=y, missing=np.nan, nthread=nthread)
    t1 = time.perf_counter()
    b = xgb.train(params, dm, num_boost_round=n_trees)
    t2 = time.perf_counter()
    pred = b.predict(xgb.DMatrix(xt, missing=np.nan, nthread=nthread))
    rmse = float(np.sqrt(np.mean((yt.astype(np.float64) - pred.astype(np.float64)) ** 2)))
    print(json.dumps({"seconds": t2 - t0, "train_seconds": t2 - t1, "rmse": rmse,
                      "xgboost": xgb.__version__}))


def main():
    a = sys.argv[1:]
    if a and a[0] == "gen" and len(a) == 6:
        gen(a[1], int(a[2]), int(a[3]), int(a[4]), int(a[5]))
    elif a and a[0] == "train" and len(a) == 7:
        train(a[1], int(a[2]), int(a[3]), float(a[4]), int(a[5]), int(a[6]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
