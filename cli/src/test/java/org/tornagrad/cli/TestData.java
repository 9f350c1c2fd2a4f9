package org.tornagrad.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tornagrad.losses.Losses;
import org.tornagrad.tensor.Npy;
import org.tornagrad.tensor.Tensor;

/** Inputs written to .npy files for the command tests. */
final class TestData {
    private TestData() {
    }

    static Path write(Path dir, String file, Tensor t) {
        Path p = dir.resolve(file);
        Npy.write(p, t);
        return p;
    }

    /** Valid inputs of every loss (default options), by input name. */
    static Map<String, Tensor> inputs(String loss) {
        return SyntheticInputs.complete(Losses.create(loss), Map.of(), Map.of(), Map.of());
    }

    /** {@code NAME=FILE} arguments for {@code tensors}, written into {@code dir}. */
    static String[] args(Path dir, Map<String, Tensor> tensors) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            out.put(e.getKey(), e.getKey() + "=" + write(dir, e.getKey() + "-in.npy", e.getValue()));
        }
        return out.values().toArray(new String[0]);
    }

    /** A .npy file with any dtype string, e.g. {@code <c8}, and zeroed data. */
    static Path rawNpy(Path dir, String file, String descr, int elementBytes, int... dims) throws IOException {
        StringBuilder shape = new StringBuilder("(");
        int n = 1;
        for (int d : dims) {
            shape.append(d).append(dims.length == 1 ? ",)" : ", ");
            n *= d;
        }
        String s = dims.length == 1 ? shape.toString() : shape.toString().replaceAll(", $", ")");
        StringBuilder header = new StringBuilder("{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + s + ", }");
        while ((10 + header.length() + 1) % 64 != 0) {
            header.append(' ');
        }
        header.append('\n');
        byte[] h = header.toString().getBytes(StandardCharsets.US_ASCII);
        ByteBuffer b = ByteBuffer.allocate(10 + h.length + n * elementBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        b.putShort((short) h.length);
        b.put(h);
        Path p = dir.resolve(file);
        Files.write(p, b.array());
        return p;
    }
}
