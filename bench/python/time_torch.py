#!/usr/bin/python3
"""Times the seed losses in PyTorch eager, forward + backward, on the benchmark inputs.

Usage: /usr/bin/python3 time_torch.py INPUT_DIR THREADS [REPEATS] [--device DEVICE] [--losses A,B]
       /usr/bin/python3 time_torch.py --list
INPUT_DIR holds LOSS/INPUT.npy as written by org.tornagrad.bench.BenchInputs. Prints one JSON
object: {"threads": T, "torch": VERSION, "device": DEVICE, "ms": {LOSS: median ms of forward +
backward}}. Each repeat makes the differentiated input a fresh leaf, runs the loss and
loss.backward(); three warm-up calls come first. DEVICE defaults to cpu; with another (cuda),
the inputs live there, each timing waits for the device to finish, and a loss whose seed code
cannot run there (boundary's builds its one-hot mask with torch.FloatTensor, on the CPU) is reported under "errors"
instead of "ms". --losses times only the losses named (comma-separated); --list prints the names
of all, one line, in order.
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


def option(argv, name, default, example):
    """Removes `name VALUE` from argv and returns VALUE (default when absent; None when VALUE is missing)."""
    if name not in argv:
        return default
    at = argv.index(name)
    if at + 1 >= len(argv):
        sys.stderr.write("%s: expected %s, got nothing\n" % (name, example))
        return None
    value = argv[at + 1]
    del argv[at:at + 2]
    return value


def main(argv):
    argv = list(argv)
    if argv[1:] == ["--list"]:
        print(" ".join(LOSSES))
        return 0
    device = option(argv, "--device", "cpu", "a device name such as cuda")
    chosen = option(argv, "--losses", ",".join(LOSSES), "loss names such as dice,iou")
    if device is None or chosen is None:
        return 2
    unknown = [n for n in chosen.split(",") if n not in LOSSES]
    if unknown:
        sys.stderr.write("--losses: expected names among %s, got %s\n" % (", ".join(LOSSES), ", ".join(unknown)))
        return 2
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
        if name not in chosen.split(","):
            continue
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
