package org.tornagrad.compiler;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.tornagrad.autograd.trace.Program;
import org.tornagrad.kernels.Backend;
import org.tornagrad.kernels.ReferenceBackend;

/**
 * The device kernels of a program ({@link DeviceSource}) compiled without the parallel
 * annotation and run as ordinary Java, launch by launch, each kernel call on the reference
 * backend: the generated device code checked on any JVM, with no TornadoVM and no device. What
 * it computes is what each work-item of the device computes, in one thread.
 */
public final class DeviceSourceOnJvm {
    private static final AtomicLong IDS = new AtomicLong();

    private DeviceSourceOnJvm() {
    }

    /** {@code program} planned with device tiles of {@code tile} elements and rendered with {@code options}, as a runnable program. */
    public static CompiledProgram compile(Program program, int tile, DeviceSource.Options options) {
        FusionPlan plan = JavaProgramCompiler.plan(program, tile);
        String name = "TornagradJvmKernels" + IDS.incrementAndGet();
        DeviceSource source = DeviceSource.render(plan, name, null, options);
        Class<?> kernels = define(name, InProcessJavac.compile(name, source.source(), List.of()));
        WorkerTeam team = new WorkerTeam(1);
        Backend reference = new ReferenceBackend();
        List<Step> steps = new ArrayList<>();
        for (DeviceSource.Launch launch : source.launches()) {
            if (launch instanceof DeviceSource.Kernel) {
                steps.add(new KernelStep((DeviceSource.Kernel) launch, kernels));
            } else {
                DeviceSource.Call c = (DeviceSource.Call) launch;
                steps.add(Barriers.of(c.instruction, team, reference, c.argmaxRead));
            }
        }
        return new CompiledProgram(program, steps);
    }

    /** The launches a device would make for {@code program}, in order (a kernel call counts once). */
    public static List<DeviceSource.Launch> launches(Program program, int tile) {
        return DeviceSource.render(JavaProgramCompiler.plan(program, tile), "Count", null, DeviceSource.Options.DEFAULT)
            .launches();
    }

    private static Class<?> define(String name, byte[] bytes) {
        ClassLoader loader = new ClassLoader(DeviceSourceOnJvm.class.getClassLoader()) {
            @Override
            protected Class<?> findClass(String n) throws ClassNotFoundException {
                if (n.equals(name)) {
                    return defineClass(n, bytes, 0, bytes.length);
                }
                throw new ClassNotFoundException(n);
            }
        };
        try {
            return loader.loadClass(name);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("device source: cannot load the class javac made", e);
        }
    }

    /** One generated kernel: its parameters bound to the program's buffers or its own arrays. */
    private static final class KernelStep implements Step {
        private final DeviceSource.Kernel kernel;
        private final MethodHandle method;

        KernelStep(DeviceSource.Kernel kernel, Class<?> kernels) {
            this.kernel = kernel;
            try {
                Method m = null;
                for (Method candidate : kernels.getMethods()) {
                    if (candidate.getName().equals(kernel.method)) {
                        m = candidate;
                    }
                }
                if (m == null) {
                    throw new IllegalStateException("device source: no method " + kernel.method);
                }
                this.method = MethodHandles.publicLookup().unreflect(m);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("device source: " + kernel.method + " is not accessible", e);
            }
        }

        @Override
        public void run(Object[] buffers) {
            Object[] args = new Object[kernel.params.size()];
            for (int i = 0; i < args.length; i++) {
                DeviceSource.Param p = kernel.params.get(i);
                args[i] = p.buffer >= 0 ? buffers[p.buffer] : p.array;
            }
            try {
                method.invokeWithArguments(args);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }

        @Override
        public String describe() {
            return kernel.kind + " kernel " + kernel.method;
        }
    }
}
