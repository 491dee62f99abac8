namespace Msr.Core.Metrics;

/// <summary>Metrics of one group of rows (a scenario, or all rows).</summary>
/// <param name="Name">Scenario name, or "overall".</param>
/// <param name="Rows">Number of rows.</param>
/// <param name="PositiveRate">Share of clicks; null for no rows.</param>
/// <param name="Auc">ROC AUC; null when the rows hold a single class.</param>
/// <param name="LogLoss">Clipped mean logloss; null for no rows.</param>
public sealed record MetricSet(string Name, long Rows, double? PositiveRate, double? Auc, double? LogLoss);

/// <summary>Overall and per-scenario metrics of one evaluation.</summary>
public sealed record Evaluation(MetricSet Overall, IReadOnlyList<MetricSet> Scenarios)
{
    public const string OverallName = "overall";

    /// <summary>
    /// Computes metrics from predictions. Results depend only on the multiset of
    /// (prediction, label, scenario) triples: not on row order nor on how rows were batched.
    /// </summary>
    public static Evaluation Compute(double[] predictions, float[] labels, long[] scenarios, IReadOnlyList<string> scenarioNames)
    {
        if (predictions.Length != labels.Length || labels.Length != scenarios.Length)
            throw new ArgumentException($"length mismatch: {predictions.Length} predictions, {labels.Length} labels, {scenarios.Length} scenario ids");
        var overall = Of(OverallName, predictions, labels);
        var perScenario = new List<MetricSet>(scenarioNames.Count);
        for (int s = 0; s < scenarioNames.Count; s++)
        {
            var rows = new List<int>();
            for (int i = 0; i < scenarios.Length; i++) if (scenarios[i] == s) rows.Add(i);
            perScenario.Add(Of(scenarioNames[s], [.. rows.Select(i => predictions[i])], [.. rows.Select(i => labels[i])]));
        }
        return new Evaluation(overall, perScenario);
    }

    static MetricSet Of(string name, double[] p, float[] y)
    {
        double? rate = y.Length == 0 ? null : y.Sum(v => (double)v) / y.Length;
        return new MetricSet(name, y.Length, rate, Metrics.Auc.Compute(p, y), Metrics.LogLoss.Compute(p, y));
    }
}
