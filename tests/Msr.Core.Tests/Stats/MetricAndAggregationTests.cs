using Xunit;
using Msr.Core.Stats;

namespace Msr.Core.Tests.Stats;

public class MetricAndAggregationTests
{
    [Theory]
    [InlineData("auc", MetricDirection.HigherIsBetter)]
    [InlineData("GAUC", MetricDirection.HigherIsBetter)]
    [InlineData(" logloss ", MetricDirection.LowerIsBetter)]
    public void Catalogue_knows_direction(string name, MetricDirection direction) =>
        Assert.Equal(direction, Metric.Get(name).Direction);

    [Fact]
    public void Unknown_metric_is_a_clear_error()
    {
        var ex = Assert.Throws<ArgumentException>(() => Metric.Get("accuracy"));
        Assert.Contains("accuracy", ex.Message);
        Assert.Contains("logloss", ex.Message);
        Assert.False(Metric.TryGet(null, out _));
    }

    [Fact]
    public void Better_respects_direction()
    {
        Assert.True(Metric.Auc.IsBetter(0.80, 0.79));
        Assert.False(Metric.LogLoss.IsBetter(0.45, 0.44));
        Assert.True(Metric.LogLoss.IsBetter(0.44, 0.45));
        Assert.False(Metric.Auc.IsBetter(0.8, 0.8));
        Assert.Equal(0.01, Metric.LogLoss.Improvement(0.44, 0.45), 12);
        Assert.Equal(Alternative.Less, Metric.LogLoss.ABetterThanB);
    }

    [Fact]
    public void A_better_than_B_tests_the_right_tail()
    {
        double[] lowLoss = [0.440, 0.441, 0.439, 0.442, 0.440, 0.438];
        double[] highLoss = [0.450, 0.452, 0.449, 0.451, 0.453, 0.450];
        foreach (var kind in Enum.GetValues<PairedTestKind>())
        {
            Assert.True(MetricComparison.TestABetterThanB("logloss", lowLoss, highLoss, kind).PValue < 0.05, kind.ToString());
            Assert.True(MetricComparison.TestABetterThanB("logloss", highLoss, lowLoss, kind).PValue > 0.5, kind.ToString());
            Assert.True(MetricComparison.TestABetterThanB(Metric.Auc, highLoss, lowLoss, kind).PValue < 0.05, kind.ToString());
        }
        Assert.True(MetricComparison.MeanIsBetter(Metric.LogLoss, lowLoss, highLoss));
    }

    [Fact]
    public void Aggregate_mean_std_se_and_single_seed_has_no_spread()
    {
        var obs = new[]
        {
            new ResultObservation("ali", "overall", "mmoe", 1, "auc", 0.70),
            new ResultObservation("ali", "overall", "mmoe", 2, "auc", 0.72),
            new ResultObservation("ali", "overall", "mmoe", 3, "auc", 0.74),
            new ResultObservation("ali", "s1", "mmoe", 1, "auc", 0.65),
            new ResultObservation("ali", "overall", "dnn", 1, "logloss", 0.45),
        };
        var rows = Aggregation.Aggregate(obs);
        Assert.Equal(3, rows.Count);
        var mmoe = rows.Single(r => r.Model == "mmoe" && r.Scenario == ResultObservation.Overall);
        Assert.Equal(3, mmoe.N);
        Assert.Equal(0.72, mmoe.Mean, 12);
        Assert.Equal(0.02, mmoe.StandardDeviation!.Value, 12);
        Assert.Equal(0.02 / Math.Sqrt(3), mmoe.StandardError!.Value, 12);
        var single = rows.Single(r => r.Scenario == "s1");
        Assert.Equal(1, single.N);
        Assert.False(single.HasSpread);
        Assert.Null(single.StandardDeviation);
        Assert.Null(single.StandardError);
        // ordinal ordering: dataset, scenario, model, metric
        Assert.Equal(new[] { "dnn", "mmoe", "mmoe" }, rows.Select(r => r.Model));
    }

    [Fact]
    public void Aggregate_rejects_nan_duplicates_and_empty_names()
    {
        Assert.Throws<ArgumentException>(() => Aggregation.Aggregate([new ResultObservation("d", "overall", "m", 1, "auc", double.NaN)]));
        Assert.Throws<ArgumentException>(() => Aggregation.Aggregate([
            new ResultObservation("d", "overall", "m", 1, "auc", 0.7),
            new ResultObservation("d", "overall", "m", 1, "auc", 0.71)]));
        Assert.Throws<ArgumentException>(() => Aggregation.Aggregate([new ResultObservation("d", "", "m", 1, "auc", 0.7)]));
        Assert.Empty(Aggregation.Aggregate([]));
    }
}
