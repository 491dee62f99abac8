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

    static DatasetSchema Mixed() => new(
        [FeatureSpec.Sparse("user", 7), FeatureSpec.Sparse("item", 5), FeatureSpec.Sparse("wide", 4, embeddingDim: 8), FeatureSpec.Sparse("cat", 3), FeatureSpec.Dense("x")],
        ["s0", "s1"]);

    static ScenarioBatch MixedBatch(ScenarioDataset data) => data.Gather(arange(data.Count, dtype: ScalarType.Int64));

    static Tensor Table(FeatureEmbedding layer, int index) => layer.named_parameters().Where(p => p.name.StartsWith("tables.")).ElementAt(index).parameter;

    [Fact]
    public void Only_picks_features_in_the_given_order_and_exclude_leaves_them_out()
    {
        using var scope = NewDisposeScope();
        var schema = Mixed();
        using var data = TestData.Random(schema, 6);
        var batch = MixedBatch(data);
        using var all = new FeatureEmbedding(schema, EmbeddingInputs.Default);
        using var ids = new FeatureEmbedding(schema, new EmbeddingInputs(Dense: false) { Only = ["item", "user"] });
        using var rest = new FeatureEmbedding(schema, new EmbeddingInputs(Scenario: true) { Exclude = ["user", "item"] });
        Assert.Equal(["item", "user"], ids.FieldNames);
        Assert.Equal(32, ids.OutputDim);
        Assert.Equal(["wide", "cat"], rest.FieldNames);
        Assert.Equal(8 + 16 + 16 + 1, rest.OutputDim);
        // Each selected column embeds its own ids: row r of "item" is item's id r of the table.
        var table = Table(ids, 0);
        var itemIds = batch.Sparse[.., 1];
        // One merged table in selection order: item's rows first (offset 0), then user's (offset 5).
        Assert.True(ids.forward(batch).narrow(1, 0, 16).eq(table.index_select(0, itemIds)).all().item<bool>());
        Assert.True(ids.forward(batch).narrow(1, 16, 16).eq(table.index_select(0, batch.Sparse[.., 0] + 5)).all().item<bool>());
        Assert.Equal([6L, 8 + 16 + 16 + 1], rest.forward(batch).shape);
    }

    [Fact]
    public void Unknown_feature_names_are_an_error_listing_the_sparse_features()
    {
        var e = Assert.Throws<ArgumentException>(() => new FeatureEmbedding(Mixed(), new EmbeddingInputs { Exclude = ["301"] }));
        Assert.Equal("model input: the dataset has no sparse feature '301'; its sparse features: user, item, wide, cat", e.Message);
    }

    [Fact]
    public void Separate_tables_give_one_parameter_per_feature_with_the_same_output()
    {
        using var scope = NewDisposeScope();
        var schema = Mixed();
        using var data = TestData.Random(schema, 9);
        var batch = MixedBatch(data);
        manual_seed(3);
        using var merged = new FeatureEmbedding(schema, EmbeddingInputs.Default);
        using var separate = new FeatureEmbedding(schema, new EmbeddingInputs { MergeTables = false });
        Assert.Equal(2, merged.parameters().Count());
        Assert.Equal(4, separate.parameters().Count());
        Assert.Equal(merged.parameters().Sum(p => p.numel()), separate.parameters().Sum(p => p.numel()));
        // Copy the merged rows into the separate tables: the outputs must then agree column for column.
        using (no_grad())
        {
            var wide = Table(merged, 0);      // width 8 group
            var narrow = Table(merged, 1);    // width 16 group: user(7), item(5), cat(3)
            Table(separate, 0).copy_(narrow.narrow(0, 0, 7));
            Table(separate, 1).copy_(narrow.narrow(0, 7, 5));
            Table(separate, 2).copy_(wide);
            Table(separate, 3).copy_(narrow.narrow(0, 12, 3));
        }
        Assert.True(merged.forward(batch).eq(separate.forward(batch)).all().item<bool>());
    }

    [Fact]
    public void Stacked_gives_fields_with_the_scenario_last()
    {
        using var scope = NewDisposeScope();
        var schema = new DatasetSchema([FeatureSpec.Sparse("a", 3), FeatureSpec.Sparse("b", 4), FeatureSpec.Dense("x")], ["s0", "s1"]);
        using var data = TestData.Random(schema, 5);
        var batch = data.Gather(arange(5L, dtype: ScalarType.Int64));
        using var layer = new FeatureEmbedding(schema, new EmbeddingInputs(Scenario: true));
        var stacked = layer.Stacked(batch);
        Assert.Equal([5L, 3, 16], stacked.shape);
        Assert.True(stacked.flatten(1).eq(layer.forward(batch).narrow(1, 0, 48)).all().item<bool>());
        Assert.True(stacked[.., 2].eq(layer.ScenarioEmbedding(batch)).all().item<bool>());
        using var mixed = new FeatureEmbedding(Mixed(), EmbeddingInputs.Default);
        Assert.Throws<InvalidOperationException>(() => mixed.Stacked(MixedBatch(TestData.Random(Mixed(), 2))));
    }

    [Fact]
    public void The_lookup_has_the_embedding_layers_gradient_bit_for_bit()
    {
        using var scope = NewDisposeScope();
        // Many repeated ids (a 3-row table over 4,096 rows) stress the order of gradient accumulation.
        var schema = new DatasetSchema([FeatureSpec.Sparse("a", 3), FeatureSpec.Sparse("b", 50)], ["s0"]);
        using var data = TestData.Random(schema, 4096);
        var batch = data.Gather(arange(4096L, dtype: ScalarType.Int64));
        using var layer = new FeatureEmbedding(schema, new EmbeddingInputs(Dense: false));
        var weight = Table(layer, 0);
        var upstream = randn(4096, 32);
        (layer.forward(batch) * upstream).sum().backward();
        var viaLayer = weight.grad!.clone();
        weight.grad = null;
        using var plain = nn.Embedding(53, 16);
        using (no_grad()) plain.weight!.copy_(weight);
        var rows = batch.Sparse + tensor(new long[] { 0, 3 });
        (plain.forward(rows).flatten(1) * upstream).sum().backward();
        Assert.True(viaLayer.eq(plain.weight!.grad!).all().item<bool>());
    }
}
