package org.tornagrad.cli;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.tornagrad.tensor.Tensor;

/**
 * The demo's synthetic sample: a square image with shapes on a 3x3 grid (class 1 discs, class 2
 * squares, class 3 diamonds; class 0 is background), each shape's bounding box, and for CCS a
 * set of square anchors on a regular grid.
 */
final class DemoScene {
    static final int CLASSES = 4;
    static final String[] CLASS_NAMES = {"background", "disc", "square", "diamond"};
    private static final int GRID = 3;
    private static final int ANCHOR_STRIDE = 2;
    private static final float[] ANCHOR_SIDES = {6, 8, 10, 12, 14, 16};

    final int size;
    /** Row-major (size, size) class labels. */
    final int[] labels;
    /** One row per shape: x1, y1, x2, y2 (pixel edges, x2/y2 exclusive) and the class (1..3). */
    final List<float[]> boxes;

    private DemoScene(int size, int[] labels, List<float[]> boxes) {
        this.size = size;
        this.labels = labels;
        this.boxes = boxes;
    }

    /** A scene of {@code size} x {@code size} pixels; the same seed gives the same scene. */
    static DemoScene make(int size, long seed) {
        Random r = new Random(seed);
        int cell = size / GRID;
        List<Integer> kinds = new ArrayList<>();
        for (int i = 0; i < GRID * GRID; i++) {
            kinds.add(1 + i % (CLASSES - 1));
        }
        Collections.shuffle(kinds, r);
        int[] labels = new int[size * size];
        List<float[]> boxes = new ArrayList<>();
        for (int k = 0; k < GRID * GRID; k++) {
            if (k > 2 && r.nextFloat() < 0.25f) {
                continue;    // leave a few cells empty (the first three hold one shape of each class)
            }
            int cls = kinds.get(k);
            float radius = cell * (0.22f + 0.16f * r.nextFloat());
            float cx = (k % GRID + 0.5f) * cell + (r.nextFloat() - 0.5f) * cell * 0.2f;
            float cy = (k / GRID + 0.5f) * cell + (r.nextFloat() - 0.5f) * cell * 0.2f;
            int x1 = size;
            int y1 = size;
            int x2 = -1;
            int y2 = -1;
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    float dx = x + 0.5f - cx;
                    float dy = y + 0.5f - cy;
                    boolean inside = switch (cls) {
                        case 1 -> dx * dx + dy * dy <= radius * radius;
                        case 2 -> Math.abs(dx) <= radius * 0.9f && Math.abs(dy) <= radius * 0.9f;
                        default -> Math.abs(dx) + Math.abs(dy) <= radius * 1.3f;
                    };
                    if (inside) {
                        labels[y * size + x] = cls;
                        x1 = Math.min(x1, x);
                        y1 = Math.min(y1, y);
                        x2 = Math.max(x2, x);
                        y2 = Math.max(y2, y);
                    }
                }
            }
            if (x2 >= 0) {
                boxes.add(new float[] {x1, y1, x2 + 1, y2 + 1, cls});
            }
        }
        return new DemoScene(size, labels, boxes);
    }

    /** Labels as a (1, H, W) tensor. */
    Tensor labelTensor() {
        float[] v = new float[labels.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = labels[i];
        }
        return Tensor.of(v, 1, size, size);
    }

    /** One-hot labels, (1, C, H, W). */
    Tensor oneHot() {
        int n = size * size;
        float[] v = new float[CLASSES * n];
        for (int i = 0; i < n; i++) {
            v[labels[i] * n + i] = 1f;
        }
        return Tensor.of(v, 1, CLASSES, size, size);
    }

    /** Square anchors centred on a grid, (1, A, 4) as x1, y1, x2, y2. */
    Tensor anchors() {
        int per = size / ANCHOR_STRIDE;
        float[] v = new float[per * per * ANCHOR_SIDES.length * 4];
        int i = 0;
        for (int gy = 0; gy < per; gy++) {
            for (int gx = 0; gx < per; gx++) {
                float cx = (gx + 0.5f) * ANCHOR_STRIDE;
                float cy = (gy + 0.5f) * ANCHOR_STRIDE;
                for (float side : ANCHOR_SIDES) {
                    v[i++] = cx - side / 2;
                    v[i++] = cy - side / 2;
                    v[i++] = cx + side / 2;
                    v[i++] = cy + side / 2;
                }
            }
        }
        return Tensor.of(v, 1, v.length / 4, 4);
    }

    /** The shapes' boxes as CCS annotations, (1, M, 5), with labels 0..2 (class - 1). */
    Tensor annotations() {
        float[] v = new float[boxes.size() * 5];
        for (int m = 0; m < boxes.size(); m++) {
            float[] b = boxes.get(m);
            System.arraycopy(b, 0, v, m * 5, 4);
            v[m * 5 + 4] = b[4] - 1;
        }
        return Tensor.of(v, 1, boxes.size(), 5);
    }
}
