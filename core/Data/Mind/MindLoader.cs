using Msr.Core.Features;

namespace Msr.Core.Data.Mind;

/// <summary>
/// MIND from the benchmark's processed CSV (<c>User_ID,News_ID,label,Category,SubCategory</c>; spec §3.6): scenario =
/// Category {news 0, lifestyle 1, sports 2, finance 3}, rows of other categories dropped (option <c>categories</c>
/// replaces the list); sparse User_ID, News_ID, SubCategory; label <c>label</c>.
/// </summary>
public sealed class MindLoader : IDatasetLoader
{
    public static readonly string[] DefaultCategories = ["news", "lifestyle", "sports", "finance"];
    public static readonly string[] SparseColumns = ["User_ID", "News_ID", "SubCategory"];

    public string Name => "mind";
    public string Description => "MIND, the benchmark's processed mind.csv; scenarios news/lifestyle/sports/finance";
    public IReadOnlyList<string> ExpectedFiles => ["mind.csv"];
    public ProtocolDefaults Defaults => new(BatchSize: 4096, Patience: 4, StepLrStepSize: 4, StepLrGamma: 0.75, ModelPreset: "mind");

    public static readonly NamesDatasetOption Categories = DatasetOption.Names("categories",
        "the news categories kept as scenarios, in this order", string.Join(",", DefaultCategories));
    static readonly string[] Data = ["mind.csv", "mind_sample.csv"];
    public IReadOnlyList<DatasetOption> Options { get; } = [.. EncodingOptions.Declared, Categories];
    public IReadOnlyList<string> MissingFiles(DatasetRequest request) => LoaderSupport.MissingFiles(request, Name, fileAccepted: true, [Data]);

    public ScenarioDataset Load(DatasetRequest request)
    {
        var options = EncodingOptions.From(request.Options);
        var categories = Categories.Read(request.Options) ?? DefaultCategories;
        request.Options.EnsureAllUsed("dataset 'mind'");
        var file = LoaderSupport.DataFile(request, Name, Data);
        var table = new RawTable();
        RawTableReader.Append(table, file, DelimitedFormat.Csv,
            [.. SparseColumns.Select(c => new ColumnRead(c, ReadAs.Categorical)), new("label", ReadAs.Binary), new("Category", ReadAs.Categorical)]);
        var layout = new TableLayout([.. SparseColumns.Select(c => new SparseInput(c))], [], "label", ScenarioRule.Fixed("Category", categories), User: "User_ID");
        return DatasetEncoder.Encode(Name, table, layout, options);
    }
}
