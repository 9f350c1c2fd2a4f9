package org.tornagrad.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.List;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/** BytecodeLength against methods whose bytecode the JVMS spells out instruction by instruction. */
class BytecodeLengthTest {

    private static byte[] compile(String source) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        var memory = new ForwardingJavaFileManager<>(javac.getStandardFileManager(null, null, null)) {
            @Override
            public JavaFileObject getJavaFileForOutput(Location location, String name, JavaFileObject.Kind kind,
                                                       FileObject sibling) {
                return new SimpleJavaFileObject(URI.create("mem:///" + name + kind.extension), kind) {
                    @Override
                    public OutputStream openOutputStream() {
                        return out;
                    }
                };
            }
        };
        JavaFileObject unit = new SimpleJavaFileObject(URI.create("string:///K.java"), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return source;
            }
        };
        assertEquals(true, javac.getTask(null, memory, null, List.of("-g:none"), null, List.of(unit)).call());
        return out.toByteArray();
    }

    @Test
    void readsTheCodeLengthOfTheNamedMethodPastConstantsOfEveryKind() {
        assumeTrue(ToolProvider.getSystemJavaCompiler() != null, "needs a system Java compiler");
        // Long, double, string, float and int constants and a field come before the methods.
        byte[] k = compile("class K {\n"
            + "  static final String S = \"s\";\n"
            + "  long a() { return 123456789012L; }\n" // ldc2_w (3), lreturn (1)
            + "  double run(double x) { return x * 1.2345; }\n" // dload_1, ldc2_w (3), dmul, dreturn
            + "  float b() { return 1.5f + S.length(); }\n"
            + "  void empty() { }\n" // return
            + "  int plusOne(int v) { return v + 1; }\n" // iload_1, iconst_1, iadd, ireturn
            + "}\n");
        assertEquals(4, BytecodeLength.of(k, "a"));
        assertEquals(6, BytecodeLength.of(k, "run"));
        assertEquals(1, BytecodeLength.of(k, "empty"));
        assertEquals(4, BytecodeLength.of(k, "plusOne"));
        assertEquals(-1, BytecodeLength.of(k, "missing"));
    }

    @Test
    void bytesThatAreNoClassFileAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> BytecodeLength.of(new byte[] {1, 2, 3, 4, 5}, "run"));
        assertEquals(true, e.getMessage().startsWith("classFile: expected a class file"), e.getMessage());
        byte[] truncated = {(byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE, 0, 0};
        e = assertThrows(IllegalArgumentException.class, () -> BytecodeLength.of(truncated, "run"));
        assertEquals(true, e.getMessage().startsWith("classFile: a truncated class file"), e.getMessage());
    }
}
