using Msr.Core.Data;
using Msr.Core.Models;
using Msr.Core.Results;
using Msr.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Msr.Core.Experiments;

/// <summary>One predicted row: its index in the encoded dataset, scenario name, label and click probability.</summary>
public sealed record PredictedRow(long Row, string Scenario, float Label, double Probability);

/// <summary>Which rows of a run's split to predict.</summary>
public enum SplitPart { Train, Validation, Test }

/// <summary>
/// A finished run brought back from its record: the dataset loaded with the record's options, the model rebuilt
/// with its resolved hyper-parameters and the saved weights loaded, so its predictions are the run's own.
/// </summary>
public static class RecordPredictions
{
    /// <summary>Predictions of the model saved with <paramref name="recordPath"/> on one part of the run's split, in split order.</summary>
    /// <param name="datasetPath">The dataset's files where they are now, when the path the record holds (as typed when the run
    /// trained, so possibly relative to another folder) no longer leads to them; null: the record's path.</param>
    /// <param name="device">Where the model predicts (<see cref="ComputeDevice"/>): <c>cpu</c>, <c>cuda</c>, <c>cuda:N</c> or <c>auto</c>,
    /// whichever device the run trained on; weights load onto the CPU first and then move.</param>
    /// <exception cref="InvalidDataException">The record is unreadable, failed, has no weights, its weights do not fit, its dataset is not
    /// found, or the files found are not those the run trained on (records that hold their data fingerprint).</exception>
    /// <exception cref="ArgumentException">The device is unknown or not usable.</exception>
    public static IReadOnlyList<PredictedRow> Predict(string recordPath, SplitPart part, string? cacheDirectory, string? datasetPath = null,
        string device = "cpu")
    {
        var target = ComputeDevice.Resolve(device); // before any loading: a bad device is the first thing said
        var record = ResultStore.Read(recordPath);
        if (!record.IsCompleted) throw new InvalidDataException($"{recordPath}: the run failed ({record.Error}); there is no model to predict with");
        if (record.Weights is null)
            throw new InvalidDataException($"{recordPath}: the record names no weights file (written by an older Msr); train the run again to save them");
        var weights = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(recordPath))!, record.Weights);
        var config = record.Config;
        var files = DatasetFiles(recordPath, config.Dataset, config.DatasetPath, datasetPath);
        if (files is not null && record.DataFingerprint is { } trainedOn && DataFingerprint.Content(files) is var now && now != trainedOn)
            throw new InvalidDataException(
                $"{recordPath}: the files at '{files}' are not the data the run trained on (content fingerprint {now}, the run's {trainedOn}): " +
                "rows, labels or features of its split would differ from those it was tested on; give the run's own data with --path");
        using var data = LoadedDataset.Load(config.Dataset, files, config.DatasetOptions, cacheDirectory);
        using var split = data.Data.PredefinedSplit is null ? DatasetSplit.Random(data.Data.Count, config.Seed) : null;
        var cpuRows = (split ?? data.Data.PredefinedSplit!) switch
        {
            var s when part == SplitPart.Train => s.Train,
            var s when part == SplitPart.Validation => s.Validation,
            var s => s.Test,
        };
        using var placed = data.Data.OnDevice(target);
        var onDevice = placed.Data;
        using var movedRows = target.type == DeviceType.CPU ? null : cpuRows.to(target);
        var options = new Settings(config.ModelOptions);
        options.String(ModelRegistry.PresetOption, config.Preset); // read by the runner, not the model (as when it trained)
        using var model = ModelRegistry.Create(config.Model, new ModelContext(data.Data.Schema, config.Preset), options);
        ModelWeights.Load(model, weights);
        model.to(target);
        var probabilities = Trainer.Predict(model, onDevice, movedRows ?? cpuRows, config.Trainer.BatchSize);
        using var scope = NewDisposeScope();
        var ids = cpuRows.data<long>().ToArray();
        var labels = data.Data.Label.index_select(0, cpuRows).data<float>().ToArray();
        var scenarios = data.Data.Scenario.index_select(0, cpuRows).data<long>().ToArray();
        var names = data.Data.Schema.ScenarioNames;
        return [.. ids.Select((id, i) => new PredictedRow(id, names[(int)scenarios[i]], labels[i], probabilities[i]))];
    }

    /// <summary>Where to load the run's dataset from: the given path, else the recorded one, which must still exist.</summary>
    static string? DatasetFiles(string recordPath, string dataset, string? recorded, string? given)
    {
        if (recorded is null)
            return given is null ? null
                : throw new InvalidDataException($"{recordPath}: the run trained on generated '{dataset}' data, which has no files; drop --path");
        if (given is not null)
            return File.Exists(given) || Directory.Exists(given) ? given
                : throw new InvalidDataException($"--path '{given}' does not exist (from {Environment.CurrentDirectory})");
        if (File.Exists(recorded) || Directory.Exists(recorded)) return recorded;
        var relative = Path.IsPathRooted(recorded) ? "" : ", a path relative to the folder the run was started from,";
        throw new InvalidDataException($"{recordPath}: the run's dataset '{recorded}'{relative} does not exist from {Environment.CurrentDirectory}; " +
            "give the dataset's files with --path");
    }
}
