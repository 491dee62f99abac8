using Msr.Core.Data;
using Msr.Core.Features;
using Msr.Core.Tests.Data;
using Xunit;

namespace Msr.Core.Tests.Features;

public class EncoderTests
{
    static CategoricalColumn Column(params string?[] values)
    {
        var c = new CategoricalColumn("c");
        foreach (var v in values) c.Add(v);
        return c;
    }

    static long[] Encode(LabelEncoder e, CategoricalColumn c) => c.Codes.ToArray().Select(e.Transform).ToArray();

    [Fact]
    public void Label_encoder_sorts_numbers_numerically_and_puts_missing_last()
    {
        var c = Column("10", "9", null, "100", "9");
        var e = LabelEncoder.Fit(c);
        Assert.Equal([1L, 0, 3, 2, 0], Encode(e, c));
        Assert.Equal(4, e.Vocabulary);
        Assert.Equal(-1, e.OutOfVocabularyId);
        Assert.Equal(["9", "10", "100"], e.KnownValues);
    }

    [Fact]
    public void Label_encoder_sorts_strings_ordinally()
    {
        var c = Column("b", "B", "a", "10", "9");
        Assert.Equal([4L, 2, 3, 0, 1], Encode(LabelEncoder.Fit(c), c));
    }

    [Fact]
    public void Train_only_fit_maps_unseen_values_to_the_out_of_vocabulary_id()
    {
        var c = Column("x", "y", "z", null);
        var e = LabelEncoder.Fit(c, fitRows: [0, 1], reserveOutOfVocabulary: true);
        Assert.Equal(3, e.Vocabulary);
        Assert.Equal(2, e.OutOfVocabularyId);
        Assert.Equal([0L, 1, 2, 2], Encode(e, c)); // unseen "z" and unseen missing → OOV
    }

    [Fact]
    public void Min_frequency_sends_rare_values_to_a_shared_id()
    {
        var c = Column("a", "a", "b", "c", "c", "d");
        var e = LabelEncoder.Fit(c, minFrequency: 2);
        Assert.Equal([0L, 0, 2, 1, 1, 2], Encode(e, c));
        Assert.Equal(3, e.Vocabulary);
    }

    [Fact]
    public void MinMax_and_buckets()
    {
        double[] v = [2, 4, double.NaN, 6];
        var s = MinMaxScaler.Fit(v);
        Assert.Equal([0f, 0.5f, 0f, 1f], v.Select(s.Transform));
        var train = MinMaxScaler.Fit(v, fitRows: [0, 1], clamp: true);
        Assert.Equal(1f, train.Transform(6));
        Assert.Equal(0f, MinMaxScaler.Fit([3, 3]).Transform(3));

        var b = Bucketizer.Quantiles([1, 2, 3, 4, 5, 6, 7, 8], 4);
        Assert.Equal([3.0, 5, 7], b.Boundaries);
        Assert.Equal([0L, 1, 1, 2, 3, 3], new[] { 1, 3, 4, 5, 7, 100 }.Select(x => b.Transform(x)));
        Assert.Equal(b.MissingId, b.Transform(double.NaN));
        Assert.Equal(5, b.Vocabulary);
    }

    static RawTable Table(params string[] values)
    {
        var t = new RawTable();
        t.Sources.Add("f.csv");
        var c = t.AddCategorical("s");
        for (int i = 0; i < values.Length; i++) c.Add(values[i], new SourcePosition("f.csv", i + 2));
        return t;
    }

    [Fact]
    public void Scenario_rules_by_value_groups_topk_and_fixed()
    {
        var t = Table("18", "1", "25", "56", "25", "7");
        var byValue = ScenarioRule.ByValue("s").Apply(t);
        Assert.Equal(["1", "7", "18", "25", "56"], byValue.Names);
        Assert.Equal([2, 0, 3, 4, 3, 1], byValue.PerRow);

        var groups = ScenarioRule.Groups("s", [("young", ["1", "18"]), ("mid", ["25"])], catchAll: "other").Apply(t);
        Assert.Equal([0, 0, 1, 2, 1, 2], groups.PerRow);
        var e = Assert.Throws<DataFormatException>(() => ScenarioRule.Groups("s", [("young", ["1", "18"]), ("rest", ["25", "56"])]).Apply(t));
        Assert.Equal(("f.csv", 7L, "s"), (e.File, e.Line, e.Field));

        var top = ScenarioRule.TopK("s", 2).Apply(t); // 25 (×2) then 1 (tie with 18/56/7, smallest value) → value order 1, 25
        Assert.Equal(["1", "25"], top.Names);
        Assert.Equal([-1, 0, 1, -1, 1, -1], top.PerRow);
        Assert.Equal(["25", "1"], ScenarioRule.TopK("s", 2, orderBySize: true).Apply(t).Names);

        var fixedDrop = ScenarioRule.Fixed("s", ["56", "1.0"]).Apply(t);
        Assert.Equal([-1, 1, -1, 0, -1, -1], fixedDrop.PerRow);
        var outside = Assert.Throws<DataFormatException>(() => ScenarioRule.Fixed("s", ["1", "18", "25", "56"], OutsideRows.Error).Apply(t));
        Assert.Contains("outside the declared set", outside.Message);
        Assert.Equal(7, outside.Line);
        var empty = Assert.Throws<DataFormatException>(() => ScenarioRule.Fixed("s", ["1", "99"]).Apply(t));
        Assert.Contains("scenario '99'", empty.Message);
        Assert.Contains("has no rows", empty.Message);
    }

    [Fact]
    public void Scenario_rule_text_forms()
    {
        var t = Table("a", "b", "c", "a");
        Assert.Equal([0, 1, 2, 0], ScenarioRule.Parse("s").Apply(t).PerRow);
        Assert.Equal([0, -1, -1, 0], ScenarioRule.Parse("s:top=1").Apply(t).PerRow);
        Assert.Equal([1, -1, 0, 1], ScenarioRule.Parse("s:values=c,a").Apply(t).PerRow);
        Assert.Throws<DataFormatException>(() => ScenarioRule.Parse("s:only=c,a").Apply(t));
        Assert.Equal([0, 1, 1, 0], ScenarioRule.Parse("s:groups=a,b/c").Apply(t).PerRow);
        Assert.Throws<ArgumentException>(() => ScenarioRule.Parse("s:weird=1"));
        var missing = Table("a", "");
        Assert.Contains("missing", Assert.Throws<DataFormatException>(() => ScenarioRule.ByValue("s").Apply(missing)).Message);
    }

    [Fact]
    public void Train_only_encoding_fits_on_the_seeded_training_rows_and_attaches_that_split()
    {
        using var dir = new TempDir();
        var lines = Enumerable.Range(0, 50).Select(i => $"u{i},i{i % 7},{i % 2},{(i % 2 == 0 ? "a" : "b")},{i}");
        var file = dir.Write("log.csv", "user,item,click,page,x\n" + string.Join("\n", lines) + "\n");
        var options = new Settings([new("sparse", "user,item"), new("dense", "x"), new("label", "click"), new("scenario", "page"),
            new("encoder", "train-only"), new("split_seed", "7")]);
        using var ds = DatasetRegistry.Load("csv", file, options);
        var split = ds.PredefinedSplit!;
        Assert.Equal([40L, 5, 5], new[] { split.Train, split.Validation, split.Test }.Select(t => t.shape[0]));
        // 40 training users get ids 0..39, the 10 others share the OOV id 40.
        Assert.Equal(41, ds.Schema.SparseFeatures[0].Vocabulary);
        var users = ds.SparseIds().select(1, 0);
        Assert.Equal(40, users.index_select(0, split.Validation).min().item<long>());
        Assert.Equal(40, users.index_select(0, split.Test).max().item<long>());
        Assert.True(users.index_select(0, split.Train).max().item<long>() < 40);
        // Dense x is scaled by the training range and clamped.
        Assert.True(ds.Dense.min().item<float>() >= 0 && ds.Dense.max().item<float>() <= 1);
    }
}
