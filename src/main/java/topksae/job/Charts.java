package topksae.job;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;

import javax.imageio.ImageIO;

/** Small PNG charts drawn with java.awt (headless): a line chart and a bar histogram. */
public final class Charts {
  static final int WIDTH = 720;
  static final int HEIGHT = 420;
  private static final int LEFT = 80;
  private static final int RIGHT = 24;
  private static final int TOP = 44;
  private static final int BOTTOM = 60;
  private static final Color LINE = new Color(0x1f, 0x77, 0xb4);
  private static final Color GRID = new Color(0xdd, 0xdd, 0xdd);

  private Charts() {
  }

  /** A line through (x[i], y[i]); logY draws y on a log10 axis (non-positive values dropped). */
  public static BufferedImage line(String title, String xLabel, String yLabel,
                                   double[] x, double[] y, boolean logY) {
    double[] ys = logY ? log10(y) : y.clone();
    BufferedImage img = blank();
    Graphics2D g = graphics(img);
    Range rx = Range.of(x);
    Range ry = Range.of(ys);
    frame(g, title, xLabel, yLabel, rx, ry, logY, true);
    g.setColor(LINE);
    g.setStroke(new BasicStroke(2f));
    int px = -1;
    int py = -1;
    for (int i = 0; i < x.length; i++) {
      if (!Double.isFinite(ys[i])) {
        continue;
      }
      int cx = sx(rx, x[i]);
      int cy = sy(ry, ys[i]);
      if (px >= 0) {
        g.drawLine(px, py, cx, cy);
      }
      g.fillOval(cx - 2, cy - 2, 5, 5);
      px = cx;
      py = cy;
    }
    g.dispose();
    return img;
  }

  /** Bars of counts over [edges[i], edges[i+1]); labels are the edges as written. */
  public static BufferedImage histogram(String title, String xLabel, String yLabel,
                                        double[] edges, long[] counts, String edgeFormat) {
    BufferedImage img = blank();
    Graphics2D g = graphics(img);
    long max = 1;
    for (long c : counts) {
      max = Math.max(max, c);
    }
    Range rx = new Range(edges[0], edges[edges.length - 1]);
    Range ry = new Range(0, Math.max(5, max)).nice();
    frame(g, title, xLabel, yLabel, rx, ry, false, false);
    for (int i = 0; i < counts.length; i++) {
      int x0 = sx(rx, edges[i]);
      int x1 = sx(rx, edges[i + 1]);
      int y0 = sy(ry, counts[i]);
      g.setColor(LINE);
      g.fillRect(x0 + 1, y0, Math.max(1, x1 - x0 - 2), sy(ry, 0) - y0);
    }
    g.setColor(Color.DARK_GRAY);
    for (double e : edges) {
      String s = String.format(Locale.ROOT, edgeFormat, e);
      g.drawString(s, sx(rx, e) - g.getFontMetrics().stringWidth(s) / 2, HEIGHT - BOTTOM + 16);
    }
    g.dispose();
    return img;
  }

  /** PNG bytes of an image. */
  public static byte[] png(BufferedImage img) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(img, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  record Range(double lo, double hi) {
    static Range of(double[] v) {
      double lo = Double.POSITIVE_INFINITY;
      double hi = Double.NEGATIVE_INFINITY;
      for (double d : v) {
        if (Double.isFinite(d)) {
          lo = Math.min(lo, d);
          hi = Math.max(hi, d);
        }
      }
      if (lo > hi) {
        return new Range(0, 1);
      }
      double pad = hi > lo ? 0 : Math.max(Math.abs(hi) * 0.1, 1e-9);
      return new Range(lo - pad, hi + pad).nice();
    }

    /** Tick spacing: 1, 2 or 5 times a power of ten, about five ticks over the range. */
    double step() {
      double raw = (hi - lo) / 5;
      double p = Math.pow(10, Math.floor(Math.log10(raw)));
      double m = raw / p;
      return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
    }

    /** The range widened to whole ticks. */
    Range nice() {
      double st = step();
      return new Range(Math.floor(lo / st + 1e-9) * st, Math.ceil(hi / st - 1e-9) * st);
    }
  }

  private static BufferedImage blank() {
    System.setProperty("java.awt.headless", "true");
    return new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
  }

  private static Graphics2D graphics(BufferedImage img) {
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, WIDTH, HEIGHT);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    return g;
  }

  private static void frame(Graphics2D g, String title, String xLabel, String yLabel,
                            Range rx, Range ry, boolean logY, boolean xTicks) {
    FontMetrics fm = g.getFontMetrics();
    g.setColor(Color.BLACK);
    g.setFont(g.getFont().deriveFont(Font.BOLD, 15f));
    g.drawString(title, (WIDTH - g.getFontMetrics().stringWidth(title)) / 2, 26);
    g.setFont(g.getFont().deriveFont(Font.PLAIN, 12f));
    for (double vy : ticks(ry)) {
      g.setColor(GRID);
      g.drawLine(LEFT, sy(ry, vy), WIDTH - RIGHT, sy(ry, vy));
      g.setColor(Color.DARK_GRAY);
      String ty = logY ? fmt(Math.pow(10, vy)) : fmt(vy);
      g.drawString(ty, LEFT - 6 - fm.stringWidth(ty), sy(ry, vy) + 4);
    }
    for (double vx : xTicks ? ticks(rx) : new double[0]) {
      g.setColor(GRID);
      g.drawLine(sx(rx, vx), TOP, sx(rx, vx), HEIGHT - BOTTOM);
      g.setColor(Color.DARK_GRAY);
      String tx = fmt(vx);
      g.drawString(tx, sx(rx, vx) - fm.stringWidth(tx) / 2, HEIGHT - BOTTOM + 16);
    }
    g.setColor(Color.BLACK);
    g.drawRect(LEFT, TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
    g.drawString(xLabel, (WIDTH - fm.stringWidth(xLabel)) / 2, HEIGHT - 14);
    g.rotate(-Math.PI / 2);
    g.drawString(yLabel, -(HEIGHT + fm.stringWidth(yLabel)) / 2, 16);
    g.rotate(Math.PI / 2);
  }

  private static double[] ticks(Range r) {
    double st = r.step();
    int n = (int) Math.floor((r.hi() - r.lo()) / st + 1e-9) + 1;
    double first = Math.ceil(r.lo() / st - 1e-9) * st;
    double[] t = new double[n];
    for (int i = 0; i < n; i++) {
      t[i] = first + i * st;
    }
    return t;
  }

  /** A short tick label: 0, 0.25, 12.5, 50k, 1.2M, 3e-04. */
  static String fmt(double v) {
    double a = Math.abs(v);
    if (a < 1e-12) {
      return "0";
    }
    if (a < 1e-2) {
      return String.format(Locale.ROOT, "%.1e", v).replace(".0e", "e");
    }
    String[] suffix = {"", "k", "M", "G", "T"};
    int k = 0;
    while (a >= 1000 && k < suffix.length - 1) {
      v /= 1000;
      a /= 1000;
      k++;
    }
    String s = String.format(Locale.ROOT, "%.3g", v);
    if (s.contains(".") && !s.contains("e")) {
      s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
    return s + suffix[k];
  }

  private static int sx(Range r, double v) {
    return LEFT + (int) Math.round((v - r.lo()) / (r.hi() - r.lo()) * (WIDTH - LEFT - RIGHT));
  }

  private static int sy(Range r, double v) {
    return HEIGHT - BOTTOM
        - (int) Math.round((v - r.lo()) / (r.hi() - r.lo()) * (HEIGHT - TOP - BOTTOM));
  }

  private static double[] log10(double[] v) {
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i] > 0 ? Math.log10(v[i]) : Double.NaN;
    }
    return out;
  }
}
