using Msr.Core.Metrics;
using Msr.Core.Reports;
using Msr.Core.Stats;
using Xunit;
using static Msr.Core.Tests.Reports.SyntheticRecords;

namespace Msr.Core.Tests.Reports;

public class RecordConversionTests
{
    [Fact]
    public void Completed_runs_become_tidy_observations_and_failed_runs_are_listed()
    {
        var records = new List<Msr.Core.Results.RunRecord>
        {
            Completed("d", "A", 2022, 0.81, 0.44, [new MetricSet("s0", 10, 0.3, 0.8, 0.45), new MetricSet("s1", 10, 0.0, null, 0.1)]),
            Completed("d", "B", 2022, 0.80, 0.45),
            Failed("d", "B", 2023),
        };
        var data = RecordConversion.ToObservations(records);
        // A: overall + s0 (2 metrics each) + s1 logloss only (AUC undefined); B: 3 scenarios × 2 metrics.
        Assert.Equal(5 + 6, data.Observations.Count);
        Assert.Contains(new ResultObservation("d", "overall", "A", 2022, "auc", 0.81), data.Observations);
        Assert.Contains(new ResultObservation("d", "s0", "A", 2022, "logloss", 0.45), data.Observations);
        Assert.Single(data.Notes, n => n.Contains("s1: auc of A seed 2022 is undefined"));
        Assert.Equal(["overall", "s0", "s1"], data.ScenarioOrder["d"]);
        Assert.Equal(["A", "B"], data.ModelOrder["d"]);
        var failed = Assert.Single(data.Failed);
        Assert.Equal(("d", "B", 2023L, "out of memory"), (failed.Dataset, failed.Model, failed.Seed, failed.Error));
        Assert.Equal(6, Aggregation.Aggregate(data.Observations).Count(r => r.Model == "B" && r.N == 1));
    }

    [Fact]
    public void Options_that_differ_only_between_datasets_do_not_split_a_model()
    {
        var records = new List<Msr.Core.Results.RunRecord>
        {
            Completed("d1", "STAR", 1, 0.8, 0.4, options: new Dictionary<string, string> { ["batch_norm"] = "true" }),
            Completed("d2", "STAR", 1, 0.8, 0.4, options: new Dictionary<string, string> { ["batch_norm"] = "false" }),
        };
        Assert.All(records, r => Assert.Equal("STAR", RecordConversion.ModelLabel(records, r)));
    }
}
