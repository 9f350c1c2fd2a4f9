package org.tornagrad.tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes NumPy {@code .npy} files (format versions 1.0, 2.0 and 3.0, as described in
 * {@code numpy.lib.format}).
 *
 * <p>Reading accepts float32, float64, the signed and unsigned integers of 1, 2, 4 and 8 bytes and
 * bool, in either byte order, in C or Fortran order; values are converted to float32 the way
 * NumPy's {@code astype(np.float32)} does (round to nearest even, overflow to infinity). Every
 * problem with a file (bad magic, truncation, an unsupported dtype, a malformed header, a shape
 * the data cannot hold) is an IllegalArgumentException whose message starts with the file's name
 * and says what is wrong. The claimed shape is checked against the bytes actually present before
 * anything is allocated, so a hostile header cannot exhaust memory.
 *
 * <p>Writing produces the bytes {@code np.save} produces for a C-contiguous float32 array: dtype
 * {@code '<f4'}, format 1.0 (2.0 only when the header would not fit in 1.0), header padded with
 * spaces and a newline to a multiple of 64 bytes.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** The header of a supported array is a few dozen bytes; anything near this is hostile. */
    static final int MAX_HEADER_BYTES = 1 << 20;
    /** NumPy aligns the start of the data to this many bytes. */
    private static final int ALIGN = 64;
    /** NumPy leaves room for the growing axis to gain digits in place (numpy.lib.format). */
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;
    private static final String SUPPORTED =
        "f4, f8, i1, i2, i4, i8, u1, u2, u4, u8, b1, with byte order '<', '>', '=' or '|'";
    /** Bytes converted per step when reading data, so a file is never held twice in memory. */
    private static final int STEP = 1 << 16;

    private Npy() {
    }

    // ----------------------------------------------------------------------------------------
    // Reading

    /** Reads a .npy file into a float32 tensor. */
    public static Tensor read(Path file) {
        if (file == null) {
            throw new IllegalArgumentException("file: expected a path to a .npy file, got null");
        }
        String name = file.toString();
        if (Files.isDirectory(file)) {
            throw new IllegalArgumentException(name + ": is a directory, expected a .npy file");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return parse(new ChannelSource(ch, name), name);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(name + ": no such file", e);
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException(name + ": permission denied", e);
        } catch (IOException e) {
            throw new IllegalArgumentException(name + ": cannot read (" + e + ")", e);
        } catch (UncheckedIOException e) {
            throw new IllegalArgumentException(name + ": cannot read (" + e.getCause() + ")", e);
        }
    }

    /** Reads .npy content from memory; {@code sourceName} names it in error messages. */
    public static Tensor read(byte[] bytes, String sourceName) {
        String name = sourceName == null ? "<bytes>" : sourceName;
        if (bytes == null) {
            throw new IllegalArgumentException(name + ": expected the bytes of a .npy file, got null");
        }
        return parse(new ArraySource(bytes), name);
    }

    /** Random access to the bytes of a file or an array. */
    private interface Source {
        long length();

        /** Fills {@code dst} from position {@code pos}; the caller has checked the range. */
        void read(long pos, byte[] dst, int len);
    }

    private static final class ArraySource implements Source {
        private final byte[] bytes;

        ArraySource(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public long length() {
            return bytes.length;
        }

        @Override
        public void read(long pos, byte[] dst, int len) {
            System.arraycopy(bytes, (int) pos, dst, 0, len);
        }
    }

    private static final class ChannelSource implements Source {
        private final FileChannel ch;
        private final String name;
        private final long length;

        ChannelSource(FileChannel ch, String name) throws IOException {
            this.ch = ch;
            this.name = name;
            this.length = ch.size();
        }

        @Override
        public long length() {
            return length;
        }

        @Override
        public void read(long pos, byte[] dst, int len) {
            ByteBuffer buf = ByteBuffer.wrap(dst, 0, len);
            try {
                while (buf.hasRemaining()) {
                    int n = ch.read(buf, pos + buf.position());
                    if (n < 0) {
                        // The file shrank while we read it.
                        throw new IllegalArgumentException(name + ": truncated data: the file ended while being read");
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The element type of the data: its kind (f, i, u, b), size in bytes and byte order. */
    private static final class Dtype {
        final String descr;
        final char kind;
        final int size;
        final ByteOrder order;

        Dtype(String descr, char kind, int size, ByteOrder order) {
            this.descr = descr;
            this.kind = kind;
            this.size = size;
            this.order = order;
        }
    }

    private static Tensor parse(Source src, String name) {
        long length = src.length();
        // Magic string, then the format version.
        byte[] pre = new byte[(int) Math.min(length, 12)];
        src.read(0, pre, pre.length);
        for (int i = 0; i < MAGIC.length; i++) {
            if (i >= pre.length || pre[i] != MAGIC[i]) {
                throw new IllegalArgumentException(name + ": not a .npy file: bad magic (expected \\x93NUMPY, got "
                    + hex(pre, Math.min(pre.length, MAGIC.length)) + ")");
            }
        }
        if (pre.length < 8) {
            throw new IllegalArgumentException(name + ": truncated header: the file ends after " + length
                + " bytes, inside the format version");
        }
        int major = pre[6] & 0xff;
        int minor = pre[7] & 0xff;
        if (minor != 0 || major < 1 || major > 3) {
            throw new IllegalArgumentException(name + ": unsupported format version " + major + "." + minor
                + " (expected 1.0, 2.0 or 3.0)");
        }
        int lenBytes = major == 1 ? 2 : 4;
        int preamble = 8 + lenBytes;
        if (length < preamble) {
            throw new IllegalArgumentException(name + ": truncated header: the file ends after " + length
                + " bytes, inside the " + lenBytes + "-byte header length field");
        }
        long headerLen = (pre[8] & 0xff) | (pre[9] & 0xff) << 8;
        if (major > 1) {
            headerLen |= (long) (pre[10] & 0xff) << 16 | (long) (pre[11] & 0xff) << 24;
        }
        if (headerLen > length - preamble) {
            throw new IllegalArgumentException(name + ": truncated header: the header length field says " + headerLen
                + " bytes but only " + (length - preamble) + " follow it");
        }
        if (headerLen > MAX_HEADER_BYTES) {
            throw new IllegalArgumentException(name + ": header length " + headerLen + " exceeds the limit of "
                + MAX_HEADER_BYTES + " bytes");
        }
        byte[] headerBytes = new byte[(int) headerLen];
        src.read(preamble, headerBytes, headerBytes.length);
        String header = decodeHeader(headerBytes, major, name);
        Map<String, Object> dict = new HeaderParser(header, name).parseDict();

        Dtype dtype = dtype(dict, name);
        boolean fortran = fortranOrder(dict, name);
        long[] dims = shape(dict, name);

        long dataStart = preamble + headerLen;
        long available = length - dataStart;
        // Multiply in long, saturating: a hostile shape must neither overflow nor cost time.
        long needed = dtype.size;
        boolean saturated = false;
        for (long d : dims) {
            if (d == 0) {
                needed = 0;
                saturated = false;
                break;
            }
            if (!saturated && needed > Long.MAX_VALUE / d) {
                saturated = true;
            }
            needed = saturated ? Long.MAX_VALUE : needed * d;
        }
        if (saturated || needed > available) {
            throw new IllegalArgumentException(name + ": truncated data: shape " + shapeText(dims) + " of '"
                + dtype.descr + "' needs " + (saturated ? "more than " + Long.MAX_VALUE : Long.toString(needed))
                + " bytes, but the file has " + available + " after the header");
        }
        if (needed < available) {
            throw new IllegalArgumentException(name + ": " + (available - needed)
                + " unexpected bytes after the data of shape " + shapeText(dims) + " of '" + dtype.descr + "'");
        }
        int[] intDims = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            intDims[i] = (int) dims[i];
        }
        Shape shape;
        try {
            shape = Shape.of(intDims);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
        float[] values = readValues(src, dataStart, shape.size(), dtype);
        if (fortran && shape.rank() > 1) {
            values = fortranToC(values, intDims);
        }
        return Tensor.wrap(values, shape);
    }

    private static String decodeHeader(byte[] bytes, int major, String name) {
        if (major < 3) {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(name + ": malformed header: not valid UTF-8 (format 3.0)", e);
        }
    }

    private static Dtype dtype(Map<String, Object> dict, String name) {
        Object value = dict.get("descr");
        if (!(value instanceof String)) {
            throw new IllegalArgumentException(name + ": unsupported dtype " + repr(value)
                + " (expected a string, one of " + SUPPORTED + ")");
        }
        String descr = (String) value;
        String rest = descr;
        char orderChar = '=';
        if (!rest.isEmpty() && "<>|=".indexOf(rest.charAt(0)) >= 0) {
            orderChar = rest.charAt(0);
            rest = rest.substring(1);
        }
        int size = -1;
        char kind = rest.isEmpty() ? '?' : rest.charAt(0);
        String digits = rest.length() > 1 ? rest.substring(1) : "";
        if (digits.equals("1") || digits.equals("2") || digits.equals("4") || digits.equals("8")) {
            size = digits.charAt(0) - '0';
        }
        boolean known = (kind == 'f' && (size == 4 || size == 8))
            || ((kind == 'i' || kind == 'u') && size > 0)
            || (kind == 'b' && size == 1);
        if (!known) {
            throw new IllegalArgumentException(name + ": unsupported dtype " + repr(descr) + " (expected one of "
                + SUPPORTED + ")");
        }
        ByteOrder order;
        switch (orderChar) {
            case '<': order = ByteOrder.LITTLE_ENDIAN; break;
            case '>': order = ByteOrder.BIG_ENDIAN; break;
            case '|':
                if (size != 1) {
                    throw new IllegalArgumentException(name + ": unsupported dtype " + repr(descr)
                        + "': byte order '|' is only valid for one-byte types (expected '<' or '>')");
                }
                order = ByteOrder.LITTLE_ENDIAN;
                break;
            default: order = ByteOrder.nativeOrder(); break;
        }
        return new Dtype(descr, kind, size, order);
    }

    private static boolean fortranOrder(Map<String, Object> dict, String name) {
        Object value = dict.get("fortran_order");
        if (!(value instanceof Boolean)) {
            throw new IllegalArgumentException(name + ": malformed header: 'fortran_order' must be True or False, got "
                + repr(value));
        }
        return (Boolean) value;
    }

    private static long[] shape(Map<String, Object> dict, String name) {
        Object value = dict.get("shape");
        if (!(value instanceof List)) {
            throw new IllegalArgumentException(name + ": malformed header: 'shape' must be a tuple of integers, got "
                + repr(value));
        }
        List<?> entries = (List<?>) value;
        long[] dims = new long[entries.size()];
        for (int i = 0; i < dims.length; i++) {
            Object e = entries.get(i);
            if (!(e instanceof BigInteger)) {
                throw new IllegalArgumentException(name + ": malformed header: 'shape' must be a tuple of integers, got "
                    + repr(value));
            }
            BigInteger d = (BigInteger) e;
            if (d.signum() < 0) {
                throw new IllegalArgumentException(name + ": negative dimension " + d + " in shape " + repr(value));
            }
            if (d.bitLength() > 31) {
                throw new IllegalArgumentException(name + ": dimension " + d + " in shape " + repr(value)
                    + " is larger than " + Integer.MAX_VALUE);
            }
            dims[i] = d.longValue();
        }
        return dims;
    }

    /** Reads and converts {@code count} elements starting at {@code pos}, a bounded step at a time. */
    private static float[] readValues(Source src, long pos, int count, Dtype dtype) {
        float[] out = new float[count];
        int perStep = Math.max(1, STEP / dtype.size);
        byte[] raw = new byte[Math.min(count, perStep) * dtype.size];
        ByteBuffer buf = ByteBuffer.wrap(raw).order(dtype.order);
        for (int done = 0; done < count; ) {
            int n = Math.min(perStep, count - done);
            src.read(pos + (long) done * dtype.size, raw, n * dtype.size);
            for (int i = 0; i < n; i++) {
                out[done + i] = element(buf, i * dtype.size, dtype);
            }
            done += n;
        }
        return out;
    }

    private static float element(ByteBuffer b, int at, Dtype t) {
        switch (t.kind) {
            case 'f':
                return t.size == 4 ? b.getFloat(at) : (float) b.getDouble(at);
            case 'b':
                return b.get(at) != 0 ? 1f : 0f;
            case 'i':
                switch (t.size) {
                    case 1: return b.get(at);
                    case 2: return b.getShort(at);
                    case 4: return b.getInt(at);
                    default: return (float) b.getLong(at);
                }
            default: // 'u'
                switch (t.size) {
                    case 1: return b.get(at) & 0xff;
                    case 2: return b.getShort(at) & 0xffff;
                    case 4: return (float) (b.getInt(at) & 0xffffffffL);
                    default: return unsignedToFloat(b.getLong(at));
                }
        }
    }

    /** A uint64 (held in a long) rounded once to the nearest float, as a C cast does. */
    static float unsignedToFloat(long v) {
        if (v >= 0) {
            return (float) v;
        }
        // Halve, keeping the lost bit as a sticky bit so that rounding stays correct, then double.
        return (float) ((v >>> 1) | (v & 1)) * 2f;
    }

    /** Reorders column-major {@code f} of shape {@code dims} into row-major order. */
    private static float[] fortranToC(float[] f, int[] dims) {
        int rank = dims.length;
        int[] fStride = new int[rank];
        int step = 1;
        for (int d = 0; d < rank; d++) {
            fStride[d] = step;
            step *= dims[d];
        }
        float[] c = new float[f.length];
        int[] index = new int[rank];
        int pos = 0;
        for (int i = 0; i < c.length; i++) {
            c[i] = f[pos];
            for (int d = rank - 1; d >= 0; d--) {
                index[d]++;
                pos += fStride[d];
                if (index[d] < dims[d]) {
                    break;
                }
                pos -= index[d] * fStride[d];
                index[d] = 0;
            }
        }
        return c;
    }

    // ----------------------------------------------------------------------------------------
    // The header: a Python dict literal

    /**
     * A strict parser for the one Python literal a .npy header holds: a dict with the string keys
     * 'descr', 'fortran_order' and 'shape'. Values are strings, True, False, integers (an old
     * Python 2 {@code L} suffix is accepted) and tuples of those.
     */
    private static final class HeaderParser {
        private final String s;
        private final String name;
        private int pos;
        private int depth;

        HeaderParser(String s, String name) {
            this.s = s;
            this.name = name;
        }

        Map<String, Object> parseDict() {
            skipSpace();
            expect('{');
            Map<String, Object> dict = new LinkedHashMap<>();
            skipSpace();
            while (peek() != '}') {
                int keyAt = pos;
                Object key = value();
                if (!(key instanceof String)) {
                    throw error("expected a string key", keyAt);
                }
                skipSpace();
                expect(':');
                Object v = value();
                if (dict.put((String) key, v) != null) {
                    throw error("duplicate key " + repr(key), keyAt);
                }
                skipSpace();
                if (peek() == ',') {
                    pos++;
                    skipSpace();
                } else if (peek() != '}') {
                    throw error("expected ',' or '}'", pos);
                }
            }
            pos++;
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c != ' ' && c != '\n' && c != '\r' && c != '\t' && c != '\0') {
                    throw error("unexpected text after the dict", pos);
                }
                pos++;
            }
            for (String k : new String[] {"descr", "fortran_order", "shape"}) {
                if (!dict.containsKey(k)) {
                    throw new IllegalArgumentException(name + ": malformed header: missing key '" + k + "' in "
                        + quoteHeader());
                }
            }
            if (dict.size() != 3) {
                List<String> extra = new ArrayList<>(dict.keySet());
                extra.removeAll(List.of("descr", "fortran_order", "shape"));
                throw new IllegalArgumentException(name + ": malformed header: unexpected keys " + extra
                    + " (expected exactly 'descr', 'fortran_order' and 'shape')");
            }
            return dict;
        }

        private Object value() {
            skipSpace();
            char c = peek();
            if (c == '\'' || c == '"') {
                return string(c);
            }
            if (c == '(') {
                return tuple();
            }
            if (c == '-' || c == '+' || (c >= '0' && c <= '9')) {
                return integer();
            }
            if (s.startsWith("True", pos)) {
                pos += 4;
                return Boolean.TRUE;
            }
            if (s.startsWith("False", pos)) {
                pos += 5;
                return Boolean.FALSE;
            }
            throw error("expected a string, True, False, an integer or a tuple", pos);
        }

        private String string(char quote) {
            int start = pos++;
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (pos >= s.length()) {
                    throw error("unterminated string", start);
                }
                char c = s.charAt(pos++);
                if (c == quote) {
                    return sb.toString();
                }
                if (c == '\\' || c == '\n') {
                    // dtype strings never need escapes; refusing them keeps the parser small.
                    throw error("unsupported character in a string", pos - 1);
                }
                sb.append(c);
            }
        }

        private List<Object> tuple() {
            int start = pos++;
            if (++depth > 4) {
                // Bounded so that "((((((..." cannot overflow the stack.
                throw error("tuples nested too deeply", start);
            }
            List<Object> items = new ArrayList<>();
            skipSpace();
            if (peek() == ')') {
                pos++;
                depth--;
                return items;
            }
            while (true) {
                items.add(value());
                skipSpace();
                char c = peek();
                if (c == ',') {
                    pos++;
                    skipSpace();
                    if (peek() == ')') {
                        pos++;
                        depth--;
                        return items;
                    }
                } else if (c == ')') {
                    if (items.size() == 1) {
                        // (3) is the integer 3 in Python, not a tuple.
                        throw error("a one-element tuple needs a trailing comma", start);
                    }
                    pos++;
                    depth--;
                    return items;
                } else {
                    throw error("expected ',' or ')' in a tuple", pos);
                }
            }
        }

        private BigInteger integer() {
            int start = pos;
            boolean negative = false;
            if (peek() == '-' || peek() == '+') {
                negative = s.charAt(pos) == '-';
                pos++;
            }
            int digitsAt = pos;
            while (pos < s.length() && Character.isDigit(s.charAt(pos)) && s.charAt(pos) < 128) {
                pos++;
            }
            if (pos == digitsAt) {
                throw error("expected digits", start);
            }
            String digits = s.substring(digitsAt, pos);
            if (pos < s.length() && (s.charAt(pos) == 'L' || s.charAt(pos) == 'l')) {
                pos++;
            }
            if (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '.'
                || s.charAt(pos) == '_')) {
                throw error("expected an integer", start);
            }
            if (digits.length() > 1 && digits.charAt(0) == '0' && !digits.chars().allMatch(ch -> ch == '0')) {
                throw error("integer with a leading zero", start);
            }
            // Any integer this long is far beyond a dimension; keep the digits bounded.
            BigInteger v = digits.length() > 30 ? BigInteger.TEN.pow(30) : new BigInteger(digits);
            return negative ? v.negate() : v;
        }

        private void skipSpace() {
            while (pos < s.length() && " \t\n\r".indexOf(s.charAt(pos)) >= 0) {
                pos++;
            }
        }

        private char peek() {
            if (pos >= s.length()) {
                throw error("unexpected end of the header", pos);
            }
            return s.charAt(pos);
        }

        private void expect(char c) {
            if (peek() != c) {
                throw error("expected '" + c + "'", pos);
            }
            pos++;
        }

        private IllegalArgumentException error(String what, int at) {
            return new IllegalArgumentException(name + ": malformed header: " + what + " at position " + at
                + " in " + quoteHeader());
        }

        private String quoteHeader() {
            String t = s.strip();
            if (t.length() > 200) {
                t = t.substring(0, 200) + "...";
            }
            StringBuilder sb = new StringBuilder("\"");
            for (char c : t.toCharArray()) {
                if (c >= 32 && c < 127) {
                    sb.append(c);
                } else {
                    sb.append(String.format("\\u%04x", (int) c));
                }
            }
            return sb.append('"').toString();
        }
    }

    /** The Python literal of a header value, cut short when long (a hostile shape can be huge). */
    private static String repr(Object v) {
        String r = fullRepr(v);
        return r.length() > 200 ? r.substring(0, 200) + "..." : r;
    }

    private static String fullRepr(Object v) {
        if (v instanceof String) {
            return "'" + v + "'";
        }
        if (v instanceof Boolean) {
            return (Boolean) v ? "True" : "False";
        }
        if (v instanceof List) {
            List<?> l = (List<?>) v;
            StringBuilder sb = new StringBuilder("(");
            for (int i = 0; i < l.size(); i++) {
                if (sb.length() > 200) {
                    sb.append(", ...");
                    break;
                }
                sb.append(i == 0 ? "" : ", ").append(fullRepr(l.get(i)));
            }
            return sb.append(l.size() == 1 ? ",)" : ")").toString();
        }
        return String.valueOf(v);
    }

    private static String shapeText(long[] dims) {
        List<Object> l = new ArrayList<>();
        for (long d : dims) {
            l.add(d);
        }
        return repr(l);
    }

    private static String hex(byte[] b, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(String.format("%02x", b[i] & 0xff));
        }
        return n == 0 ? "an empty file" : sb.toString();
    }

    // ----------------------------------------------------------------------------------------
    // Writing

    /** Writes {@code t} as a C-order little-endian float32 .npy file, replacing any existing file. */
    public static void write(Path file, Tensor t) {
        if (file == null) {
            throw new IllegalArgumentException("file: expected a path to write, got null");
        }
        if (t == null) {
            throw new IllegalArgumentException("tensor: expected a tensor to write to " + file + ", got null");
        }
        float[] data = t.toArray();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            writeFully(ch, ByteBuffer.wrap(preamble(t.shape())));
            ByteBuffer buf = ByteBuffer.allocate(STEP).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < data.length; ) {
                buf.clear();
                while (i < data.length && buf.remaining() >= 4) {
                    buf.putFloat(data[i++]);
                }
                buf.flip();
                writeFully(ch, buf);
            }
        } catch (FileSystemException e) {
            String reason = e instanceof NoSuchFileException ? "no such directory"
                : e instanceof AccessDeniedException ? "permission denied" : String.valueOf(e.getReason());
            throw new IllegalArgumentException(file + ": cannot write (" + reason + ")", e);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write", e);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    /** The bytes {@link #write} puts in a file, for tensors below 512 Mi elements. */
    public static byte[] toBytes(Tensor t) {
        if (t == null) {
            throw new IllegalArgumentException("tensor: expected a tensor, got null");
        }
        byte[] pre = preamble(t.shape());
        if (t.size() > (Integer.MAX_VALUE - 8 - pre.length) / 4) {
            throw new IllegalArgumentException("tensor: expected at most " + ((Integer.MAX_VALUE - 8 - pre.length) / 4)
                + " elements to fit in a byte array, got shape " + t.shape() + "; use write(Path, Tensor)");
        }
        float[] data = t.toArray();
        ByteBuffer out = ByteBuffer.allocate(pre.length + 4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(pre);
        for (float v : data) {
            out.putFloat(v);
        }
        return out.array();
    }

    /** Magic, version, header length and the padded header, exactly as np.save writes them. */
    private static byte[] preamble(Shape shape) {
        StringBuilder header = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': ")
            .append(shape).append(", }");
        if (shape.rank() > 0) {
            header.append(" ".repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - Integer.toString(shape.dim(0)).length())));
        }
        int version = 1;
        int lenBytes = 2;
        int padded = padTo(10 + header.length() + 1) - 10;
        if (padded > 0xffff) {
            version = 2;
            lenBytes = 4;
            padded = padTo(12 + header.length() + 1) - 12;
        }
        header.append(" ".repeat(padded - header.length() - 1)).append('\n');
        ByteBuffer out = ByteBuffer.allocate(8 + lenBytes + padded).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) version).put((byte) 0);
        if (version == 1) {
            out.putShort((short) padded);
        } else {
            out.putInt(padded);
        }
        out.put(header.toString().getBytes(StandardCharsets.ISO_8859_1));
        return out.array();
    }

    private static int padTo(int n) {
        return (n + ALIGN - 1) / ALIGN * ALIGN;
    }
}
