using System.Text.Json;
using Msr.Core.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Msr.Core.Training;

/// <summary>
/// Where <see cref="Trainer.Fit"/> keeps its epoch checkpoint, and the run it belongs to (a run id): a checkpoint
/// written for another owner is refused rather than continued.
/// </summary>
public sealed record CheckpointFile(string Path, string Owner);

/// <summary>The trainer's own state between epochs, besides the model, the optimiser and the generators.</summary>
internal sealed class FitState : IDisposable
{
    public List<EpochRecord> Epochs { get; } = [];
    public long Step { get; set; }
    public bool EarlyStopped { get; set; }
    public ModelSnapshot? Best { get; private set; }

    public void ReplaceBest(ModelSnapshot? snapshot)
    {
        Best?.Dispose();
        Best = snapshot;
    }

    public void Dispose() => ReplaceBest(null);
}

/// <summary>
/// Everything a run needs to continue after a finished epoch as if it had never stopped: the model's parameters and
/// buffers and any training state it keeps elsewhere, the optimiser's moments and learning rates, the batch-order and
/// global generators (dropout), early stopping with its best snapshot, and the epochs so far. A run killed mid-way
/// (a session that ends, a preempted machine) resumes from its last finished epoch with the same numbers on the CPU
/// as an uninterrupted run. On a GPU, dropout draws from the device's generator, which is not saved: a resumed GPU run
/// is a valid run of the same configuration but not bit-equal to an uninterrupted one.
/// </summary>
/// <remarks>
/// One binary file (TorchSharp's tensor format inside), written to a temporary name and renamed, so a kill during the
/// write leaves the previous epoch's checkpoint whole.
/// </remarks>
internal static class EpochCheckpoint
{
    const string Magic = "msr-epoch-checkpoint";
    const int Version = 1;
    static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static void Write(CheckpointFile file, ScenarioModel model, optim.Optimizer optimizer, Generator shuffle,
        EarlyStopping stopping, FitState state)
    {
        var full = System.IO.Path.GetFullPath(file.Path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        var temp = full + $".{Environment.ProcessId}.tmp";
        try
        {
            using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            using (var writer = new BinaryWriter(stream))
            {
                writer.Write(Magic);
                writer.Write(Version);
                writer.Write(file.Owner);
                writer.Write(JsonSerializer.Serialize(state.Epochs, Json));
                writer.Write(state.Step);
                writer.Write(state.EarlyStopped);
                writer.Write(stopping.Best);
                writer.Write(stopping.BestEpoch);
                writer.Write(stopping.StaleEpochs);
                model.save(writer);
                model.SaveTrainingState(writer);
                writer.Write(state.Best is not null);
                state.Best?.Save(writer);
                SaveOptimizer(optimizer, writer);
                using (var order = shuffle.get_state()) order.Save(writer);
                using (var global = torch.random.get_rng_state()) global.Save(writer);
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>
    /// Restores a run from <paramref name="file"/> when it exists; false when there is none. The model, optimiser and
    /// generators must be built as the run builds them (same configuration and seed); the scheduler, if any, is
    /// stepped once per finished epoch.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a checkpoint of this run (names the file and why).</exception>
    public static bool TryResume(CheckpointFile file, ScenarioModel model, optim.Optimizer optimizer, optim.lr_scheduler.LRScheduler? scheduler,
        Generator shuffle, EarlyStopping stopping, FitState state)
    {
        if (!File.Exists(file.Path)) return false;
        try
        {
            using var stream = File.OpenRead(file.Path);
            using var reader = new BinaryReader(stream);
            if (reader.ReadString() != Magic) throw new InvalidDataException("not an Msr epoch checkpoint");
            int version = reader.ReadInt32();
            if (version != Version) throw new InvalidDataException($"format version {version}, this Msr reads version {Version}");
            string owner = reader.ReadString();
            if (owner != file.Owner) throw new InvalidDataException($"it belongs to run '{owner}', not '{file.Owner}'");
            state.Epochs.AddRange(JsonSerializer.Deserialize<List<EpochRecord>>(reader.ReadString(), Json) ?? []);
            state.Step = reader.ReadInt64();
            state.EarlyStopped = reader.ReadBoolean();
            double best = reader.ReadDouble();
            int bestEpoch = reader.ReadInt32();
            stopping.Resume(best, bestEpoch, reader.ReadInt32());
            model.load(reader, strict: true);
            model.LoadTrainingState(reader);
            if (reader.ReadBoolean()) state.ReplaceBest(ModelSnapshot.Load(reader, model.parameters().First().device));
            // Stepping the scheduler moves the learning rates; the optimiser's saved ones then overwrite them exactly.
            for (int i = 0; i < state.Epochs.Count; i++) scheduler?.step();
            LoadOptimizer(optimizer, reader);
            using (var order = TensorExtensionMethods.Load(reader)) shuffle.set_state(order);
            using (var global = TensorExtensionMethods.Load(reader)) torch.random.set_rng_state(global);
            return true;
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException or ArgumentException or JsonException)
        {
            throw new InvalidDataException(
                $"epoch checkpoint '{file.Path}' cannot be used: {e.Message.TrimEnd('.')}. Delete it to train this run from its first epoch.", e);
        }
    }

    /// <summary>The main optimiser's state: TorchSharp's own format for its optimisers, and ours for lazy embedding updates.</summary>
    static void SaveOptimizer(optim.Optimizer optimizer, BinaryWriter writer)
    {
        foreach (var part in Parts(optimizer))
            if (part is LazyEmbeddingAdam lazy) lazy.SaveState(writer);
            else TorchSharpOptimizer(part).save_state_dict(writer);
    }

    static void LoadOptimizer(optim.Optimizer optimizer, BinaryReader reader)
    {
        foreach (var part in Parts(optimizer))
            if (part is LazyEmbeddingAdam lazy) lazy.LoadState(reader);
            else TorchSharpOptimizer(part).load_state_dict(reader);
    }

    /// <summary>The optimisers that hold the state, in a fixed order: a chain's members in turn.</summary>
    static IEnumerable<optim.Optimizer> Parts(optim.Optimizer optimizer) =>
        optimizer is OptimizerChain chain ? chain.Members.SelectMany(Parts) : [optimizer];

    static OptimizerHelper TorchSharpOptimizer(optim.Optimizer optimizer) => optimizer as OptimizerHelper
        ?? throw new NotSupportedException($"epoch checkpoints cannot save or load a {optimizer.GetType().Name}");
}
