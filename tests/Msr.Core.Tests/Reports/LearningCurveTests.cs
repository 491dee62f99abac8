using System.Xml.Linq;
using Msr.Core.Reports;
using Msr.Core.Results;
using Xunit;
using static Msr.Core.Tests.Reports.SyntheticRecords;

namespace Msr.Core.Tests.Reports;

public class LearningCurveTests
{
    private const double Tol = 1e-12;

    /// <summary>
    /// A: seed 1 stops after 3 epochs, seed 2 runs 5, seed 3 stops after 2 with an undefined AUC at epoch 2;
    /// B: one seed of 2 epochs; plus a failed A run (no history) that must not count.
    /// </summary>
    private static List<RunRecord> Records() =>
    [
        Completed("d1", "A", 1, 0.80, 0.45, history: History([0.6, 0.5, 0.4], [0.70, 0.75, 0.78])),
        Completed("d1", "A", 2, 0.81, 0.44, history: History([0.8, 0.6, 0.5, 0.45, 0.42], [0.72, 0.77, 0.80, 0.81, 0.815])),
        Completed("d1", "A", 3, 0.79, 0.46, history: History([0.7, 0.55], [0.74, null])),
        Completed("d1", "B", 1, 0.78, 0.47, history: History([0.9, 0.8], [0.60, 0.65])),
        Failed("d1", "A", 4),
    ];

    private static void AssertPoint(CurvePoint p, int epoch, double mean, double? std, int n)
    {
        Assert.Equal(epoch, p.Epoch);
        Assert.Equal(mean, p.Mean, Tol);
        Assert.Equal(n, p.N);
        if (std is null) Assert.Null(p.Std);
        else Assert.Equal(std.Value, p.Std!.Value, Tol);
    }

    [Fact]
    public void Validation_auc_averages_the_seeds_still_running_at_each_epoch()
    {
        var curves = LearningCurves.Mean(Records(), CurveMetric.ValidationAuc);
        Assert.Equal(["A", "B"], curves.Select(c => c.Model));
        var a = curves[0];
        Assert.Equal("d1", a.Dataset);
        Assert.Equal(3, a.Runs);
        Assert.True(a.Ragged);
        Assert.Equal(5, a.Points.Count);
        AssertPoint(a.Points[0], 1, 0.72, 0.02, 3);
        AssertPoint(a.Points[1], 2, 0.76, Math.Sqrt(0.0002), 2); // seed 3's AUC is undefined at epoch 2
        AssertPoint(a.Points[2], 3, 0.79, Math.Sqrt(0.0002), 2); // seed 3 has stopped
        AssertPoint(a.Points[3], 4, 0.81, null, 1);              // only seed 2 is still running
        AssertPoint(a.Points[4], 5, 0.815, null, 1);
        var b = curves[1];
        Assert.False(b.Ragged);
        AssertPoint(b.Points[0], 1, 0.60, null, 1);
        AssertPoint(b.Points[1], 2, 0.65, null, 1);
    }

    [Fact]
    public void Train_loss_averages_the_seeds_still_running_at_each_epoch()
    {
        var a = LearningCurves.Mean(Records(), CurveMetric.TrainLoss)[0];
        AssertPoint(a.Points[0], 1, 0.7, 0.1, 3);
        AssertPoint(a.Points[1], 2, 0.55, 0.05, 3);
        AssertPoint(a.Points[2], 3, 0.45, Math.Sqrt(0.005), 2);
        AssertPoint(a.Points[3], 4, 0.45, null, 1);
        AssertPoint(a.Points[4], 5, 0.42, null, 1);
        Assert.All(a.Points, p => Assert.True(double.IsFinite(p.Mean) && (p.Std is null || double.IsFinite(p.Std.Value))));
    }

    [Fact]
    public void Runs_without_history_give_no_curve()
    {
        Assert.Empty(LearningCurves.Mean(Grid("d1", ("A", [0.8, 0.81], [0.4, 0.41])), CurveMetric.ValidationAuc));
        var notes = new List<string>();
        Assert.Empty(ReportPlots.LearningCurvePlots(Grid("d1", ("A", [0.8], [0.4])), notes));
        Assert.Contains(notes, n => n.StartsWith("No learning curves"));
    }

    [Fact]
    public void Runs_with_other_loader_options_are_another_dataset_curve()
    {
        var records = new List<RunRecord>
        {
            Completed("d1", "A", 1, 0.8, 0.4, history: History([0.5], [0.70]), datasetOptions: new Dictionary<string, string> { ["top_k"] = "3" }),
            Completed("d1", "A", 1, 0.8, 0.4, history: History([0.6], [0.75]), datasetOptions: new Dictionary<string, string> { ["top_k"] = "5" }),
        };
        var curves = LearningCurves.Mean(records, CurveMetric.ValidationAuc);
        Assert.Equal(["d1 (top_k=3)", "d1 (top_k=5)"], curves.Select(c => c.Dataset));
        Assert.All(curves, c => Assert.Equal(1, c.Points.Single().N));
        Assert.Equal(["d1-top-k-3-learning-val-auc", "d1-top-k-5-learning-val-auc", "d1-top-k-3-learning-train-loss", "d1-top-k-5-learning-train-loss"],
            ReportPlots.LearningCurvePlots(records).Select(i => i.Name));
    }

    [Fact]
    public void Learning_curve_figures_render_with_an_early_stopping_caption_and_embed_in_html()
    {
        var report = ComparisonReports.Build(Records());
        var notes = new List<string>();
        var images = ReportPlots.All(report, notes);
        var curves = images.Where(i => i.Name.Contains("-learning-")).ToList();
        Assert.Equal(["d1-learning-val-auc", "d1-learning-train-loss"], curves.Select(i => i.Name));
        Assert.DoesNotContain(notes, n => n.Contains("learning curves"));
        foreach (var i in curves)
        {
            Assert.Equal("d1", i.Dataset);
            Assert.Contains("still running", i.Title);
            Assert.Contains("A: n = 3 at epoch 1, n = 1 at epoch 5", i.Title);
        }
        foreach (var i in images) AssertImage(i);
        var html = HtmlRenderer.Render(report, ReportPlots.ToFigures(images));
        Assert.Equal(images.Count, html.Split("src=\"data:image/svg+xml;base64,").Length - 1);
        Assert.Contains("Validation AUC per epoch", string.Join(" ", curves.Select(c => c.Svg)), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Saved_figures_include_the_learning_curves_as_png_and_svg()
    {
        string folder = Path.Combine(Path.GetTempPath(), "msr-curves-" + Guid.NewGuid().ToString("N"));
        try
        {
            var paths = ReportPlots.Save(ReportPlots.LearningCurvePlots(Records()), folder);
            Assert.Equal(["d1-learning-val-auc.png", "d1-learning-val-auc.svg", "d1-learning-train-loss.png", "d1-learning-train-loss.svg"],
                paths.Select(Path.GetFileName));
            Assert.All(paths, p => Assert.True(new FileInfo(p).Length > 0));
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, true);
        }
    }

    [Fact]
    public void Degenerate_curves_render_without_nan()
    {
        // One epoch, two seeds with identical values: a single point, zero spread, a flat y range.
        var records = new List<RunRecord>
        {
            Completed("d1", "A", 1, 0.8, 0.4, history: History([0.5], [0.7])),
            Completed("d1", "A", 2, 0.8, 0.4, history: History([0.5], [0.7])),
        };
        var point = LearningCurves.Mean(records, CurveMetric.ValidationAuc).Single().Points.Single();
        Assert.Equal((1, 0.7, 0.0, 2), (point.Epoch, point.Mean, point.Std!.Value, point.N));
        var images = ReportPlots.LearningCurvePlots(records);
        Assert.Equal(2, images.Count);
        foreach (var i in images) AssertImage(i);
    }

    /// <summary>PNG signature, well-formed SVG, no NaN anywhere.</summary>
    internal static void AssertImage(PlotImage i)
    {
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A], i.Png.Take(8));
        var svg = XDocument.Parse(i.Svg);
        Assert.Equal("svg", svg.Root!.Name.LocalName);
        Assert.DoesNotContain("NaN", i.Svg);
        Assert.DoesNotContain("NaN", i.Title);
        Assert.DoesNotContain("Infinity", i.Svg);
    }
}
