#!/usr/bin/env python3
"""Fits the polynomial of BlockMath.expFast: e^r = 1 + r + r^2 Q(r) on |r| <= ln2/2.

Q has degree 4 (BlockMath.EP0 .. EP4, highest power first). The fit minimises the largest
relative error of p = 1 + r + r^2 Q(r), that is |r^2 (Q(r) - g(r))| / e^r with
g(r) = (e^r - 1 - r) / r^2, by Lawson's algorithm (least squares reweighted by the error until
the weights settle on the extremal points, which converges to the weighted minimax fit) on
Chebyshev nodes, then prints the coefficients rounded to float, as BlockMath holds them, with the
relative error they give. Needs numpy. Usage: python3 compiler/fit_exp_polynomial.py [DEGREE]
"""
import sys

import numpy as np


def fit(degree, nodes=20001, rounds=400):
    # Slightly past ln2/2: r = v - k ln2 can land a rounding beyond it.
    half = np.log(2) / 2 * 1.0005
    r = np.cos(np.linspace(0, np.pi, nodes)) * half
    small = np.abs(r) < 1e-4
    safe = np.where(small, 1.0, r)
    # Near 0, (e^r - 1 - r) / r^2 cancels; its series is exact enough there.
    g = np.where(small, 0.5 + r / 6 + r * r / 24 + r ** 3 / 120, (np.expm1(safe) - safe) / (safe * safe))
    weight = r * r / np.exp(r)  # an error e in Q is an error r^2 e in p, relative to e^r
    powers = np.vander(r, degree + 1)
    u = np.full(nodes, 1.0 / nodes)
    for _ in range(rounds):
        w = np.sqrt(u) * weight
        q, *_ = np.linalg.lstsq(powers * w[:, None], g * w, rcond=None)
        err = np.abs((powers @ q - g) * weight)
        u = u * err
        u /= u.sum()
    as_float = q.astype(np.float32)
    err_float = np.max(np.abs((powers @ as_float.astype(np.float64) - g) * weight))
    return as_float, err_float


def main(argv):
    degree = int(argv[1]) if len(argv) > 1 else 4
    q, err = fit(degree)
    for i, c in enumerate(q):
        print("    static final float EP%d = %.10ef;" % (i, c))
    print("// largest relative error of p with these float coefficients: %.2e" % err)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
