using Msr.Core.Results;
using Msr.Core.Training;

namespace Msr.Core.Reports;

/// <summary>A per-epoch quantity of a run's training history.</summary>
public enum CurveMetric
{
    /// <summary>AUC on the validation split after the epoch (higher is better).</summary>
    ValidationAuc,
    /// <summary>Mean training loss of the epoch's pass (lower is better).</summary>
    TrainLoss,
    /// <summary>Logloss on the validation split after the epoch (lower is better).</summary>
    ValidationLogLoss,
}

/// <summary>Mean of one epoch over the seeds that have a finite value there.</summary>
/// <param name="Epoch">Epoch number as recorded (1-based).</param>
/// <param name="Std">Sample standard deviation (n − 1); null when <paramref name="N"/> is 1.</param>
/// <param name="N">Seeds averaged: those still running at this epoch (early stopping ends runs at different epochs).</param>
public sealed record CurvePoint(int Epoch, double Mean, double? Std, int N);

/// <summary>The averaged curve of one model on one dataset.</summary>
/// <param name="Dataset">Dataset label, as in the comparison tables (<see cref="RecordConversion.DatasetLabeler"/>).</param>
/// <param name="Model">Model label, as in the comparison tables (<see cref="RecordConversion.Labeler"/>).</param>
/// <param name="Runs">Runs with a history that contributed at least one point.</param>
public sealed record LearningCurve(string Dataset, string Model, CurveMetric Metric, int Runs, IReadOnlyList<CurvePoint> Points)
{
    /// <summary>True when some seeds stopped before others, so the later points average fewer seeds.</summary>
    public bool Ragged => Points.Select(p => p.N).Distinct().Count() > 1;
}

/// <summary>
/// Learning curves from the training histories of run records: per dataset label and model label, the per-epoch mean and
/// standard deviation over seeds. A run that stopped early (or has no value at an epoch) simply does not count at the
/// later epochs, so each point averages the seeds still running there; <see cref="CurvePoint.N"/> says how many.
/// </summary>
public static class LearningCurves
{
    /// <summary>Display name of a curve metric.</summary>
    public static string Title(CurveMetric metric) => metric switch
    {
        CurveMetric.ValidationAuc => "Validation AUC",
        CurveMetric.TrainLoss => "Train loss",
        _ => "Validation logloss",
    };

    /// <summary>File-name part of a curve metric.</summary>
    public static string Slug(CurveMetric metric) => metric switch
    {
        CurveMetric.ValidationAuc => "val-auc",
        CurveMetric.TrainLoss => "train-loss",
        _ => "val-logloss",
    };

    /// <summary>
    /// Per (dataset label, model label): the mean, std and n of <paramref name="metric"/> at every epoch that at least one
    /// completed run reached with a finite value. Datasets are ordered by name, models by run order (<see cref="RecordConversion.InRunOrder"/>).
    /// Failed runs and runs without a history are ignored.
    /// </summary>
    public static IReadOnlyList<LearningCurve> Mean(IReadOnlyList<RunRecord> records, CurveMetric metric)
    {
        ArgumentNullException.ThrowIfNull(records);
        var labelOf = RecordConversion.Labeler(records);
        var datasetOf = RecordConversion.DatasetLabeler(records);
        var groups = new Dictionary<(string Dataset, string Model), List<IReadOnlyList<EpochRecord>>>();
        var order = new List<(string Dataset, string Model)>();
        foreach (var r in RecordConversion.InRunOrder(records))
        {
            if (!r.IsCompleted || r.Training?.History is not { Count: > 0 } history) continue;
            var key = (datasetOf(r), labelOf(r));
            if (!groups.TryGetValue(key, out var list))
            {
                groups[key] = list = [];
                order.Add(key);
            }
            list.Add(history);
        }
        var curves = new List<LearningCurve>();
        foreach (var key in order.OrderBy(k => k.Dataset, StringComparer.Ordinal))
        {
            var byEpoch = new SortedDictionary<int, List<double>>();
            int runs = 0;
            foreach (var history in groups[key])
            {
                bool any = false;
                // One value per epoch and run: a history listing an epoch twice keeps the last.
                var values = new Dictionary<int, double>();
                foreach (var e in history)
                    if (Value(e, metric) is double v && double.IsFinite(v)) values[e.Epoch] = v;
                foreach (var (epoch, v) in values)
                {
                    if (!byEpoch.TryGetValue(epoch, out var at)) byEpoch[epoch] = at = [];
                    at.Add(v);
                    any = true;
                }
                if (any) runs++;
            }
            if (runs == 0) continue;
            var points = byEpoch.Select(p =>
            {
                var (mean, std, n) = Summary(p.Value);
                return new CurvePoint(p.Key, mean, std, n);
            }).ToList();
            curves.Add(new LearningCurve(key.Dataset, key.Model, metric, runs, points));
        }
        return curves;
    }

    private static double? Value(EpochRecord e, CurveMetric metric) => metric switch
    {
        CurveMetric.ValidationAuc => e.ValidationAuc,
        CurveMetric.TrainLoss => e.TrainLoss,
        _ => e.ValidationLogLoss,
    };

    /// <summary>Mean, sample std (n − 1; null for one value) and n of a non-empty list of finite values.</summary>
    internal static (double Mean, double? Std, int N) Summary(IReadOnlyList<double> values)
    {
        int n = values.Count;
        double mean = values.Average();
        double? std = null;
        if (n > 1)
        {
            double ss = values.Sum(v => (v - mean) * (v - mean));
            std = Math.Sqrt(ss / (n - 1));
        }
        return (mean, std, n);
    }
}
