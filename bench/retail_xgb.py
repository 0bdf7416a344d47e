#!/usr/bin/python3
"""The xgboost reference pipeline of bench/retail_global.sh: train xgboost
(tree_method=hist, lossguide, the learner settings of our gbdt defaults) on
the design matrix that `forecast features` wrote for train + test with every
feature ending at least H steps before its target (--shift H, lags >= H), so
that the rows of the held-out period read nothing from it; predict those
rows; write unique_id,ds,forecast.

usage: retail_xgb.py FEATURES.csv TEST_START OUT.csv
Needs Debian's python3-xgboost and python3-numpy (run with /usr/bin/python3).
"""
import csv
import sys

import numpy as np
import xgboost as xgb

feat_p, test_start, out_p = sys.argv[1], sys.argv[2], sys.argv[3]
with open(feat_p) as f:
    r = csv.reader(f)
    header = next(r)
    rows = list(r)
ti = header.index("ds")
yi = header.index("y")
ids = header.index("unique_id")
# features: everything after the target column (see `forecast features`)
fcols = list(range(yi + 1, len(header)))
X = np.array([[float(v) if v != "" else np.nan for v in (row[c] for c in fcols)] for row in rows],
             dtype=np.float32)
y = np.array([float(row[yi]) for row in rows], dtype=np.float32)
is_test = np.array([row[ti] >= test_start for row in rows])
params = {"tree_method": "hist", "grow_policy": "lossguide", "max_leaves": 31, "max_depth": 0,
          "learning_rate": 0.1, "max_bin": 255, "min_child_weight": 1e-3, "reg_lambda": 0.0,
          "objective": "reg:squarederror", "nthread": 2, "seed": 0}
dtrain = xgb.DMatrix(X[~is_test], label=y[~is_test], missing=np.nan)
model = xgb.train(params, dtrain, num_boost_round=100)
pred = model.predict(xgb.DMatrix(X[is_test], missing=np.nan))
with open(out_p, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["unique_id", "ds", "forecast"])
    k = 0
    for row, t in zip(rows, is_test):
        if t:
            w.writerow([row[ids], row[ti], f"{pred[k]:.6f}"])
            k += 1
