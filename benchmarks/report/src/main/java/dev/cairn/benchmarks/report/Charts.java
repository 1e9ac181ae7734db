package dev.cairn.benchmarks.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/** Grouped bar charts (XChart, rendered headless to PNG): the three systems of each table line (Cairn, Flink, ceiling, or as the section names them). */
final class Charts {
    private Charts() {
    }

    /**
     * Writes {@code file} (a {@code .png} path) with one group of bars per line. A missing value is drawn as no
     * bar (zero height); the table says "–" for it.
     */
    static void write(Path file, String title, String yAxis, Section section, List<Comparison> lines) {
        String ceilingName = section.ceilingName();
        System.setProperty("java.awt.headless", "true");
        CategoryChart chart = new CategoryChartBuilder().width(Math.max(800, 140 * lines.size() + 200)).height(520)
                .title(title).xAxisTitle("").yAxisTitle(yAxis).build();
        Styler styler = chart.getStyler();
        styler.setLegendPosition(Styler.LegendPosition.OutsideS);
        styler.setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setXAxisLabelRotation(lines.size() > 4 ? 30 : 0);
        chart.getStyler().setOverlapped(false);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);

        List<String> categories = new ArrayList<>();
        for (Comparison c : lines) {
            categories.add(c.row().label().replace("Benchmark.", ".") + (c.pairing().cairn() == null ? "" : " [" + c.pairing().cairn() + "]"));
        }
        addSeries(chart, section.cairnName(), categories, lines, Comparison::cairn);
        addSeries(chart, section.flinkName(), categories, lines, Comparison::flink);
        if (lines.stream().anyMatch(c -> c.ceiling() != null)) {
            addSeries(chart, Character.toUpperCase(ceilingName.charAt(0)) + ceilingName.substring(1), categories, lines, Comparison::ceiling);
        }
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("writing chart " + file + " failed", e);
        }
    }

    private static void addSeries(CategoryChart chart, String name, List<String> categories, List<Comparison> lines,
                                  Function<Comparison, JmhResult> side) {
        List<Double> values = new ArrayList<>();
        for (Comparison c : lines) {
            double v = Comparison.score(side.apply(c));
            values.add(Double.isNaN(v) ? 0.0 : v);
        }
        chart.addSeries(name, categories, values);
    }
}
