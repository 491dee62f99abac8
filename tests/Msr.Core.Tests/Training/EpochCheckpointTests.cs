using Msr.Core.Data;
using Msr.Core.Models;
using Msr.Core.Tests.Models;
using Msr.Core.Training;
using Xunit;
using static TorchSharp.torch;

namespace Msr.Core.Tests.Training;

/// <summary>
/// A run stopped after any epoch, or in the middle of one, and resumed from its epoch checkpoint gives the numbers of
/// the run that never stopped: every epoch's loss and validation metrics, and the final weights, bit for bit on the CPU.
/// </summary>
public sealed class EpochCheckpointTests : IDisposable
{
    readonly string _folder = Directory.CreateTempSubdirectory("msr-checkpoint-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    static readonly DatasetSchema Schema = TestData.Shaped([12, 9, 7], 2, 3, userAndItem: true);

    /// <summary>
    /// Every registered model with its defaults, so a model that keeps training state the checkpoint misses fails
    /// here; among them state in every place the checkpoint covers: dropout (the global generator), a buffer updated by
    /// every forward (AdaSparse's α), buffers kept at restore (AdaptDHM's centres) and attention dropout (M2M). Plus
    /// M3oE with its once-per-epoch structure step, a second optimiser the model owns.
    /// </summary>
    public static TheoryData<string, string[]> Models
    {
        get
        {
            var models = new TheoryData<string, string[]>();
            foreach (var entry in ModelRegistry.All) models.Add(entry.Name, []);
            models.Add("M3oE", ["darts_step_per_epoch=true"]);
            return models;
        }
    }

    static ScenarioModel Build(string model, string[] options) =>
        ModelTestKit.Build(model, Schema, seed: 7, options: [.. options.Select(o => (o[..o.IndexOf('=')], o[(o.IndexOf('=') + 1)..]))]);

    sealed record Outcome(TrainingHistory History, Dictionary<string, float[]> Weights);

    /// <summary>
    /// Trains <paramref name="model"/> on 600 random rows (the run seed 7), optionally stopping it when
    /// <paramref name="stopAt"/> says so (after epoch e: (e, -1); during epoch e, after batch b: (e, b)).
    /// </summary>
    Outcome? Train(string model, string[] options, TrainerOptions trainer, CheckpointFile? checkpoint, (int Epoch, int Batch)? stopAt = null)
    {
        using var data = TestData.Random(Schema, 600, seed: 3);
        using var split = DatasetSplit.Random(data.Count, 7);
        using var built = Build(model, options);
        using var cancel = new CancellationTokenSource();
        try
        {
            var history = Trainer.Fit(built, data, split, trainer, 7,
                // A kill right after the epoch (its checkpoint is written before progress is reported).
                progress: e => { if (stopAt is { Batch: -1 } s && e.Epoch == s.Epoch && !e.FromCheckpoint) throw new OperationCanceledException(); },
                cancel: cancel.Token,
                batchProgress: b => { if (stopAt is { } s && b.Epoch == s.Epoch && b.Batch == s.Batch) cancel.Cancel(); },
                checkpoint: checkpoint);
            return new Outcome(history, built.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.to_type(ScalarType.Float32).data<float>().ToArray()));
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    static TrainerOptions Protocol(EmbeddingUpdates updates = EmbeddingUpdates.Dense) =>
        new(Epochs: 4, BatchSize: 128, LearningRate: 0.01, Patience: 10, UseStepLr: true, StepLrStepSize: 3, StepLrGamma: 0.5,
            EmbeddingUpdates: updates);

    static void AssertSame(Outcome expected, Outcome actual)
    {
        Assert.Equal(expected.History.Epochs.Count, actual.History.Epochs.Count);
        foreach (var (e, a) in expected.History.Epochs.Zip(actual.History.Epochs))
        {
            Assert.Equal(e.Epoch, a.Epoch);
            Assert.Equal(e.TrainLoss, a.TrainLoss);
            Assert.Equal(e.ValidationAuc, a.ValidationAuc);
            Assert.Equal(e.ValidationLogLoss, a.ValidationLogLoss);
            Assert.Equal(e.LearningRate, a.LearningRate);
        }
        Assert.Equal(expected.History.BestEpoch, actual.History.BestEpoch);
        Assert.Equal(expected.History.Stop, actual.History.Stop);
        Assert.Equal(expected.Weights.Keys.Order(), actual.Weights.Keys.Order());
        foreach (var (name, values) in expected.Weights) Assert.True(values.SequenceEqual(actual.Weights[name]), $"weights '{name}' differ");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void A_run_stopped_after_an_epoch_resumes_to_the_uninterrupted_numbers(string model, string[] options)
    {
        var whole = Train(model, options, Protocol(), checkpoint: null)!;
        var file = new CheckpointFile(Path.Combine(_folder, "run.checkpoint.bin"), "run");
        Assert.Null(Train(model, options, Protocol(), file, stopAt: (2, -1)));
        Assert.True(File.Exists(file.Path));
        var resumed = Train(model, options, Protocol(), file)!;
        Assert.Equal(2, resumed.History.ResumedAfterEpoch);
        AssertSame(whole, resumed);
    }

    [Fact]
    public void A_run_stopped_inside_an_epoch_resumes_from_the_epoch_before()
    {
        var options = new[] { "bottom_dims=[16]", "tower_dims=[8]" };
        var whole = Train("SharedBottom", options, Protocol(), checkpoint: null)!;
        var file = new CheckpointFile(Path.Combine(_folder, "run.checkpoint.bin"), "run");
        Assert.Null(Train("SharedBottom", options, Protocol(), file, stopAt: (3, 2)));
        var resumed = Train("SharedBottom", options, Protocol(), file)!;
        Assert.Equal(2, resumed.History.ResumedAfterEpoch);
        AssertSame(whole, resumed);
    }

    [Fact]
    public void Lazy_embedding_updates_resume_with_their_moments()
    {
        var options = new[] { "bottom_dims=[16]", "tower_dims=[8]" };
        var whole = Train("SharedBottom", options, Protocol(EmbeddingUpdates.Lazy), checkpoint: null)!;
        var file = new CheckpointFile(Path.Combine(_folder, "run.checkpoint.bin"), "run");
        Assert.Null(Train("SharedBottom", options, Protocol(EmbeddingUpdates.Lazy), file, stopAt: (1, -1)));
        AssertSame(whole, Train("SharedBottom", options, Protocol(EmbeddingUpdates.Lazy), file)!);
    }

    [Fact]
    public void An_early_stopped_run_resumes_to_its_restored_best_without_training_again()
    {
        var options = new[] { "bottom_dims=[16]", "tower_dims=[8]" };
        // Random labels and patience 1: validation AUC soon fails to improve.
        var protocol = Protocol() with { Epochs = 30, Patience = 1 };
        var whole = Train("SharedBottom", options, protocol, checkpoint: null)!;
        Assert.Equal(StopReason.EarlyStopping, whole.History.Stop);
        var file = new CheckpointFile(Path.Combine(_folder, "run.checkpoint.bin"), "run");
        Assert.Null(Train("SharedBottom", options, protocol, file, stopAt: (whole.History.Epochs.Count, -1)));
        var resumed = Train("SharedBottom", options, protocol, file)!;
        Assert.Equal(whole.History.Epochs.Count, resumed.History.ResumedAfterEpoch);
        Assert.True(resumed.History.RestoredBest);
        AssertSame(whole, resumed);
    }

    [Fact]
    public void A_checkpoint_of_another_run_is_refused_with_the_file_named()
    {
        var options = new[] { "bottom_dims=[16]", "tower_dims=[8]" };
        var path = Path.Combine(_folder, "run.checkpoint.bin");
        Assert.Null(Train("SharedBottom", options, Protocol(), new CheckpointFile(path, "run-a"), stopAt: (1, -1)));
        var e = Assert.Throws<InvalidDataException>(() => Train("SharedBottom", options, Protocol(), new CheckpointFile(path, "run-b")));
        Assert.Contains(path, e.Message);
        Assert.Contains("run-a", e.Message);
        Assert.Contains("Delete it", e.Message);
    }

    [Fact]
    public void A_truncated_checkpoint_is_refused_with_the_file_named()
    {
        var options = new[] { "bottom_dims=[16]", "tower_dims=[8]" };
        var file = new CheckpointFile(Path.Combine(_folder, "run.checkpoint.bin"), "run");
        Assert.Null(Train("SharedBottom", options, Protocol(), file, stopAt: (1, -1)));
        var bytes = File.ReadAllBytes(file.Path);
        File.WriteAllBytes(file.Path, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<InvalidDataException>(() => Train("SharedBottom", options, Protocol(), file));
        Assert.Contains(file.Path, e.Message);
    }
}
