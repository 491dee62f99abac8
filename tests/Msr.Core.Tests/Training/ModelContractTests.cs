using Msr.Core.Data;
using Msr.Core.Models;
using Msr.Core.Models.Layers;
using Msr.Core.Training;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace Msr.Core.Tests.Training;

/// <summary>The trainer honours what a model declares through <see cref="ScenarioModel"/>, without naming the model.</summary>
public sealed class ModelContractTests
{
    /// <summary>A tiny model that uses every part of the contract and records what the trainer did.</summary>
    sealed class ProbeModel : ScenarioModel
    {
        readonly FeatureEmbedding embedding;
        readonly MlpBlock mlp;
        readonly Parameter side;          // stepped only by this model's own epoch-end rule
        readonly Parameter slow;          // its own group: learning rate 0
        public readonly List<TrainStep> Steps = [];
        public readonly List<int> EpochEnds = [];
        public double PenaltyWeight { get; init; }
        public StopMetric? Prefers { get; init; }

        public ProbeModel(DatasetSchema schema) : base("probe")
        {
            embedding = new FeatureEmbedding(schema, EmbeddingInputs.Default);
            mlp = new MlpBlock(embedding.OutputDim, [8], outputLayer: true);
            side = TorchSharp.torch.nn.Parameter(zeros(1));
            slow = TorchSharp.torch.nn.Parameter(ones(1));
            register_buffer("latest", zeros(1));
            RegisterComponents();
        }

        public Parameter Side => side;
        public Parameter Slow => slow;
        public Tensor Latest => get_buffer("latest")!;

        public override Tensor forward(ScenarioBatch batch)
        {
            var logit = mlp.forward(embedding.forward(batch)).squeeze(1) * slow;
            if (PenaltyWeight > 0) AddLoss("penalty", logit.pow(2).mean() * PenaltyWeight);
            return sigmoid(logit);
        }

        public override IReadOnlyList<ParameterGroup> ParameterGroups() =>
        [
            new("main", [.. embedding.parameters(), .. mlp.parameters()]),
            new("slow", [slow], LearningRate: 0.0, WeightDecay: 0.0),
        ];

        public override void OnTrainStepEnd(TrainStep step) => Steps.Add(step);

        public override void OnEpochEnd(EpochContext context)
        {
            EpochEnds.Add(context.Epoch);
            var batch = context.DrawTrainingBatch();
            Assert.Equal(Math.Min(context.BatchSize, 80), batch.Size);
            using (no_grad())
            {
                side.add_(1);
                Latest.fill_(context.Epoch);
            }
        }

        public override StopMetric? PreferredStopMetric => Prefers;
        public override IReadOnlyCollection<string> StateKeptAtRestore => ["latest"];
    }

    static (ScenarioDataset Data, DatasetSplit Split) Data()
    {
        var data = TestData.Random(TestData.Shaped([20, 10], 1, 2), 100);
        return (data, DatasetSplit.Random(data.Count, 3));
    }

    [Fact]
    public void Callbacks_run_after_every_step_and_epoch_and_groups_keep_their_own_settings()
    {
        var (data, split) = Data();
        using var _ = data;
        using var __ = split;
        manual_seed(1);
        using var model = new ProbeModel(data.Schema);
        var history = Trainer.Fit(model, data, split, new TrainerOptions(Epochs: 3, BatchSize: 32, Patience: 10, RestoreBestAtEnd: false), seed: 1);
        Assert.Equal(3, history.Epochs.Count);
        Assert.Equal([1, 2, 3], model.EpochEnds);
        // 80 training rows in batches of 32: 3 steps per epoch, numbered over the run.
        Assert.Equal(9, model.Steps.Count);
        Assert.Equal(Enumerable.Range(0, 9).Select(i => (long)i), model.Steps.Select(s => s.Step));
        Assert.Equal([0, 1, 2], model.Steps.Where(s => s.Epoch == 2).Select(s => s.Batch));
        Assert.Equal(1f, model.Slow.item<float>());          // learning rate 0, no weight decay: unchanged
        Assert.Equal(3f, model.Side.item<float>());          // in no group: only the model's own rule moved it
    }

    [Fact]
    public void Loss_terms_change_training_and_a_zero_term_changes_nothing()
    {
        var (data, split) = Data();
        using var _ = data;
        using var __ = split;
        float[] Train(double penalty)
        {
            manual_seed(1);
            using var model = new ProbeModel(data.Schema) { PenaltyWeight = penalty };
            Trainer.Fit(model, data, split, new TrainerOptions(Epochs: 2, BatchSize: 32, Patience: 10), seed: 1);
            return [.. Trainer.Predict(model, data, split.Test, 32).Select(x => (float)x)];
        }
        Assert.Equal(Train(0), Train(0));
        Assert.NotEqual(Train(0), Train(10));
    }

    [Fact]
    public void A_model_may_prefer_logloss_and_the_run_may_override_it()
    {
        var (data, split) = Data();
        using var _ = data;
        using var __ = split;
        int BestEpoch(StopMetric? prefers, StopMetric? monitor)
        {
            manual_seed(1);
            using var model = new ProbeModel(data.Schema) { Prefers = prefers };
            var h = Trainer.Fit(model, data, split, new TrainerOptions(Epochs: 6, BatchSize: 32, Patience: 10, Monitor: monitor), seed: 1);
            var values = h.Epochs.Select(e => (prefers, monitor) switch
            {
                (_, StopMetric.Auc) or (null, null) => -(e.ValidationAuc ?? 0),
                _ => e.ValidationLogLoss ?? double.PositiveInfinity,
            }).ToList();
            Assert.Equal(values.IndexOf(values.Min()) + 1, h.BestEpoch);
            return h.BestEpoch;
        }
        BestEpoch(null, null);
        BestEpoch(StopMetric.LogLoss, null);
        BestEpoch(StopMetric.LogLoss, StopMetric.Auc);
    }

    [Fact]
    public void State_kept_at_restore_is_not_rolled_back_with_the_best_weights()
    {
        var (data, split) = Data();
        using var _ = data;
        using var __ = split;
        manual_seed(1);
        using var model = new ProbeModel(data.Schema);
        // Patience 1 on random labels stops within a few epochs and restores an earlier snapshot.
        var h = Trainer.Fit(model, data, split, new TrainerOptions(Epochs: 20, BatchSize: 32, Patience: 1), seed: 1);
        Assert.True(h.RestoredBest);
        Assert.Equal(h.Epochs.Count, (int)model.Latest.item<float>());
        Assert.True(h.BestEpoch < h.Epochs.Count);
    }

    [Fact]
    public void A_parameter_in_two_groups_is_a_defect_named_by_the_trainer()
    {
        var (data, split) = Data();
        using var _ = data;
        using var __ = split;
        using var model = new TwoGroups(data.Schema);
        var e = Assert.Throws<InvalidOperationException>(() => Trainer.Fit(model, data, split, new TrainerOptions(Epochs: 1), seed: 1));
        Assert.Contains("more than one parameter group", e.Message);
    }

    sealed class TwoGroups : ScenarioModel
    {
        readonly Linear linear;

        public TwoGroups(DatasetSchema schema) : base("two")
        {
            linear = TorchSharp.torch.nn.Linear(schema.DenseFeatures.Count, 1);
            RegisterComponents();
        }

        public override Tensor forward(ScenarioBatch batch) => sigmoid(linear.forward(batch.Dense)).squeeze(1);
        public override IReadOnlyList<ParameterGroup> ParameterGroups() => [new("a", [.. parameters()]), new("b", [.. parameters()])];
    }
}
