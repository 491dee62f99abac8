using Msr.Core.Data;
using Msr.Core.Data.AliCcp;
using Msr.Core.Features;
using Xunit;

namespace Msr.Core.Tests.Data;

public class AliCcpRawTests
{
    internal static string Features(params (string Field, string Id, double Value)[] entries) =>
        string.Join("\u0001", entries.Select(e => $"{e.Field}\u0002{e.Id}\u0003{e.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)}"));

    internal static string Sample(int id, int click, int purchase, string common, params (string, string, double)[] own) =>
        $"{id},{click},{purchase},{common},{own.Length},{Features(own)}";

    internal static void Write(TempDir dir, string extraTrain = "")
    {
        // Common features: user fields; 109_14 repeated (last wins) and carries a dense value.
        dir.Write("common_features_train.csv",
            $"ca,3,{Features(("101", "u1", 1), ("109_14", "c1", 0.5), ("109_14", "c2", 2.0))}\n" +
            $"cb,2,{Features(("101", "u2", 1), ("150_14", "x", 4.0))}\n");
        dir.Write("common_features_test.csv", $"cc,1,{Features(("101", "u1", 1))}\ncd,1,{Features(("101", "u9", 1))}\n");
        dir.Write("sample_skeleton_train.csv", string.Join("\n",
            Sample(1, 1, 0, "ca", ("205", "i1", 1), ("301", "p2", 1), ("508", "k", 3.0)),
            Sample(2, 0, 0, "cb", ("205", "i1", 1), ("301", "p1", 1)),
            Sample(3, 0, 1, "ca", ("205", "i2", 1), ("301", "p1", 1)), // click 0, purchase 1 → dropped
            Sample(4, 0, 0, "ca", ("205", "i3", 1), ("301", "p3", 1), ("508", "k", 1.0)),
            Sample(5, 1, 1, "cb", ("205", "i1", 1), ("301", "p2", 1))) + "\n" + extraTrain);
        dir.Write("sample_skeleton_test.csv", string.Join("\n",
            Sample(6, 1, 0, "cc", ("205", "i1", 1), ("301", "p1", 1)),
            Sample(7, 0, 0, "cd", ("205", "i7", 1), ("301", "p3", 1)),
            Sample(8, 0, 0, "zz", ("205", "i3", 1), ("301", "p2", 1)),
            Sample(9, 0, 0, "cc", ("205", "i3", 1), ("301", "p2", 1))) + "\n");
    }

    static long Id(ScenarioDataset ds, int row, string field) => ds.SparseIds().data<long>()[row * 23 + ds.Schema.SparseIndex(field)];

    [Fact]
    public void Fixture_merges_common_features_encodes_by_first_appearance_in_training_and_splits_the_test_file()
    {
        using var dir = new TempDir();
        Write(dir);
        using var ds = DatasetRegistry.Load("aliccp-raw", dir.Path, new Settings([new("min_count", "1")]));
        Assert.Equal(8, ds.Count); // sample 3 (click 0, purchase 1) dropped
        // 301 by first appearance among kept training rows: p2 → 1, p1 → 2, p3 → 3.
        Assert.Equal([0L, 1, 2, 0, 1, 2, 0, 0], ds.Scenario.data<long>().ToArray());
        Assert.Equal([1L, 1, 2, 1, 1, 0, 2, 2], Enumerable.Range(0, 8).Select(r => Id(ds, r, "205"))); // test-only i7 → 0
        Assert.Equal([1L, 2, 1, 2, 1, 0, 0, 1], Enumerable.Range(0, 8).Select(r => Id(ds, r, "101"))); // unknown common index → absent → 0
        Assert.Equal(3, ds.Schema.SparseFeatures[ds.Schema.SparseIndex("101")].Vocabulary);
        Assert.Equal([1L, 0, 1, 0, 0, 0, 0, 0], Enumerable.Range(0, 8).Select(r => Id(ds, r, "109_14"))); // last of c1, c2 wins
        Assert.Equal([1f, 0, 0, 1, 1, 0, 0, 0], ds.Label.data<float>().ToArray());
        var dense = ds.Dense.data<float>().ToArray();
        int d508 = Array.IndexOf(AliCcpRawLoader.DenseFields, "508");
        Assert.Equal([1f, 0, (float)(Half)(1.0 / 3), 0, 0, 0, 0, 0], Enumerable.Range(0, 8).Select(r => dense[r * 8 + d508]));
        Assert.Equal(1f, dense[0]); // D109_14 = 2.0 (the last entry's value) → MinMax 1
        var split = ds.PredefinedSplit!;
        Assert.Equal([0L, 1, 2, 3], split.Train.data<long>().ToArray());
        // The test file's 4 kept rows (dataset rows 4..7) halved as train_test_split(test_size=0.5, random_state=2022).
        Assert.Equal([4L, 5], split.Validation.data<long>().ToArray());
        Assert.Equal([6L, 7], split.Test.data<long>().ToArray());
    }

    [Fact]
    public void Split_seed_reorders_the_halves_as_scikit_learn_does()
    {
        using var dir = new TempDir();
        Write(dir);
        using var ds = DatasetRegistry.Load("aliccp-raw", dir.Path, new Settings([new("min_count", "1"), new("split_seed", "7")]));
        // scikit-learn: train_test_split(np.arange(4), test_size=0.5, random_state=7) → [0, 3], [2, 1].
        Assert.Equal([4L, 7], ds.PredefinedSplit!.Validation.data<long>().ToArray());
        Assert.Equal([6L, 5], ds.PredefinedSplit!.Test.data<long>().ToArray());
    }

    [Fact]
    public void A_test_file_with_fewer_than_two_kept_samples_cannot_be_halved()
    {
        using var dir = new TempDir();
        Write(dir);
        dir.Write("sample_skeleton_test.csv", Sample(6, 1, 0, "cc", ("205", "i1", 1), ("301", "p1", 1)) + "\n");
        var e = Assert.Throws<DataFormatException>(() => DatasetRegistry.Load("aliccp-raw", dir.Path, new Settings([new("min_count", "1")])));
        Assert.EndsWith("sample_skeleton_test.csv", e.File);
        Assert.Contains("at least 2", e.Message);
    }

    [Fact]
    public void Rare_scenario_ids_and_malformed_entries_are_errors()
    {
        using var dir = new TempDir();
        Write(dir);
        // With min_count 2, p1 and p3 occur once in training → id 0, which is no scenario.
        var e = Assert.Throws<DataFormatException>(() => DatasetRegistry.Load("aliccp-raw", dir.Path, new Settings([new("min_count", "2")])));
        Assert.Contains("outside the declared set", e.Message);
        Write(dir, "10,1,0,ca,1,301p1\n");
        e = Assert.Throws<DataFormatException>(() => DatasetRegistry.Load("aliccp-raw", dir.Path));
        Assert.Equal((6L, "feature_list"), (e.Line, e.Field));
        Assert.EndsWith("sample_skeleton_train.csv", e.File);
    }
}
