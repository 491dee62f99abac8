namespace Msr.Core.Stats;

/// <summary>
/// One measured value in tidy long form: one row per (dataset, scenario, model, seed, metric).
/// <see cref="Scenario"/> is <see cref="Overall"/> for the whole test set.
/// </summary>
public sealed record ResultObservation(string Dataset, string Scenario, string Model, int Seed, string Metric, double Value)
{
    /// <summary>Scenario name used for the metric on the whole test set.</summary>
    public const string Overall = "overall";
}
