using Msr.Core.Results;
using Msr.Core.Stats;
using ScottPlot;

namespace Msr.Core.Reports;

/// <summary>A rendered figure: PNG bytes and SVG markup of the same plot.</summary>
/// <param name="Name">File-name stem, e.g. "ml-1m-auc-bars".</param>
/// <param name="Dataset">Dataset it belongs to, or null for a figure over all datasets.</param>
public sealed record PlotImage(string Name, string Title, string? Dataset, byte[] Png, string Svg);

/// <summary>
/// Figures of a report (ScottPlot 5): per dataset and metric, grouped bars of the per-scenario means with error bars
/// of the report's spread; per metric, a critical-difference diagram (Friedman mean ranks, Nemenyi CD, Demšar 2006)
/// over the (dataset, scenario) blocks.
/// </summary>
public static class ReportPlots
{
    public const int Width = 900, Height = 420;

    /// <summary>
    /// Bars, CD diagrams, learning curves and the scenario-number figure (the last two from
    /// <see cref="ComparisonReport.Records"/>); <paramref name="notes"/> receives why a figure was skipped. A failure
    /// while drawing the learning curves or the scenario-number figure becomes a note and leaves the other figures.
    /// </summary>
    public static IReadOnlyList<PlotImage> All(ComparisonReport report, List<string>? notes = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        var images = new List<PlotImage>(MetricBars(report));
        images.AddRange(CriticalDifference(report, notes));
        images.AddRange(Guarded("learning curves", () => LearningCurvePlots(report.Records, notes), notes));
        images.AddRange(Guarded("scenario-number figure", () => ScenarioNumber(report.Records, notes), notes));
        return images;
    }

    private static IReadOnlyList<PlotImage> Guarded(string what, Func<IReadOnlyList<PlotImage>> draw, List<string>? notes)
    {
        try
        {
            return draw();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            notes?.Add($"No {what}: drawing failed ({e.GetType().Name}: {e.Message}).");
            return [];
        }
    }

    /// <summary>The curves <see cref="LearningCurvePlots"/> draws, in order.</summary>
    public static readonly IReadOnlyList<CurveMetric> LearningCurveMetrics = [CurveMetric.ValidationAuc, CurveMetric.TrainLoss];

    /// <summary>
    /// Per dataset and curve metric (validation AUC, train loss): epoch on x, one line per model label = the mean over
    /// seeds (<see cref="LearningCurves.Mean"/>), a band of ± 1 std where more than one seed reached the epoch.
    /// Early-stopped runs leave the mean at the epochs they did not reach (the caption says so). File
    /// <c>&lt;dataset&gt;-learning-val-auc</c> / <c>-learning-train-loss</c>. Without any training history, a note.
    /// </summary>
    public static IReadOnlyList<PlotImage> LearningCurvePlots(IReadOnlyList<RunRecord> records, List<string>? notes = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        var images = new List<PlotImage>();
        var palette = new ScottPlot.Palettes.Category10();
        foreach (var metric in LearningCurveMetrics)
        {
            var curves = LearningCurves.Mean(records, metric);
            foreach (var group in curves.GroupBy(c => c.Dataset))
            {
                var list = group.ToList();
                var plot = new Plot();
                for (int m = 0; m < list.Count; m++)
                {
                    var c = list[m];
                    var color = palette.GetColor(m);
                    double[] xs = c.Points.Select(p => (double)p.Epoch).ToArray();
                    double[] ys = c.Points.Select(p => p.Mean).ToArray();
                    if (c.Points.Any(p => p.Std is not null))
                    {
                        var band = plot.Add.FillY(xs, c.Points.Select(p => p.Mean - (p.Std ?? 0)).ToArray(),
                            c.Points.Select(p => p.Mean + (p.Std ?? 0)).ToArray());
                        band.FillColor = color.WithAlpha(0.2);
                        band.LineWidth = 0;
                    }
                    var line = plot.Add.Scatter(xs, ys, color);
                    line.LineWidth = 2;
                    line.MarkerSize = xs.Length <= 30 ? 5 : 0;
                    line.LegendText = c.Model;
                }
                int maxEpoch = list.Max(c => c.Points[^1].Epoch), minEpoch = list.Min(c => c.Points[0].Epoch);
                IntegerTicks(plot, minEpoch, maxEpoch);
                plot.XLabel("Epoch");
                string title = LearningCurves.Title(metric);
                plot.YLabel($"{title} {(metric == CurveMetric.ValidationAuc ? "(higher is better)" : "(lower is better)")}");
                plot.Title($"{group.Key}: {Lower(title)} per epoch (mean ± std over seeds)");
                plot.ShowLegend(Edge.Right);
                images.Add(Render(plot, $"{Slug(group.Key)}-learning-{LearningCurves.Slug(metric)}",
                    LearningCurveCaption(group.Key, title, list), group.Key));
            }
        }
        if (images.Count == 0)
            notes?.Add("No learning curves: no completed run has a training history with finite values.");
        return images;
    }

    private static string LearningCurveCaption(string dataset, string title, IReadOnlyList<LearningCurve> curves)
    {
        var text = new System.Text.StringBuilder(
            $"{dataset}: {Lower(title)} by epoch, mean over seeds (line) ± 1 standard deviation (band, where n > 1).");
        var ragged = curves.Where(c => c.Ragged).ToList();
        if (ragged.Count == 0)
        {
            var ns = curves.Select(c => c.Points[0].N).Distinct().ToList();
            text.Append(ns.Count == 1 ? $" Every point averages n = {ns[0]} seed(s)." : " Every point of a model averages all its seeds.");
        }
        else
        {
            text.Append(" Runs of different lengths (early stopping): each point averages only the seeds still running at that epoch, so late epochs rest on fewer seeds (");
            text.Append(string.Join("; ", ragged.Select(c =>
                $"{c.Model}: n = {c.Points[0].N} at epoch {c.Points[0].Epoch}, n = {c.Points[^1].N} at epoch {c.Points[^1].Epoch}")));
            text.Append(").");
        }
        return text.ToString();
    }

    /// <summary>
    /// Per dataset name whose completed runs have at least two distinct scenario counts (<see cref="ScenarioCounts.Count"/>):
    /// number of scenarios on x, overall test AUC on y (mean ± std over seeds, <see cref="ScenarioCounts.Series"/>), one
    /// line per model — the benchmark paper's Figure 3. File <c>&lt;dataset&gt;-scenario-number-auc</c>. When no dataset
    /// qualifies, a note says why the figure is absent.
    /// </summary>
    public static IReadOnlyList<PlotImage> ScenarioNumber(IReadOnlyList<RunRecord> records, List<string>? notes = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        var images = new List<PlotImage>();
        var palette = new ScottPlot.Palettes.Category10();
        var counts = ScenarioCounts.CountsByDataset(records);
        var series = ScenarioCounts.Series(records, "auc");
        foreach (var (dataset, scenarioCounts) in counts.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (scenarioCounts.Count < 2) continue;
            var list = series.Where(s => s.Dataset == dataset).ToList();
            if (list.Count == 0) continue;
            var plot = new Plot();
            for (int m = 0; m < list.Count; m++)
            {
                var color = palette.GetColor(m);
                double[] xs = list[m].Points.Select(p => (double)p.Scenarios).ToArray();
                double[] ys = list[m].Points.Select(p => p.Mean).ToArray();
                if (list[m].Points.Any(p => p.Std is not null))
                {
                    var err = plot.Add.ErrorBar(xs, ys, list[m].Points.Select(p => p.Std ?? 0).ToArray());
                    err.Color = color;
                }
                var line = plot.Add.Scatter(xs, ys, color);
                line.LineWidth = 2;
                line.MarkerSize = 7;
                line.LegendText = list[m].Model;
            }
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
                scenarioCounts.Select(c => (double)c).ToArray(),
                scenarioCounts.Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
            plot.Axes.SetLimitsX(scenarioCounts[0] - 0.5, scenarioCounts[^1] + 0.5);
            plot.XLabel("Number of scenarios");
            plot.YLabel("Overall test AUC (higher is better)");
            plot.Title($"{dataset}: overall test AUC vs number of scenarios (mean ± std over seeds)");
            plot.ShowLegend(Edge.Right);
            var ns = list.SelectMany(s => s.Points).Select(p => p.N).Distinct().Order().ToList();
            string n = ns.Count == 1 ? $"n = {ns[0]}" : $"n = {ns[0]}–{ns[^1]}";
            images.Add(Render(plot, $"{Slug(dataset)}-scenario-number-auc",
                $"{dataset}: overall test AUC against the number of scenarios ({string.Join(", ", scenarioCounts)}), " +
                $"mean ± 1 standard deviation over seeds ({n} runs per point; no whisker where n = 1).", dataset));
        }
        if (images.Count == 0)
        {
            string found = counts.Count == 0 ? "there are no completed runs"
                : "found " + string.Join("; ", counts.OrderBy(p => p.Key, StringComparer.Ordinal)
                    .Select(p => $"{p.Key}: {(p.Value.Count == 0 ? "unknown" : string.Join(", ", p.Value))}"));
            notes?.Add("No scenario-number figure: it needs completed runs of one dataset with at least two different " +
                $"scenario counts (e.g. loader option top_k=3 and top_k=5); {found}.");
        }
        return images;
    }

    /// <summary>Integer ticks from lo to hi, at most about 15 of them.</summary>
    private static void IntegerTicks(Plot plot, int lo, int hi)
    {
        int step = Math.Max(1, (int)Math.Ceiling((hi - lo + 1) / 15.0));
        var ticks = new List<double>();
        for (int e = lo; e <= hi; e += step) ticks.Add(e);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks.ToArray(),
            ticks.Select(t => t.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        plot.Axes.SetLimitsX(lo - 0.3, hi + 0.3);
    }

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

    /// <summary>
    /// One critical-difference diagram per metric. Blocks are the (dataset, scenario) columns of the report — the
    /// scenarios of each dataset, or its "overall" column when it shows no scenario; models are those with a value in
    /// every block. Needs at least 2 models and 2 blocks, else it is skipped with a note.
    /// </summary>
    public static IReadOnlyList<PlotImage> CriticalDifference(ComparisonReport report, List<string>? notes = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        var images = new List<PlotImage>();
        double alpha = report.Options.Alpha;
        foreach (var metric in report.Tables.SelectMany(t => t.Columns.Select(c => c.Metric)).Distinct())
        {
            var blocks = new List<Dictionary<string, double>>();
            foreach (var t in report.Tables)
            {
                var cols = t.Columns.Select((c, i) => (c, i)).Where(x => x.c.Metric == metric).ToList();
                var scenarioCols = cols.Where(x => x.c.Scenario != ResultObservation.Overall).ToList();
                foreach (var (_, i) in scenarioCols.Count > 0 ? scenarioCols : cols)
                    blocks.Add(t.Rows.Where(r => r.Cells[i].Mean is not null).ToDictionary(r => r.Model, r => r.Cells[i].Mean!.Value));
            }
            var models = blocks.Count == 0 ? [] : blocks.Skip(1).Aggregate(blocks[0].Keys.ToHashSet(), (s, b) => { s.IntersectWith(b.Keys); return s; })
                .OrderBy(m => m, StringComparer.Ordinal).ToList();
            if (models.Count < 2 || blocks.Count < 2)
            {
                notes?.Add($"No critical-difference diagram for {metric.Name}: it needs at least 2 models with values in at least 2 (dataset, scenario) blocks ({models.Count} models, {blocks.Count} blocks).");
                continue;
            }
            var scores = blocks.Select(b => (IReadOnlyList<double>)models.Select(m => b[m]).ToList()).ToList();
            var friedman = Friedman.Test(scores, metric.Direction, models);
            double cd = Nemenyi.CriticalDifference(models.Count, blocks.Count, alpha);
            images.Add(Render(DrawCd(friedman, cd), $"cd-{metric.Name}",
                $"Critical-difference diagram, {CellFormatting.MetricTitle(metric)}: Friedman mean ranks over {blocks.Count} (dataset, scenario) blocks " +
                $"(rank 1 = best; Friedman p = {friedman.Test.PValue.ToString("G3", System.Globalization.CultureInfo.InvariantCulture)}); " +
                $"models joined by a bar are within the Nemenyi critical difference CD = {cd.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)} (α = {alpha.ToString(System.Globalization.CultureInfo.InvariantCulture)}).",
                null));
        }
        return images;
    }

    private static Plot DrawCd(FriedmanResult f, double cd)
    {
        int k = f.ModelCount;
        var order = Enumerable.Range(0, k).OrderBy(i => f.MeanRanks[i]).ToList();
        var plot = new Plot();
        var black = Colors.Black;
        void Line(double x1, double y1, double x2, double y2, float width = 1.5f)
        {
            var l = plot.Add.Line(x1, y1, x2, y2);
            l.LineWidth = width;
            l.LineColor = black;
        }
        void Text(string s, double x, double y, Alignment alignment, float size = 14)
        {
            var t = plot.Add.Text(s, x, y);
            t.LabelAlignment = alignment;
            t.LabelFontSize = size;
            t.LabelFontColor = black;
        }
        // Rank axis with ticks.
        Line(1, 0, k, 0);
        for (int r = 1; r <= k; r++)
        {
            Line(r, 0, r, 0.12);
            Text(r.ToString(System.Globalization.CultureInfo.InvariantCulture), r, 0.2, Alignment.LowerCenter, 12);
        }
        // Critical difference bar.
        Line(1, 0.9, 1 + cd, 0.9, 2);
        Line(1, 0.82, 1, 0.98);
        Line(1 + cd, 0.82, 1 + cd, 0.98);
        Text($"CD = {cd.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)}", 1 + cd / 2, 1.0, Alignment.LowerCenter, 12);
        // Models: best half to the left, the rest to the right.
        int left = (k + 1) / 2;
        for (int p = 0; p < k; p++)
        {
            int m = order[p];
            double r = f.MeanRanks[m];
            bool onLeft = p < left;
            double y = -0.5 - 0.35 * (onLeft ? p : k - 1 - p);
            double xEnd = onLeft ? 0.6 : k + 0.4;
            Line(r, 0, r, y, 1);
            Line(r, y, xEnd, y, 1);
            string label = $"{f.Models[m]} ({r.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)})";
            Text(label, onLeft ? xEnd - 0.05 : xEnd + 0.05, y, onLeft ? Alignment.MiddleRight : Alignment.MiddleLeft, 13);
        }
        // Cliques: maximal runs of rank-ordered models whose rank range is below CD.
        var cliques = new List<(int From, int To)>();
        for (int i = 0; i < k; i++)
        {
            int j = i;
            while (j + 1 < k && f.MeanRanks[order[j + 1]] - f.MeanRanks[order[i]] < cd) j++;
            if (j > i && !cliques.Any(c => c.From <= i && c.To >= j)) cliques.Add((i, j));
        }
        for (int c = 0; c < cliques.Count; c++)
        {
            double y = -0.15 - 0.12 * c;
            Line(f.MeanRanks[order[cliques[c].From]] - 0.03, y, f.MeanRanks[order[cliques[c].To]] + 0.03, y, 4);
        }
        plot.HideAxesAndGrid();
        plot.Axes.SetLimits(-1.8, k + 2.8, -0.5 - 0.35 * left - 0.2, 1.3);
        return plot;
    }

    private static PlotImage Render(Plot plot, string name, string title, string? dataset)
    {
        byte[] png = plot.GetImageBytes(Width, Height, ImageFormat.Png);
        string svg = plot.GetSvgXml(Width, Height);
        return new PlotImage(name, title, dataset, png, svg);
    }

    /// <summary>HTML figures (the SVG of each image) for <see cref="HtmlRenderer"/>.</summary>
    public static IReadOnlyList<ReportFigure> ToFigures(IEnumerable<PlotImage> images) =>
        images.Select(i => new ReportFigure(i.Dataset ?? "", i.Title, i.Svg)).ToList();

    /// <summary>Writes name.png and name.svg for every image; returns the paths written.</summary>
    public static IReadOnlyList<string> Save(IEnumerable<PlotImage> images, string folder)
    {
        Directory.CreateDirectory(folder);
        var paths = new List<string>();
        foreach (var i in images)
        {
            string png = Path.Combine(folder, i.Name + ".png"), svg = Path.Combine(folder, i.Name + ".svg");
            File.WriteAllBytes(png, i.Png);
            File.WriteAllText(svg, i.Svg);
            paths.Add(png);
            paths.Add(svg);
        }
        return paths;
    }

    /// <summary>"Validation AUC" → "validation AUC" (the rest keeps its case).</summary>
    private static string Lower(string title) => title.Length == 0 ? title : char.ToLowerInvariant(title[0]) + title[1..];

    /// <summary>File-name stem of a dataset label: lower-case ASCII letters and digits, other runs of characters
    /// become one '-', e.g. "kuairand (top_k=3)" → "kuairand-top-k-3".</summary>
    internal static string Slug(string name)
    {
        var sb = new System.Text.StringBuilder(name.Length);
        foreach (char ch in name.ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(ch)) sb.Append(ch);
            else if (sb.Length > 0 && sb[^1] != '-') sb.Append('-');
        }
        while (sb.Length > 0 && sb[^1] == '-') sb.Length--;
        return sb.Length == 0 ? "dataset" : sb.ToString();
    }
}
