package org.tornagrad.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the .npy reader: for any bytes, {@link Npy#read} returns a correct tensor or throws an
 * IllegalArgumentException that starts with the source's name; nothing else (no other exception,
 * no OutOfMemoryError from a header that claims a huge shape, no allocation out of proportion to
 * the input). "Correct" is checked against {@link Oracle}, an independent decoder written from the
 * format's description, and the file path ({@link Npy#read(Path)}) must agree bit for bit with
 * the in-memory one.
 *
 * <p>Regression mode (every {@code mvn verify}) runs the committed seeds in
 * {@code src/test/resources/org/tornagrad/tensor/NpyFuzzTestInputs/readsAnyBytesAsATensorOrAClearError/}
 * (made by {@code src/test/fuzz/make_npy_seeds.py}, plus the crashing inputs fuzzing found); fuzzing
 * mode: {@code JAZZER_FUZZ=1 mvn -B test -pl tensor -Dtest=NpyFuzzTest#readsAnyBytesAsATensorOrAClearError}
 * (see docs/robustness.md).
 */
class NpyFuzzTest {
    static final String SEEDS =
        "src/test/resources/org/tornagrad/tensor/NpyFuzzTestInputs/readsAnyBytesAsATensorOrAClearError";
    private static final String NAME = "fuzz.npy";
    /**
     * Allowed allocation: a few copies of the input (header string, values, a Fortran reorder)
     * plus a fixed amount. A reader that believed a header's shape would allocate gigabytes here.
     */
    private static final long ALLOCATION_PER_INPUT_BYTE = 32;
    private static final long ALLOCATION_FIXED = 8L << 20;
    /**
     * No read may take a second (inputs are at most a few KiB; a read takes microseconds). A JUnit
     * {@code @Timeout} would also stop the whole fuzzing run, which is one long invocation.
     */
    private static final long MAX_NANOS = 1_000_000_000L;

    private static final ThreadLocal<Path> FILE = ThreadLocal.withInitial(() -> {
        try {
            Path f = Files.createTempFile("tornagrad-npy-fuzz-", ".npy");
            f.toFile().deleteOnExit();
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    });

    @FuzzTest(maxDuration = "10m")
    void readsAnyBytesAsATensorOrAClearError(byte[] bytes) throws IOException {
        long allowed = ALLOCATION_FIXED + ALLOCATION_PER_INPUT_BYTE * bytes.length;
        long before = allocatedBytes();
        long start = System.nanoTime();
        Tensor fromBytes = readOrNull(() -> Npy.read(bytes, NAME), NAME);
        long nanos = System.nanoTime() - start;
        long allocated = allocatedBytes() - before;
        if (allocated > allowed || nanos > MAX_NANOS) {
            // The first read of a path loads (and, when fuzzing, instruments) classes on this
            // thread: megabytes and seconds that are no part of the read. Measure a warm read.
            before = allocatedBytes();
            start = System.nanoTime();
            readOrNull(() -> Npy.read(bytes, NAME), NAME);
            nanos = System.nanoTime() - start;
            allocated = allocatedBytes() - before;
            if (allocated > allowed) {
                fail("reading " + bytes.length + " bytes allocated " + allocated + " bytes, expected at most " + allowed);
            }
            if (nanos > MAX_NANOS) {
                fail("reading " + bytes.length + " bytes took " + nanos / 1e9 + " s, expected at most "
                    + MAX_NANOS / 1e9 + " (a reader that loops on its input hangs here)");
            }
        }

        Path file = FILE.get();
        Files.write(file, bytes);
        Tensor fromFile = readOrNull(() -> Npy.read(file), file.toString());
        assertEquals(fromBytes == null, fromFile == null, "read(byte[]) and read(Path) must both accept or both reject");

        if (fromBytes == null) {
            return;
        }
        Oracle expected = Oracle.decode(bytes);
        if (expected == null) {
            fail("Npy accepted bytes whose header the oracle cannot read: " + Oracle.headerText(bytes));
        }
        assertArrayEquals(expected.dims, fromBytes.shape().dims(), "shape");
        assertBitsEqual(expected.values, fromBytes.toArray(), "values against the oracle");
        assertBitsEqual(fromBytes.toArray(), fromFile.toArray(), "read(Path) against read(byte[])");
        assertArrayEquals(fromBytes.shape().dims(), fromFile.shape().dims());
        // What the writer makes of it reads back to the same tensor.
        Tensor again = Npy.read(Npy.toBytes(fromBytes), "round trip");
        assertArrayEquals(fromBytes.shape().dims(), again.shape().dims());
        assertBitsEqual(fromBytes.toArray(), again.toArray(), "round trip");
    }

    /**
     * The seeds' names say what the reader must do with them: valid_* and ok_* are read (the
     * fuzz test then checks the values), bad_* are refused with a message naming the source. So
     * the regression run cannot pass by refusing everything.
     */
    @Test
    void committedSeedsAreAcceptedOrRefusedAsTheirNamesSay() throws IOException {
        List<Path> seeds;
        try (Stream<Path> s = Files.list(Path.of(SEEDS))) {
            seeds = s.sorted().toList();
        }
        int accepted = 0;
        int refused = 0;
        for (Path seed : seeds) {
            String name = seed.getFileName().toString();
            byte[] bytes = Files.readAllBytes(seed);
            if (name.startsWith("valid_") || name.startsWith("ok_")) {
                Tensor t = Npy.read(bytes, name);
                Oracle o = Oracle.decode(bytes);
                assertTrue(o != null, name);
                assertArrayEquals(o.dims, t.shape().dims(), name);
                assertBitsEqual(o.values, t.toArray(), name);
                accepted++;
            } else if (name.startsWith("bad_")) {
                IllegalArgumentException e = expectRefusal(bytes, name);
                assertTrue(e.getMessage().startsWith(name + ": "), () -> name + ": message must start with the"
                    + " source's name, got " + e.getMessage());
                refused++;
            }
        }
        assertTrue(accepted >= 20 && refused >= 20, "expected the committed seeds (>= 20 valid, >= 20 bad), got "
            + accepted + " valid and " + refused + " bad in " + SEEDS);
    }

    private static IllegalArgumentException expectRefusal(byte[] bytes, String name) {
        try {
            Tensor t = Npy.read(bytes, name);
            throw new AssertionError(name + ": expected an IllegalArgumentException, got a tensor of shape " + t.shape());
        } catch (IllegalArgumentException e) {
            return e;
        }
    }

    private interface Read {
        Tensor read();
    }

    /** The tensor, or null for an IllegalArgumentException naming the source; anything else fails. */
    private static Tensor readOrNull(Read read, String source) {
        try {
            return read.read();
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            if (m == null || !m.startsWith(source + ": ") || m.length() > 2000) {
                throw new AssertionError("expected a message starting with '" + source + ": ' (and short), got " + m, e);
            }
            return null;
        }
    }

    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    private static void assertBitsEqual(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
                fail(what + ": element " + i + " expected " + expected[i] + ", got " + actual[i]);
            }
        }
    }

    /**
     * An independent decoder of a .npy file the reader accepted: the header's three values found
     * with regular expressions (not a parser), the data read element by element, each converted
     * with Java's own rounding casts (BigInteger for uint64). It does not judge validity; it tells
     * what a correct reader returns.
     */
    static final class Oracle {
        private static final Pattern DESCR = Pattern.compile("['\"]descr['\"]\\s*:\\s*['\"]([<>|=]?)([fiub])(\\d)['\"]");
        private static final Pattern FORTRAN = Pattern.compile("['\"]fortran_order['\"]\\s*:\\s*(True|False)");
        private static final Pattern SHAPE = Pattern.compile("['\"]shape['\"]\\s*:\\s*\\(([^)]*)\\)");

        final int[] dims;
        final float[] values;

        private Oracle(int[] dims, float[] values) {
            this.dims = dims;
            this.values = values;
        }

        static String headerText(byte[] b) {
            if (b.length < 10) {
                return "<none>";
            }
            int major = b[6] & 0xff;
            int lenBytes = major == 1 ? 2 : 4;
            if (b.length < 8 + lenBytes) {
                return "<none>";
            }
            long len = ByteBuffer.wrap(b, 8, lenBytes).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xffff;
            if (lenBytes == 4) {
                len = ByteBuffer.wrap(b, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
            }
            int start = 8 + lenBytes;
            int end = (int) Math.min(b.length, start + len);
            return new String(b, start, end - start, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        }

        /** The expected tensor, or null when the three header values cannot be found. */
        static Oracle decode(byte[] b) {
            if (b.length < 10) {
                return null;
            }
            int major = b[6] & 0xff;
            int lenBytes = major == 1 ? 2 : 4;
            long len = lenBytes == 2 ? ByteBuffer.wrap(b, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xffff
                : ByteBuffer.wrap(b, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
            String header = headerText(b);
            Matcher d = DESCR.matcher(header);
            Matcher f = FORTRAN.matcher(header);
            Matcher s = SHAPE.matcher(header);
            if (!d.find() || !f.find() || !s.find()) {
                return null;
            }
            List<Integer> dimList = new ArrayList<>();
            for (String part : s.group(1).split(",")) {
                String p = part.strip();
                if (p.isEmpty()) {
                    continue;
                }
                if (p.endsWith("L") || p.endsWith("l")) {
                    p = p.substring(0, p.length() - 1);
                }
                dimList.add(Integer.parseInt(p));
            }
            int[] dims = dimList.stream().mapToInt(Integer::intValue).toArray();
            long count = 1;
            for (int x : dims) {
                count *= x;
            }
            char order = d.group(1).isEmpty() ? '=' : d.group(1).charAt(0);
            char kind = d.group(2).charAt(0);
            int size = d.group(3).charAt(0) - '0';
            ByteOrder bo = order == '>' ? ByteOrder.BIG_ENDIAN : order == '<' ? ByteOrder.LITTLE_ENDIAN
                : ByteOrder.nativeOrder();
            ByteBuffer data = ByteBuffer.wrap(b).order(bo);
            int start = (int) (8 + lenBytes + len);
            float[] file = new float[(int) count];
            for (int i = 0; i < count; i++) {
                file[i] = convert(data, start + i * size, kind, size);
            }
            boolean fortran = f.group(1).equals("True");
            return new Oracle(dims, fortran ? columnMajorToRowMajor(file, dims) : file);
        }

        private static float convert(ByteBuffer data, int at, char kind, int size) {
            switch (kind) {
                case 'f':
                    return size == 4 ? data.getFloat(at) : (float) data.getDouble(at);
                case 'b':
                    return data.get(at) == 0 ? 0f : 1f;
                case 'i':
                    long v = size == 1 ? data.get(at) : size == 2 ? data.getShort(at) : size == 4 ? data.getInt(at)
                        : data.getLong(at);
                    return (float) v;
                default:
                    byte[] raw = new byte[size];
                    for (int k = 0; k < size; k++) {
                        // Most significant byte first, whatever the file's order.
                        raw[k] = data.get(at + (data.order() == ByteOrder.BIG_ENDIAN ? k : size - 1 - k));
                    }
                    return new BigInteger(1, raw).floatValue();
            }
        }

        /** Element (i0, ..., ik) of a column-major file is at sum i_j * prod_{m<j} d_m. */
        private static float[] columnMajorToRowMajor(float[] file, int[] dims) {
            float[] out = new float[file.length];
            int[] idx = new int[dims.length];
            for (int r = 0; r < out.length; r++) {
                int rest = r;
                for (int j = dims.length - 1; j >= 0; j--) {
                    idx[j] = rest % dims[j];
                    rest /= dims[j];
                }
                int c = 0;
                int stride = 1;
                for (int j = 0; j < dims.length; j++) {
                    c += idx[j] * stride;
                    stride *= dims[j];
                }
                out[r] = file[c];
            }
            return out;
        }
    }
}
