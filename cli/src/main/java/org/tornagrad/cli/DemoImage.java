package org.tornagrad.cli;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** The demo's picture: one row per loss with its target, prediction and gradient side by side. */
final class DemoImage {
    /** One row of the picture. */
    record Row(String loss, String options, float first, float last, String score, int[] target, int[] prediction, int[] gradient,
               String gradientCaption) {
    }

    private static final int MARGIN = 12;
    private static final int LABEL_WIDTH = 200;
    private static final int HEADER = 30;
    private static final int FOOTER = 78;
    private static final int GAP = 10;

    private DemoImage() {
    }

    /**
     * Draws the rows; returns false when the labels could not be drawn (a JVM without fonts), in
     * which case the picture has the panels only.
     */
    static boolean write(List<Row> rows, int size, int steps, Path out) {
        int scale = Math.max(1, Math.round(192f / size));
        int panel = size * scale;
        int width = MARGIN + LABEL_WIDTH + 3 * (panel + GAP) + MARGIN;
        int height = HEADER + rows.size() * (panel + GAP) + FOOTER;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        for (int r = 0; r < rows.size(); r++) {
            Row row = rows.get(r);
            int y = HEADER + r * (panel + GAP);
            int[][] panels = {row.target(), row.prediction(), row.gradient()};
            for (int p = 0; p < 3; p++) {
                int x = MARGIN + LABEL_WIDTH + p * (panel + GAP);
                drawPixels(g, panels[p], size, scale, x, y);
                g.setColor(Color.GRAY);
                g.drawRect(x - 1, y - 1, panel + 1, panel + 1);
            }
        }
        boolean labelled = true;
        try {
            drawLabels(g, rows, size, panel, steps, height);
        } catch (Throwable fontTrouble) {    // a headless JVM without any font gives an Error here
            labelled = false;
        }
        g.dispose();
        // ImageIO.write(..., File) prints the stack trace of a file it cannot open to stderr before it
        // fails; opening the file here keeps that error ours, to report in one line.
        String format = format(out);
        try (OutputStream file = Files.newOutputStream(out);
             ImageOutputStream stream = new MemoryCacheImageOutputStream(file)) {
            if (!ImageIO.write(img, format, stream)) {
                throw new IllegalStateException("no " + format.toUpperCase(java.util.Locale.ROOT) + " writer in this JVM");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(DemoCommand.OUT_EXPECTED + ", got '" + out + "' ("
                + Errors.ioReason(e) + ")");
        }
        return labelled;
    }

    /**
     * The image format {@code out}'s name asks for: png, or jpeg for .jpg and .jpeg (any case). Any
     * other name is refused: a .jpg holding PNG bytes, as was written, is a file some viewers refuse.
     */
    static String format(Path out) {
        Path name = out.getFileName();
        String lower = name == null ? "" : name.toString().toLowerCase(java.util.Locale.ROOT);
        if (lower.endsWith(".png")) {
            return "png";
        }
        if (lower.endsWith(".jpg") || lower.endsWith(".jpeg")) {
            return "jpeg";
        }
        throw new IllegalArgumentException("--out: expected a file name ending in .png, .jpg or .jpeg, got '" + out + "'");
    }

    private static void drawPixels(Graphics2D g, int[] rgb, int size, int scale, int x0, int y0) {
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                g.setColor(new Color(rgb[y * size + x]));
                g.fillRect(x0 + x * scale, y0 + y * scale, scale, scale);
            }
        }
    }

    private static void drawLabels(Graphics2D g, List<Row> rows, int size, int panel, int steps, int height) {
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        Font plain = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
        Font bold = new Font(Font.SANS_SERIF, Font.BOLD, 14);
        g.setColor(Color.BLACK);
        g.setFont(bold);
        String[] heads = {"target", "prediction, step " + steps, "gradient, step 0"};
        for (int p = 0; p < 3; p++) {
            g.drawString(heads[p], MARGIN + LABEL_WIDTH + p * (panel + GAP), HEADER - 9);
        }
        for (int r = 0; r < rows.size(); r++) {
            Row row = rows.get(r);
            int y = HEADER + r * (panel + GAP);
            g.setFont(bold);
            g.drawString(row.loss(), MARGIN, y + 16);
            g.setFont(plain);
            g.setColor(Color.DARK_GRAY);
            g.drawString(row.options(), MARGIN, y + 34);
            g.setColor(Color.BLACK);
            g.drawString(String.format(Locale.ROOT, "loss %.4f -> %.4f", row.first(), row.last()), MARGIN, y + 56);
            g.drawString(row.score(), MARGIN, y + 74);
            g.setColor(Color.DARK_GRAY);
            g.drawString("gradient panel:", MARGIN, y + 96);
            g.drawString(row.gradientCaption(), MARGIN, y + 112);
            g.setColor(Color.BLACK);
        }
        // Legend: the class colours, then what the gradient colours mean.
        int y = height - FOOTER + 20;
        int x = MARGIN;
        for (int c = 0; c < DemoScene.CLASSES; c++) {
            g.setColor(new Color(DemoTask.PALETTE[c]));
            g.fillRect(x, y - 10, 12, 12);
            g.setColor(Color.BLACK);
            g.drawRect(x, y - 10, 12, 12);
            g.drawString(DemoScene.CLASS_NAMES[c], x + 16, y);
            x += 28 + g.getFontMetrics().stringWidth(DemoScene.CLASS_NAMES[c]);
        }
        g.drawString("(" + size + "x" + size + " synthetic sample)", x, y);
        g.drawString("gradient: red +, blue -, white 0, each panel scaled to its largest magnitude; for the logit maps,"
            + " -dL/dlogit of the true class", MARGIN, y + 20);
        g.drawString("ccs: annotation boxes, and a dot at the centre of each anchor assigned to a box (IoU > 0.5),"
            + " coloured by its (predicted) class", MARGIN, y + 38);
    }
}
