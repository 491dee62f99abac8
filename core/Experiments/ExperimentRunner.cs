using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using Msr.Core.Data;
using Msr.Core.Models;
using Msr.Core.Native;
using Msr.Core.Results;
using Msr.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Msr.Core.Experiments;

/// <summary>A run spec with everything resolved, ready to train: catches configuration errors before any training starts.</summary>
public sealed record PreparedRun(RunSpec Spec, TrainerOptions Trainer, string Preset);

/// <summary>Runs one spec on a loaded dataset and produces its <see cref="RunRecord"/>.</summary>
public static class ExperimentRunner
{
    /// <summary>
    /// Resolves trainer options and builds (then frees) the model once, so a misspelt option or a
    /// bad hyper-parameter is reported before a grid spends hours on other runs.
    /// </summary>
    public static PreparedRun Prepare(RunSpec spec, LoadedDataset data)
    {
        var trainerSettings = new Settings(spec.TrainerOptions);
        var trainer = TrainerOptions.From(trainerSettings, data.Loader.Defaults);
        trainerSettings.EnsureAllUsed("training");
        var modelSettings = new Settings(spec.ModelOptions);
        string preset = modelSettings.String("preset", data.Loader.Defaults.ModelPreset);
        using (var probe = ModelRegistry.Create(spec.Model, new ModelContext(data.Data.Schema, preset), modelSettings)) { }
        return new PreparedRun(spec, trainer, preset);
    }

    public static RunRecord Run(RunSpec spec, LoadedDataset data, Action<EpochProgress>? progress = null, CancellationToken cancel = default) =>
        Run(Prepare(spec, data), data, progress, cancel);

    /// <summary>
    /// Trains, validates and tests one prepared run. Any failure of the run itself (an exception in model
    /// construction, training or evaluation, divergence, constant predictions) becomes a failed record with the
    /// reason, so a grid goes on; only cancellation propagates. A completed run's weights are saved to
    /// <paramref name="weightsPath"/> (atomically, before the record names them) when one is given. With a
    /// <paramref name="checkpointPath"/>, training writes an epoch checkpoint there and continues from one it finds
    /// (<see cref="Trainer.Fit"/>); whoever stores the record deletes it (<see cref="ResultStore.Write"/> does).
    /// </summary>
    public static RunRecord Run(PreparedRun run, LoadedDataset data, Action<EpochProgress>? progress = null, CancellationToken cancel = default,
        Action<BatchProgress>? batchProgress = null, string? weightsPath = null, string? checkpointPath = null)
    {
        var spec = run.Spec;
        var identity = RunIdentity.Of(spec);
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var canonicalModel = ModelRegistry.Get(spec.Model).Name;
        var modelSettings = new Settings(spec.ModelOptions);
        modelSettings.String("preset", run.Preset);
        var config = new RunConfig(data.Loader.Name, data.Path, data.ResolvedOptions, canonicalModel,
            modelSettings.Resolved, run.Preset, spec.Seed, run.Trainer);
        string codeVersion = CodeVersion.OfModel(canonicalModel);
        long parameters = 0;
        string device = "cpu";

        RunRecord Record(string status, string? error, Metrics.Evaluation? test = null, Metrics.Evaluation? validation = null,
            TrainingSummary? training = null, EfficiencyFigures? efficiency = null, string? weights = null) =>
            new(RunRecord.CurrentSchemaVersion, identity.RunId, status, error,
                config with { ModelOptions = new Dictionary<string, string>(config.ModelOptions) },
                test, validation, training, efficiency, parameters, Environment(device), started, DateTimeOffset.UtcNow)
            { Weights = weights, CodeVersion = codeVersion, DataFingerprint = identity.DataFingerprint };

        try
        {
            var target = ComputeDevice.Resolve(run.Trainer.Device);
            device = ComputeDevice.Describe(target);
            // The split is drawn on the CPU (the reference's permutation), then data and indices move to the device once.
            using var cpuSplit = data.Data.PredefinedSplit is null ? DatasetSplit.Random(data.Data.Count, spec.Seed) : null;
            using var placed = data.Data.OnDevice(target);
            var onDevice = placed.Data;
            using var movedSplit = cpuSplit is not null && target.type != DeviceType.CPU ? cpuSplit.To(target) : null;
            var rows = movedSplit ?? cpuSplit ?? onDevice.PredefinedSplit!;

            // Seed the global generator right before construction: initialisation and dropout follow it.
            manual_seed(spec.Seed);
            using var model = ModelRegistry.Create(spec.Model, new ModelContext(data.Data.Schema, run.Preset), modelSettings);
            model.to(target);
            parameters = model.ParameterCount;
            var checkpoint = checkpointPath is null ? null : new CheckpointFile(checkpointPath, identity.RunId);
            var history = Trainer.Fit(model, onDevice, rows, run.Trainer, spec.Seed, progress, cancel, batchProgress, checkpoint);
            if (ConstantPredictions(history) is { } constant) return Record(RunRecord.Failed, constant);

            var validation = Trainer.Evaluate(model, onDevice, rows.Validation, run.Trainer.BatchSize);
            // Inference time is the test split's prediction alone (gather, forward, one host copy), not the metrics.
            var inferClock = Stopwatch.StartNew();
            var testPredictions = Trainer.Predict(model, onDevice, rows.Test, run.Trainer.BatchSize);
            double inferMs = inferClock.Elapsed.TotalMilliseconds / Math.Max(1, BatchPlan.Count(rows.Test.shape[0], run.Trainer.BatchSize));
            var test = Trainer.Score(onDevice, rows.Test, testPredictions);
            var summary = new TrainingSummary(history.Epochs.Count, history.BestEpoch,
                history.Stop == StopReason.EarlyStopping ? "early_stopping" : "epoch_budget", history.RestoredBest, history.Epochs)
            { ResumedAfterEpoch = history.ResumedAfterEpoch == 0 ? null : history.ResumedAfterEpoch };
            var efficiency = new EfficiencyFigures(history.TrainSecondsPerEpoch, history.TrainSamplesPerSecond, inferMs,
                run.Trainer.BatchSize, clock.Elapsed.TotalSeconds);
            if (weightsPath is not null) ModelWeights.Save(model, weightsPath);
            return Record(RunRecord.Completed, null, test, validation, summary, efficiency, weightsPath is null ? null : Path.GetFileName(weightsPath));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The record keeps the one-line reason; MSR_DEBUG=1 also shows where it came from (as the CLI does for its own errors).
            if (System.Environment.GetEnvironmentVariable("MSR_DEBUG") == "1") Console.Error.WriteLine($"run {identity.RunId} failed: {e}");
            return Record(RunRecord.Failed, Reason(e));
        }
    }

    /// <summary>
    /// A failed record for a run that could not even be prepared (its model cannot be built with these options):
    /// recorded under the run's id so the grid goes on and a resume does not retry it.
    /// </summary>
    public static RunRecord FailedPreparation(RunSpec spec, LoadedDataset data, Exception error) =>
        Failed(spec, data.Loader, data.Path, data.ResolvedOptions, error);

    /// <summary>
    /// A failed record for a run whose dataset could not be loaded (a missing or malformed file): recorded under the
    /// run's id, with the dataset options as given, so the grid goes on with the runs of other datasets.
    /// </summary>
    public static RunRecord FailedLoad(RunSpec spec, Exception error) =>
        Failed(spec, DatasetRegistry.Get(spec.Dataset), spec.DatasetPath, spec.DatasetOptions, error);

    static RunRecord Failed(RunSpec spec, IDatasetLoader loader, string? datasetPath, IReadOnlyDictionary<string, string> datasetOptions,
        Exception error)
    {
        var now = DateTimeOffset.UtcNow;
        TrainerOptions trainer;
        try { trainer = TrainerOptions.From(new Settings(spec.TrainerOptions), loader.Defaults); }
        catch (ArgumentException) { trainer = new TrainerOptions(); }
        var entry = ModelRegistry.All.FirstOrDefault(m => string.Equals(m.Name, spec.Model, StringComparison.OrdinalIgnoreCase));
        var preset = spec.ModelOptions.FirstOrDefault(kv => string.Equals(kv.Key, "preset", StringComparison.OrdinalIgnoreCase)).Value
                     ?? loader.Defaults.ModelPreset;
        var config = new RunConfig(loader.Name, datasetPath, datasetOptions, entry?.Name ?? spec.Model,
            new Dictionary<string, string>(spec.ModelOptions), preset, spec.Seed, trainer);
        return new RunRecord(RunRecord.CurrentSchemaVersion, spec.RunId, RunRecord.Failed, Reason(error), config,
            null, null, null, null, 0, Environment(), now, now) { CodeVersion = entry is null ? null : CodeVersion.OfModel(entry.Name) };
    }

    /// <summary>Why a run failed, for its record: exception type and message, without native or managed stack frames.</summary>
    public static string Reason(Exception e)
    {
        var root = e is TargetInvocationException { InnerException: { } inner } ? inner : e;
        var lines = root.Message.Split('\n')
            .TakeWhile(l => !l.StartsWith("frame #", StringComparison.Ordinal) && !l.StartsWith("Exception raised from", StringComparison.Ordinal)
                            && !l.TrimStart().StartsWith("at ", StringComparison.Ordinal))
            .Select(l => l.Trim()).Where(l => l.Length > 0);
        return $"{root.GetType().Name}: {string.Join(" ", lines)}";
    }

    /// <summary>
    /// A model whose validation AUC is exactly 0.5 after every epoch predicts one constant (dead units, a
    /// collapsed output): its numbers would enter a table as a real, terrible result, so the run is failed instead.
    /// "Stuck" needs two looks: after a single epoch a slow starter (embeddings still near their 1e-4 init) can tie
    /// every prediction without being broken.
    /// </summary>
    public static string? ConstantPredictions(TrainingHistory history) =>
        history.Epochs.Count > 1 && history.Epochs.All(e => e.ValidationAuc == 0.5)
            ? $"constant predictions: validation AUC was exactly 0.5 in all {history.Epochs.Count} epochs"
            : null;

    /// <summary>Versions and machine, for the record.</summary>
    public static RunEnvironment Environment(string device = "cpu") => new(
        Msr: typeof(ExperimentRunner).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown",
        TorchSharp: typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown",
        DotNet: RuntimeInformation.FrameworkDescription,
        Os: RuntimeInformation.OSDescription,
        Machine: $"{RuntimeInformation.ProcessArchitecture}, {System.Environment.ProcessorCount} cores",
        Threads: TorchRuntime.Threads,
        Device: device) { OpenMpWaiting = TorchRuntime.OpenMpWaitingChoice, Malloc = TorchRuntime.MallocChoice };
}
