#!/usr/bin/python3
"""The comparison table of compare-with-pytorch.sh.

Usage: compare_table.py JMH.json TORCH_1.json TORCH_2.json [TRIAD_BEFORE_DICE.json TRIAD_AFTER_DICE.json]
Prints Markdown: per loss, PyTorch forward+backward on 1 and 2 threads (median ms), Tornagrad's
LossBenchmark.forwardBackward per backend (JMH average ms), the speed-up of Tornagrad's best
backend over the faster PyTorch, and for dice its time over the bandwidth floor: the bytes of two
reads of inputs and targets and one write of the gradient, at the STREAM triad bandwidth
(TriadBenchmark; STREAM counts 3 arrays moved). With the two triads taken right before and right
after the JMH run of dice's compiled backend, the floor is taken at their mean bandwidth (the
bandwidth of the seconds it ran in), and the ratio is also given at the highest bandwidth of the whole run (the
strictest floor); without them, at the best thread count of JMH.json's triad.
"""
import json
import sys

LOSSES = ["dice", "bce-dice", "iou", "focal", "active-contour", "boundary", "ccs"]
TRIAD_N = 1 << 24
DICE_ELEMENTS = 8 * 512 * 512


def gb_per_s(triad_ms):
    """STREAM's count: three arrays of TRIAD_N floats moved per call."""
    return 3 * 4 * TRIAD_N / (triad_ms / 1e3) / 1e9


def triad_score(records):
    """The time of the one TriadBenchmark record in a JMH result file."""
    scores = [r["primaryMetric"]["score"] for r in records if r["benchmark"].endswith("TriadBenchmark.triad")]
    if len(scores) != 1:
        raise SystemExit("expected one TriadBenchmark result, got %d" % len(scores))
    return scores[0]


def floor_ms(floor_bytes, gb_s):
    return floor_bytes / (gb_s * 1e9) * 1e3


def main(argv):
    if len(argv) not in (4, 6):
        sys.stderr.write(__doc__)
        return 2
    jmh = json.load(open(argv[1]))
    torch1 = json.load(open(argv[2]))
    torch2 = json.load(open(argv[3]))
    tornagrad = {}
    backends = []
    triad_ms = {}
    for r in jmh:
        name = r["benchmark"].rsplit(".", 1)[-1]
        score = r["primaryMetric"]["score"]
        unit = r["primaryMetric"]["scoreUnit"]
        if unit != "ms/op":
            raise SystemExit("expected ms/op, got %s for %s" % (unit, r["benchmark"]))
        if r["benchmark"].endswith("TriadBenchmark.triad"):
            triad_ms[int(r["params"]["threads"])] = score
        elif name == "forwardBackward":
            b = r["params"]["backend"]
            if b not in backends:
                backends.append(b)
            tornagrad.setdefault(r["params"]["loss"], {})[b] = score
    bandwidth = {t: gb_per_s(ms) for t, ms in triad_ms.items()}
    best_bw = max(bandwidth.values()) if bandwidth else None
    # The triads around dice's compiled run: their bandwidths (2 threads), before and after.
    around_dice = [gb_per_s(triad_score(json.load(open(f)))) for f in argv[4:6]]

    print("| loss | PyTorch 1 thr (ms) | PyTorch 2 thr (ms) | "
          + " | ".join("Tornagrad %s (ms)" % b for b in backends)
          + " | best Tornagrad | speed-up vs faster PyTorch |")
    print("|---|---:|---:|" + "---:|" * len(backends) + "---|---:|")
    for loss in LOSSES:
        t1 = torch1["ms"].get(loss)
        t2 = torch2["ms"].get(loss)
        mine = tornagrad.get(loss, {})
        cells = ["%.2f" % mine[b] if b in mine else "" for b in backends]
        if mine and t1 is not None and t2 is not None:
            best_b = min(mine, key=mine.get)
            speedup = "%.2fx" % (min(t1, t2) / mine[best_b])
        else:
            best_b, speedup = "", ""
        print("| %s | %s | %s | %s | %s | %s |" % (
            loss, "%.2f" % t1 if t1 is not None else "", "%.2f" % t2 if t2 is not None else "",
            " | ".join(cells), best_b, speedup))
    print()
    for t in sorted(bandwidth):
        print("STREAM triad, %d thread(s): %.2f ms, %.1f GB/s" % (t, triad_ms[t], bandwidth[t]))
    floor_bytes = (2 * 2 + 1) * 4 * DICE_ELEMENTS
    if "dice" in tornagrad and (around_dice or best_bw):
        best_b = min(tornagrad["dice"], key=tornagrad["dice"].get)
        ms = tornagrad["dice"][best_b]
        if around_dice:
            print("STREAM triad, 2 threads, right before / right after dice's compiled JMH run: %.1f / %.1f GB/s"
                  % tuple(around_dice))
            bw = sum(around_dice) / len(around_dice)
            where = " (the mean of the triads around dice's compiled run)"
            strictest = max(around_dice + list(bandwidth.values()))
            strict = " (%.2fx at the highest bandwidth of this run, %.1f GB/s)" % (
                ms / floor_ms(floor_bytes, strictest), strictest)
        else:
            bw, where, strict = best_bw, "", ""
        print("dice bandwidth floor: %.1f MB (2 reads of inputs and targets, 1 write of the gradient) at %.1f GB/s%s"
              " = %.2f ms; best Tornagrad (%s) %.2f ms = %.2fx the floor%s"
              % (floor_bytes / 1e6, bw, where, floor_ms(floor_bytes, bw), best_b, ms, ms / floor_ms(floor_bytes, bw), strict))
    print("PyTorch %s (%s threads / %s threads); JMH forwardBackward averages" % (
        torch1.get("torch"), torch1.get("threads"), torch2.get("threads")))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
