package org.tornagrad.tornado;

import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.TornadoVMBackendType;

/**
 * Whether TornadoVM is there, which device it runs on, and the settings every plan of this
 * backend shares. Nothing here touches TornadoVM until {@link #unavailableReason()} is first
 * called, so that the backend can be listed on a JVM without it.
 */
public final class TornadoSupport {
    /** System property choosing the device as {@code BACKEND:DEVICE} indices, e.g. {@code 0:1}; default TornadoVM's. */
    public static final String DEVICE_PROPERTY = "tornagrad.tornado.device";

    /** Replaces {@link #OPENCL_FLAGS}. */
    static final String OPENCL_FLAGS_PROPERTY = "tornagrad.tornado.openclFlags";

    /**
     * OpenCL build options for every kernel. TornadoVM's default adds {@code -cl-fast-relaxed-math}
     * and {@code -cl-mad-enable}, under which the compiler may assume there are no infinities or
     * NaNs (BCE's clamp of log(0) = -inf to -100 relies on them) and fuse multiply-adds, so results
     * would drift from the Java reference; plain IEEE arithmetic keeps them equal. Without
     * {@code -cl-fp32-correctly-rounded-divide-sqrt}, OpenCL 1.2 allows a float division 2.5 ulps
     * of error, and NVIDIA's driver takes it (x / y and 1 / x were 1-2 ulps off Java on an H200).
     * {@value #OPENCL_FLAGS_PROPERTY} replaces these options (to try others on a new device).
     */
    static final String OPENCL_FLAGS = System.getProperty(OPENCL_FLAGS_PROPERTY,
        "-w -cl-fp32-correctly-rounded-divide-sqrt");

    private static final Object LOCK = new Object();
    private static volatile boolean checked;
    private static volatile String unavailable;
    private static volatile TornadoDevice device;

    static {
        // Read once by TornadoVM when its runtime classes load, so set before the first plan.
        // A task graph of a whole loss holds hundreds of tasks: TornadoVM's bytecode buffer for a
        // graph is 4 KiB by default, enough for a few dozen.
        setDefault("tornado.tvm.maxbytecodesize", Integer.toString(1 << 22));
        // A kernel TornadoVM cannot compile must fail loudly, not run silently as sequential Java
        // on the host while the backend claims a device.
        setDefault("tornado.recover.bailout", "False");
        setDefault("tornado.opencl.compiler.flags", OPENCL_FLAGS);
        // TornadoVM rewrites code for speed by default in ways Java's float arithmetic does not
        // allow: a * b + c into fma (one rounding instead of two: matmul drifted 2 ulps), sqrt
        // into native_sqrt and 1 / sqrt into rsqrt (implementation-defined precision on GPUs), and
        // fast-math variants on PTX. The shared bodies are meant to give the reference's numbers.
        setDefault("tornado.enable.fma", "False");
        setDefault("tornado.enable.nativeFunctions", "False");
        setDefault("tornado.enable.mathOptimizations", "False");
        setDefault("tornado.enable.fastMathOptimizations", "False");
    }

    private TornadoSupport() {
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    /** Null when TornadoVM runs here with a device; else one line saying what is missing. */
    public static String unavailableReason() {
        if (!checked) {
            synchronized (LOCK) {
                if (!checked) {
                    unavailable = probe();
                    checked = true;
                }
            }
        }
        return unavailable;
    }

    public static boolean isAvailable() {
        return unavailableReason() == null;
    }

    /** Throws an IllegalStateException with {@link #unavailableReason()} when TornadoVM cannot run. */
    static void requireAvailable() {
        String reason = unavailableReason();
        if (reason != null) {
            throw new IllegalStateException("backend tornado: " + reason);
        }
    }

    private static String probe() {
        // TornadoVM's flags (tornado-argfile) name its runtime classes in these properties; without
        // them the API classes load but every plan fails deep inside.
        if (System.getProperty("tornado.load.api.implementation") == null) {
            String home = System.getenv("TORNADOVM_HOME");
            return "TornadoVM is not loaded: this JVM was started without TornadoVM's flags ("
                + (home == null || home.isBlank() ? "TORNADOVM_HOME is not set; set it to a TornadoVM SDK and run"
                    : "TORNADOVM_HOME=" + home + "; run") + " JDK 25 with @$TORNADOVM_HOME/tornado-argfile)";
        }
        try {
            TornadoDevice d = chooseDevice();
            if (d == null) {
                return "TornadoVM found no device (check `tornado --devices`)";
            }
            device = d;
            return null;
        } catch (Throwable e) {
            return "TornadoVM failed to start: " + oneLine(e);
        }
    }

    private static TornadoDevice chooseDevice() {
        String spec = System.getProperty(DEVICE_PROPERTY);
        if (spec == null || spec.isBlank()) {
            return TornadoExecutionPlan.DEFAULT_DEVICE;
        }
        String[] parts = spec.trim().split(":");
        if (parts.length != 2) {
            throw new IllegalArgumentException(DEVICE_PROPERTY + ": expected BACKEND:DEVICE indices such as 0:1, got '"
                + spec + "'");
        }
        return TornadoExecutionPlan.getDevice(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
    }

    /** The device every plan of this backend runs on. */
    static TornadoDevice device() {
        requireAvailable();
        return device;
    }

    /** A plan with this backend's device and compiler settings. */
    static TornadoExecutionPlan configure(TornadoExecutionPlan plan) {
        plan.withDevice(device());
        plan.withCompilerFlags(TornadoVMBackendType.OPENCL, OPENCL_FLAGS);
        return plan;
    }

    /** The TornadoVM version, from its API module (e.g. 5.2.0-jdk25). */
    public static String version() {
        Module m = TornadoExecutionPlan.class.getModule();
        if (m.isNamed() && m.getDescriptor() != null && m.getDescriptor().version().isPresent()) {
            return m.getDescriptor().version().get().toString();
        }
        Package p = TornadoExecutionPlan.class.getPackage();
        return p != null && p.getImplementationVersion() != null ? p.getImplementationVersion() : "unknown version";
    }

    /** E.g. {@code OPENCL pthread-haswell-AMD EPYC (Portable Computing Language)}. */
    public static String deviceDescription() {
        TornadoDevice d = device();
        String name;
        String platform;
        try {
            // TornadoDevice.getDeviceName() is TornadoVM's handle ("opencl-0-0"); the physical
            // device's name is the one users know.
            name = d.getPhysicalDevice().getDeviceName();
            platform = d.getPlatformName();
        } catch (RuntimeException e) {
            name = d.getDeviceName();
            platform = null;
        }
        return d.getTornadoVMBackend() + " " + name.trim() + (platform == null || platform.isBlank() ? ""
            : " (" + platform.trim() + ")");
    }

    static String oneLine(Throwable e) {
        String m = e.getMessage();
        String text = e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
        // TornadoVM colours its messages with ANSI escapes and spreads them over lines.
        return text.replaceAll("\u001B\\[[0-9;]*m", "").replaceAll("\\s+", " ").trim();
    }
}
