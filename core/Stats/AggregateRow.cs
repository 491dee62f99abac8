namespace Msr.Core.Stats;

/// <summary>
/// Summary over seeds of one (dataset, scenario, model, metric) cell. With a single seed there is no spread
/// estimate: <see cref="StandardDeviation"/> and <see cref="StandardError"/> are null and
/// <see cref="HasSpread"/> is false — never NaN, so a table layer must decide how to print "n/a".
/// </summary>
public sealed record AggregateRow(
    string Dataset, string Scenario, string Model, string Metric,
    int N, double Mean, double? StandardDeviation, double? StandardError)
{
    public bool HasSpread => StandardDeviation.HasValue;
}
