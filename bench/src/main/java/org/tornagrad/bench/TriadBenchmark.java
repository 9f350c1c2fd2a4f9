package org.tornagrad.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.tornagrad.compiler.WorkerTeam;

/**
 * What memory bandwidth does this machine give a Java loop? STREAM's triad,
 * {@code a[i] = b[i] + s * c[i]} over three arrays of {@value #N} floats (64 MiB each, far beyond
 * the caches), split in fixed chunks over {@code threads} threads of a {@link WorkerTeam} (the
 * compiled path's threads). Bandwidth, counted as STREAM counts it (three arrays moved per
 * call): {@code 3 * 4 * N bytes / time}. It is the yardstick of the bandwidth floor of a loss.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx2g"})
public class TriadBenchmark implements WorkerTeam.Task {
    public static final int N = 1 << 24;
    private static final int CHUNK = 1 << 16;

    @Param({"1", "2"})
    public int threads;

    private float[] a;
    private float[] b;
    private float[] c;
    private WorkerTeam team;

    @Setup(Level.Trial)
    public void setUp() {
        a = new float[N];
        b = new float[N];
        c = new float[N];
        for (int i = 0; i < N; i++) {
            b[i] = i;
            c[i] = 0.5f * i;
        }
        team = new WorkerTeam(threads);
    }

    @Override
    public void run(int chunk, int member) {
        float[] x = a;
        float[] y = b;
        float[] z = c;
        int from = chunk * CHUNK;
        int to = from + CHUNK;
        for (int i = from; i < to; i++) {
            x[i] = y[i] + 3f * z[i];
        }
    }

    @Benchmark
    public float[] triad() {
        team.run(this, N / CHUNK);
        return a;
    }
}
