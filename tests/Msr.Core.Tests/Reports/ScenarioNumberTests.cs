using Msr.Core.Metrics;
using Msr.Core.Reports;
using Msr.Core.Results;
using Xunit;
using static Msr.Core.Tests.Reports.SyntheticRecords;

namespace Msr.Core.Tests.Reports;

public class ScenarioNumberTests
{
    private const double Tol = 1e-12;

    private static RunRecord Run(string model, long seed, int k, double auc) =>
        Completed("kuairand", model, seed, auc, 0.4, Scenarios(k, auc, 0.4),
            datasetOptions: new Dictionary<string, string> { ["top_k"] = k.ToString(System.Globalization.CultureInfo.InvariantCulture) });

    /// <summary>A: seeds 1-2 at 3, 5 and 7 scenarios; B: seed 1 at 3 and 5 only; one failed A run.</summary>
    private static List<RunRecord> Records() =>
    [
        Run("A", 1, 3, 0.70), Run("A", 2, 3, 0.72),
        Run("B", 1, 3, 0.69),
        Run("A", 1, 5, 0.73), Run("A", 2, 5, 0.75),
        Run("B", 1, 5, 0.70),
        Run("A", 1, 7, 0.76), Run("A", 2, 7, 0.76),
        FailedAt(7),
    ];

    private static RunRecord FailedAt(int k)
    {
        var failed = Failed("kuairand", "A", 3);
        return failed with { Config = failed.Config with { DatasetOptions = new Dictionary<string, string> { ["top_k"] = $"{k}" } } };
    }

    private static void AssertPoint(ScenarioCountPoint p, int k, double mean, double? std, int n)
    {
        Assert.Equal(k, p.Scenarios);
        Assert.Equal(mean, p.Mean, Tol);
        Assert.Equal(n, p.N);
        if (std is null) Assert.Null(p.Std);
        else Assert.Equal(std.Value, p.Std!.Value, Tol);
    }

    [Fact]
    public void Series_average_overall_auc_per_scenario_count_and_model()
    {
        var series = ScenarioCounts.Series(Records());
        Assert.Equal(["A", "B"], series.Select(s => s.Model));
        Assert.All(series, s => Assert.Equal(("kuairand", "auc", "overall"), (s.Dataset, s.Metric, s.Scenario)));
        var a = series[0].Points;
        Assert.Equal(3, a.Count);
        AssertPoint(a[0], 3, 0.71, Math.Sqrt(0.0002), 2);
        AssertPoint(a[1], 5, 0.74, Math.Sqrt(0.0002), 2);
        AssertPoint(a[2], 7, 0.76, 0, 2);
        var b = series[1].Points;
        Assert.Equal(2, b.Count);
        AssertPoint(b[0], 3, 0.69, null, 1);
        AssertPoint(b[1], 5, 0.70, null, 1);
        Assert.Equal([3, 5, 7], ScenarioCounts.CountsByDataset(Records())["kuairand"]);
    }

    [Fact]
    public void Series_can_follow_one_scenario_or_logloss()
    {
        var records = new List<RunRecord>
        {
            Completed("d", "A", 1, 0.8, 0.5, [new MetricSet("s0", 10, 0.3, 0.9, 0.3), new MetricSet("s1", 10, 0.3, 0.6, 0.6)]),
            Completed("d", "A", 1, 0.8, 0.5, [new MetricSet("s0", 10, 0.3, 0.7, 0.35)], datasetOptions: new Dictionary<string, string> { ["top_k"] = "1" }),
        };
        var s0 = ScenarioCounts.Series(records, "auc", "s0").Single();
        Assert.Equal([(1, 0.7), (2, 0.9)], s0.Points.Select(p => (p.Scenarios, p.Mean)));
        var ll = ScenarioCounts.Series(records, "logloss").Single();
        Assert.Equal([0.5, 0.5], ll.Points.Select(p => p.Mean));
        Assert.Throws<ArgumentException>(() => ScenarioCounts.Series(records, "ndcg"));
    }

    [Fact]
    public void Scenario_count_comes_from_the_test_scenarios_else_the_loader_option()
    {
        Assert.Equal(4, ScenarioCounts.Count(Run("A", 1, 4, 0.7)));
        var noScenarios = Completed("syn", "A", 1, 0.7, 0.4, [], datasetOptions: new Dictionary<string, string> { ["scenarios"] = "6" });
        Assert.Equal(6, ScenarioCounts.Count(noScenarios));
        Assert.Null(ScenarioCounts.Count(Completed("syn", "A", 1, 0.7, 0.4, [])));
    }

    [Fact]
    public void Report_over_several_scenario_counts_has_a_table_per_count_and_the_scenario_number_figure()
    {
        var report = ComparisonReports.Build(Records());
        Assert.Equal(["kuairand (top_k=3)", "kuairand (top_k=5)", "kuairand (top_k=7)"], report.Tables.Select(t => t.Dataset));
        var notes = new List<string>();
        var images = ReportPlots.All(report, notes);
        var figure = Assert.Single(images, i => i.Name == "kuairand-scenario-number-auc");
        Assert.Equal("kuairand", figure.Dataset);
        Assert.Contains("(3, 5, 7)", figure.Title);
        Assert.DoesNotContain(notes, n => n.Contains("scenario-number"));
        foreach (var i in images) LearningCurveTests.AssertImage(i);
        var html = HtmlRenderer.Render(report, ReportPlots.ToFigures(images));
        Assert.Contains("overall test AUC against the number of scenarios", html);
    }

    [Fact]
    public void Flat_series_render_without_nan()
    {
        var records = new List<RunRecord> { Run("A", 1, 2, 0.7), Run("A", 2, 2, 0.7), Run("A", 1, 4, 0.7) };
        var image = Assert.Single(ReportPlots.ScenarioNumber(records));
        LearningCurveTests.AssertImage(image);
        var points = ScenarioCounts.Series(records).Single().Points;
        Assert.Equal([2, 4], points.Select(p => p.Scenarios));
        Assert.Equal(0.0, points[0].Std);
        Assert.Null(points[1].Std); // one run at 4 scenarios: no spread, not NaN
    }

    [Fact]
    public void One_scenario_count_gives_no_figure_and_a_note()
    {
        var records = Records().Where(r => r.Config.DatasetOptions["top_k"] == "5").ToList();
        var report = ComparisonReports.Build(records);
        var notes = new List<string>();
        var images = ReportPlots.All(report, notes);
        Assert.DoesNotContain(images, i => i.Name.Contains("scenario-number"));
        var note = Assert.Single(notes, n => n.StartsWith("No scenario-number figure"));
        Assert.Contains("kuairand: 5", note);
        Assert.Empty(ReportPlots.ScenarioNumber(records));
    }
}
