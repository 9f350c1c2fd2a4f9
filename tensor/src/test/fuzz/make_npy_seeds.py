#!/usr/bin/python3
"""Writes the seed corpus of NpyFuzzTest (run from the repository root; needs NumPy).

Usage: /usr/bin/python3 tensor/src/test/fuzz/make_npy_seeds.py

The seeds are committed; this script says where each came from. Valid files come from np.save
(every dtype the reader supports, both byte orders, Fortran order, format versions 1.0-3.0, empty
and 0-d arrays, special values); invalid ones are hand-made variations of a valid header that each
probe one check of the reader (a fuzzer mutates them much further). Crashing inputs found by
fuzzing are added to the same folder by Jazzer (crash-<sha1>) and kept as regression seeds.
"""
import io
import os
import struct

import numpy as np

OUT = "tensor/src/test/resources/org/tornagrad/tensor/NpyFuzzTestInputs/readsAnyBytesAsATensorOrAClearError"


def saved(array, version=None):
    buf = io.BytesIO()
    if version is None:
        np.save(buf, array, allow_pickle=False)
    else:
        np.lib.format.write_array(buf, array, version=version, allow_pickle=False)
    return buf.getvalue()


def v1(header, data=b"", pad=True):
    """A format 1.0 file with the given header text (padded as np.save pads it) and data."""
    h = header.encode("latin-1")
    if pad:
        total = 10 + len(h) + 1
        h += b" " * ((64 - total % 64) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h + data


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(7)
    seeds = {}
    # Valid: every supported dtype and byte order, C and Fortran order.
    for code in ("f4", "f8", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8"):
        for order in ("<", ">"):
            if code[1] == "1" and order == ">":
                continue
            a = (rng.standard_normal((2, 3)) * 50).astype(order + code)
            seeds["valid_%s_%s" % ({"<": "le", ">": "be"}[order], code)] = saved(a)
    seeds["valid_bool"] = saved(np.array([[True, False], [False, True]]))
    seeds["valid_fortran_f4_2x3x4"] = saved(np.asfortranarray(rng.standard_normal((2, 3, 4)).astype("<f4")))
    seeds["valid_scalar_0d"] = saved(np.float32(3.5).reshape(()))
    seeds["valid_empty_0x3"] = saved(np.zeros((0, 3), "<f4"))
    seeds["valid_special_values"] = saved(np.array([np.nan, np.inf, -np.inf, -0.0, 1e-45, 3.4e38], "<f4"))
    seeds["valid_f8_overflows_f4"] = saved(np.array([1e300, -1e300, 1e-300], "<f8"))
    seeds["valid_u8_large"] = saved(np.array([2**64 - 1, 2**63 + 1, 16777217], "<u8"))
    seeds["valid_version_2"] = saved(np.arange(4, dtype="<f4"), version=(2, 0))
    seeds["valid_version_3"] = saved(np.arange(4, dtype="<f4"), version=(3, 0))
    # Invalid: one check each.
    good = saved(np.arange(6, dtype="<f4").reshape(2, 3))
    data6 = np.arange(6, dtype="<f4").tobytes()
    seeds["bad_empty_file"] = b""
    seeds["bad_magic"] = b"\x93NUMPZ" + good[6:]
    seeds["bad_version_4"] = good[:6] + b"\x04\x00" + good[8:]
    seeds["bad_truncated_in_header"] = good[:40]
    seeds["bad_truncated_data"] = good[:-5]
    seeds["bad_trailing_bytes"] = good + b"\x00\x00\x00\x00"
    seeds["bad_header_length_beyond_file"] = good[:8] + b"\xff\xff" + good[10:80]
    seeds["bad_huge_shape"] = v1("{'descr': '<f4', 'fortran_order': False, 'shape': (2147483647, 2147483647, 2147483647), }", data6)
    seeds["bad_shape_2_pow_62"] = v1("{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904,), }", data6)
    seeds["bad_negative_dim"] = v1("{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 6), }", data6)
    seeds["bad_float_dim"] = v1("{'descr': '<f4', 'fortran_order': False, 'shape': (6.0,), }", data6)
    seeds["bad_nested_shape"] = v1("{'descr': '<f4', 'fortran_order': False, 'shape': ((((((6,),),),),),), }", data6)
    seeds["bad_one_element_tuple_without_comma"] = v1("{'descr': '<f4', 'fortran_order': False, 'shape': (6), }", data6)
    seeds["bad_missing_key"] = v1("{'descr': '<f4', 'shape': (6,), }", data6)
    seeds["bad_extra_key"] = v1("{'descr': '<f4', 'fortran_order': False, 'shape': (6,), 'x': 1, }", data6)
    seeds["bad_duplicate_key"] = v1("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (6,), }", data6)
    seeds["bad_dtype_complex"] = v1("{'descr': '<c8', 'fortran_order': False, 'shape': (3,), }", data6)
    seeds["bad_dtype_object"] = v1("{'descr': '|O', 'fortran_order': False, 'shape': (6,), }", data6)
    seeds["bad_dtype_structured"] = v1("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (6,), }", data6)
    seeds["bad_unterminated_string"] = v1("{'descr': '<f4, 'fortran_order': False, 'shape': (6,), }", data6)
    seeds["bad_fortran_order_int"] = v1("{'descr': '<f4', 'fortran_order': 0, 'shape': (6,), }", data6)
    seeds["ok_python2_long_and_double_quotes"] = v1('{"descr": "<f4", "fortran_order": False, "shape": (2L, 3L), }', data6)
    seeds["bad_header_not_a_dict"] = v1("[1, 2, 3]", data6)
    seeds["bad_version_3_invalid_utf8"] = b"\x93NUMPY\x03\x00" + struct.pack("<I", 4) + b"{\xff\xfe}"
    for name, content in sorted(seeds.items()):
        with open(os.path.join(OUT, name), "wb") as fh:
            fh.write(content)
    print("wrote %d seeds to %s" % (len(seeds), OUT))


if __name__ == "__main__":
    main()
