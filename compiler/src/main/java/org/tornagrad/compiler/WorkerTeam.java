package org.tornagrad.compiler;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed team of threads that runs numbered chunks of one task at a time, without allocating:
 * compiled programs call it several times per run, and a fork-join pool would allocate a task
 * object (and a lambda) per call. The calling thread works as member 0; chunks are handed out in
 * increasing order from a shared counter, so a busy core does not hold the others back, and
 * results never depend on which member ran a chunk (each chunk writes its own outputs).
 *
 * <p>Helpers spin briefly after a task (the next kernel of a program usually follows within
 * microseconds), then park. One task runs at a time; {@link #run} is synchronized.
 */
public final class WorkerTeam {
    /** One unit of parallel work: chunk {@code chunk}, run by team member {@code member}. */
    public interface Task {
        void run(int chunk, int member);
    }

    /** Spins of a helper waiting for work before it parks (a few tens of microseconds). */
    private static final int SPINS = 20_000;

    private static volatile WorkerTeam shared;

    private final int size;
    private final Thread[] helpers;
    private final AtomicInteger nextChunk = new AtomicInteger();
    private final AtomicInteger busyHelpers = new AtomicInteger();
    private volatile Task task;
    private volatile int chunks;
    private volatile long generation;
    private volatile Thread caller;
    private volatile Throwable failure;

    /** A team of {@code size} members: the caller and {@code size - 1} daemon helper threads. */
    public WorkerTeam(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("size: expected >= 1 threads, got " + size);
        }
        this.size = size;
        this.helpers = new Thread[size - 1];
        for (int i = 0; i < helpers.length; i++) {
            int member = i + 1;
            Thread t = new Thread(() -> helperLoop(member), "tornagrad-compiled-" + member);
            t.setDaemon(true);
            helpers[i] = t;
            t.start();
        }
    }

    /**
     * The process-wide team, sized by {@value org.tornagrad.kernels.ParallelBackend#THREADS_PROPERTY}
     * (default: available processors), as the parallel backend is; an IllegalArgumentException
     * for a value that is not an integer in [1, {@value org.tornagrad.kernels.ParallelBackend#MAX_THREADS}].
     */
    public static WorkerTeam shared() {
        WorkerTeam t = shared;
        if (t == null) {
            synchronized (WorkerTeam.class) {
                t = shared;
                if (t == null) {
                    t = new WorkerTeam(org.tornagrad.kernels.ParallelBackend.configuredThreads());
                    shared = t;
                }
            }
        }
        return t;
    }

    /** The number of members, the caller included. */
    public int size() {
        return size;
    }

    /** Runs {@code task} for chunks 0 .. chunks-1 and returns when all are done. */
    public synchronized void run(Task task, int chunks) {
        if (chunks <= 0) {
            return;
        }
        if (chunks == 1 || size == 1) {
            for (int c = 0; c < chunks; c++) {
                task.run(c, 0);
            }
            return;
        }
        this.task = task;
        this.chunks = chunks;
        this.failure = null;
        this.caller = Thread.currentThread();
        nextChunk.set(0);
        busyHelpers.set(helpers.length);
        generation++; // volatile write: publishes the fields above to the helpers
        for (Thread h : helpers) {
            LockSupport.unpark(h);
        }
        work(task, chunks, 0);
        int spins = 0;
        while (busyHelpers.get() != 0) {
            if (++spins < SPINS) {
                Thread.onSpinWait();
            } else {
                LockSupport.park(this);
            }
        }
        this.task = null;
        Throwable f = failure;
        if (f != null) {
            if (f instanceof RuntimeException) {
                throw (RuntimeException) f;
            }
            if (f instanceof Error) {
                throw (Error) f;
            }
            throw new IllegalStateException(f);
        }
    }

    private void work(Task t, int n, int member) {
        try {
            for (int c = nextChunk.getAndIncrement(); c < n; c = nextChunk.getAndIncrement()) {
                t.run(c, member);
            }
        } catch (Throwable e) {
            failure = e;
            nextChunk.set(n); // the others stop taking chunks
        }
    }

    private void helperLoop(int member) {
        long seen = 0;
        while (true) {
            int spins = 0;
            while (generation == seen) {
                if (++spins < SPINS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            seen = generation;
            Task t = task;
            if (t != null) {
                work(t, chunks, member);
            }
            if (busyHelpers.decrementAndGet() == 0) {
                LockSupport.unpark(caller);
            }
        }
    }
}
