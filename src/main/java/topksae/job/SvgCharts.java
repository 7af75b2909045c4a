package topksae.job;

import java.util.List;
import java.util.Locale;

/**
 * Small SVG charts for the report (a line chart with one or more series, a bar histogram), as
 * text: no fonts or graphics libraries on the driver, the browser draws the text. Each chart
 * scales to the width of its container (viewBox).
 */
public final class SvgCharts {
    static final int WIDTH = 560;
    static final int HEIGHT = 300;
    private static final int LEFT = 62;
    private static final int RIGHT = 16;
    private static final int TOP = 44;
    private static final int BOTTOM = 46;
    /** Colours of the series, in order. */
    static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e"};

    private SvgCharts() {}

    /** One line of a chart; dashed lines draw no point markers. */
    public record Series(String name, double[] x, double[] y, boolean dashed) {
        public static Series of(String name, double[] x, double[] y) {
            return new Series(name, x, y, false);
        }
    }

    /** Lines through each series' points; logY draws y on a log10 axis (non-positive values dropped). */
    public static String line(String title, String xLabel, String yLabel, List<Series> series, boolean logY) {
        return line(title, xLabel, yLabel, series, logY, false);
    }

    /** As above; fromZero starts a linear y axis at 0 (for rates, where small wiggles should look small). */
    public static String line(
            String title, String xLabel, String yLabel, List<Series> series, boolean logY, boolean fromZero) {
        List<double[]> xv =
                new java.util.ArrayList<>(series.stream().map(Series::x).toList());
        List<double[]> yv = new java.util.ArrayList<>(
                series.stream().map(s -> logY ? log10(s.y()) : s.y()).toList());
        if (fromZero) {
            xv.add(new double[] {0});
            if (!logY) {
                yv.add(new double[] {0});
            }
        }
        Range rx = Range.of(xv);
        Range ry = logY ? Range.logOf(yv) : Range.of(yv);
        StringBuilder b = open(title);
        frame(b, xLabel, yLabel, rx, ry, logY, true);
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            String colour = COLOURS[i % COLOURS.length];
            double[] ys = logY ? log10(s.y()) : s.y();
            StringBuilder pts = new StringBuilder();
            for (int j = 0; j < s.x().length; j++) {
                if (Double.isFinite(ys[j]) && Double.isFinite(s.x()[j])) {
                    pts.append(fmtPx(sx(rx, s.x()[j])))
                            .append(',')
                            .append(fmtPx(sy(ry, ys[j])))
                            .append(' ');
                }
            }
            b.append("<polyline fill=\"none\" stroke=\"")
                    .append(colour)
                    .append("\" stroke-width=\"2\"")
                    .append(s.dashed() ? " stroke-dasharray=\"6 4\"" : "")
                    .append(" points=\"")
                    .append(pts.toString().trim())
                    .append("\"/>\n");
            if (!s.dashed() && s.x().length <= 200) {
                for (String p : pts.toString().trim().split(" ")) {
                    if (!p.isEmpty()) {
                        String[] xy = p.split(",");
                        b.append("<circle cx=\"")
                                .append(xy[0])
                                .append("\" cy=\"")
                                .append(xy[1])
                                .append("\" r=\"2.2\" fill=\"")
                                .append(colour)
                                .append("\"/>");
                    }
                }
                b.append('\n');
            }
        }
        legend(b, series);
        return b.append("</svg>\n").toString();
    }

    /** Bars of counts over [edges[i], edges[i+1]); tick labels are the edges in edgeFormat. */
    public static String histogram(
            String title, String xLabel, String yLabel, double[] edges, long[] counts, String edgeFormat) {
        long max = 1;
        for (long c : counts) {
            max = Math.max(max, c);
        }
        Range rx = new Range(edges[0], edges[edges.length - 1]);
        Range ry = new Range(0, Math.max(5, max)).nice();
        StringBuilder b = open(title);
        frame(b, xLabel, yLabel, rx, ry, false, false);
        for (int i = 0; i < counts.length; i++) {
            double x0 = sx(rx, edges[i]);
            double x1 = sx(rx, edges[i + 1]);
            double y0 = sy(ry, counts[i]);
            b.append(String.format(
                    Locale.ROOT,
                    "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                            + "height=\"%.1f\" fill=\"%s\"><title>%s to %s: %d</title></rect>%n",
                    x0 + 1,
                    y0,
                    Math.max(1, x1 - x0 - 2),
                    sy(ry, 0) - y0,
                    COLOURS[0],
                    String.format(Locale.ROOT, edgeFormat, edges[i]),
                    String.format(Locale.ROOT, edgeFormat, edges[i + 1]),
                    counts[i]));
        }
        int every = Math.max(1, (edges.length + 11) / 12);
        for (int i = 0; i < edges.length; i += every) {
            text(
                    b,
                    sx(rx, edges[i]),
                    HEIGHT - BOTTOM + 16,
                    "middle",
                    "tick",
                    String.format(Locale.ROOT, edgeFormat, edges[i]));
        }
        return b.append("</svg>\n").toString();
    }

    private static StringBuilder open(String title) {
        StringBuilder b = new StringBuilder(4096);
        b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 ")
                .append(WIDTH)
                .append(' ')
                .append(HEIGHT)
                .append("\" role=\"img\" aria-label=\"")
                .append(Html.esc(title))
                .append("\">\n<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n");
        text(b, WIDTH / 2.0, 20, "middle", "title", title);
        return b;
    }

    private static void frame(
            StringBuilder b, String xLabel, String yLabel, Range rx, Range ry, boolean logY, boolean xTicks) {
        for (double vy : logY ? logTicks(ry) : ticks(ry)) {
            double y = sy(ry, vy);
            hline(b, y);
            text(b, LEFT - 6, y + 4, "end", "tick", logY ? fmt(Math.pow(10, vy)) : fmt(vy));
        }
        if (xTicks) {
            for (double vx : ticks(rx)) {
                double x = sx(rx, vx);
                b.append(String.format(
                        Locale.ROOT,
                        "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#e3e3e3\"/>%n",
                        x,
                        TOP,
                        x,
                        HEIGHT - BOTTOM));
                text(b, x, HEIGHT - BOTTOM + 16, "middle", "tick", fmt(vx));
            }
        }
        b.append(String.format(
                Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" " + "stroke=\"#888\"/>%n",
                LEFT,
                TOP,
                WIDTH - LEFT - RIGHT,
                HEIGHT - TOP - BOTTOM));
        text(b, (LEFT + WIDTH - RIGHT) / 2.0, HEIGHT - 8, "middle", "axis", xLabel);
        b.append(String.format(
                Locale.ROOT,
                "<text class=\"axis\" text-anchor=\"middle\" transform=\"translate(14,%.1f) "
                        + "rotate(-90)\">%s</text>%n",
                (TOP + HEIGHT - BOTTOM) / 2.0,
                Html.esc(yLabel)));
    }

    /** A one-line legend between the title and the plot. */
    private static void legend(StringBuilder b, List<Series> series) {
        if (series.size() < 2) {
            return;
        }
        double x = LEFT;
        double y = TOP - 8;
        for (int i = 0; i < series.size(); i++) {
            b.append(String.format(
                    Locale.ROOT,
                    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" " + "stroke-width=\"2\"%s/>%n",
                    x,
                    y - 4,
                    x + 22,
                    y - 4,
                    COLOURS[i % COLOURS.length],
                    series.get(i).dashed() ? " stroke-dasharray=\"6 4\"" : ""));
            text(b, x + 27, y, "start", "legend", series.get(i).name());
            x += 40 + 6.5 * series.get(i).name().length();
        }
    }

    private static void hline(StringBuilder b, double y) {
        b.append(String.format(
                Locale.ROOT,
                "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e3e3e3\"/>%n",
                LEFT,
                y,
                WIDTH - RIGHT,
                y));
    }

    private static void text(StringBuilder b, double x, double y, String anchor, String cls, String s) {
        b.append(String.format(
                Locale.ROOT,
                "<text class=\"%s\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>%n",
                cls,
                x,
                y,
                anchor,
                Html.esc(s)));
    }

    record Range(double lo, double hi) {
        static Range of(List<double[]> values) {
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (double[] v : values) {
                for (double d : v) {
                    if (Double.isFinite(d)) {
                        lo = Math.min(lo, d);
                        hi = Math.max(hi, d);
                    }
                }
            }
            if (lo > hi || (lo == 0 && hi == 0)) {
                return new Range(0, 1);
            }
            double pad = hi > lo ? 0 : Math.max(Math.abs(hi) * 0.1, 1e-9);
            return new Range(lo - pad, hi + pad).nice();
        }

        /** A range of log10 values, padded by 4% of its span (at least a tenth of a decade) on each side. */
        static Range logOf(List<double[]> values) {
            Range r = of(values);
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (double[] v : values) {
                for (double d : v) {
                    if (Double.isFinite(d)) {
                        lo = Math.min(lo, d);
                        hi = Math.max(hi, d);
                    }
                }
            }
            if (lo > hi) {
                return r;
            }
            double pad = Math.max(0.04 * (hi - lo), 0.1);
            return new Range(lo - pad, hi + pad);
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

    static double[] ticks(Range r) {
        double st = r.step();
        double first = Math.ceil(r.lo() / st - 1e-9) * st;
        return java.util.stream.DoubleStream.iterate(first, v -> v <= r.hi() + st * 1e-6, v -> v + st)
                .toArray();
    }

    /**
     * Ticks of a log10 axis at 1, 2 and 5 times powers of ten, or every integer multiple when that
     * gives too few; on a range narrower than that, at round values of the linear range.
     */
    static double[] logTicks(Range r) {
        for (int[] mantissas : new int[][] {{1}, {1, 2, 5}, {1, 2, 3, 4, 5, 6, 7, 8, 9}}) {
            java.util.List<Double> t = new java.util.ArrayList<>();
            for (int e = (int) Math.floor(r.lo()); e <= Math.ceil(r.hi()); e++) {
                for (int m : mantissas) {
                    double v = Math.log10(m) + e;
                    if (v >= r.lo() - 1e-9 && v <= r.hi() + 1e-9) {
                        t.add(v);
                    }
                }
            }
            if (t.size() >= 3) {
                return t.stream().mapToDouble(Double::doubleValue).toArray();
            }
        }
        Range linear = new Range(Math.pow(10, r.lo()), Math.pow(10, r.hi()));
        return java.util.Arrays.stream(ticks(linear))
                .filter(v -> v > 0)
                .map(Math::log10)
                .filter(v -> v >= r.lo() - 1e-9 && v <= r.hi() + 1e-9)
                .toArray();
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

    private static String fmtPx(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static double sx(Range r, double v) {
        return LEFT + (v - r.lo()) / (r.hi() - r.lo()) * (WIDTH - LEFT - RIGHT);
    }

    private static double sy(Range r, double v) {
        return HEIGHT - BOTTOM - (v - r.lo()) / (r.hi() - r.lo()) * (HEIGHT - TOP - BOTTOM);
    }

    private static double[] log10(double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] > 0 ? Math.log10(v[i]) : Double.NaN;
        }
        return out;
    }
}
