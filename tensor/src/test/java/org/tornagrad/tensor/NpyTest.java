package org.tornagrad.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * .npy reading against files written by real NumPy (src/test/resources/npy, made by
 * make_fixtures.py, each with expected/NAME.npy = NumPy's astype(float32) of it), writing
 * byte-for-byte as np.save does, and a clear IllegalArgumentException for every malformed file.
 */
class NpyTest {
    static final List<String> FIXTURES = List.of(
        "f4_le_2x3", "f4_be_2x3", "f4_special_6", "f4_1d_5", "f8_le_9", "f8_be_3x3", "i4_le_2x3", "i4_be_2x3",
        "i8_le_6", "i8_be_3x2", "i1_5", "i2_be_4", "u1_6", "u2_le_3", "u4_be_3", "u8_le_4", "b1_2x2",
        "fortran_f4_2x3", "fortran_f8_be_2x3x4", "scalar_0d", "empty_0x3", "empty_i8_be_2x0", "v2_f4_2x2",
        "v3_f8_be_3");

    @TempDir
    Path tmp;

    static Path fixture(String name) {
        URL url = NpyTest.class.getResource("/npy/" + name + ".npy");
        if (url == null) {
            throw new AssertionError("missing test resource npy/" + name + ".npy");
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    static byte[] bytes(String name) throws Exception {
        return Files.readAllBytes(fixture(name));
    }

    static void assertSameBits(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
                fail(what + ": element " + i + ": expected " + expected[i] + ", got " + actual[i]);
            }
        }
    }

    static float[] values(Tensor t) {
        return t.toArray();
    }

    // ----------------------------------------------------------------------------------------
    // Files written by NumPy

    @Test
    void everyNumpyFixtureReadsAsNumpysAstypeFloat32() {
        for (String name : FIXTURES) {
            Tensor got = Npy.read(fixture(name));
            Tensor want = Npy.read(fixture("expected/" + name));
            assertEquals(want.shape(), got.shape(), name);
            assertSameBits(values(want), values(got), name);
        }
    }

    @Test
    void littleAndBigEndianFloat32GiveTheLiteralValues() {
        float[] expected = {-1.5f, 0f, 2.25f, 3f, -4.125f, 1e-3f};
        for (String name : List.of("f4_le_2x3", "f4_be_2x3")) {
            Tensor t = Npy.read(fixture(name));
            assertEquals(Shape.of(2, 3), t.shape(), name);
            assertSameBits(expected, values(t), name);
        }
        Tensor special = Npy.read(fixture("f4_special_6"));
        assertSameBits(new float[] {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, -0f, 1e-45f,
            3.4028235e38f}, values(special), "specials");
        assertEquals(Shape.of(5), Npy.read(fixture("f4_1d_5")).shape());
    }

    @Test
    void float64IsRoundedToNearestFloat32WithOverflowToInfinity() {
        Tensor t = Npy.read(fixture("f8_le_9"));
        float[] v = values(t);
        assertEquals(0.1f, v[0]);
        assertEquals((float) (1.0 / 3.0), v[1]);
        assertEquals(Float.POSITIVE_INFINITY, v[2]);
        assertEquals(Float.NEGATIVE_INFINITY, v[3]);
        assertEquals(0f, v[4]);
        assertEquals(1f + Math.ulp(1f), v[5], "1 + 2^-24 + 2^-50 is just above the tie: rounds up");
        assertEquals(Float.POSITIVE_INFINITY, v[6], "FLT_MAX + half an ulp ties to even, which is infinity (NumPy agrees)");
        assertTrue(Float.isNaN(v[7]));
        assertEquals(Float.floatToIntBits(-0f), Float.floatToIntBits(v[8]));
        assertEquals(Shape.of(3, 3), Npy.read(fixture("f8_be_3x3")).shape());
        assertSameBits(v, values(Npy.read(fixture("f8_be_3x3"))), "big-endian float64");
    }

    @Test
    void integersBeyond2To24AreRoundedOnceToNearestEven() {
        float[] i8 = values(Npy.read(fixture("i8_le_6")));
        assertEquals(9.223372e18f, i8[0]);
        assertEquals(-9.223372e18f, i8[1]);
        assertEquals(16777216f, i8[2], "2^24 + 1 ties to even");
        assertEquals(9.0071993e15f, i8[3]);
        // 2^60 + 2^36 + 1 is just above half an ulp: one rounding gives 2^60 + 2^37 (two roundings would give 2^60).
        assertEquals((float) (Math.pow(2, 60) + Math.pow(2, 37)), i8[4]);
        assertEquals(-5f, i8[5]);
        assertSameBits(i8, values(Npy.read(fixture("i8_be_3x2"))), "big-endian int64");
        assertSameBits(new float[] {-2147483648f, 2147483647f, 0f, -1f, 16777216f, 123f},
            values(Npy.read(fixture("i4_le_2x3"))), "int32");
        assertSameBits(new float[] {-128, -1, 0, 1, 127}, values(Npy.read(fixture("i1_5"))), "int8");
        assertSameBits(new float[] {-32768, -1, 300, 32767}, values(Npy.read(fixture("i2_be_4"))), "big-endian int16");
    }

    @Test
    void unsignedIntegersAndBoolAreReadWithoutSignExtension() {
        assertSameBits(new float[] {0, 1, 127, 128, 254, 255}, values(Npy.read(fixture("u1_6"))), "uint8");
        assertSameBits(new float[] {0, 40000, 65535}, values(Npy.read(fixture("u2_le_3"))), "uint16");
        assertSameBits(new float[] {0, 4294967296f, 16777216f}, values(Npy.read(fixture("u4_be_3"))), "uint32");
        float[] u8 = values(Npy.read(fixture("u8_le_4")));
        assertEquals(18446744073709551616f, u8[1], "2^64 - 1 rounds to 2^64");
        assertEquals((float) (Math.pow(2, 63) + Math.pow(2, 40)), u8[2]);
        assertEquals(16777220f, u8[3], "2^24 + 3 ties to even upwards");
        Tensor b = Npy.read(fixture("b1_2x2"));
        assertEquals(Shape.of(2, 2), b.shape());
        assertSameBits(new float[] {1, 0, 0, 1}, values(b), "bool");
    }

    @Test
    void unsignedLongConversionRoundsOnceLikeACCast() {
        Random r = new Random(3);
        for (int i = 0; i < 20_000; i++) {
            long v = r.nextLong();
            if (i % 3 == 0) {
                v = (v & 0xFFFFFFFFFF000000L) | (r.nextBoolean() ? 0x800000L : 0x800001L);  // near ties
            }
            assertEquals(Float.parseFloat(Long.toUnsignedString(v)), Npy.unsignedToFloat(v), Long.toUnsignedString(v));
        }
    }

    @Test
    void fortranOrderIsTransposedIntoRowMajor() {
        Tensor t = Npy.read(fixture("fortran_f4_2x3"));
        assertEquals(Shape.of(2, 3), t.shape());
        assertSameBits(new float[] {0, 1, 2, 3, 4, 5}, values(t), "fortran 2x3");
        Tensor u = Npy.read(fixture("fortran_f8_be_2x3x4"));
        assertEquals(Shape.of(2, 3, 4), u.shape());
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                for (int k = 0; k < 4; k++) {
                    assertEquals(i * 12 + j * 4 + k - 7.5f, u.get(i, j, k), "(" + i + ", " + j + ", " + k + ")");
                }
            }
        }
    }

    @Test
    void zeroDimensionalAndZeroSizeArraysKeepTheirShapes() {
        Tensor s = Npy.read(fixture("scalar_0d"));
        assertEquals(0, s.rank());
        assertEquals(3.25f, s.item());
        assertEquals(Shape.of(0, 3), Npy.read(fixture("empty_0x3")).shape());
        assertEquals(Shape.of(2, 0), Npy.read(fixture("empty_i8_be_2x0")).shape());
    }

    @Test
    void formatVersions2And3AreRead() {
        assertSameBits(new float[] {1, -2, 0.5f, 8}, values(Npy.read(fixture("v2_f4_2x2"))), "version 2.0");
        assertSameBits(new float[] {1, 0.1f, -2.5f}, values(Npy.read(fixture("v3_f8_be_3"))), "version 3.0");
    }

    // ----------------------------------------------------------------------------------------
    // Writing

    @Test
    void writtenBytesAreExactlyWhatNumpySaveWritesForFloat32() throws Exception {
        // Every expected/ file was written by np.save from a C-contiguous '<f4' array, format 1.0.
        for (String name : FIXTURES) {
            byte[] numpy = bytes("expected/" + name);
            assertArrayEquals(numpy, Npy.toBytes(Npy.read(numpy, name)), name);
        }
        assertArrayEquals(bytes("f4_le_2x3"), Npy.toBytes(Npy.read(fixture("f4_be_2x3"))));
    }

    @Test
    void writtenHeaderIsPaddedTo64BytesAndEndsWithANewline() {
        for (int[] dims : new int[][] {{}, {0}, {7}, {2, 3}, {1234567, 0}, {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}}) {
            byte[] b = Npy.toBytes(Tensor.zeros(dims));
            int headerLen = (b[8] & 0xff) | (b[9] & 0xff) << 8;
            assertEquals(1, b[6], "version 1.0");
            assertEquals(0, (10 + headerLen) % 64, Arrays.toString(dims));
            assertEquals('\n', b[10 + headerLen - 1]);
            String header = new String(b, 10, headerLen, StandardCharsets.ISO_8859_1);
            assertTrue(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': " + Shape.of(dims) + ", }"),
                header);
        }
    }

    @Test
    void roundTripPreservesShapeAndEveryBit() throws Exception {
        Tensor[] cases = {
            Tensor.scalar(-0f),
            Tensor.zeros(0, 3),
            Tensor.vector(Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, Float.MIN_VALUE, Float.MAX_VALUE),
            Tensor.randn(5, 2, 3, 4),
            Tensor.randn(6, 3, 5).transpose(0, 1),  // a non-contiguous view is written in row-major order
            Tensor.randn(7, 10).slice(0, 1, 9, 3),
        };
        for (int i = 0; i < cases.length; i++) {
            Path file = tmp.resolve("case" + i + ".npy");
            Npy.write(file, cases[i]);
            Tensor back = Npy.read(file);
            assertEquals(cases[i].shape(), back.shape(), "case " + i);
            assertSameBits(cases[i].toArray(), back.toArray(), "case " + i);
        }
        Path big = tmp.resolve("big.npy");
        Tensor large = Tensor.randn(8, 70_001);  // more than one write step
        Npy.write(big, large);
        assertEquals(large, Npy.read(big));
        assertEquals(128 + 4L * 70_001, Files.size(big));
        Npy.write(big, Tensor.scalar(1f));  // overwrites (and truncates) an existing file
        assertEquals(1f, Npy.read(big).item());
    }

    @Test
    void writeFailuresNameTheFile() {
        Path missingDir = tmp.resolve("no-such-dir").resolve("out.npy");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> Npy.write(missingDir, Tensor.scalar(1f)));
        assertTrue(e.getMessage().contains("out.npy") && e.getMessage().contains("no such directory"), e.getMessage());
        IllegalArgumentException n = assertThrows(IllegalArgumentException.class, () -> Npy.write(tmp.resolve("x.npy"), null));
        assertTrue(n.getMessage().startsWith("tensor:") && n.getMessage().contains("null"), n.getMessage());
        IllegalArgumentException f = assertThrows(IllegalArgumentException.class, () -> Npy.write(null, Tensor.scalar(1f)));
        assertTrue(f.getMessage().startsWith("file:") && f.getMessage().contains("null"), f.getMessage());
    }

    // ----------------------------------------------------------------------------------------
    // Hand-made headers

    /** A .npy file with the given header text, padded as NumPy pads it, followed by {@code data}. */
    static byte[] npy(int major, String header, byte[] data) {
        int lenBytes = major == 1 ? 2 : 4;
        int total = 8 + lenBytes + header.length() + 1;
        int padded = (total + 63) / 64 * 64;
        String h = header + " ".repeat(padded - total) + "\n";
        byte[] hb = h.getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        ByteBuffer b = ByteBuffer.allocate(8 + lenBytes + hb.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (major == 1) {
            b.putShort((short) hb.length);
        } else {
            b.putInt(hb.length);
        }
        return b.put(hb).put(data).array();
    }

    static byte[] floats(ByteOrder order, float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(order);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    static String header(String descr, String fortran, String shape) {
        return "{'descr': '" + descr + "', 'fortran_order': " + fortran + ", 'shape': " + shape + ", }";
    }

    @Test
    void nativeAndNotApplicableByteOrdersAreAccepted() {
        byte[] nativeF4 = npy(1, header("=f4", "False", "(2,)"), floats(ByteOrder.nativeOrder(), 1.5f, -2f));
        assertSameBits(new float[] {1.5f, -2f}, values(Npy.read(nativeF4, "native.npy")), "=f4");
        byte[] bareF4 = npy(1, header("f4", "False", "(2,)"), floats(ByteOrder.nativeOrder(), 1.5f, -2f));
        assertSameBits(new float[] {1.5f, -2f}, values(Npy.read(bareF4, "bare.npy")), "f4");
        byte[] u1 = npy(1, header("|u1", "False", "(3,)"), new byte[] {0, (byte) 200, 7});
        assertSameBits(new float[] {0, 200, 7}, values(Npy.read(u1, "u1.npy")), "|u1");
        byte[] leU1 = npy(1, header("<u1", "False", "(1,)"), new byte[] {(byte) 255});
        assertEquals(255f, Npy.read(leU1, "u1.npy").item());
        byte[] i1 = npy(1, header("|i1", "False", "(1,)"), new byte[] {(byte) 255});
        assertEquals(-1f, Npy.read(i1, "i1.npy").item());
        byte[] b1 = npy(1, header("|b1", "False", "(3,)"), new byte[] {0, 1, 7});
        assertSameBits(new float[] {0, 1, 1}, values(Npy.read(b1, "b1.npy")), "nonzero bytes are True");
    }

    @Test
    void headerLiteralVariantsThatPythonAcceptsAreParsed() {
        byte[] data = floats(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4, 5, 6);
        String[] headers = {
            "{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (2, 3)}",
            "{'shape': (2,3), 'fortran_order': False, 'descr': '<f4'}",
            "{ 'descr' : '<f4' , 'fortran_order' : False , 'shape' : ( 2 , 3 , ) , }",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L), }",  // written by NumPy on Python 2
            "{'descr':'<f4','fortran_order':False,'shape':(+2,3)}",
        };
        for (String h : headers) {
            Tensor t = Npy.read(npy(1, h, data), "variant.npy");
            assertEquals(Shape.of(2, 3), t.shape(), h);
            assertSameBits(new float[] {1, 2, 3, 4, 5, 6}, values(t), h);
        }
        // Older NumPy padded to 16 bytes only; alignment is not required on read.
        byte[] unaligned = npy(1, header("<f4", "False", "()"), floats(ByteOrder.LITTLE_ENDIAN, 9f));
        byte[] shortPad = new byte[unaligned.length];
        String h = header("<f4", "False", "()") + "  \n";
        ByteBuffer b = ByteBuffer.wrap(shortPad).order(ByteOrder.LITTLE_ENDIAN);
        b.put(Arrays.copyOf(unaligned, 8)).putShort((short) h.length()).put(h.getBytes(StandardCharsets.ISO_8859_1))
            .put(floats(ByteOrder.LITTLE_ENDIAN, 9f));
        assertEquals(9f, Npy.read(Arrays.copyOf(shortPad, b.position()), "short.npy").item());
    }

    @Test
    void version3HeaderIsUtf8() {
        byte[] v3 = npy(3, header("<f4", "False", "(1,)"), floats(ByteOrder.LITTLE_ENDIAN, 4f));
        assertEquals(4f, Npy.read(v3, "v3.npy").item());
        byte[] bad = v3.clone();
        bad[12 + 2] = (byte) 0xC3;  // a lone UTF-8 lead byte inside the key 'descr'
        bad[12 + 3] = (byte) 0x28;
        assertMalformed(bad, "not valid UTF-8");
    }

    // ----------------------------------------------------------------------------------------
    // Malformed files: an IllegalArgumentException naming the source and the problem

    static IllegalArgumentException assertMalformed(byte[] file, String phrase) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Npy.read(file, "bad.npy"));
        assertTrue(e.getMessage().startsWith("bad.npy: "), e.getMessage());
        assertTrue(e.getMessage().contains(phrase), "expected '" + phrase + "' in: " + e.getMessage());
        return e;
    }

    byte[] valid() throws Exception {
        return bytes("f4_le_2x3");
    }

    @Test
    void badMagicIsRejected() throws Exception {
        byte[] b = valid();
        b[1] = 'X';
        assertMalformed(b, "bad magic");
        assertMalformed(new byte[0], "bad magic");
        assertMalformed("PK\u0003\u0004 a zip file".getBytes(StandardCharsets.ISO_8859_1), "not a .npy file");
    }

    @Test
    void truncatedHeaderIsRejected() throws Exception {
        byte[] b = valid();
        assertMalformed(Arrays.copyOf(b, 7), "truncated header");
        assertMalformed(Arrays.copyOf(b, 9), "truncated header");
        assertMalformed(Arrays.copyOf(b, 40), "truncated header");
        assertMalformed(Arrays.copyOf(b, 127), "truncated header");
    }

    @Test
    void headerLengthBeyondTheFileIsRejected() throws Exception {
        byte[] b = valid();
        b[8] = (byte) 0x60;  // 60000 = 0xEA60
        b[9] = (byte) 0xEA;
        assertMalformed(b, "header length field says 60000 bytes but only 142 follow it");
        byte[] v2 = npy(2, header("<f4", "False", "(1,)"), floats(ByteOrder.LITTLE_ENDIAN, 1f));
        v2[11] = (byte) 0x7f;  // about 2 GiB
        assertMalformed(v2, "truncated header");
    }

    @Test
    void truncatedDataIsRejectedWithTheNeededAndAvailableBytes() throws Exception {
        byte[] b = valid();
        assertMalformed(Arrays.copyOf(b, b.length - 4), "truncated data: shape (2, 3) of '<f4' needs 24 bytes, but the file has 20");
        assertMalformed(Arrays.copyOf(b, 128), "needs 24 bytes, but the file has 0");
    }

    @Test
    void bytesAfterTheDataAreRejected() throws Exception {
        byte[] b = Arrays.copyOf(valid(), 152 + 3);
        assertMalformed(b, "3 unexpected bytes after the data");
    }

    @Test
    void unsupportedDtypesAreRejectedNamingTheSupportedOnes() {
        for (String d : new String[] {"<c8", "<f2", "<f16", "|O", "<U3", "|S5", "<M8[ns]", "<i3", ">b2", "", "<"}) {
            IllegalArgumentException e = assertMalformed(npy(1, header(d, "False", "(1,)"), new byte[8]),
                "unsupported dtype '" + d + "'");
            assertTrue(e.getMessage().contains("expected one of f4, f8"), e.getMessage());
        }
        assertMalformed(npy(1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,)}", new byte[4]),
            "malformed header");
        assertMalformed(npy(1, "{'descr': 5, 'fortran_order': False, 'shape': (1,)}", new byte[4]),
            "unsupported dtype 5");
        assertMalformed(npy(1, header("|f4", "False", "(1,)"), new byte[4]), "byte order '|' is only valid for one-byte");
    }

    @Test
    void unsupportedVersionIsRejected() throws Exception {
        byte[] b = valid();
        b[6] = 4;
        assertMalformed(b, "unsupported format version 4.0 (expected 1.0, 2.0 or 3.0)");
        b[6] = 1;
        b[7] = 1;
        assertMalformed(b, "unsupported format version 1.1");
        b[6] = 0;
        b[7] = 0;
        assertMalformed(b, "unsupported format version 0.0");
    }

    @Test
    void badShapeLiteralsAreRejected() {
        byte[] d = new byte[24];
        assertMalformed(npy(1, header("<f4", "False", "(2, three)"), d), "malformed header");
        assertMalformed(npy(1, header("<f4", "False", "(6)"), d), "one-element tuple needs a trailing comma");
        assertMalformed(npy(1, header("<f4", "False", "[2, 3]"), d), "malformed header");
        assertMalformed(npy(1, header("<f4", "False", "(2.0, 3)"), d), "expected an integer");
        assertMalformed(npy(1, header("<f4", "False", "(2, 3"), d), "malformed header");
        assertMalformed(npy(1, header("<f4", "False", "(2,, 3)"), d), "malformed header");
        assertMalformed(npy(1, header("<f4", "False", "6"), d), "'shape' must be a tuple of integers, got 6");
        assertMalformed(npy(1, header("<f4", "False", "('2', 3)"), d), "'shape' must be a tuple of integers");
        assertMalformed(npy(1, header("<f4", "False", "((2, 3),)"), d), "'shape' must be a tuple of integers");
        assertMalformed(npy(1, header("<f4", "False", "(02, 3)"), d), "leading zero");
        assertMalformed(npy(1, header("<f4", "False", "(" + "(".repeat(100_000)), d), "nested too deeply");
    }

    @Test
    void negativeDimensionsAreRejected() {
        assertMalformed(npy(1, header("<f4", "False", "(-3, 2)"), new byte[24]), "negative dimension -3 in shape (-3, 2)");
        assertMalformed(npy(1, header("<f4", "False", "(0, -1)"), new byte[0]), "negative dimension -1");
    }

    @Test
    void hugeClaimedShapesAreRejectedBeforeAnyAllocation() {
        // Each would need gigabytes or more; the file has 24 bytes of data. Must not throw OutOfMemoryError.
        assertMalformed(npy(1, header("<f4", "False", "(100000, 100000, 100000)"), new byte[24]),
            "needs 4000000000000000 bytes, but the file has 24");
        assertMalformed(npy(1, header("<f8", "False", "(2147483647, 2147483647, 2147483647, 2147483647)"), new byte[24]),
            "needs more than 9223372036854775807 bytes");
        assertMalformed(npy(1, header("<f4", "False", "(536870912,)"), new byte[24]), "truncated data");
        assertMalformed(npy(1, header("<f4", "False", "(2147483648, 0)"), new byte[0]), "larger than 2147483647");
        assertMalformed(npy(1, header("<f4", "False", "(99999999999999999999999999999999999999999,)"), new byte[0]),
            "larger than 2147483647");
        // 2^31 - 1 elements of one byte each in a file that really has them would be fine; here they are claimed only.
        assertMalformed(npy(1, header("|u1", "False", "(2147483647,)"), new byte[3]), "needs 2147483647 bytes");
    }

    @Test
    void headerDictMustHaveExactlyTheThreeKeys() {
        byte[] d = new byte[4];
        assertMalformed(npy(1, "{'descr': '<f4', 'shape': (1,)}", d), "missing key 'fortran_order'");
        assertMalformed(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'extra': 1}", d),
            "unexpected keys [extra]");
        assertMalformed(npy(1, "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (1,)}", d),
            "duplicate key 'descr'");
        assertMalformed(npy(1, header("<f4", "0", "(1,)"), d), "'fortran_order' must be True or False, got 0");
        assertMalformed(npy(1, header("<f4", "false", "(1,)"), d), "malformed header");
        assertMalformed(npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} junk", d), "unexpected text after the dict");
        assertMalformed(npy(1, "['descr', '<f4']", d), "expected '{'");
        assertMalformed(npy(1, "{'descr': '<f4' 'fortran_order': False}", d), "expected ',' or '}'");
        assertMalformed(npy(1, "{'descr: '<f4'}", d), "malformed header");
        assertMalformed(npy(1, "", d), "unexpected end of the header");
        assertMalformed(npy(1, "{5: '<f4'}", d), "expected a string key");
    }

    @Test
    void missingFilesAndDirectoriesAreNamed() {
        Path missing = tmp.resolve("x.npy");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Npy.read(missing));
        assertTrue(e.getMessage().endsWith("x.npy: no such file"), e.getMessage());
        IllegalArgumentException d = assertThrows(IllegalArgumentException.class, () -> Npy.read(tmp));
        assertTrue(d.getMessage().contains(tmp.toString()) && d.getMessage().contains("is a directory"), d.getMessage());
        IllegalArgumentException n = assertThrows(IllegalArgumentException.class, () -> Npy.read((Path) null));
        assertTrue(n.getMessage().startsWith("file:"), n.getMessage());
        IllegalArgumentException b = assertThrows(IllegalArgumentException.class, () -> Npy.read(null, "mem.npy"));
        assertTrue(b.getMessage().startsWith("mem.npy:"), b.getMessage());
    }

    @Test
    void malformedFilesOnDiskAreNamedByTheirPath() throws Exception {
        Path file = tmp.resolve("broken.npy");
        byte[] b = valid();
        Files.write(file, Arrays.copyOf(b, b.length - 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Npy.read(file));
        assertTrue(e.getMessage().startsWith(file + ": truncated data"), e.getMessage());
    }

    /** Random corruptions of real files: the reader returns a tensor or throws IllegalArgumentException, nothing else. */
    @Test
    void fuzzedFilesGiveATensorOrAnIllegalArgumentExceptionOnly() throws Exception {
        Random r = new Random(11);
        String[] tokens = {"{", "}", "(", ")", ",", ":", "'descr'", "'shape'", "'fortran_order'", "'<f4'", "'>i8'",
            "'|b1'", "True", "False", "0", "1", "-1", "3", "2147483648", "99999999999", " ", "\n", "'", "\"", "L", "\\"};
        List<byte[]> files = new java.util.ArrayList<>();
        for (String name : FIXTURES) {
            files.add(bytes(name));
        }
        int ok = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] base = files.get(r.nextInt(files.size()));
            byte[] b;
            switch (r.nextInt(4)) {
                case 0: {  // flip bytes
                    b = base.clone();
                    for (int k = r.nextInt(4); k >= 0; k--) {
                        b[r.nextInt(b.length)] = (byte) r.nextInt(256);
                    }
                    break;
                }
                case 1:  // truncate
                    b = Arrays.copyOf(base, r.nextInt(base.length + 1));
                    break;
                case 2: {  // random header made of literal tokens
                    StringBuilder h = new StringBuilder();
                    for (int k = r.nextInt(30); k >= 0; k--) {
                        h.append(tokens[r.nextInt(tokens.length)]);
                    }
                    b = npy(1 + r.nextInt(3), h.toString(), new byte[r.nextInt(64)]);
                    break;
                }
                default: {  // mutate the header text of a valid file
                    String h = header(new String[] {"<f4", ">f8", "|u1", "<i8", "|b1", "<c8"}[r.nextInt(6)],
                        r.nextBoolean() ? "True" : "False",
                        new String[] {"()", "(0,)", "(3,)", "(2, 3)", "(1, 2, 3)", "(4, 0, 2147483647)"}[r.nextInt(6)]);
                    b = npy(1, h, new byte[r.nextInt(3) == 0 ? 24 : r.nextInt(64)]);
                }
            }
            try {
                Npy.read(b, "fuzz.npy");
                ok++;
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage().startsWith("fuzz.npy: "), e.getMessage());
            } catch (Throwable t) {
                throw new AssertionError("case " + i + " threw " + t + " for bytes " + Arrays.toString(b), t);
            }
        }
        assertTrue(ok > 100, "some mutations stay valid: " + ok);
    }
}
