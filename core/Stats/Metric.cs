namespace Msr.Core.Stats;

/// <summary>
/// A named evaluation metric with its direction. The catalogue is deliberately small and explicit; an unknown
/// name is an error rather than a guessed direction.
/// </summary>
public sealed record Metric(string Name, MetricDirection Direction)
{
    public static readonly Metric Auc = new("auc", MetricDirection.HigherIsBetter);
    /// <summary>Group (user/scenario)-averaged AUC.</summary>
    public static readonly Metric Gauc = new("gauc", MetricDirection.HigherIsBetter);
    public static readonly Metric LogLoss = new("logloss", MetricDirection.LowerIsBetter);

    public static IReadOnlyList<Metric> Known { get; } = [Auc, Gauc, LogLoss];

    /// <summary>Looks a metric up by name (case-insensitive, surrounding whitespace ignored).</summary>
    /// <exception cref="ArgumentException">The name is not in the catalogue.</exception>
    public static Metric Get(string name)
    {
        if (TryGet(name, out var metric)) return metric;
        throw new ArgumentException(
            $"Unknown metric '{name}'. Known metrics: {string.Join(", ", Known.Select(k => k.Name))}.", nameof(name));
    }

    public static bool TryGet(string? name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Metric? metric)
    {
        metric = name is null ? null : Known.FirstOrDefault(k => string.Equals(k.Name, name.Trim(), StringComparison.OrdinalIgnoreCase));
        return metric is not null;
    }

    /// <summary>True when <paramref name="a"/> is strictly better than <paramref name="b"/>.</summary>
    public bool IsBetter(double a, double b) => Direction == MetricDirection.HigherIsBetter ? a > b : a < b;

    /// <summary>How much better a is than b, positive when a is better (a − b or b − a by direction).</summary>
    public double Improvement(double a, double b) => Direction == MetricDirection.HigherIsBetter ? a - b : b - a;

    /// <summary>The one-sided alternative that means "A is better than B" for tests whose Greater means A &gt; B.</summary>
    public Alternative ABetterThanB => Direction == MetricDirection.HigherIsBetter ? Alternative.Greater : Alternative.Less;

    public override string ToString() => Name;
}
