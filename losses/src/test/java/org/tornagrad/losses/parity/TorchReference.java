package org.tornagrad.losses.parity;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.tornagrad.tensor.Npy;
import org.tornagrad.tensor.Tensor;

/**
 * Runs losses/src/test/python/torch_reference.py once over every case: writes each case's
 * inputs as .npy and its case.json into a directory of its own, starts one Python process for
 * all of them (importing torch takes seconds), and reads back expected_loss.npy and
 * expected_grad_NAME.npy, or error.txt.
 */
final class TorchReference {
    static final String PYTHON_ENV = "TORNAGRAD_PYTHON";
    static final String DEFAULT_PYTHON = "/usr/bin/python3";
    static final String NOT_FOUND =
        "PyTorch not found: install it with apt-get install -y python3-torch (Debian) to run the parity suite";
    private static final long TIMEOUT_MINUTES = 10;

    /** What PyTorch computed for one case: the loss and gradients, or the error it raised. */
    record Expected(Tensor loss, Map<String, Tensor> gradients, String error) {
        boolean isError() {
            return error != null;
        }
    }

    /** The reference's answers by case id, or why there are none (PyTorch missing). */
    record Answers(Map<String, Expected> byId, String unavailable) {
    }

    private TorchReference() {
    }

    /** The interpreter: $TORNAGRAD_PYTHON, else /usr/bin/python3 (Debian's, where python3-torch installs). */
    static String python() {
        String p = System.getenv(PYTHON_ENV);
        return p == null || p.isBlank() ? DEFAULT_PYTHON : p.trim();
    }

    /** The module directory (surefire runs tests there; an IDE may run them from the repository root). */
    static Path moduleDir() {
        String basedir = System.getProperty("basedir");
        Path here = basedir != null ? Path.of(basedir) : Path.of("").toAbsolutePath();
        if (!Files.isDirectory(here.resolve("src/test/python")) && Files.isDirectory(here.resolve("losses/src/test/python"))) {
            return here.resolve("losses");
        }
        return here;
    }

    static Path script() {
        Path s = moduleDir().resolve("src/test/python/torch_reference.py");
        if (!Files.isRegularFile(s)) {
            throw new IllegalStateException("torch_reference.py: expected it at " + s + ", not found");
        }
        return s;
    }

    /** Writes every case under {@code workDir}, runs the reference once and reads its answers. */
    static Answers run(List<ParityCase> cases, Path workDir) throws IOException, InterruptedException {
        Map<String, Path> dirs = new LinkedHashMap<>();
        for (int i = 0; i < cases.size(); i++) {
            ParityCase c = cases.get(i);
            Path dir = workDir.resolve(String.format("%03d-%s", i, c.id().replaceAll("[^A-Za-z0-9._-]", "_")));
            write(c, dir);
            dirs.put(c.id(), dir);
        }
        List<String> command = new ArrayList<>();
        command.add(python());
        command.add(script().toString());
        for (Path d : dirs.values()) {
            command.add(d.toString());
        }
        Path log = workDir.resolve("reference.log");
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            return new Answers(Map.of(), NOT_FOUND + " (cannot start " + python() + ": " + e.getMessage() + ")");
        }
        if (!process.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException("torch_reference.py: expected to finish within " + TIMEOUT_MINUTES
                + " minutes, still running; log " + log);
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            if (output.contains("No module named 'torch'") || output.contains("No module named 'numpy'")) {
                return new Answers(Map.of(), NOT_FOUND + " (" + python() + " cannot import torch and numpy)");
            }
            throw new IllegalStateException("torch_reference.py: expected exit status 0, got " + process.exitValue()
                + "; output:\n" + output);
        }
        Map<String, Expected> byId = new LinkedHashMap<>();
        for (Map.Entry<String, Path> e : dirs.entrySet()) {
            byId.put(e.getKey(), read(e.getValue()));
        }
        return new Answers(byId, null);
    }

    private static void write(ParityCase c, Path dir) throws IOException {
        Files.createDirectories(dir);
        for (Map.Entry<String, Tensor> in : c.inputs().entrySet()) {
            Npy.write(dir.resolve(in.getKey() + ".npy"), in.getValue());
        }
        StringBuilder json = new StringBuilder("{\"loss\": ").append(quote(c.loss())).append(", \"options\": {");
        String sep = "";
        for (Map.Entry<String, String> o : c.options().entrySet()) {
            json.append(sep).append(quote(o.getKey())).append(": ").append(quote(o.getValue()));
            sep = ", ";
        }
        json.append("}}\n");
        Files.writeString(dir.resolve("case.json"), json, StandardCharsets.UTF_8);
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            if (ch == '"' || ch == '\\') {
                b.append('\\').append(ch);
            } else if (ch < 0x20) {
                b.append(String.format("\\u%04x", (int) ch));
            } else {
                b.append(ch);
            }
        }
        return b.append('"').toString();
    }

    private static Expected read(Path dir) throws IOException {
        Path error = dir.resolve("error.txt");
        if (Files.exists(error)) {
            return new Expected(null, Map.of(), Files.readString(error, StandardCharsets.UTF_8).trim());
        }
        Path loss = dir.resolve("expected_loss.npy");
        if (!Files.exists(loss)) {
            throw new IllegalStateException(dir + ": expected expected_loss.npy or error.txt from the reference, found neither");
        }
        Map<String, Tensor> grads = new LinkedHashMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "expected_grad_*.npy")) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                grads.put(name.substring("expected_grad_".length(), name.length() - ".npy".length()), Npy.read(f));
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return new Expected(Npy.read(loss), grads, null);
    }
}
