using Msr.Core.Metrics;
using Xunit;

namespace Msr.Core.Tests.Metrics;

public sealed class EvaluationTests
{
    [Fact]
    public void Per_scenario_metrics_equal_the_metrics_of_the_subset()
    {
        var rng = new Random(3);
        int n = 900;
        var p = new double[n];
        var y = new float[n];
        var s = new long[n];
        for (int i = 0; i < n; i++)
        {
            s[i] = rng.Next(3);
            p[i] = Math.Round(rng.NextDouble(), 2);
            y[i] = rng.NextDouble() < p[i] * (s[i] + 1) / 3.0 ? 1f : 0f;
        }
        string[] names = ["a", "b", "c"];
        var eval = Evaluation.Compute(p, y, s, names);

        Assert.Equal(Evaluation.OverallName, eval.Overall.Name);
        Assert.Equal(n, eval.Overall.Rows);
        Assert.Equal(Auc.Compute(p, y), eval.Overall.Auc);
        Assert.Equal(LogLoss.Compute(p, y), eval.Overall.LogLoss);
        Assert.Equal(y.Average(v => (double)v), eval.Overall.PositiveRate!.Value, 12);

        Assert.Equal(3, eval.Scenarios.Count);
        for (int k = 0; k < 3; k++)
        {
            var rows = Enumerable.Range(0, n).Where(i => s[i] == k).ToArray();
            var ps = rows.Select(i => p[i]).ToArray();
            var ys = rows.Select(i => y[i]).ToArray();
            var m = eval.Scenarios[k];
            Assert.Equal(names[k], m.Name);
            Assert.Equal(rows.Length, m.Rows);
            Assert.Equal(Auc.Compute(ps, ys), m.Auc);
            Assert.Equal(LogLoss.Compute(ps, ys), m.LogLoss);
            Assert.Equal(ys.Average(v => (double)v), m.PositiveRate!.Value, 12);
        }
        // The subsets differ, so the scenario AUCs are not all the overall one (guards against a copy of overall).
        Assert.Contains(eval.Scenarios, m => m.Auc != eval.Overall.Auc);
    }

    [Fact]
    public void Empty_scenario_has_zero_rows_and_null_metrics()
    {
        var eval = Evaluation.Compute([0.2, 0.7, 0.4, 0.9], [0f, 1f, 0f, 1f], [0, 0, 2, 2], ["s0", "s1", "s2"]);
        var empty = eval.Scenarios[1];
        Assert.Equal("s1", empty.Name);
        Assert.Equal(0, empty.Rows);
        Assert.Null(empty.Auc);
        Assert.Null(empty.LogLoss);
        Assert.Null(empty.PositiveRate);
        Assert.Equal(1.0, eval.Scenarios[0].Auc);
    }

    [Fact]
    public void Single_class_scenario_has_null_auc_but_a_logloss()
    {
        var eval = Evaluation.Compute([0.2, 0.7, 0.4, 0.9], [1f, 1f, 0f, 1f], [0, 0, 1, 1], ["s0", "s1"]);
        Assert.Null(eval.Scenarios[0].Auc);
        Assert.NotNull(eval.Scenarios[0].LogLoss);
        Assert.Equal(1.0, eval.Scenarios[1].Auc);
    }

    [Fact]
    public void Length_mismatch_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => Evaluation.Compute([0.1, 0.2], [0f, 1f], [0], ["s0"]));
    }
}
