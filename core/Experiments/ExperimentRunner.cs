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

    public static RunRecord Run(PreparedRun run, LoadedDataset data, Action<EpochProgress>? progress = null, CancellationToken cancel = default)
    {
        var spec = run.Spec;
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        using var split = data.Data.PredefinedSplit is null ? DatasetSplit.Random(data.Data.Count, spec.Seed) : null;
        var rows = split ?? data.Data.PredefinedSplit!;

        // Seed the global generator right before construction: initialisation and dropout follow it.
        manual_seed(spec.Seed);
        var modelSettings = new Settings(spec.ModelOptions);
        modelSettings.String("preset", run.Preset);
        using var model = ModelRegistry.Create(spec.Model, new ModelContext(data.Data.Schema, run.Preset), modelSettings);
        var canonicalModel = ModelRegistry.Get(spec.Model).Name;
        var config = new RunConfig(data.Loader.Name, data.Path, data.ResolvedOptions, canonicalModel,
            new Dictionary<string, string>(modelSettings.Resolved), run.Preset, spec.Seed, run.Trainer);

        RunRecord Record(string status, string? error, Metrics.Evaluation? test, Metrics.Evaluation? validation,
            TrainingSummary? training, EfficiencyFigures? efficiency) =>
            new(RunRecord.CurrentSchemaVersion, spec.RunId, status, error, config, test, validation, training, efficiency,
                model.ParameterCount, Environment(), started, DateTimeOffset.UtcNow);

        TrainingHistory history;
        try
        {
            history = Trainer.Fit(model, data.Data, rows, run.Trainer, spec.Seed, progress, cancel);
        }
        catch (TrainingDivergedException e)
        {
            return Record(RunRecord.Failed, e.Message, null, null, null, null);
        }

        var validation = Trainer.Evaluate(model, data.Data, rows.Validation, run.Trainer.BatchSize);
        var inferClock = Stopwatch.StartNew();
        var test = Trainer.Evaluate(model, data.Data, rows.Test, run.Trainer.BatchSize);
        double inferMs = inferClock.Elapsed.TotalMilliseconds / Math.Max(1, BatchPlan.Count(rows.Test.shape[0], run.Trainer.BatchSize));
        var summary = new TrainingSummary(history.Epochs.Count, history.BestEpoch,
            history.Stop == StopReason.EarlyStopping ? "early_stopping" : "epoch_budget", history.RestoredBest, history.Epochs);
        var efficiency = new EfficiencyFigures(history.TrainSecondsPerEpoch, history.TrainSamplesPerSecond, inferMs,
            run.Trainer.BatchSize, clock.Elapsed.TotalSeconds);
        return Record(RunRecord.Completed, null, test, validation, summary, efficiency);
    }

    /// <summary>Versions and machine, for the record.</summary>
    public static RunEnvironment Environment() => new(
        Msr: typeof(ExperimentRunner).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown",
        TorchSharp: typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown",
        DotNet: RuntimeInformation.FrameworkDescription,
        Os: RuntimeInformation.OSDescription,
        Machine: $"{RuntimeInformation.ProcessArchitecture}, {System.Environment.ProcessorCount} cores",
        Threads: TorchRuntime.Threads,
        Device: "cpu");
}
