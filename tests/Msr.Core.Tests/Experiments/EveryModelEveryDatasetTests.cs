using Msr.Core.Data;
using Msr.Core.Experiments;
using Msr.Core.Models;
using Msr.Core.Results;
using Msr.Core.Tests.Data;
using Xunit;

namespace Msr.Core.Tests.Experiments;

/// <summary>Every foundation model trains one epoch on a small fixture of every dataset loader and yields finite metrics.</summary>
public class EveryModelEveryDatasetTests
{
    public static TheoryData<string> Loaders => [.. Fixtures.Loaders];

    [Fact]
    public void Every_registered_loader_has_a_fixture() =>
        Assert.Equal(DatasetRegistry.All.Select(l => l.Name).Order(), Fixtures.Loaders.Order());

    [Theory]
    [MemberData(nameof(Loaders))]
    public void Every_model_completes_one_epoch_with_finite_metrics(string loader)
    {
        using var dir = new TempDir();
        var (path, options) = Fixtures.Write(loader, dir);
        using var data = LoadedDataset.Load(loader, path, options);
        Assert.True(data.Data.Count >= 100, $"{loader}: fixture has only {data.Data.Count} rows");
        var trainer = new Dictionary<string, string> { ["epochs"] = "1", ["batch_size"] = "64" };
        // Every model runs with its preset defaults; PPNet on synthetic and CSV data (movielens preset, no movie_id)
        // finds the data's own user and item columns.
        foreach (var model in ModelRegistry.All)
        {
            var spec = new RunSpec(loader, path, options, model.Name, new Dictionary<string, string>(), trainer, 7);
            var what = $"{model.Name} on {loader}";
            if (model.RequiresHistories && data.Data.Schema.SequenceFeatures.Count == 0)
            {
                // Refused before training with the way to load histories (a grid records it as failed and goes on).
                var refused = Assert.Throws<ArgumentException>(() => ExperimentRunner.Prepare(spec, data));
                Assert.Contains("history=L", refused.Message);
                continue;
            }
            var record = ExperimentRunner.Run(spec, data);
            Assert.True(record.Status == RunRecord.Completed, $"{what}: {record.Status} {record.Error}");
            Assert.Equal(1, record.Training!.EpochsRun);
            Assert.True(record.Parameters > 0, what);
            foreach (var evaluation in new[] { record.Test!, record.Validation! })
            {
                var overall = evaluation.Overall;
                Assert.True(overall.Rows > 0, $"{what}: empty evaluation split");
                Assert.True(overall.Auc is { } auc && double.IsFinite(auc) && auc is >= 0 and <= 1, $"{what}: AUC {overall.Auc}");
                Assert.True(overall.LogLoss is { } ll && double.IsFinite(ll) && ll > 0, $"{what}: logloss {overall.LogLoss}");
            }
            Assert.True(double.IsFinite(record.Training.History[0].TrainLoss), $"{what}: train loss");
        }
    }

}
