using Msr.Core.Results;
using Msr.Core.Stats;
using ScottPlot;

namespace Msr.Core.Reports;

/// <summary>Learning curves: metric by epoch per model, mean over seeds.</summary>
public static partial class ReportPlots
{
    /// <summary>The curves <see cref="LearningCurvePlots"/> draws, in order.</summary>
    public static readonly IReadOnlyList<CurveMetric> LearningCurveMetrics = [CurveMetric.ValidationAuc, CurveMetric.TrainLoss];

    /// <summary>
    /// Per dataset and curve metric (validation AUC, train loss): epoch on x, one line per model label = the mean over
    /// seeds (<see cref="LearningCurves.Mean"/>), a band of ± 1 std where more than one seed reached the epoch.
    /// Early-stopped runs leave the mean at the epochs they did not reach (the caption says so). File
    /// <c>&lt;dataset&gt;-learning-val-auc</c> / <c>-learning-train-loss</c>. Without any training history, a note.
    /// </summary>
    /// <param name="modelOrder">Legend order and colours (<see cref="ModelsInOrder"/>); null: run order.</param>
    public static IReadOnlyList<PlotImage> LearningCurvePlots(IReadOnlyList<RunRecord> records, List<string>? notes = null,
        IReadOnlyList<string>? modelOrder = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        var images = new List<PlotImage>();
        foreach (var metric in LearningCurveMetrics)
        {
            var curves = LearningCurves.Mean(records, metric);
            foreach (var group in curves.GroupBy(c => c.Dataset))
            {
                var list = InModelOrder(group, c => c.Model, modelOrder);
                var order = modelOrder ?? [.. list.Select(c => c.Model)];
                var plot = new Plot();
                for (int m = 0; m < list.Count; m++)
                {
                    var c = list[m];
                    var color = ColorOf(order, c.Model);
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
                ValueTicks(plot, list.SelectMany(c => c.Points).SelectMany(p => new[] { p.Mean - (p.Std ?? 0), p.Mean + (p.Std ?? 0) }));
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
}
