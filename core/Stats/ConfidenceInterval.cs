namespace Msr.Core.Stats;

/// <summary>A two-sided confidence interval around a point estimate.</summary>
/// <param name="Level">Coverage, e.g. 0.95.</param>
/// <param name="Method">"t", "bootstrap-percentile".</param>
/// <param name="Note">Why the interval is special (zero width, single observation), otherwise null.</param>
public sealed record ConfidenceInterval(double Estimate, double Lower, double Upper, double Level, string Method, string? Note = null)
{
    public double HalfWidth => (Upper - Lower) / 2;
}
