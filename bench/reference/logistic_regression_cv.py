"""The reference head: what a data scientist tries first on given features.

StandardScaler fitted on the training rows, then scikit-learn's LogisticRegressionCV (multinomial,
L2, lbfgs, C from its default grid of 10 values in 1e-4 … 1e4, chosen by stratified 5-fold
cross-validation on the training rows by accuracy, refitted on all of them). Called by
bench/src/head-variants.ts with the very rows Graft's heads see:

    python3 bench/reference/logistic_regression_cv.py <prefix>

reads <prefix>.f32 (rows × dim float32, row-major) and <prefix>.json ({"dim", "labels",
"splits": [{"train": [...], "test": [...]}, ...]}) and prints one JSON object: per split the test
accuracy, the chosen C and the fit's seconds.
"""
import json
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegressionCV
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler

prefix = sys.argv[1]
spec = json.load(open(prefix + ".json"))
features = np.fromfile(prefix + ".f32", dtype=np.float32).reshape(-1, spec["dim"]).astype(np.float64)
labels = np.array(spec["labels"])
results = []
for split in spec["splits"]:
    train, test = np.array(split["train"]), np.array(split["test"])
    started = time.perf_counter()
    scaler = StandardScaler().fit(features[train])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = LogisticRegressionCV(Cs=10, cv=StratifiedKFold(5, shuffle=True, random_state=0), max_iter=5000).fit(scaler.transform(features[train]), labels[train])
    seconds = time.perf_counter() - started
    accuracy = float((model.predict(scaler.transform(features[test])) == labels[test]).mean())
    results.append({"accuracy": accuracy, "C": float(model.C_[0]), "seconds": seconds})
print(json.dumps({"sklearn": sklearn.__version__, "splits": results}))
