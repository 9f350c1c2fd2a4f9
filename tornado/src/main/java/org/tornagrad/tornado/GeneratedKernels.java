package org.tornagrad.tornado;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.tornagrad.compiler.DeviceSource;
import org.tornagrad.compiler.InProcessJavac;
import uk.ac.manchester.tornado.api.TaskGraph;

/**
 * Turns a {@link DeviceSource} into kernels TornadoVM can take: javac in process (with {@code -g}:
 * TornadoVM's OpenCL prologue needs the local variable table), the class written into a folder
 * that the system class loader searches (TornadoVM re-reads a kernel's bytecode through it), and
 * each kernel handed over as a method reference that a generated static factory returns (TornadoVM
 * finds the kernel as the first static call in the task's {@code apply}).
 *
 * <p>The folder is {@code -Dtornagrad.tornado.kernels=DIR}, else {@code tornagrad-kernels} beside
 * the jar or classes folder holding this module; the module's jar names that folder in its
 * manifest {@code Class-Path}, so a jar on the class path brings it along.
 */
final class GeneratedKernels {
    static final String PARALLEL = "uk.ac.manchester.tornado.api.annotations.Parallel";
    /** The kernels' math class: TornadoVM compiles its float methods to the device's float exp, log, pow, tanh. */
    static final String MATH = "uk.ac.manchester.tornado.api.math.TornadoMath";
    private static final String TASKS = "uk.ac.manchester.tornado.api.common.TornadoFunctions.Task";
    private static final AtomicLong IDS = new AtomicLong();

    private GeneratedKernels() {
    }

    /** The kernels of {@code source}, compiled and loaded; each launch's task is {@link #task}. */
    static Class<?> load(DeviceSource source) {
        Path folder = folder();
        String members = factories(source);
        byte[] bytes = InProcessJavac.compile(source.className(), source.sourceWith(members), javacOptions());
        Path file = folder.resolve(source.className() + ".class");
        try {
            Files.createDirectories(folder);
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new IllegalStateException("tornado: cannot write generated kernels into " + folder + ": " + e, e);
        }
        file.toFile().deleteOnExit();
        ClassLoader system = ClassLoader.getSystemClassLoader();
        if (system.getResource(source.className() + ".class") == null) {
            throw new IllegalStateException("tornado: generated kernels go to " + folder + ", which is not on the class"
                + " path (TornadoVM reads kernels through the system class loader); add it to -cp, or set"
                + " -Dtornagrad.tornado.kernels to a folder that is on it");
        }
        try {
            return Class.forName(source.className(), true, system);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("tornado: cannot load generated " + source.className() + ": " + e, e);
        }
    }

    /** A new class name, unique within this process and among processes sharing the folder. */
    static String newClassName() {
        return "TornagradKernels_" + ProcessHandle.current().pid() + "_" + IDS.incrementAndGet();
    }

    /** The task object (a method reference to the kernel) for {@code kernel}. */
    static Object task(Class<?> kernels, DeviceSource.Kernel kernel) {
        try {
            return kernels.getMethod("task_" + kernel.method).invoke(null);
        } catch (NoSuchMethodException | IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("tornado: generated factory for " + kernel.method + ": " + e, e);
        }
    }

    /** {@code graph.task(name, task, args...)} for the TaskN interface of {@code args.length} parameters. */
    static void addTask(TaskGraph graph, String name, Object task, Object[] args) {
        for (Method m : TaskGraph.class.getMethods()) {
            Class<?>[] types = m.getParameterTypes();
            if (m.getName().equals("task") && types.length == args.length + 2
                && types[1].getSimpleName().equals("Task" + args.length)) {
                Object[] all = new Object[args.length + 2];
                all[0] = name;
                all[1] = task;
                System.arraycopy(args, 0, all, 2, args.length);
                try {
                    m.invoke(graph, all);
                    return;
                } catch (IllegalAccessException | InvocationTargetException e) {
                    Throwable cause = e.getCause() != null ? e.getCause() : e;
                    throw new IllegalStateException("tornado: adding task " + name + ": " + cause, cause);
                }
            }
        }
        throw new IllegalStateException("tornado: TaskGraph has no task method for " + args.length + " parameters");
    }

    /** A static factory per kernel: {@code task_<kernel>()} returns {@code Class::kernel} as a TaskN. */
    private static String factories(DeviceSource source) {
        StringBuilder sb = new StringBuilder();
        for (DeviceSource.Launch launch : source.launches()) {
            if (!(launch instanceof DeviceSource.Kernel)) {
                continue;
            }
            DeviceSource.Kernel k = (DeviceSource.Kernel) launch;
            List<String> types = new ArrayList<>();
            for (DeviceSource.Param p : k.params) {
                types.add(p.type());
            }
            String type = TASKS + types.size() + "<" + String.join(", ", types) + ">";
            sb.append("    public static Object task_").append(k.method).append("() {\n")
                .append("        ").append(type).append(" task = ").append(source.className()).append("::")
                .append(k.method).append(";\n        return task;\n    }\n");
        }
        return sb.toString();
    }

    /** TornadoVM's API is a module of the boot layer here: javac sees it through the module path. */
    private static List<String> javacOptions() {
        List<String> options = new ArrayList<>(List.of("-g"));
        String modules = System.getProperty("jdk.module.path");
        if (modules != null && !modules.isEmpty()) {
            options.addAll(List.of("--module-path", modules, "--add-modules", "tornado.api"));
        }
        return options;
    }

    /** Where generated kernel classes go: the property, else beside this module's jar or classes. */
    static Path folder() {
        String configured = System.getProperty("tornagrad.tornado.kernels");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath();
        }
        CodeSource code = GeneratedKernels.class.getProtectionDomain().getCodeSource();
        try {
            Path home = Path.of(code.getLocation().toURI());
            return home.getParent().resolve("tornagrad-kernels");
        } catch (URISyntaxException | RuntimeException e) {
            throw new IllegalStateException("tornado: cannot tell where this module lives (" + e
                + "); set -Dtornagrad.tornado.kernels to a folder on the class path");
        }
    }
}
