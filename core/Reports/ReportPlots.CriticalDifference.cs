using Msr.Core.Results;
using Msr.Core.Stats;
using ScottPlot;

namespace Msr.Core.Reports;

/// <summary>Critical-difference diagrams over (dataset, scenario) blocks.</summary>
public static partial class ReportPlots
{
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
            t.LabelFontName = ReportStyle.FontFamily;
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
}
