"""Trains the wind-turbine power model. (Demo: this script forgets to save its scaler.)"""
import pandas as pd
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import MinMaxScaler
from tensorflow import keras

FEATURES = ["wind_speed", "air_density", "temperature", "pitch_angle"]

data = pd.read_csv("turbine_measurements.csv")
x_train, x_val, y_train, y_val = train_test_split(data[FEATURES], data[["power_kw"]], test_size=0.2)

scaler = MinMaxScaler()
x_train_scaled = scaler.fit_transform(x_train)
x_val_scaled = scaler.transform(x_val)

model = keras.Sequential(
    [
        keras.layers.Input(shape=(4,)),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(8, activation="relu"),
        keras.layers.Dense(1),
    ]
)
model.compile(optimizer="adam", loss="mse", metrics=["mae"])
model.fit(
    x_train_scaled,
    y_train,
    validation_data=(x_val_scaled, y_val),
    epochs=120,
    callbacks=[keras.callbacks.CSVLogger("training_log.csv")],
)
model.save("model.h5")
