using Msr.Core.Metrics;
using Msr.Core.Training;

namespace Msr.Core.Results;

/// <summary>Everything that determines a run's numbers.</summary>
/// <param name="Dataset">Registry name of the dataset.</param>
/// <param name="DatasetPath">Path of its files (null for generated data).</param>
/// <param name="DatasetOptions">Loader options as resolved (defaults included).</param>
/// <param name="Model">Canonical model name.</param>
/// <param name="ModelOptions">Model hyper-parameters as resolved (defaults and dataset preset included).</param>
/// <param name="Preset">Hyper-parameter preset (dataset column of the spec's tables).</param>
/// <param name="Seed">Seed of the split, initialisation, shuffling and dropout.</param>
/// <param name="Trainer">Training protocol.</param>
public sealed record RunConfig(
    string Dataset,
    string? DatasetPath,
    IReadOnlyDictionary<string, string> DatasetOptions,
    string Model,
    IReadOnlyDictionary<string, string> ModelOptions,
    string Preset,
    long Seed,
    TrainerOptions Trainer);

/// <summary>How training went.</summary>
public sealed record TrainingSummary(int EpochsRun, int BestEpoch, string StopReason, bool RestoredBest, IReadOnlyList<EpochRecord> History)
{
    /// <summary>The last epoch an earlier, interrupted process finished: this run continued from its epoch checkpoint
    /// (the epochs up to it, their timings included, are that process's). Null when the run trained in one go, and in
    /// records written before checkpoints existed.</summary>
    public int? ResumedAfterEpoch { get; init; }
}

/// <summary>Speed figures of a run, in the paper's Table 4 units.</summary>
/// <param name="TrainSecondsPerEpoch">Mean wall seconds of a training pass.</param>
/// <param name="TrainSamplesPerSecond">Training rows per second.</param>
/// <param name="InferMillisecondsPerBatch">Mean wall milliseconds to predict one test batch.</param>
/// <param name="InferBatchSize">Batch size of that measurement.</param>
/// <param name="TotalSeconds">Whole run, data split to test metrics.</param>
public sealed record EfficiencyFigures(double TrainSecondsPerEpoch, double TrainSamplesPerSecond, double InferMillisecondsPerBatch,
    int InferBatchSize, double TotalSeconds);

/// <summary>Software and machine a run used.</summary>
public sealed record RunEnvironment(string Msr, string TorchSharp, string DotNet, string Os, string Machine, int Threads, string Device)
{
    /// <summary>How libtorch's OpenMP threads waited, and why (<see cref="Native.OpenMpWaiting"/>): it moves the run's
    /// timings by up to 2×, never its numbers. Null for records written before it was recorded.</summary>
    public string? OpenMpWaiting { get; init; }

    /// <summary>Whether freed tensor memory stayed with the process for reuse (<see cref="Native.MallocRetention"/>): it
    /// moves timings and resident memory, never numbers. Null for records written before it was recorded.</summary>
    public string? Malloc { get; init; }
}

/// <summary>
/// The durable result of one run, written as one JSON file (schema documented in docs/results.md).
/// Tables and statistics are computed from these records only.
/// </summary>
public sealed record RunRecord(
    int SchemaVersion,
    string RunId,
    string Status,
    string? Error,
    RunConfig Config,
    Evaluation? Test,
    Evaluation? Validation,
    TrainingSummary? Training,
    EfficiencyFigures? Efficiency,
    long Parameters,
    RunEnvironment Environment,
    DateTimeOffset StartedUtc,
    DateTimeOffset FinishedUtc)
{
    public const int CurrentSchemaVersion = 1;

    /// <summary>File name of the trained weights beside this record (<c>ModelWeights</c> format); null for failed runs and older records.</summary>
    public string? Weights { get; init; }

    /// <summary>Code version of the model that produced the record (<c>CodeVersion</c>); null for older records.</summary>
    public string? CodeVersion { get; init; }

    /// <summary>
    /// The content fingerprint of the data files the run trained on (<c>DataFingerprint.Content</c>, as in its run id;
    /// "generated" for generated data), so that its model is never set to predict a split drawn from other data; null
    /// for older records.
    /// </summary>
    public string? DataFingerprint { get; init; }

    public const string Completed = "completed";
    public const string Failed = "failed";

    public bool IsCompleted => Status == Completed;
}
