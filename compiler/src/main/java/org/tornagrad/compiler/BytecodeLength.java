package org.tornagrad.compiler;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;

/**
 * The length of a method's bytecode, read from a class file (JVMS chapter 4): what
 * {@link CodeGenerator} keeps its generated loops under, because JDK 17's JIT falls off a cliff
 * above about 2,200 bytes of vector code in one method (C1 gives up, "out of virtual registers",
 * and C2 never takes the method over: its vectors stay boxed objects, hundreds of MB a call).
 */
final class BytecodeLength {
    private BytecodeLength() {
    }

    /** The {@code code_length} of the first method named {@code method} in {@code classFile}; -1 if none. */
    static int of(byte[] classFile, String method) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile))) {
            if (in.readInt() != 0xCAFEBABE) {
                throw new IllegalArgumentException("classFile: expected a class file, got bytes without its magic number");
            }
            in.readUnsignedShort(); // minor version
            in.readUnsignedShort(); // major version
            String[] utf8 = readConstantPool(in);
            in.readUnsignedShort(); // access flags
            in.readUnsignedShort(); // this class
            in.readUnsignedShort(); // super class
            in.skipBytes(2 * in.readUnsignedShort()); // interfaces
            skipMembers(in); // fields
            int methods = in.readUnsignedShort();
            for (int m = 0; m < methods; m++) {
                in.readUnsignedShort(); // access flags
                String name = utf8[in.readUnsignedShort()];
                in.readUnsignedShort(); // descriptor
                int attributes = in.readUnsignedShort();
                for (int a = 0; a < attributes; a++) {
                    String attribute = utf8[in.readUnsignedShort()];
                    int length = in.readInt();
                    if (method.equals(name) && "Code".equals(attribute)) {
                        in.readUnsignedShort(); // max stack
                        in.readUnsignedShort(); // max locals
                        return in.readInt();
                    }
                    in.skipBytes(length);
                }
            }
            return -1;
        } catch (IOException e) {
            throw new IllegalArgumentException("classFile: a truncated class file (" + e + ")", e);
        }
    }

    /** Reads the constant pool; returns its UTF-8 entries by index (null elsewhere). */
    private static String[] readConstantPool(DataInputStream in) throws IOException {
        int count = in.readUnsignedShort();
        String[] utf8 = new String[count];
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1: // Utf8
                    utf8[i] = in.readUTF();
                    break;
                case 3: // Integer
                case 4: // Float
                case 9: // Fieldref
                case 10: // Methodref
                case 11: // InterfaceMethodref
                case 12: // NameAndType
                case 17: // Dynamic
                case 18: // InvokeDynamic
                    in.skipBytes(4);
                    break;
                case 5: // Long
                case 6: // Double
                    in.skipBytes(8);
                    i++; // takes two entries
                    break;
                case 7: // Class
                case 8: // String
                case 16: // MethodType
                case 19: // Module
                case 20: // Package
                    in.skipBytes(2);
                    break;
                case 15: // MethodHandle
                    in.skipBytes(3);
                    break;
                default:
                    throw new IOException("unknown constant pool tag " + tag + " at entry " + i);
            }
        }
        return utf8;
    }

    private static void skipMembers(DataInputStream in) throws IOException {
        int members = in.readUnsignedShort();
        for (int m = 0; m < members; m++) {
            in.skipBytes(6); // access flags, name, descriptor
            int attributes = in.readUnsignedShort();
            for (int a = 0; a < attributes; a++) {
                in.skipBytes(2);
                in.skipBytes(in.readInt());
            }
        }
    }
}
