using Msr.Core.Results;

namespace Msr.Core.Reports;

/// <summary>
/// A model's speed and size on one dataset in the paper's Table 4 units, each a mean over the completed runs that
/// measured it (null when none did).
/// </summary>
/// <param name="Runs">Completed runs with efficiency figures.</param>
/// <param name="FailedRuns">Runs that did not complete (excluded).</param>
/// <param name="InferBatchSize">Batch size of the inference timing (the largest seen, when runs differ).</param>
public sealed record EfficiencyRow(
    string Model, int Runs, int FailedRuns, double? TrainSecondsPerEpoch, double? InferMillisecondsPerBatch,
    int? InferBatchSize, double? Parameters);

/// <summary>Table 4 of one dataset.</summary>
public sealed record EfficiencyTable(string Dataset, IReadOnlyList<EfficiencyRow> Rows, string Caption);

/// <summary>Builds the efficiency tables (train s/epoch, infer ms/batch, parameters) from run records.</summary>
public static class EfficiencyTables
{
    /// <summary>One table per dataset label; rows in run order, or <paramref name="modelOrder"/> first
    /// (<see cref="RecordConversion.OrderModels"/>), as the comparison tables.</summary>
    public static IReadOnlyList<EfficiencyTable> Build(IReadOnlyList<RunRecord> records, IReadOnlyList<string>? modelOrder = null)
    {
        records = RecordConversion.InRunOrder(records);
        var tables = new List<EfficiencyTable>();
        var labelOf = RecordConversion.Labeler(records);
        var datasetOf = RecordConversion.DatasetLabeler(records);
        foreach (var byDataset in records.GroupBy(datasetOf).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var rows = new List<EfficiencyRow>();
            var groups = byDataset.GroupBy(labelOf).ToList();
            var byLabel = groups.ToDictionary(g => g.Key);
            foreach (var byModel in RecordConversion.OrderModels([.. groups.Select(g => g.Key)], modelOrder).Select(m => byLabel[m]))
            {
                var done = byModel.Where(r => r.IsCompleted).ToList();
                var timed = done.Where(r => r.Efficiency is not null).Select(r => r.Efficiency!).ToList();
                var sized = done.Where(r => r.Parameters > 0).Select(r => (double)r.Parameters).ToList();
                rows.Add(new EfficiencyRow(byModel.Key, timed.Count, byModel.Count() - done.Count,
                    MeanOf(timed.Select(e => e.TrainSecondsPerEpoch)),
                    MeanOf(timed.Select(e => e.InferMillisecondsPerBatch)),
                    timed.Count == 0 ? null : timed.Max(e => e.InferBatchSize),
                    MeanOf(sized)));
            }
            var batches = rows.Where(r => r.InferBatchSize is not null).Select(r => r.InferBatchSize!.Value).Distinct().Order().ToList();
            string batchText = batches.Count == 0 ? "" : $", inference batch size {string.Join(" / ", batches.Select(b => b.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)))}";
            int failed = rows.Sum(r => r.FailedRuns);
            string caption = $"Efficiency on {byDataset.Key}: Train = mean seconds per training epoch, Infer = mean milliseconds per test batch{batchText}, " +
                             $"Params = number of model parameters (embeddings included); means over completed runs." +
                             (failed > 0 ? $" Failed runs (excluded): {string.Join(", ", rows.Where(r => r.FailedRuns > 0).Select(r => $"{r.Model} {r.FailedRuns}"))}." : "");
            tables.Add(new EfficiencyTable(byDataset.Key, rows, caption));
        }
        return tables;
    }

    private static double? MeanOf(IEnumerable<double> values)
    {
        var v = values.Where(double.IsFinite).ToList();
        return v.Count == 0 ? null : v.Average();
    }
}
