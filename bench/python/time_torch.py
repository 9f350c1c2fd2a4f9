#!/usr/bin/python3
"""Times the seed losses in PyTorch eager, forward + backward, on the benchmark inputs.

Usage: /usr/bin/python3 time_torch.py INPUT_DIR THREADS [REPEATS] [--device DEVICE]
INPUT_DIR holds LOSS/INPUT.npy as written by org.tornagrad.bench.BenchInputs. Prints one JSON
object: {"threads": T, "torch": VERSION, "device": DEVICE, "ms": {LOSS: median ms of forward +
backward}}. Each repeat makes the differentiated input a fresh leaf, runs the loss and
loss.backward(); three warm-up calls come first. DEVICE defaults to cpu; with another (cuda),
the inputs live there, each timing waits for the device to finish, and a loss whose seed code
cannot run there (boundary's builds its one-hot mask with torch.FloatTensor, on the CPU) is reported under "errors"
instead of "ms".
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
    argv = list(argv)
    device = "cpu"
    if "--device" in argv:
        at = argv.index("--device")
        if at + 1 >= len(argv):
            sys.stderr.write("--device: expected a device name such as cuda, got nothing\n")
            return 2
        device = argv[at + 1]
        del argv[at:at + 2]
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    root, threads = argv[1], int(argv[2])
    repeats = int(argv[3]) if len(argv) > 3 else 15
    torch.set_num_threads(threads)
    on_cpu = torch.device(device).type == "cpu"
    # Kernels on a GPU run asynchronously: without waiting, a timing would measure the launches.
    wait = (lambda: None) if on_cpu else (lambda: torch.cuda.synchronize(device))
    result = {"threads": torch.get_num_threads(), "torch": torch.__version__, "device": device, "ms": {}}
    for name, (fn, names, diff) in LOSSES.items():
        arrays = {n: torch.from_numpy(np.load(os.path.join(root, name, n + ".npy")).astype(np.float32)).to(device)
                  for n in names}
        times = []
        try:
            for i in range(3 + repeats):
                leaf = arrays[diff].clone().requires_grad_(True)
                args = [leaf if n == diff else arrays[n] for n in names]
                wait()
                start = time.perf_counter()
                loss = fn(*args)
                loss.backward()
                wait()
                elapsed = time.perf_counter() - start
                if i >= 3:
                    times.append(elapsed)
        except RuntimeError as e:
            if on_cpu:
                raise
            result.setdefault("errors", {})[name] = (str(e).splitlines() or [type(e).__name__])[0]
            continue
        times.sort()
        result["ms"][name] = 1e3 * times[len(times) // 2]
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
