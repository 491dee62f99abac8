using System.Text.Json;
using Msr.Core.Data;
using Msr.Core.Metrics;
using Msr.Core.Models;
using Msr.Core.Results;
using Msr.Core.Tests.Data;
using Msr.Core.Training;
using Xunit;
using static TorchSharp.torch;

namespace Msr.Core.Tests.Metrics;

public sealed class GaucTests
{
    // Four users, worked by hand:
    //   u1: scores .9 .2 .6, labels 1 0 0 → the click outranks both → AUC 1,   3 rows
    //   u2: scores .3 .6 .5 .7, labels 1 0 0 1 → pairs (.3,.6)(.3,.5) lost, (.7,.6)(.7,.5) won → AUC 2/4, 4 rows
    //   u3: scores .1 .9, labels 1 1 → one class: skipped (its rows count nowhere)
    //   u4: scores .4 .4, labels 1 0 → a tie → AUC 1/2, 2 rows
    // GAUC = (3·1 + 4·0.5 + 2·0.5) / (3 + 4 + 2) = 6/9.
    static readonly double[] Scores = [0.9, 0.2, 0.6, 0.3, 0.6, 0.5, 0.7, 0.1, 0.9, 0.4, 0.4];
    static readonly float[] Labels = [1, 0, 0, 1, 0, 0, 1, 1, 1, 1, 0];
    static readonly long[] Users = [1, 1, 1, 2, 2, 2, 2, 3, 3, 4, 4];

    [Fact]
    public void Gauc_is_the_row_weighted_mean_of_per_user_aucs_skipping_single_class_users()
    {
        Assert.Equal(6.0 / 9.0, Gauc.Compute(Scores, Labels, Users)!.Value, 12);
    }

    [Fact]
    public void Gauc_does_not_depend_on_row_order()
    {
        var order = Enumerable.Range(0, Scores.Length).Reverse().ToArray();
        Assert.Equal(6.0 / 9.0, Gauc.Compute([.. order.Select(i => Scores[i])], [.. order.Select(i => Labels[i])], [.. order.Select(i => Users[i])])!.Value, 12);
    }

    [Fact]
    public void Gauc_is_null_without_a_user_holding_both_classes_and_rejects_bad_input()
    {
        Assert.Null(Gauc.Compute([0.1, 0.9, 0.5], [1f, 1f, 0f], [7, 7, 8]));
        Assert.Null(Gauc.Compute([], [], []));
        Assert.Throws<ArgumentException>(() => Gauc.Compute([0.1, 0.2], [0f, 1f], [1]));
        Assert.Throws<ArgumentException>(() => Gauc.Compute([0.1, 0.2], [0f, 2f], [1, 1]));
    }

    [Fact]
    public void Evaluation_gives_gauc_overall_and_within_each_scenario_and_null_without_users()
    {
        // Scenario 0 holds u1 and u2 (GAUC (3·1 + 4·0.5)/7); scenario 1 holds u3 and u4 (only u4 counts: 0.5).
        long[] scenarios = [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1];
        var eval = Evaluation.Compute(Scores, Labels, scenarios, ["a", "b"], Users);
        Assert.Equal(6.0 / 9.0, eval.Overall.Gauc!.Value, 12);
        Assert.Equal(5.0 / 7.0, eval.Scenarios[0].Gauc!.Value, 12);
        Assert.Equal(0.5, eval.Scenarios[1].Gauc!.Value, 12);
        // A user seen in two scenarios is grouped per scenario: u9's rows (one click in a, one non-click in b) form no
        // two-class group within a scenario, but one overall.
        var split = Evaluation.Compute([0.8, 0.3], [1f, 0f], [0, 1], ["a", "b"], [9, 9]);
        Assert.Equal(1.0, split.Overall.Gauc);
        Assert.Null(split.Scenarios[0].Gauc);
        Assert.Null(split.Scenarios[1].Gauc);

        var without = Evaluation.Compute(Scores, Labels, scenarios, ["a", "b"]);
        Assert.Null(without.Overall.Gauc);
        Assert.All(without.Scenarios, s => Assert.Null(s.Gauc));
        Assert.Throws<ArgumentException>(() => Evaluation.Compute(Scores, Labels, scenarios, ["a", "b"], [1, 2]));
    }

    [Fact]
    public void Records_written_before_gauc_read_with_a_null_gauc_and_new_ones_round_trip()
    {
        var old = """{"name":"overall","rows":10,"positive_rate":0.3,"auc":0.8,"logloss":0.5}""";
        var set = JsonSerializer.Deserialize<MetricSet>(old, ResultStore.Json)!;
        Assert.Equal(0.8, set.Auc);
        Assert.Null(set.Gauc);
        var withGauc = new MetricSet("overall", 10, 0.3, 0.8, 0.5, 0.71);
        var json = JsonSerializer.Serialize(withGauc, ResultStore.Json);
        Assert.Contains("\"gauc\": 0.71", json);
        Assert.Equal(withGauc, JsonSerializer.Deserialize<MetricSet>(json, ResultStore.Json));
    }

    [Fact]
    public void Trainer_evaluate_groups_by_the_schemas_user_feature_and_leaves_gauc_null_without_one()
    {
        // Few users, so that test users have several rows of both classes.
        using var data = Msr.Core.Data.Synthetic.SyntheticDataset.Generate(new Msr.Core.Data.Synthetic.SyntheticOptions(Rows: 600, Users: 8, Seed: 3));
        Assert.Equal("user_id", data.Schema.UserFeature);
        using var split = DatasetSplit.Random(data.Count, 1);
        manual_seed(1);
        using var model = ModelRegistry.Create("SharedBottom", new ModelContext(data.Schema), new Settings());
        var eval = Trainer.Evaluate(model, data, split.Test, 64);

        var p = Trainer.Predict(model, data, split.Test, 64);
        using var scope = NewDisposeScope();
        var y = data.Label.index_select(0, split.Test).data<float>().ToArray();
        var u = data.Sparse.select(1, data.Schema.SparseIndex("user_id")).index_select(0, split.Test).to_type(ScalarType.Int64).data<long>().ToArray();
        Assert.Equal(Gauc.Compute(p, y, u)!.Value, eval.Overall.Gauc!.Value, 12);
        Assert.Contains(eval.Scenarios, s => s.Gauc is not null);

        using var anonymous = TestData.Random(TestData.Shaped([5, 4], 1, 2), 200);
        Assert.Null(anonymous.Schema.UserFeature);
        using var split2 = DatasetSplit.Random(anonymous.Count, 1);
        using var model2 = ModelRegistry.Create("SharedBottom", new ModelContext(anonymous.Schema), new Settings());
        var none = Trainer.Evaluate(model2, anonymous, split2.Test, 64);
        Assert.Null(none.Overall.Gauc);
        Assert.All(none.Scenarios, s => Assert.Null(s.Gauc));
    }

    [Fact]
    public void The_user_feature_must_be_a_declared_sparse_feature()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            new DatasetSchema([FeatureSpec.Sparse("uid", 3), FeatureSpec.Dense("age")], ["s"], userFeature: "age"));
        Assert.Contains("user feature 'age'", e.Message);
        Assert.Contains("uid", e.Message);
        Assert.Equal("uid", new DatasetSchema([FeatureSpec.Sparse("uid", 3)], ["s"], userFeature: "uid").UserFeature);
    }

    [Fact]
    public void Custom_csv_declares_its_user_column_with_the_user_option()
    {
        using var dir = new TempDir();
        var file = dir.Write("log.csv", "user,item,click,page\n" +
            string.Join("\n", Enumerable.Range(0, 12).Select(i => $"u{i % 3},i{i % 4},{i % 2},{(i < 6 ? "a" : "b")}")) + "\n");
        var loader = DatasetRegistry.Get("csv");
        Settings Opts(params (string, string)[] extra) =>
            new([new("sparse", "user,item"), new("label", "click"), new("scenario", "page"), .. extra.Select(x => new KeyValuePair<string, string>(x.Item1, x.Item2))]);
        using (var withUser = loader.Load(new DatasetRequest(file, Opts(("user", "user")))))
            Assert.Equal("user", withUser.Schema.UserFeature);
        using (var without = loader.Load(new DatasetRequest(file, Opts())))
            Assert.Null(without.Schema.UserFeature);
        var e = Assert.Throws<ArgumentException>(() => loader.Load(new DatasetRequest(file, Opts(("user", "click")))));
        Assert.Contains("option 'user'", e.Message);
    }
}
