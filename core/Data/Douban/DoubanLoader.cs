using Msr.Core.Features;

namespace Msr.Core.Data.Douban;

/// <summary>
/// Douban from the benchmark's processed CSV (<c>user_id,item_id,rating,domain,living_place,join_time,time_bin</c>;
/// spec §3.5): scenario = domain {book 0, music 1, movie 2} (another domain is an error); sparse user_id, item_id,
/// living_place, time_bin (missing = its own category); label = <c>rating</c>, already 0/1.
/// </summary>
public sealed class DoubanLoader : IDatasetLoader
{
    public static readonly string[] SparseColumns = ["user_id", "item_id", "living_place", "time_bin"];

    public string Name => "douban";
    public string Description => "Douban, the benchmark's processed douban.csv; scenarios book/music/movie, label rating (binary)";
    public IReadOnlyList<string> ExpectedFiles => ["douban.csv"];
    public ProtocolDefaults Defaults => new(BatchSize: 4096, Patience: 4, StepLrStepSize: 2, StepLrGamma: 0.85, ModelPreset: "douban");

    static readonly string[] Data = ["douban.csv", "douban_sample.csv"];
    public IReadOnlyList<DatasetOption> Options => EncodingOptions.Declared;
    public IReadOnlyList<string> MissingFiles(DatasetRequest request) => LoaderSupport.MissingFiles(request, Name, fileAccepted: true, [Data]);

    public ScenarioDataset Load(DatasetRequest request)
    {
        var options = EncodingOptions.From(request.Options);
        request.Options.EnsureAllUsed("dataset 'douban'");
        var file = LoaderSupport.DataFile(request, Name, Data);
        var table = new RawTable();
        RawTableReader.Append(table, file, DelimitedFormat.Csv,
            [.. SparseColumns.Select(c => new ColumnRead(c, ReadAs.Categorical)), new("rating", ReadAs.Binary), new("domain", ReadAs.Categorical)]);
        var layout = new TableLayout([.. SparseColumns.Select(c => new SparseInput(c))], [], "rating",
            ScenarioRule.Fixed("domain", ["book", "music", "movie"], OutsideRows.Error), User: "user_id");
        return DatasetEncoder.Encode(Name, table, layout, options);
    }
}
