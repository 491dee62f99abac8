using Msr.Core.Results;
using Msr.Core.Stats;
using ScottPlot;

namespace Msr.Core.Reports;

/// <summary>The scenario-number figure: overall AUC against the number of scenarios (paper 000, Figure 3).</summary>
public static partial class ReportPlots
{
    /// <summary>
    /// Per dataset name whose completed runs have at least two distinct scenario counts (<see cref="ScenarioCounts.Count"/>):
    /// number of scenarios on x, overall test AUC on y (mean ± std over seeds, <see cref="ScenarioCounts.Series"/>), one
    /// line per model — the benchmark paper's Figure 3. File <c>&lt;dataset&gt;-scenario-number-auc</c>. When no dataset
    /// qualifies, a note says why the figure is absent.
    /// </summary>
    /// <param name="modelOrder">Legend order and colours (<see cref="ModelsInOrder"/>); null: run order.</param>
    public static IReadOnlyList<PlotImage> ScenarioNumber(IReadOnlyList<RunRecord> records, List<string>? notes = null,
        IReadOnlyList<string>? modelOrder = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        var images = new List<PlotImage>();
        var counts = ScenarioCounts.CountsByDataset(records);
        var series = ScenarioCounts.Series(records, "auc");
        foreach (var (dataset, scenarioCounts) in counts.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (scenarioCounts.Count < 2) continue;
            var list = InModelOrder(series.Where(s => s.Dataset == dataset), s => s.Model, modelOrder);
            var order = modelOrder ?? [.. list.Select(s => s.Model)];
            if (list.Count == 0) continue;
            var plot = new Plot();
            for (int m = 0; m < list.Count; m++)
            {
                var color = ColorOf(order, list[m].Model);
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
            ValueTicks(plot, list.SelectMany(s => s.Points).SelectMany(p => new[] { p.Mean - (p.Std ?? 0), p.Mean + (p.Std ?? 0) }));
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
}
