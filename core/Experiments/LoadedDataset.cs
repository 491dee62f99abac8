using Msr.Core.Data;

namespace Msr.Core.Experiments;

/// <summary>A dataset loaded once and shared by every run of a grid that uses it.</summary>
public sealed class LoadedDataset : IDisposable
{
    public IDatasetLoader Loader { get; }
    public ScenarioDataset Data { get; }
    public string? Path { get; }
    /// <summary>Loader options as resolved, defaults included (written to every result record).</summary>
    public IReadOnlyDictionary<string, string> ResolvedOptions { get; }

    LoadedDataset(IDatasetLoader loader, ScenarioDataset data, string? path, IReadOnlyDictionary<string, string> resolved)
    {
        Loader = loader;
        Data = data;
        Path = path;
        ResolvedOptions = resolved;
    }

    public static LoadedDataset Load(string dataset, string? path, IReadOnlyDictionary<string, string> options)
    {
        var loader = DatasetRegistry.Get(dataset);
        var settings = new Settings(options);
        var data = loader.Load(new DatasetRequest(path, settings));
        return new LoadedDataset(loader, data, path, new Dictionary<string, string>(settings.Resolved));
    }

    public void Dispose() => Data.Dispose();
}
