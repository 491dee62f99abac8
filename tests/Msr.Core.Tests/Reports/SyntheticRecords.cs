using Msr.Core.Metrics;
using Msr.Core.Results;
using Msr.Core.Training;

namespace Msr.Core.Tests.Reports;

/// <summary>Run records with chosen per-seed metric values, built directly (no training).</summary>
internal static class SyntheticRecords
{
    private static readonly RunEnvironment Env = new("0.1.0", "0.107.0", ".NET 10", "linux", "test", 1, "cpu");

    public static RunRecord Completed(string dataset, string model, long seed, double auc, double logloss,
        IReadOnlyList<MetricSet>? scenarios = null, EfficiencyFigures? efficiency = null, long parameters = 1000,
        IReadOnlyDictionary<string, string>? options = null, IReadOnlyList<EpochRecord>? history = null,
        IReadOnlyDictionary<string, string>? datasetOptions = null)
    {
        var overall = new MetricSet(Evaluation.OverallName, 1000, 0.3, auc, logloss);
        var test = new Evaluation(overall, scenarios ?? [new MetricSet("s0", 600, 0.3, auc, logloss), new MetricSet("s1", 400, 0.3, auc, logloss)]);
        var training = history is null ? new TrainingSummary(1, 1, "epoch_budget", false, [])
            : new TrainingSummary(history.Count, 1, "early_stopping", false, history);
        string variant = datasetOptions is null ? "" : "-" + string.Join("-", datasetOptions.Select(p => $"{p.Key}{p.Value}"));
        return new RunRecord(RunRecord.CurrentSchemaVersion, $"{dataset}{variant}-{model}-s{seed}", RunRecord.Completed, null,
            Config(dataset, model, seed, options, datasetOptions), test, test, training,
            efficiency ?? new EfficiencyFigures(2.0, 1000, 5.0, 4096, 10), parameters, Env,
            DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
    }

    public static RunRecord Failed(string dataset, string model, long seed) =>
        new(RunRecord.CurrentSchemaVersion, $"{dataset}-{model}-s{seed}-failed", RunRecord.Failed, "out of memory",
            Config(dataset, model, seed, null), null, null, null, null, 0, Env, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

    private static RunConfig Config(string dataset, string model, long seed, IReadOnlyDictionary<string, string>? options,
        IReadOnlyDictionary<string, string>? datasetOptions = null) =>
        new(dataset, null, datasetOptions ?? new Dictionary<string, string>(), model, options ?? new Dictionary<string, string>(), dataset, seed, new TrainerOptions());

    /// <summary>One run per seed (1, 2, ...) of each model; AUC and logloss given per seed.</summary>
    public static List<RunRecord> Grid(string dataset, params (string Model, double[] Auc, double[] LogLoss)[] models)
    {
        var list = new List<RunRecord>();
        foreach (var (model, auc, ll) in models)
        {
            if (auc.Length != ll.Length) throw new ArgumentException("auc and logloss need one value per seed each");
            for (int i = 0; i < auc.Length; i++) list.Add(Completed(dataset, model, i + 1, auc[i], ll[i]));
        }
        return list;
    }

    /// <summary>A training history: epoch i (1-based) has train loss <paramref name="loss"/>[i-1] and validation AUC
    /// <paramref name="auc"/>[i-1] (null = undefined at that epoch).</summary>
    public static List<EpochRecord> History(double[] loss, double?[] auc)
    {
        if (loss.Length != auc.Length) throw new ArgumentException("one loss and one AUC per epoch");
        return loss.Select((l, i) => new EpochRecord(i + 1, l, auc[i], 0.45, 1.0, 0.1, 0.001, 1000)).ToList();
    }

    /// <summary>Scenario metric sets s0..s(k-1), each with the given AUC and logloss.</summary>
    public static List<MetricSet> Scenarios(int k, double auc, double logloss) =>
        Enumerable.Range(0, k).Select(i => new MetricSet($"s{i}", 100, 0.3, auc, logloss)).ToList();

    /// <summary>values + offset, element-wise.</summary>
    public static double[] Shift(double[] values, double offset) => values.Select(v => v + offset).ToArray();
}
