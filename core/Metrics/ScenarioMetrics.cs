namespace Msr.Core.Metrics;

/// <summary>Metrics of one group of rows (a scenario, or all rows).</summary>
/// <param name="Name">Scenario name, or "overall".</param>
/// <param name="Rows">Number of rows.</param>
/// <param name="PositiveRate">Share of clicks; null for no rows.</param>
/// <param name="Auc">ROC AUC; null when the rows hold a single class.</param>
/// <param name="LogLoss">Clipped mean logloss; null for no rows.</param>
/// <param name="Gauc">User-weighted group AUC (<see cref="Metrics.Gauc"/>) of these rows; null when the dataset
/// declares no user column (and in records written before GAUC existed) or when no user has both classes.</param>
public sealed record MetricSet(string Name, long Rows, double? PositiveRate, double? Auc, double? LogLoss, double? Gauc = null);

/// <summary>Overall and per-scenario metrics of one evaluation.</summary>
public sealed record Evaluation(MetricSet Overall, IReadOnlyList<MetricSet> Scenarios)
{
    public const string OverallName = "overall";

    /// <summary>
    /// Computes metrics from predictions. Results depend only on the multiset of
    /// (prediction, label, scenario, user) rows: not on row order nor on how rows were batched.
    /// </summary>
    /// <param name="users">The user id of every row (the schema's <c>UserFeature</c>): GAUC is computed overall and
    /// within each scenario; null leaves GAUC null.</param>
    public static Evaluation Compute(double[] predictions, float[] labels, long[] scenarios, IReadOnlyList<string> scenarioNames,
        long[]? users = null)
    {
        if (predictions.Length != labels.Length || labels.Length != scenarios.Length || (users is not null && users.Length != labels.Length))
            throw new ArgumentException($"length mismatch: {predictions.Length} predictions, {labels.Length} labels, {scenarios.Length} scenario ids" +
                (users is null ? "" : $", {users.Length} user ids"));
        var overall = Of(OverallName, predictions, labels, users);
        var perScenario = new List<MetricSet>(scenarioNames.Count);
        for (int s = 0; s < scenarioNames.Count; s++)
        {
            var rows = new List<int>();
            for (int i = 0; i < scenarios.Length; i++) if (scenarios[i] == s) rows.Add(i);
            perScenario.Add(Of(scenarioNames[s], [.. rows.Select(i => predictions[i])], [.. rows.Select(i => labels[i])],
                users is null ? null : [.. rows.Select(i => users[i])]));
        }
        return new Evaluation(overall, perScenario);
    }

    static MetricSet Of(string name, double[] p, float[] y, long[]? users)
    {
        double? rate = y.Length == 0 ? null : y.Sum(v => (double)v) / y.Length;
        double? gauc = users is null ? null : Metrics.Gauc.Compute(p, y, users);
        return new MetricSet(name, y.Length, rate, Metrics.Auc.Compute(p, y), Metrics.LogLoss.Compute(p, y), gauc);
    }
}
