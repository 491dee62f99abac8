using Msr.Core.Results;
using Msr.Core.Stats;
using ScottPlot;

namespace Msr.Core.Reports;

/// <summary>Per-scenario metric bars with error bars.</summary>
public static partial class ReportPlots
{
    /// <summary>One grouped bar chart per dataset and metric: groups = scenario columns, bars = models, whiskers = ± spread.</summary>
    public static IReadOnlyList<PlotImage> MetricBars(ComparisonReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var images = new List<PlotImage>();
        var palette = new ScottPlot.Palettes.Category10();
        string spread = ComparisonReports.SpreadName(report.Options.Spread);
        foreach (var table in report.Tables)
        {
            foreach (var metric in table.Columns.Select(c => c.Metric).Distinct())
            {
                var columns = table.Columns.Select((c, i) => (c, i)).Where(x => x.c.Metric == metric).ToList();
                int k = table.Rows.Count;
                var plot = new Plot();
                var bars = new List<Bar>();
                double width = 0.8 / Math.Max(1, k);
                var values = new List<double>();
                for (int g = 0; g < columns.Count; g++)
                {
                    for (int m = 0; m < k; m++)
                    {
                        var cell = table.Rows[m].Cells[columns[g].i];
                        if (cell.Mean is not double mean) continue;
                        double err = cell.Spread ?? 0;
                        values.Add(mean - err);
                        values.Add(mean + err);
                        bars.Add(new Bar
                        {
                            Position = g + (m - (k - 1) / 2.0) * width,
                            Value = mean,
                            Error = err,
                            Size = width * 0.9,
                            FillColor = palette.GetColor(m),
                        });
                    }
                }
                if (bars.Count == 0) continue;
                // Bars start at a floor just below the smallest whisker, so small differences stay visible.
                double lo = values.Min(), hi = values.Max(), pad = Math.Max((hi - lo) * 0.15, 1e-4);
                double floor = lo - pad;
                foreach (var b in bars) b.ValueBase = floor;
                plot.Add.Bars(bars.ToArray());
                plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
                    Enumerable.Range(0, columns.Count).Select(i => (double)i).ToArray(),
                    columns.Select(x => x.c.Scenario).ToArray());
                plot.Axes.SetLimitsY(floor, hi + pad);
                plot.Axes.SetLimitsX(-0.6, columns.Count - 0.4);
                plot.YLabel($"{CellFormatting.MetricTitle(metric)} {(metric.Direction == MetricDirection.HigherIsBetter ? "(higher is better)" : "(lower is better)")}");
                plot.Title($"{table.Dataset}: {CellFormatting.MetricTitle(metric)} by scenario (mean ± {spread})");
                for (int m = 0; m < k; m++)
                    plot.Legend.ManualItems.Add(new LegendItem { LabelText = table.Rows[m].Model, FillColor = palette.GetColor(m) });
                plot.ShowLegend(Edge.Right);
                images.Add(Render(plot, $"{Slug(table.Dataset)}-{metric.Name}-bars",
                    $"{table.Dataset}: {CellFormatting.MetricTitle(metric)} per scenario, mean ± {spread} over seeds", table.Dataset));
            }
        }
        return images;
    }
}
