using System.Globalization;
using Msr.Core.Metrics;
using Msr.Core.Results;
using Msr.Core.Stats;

namespace Msr.Core.Reports;

/// <summary>Mean of a test metric over the runs with one scenario count.</summary>
/// <param name="Scenarios">Number of scenarios of those runs.</param>
/// <param name="Std">Sample standard deviation (n − 1); null when <paramref name="N"/> is 1.</param>
/// <param name="N">Runs (seeds) averaged.</param>
public sealed record ScenarioCountPoint(int Scenarios, double Mean, double? Std, int N);

/// <summary>One model's line of the scenario-number figure: a test metric against the number of scenarios.</summary>
/// <param name="Dataset">Dataset name (<see cref="RunConfig.Dataset"/>), whatever its loader options.</param>
/// <param name="Scenario">The evaluation the metric comes from: "overall" or a scenario name.</param>
public sealed record ScenarioCountSeries(string Dataset, string Model, string Metric, string Scenario, IReadOnlyList<ScenarioCountPoint> Points);

/// <summary>
/// Performance against the number of scenarios (the benchmark paper's Figure 3: KuaiRand with the top 3…7 tabs):
/// completed runs of one dataset name are grouped by their scenario count and model label; each point is the mean
/// ± std over the seeds of that count.
/// </summary>
public static class ScenarioCounts
{
    /// <summary>
    /// The number of scenarios of a run: the scenarios of its test evaluation, or else its loader option
    /// <c>top_k</c> or <c>scenarios</c>; null when none is known.
    /// </summary>
    public static int? Count(RunRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Test is { Scenarios.Count: > 0 } test) return test.Scenarios.Count;
        foreach (var key in new[] { "top_k", "scenarios" })
            if (record.Config.DatasetOptions.TryGetValue(key, out var s)
                && int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int k) && k > 0)
                return k;
        return null;
    }

    /// <summary>Per dataset name, the distinct scenario counts of its completed runs, ascending.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<int>> CountsByDataset(IReadOnlyList<RunRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        return records.Where(r => r is not null && r.IsCompleted && r.Test is not null)
            .GroupBy(r => r.Config.Dataset, StringComparer.Ordinal)
            .ToDictionary(g => g.Key,
                g => (IReadOnlyList<int>)g.Select(Count).OfType<int>().Distinct().Order().ToList(),
                StringComparer.Ordinal);
    }

    /// <summary>
    /// Per (dataset name, model label): <paramref name="metric"/> ("auc" or "logloss") of the evaluation
    /// <paramref name="scenario"/> ("overall" by default) averaged per scenario count. Model labels are computed within
    /// the runs of one scenario count, so hyper-parameters that only follow the count (e.g. one tower per scenario)
    /// do not split a model. Undefined or non-finite values are left out. Datasets by name, models by run
    /// order (first appearance by start time), points by scenario count.
    /// </summary>
    public static IReadOnlyList<ScenarioCountSeries> Series(IReadOnlyList<RunRecord> records, string metric = "auc",
        string scenario = ResultObservation.Overall)
    {
        ArgumentNullException.ThrowIfNull(records);
        var m = Metric.Get(metric);
        var completed = RecordConversion.InRunOrder(records).Where(r => r is not null && r.IsCompleted && r.Test is not null && Count(r) is not null).ToList();
        var values = new Dictionary<(string Dataset, string Model), SortedDictionary<int, List<double>>>();
        var order = new List<(string Dataset, string Model)>();
        foreach (var group in completed.GroupBy(r => (r.Config.Dataset, Count(r)!.Value)))
        {
            var runs = group.ToList();
            var labelOf = RecordConversion.Labeler(runs);
            foreach (var r in runs)
            {
                var set = scenario == ResultObservation.Overall
                    ? r.Test!.Overall
                    : r.Test!.Scenarios.FirstOrDefault(s => s.Name == scenario);
                double? v = set is null ? null : RecordConversion.ValueOf(set, m);
                if (v is not double value || !double.IsFinite(value)) continue;
                var key = (group.Key.Dataset, labelOf(r));
                if (!values.TryGetValue(key, out var byCount))
                {
                    values[key] = byCount = [];
                    order.Add(key);
                }
                if (!byCount.TryGetValue(group.Key.Value, out var at)) byCount[group.Key.Value] = at = [];
                at.Add(value);
            }
        }
        return order.OrderBy(k => k.Dataset, StringComparer.Ordinal)
            .Select(k => new ScenarioCountSeries(k.Dataset, k.Model, m.Name, scenario,
                values[k].Select(p =>
                {
                    var (mean, std, n) = LearningCurves.Summary(p.Value);
                    return new ScenarioCountPoint(p.Key, mean, std, n);
                }).ToList()))
            .ToList();
    }
}
