using Msr.Core.Data;
using Msr.Core.Data.Synthetic;
using Msr.Core.Models;
using Msr.Core.Models.Layers;
using Msr.Core.Training;
using Xunit;
using static TorchSharp.torch;

namespace Msr.Core.Tests.Training;

/// <summary><c>embedding_updates=lazy</c>: row-wise Adam on the embedding tables (docs/performance.md).</summary>
public sealed class LazyEmbeddingTests
{
    static ScenarioModel Build(string name, DatasetSchema schema, long seed = 7)
    {
        manual_seed(seed);
        return ModelRegistry.Create(name, new ModelContext(schema), new Settings());
    }

    static TrainerOptions Options(EmbeddingUpdates updates, double weightDecay = 1e-5) =>
        new(Epochs: 3, BatchSize: 64, WeightDecay: weightDecay, Patience: 5, EmbeddingUpdates: updates);

    static float[][] Parameters(ScenarioModel model) => [.. model.parameters().Select(p => p.detach().cpu().data<float>().ToArray())];

    static List<FeatureEmbedding> Layers(ScenarioModel model) => [.. model.modules().OfType<FeatureEmbedding>()];

    /// <summary>One training step as the trainer takes it: forward, loss with the model's own terms, zero_grad, backward, step.</summary>
    static void Step(ScenarioModel model, optim.Optimizer optimizer, ScenarioBatch batch)
    {
        using var scope = NewDisposeScope();
        model.train();
        var loss = nn.functional.binary_cross_entropy(model.forward(batch), batch.Label);
        foreach (var term in model.TakeLossTerms()) loss = loss + term.Value;
        optimizer.zero_grad();
        loss.backward();
        optimizer.step();
    }

    [Theory]
    [InlineData("SharedBottom")]
    [InlineData("PPNet")]   // its agnostic tables are read under stop-gradient: untouched in both modes
    [InlineData("STAR")]
    public void Lazy_equals_dense_bit_for_bit_when_every_row_is_touched_at_every_step_without_weight_decay(string model)
    {
        // 60 rows over vocabularies of 3 and 4: one batch holds the whole training split, which uses every id.
        var schema = TestData.Shaped([3, 4], 1, 2, userAndItem: true);
        using var data = TestData.Random(schema, 60, seed: 3);
        using var split = DatasetSplit.Random(data.Count, 3);
        using (var ids = data.SparseIds().index_select(0, split.Train))
            for (int f = 0; f < 2; f++)
                Assert.Equal(schema.SparseFeatures[f].Vocabulary, ids.select(1, f).unique().Item1.shape[0]);
        using (var scenarios = data.Scenario.index_select(0, split.Train)) Assert.Equal(2, scenarios.unique().Item1.shape[0]);

        float[][] Train(EmbeddingUpdates updates)
        {
            using var m = Build(model, schema);
            Trainer.Fit(m, data, split, Options(updates, weightDecay: 0), seed: 3);
            return Parameters(m);
        }

        var dense = Train(EmbeddingUpdates.Dense);
        var lazy = Train(EmbeddingUpdates.Lazy);
        Assert.Equal(dense.Length, lazy.Length);
        // Exact: the touched rows' gradients are summed in the same order (index_add over the occurrences) and the
        // Adam arithmetic is the same sequence of element-wise operations, so no tolerance is needed.
        for (int i = 0; i < dense.Length; i++) Assert.Equal(dense[i], lazy[i]);
    }

    public static TheoryData<string> AllModels => [.. ModelRegistry.All.Select(e => e.Name)];

    [Theory]
    [MemberData(nameof(AllModels))]
    public void Every_model_trains_its_tables_lazily_or_refuses_with_a_clear_message(string name)
    {
        using var scope = NewDisposeScope();
        var schema = TestData.Shaped([30, 20, 4], 1, 3, userAndItem: true);
        using var data = TestData.Random(schema, 32);
        using var model = Build(name, schema);
        var tables = Layers(model).SelectMany(l => l.Tables).ToList();
        var initial = tables.Select(t => t.detach().clone()).ToList();
        var batch = data.Gather(arange(32, dtype: ScalarType.Int64));
        // ADL (paper) adds an explicit L2 loss over whole tables by default, and SACN and SFPNet (full form) embed behaviour
        // histories (padded lookups of tables outside FeatureEmbedding): lazy updates cannot honour either, and say so.
        bool refuses = name.Equals("ADL-paper", StringComparison.OrdinalIgnoreCase) || model.modules().OfType<HistoryEmbedding>().Any();
        try
        {
            using var optimizer = Trainer.CreateOptimizer(model, Options(EmbeddingUpdates.Lazy));
            for (int s = 0; s < 2; s++) Step(model, optimizer, batch);
        }
        catch (InvalidOperationException e) when (e.Message.Contains("embedding_updates=dense"))
        {
            Assert.True(refuses, $"{name} refused lazy updates: {e.Message}");
            return;
        }
        Assert.False(refuses, $"{name} took lazy updates");
        Assert.True(tables.Zip(initial).Any(x => !x.First.equal(x.Second).all().item<bool>()), $"{name}: no embedding table moved");
        Assert.True(model.parameters().All(p => p.isfinite().all().item<bool>()), $"{name}: non-finite parameters");
    }

    /// <summary>A schema with a 50-row first table of which the batch only uses ids 0..4 (the second field uses all of its 3).</summary>
    static (DatasetSchema Schema, ScenarioDataset Data) PartlyUsed()
    {
        var schema = TestData.Shaped([50, 3], 1, 2, userAndItem: true);
        int rows = 40;
        var rng = new Random(5);
        var sparse = new long[rows * 2];
        for (int i = 0; i < rows; i++) { sparse[2 * i] = i % 5; sparse[2 * i + 1] = i % 3; }
        var dense = Enumerable.Range(0, rows).Select(_ => (float)rng.NextDouble()).ToArray();
        var scenario = Enumerable.Range(0, rows).Select(i => (long)(i % 2)).ToArray();
        var label = Enumerable.Range(0, rows).Select(i => (float)((i / 2) % 2)).ToArray();
        var emptyHistories = new Dictionary<string, long[]> { ["hist_item_id"] = new long[rows * TestData.HistoryLength] };
        return (schema, ScenarioDataset.FromArrays("partly-used", schema, sparse, dense, scenario, label, emptyHistories));
    }

    [Fact]
    public void Lazy_never_moves_untouched_rows_or_their_moments_while_dense_weight_decay_moves_them()
    {
        var (schema, data) = PartlyUsed();
        using var owned = data;
        using var all = arange(data.Count, dtype: ScalarType.Int64);
        using var untouched = arange(5, 50, dtype: ScalarType.Int64);   // rows 5..49 of the first feature's block (offset 0)
        using var touched = arange(0, 5, dtype: ScalarType.Int64);

        Tensor TableAfterSteps(EmbeddingUpdates updates, out Tensor initial, out (Tensor Mean, Tensor Square)? moments)
        {
            using var model = Build("SharedBottom", schema);
            var table = Layers(model).Single().Tables[0];
            initial = table.detach().clone().DetachFromDisposeScope();
            using var optimizer = Trainer.CreateOptimizer(model, Options(updates));
            var batch = data.Gather(all);
            for (int s = 0; s < 3; s++) Step(model, optimizer, batch);
            moments = null;
            if (optimizer is OptimizerChain chain)
            {
                var (m, v) = chain.Members.OfType<LazyEmbeddingAdam>().Single().MomentsOf(table);
                moments = (m.clone().DetachFromDisposeScope(), v.clone().DetachFromDisposeScope());
            }
            return table.detach().clone().DetachFromDisposeScope();
        }

        using var lazyTable = TableAfterSteps(EmbeddingUpdates.Lazy, out var lazyInitial, out var lazyMoments);
        using var denseTable = TableAfterSteps(EmbeddingUpdates.Dense, out var denseInitial, out _);
        Assert.True(lazyTable.index_select(0, untouched).equal(lazyInitial.index_select(0, untouched)).all().item<bool>());
        Assert.True(lazyTable.index_select(0, touched).ne(lazyInitial.index_select(0, touched)).any(1).all().item<bool>());
        var (mean, square) = lazyMoments!.Value;
        Assert.Equal(0, mean.index_select(0, untouched).abs().max().item<float>());
        Assert.Equal(0, square.index_select(0, untouched).abs().max().item<float>());
        Assert.True(square.index_select(0, touched).gt(0).all().item<bool>());
        // Dense Adam with coupled L2: an untouched row's gradient is λ·w, so every row moves.
        Assert.True(denseTable.index_select(0, untouched).ne(denseInitial.index_select(0, untouched)).any(1).all().item<bool>());
        foreach (var t in new[] { lazyInitial, denseInitial, mean, square }) t.Dispose();
    }

    [Fact]
    public void Lazy_lookups_give_no_gradient_to_the_table_and_disposing_the_optimiser_restores_dense_lookups()
    {
        var (schema, data) = PartlyUsed();
        using var owned = data;
        using var all = arange(data.Count, dtype: ScalarType.Int64);
        using var model = Build("SharedBottom", schema);
        var table = Layers(model).Single().Tables[0];
        var batch = data.Gather(all);
        using (var optimizer = Trainer.CreateOptimizer(model, Options(EmbeddingUpdates.Lazy)))
        {
            Assert.DoesNotContain(optimizer.ParamGroups.Take(1).OfType<TorchSharp.Modules.Adam.ParamGroup>().SelectMany(g => g.Parameters), p => p.Handle == table.Handle);
            Step(model, optimizer, batch);
            Assert.Null(table.grad);
        }
        model.train();
        nn.functional.binary_cross_entropy(model.forward(batch), batch.Label).backward();
        Assert.NotNull(table.grad);
    }

    [Fact]
    public void A_table_gradient_outside_the_lookups_is_refused_in_lazy_mode()
    {
        var (schema, data) = PartlyUsed();
        using var owned = data;
        using var all = arange(data.Count, dtype: ScalarType.Int64);
        using var model = Build("SharedBottom", schema);
        var table = Layers(model).Single().Tables[0];
        using var optimizer = Trainer.CreateOptimizer(model, Options(EmbeddingUpdates.Lazy));
        var batch = data.Gather(all);
        var loss = nn.functional.binary_cross_entropy(model.forward(batch), batch.Label) + table.square().sum();
        optimizer.zero_grad();
        loss.backward();
        var error = Assert.Throws<InvalidOperationException>(() => optimizer.step());
        Assert.Contains("embedding_updates=dense", error.Message);
    }

    [Fact]
    public void Short_training_reaches_a_similar_auc_in_both_modes()
    {
        // Few users and items, so that ids recur often enough to be learnt in three short epochs (as ModelFixtures.FitBriefly).
        using var data = SyntheticDataset.Generate(new SyntheticOptions(Rows: 2000, Users: 20, Items: 20, Seed: 5));
        using var split = DatasetSplit.Random(data.Count, 5);
        double Auc(EmbeddingUpdates updates)
        {
            using var m = Build("SharedBottom", data.Schema, 5);
            Trainer.Fit(m, data, split, new TrainerOptions(Epochs: 3, BatchSize: 64, Patience: 5, EmbeddingUpdates: updates), seed: 5);
            return Trainer.Evaluate(m, data, split.Test, 512).Overall.Auc!.Value;
        }
        double dense = Auc(EmbeddingUpdates.Dense), lazy = Auc(EmbeddingUpdates.Lazy);
        Assert.True(lazy > 0.6, $"lazy AUC {lazy}, dense {dense}");
        Assert.True(Math.Abs(dense - lazy) < 0.05, $"dense AUC {dense}, lazy AUC {lazy}");
    }

    [Fact]
    public void The_option_reads_dense_and_lazy_and_names_the_choices_otherwise()
    {
        Assert.Equal(EmbeddingUpdates.Dense, TrainerOptions.From(new Settings(), new ProtocolDefaults()).EmbeddingUpdates);
        Assert.Equal(EmbeddingUpdates.Lazy,
            TrainerOptions.From(new Settings([KeyValuePair.Create("embedding_updates", "LAZY")]), new ProtocolDefaults()).EmbeddingUpdates);
        Assert.Contains("embedding_updates", TrainerOptions.Names);
        Assert.Empty(TrainerOptions.Problems([KeyValuePair.Create("embedding_updates", "lazy")]));
        var problem = Assert.Single(TrainerOptions.Problems([KeyValuePair.Create("embedding_updates", "sparse")]));
        Assert.Contains("embedding_updates", problem);
        Assert.Contains("one of dense, lazy", problem);
    }
}
