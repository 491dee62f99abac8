using Msr.Core.Data;
using Msr.Core.Models;
using Msr.Core.Models.Layers;
using Msr.Core.Training;
using Xunit;
using static TorchSharp.torch;

namespace Msr.Core.Tests.Models;

public sealed class StarPaperTests
{
    [Fact]
    public void Partitioned_norm_uses_each_scenarios_own_statistics_and_updates_only_scenarios_with_two_rows()
    {
        using var scope = NewDisposeScope();
        using var norm = new PartitionedNorm(width: 1, scenarios: 3, momentum: 0.1, epsilon: 0);
        norm.train();
        // Scenario 0: values 1, 3 (mean 2, biased var 1, unbiased 2); scenario 1: 10, 20, 30 (mean 20, var 200/3,
        // unbiased 100); scenario 2: a single row 5 (kept on the running averages 0 / 1, not updated).
        var x = tensor(new float[] { 1, 10, 3, 20, 5, 30 }).unsqueeze(1);
        var s = tensor(new long[] { 0, 1, 0, 1, 2, 1 });
        var y = norm.forward(x, s).squeeze(1).data<float>().ToArray();
        double sd1 = Math.Sqrt(200.0 / 3);
        double[] expected = [-1, (10 - 20) / sd1, 1, 0, 5, (30 - 20) / sd1];
        for (int i = 0; i < 6; i++) Assert.Equal(expected[i], y[i], 1e-5);

        var mean = norm.get_buffer("running_mean")!.squeeze(1).data<float>().ToArray();
        var variance = norm.get_buffer("running_var")!.squeeze(1).data<float>().ToArray();
        Assert.Equal([0.2f, 2.0f, 0f], mean);                              // 0.9·0 + 0.1·mean
        Assert.Equal(0.9 + 0.1 * 2, variance[0], 1e-6);                     // unbiased variance enters the average
        Assert.Equal(0.9 + 0.1 * 100, variance[1], 1e-5);
        Assert.Equal(1f, variance[2]);

        norm.eval();
        var alone = norm.forward(tensor(new float[] { 3 }).unsqueeze(1), tensor(new long[] { 0 })).item<float>();
        Assert.Equal((3 - 0.2) / Math.Sqrt(1.1), alone, 1e-5);
    }

    [Fact]
    public void Eval_predictions_do_not_depend_on_batch_composition_unlike_the_reference_star()
    {
        using var data = Msr.Core.Tests.TestData.Synthetic(3000);
        using var split = DatasetSplit.Random(data.Count, 3);
        manual_seed(3);
        using var model = ModelRegistry.Create("star-paper", new ModelContext(data.Schema), new Settings());
        Trainer.Fit(model, data, split, new TrainerOptions(Epochs: 1, BatchSize: 256), 3);
        var p7 = Trainer.Predict(model, data, split.Test, 7);
        var p1000 = Trainer.Predict(model, data, split.Test, 1000);
        for (int i = 0; i < p7.Length; i++) Assert.Equal(p1000[i], p7[i], tolerance: 1e-6);
    }

    [Fact]
    public void Parameter_count_on_movielens_follows_from_the_architecture()
    {
        // D = 97. Affine: shared γ, β 2·97 = 194; per scenario 3·2·97 = 582. Star weights as the reference STAR
        // (22,913 per set) for the shared set and 3 scenario sets, without BatchNorm: 4·22,913 = 91,652.
        // Scenario table 3·16 = 48; aux MLP(16 → 32 → 1) = 16·32 + 32 + 2·32 + 33 = 641. Embeddings 211,616.
        var schema = new DatasetSchema(
        [
            FeatureSpec.Sparse("user_id", 6040), FeatureSpec.Sparse("movie_id", 3706), FeatureSpec.Sparse("gender", 2),
            FeatureSpec.Sparse("occupation", 21), FeatureSpec.Sparse("zip", 3439), FeatureSpec.Sparse("cate_id", 18),
            FeatureSpec.Dense("age"),
        ], ["young", "middle", "old"]);
        using var model = ModelRegistry.Create("STAR-Paper", new ModelContext(schema, "movielens"), new Settings());
        Assert.Equal(211_616 + 194 + 582 + 4 * 22_913 + 48 + 641, model.ParameterCount);
    }
}
