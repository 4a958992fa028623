package dev.convene.loadtest;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;

/**
 * Writes a report as {@code <name>.json}, a self-contained {@code <name>.html} (inline SVG
 * charts drawn here, no scripts) and {@code <name>-<chart>.png} for the docs (Java2D).
 */
final class ReportWriter {

    /** A chart: a title, a unit and the lines it draws from the series. */
    record Chart(String id, String title, String unit, List<Line> lines) {
    }

    record Line(String label, Color color, ToDoubleFunction<Report.Sample> value) {
    }

    static final List<Chart> CHARTS = List.of(
            new Chart("latency", "One-way latency through the SFU (bots)", "ms", List.of(
                    new Line("p50", new Color(0x1f77b4), Report.Sample::latencyP50Millis),
                    new Line("p99", new Color(0xd62728), Report.Sample::latencyP99Millis))),
            new Chart("cpu", "Server CPU", "cores", List.of(
                    new Line("process", new Color(0x7f7f7f), Report.Sample::processCores),
                    new Line("media loops", new Color(0x2ca02c), Report.Sample::mediaLoopCores))),
            new Chart("packets", "SFU RTP packets per second", "pkt/s", List.of(
                    new Line("in", new Color(0x9467bd), Report.Sample::rtpInPerSecond),
                    new Line("out", new Color(0xff7f0e), Report.Sample::rtpOutPerSecond))));

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final int W = 720;
    private static final int H = 260;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 30;
    private static final int BOTTOM = 40;

    private ReportWriter() {
    }

    /** Writes every file; returns their paths. */
    static List<Path> write(Report report, Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        List<Path> written = new ArrayList<>();
        Path json = dir.resolve(name + ".json");
        JSON.writeValue(json.toFile(), report);
        written.add(json);
        Path html = dir.resolve(name + ".html");
        Files.writeString(html, html(report));
        written.add(html);
        for (Chart chart : CHARTS) {
            Path png = dir.resolve(name + "-" + chart.id() + ".png");
            ImageIO.write(png(report.series(), chart), "png", png.toFile());
            written.add(png);
        }
        return written;
    }

    static String html(Report r) {
        StringBuilder b = new StringBuilder();
        b.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>convene-loadtest: ")
                .append(esc(r.scenario())).append("</title><style>body{font:14px system-ui,sans-serif;margin:2em;max-width:60em}"
                        + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}"
                        + ".ok{color:#080}.fail{color:#c00;font-weight:bold}svg{display:block;margin:1em 0}</style></head><body>");
        b.append("<h1>").append(esc(r.scenario())).append("</h1><p>").append(esc(r.startedAt())).append(" — ")
                .append(esc(r.target())).append("</p><p><code>").append(esc(r.command())).append("</code></p>");
        b.append("<h2>Checks</h2><table>");
        for (Report.Check c : r.checks()) {
            b.append("<tr><td class=\"").append(c.ok() ? "ok\">pass" : "fail\">FAIL").append("</td><td>").append(esc(c.name()))
                    .append("</td><td>").append(esc(c.detail())).append("</td></tr>");
        }
        b.append("</table><h2>Results</h2><table>");
        for (Map.Entry<String, Double> e : r.results().entrySet()) {
            b.append("<tr><td>").append(esc(e.getKey())).append("</td><td>").append(format(e.getValue())).append("</td></tr>");
        }
        b.append("</table><h2>Charts</h2>");
        for (Chart chart : CHARTS) {
            b.append(svg(r.series(), chart));
        }
        b.append("<h2>Parameters and machine</h2><table>");
        for (Map.Entry<String, Object> e : r.parameters().entrySet()) {
            b.append("<tr><td>").append(esc(e.getKey())).append("</td><td>").append(esc(String.valueOf(e.getValue())))
                    .append("</td></tr>");
        }
        for (Map.Entry<String, Object> e : r.machine().entrySet()) {
            b.append("<tr><td>").append(esc(e.getKey())).append("</td><td>").append(esc(String.valueOf(e.getValue())))
                    .append("</td></tr>");
        }
        b.append("</table>");
        for (String note : r.notes()) {
            b.append("<p>").append(esc(note)).append("</p>");
        }
        return b.append("</body></html>\n").toString();
    }

    /** The axes' ranges: time across, 0..max of every line up. */
    private record Frame(double t0, double t1, double max) {
        static Frame of(List<Report.Sample> series, Chart chart) {
            double t0 = series.isEmpty() ? 0 : series.get(0).t();
            double t1 = series.isEmpty() ? 1 : series.get(series.size() - 1).t();
            double max = 0;
            for (Report.Sample s : series) {
                for (Line l : chart.lines()) {
                    double v = l.value().applyAsDouble(s);
                    if (Double.isFinite(v)) {
                        max = Math.max(max, v);
                    }
                }
            }
            return new Frame(t0, Math.max(t1, t0 + 1), max > 0 ? max * 1.1 : 1);
        }

        double x(double t) {
            return LEFT + (t - t0) / (t1 - t0) * (W - LEFT - RIGHT);
        }

        double y(double v) {
            return TOP + (1 - v / max) * (H - TOP - BOTTOM);
        }
    }

    static String svg(List<Report.Sample> series, Chart chart) {
        Frame f = Frame.of(series, chart);
        StringBuilder b = new StringBuilder();
        b.append(String.format("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"%s\">",
                W, H, esc(chart.title())));
        b.append(String.format("<text x=\"%d\" y=\"18\" font-weight=\"bold\">%s (%s)</text>", LEFT, esc(chart.title()),
                esc(chart.unit())));
        b.append(String.format("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>", LEFT, TOP,
                W - LEFT - RIGHT, H - TOP - BOTTOM));
        for (int i = 0; i <= 4; i++) {
            double v = f.max() * i / 4;
            b.append(String.format("<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" font-size=\"11\">%s</text>", LEFT - 4,
                    f.y(v) + 4, format(v)));
        }
        b.append(String.format("<text x=\"%d\" y=\"%d\" font-size=\"11\">%.0f s</text>", LEFT, H - BOTTOM + 14, f.t0()));
        b.append(String.format("<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"11\">%.0f s</text>", W - RIGHT,
                H - BOTTOM + 14, f.t1()));
        int legend = LEFT;
        for (Line line : chart.lines()) {
            String color = String.format("#%06x", line.color().getRGB() & 0xFFFFFF);
            StringBuilder points = new StringBuilder();
            for (Report.Sample s : series) {
                double v = line.value().applyAsDouble(s);
                if (Double.isFinite(v)) {
                    points.append(String.format("%.1f,%.1f ", f.x(s.t()), f.y(v)));
                }
            }
            b.append("<polyline fill=\"none\" stroke-width=\"1.5\" stroke=\"").append(color).append("\" points=\"")
                    .append(points.toString().strip()).append("\"/>");
            b.append(String.format("<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"%s\">%s</text>", legend, H - 8, color,
                    esc(line.label())));
            legend += 110;
        }
        return b.append("</svg>").toString();
    }

    static BufferedImage png(List<Report.Sample> series, Chart chart) {
        Frame f = Frame.of(series, chart);
        BufferedImage image = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, W, H);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
            g.drawString(chart.title() + " (" + chart.unit() + ")", LEFT, 18);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            g.setColor(Color.GRAY);
            g.drawRect(LEFT, TOP, W - LEFT - RIGHT, H - TOP - BOTTOM);
            for (int i = 0; i <= 4; i++) {
                double v = f.max() * i / 4;
                String label = format(v);
                g.drawString(label, LEFT - 6 - g.getFontMetrics().stringWidth(label), (int) f.y(v) + 4);
            }
            g.drawString(String.format("%.0f s", f.t0()), LEFT, H - BOTTOM + 14);
            String end = String.format("%.0f s", f.t1());
            g.drawString(end, W - RIGHT - g.getFontMetrics().stringWidth(end), H - BOTTOM + 14);
            int legend = LEFT;
            g.setStroke(new BasicStroke(1.5f));
            for (Line line : chart.lines()) {
                g.setColor(line.color());
                Path2D path = new Path2D.Double();
                boolean started = false;
                for (Report.Sample s : series) {
                    double v = line.value().applyAsDouble(s);
                    if (!Double.isFinite(v)) {
                        continue;
                    }
                    if (started) {
                        path.lineTo(f.x(s.t()), f.y(v));
                    } else {
                        path.moveTo(f.x(s.t()), f.y(v));
                        started = true;
                    }
                }
                g.draw(path);
                g.drawString(line.label(), legend, H - 8);
                legend += 110;
            }
        } finally {
            g.dispose();
        }
        return image;
    }

    static String format(double v) {
        if (Double.isNaN(v)) {
            return "–";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.format("%,d", (long) v);
        }
        return Math.abs(v) >= 100 ? String.format("%,.0f", v) : String.format("%.3g", v);
    }

    private static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
