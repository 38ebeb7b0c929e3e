#!/usr/bin/python3
"""Makes the example bundles shipped with Model Bundle Inspector.

Run with Debian's python3 (numpy, h5py, scikit-learn, joblib): /usr/bin/python3 examples/make_examples.py

A small regression network (4 -> 16 -> 8 -> 1, ReLU) is trained with plain numpy (Adam, MSE) on a
synthetic wind-turbine data set, then saved the way Keras 2 saves it, without Keras itself:
- complete-bundle/: model.h5 (full model: model_config + model_weights, Keras 2 HDF5 layout),
  scaler.joblib (MinMaxScaler of the 4 inputs, with feature names), y_scaler.joblib (MinMaxScaler
  of the target), training_log.csv (Keras CSVLogger layout).
- reference/complete-bundle.json: inputs and outputs of the trained network (scaled and in target
  units) and its parameter count, for tests; inputs.csv: the same sample rows, for `predict`.
- missing-scaler/: model.json (to_json) + model_weights.h5 (save_weights layout) + training_log.csv,
  and no scaler: the classic loss this product warns about.
"""
import csv
import json
import os

import h5py
import joblib
import numpy as np
from sklearn.preprocessing import MinMaxScaler

HERE = os.path.dirname(os.path.abspath(__file__))
FEATURES = ["wind_speed", "air_density", "temperature", "pitch_angle"]
KERAS_VERSION = "2.13.1"


def make_data(rng, n):
    wind = rng.uniform(3.0, 25.0, n)
    rho = rng.uniform(1.10, 1.30, n)
    temp = rng.uniform(-10.0, 35.0, n)
    pitch = rng.uniform(0.0, 20.0, n)
    # power in kW: cubic in wind speed up to rated power, reduced by pitch, plus noise
    p = 0.5 * rho * 5000.0 * 0.42 * np.minimum(wind, 13.0) ** 3 / 1000.0
    p *= np.cos(np.radians(pitch)) ** 2
    p *= 1.0 - 0.002 * (temp - 15.0)
    p += rng.normal(0.0, 15.0, n)
    x = np.stack([wind, rho, temp, pitch], axis=1)
    return x, p.reshape(-1, 1)


def forward(params, x):
    h = x
    acts = [h]
    for i, (w, b) in enumerate(params):
        h = h @ w + b
        if i < len(params) - 1:
            h = np.maximum(h, 0.0)
        acts.append(h)
    return h, acts


def train(x, y, xv, yv, rng, epochs=120, lr=3e-3, batch=64):
    sizes = [4, 16, 8, 1]
    params = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        limit = np.sqrt(6.0 / (a + b))  # glorot_uniform, as Keras initialises Dense kernels
        params.append([rng.uniform(-limit, limit, (a, b)), np.zeros(b)])
    m = [[np.zeros_like(w), np.zeros_like(b)] for w, b in params]
    v = [[np.zeros_like(w), np.zeros_like(b)] for w, b in params]
    t = 0
    log = []
    for epoch in range(epochs):
        order = rng.permutation(len(x))
        for s in range(0, len(x), batch):
            idx = order[s : s + batch]
            out, acts = forward(params, x[idx])
            grad = 2.0 * (out - y[idx]) / len(idx)
            t += 1
            for i in reversed(range(len(params))):
                w, b = params[i]
                gw = acts[i].T @ grad
                gb = grad.sum(axis=0)
                if i > 0:
                    grad = (grad @ w.T) * (acts[i] > 0)
                for j, g in enumerate((gw, gb)):
                    m[i][j] = 0.9 * m[i][j] + 0.1 * g
                    v[i][j] = 0.999 * v[i][j] + 0.001 * g * g
                    mh = m[i][j] / (1 - 0.9**t)
                    vh = v[i][j] / (1 - 0.999**t)
                    params[i][j] = params[i][j] - lr * mh / (np.sqrt(vh) + 1e-7)
        p, _ = forward(params, x)
        pv, _ = forward(params, xv)
        log.append(
            {
                "epoch": epoch,
                "loss": float(np.mean((p - y) ** 2)),
                "mae": float(np.mean(np.abs(p - y))),
                "val_loss": float(np.mean((pv - yv) ** 2)),
                "val_mae": float(np.mean(np.abs(pv - yv))),
            }
        )
    return params, log


def dense_config(name, units, activation):
    return {
        "class_name": "Dense",
        "config": {
            "name": name,
            "trainable": True,
            "dtype": "float32",
            "units": units,
            "activation": activation,
            "use_bias": True,
            "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
            "bias_initializer": {"class_name": "Zeros", "config": {}},
            "kernel_regularizer": None,
            "bias_regularizer": None,
            "activity_regularizer": None,
            "kernel_constraint": None,
            "bias_constraint": None,
        },
    }


def model_json():
    layers = [
        {
            "class_name": "InputLayer",
            "config": {"batch_input_shape": [None, 4], "dtype": "float32", "sparse": False, "ragged": False, "name": "dense_input"},
        },
        dense_config("dense", 16, "relu"),
        dense_config("dense_1", 8, "relu"),
        dense_config("dense_2", 1, "linear"),
    ]
    return {
        "class_name": "Sequential",
        "config": {"name": "sequential", "layers": layers},
        "keras_version": KERAS_VERSION,
        "backend": "tensorflow",
    }


def write_layer_groups(g, params):
    names = ["dense", "dense_1", "dense_2"]
    g.attrs["layer_names"] = np.array([n.encode() for n in names])
    g.attrs["backend"] = "tensorflow"
    g.attrs["keras_version"] = KERAS_VERSION
    for name, (w, b) in zip(names, params):
        lg = g.create_group(name)
        lg.attrs["weight_names"] = np.array([f"{name}/kernel:0".encode(), f"{name}/bias:0".encode()])
        sub = lg.create_group(name)
        sub.create_dataset("kernel:0", data=w.astype(np.float32))
        sub.create_dataset("bias:0", data=b.astype(np.float32))


def write_log(path, log):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        keys = sorted(k for k in log[0] if k != "epoch")  # CSVLogger: epoch, then sorted keys
        w.writerow(["epoch"] + keys)
        for row in log:
            w.writerow([row["epoch"]] + [repr(row[k]) for k in keys])


def main():
    rng = np.random.default_rng(20261126)
    x, y = make_data(rng, 2000)
    xv, yv = make_data(rng, 400)
    import pandas as pd  # feature_names_in_ comes from fitting on a DataFrame, as people do

    scaler = MinMaxScaler().fit(pd.DataFrame(x, columns=FEATURES))
    y_scaler = MinMaxScaler().fit(y)
    xs, ys = scaler.transform(pd.DataFrame(x, columns=FEATURES)), y_scaler.transform(y)
    xvs, yvs = scaler.transform(pd.DataFrame(xv, columns=FEATURES)), y_scaler.transform(yv)
    params, log = train(xs, ys, xvs, yvs, rng)
    params32 = [(w.astype(np.float32), b.astype(np.float32)) for w, b in params]

    out = os.path.join(HERE, "complete-bundle")
    os.makedirs(out, exist_ok=True)
    with h5py.File(os.path.join(out, "model.h5"), "w") as f:
        f.attrs["keras_version"] = KERAS_VERSION
        f.attrs["backend"] = "tensorflow"
        f.attrs["model_config"] = json.dumps(model_json())
        write_layer_groups(f.create_group("model_weights"), params32)
    joblib.dump(scaler, os.path.join(out, "scaler.joblib"))
    joblib.dump(y_scaler, os.path.join(out, "y_scaler.joblib"))
    write_log(os.path.join(out, "training_log.csv"), log)

    sample = xv[:5]
    pred, _ = forward([(w.astype(np.float64), b.astype(np.float64)) for w, b in params32], scaler.transform(pd.DataFrame(sample, columns=FEATURES)))
    os.makedirs(os.path.join(HERE, "reference"), exist_ok=True)
    with open(os.path.join(HERE, "reference", "complete-bundle.json"), "w") as f:
        json.dump(
            {
                "features": FEATURES,
                "inputs": sample.tolist(),
                "scaled_inputs": scaler.transform(pd.DataFrame(sample, columns=FEATURES)).tolist(),
                "network_outputs": pred.tolist(),
                "outputs": y_scaler.inverse_transform(pred).tolist(),
                "total_params": int(sum(w.size + b.size for w, b in params32)),
            },
            f,
            indent=1,
        )
    with open(os.path.join(HERE, "inputs.csv"), "w") as f:
        f.write(",".join(FEATURES) + "\n")
        for r in sample:
            f.write(",".join(repr(float(v)) for v in r) + "\n")

    miss = os.path.join(HERE, "missing-scaler")
    os.makedirs(miss, exist_ok=True)
    with open(os.path.join(miss, "model.json"), "w") as f:
        json.dump(model_json(), f)
    with h5py.File(os.path.join(miss, "model_weights.h5"), "w") as f:
        write_layer_groups(f, params32)
    write_log(os.path.join(miss, "training_log.csv"), log)
    print("final val_loss", log[-1]["val_loss"])


if __name__ == "__main__":
    main()
