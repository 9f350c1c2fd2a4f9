#!/usr/bin/python3
"""Times the seed losses in PyTorch CPU eager, forward + backward, on the benchmark inputs.

Usage: /usr/bin/python3 time_torch.py INPUT_DIR THREADS [REPEATS]
INPUT_DIR holds LOSS/INPUT.npy as written by org.tornagrad.bench.BenchInputs. Prints one JSON
object: {"threads": T, "torch": VERSION, "ms": {LOSS: median ms of forward + backward}}.
Each repeat makes the differentiated input a fresh leaf, runs the loss and loss.backward();
three warm-up calls come first.
"""
import json
import os
import sys
import time

import numpy as np
import torch

# The seed snippets live beside the PyTorch oracle of the parity tests: one copy for both.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "losses", "src", "test", "python"))
from seeds import LOSSES  # noqa: E402


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    root, threads = argv[1], int(argv[2])
    repeats = int(argv[3]) if len(argv) > 3 else 15
    torch.set_num_threads(threads)
    result = {"threads": torch.get_num_threads(), "torch": torch.__version__, "ms": {}}
    for name, (fn, names, diff) in LOSSES.items():
        arrays = {n: torch.from_numpy(np.load(os.path.join(root, name, n + ".npy")).astype(np.float32))
                  for n in names}
        times = []
        for i in range(3 + repeats):
            leaf = arrays[diff].clone().requires_grad_(True)
            args = [leaf if n == diff else arrays[n] for n in names]
            start = time.perf_counter()
            loss = fn(*args)
            loss.backward()
            elapsed = time.perf_counter() - start
            if i >= 3:
                times.append(elapsed)
        times.sort()
        result["ms"][name] = 1e3 * times[len(times) // 2]
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
