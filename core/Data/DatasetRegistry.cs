using Msr.Core.Data.AliCcp;
using Msr.Core.Data.Amazon;
using Msr.Core.Data.Custom;
using Msr.Core.Data.Douban;
using Msr.Core.Data.KuaiRand;
using Msr.Core.Data.Mind;
using Msr.Core.Data.MovieLens;
using Msr.Core.Data.Synthetic;

namespace Msr.Core.Data;

/// <summary>What to load: a path (file or folder; null for generated data) and loader options.</summary>
public sealed record DatasetRequest(string? Path, Settings Options);

/// <summary>
/// The reference protocol's per-dataset training settings (spec §2.2, §2.4, §2.6) and the key of
/// the per-dataset model hyper-parameter column (spec §4 tables: "movielens", "kuairand", ...).
/// </summary>
public sealed record ProtocolDefaults(
    int BatchSize = 4096,
    int Patience = 4,
    int StepLrStepSize = 2,
    double StepLrGamma = 0.85,
    string ModelPreset = "movielens");

/// <summary>Reads one dataset family into an encoded <see cref="ScenarioDataset"/>.</summary>
public interface IDatasetLoader
{
    /// <summary>Registry name, e.g. <c>movielens</c>.</summary>
    string Name { get; }
    string Description { get; }
    /// <summary>Files the loader expects under the path, for <c>msr datasets list</c> and error messages.</summary>
    IReadOnlyList<string> ExpectedFiles { get; }
    ProtocolDefaults Defaults { get; }
    /// <summary>Every option the loader reads, declared (name, kind, default, meaning); <see cref="Load"/> reads them only through these.</summary>
    IReadOnlyList<DatasetOption> Options { get; }
    /// <summary>
    /// The files a load of <paramref name="request"/> would miss, one message each naming the file and what the loader
    /// expects (empty when all are there); reads no data, so a plan can be checked before anything loads.
    /// </summary>
    IReadOnlyList<string> MissingFiles(DatasetRequest request);
    /// <summary>
    /// Problems of the options together that no single option's value shows (e.g. <c>history_attributes</c> without
    /// <c>history</c>, or naming a column the dataset lacks), one message each naming the option, the value and the valid
    /// choices; reads no file, so a plan is checked before loading (<see cref="DatasetOptionCheck.Problems"/>).
    /// <see cref="Load"/> raises the same problems. Default: none.
    /// </summary>
    IReadOnlyList<string> OptionProblems(Settings options) => [];
    /// <summary>Loads and encodes; unknown options must be reported (<see cref="Settings.EnsureAllUsed"/>).</summary>
    ScenarioDataset Load(DatasetRequest request);
}

/// <summary>The embedded default dataset: generated, needs no files.</summary>
public sealed class SyntheticLoader : IDatasetLoader
{
    public string Name => "synthetic";
    public string Description => "Deterministic synthetic multi-scenario CTR data with shared and scenario-specific signal (no files needed)";
    public IReadOnlyList<string> ExpectedFiles => [];
    public ProtocolDefaults Defaults => new(BatchSize: 1024, Patience: 2);
    public IReadOnlyList<DatasetOption> Options => SyntheticOptions.Declared;
    public IReadOnlyList<string> MissingFiles(DatasetRequest request) => [];
    public IReadOnlyList<string> OptionProblems(Settings options) => SyntheticOptions.From(options).HistoryProblems();

    public ScenarioDataset Load(DatasetRequest request)
    {
        var options = SyntheticOptions.From(request.Options);
        request.Options.EnsureAllUsed("dataset 'synthetic'");
        return SyntheticDataset.Generate(options);
    }
}

/// <summary>Name → loader. Adding a dataset is one loader file plus one line here.</summary>
public static class DatasetRegistry
{
    static readonly IReadOnlyList<IDatasetLoader> Loaders =
    [
        new SyntheticLoader(),
        new MovieLens1MLoader(),
        new MovieLens100KLoader(),
        new KuaiRandLoader(),
        new KuaiRandRawLoader(),
        new AliCcpLoader(),
        new AliCcpRawLoader(),
        new DoubanLoader(),
        new DoubanRawLoader(),
        new MindLoader(),
        new MindRawLoader(),
        new AmazonLoader(),
        new CustomCsvLoader(),
    ];

    public static IReadOnlyList<IDatasetLoader> All => Loaders;

    public static IDatasetLoader Get(string name) =>
        Loaders.FirstOrDefault(l => string.Equals(l.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new ArgumentException($"unknown dataset '{name}'; available: {string.Join(", ", Loaders.Select(l => l.Name))}");

    public static ScenarioDataset Load(string name, string? path = null, Settings? options = null) =>
        Get(name).Load(new DatasetRequest(path, options ?? Settings.Empty));

    /// <summary>As <see cref="Load"/>, through the processed-dataset cache in <paramref name="cacheDirectory"/> (see <see cref="DatasetCache"/>).</summary>
    public static ScenarioDataset LoadCached(string name, string? path, Settings? options, string cacheDirectory, bool contentHash = false) =>
        DatasetCache.Load(Get(name), new DatasetRequest(path, options ?? Settings.Empty), cacheDirectory, contentHash);
}
