using System.Globalization;
using Msr.Core.Stats;
using ScottPlot;

namespace Msr.Core.Reports;

/// <summary>Per-scenario dot-and-interval plots: mean and confidence interval of each model in each scenario column.</summary>
public static partial class ReportPlots
{
    /// <summary>Confidence level of the whiskers of <see cref="MetricIntervals"/>.</summary>
    public const double IntervalLevel = 0.95;

    /// <summary>
    /// One figure per dataset and metric: groups on x = the table's scenario columns, one dot per model (the mean over
    /// seeds) with a whisker = the <see cref="IntervalLevel"/> t confidence interval of the mean (n − 1 degrees of
    /// freedom; no whisker where n = 1). Dots rather than bars: the value axis spans only the data (a bar's length from a
    /// cut axis would exaggerate differences), and the caption states where it starts. File
    /// <c>&lt;dataset&gt;-&lt;metric&gt;-intervals</c>.
    /// </summary>
    public static IReadOnlyList<PlotImage> MetricIntervals(ComparisonReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var images = new List<PlotImage>();
        var order = ModelsInOrder(report);
        foreach (var table in report.Tables)
            foreach (var metric in table.Columns.Select(c => c.Metric).Distinct())
                if (IntervalPlot(table, metric, report.Options.Spread, order) is { } image) images.Add(image);
        return images;
    }

    /// <summary>The interval of a cell's mean from its n and spread; null for no value, a zero-width one for n = 1.</summary>
    public static (double Mean, double Low, double High)? Interval(ReportCell cell, SpreadKind spread, double level = IntervalLevel)
    {
        if (cell.Mean is not double mean) return null;
        if (cell.N < 2 || cell.Spread is not double s || !double.IsFinite(s)) return (mean, mean, mean);
        double se = spread == SpreadKind.StandardError ? s : s / Math.Sqrt(cell.N);
        double half = Distributions.StudentTQuantile((1 + level) / 2, cell.N - 1) * se;
        return (mean, mean - half, mean + half);
    }

    private static PlotImage? IntervalPlot(ComparisonTable table, Metric metric, SpreadKind spread, IReadOnlyList<string> order)
    {
        var columns = table.Columns.Select((c, i) => (Column: c, Index: i)).Where(x => x.Column.Metric == metric).ToList();
        int k = table.Rows.Count;
        double step = Math.Min(0.15, 0.7 / Math.Max(1, k));
        var plot = new Plot();
        var ends = new List<double>();
        bool single = false;
        for (int m = 0; m < k; m++)
        {
            var row = table.Rows[m];
            var xs = new List<double>();
            var ys = new List<double>();
            var whiskers = new List<(double X, double Y, double Half)>();
            for (int g = 0; g < columns.Count; g++)
            {
                var cell = row.Cells[columns[g].Index];
                if (Interval(cell, spread) is not var (mean, low, high)) continue;
                double x = g + (m - (k - 1) / 2.0) * step;
                xs.Add(x);
                ys.Add(mean);
                ends.Add(low);
                ends.Add(high);
                if (cell.N >= 2) whiskers.Add((x, mean, high - mean));
                else single = true;
            }
            if (xs.Count == 0) continue;
            var color = ColorOf(order, row.Model);
            if (whiskers.Count > 0)
            {
                var bars = plot.Add.ErrorBar(whiskers.Select(w => w.X).ToList(), whiskers.Select(w => w.Y).ToList(), whiskers.Select(w => w.Half).ToList());
                bars.Color = color;
                bars.LineWidth = 1.5f;
            }
            var dots = plot.Add.Scatter(xs.ToArray(), ys.ToArray(), color);
            dots.LineWidth = 0;
            dots.MarkerSize = 8;
            dots.LegendText = row.Model;
        }
        if (ends.Count == 0) return null;
        double lo = ends.Min(), hi = ends.Max(), pad = Math.Max((hi - lo) * 0.08, 5e-4);
        var axis = (Min: lo - pad, Max: hi + pad);
        for (int g = 1; g < columns.Count; g++)
        {
            var line = plot.Add.VerticalLine(g - 0.5);
            line.Color = Colors.Gray.WithAlpha(0.5);
            line.LineWidth = 1;
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, columns.Count).Select(i => (double)i).ToArray(), columns.Select(x => x.Column.Scenario).ToArray());
        plot.Axes.SetLimitsX(-0.5, columns.Count - 0.5);
        plot.Grid.XAxisStyle.MajorLineStyle.Width = 0; // the group separators are the only vertical lines
        ValueTicks(plot, axis.Min, axis.Max);
        string title = CellFormatting.MetricTitle(metric);
        // Said in the figure itself too: a PNG travels without its caption.
        plot.YLabel($"{title} ({(metric.Direction == MetricDirection.HigherIsBetter ? "higher" : "lower")} is better; axis not from 0)");
        plot.Axes.Left.Label.FontSize = 14;
        plot.Title($"{table.Dataset}: {title} by scenario (mean, {Percent(IntervalLevel)} CI over seeds)");
        plot.ShowLegend(Edge.Right);
        string caption = $"{table.Dataset}: {title} per scenario; dot = mean over seeds, whisker = {Percent(IntervalLevel)} t confidence " +
                         $"interval of the mean (n − 1 degrees of freedom){(single ? "; no whisker where n = 1" : "")}. " +
                         $"The value axis runs from {Axis(axis.Min)} to {Axis(axis.Max)}, not from 0: compare positions, not distances to the axis.";
        return Render(plot, $"{Slug(table.Dataset)}-{metric.Name}-intervals", caption, table.Dataset) with { ValueAxis = axis };
    }

    private static string Percent(double level) => (level * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    /// <summary>An axis limit with enough decimals to tell it from its neighbours (4, as the tables).</summary>
    internal static string Axis(double value) => value.ToString("0.0000", CultureInfo.InvariantCulture);
}
