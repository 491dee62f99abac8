using Msr.Core.Data;
using Xunit;

namespace Msr.Core.Tests.Data;

/// <summary>The samples under data/ are written by Msr itself; these tests keep them so.</summary>
public sealed class SampleDataTests
{
    static string Sample => Path.Combine(TestData.RepositoryRoot().FullName, "data", "synthetic-sample.csv");

    [Fact]
    public void The_committed_synthetic_sample_is_exactly_what_the_exporter_writes()
    {
        // data/README.md: msr datasets export synthetic --data rows=2000 -o data/synthetic-sample.csv
        using var dir = new TempDir();
        using var data = DatasetRegistry.Load("synthetic", null, new Settings([new("rows", "2000")]));
        var fresh = Path.Combine(dir.Path, "sample.csv");
        DatasetExport.WriteCsv(data, fresh);
        Assert.Equal(File.ReadAllText(fresh), File.ReadAllText(Sample));
    }

    [Fact]
    public void The_csv_loader_reads_an_export_back_with_the_same_rows_scenarios_and_labels()
    {
        using var original = DatasetRegistry.Load("synthetic", null, new Settings([new("rows", "2000")]));
        using var back = DatasetRegistry.Load("csv", Sample, new Settings(DatasetExport.ReadBackOptions(original.Schema)));
        Assert.Equal(original.Count, back.Count);
        Assert.Equal(original.ScenarioCounts(), back.ScenarioCounts());
        Assert.Equal(original.Schema.ScenarioNames, back.Schema.ScenarioNames);
        Assert.Equal(original.Label.data<float>().ToArray(), back.Label.data<float>().ToArray());
        Assert.Equal(original.Schema.SparseFeatures.Select(f => f.Name), back.Schema.SparseFeatures.Select(f => f.Name));
        // Ids are re-encoded (sorted distinct values), so compare the row partition each sparse column induces.
        for (int j = 0; j < original.Schema.SparseFeatures.Count; j++)
        {
            var a = original.SparseIds().select(1, j).data<long>().ToArray();
            var b = back.SparseIds().select(1, j).data<long>().ToArray();
            var pairs = a.Zip(b).Distinct().ToList();
            Assert.Equal(pairs.Select(p => p.First).Distinct().Count(), pairs.Count);
            Assert.Equal(pairs.Select(p => p.Second).Distinct().Count(), pairs.Count);
        }
    }

    [Fact]
    public void Export_writes_a_dataset_without_dense_features()
    {
        // Douban and MIND have no dense inputs: the (N, 0) dense tensor once made the exporter throw.
        var schema = new DatasetSchema([FeatureSpec.Sparse("user", 3), FeatureSpec.Sparse("item", 4)], ["s0", "s1"]);
        using var data = ScenarioDataset.FromArrays("no-dense", schema, [0, 3, 2, 1], [], [0, 1], [1, 0]);
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "out.csv");
        Assert.Equal(2, DatasetExport.WriteCsv(data, path));
        Assert.Equal(["user,item,scenario,label", "0,3,s0,1", "2,1,s1,0"], File.ReadAllLines(path));
    }

    [Fact]
    public void Export_of_a_negative_number_of_rows_is_a_clear_error()
    {
        var schema = new DatasetSchema([FeatureSpec.Sparse("user", 3)], ["s0"]);
        using var data = ScenarioDataset.FromArrays("one", schema, [0, 2], [], [0, 0], [1, 0]);
        var e = Assert.Throws<ArgumentException>(() => DatasetExport.WriteCsv(data, Path.Combine(Path.GetTempPath(), "never.csv"), -1));
        Assert.Equal("the number of rows to export must be 0 or more, got -1", e.Message);
    }

    [Fact]
    public void Export_refuses_sequence_features_with_a_clear_message()
    {
        var schema = new DatasetSchema([FeatureSpec.Sparse("item", 5), FeatureSpec.Sequence("hist_item", 5, 3, "item")], ["s0"]);
        using var data = ScenarioDataset.FromArrays("seq", schema, [1, 2], [], [0, 0], [0, 1],
            new Dictionary<string, long[]> { ["hist_item"] = [0, 0, 1, 1, 2, 3] });
        var e = Assert.Throws<NotSupportedException>(() => DatasetExport.WriteCsv(data, Path.Combine(Path.GetTempPath(), "never.csv")));
        Assert.Contains("hist_item", e.Message);
    }
}
