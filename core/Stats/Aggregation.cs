namespace Msr.Core.Stats;

/// <summary>
/// Collapses seeds: per (dataset, scenario, model, metric) the count, mean, sample standard deviation (n − 1)
/// and standard error s/√n. Rows come out sorted ordinally by dataset, scenario, model, metric so tables are stable.
/// Rejects non-finite values and duplicate seeds within a cell (a duplicated run would silently inflate n).
/// </summary>
public static class Aggregation
{
    public static IReadOnlyList<AggregateRow> Aggregate(IEnumerable<ResultObservation> observations)
    {
        ArgumentNullException.ThrowIfNull(observations);
        var cells = new Dictionary<(string, string, string, string), List<ResultObservation>>();
        foreach (var o in observations)
        {
            if (o is null) throw new ArgumentException("An observation is null.", nameof(observations));
            if (string.IsNullOrWhiteSpace(o.Dataset) || string.IsNullOrWhiteSpace(o.Scenario) ||
                string.IsNullOrWhiteSpace(o.Model) || string.IsNullOrWhiteSpace(o.Metric))
                throw new ArgumentException($"Observation {o} has an empty dataset, scenario, model or metric name.", nameof(observations));
            if (!double.IsFinite(o.Value))
                throw new ArgumentException($"Observation {o} has a non-finite value.", nameof(observations));
            var key = (o.Dataset, o.Scenario, o.Model, o.Metric);
            if (!cells.TryGetValue(key, out var list)) cells[key] = list = new List<ResultObservation>();
            if (list.Any(e => e.Seed == o.Seed))
                throw new ArgumentException($"Duplicate seed {o.Seed} for {o.Dataset}/{o.Scenario}/{o.Model}/{o.Metric}.", nameof(observations));
            list.Add(o);
        }
        return cells
            .OrderBy(c => c.Key.Item1, StringComparer.Ordinal).ThenBy(c => c.Key.Item2, StringComparer.Ordinal)
            .ThenBy(c => c.Key.Item3, StringComparer.Ordinal).ThenBy(c => c.Key.Item4, StringComparer.Ordinal)
            .Select(c => Summarise(c.Key, c.Value.Select(o => o.Value).ToArray()))
            .ToList();
    }

    private static AggregateRow Summarise((string d, string s, string m, string k) key, double[] values)
    {
        int n = values.Length;
        double mean = Descriptive.Mean(values);
        double? sd = null, se = null;
        if (n >= 2)
        {
            sd = Math.Sqrt(Descriptive.Variance(values, mean));
            se = sd / Math.Sqrt(n);
        }
        return new AggregateRow(key.d, key.s, key.m, key.k, n, mean, sd, se);
    }
}
