using System.Diagnostics;
using System.Text.Json;
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
    /// <summary>Whether the encoded dataset came from the processed cache (a warm load).</summary>
    public bool FromCache { get; }
    public double LoadSeconds { get; }

    LoadedDataset(IDatasetLoader loader, ScenarioDataset data, string? path, IReadOnlyDictionary<string, string> resolved, bool fromCache, double seconds)
    {
        Loader = loader;
        Data = data;
        Path = path;
        ResolvedOptions = resolved;
        FromCache = fromCache;
        LoadSeconds = seconds;
    }

    /// <summary>
    /// Where processed datasets are cached unless told otherwise: <c>$MSR_CACHE</c>, else
    /// <c>$XDG_CACHE_HOME/msr/datasets</c>, else <c>~/.cache/msr/datasets</c>.
    /// </summary>
    public static string DefaultCacheDirectory =>
        System.Environment.GetEnvironmentVariable("MSR_CACHE") is { Length: > 0 } explicitCache ? explicitCache
        : System.IO.Path.Combine(
            System.Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg ? xdg
                : System.IO.Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".cache"),
            "msr", "datasets");

    /// <summary>
    /// Loads a dataset. Datasets read from files go through the processed cache in
    /// <paramref name="cacheDirectory"/> (null disables it); generated datasets are never cached.
    /// </summary>
    public static LoadedDataset Load(string dataset, string? path, IReadOnlyDictionary<string, string> options, string? cacheDirectory = null)
    {
        var clock = Stopwatch.StartNew();
        var loader = DatasetRegistry.Get(dataset);
        var settings = new Settings(options);
        var request = new DatasetRequest(path, settings);
        if (cacheDirectory is null || path is null)
        {
            var data = loader.Load(request);
            return new LoadedDataset(loader, data, path, new Dictionary<string, string>(settings.Resolved), false, clock.Elapsed.TotalSeconds);
        }

        // The cache key covers the options as given; the options as resolved (defaults included) are kept
        // beside the entry, so a warm load writes the same record as a cold one.
        var resolvedFile = DatasetCache.EntryPath(loader, request, cacheDirectory) + ".options.json";
        var cached = DatasetCache.Load(loader, request, cacheDirectory, out bool fromCache);
        IReadOnlyDictionary<string, string> resolved;
        if (!fromCache)
        {
            resolved = new Dictionary<string, string>(settings.Resolved);
            var temp = resolvedFile + $".{System.Environment.ProcessId}.tmp";
            File.WriteAllText(temp, JsonSerializer.Serialize(resolved));
            File.Move(temp, resolvedFile, overwrite: true);
        }
        else
        {
            resolved = File.Exists(resolvedFile)
                ? JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(resolvedFile)) ?? []
                : new Dictionary<string, string>(settings.Given);
        }
        return new LoadedDataset(loader, cached, path, resolved, fromCache, clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// A dataset produced without its loader (e.g. the Ali-CCP twin read from the cache entry it was written as), wrapped
    /// for runs on <paramref name="dataset"/>'s protocol; it takes ownership of <paramref name="data"/>.
    /// </summary>
    public static LoadedDataset Of(string dataset, ScenarioDataset data, string? path, bool fromCache, double seconds) =>
        new(DatasetRegistry.Get(dataset), data, path, new Dictionary<string, string>(), fromCache, seconds);

    public void Dispose() => Data.Dispose();
}
