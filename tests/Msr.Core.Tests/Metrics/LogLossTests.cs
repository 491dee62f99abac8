using Msr.Core.Metrics;
using Xunit;

namespace Msr.Core.Tests.Metrics;

public sealed class LogLossTests
{
    [Fact]
    public void Matches_direct_formula_on_random_data()
    {
        var rng = new Random(7);
        int n = 500;
        var p = new double[n];
        var y = new float[n];
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            p[i] = rng.NextDouble();
            y[i] = rng.Next(2);
            double q = Math.Clamp(p[i], 1e-15, 1 - 1e-15);
            sum += -(y[i] * Math.Log(q) + (1 - y[i]) * Math.Log(1 - q));
        }
        Assert.Equal(sum / n, LogLoss.Compute(p, y)!.Value, 12);
    }

    [Fact]
    public void Clips_probabilities_at_1e15()
    {
        Assert.Equal(-Math.Log(1e-15), LogLoss.Compute([0.0], [1f])!.Value, 9);
        // 1 − (1 − 1e-15) is 1.11e-15 in double precision, exactly as in scikit-learn.
        Assert.Equal(-Math.Log(1 - (1 - 1e-15)), LogLoss.Compute([1.0], [0f])!.Value, 9);
        Assert.Equal(-Math.Log(1 - 1e-15), LogLoss.Compute([1.0], [1f])!.Value, 15);
        Assert.Equal((-Math.Log(1e-15) + -Math.Log(0.5)) / 2, LogLoss.Compute([0.0, 0.5], [1f, 0f])!.Value, 9);
    }

    [Fact]
    public void Known_value()
    {
        // −(ln 0.8 + ln(1 − 0.3)) / 2
        Assert.Equal(-(Math.Log(0.8) + Math.Log(0.7)) / 2, LogLoss.Compute([0.8, 0.3], [1f, 0f])!.Value, 14);
    }

    [Fact]
    public void Empty_input_is_null_and_NaN_is_rejected()
    {
        Assert.Null(LogLoss.Compute([], []));
        Assert.Throws<ArgumentException>(() => LogLoss.Compute([double.NaN], [1f]));
        Assert.Throws<ArgumentException>(() => LogLoss.Compute([0.5, 0.5], [1f]));
    }
}
