package org.tornagrad.tornado;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The eager calls queued since the backend last ran a segment, over the callers' arrays, with
 * their data flow: each distinct array (by identity) gets a number in first-use order, and is
 * either an input from outside the segment (first used by a read) or produced inside it.
 *
 * <p>Host inputs are copied when queued (a snapshot): the segment runs later, and the value an op
 * sees must be its argument's value at the call, as on the Java backends.
 */
final class PendingCalls {
    final List<KernelCall> calls = new ArrayList<>();
    /** Every array of the calls, numbered by first use. */
    final List<Object> arrays = new ArrayList<>();
    private final Map<Object, Integer> ids = new IdentityHashMap<>();
    /** Array numbers whose first use reads them: the segment's inputs. */
    final List<Integer> inputs = new ArrayList<>();
    /** Array numbers some call writes: the segment's results, left on the device. */
    final List<Integer> outputs = new ArrayList<>();
    /** The host values of inputs, taken when queued. */
    final Map<Integer, Object> snapshots = new HashMap<>();

    boolean isEmpty() {
        return calls.isEmpty();
    }

    /** Whether some queued call reads or writes {@code array}. */
    boolean uses(Object array) {
        return ids.containsKey(array);
    }

    /**
     * Queues {@code call}. {@code deviceResident} says whether an input array's current value is
     * on the device (then the backend makes its host copy current before the segment runs, and it
     * is not snapshot: nothing on the host may write an array the backend produced).
     */
    void add(KernelCall call, java.util.function.Predicate<Object> deviceResident) {
        for (int s = 0; s < call.slots.length; s++) {
            Object a = call.slots[s];
            Integer id = ids.get(a);
            if (id == null) {
                id = arrays.size();
                ids.put(a, id);
                arrays.add(a);
                if (call.reads(s)) {
                    inputs.add(id);
                    if (!deviceResident.test(a)) {
                        snapshots.put(id, a instanceof int[] ? ((int[]) a).clone() : ((float[]) a).clone());
                    }
                }
            }
            if (call.writes(s) && !outputs.contains(id)) {
                outputs.add(id);
            }
        }
        calls.add(call);
    }

    /** The array numbers of {@code call}'s slots. */
    int[] slotIds(KernelCall call) {
        int[] out = new int[call.slots.length];
        for (int s = 0; s < out.length; s++) {
            out[s] = ids.get(call.slots[s]);
        }
        return out;
    }

    /** Equal for segments that one compiled plan can run: the calls' signatures and how their arrays connect. */
    String signature() {
        StringBuilder sb = new StringBuilder();
        for (KernelCall c : calls) {
            sb.append(c.signature()).append('@').append(java.util.Arrays.toString(slotIds(c))).append('|');
        }
        return sb.toString();
    }
}
