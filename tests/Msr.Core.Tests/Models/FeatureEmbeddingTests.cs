using Msr.Core.Data;
using Msr.Core.Models.Layers;
using Xunit;
using static TorchSharp.torch;

namespace Msr.Core.Tests.Models;

public sealed class FeatureEmbeddingTests
{
    [Fact]
    public void Output_is_sparse_embeddings_in_schema_order_then_dense_values()
    {
        using var scope = NewDisposeScope();
        // Mixed widths interleaved so that grouping by width reorders the internal blocks.
        var schema = new DatasetSchema(
            [
                FeatureSpec.Sparse("a", 7, 8), FeatureSpec.Dense("x"), FeatureSpec.Sparse("b", 5, 16),
                FeatureSpec.Sparse("c", 9, 8), FeatureSpec.Dense("y"), FeatureSpec.Sparse("d", 4, 4),
            ],
            ["s0", "s1"]);
        using var data = TestData.Random(schema, 20, seed: 5);
        manual_seed(3);
        using var layer = new FeatureEmbedding(schema, EmbeddingInputs.Default);
        Assert.Equal(8 + 16 + 8 + 4 + 2, layer.OutputDim);

        var batch = data.Gather(arange(0L, 20L, dtype: ScalarType.Int64));
        var output = layer.forward(batch);
        Assert.Equal([20L, 38L], output.shape);

        // Reconstruct each feature's table: the embedding of id v is its row v.
        // Recover a feature's table row by embedding a batch whose column j holds v.
        int[] dims = [8, 16, 8, 4];
        int[] starts = [0, 8, 24, 32];
        for (int j = 0; j < 4; j++)
        {
            var ids = batch.Sparse[.., j].data<long>().ToArray();
            for (int row = 0; row < 20; row++)
            {
                var block = output[row].narrow(0, starts[j], dims[j]);
                var expected = TableRow(layer, schema, j, ids[row]);
                Assert.True(Same(block, expected), $"feature {j}, row {row}: block differs from its table row");
            }
        }
        Assert.True(Same(output.narrow(1, 36, 2), batch.Dense));
    }

    static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    /// <summary>Looks the table row up directly in the owning parameter: the table of that width, offset by the earlier features of that width.</summary>
    static Tensor TableRow(FeatureEmbedding layer, DatasetSchema schema, int sparseColumn, long id)
    {
        var sparse = schema.SparseFeatures;
        int dim = sparse[sparseColumn].EmbeddingDim;
        var widths = sparse.Select(f => f.EmbeddingDim).Distinct().Order().ToList();
        int table = widths.IndexOf(dim);
        long offset = sparse.Take(sparseColumn).Where(f => f.EmbeddingDim == dim).Sum(f => (long)f.Vocabulary);
        var weight = layer.named_parameters().Single(p => p.name == $"tables.{table}.weight").parameter;
        Assert.Equal(dim, weight.shape[1]);
        Assert.Equal(sparse.Where(f => f.EmbeddingDim == dim).Sum(f => (long)f.Vocabulary), weight.shape[0]);
        return weight[offset + id];
    }

    [Fact]
    public void Distinct_features_with_the_same_id_get_distinct_rows()
    {
        using var scope = NewDisposeScope();
        var schema = new DatasetSchema([FeatureSpec.Sparse("a", 3), FeatureSpec.Sparse("b", 3)], ["s0"]);
        using var data = ScenarioDataset.FromArrays("t", schema, [1, 1], [], [0], [1f]);
        using var layer = new FeatureEmbedding(schema, EmbeddingInputs.Default);
        var output = layer.forward(data.Gather(tensor(new long[] { 0 })));
        Assert.False(Same(output[0].narrow(0, 0, 16), output[0].narrow(0, 16, 16)));
    }

    [Fact]
    public void Tables_are_initialised_with_std_1e4()
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        var schema = new DatasetSchema([FeatureSpec.Sparse("a", 4000), FeatureSpec.Sparse("b", 3000, 8)], ["s0"]);
        using var layer = new FeatureEmbedding(schema, new EmbeddingInputs(Scenario: true));
        foreach (var (name, p) in layer.named_parameters())
        {
            double std = p.std().item<float>(), mean = p.mean().item<float>();
            if (p.numel() > 1000)
            {
                Assert.InRange(std, 0.9e-4, 1.1e-4);
                Assert.InRange(Math.Abs(mean), 0, 1e-5);
            }
            else Assert.InRange(std, 1e-5, 1e-3); // the 1×16 scenario table: a rough check only
        }
    }

    [Fact]
    public void Scenario_embedding_comes_after_sparse_and_before_dense()
    {
        using var scope = NewDisposeScope();
        var schema = new DatasetSchema([FeatureSpec.Sparse("a", 3), FeatureSpec.Dense("x")], ["s0", "s1"]);
        using var data = ScenarioDataset.FromArrays("t", schema, [2, 0], [0.25f, 0.75f], [1, 0], [1f, 0f]);
        using var layer = new FeatureEmbedding(schema, new EmbeddingInputs(Scenario: true));
        Assert.Equal(16 + 16 + 1, layer.OutputDim);
        var output = layer.forward(data.Gather(tensor(new long[] { 0, 1 })));
        var scenarioTable = layer.named_parameters().Single(p => p.name.StartsWith("scenario_table")).parameter;
        Assert.True(Same(output[0].narrow(0, 16, 16), scenarioTable[1]));
        Assert.True(Same(output[1].narrow(0, 16, 16), scenarioTable[0]));
        Assert.Equal([0.25f, 0.75f], output[.., 32].data<float>().ToArray());
    }
}
