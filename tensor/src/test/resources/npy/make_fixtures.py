#!/usr/bin/env python3
"""Writes the .npy fixtures NpyTest reads, with real NumPy.

Run from this folder: python3 make_fixtures.py

For every fixture NAME.npy it also writes expected/NAME.npy: the same array converted with
NumPy's astype(float32) and saved C-contiguous as '<f4' (format 1.0), which is what
Npy.read must return for NAME.npy.
"""
import os
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
os.makedirs(os.path.join(HERE, "expected"), exist_ok=True)

F8_VALUES = [0.1, 1.0 / 3.0, 1e40, -1e40, 1e-50, 1.0 + 2.0**-24 + 2.0**-50,
             3.4028235677973366e38, float("nan"), -0.0]
I8_VALUES = [2**63 - 1, -2**63, 2**24 + 1, 2**53 + 1, 2**60 + 2**36 + 1, -5]

FIXTURES = {
    "f4_le_2x3": np.array([[-1.5, 0.0, 2.25], [3.0, -4.125, 1e-3]], dtype="<f4"),
    "f4_be_2x3": np.array([[-1.5, 0.0, 2.25], [3.0, -4.125, 1e-3]], dtype=">f4"),
    "f4_special_6": np.array([np.inf, -np.inf, np.nan, -0.0, 1e-45, 3.4028235e38], dtype="<f4"),
    "f4_1d_5": np.arange(5, dtype="<f4"),
    "f8_le_9": np.array(F8_VALUES, dtype="<f8"),
    "f8_be_3x3": np.array(F8_VALUES, dtype=">f8").reshape(3, 3),
    "i4_le_2x3": np.array([[-2**31, 2**31 - 1, 0], [-1, 2**24 + 1, 123]], dtype="<i4"),
    "i4_be_2x3": np.array([[-2**31, 2**31 - 1, 0], [-1, 2**24 + 1, 123]], dtype=">i4"),
    "i8_le_6": np.array(I8_VALUES, dtype="<i8"),
    "i8_be_3x2": np.array(I8_VALUES, dtype=">i8").reshape(3, 2),
    "i1_5": np.array([-128, -1, 0, 1, 127], dtype="i1"),
    "i2_be_4": np.array([-32768, -1, 300, 32767], dtype=">i2"),
    "u1_6": np.array([0, 1, 127, 128, 254, 255], dtype="u1"),
    "u2_le_3": np.array([0, 40000, 65535], dtype="<u2"),
    "u4_be_3": np.array([0, 2**32 - 1, 2**24 + 1], dtype=">u4"),
    "u8_le_4": np.array([0, 2**64 - 1, 2**63 + 2**39 + 1, 2**24 + 3], dtype="<u8"),
    "b1_2x2": np.array([[True, False], [False, True]], dtype="|b1"),
    "fortran_f4_2x3": np.asfortranarray(np.arange(6, dtype="<f4").reshape(2, 3)),
    "fortran_f8_be_2x3x4": np.asfortranarray(np.arange(24, dtype=">f8").reshape(2, 3, 4) - 7.5),
    "scalar_0d": np.array(3.25, dtype="<f4"),
    "empty_0x3": np.zeros((0, 3), dtype="<f4"),
    "empty_i8_be_2x0": np.zeros((2, 0), dtype=">i8"),
}

VERSIONED = {
    "v2_f4_2x2": ((2, 0), np.array([[1.0, -2.0], [0.5, 8.0]], dtype="<f4")),
    "v3_f8_be_3": ((3, 0), np.array([1.0, 0.1, -2.5], dtype=">f8")),
}


def save(path, arr, version=None):
    with open(path, "wb") as f:
        np.lib.format.write_array(f, arr, version=version, allow_pickle=False)


for name, arr in list(FIXTURES.items()) + [(n, a) for n, (_, a) in VERSIONED.items()]:
    version = VERSIONED[name][0] if name in VERSIONED else None
    save(os.path.join(HERE, name + ".npy"), arr, version)
    with np.errstate(over="ignore"):  # float64 1e40 -> inf is the point of the fixture
        expected = arr.astype("<f4", order="C")  # (np.ascontiguousarray would make a 0-d array 1-d)
    save(os.path.join(HERE, "expected", name + ".npy"), expected, (1, 0))

# The fortran fixtures must really be stored column-major.
assert np.load(os.path.join(HERE, "expected", "scalar_0d.npy")).shape == ()
for name in ("fortran_f4_2x3", "fortran_f8_be_2x3x4"):
    with open(os.path.join(HERE, name + ".npy"), "rb") as f:
        np.lib.format.read_magic(f)
        _, fortran, _ = np.lib.format.read_array_header_1_0(f)
        assert fortran, name
print("wrote", len(FIXTURES) + len(VERSIONED), "fixtures with numpy", np.__version__)
