using Msr.Core.Features;

namespace Msr.Core.Data.KuaiRand;

/// <summary>
/// KuaiRand-1K from the benchmark's processed <c>kuairand.csv</c> (interaction log joined with user and video
/// features; spec §3.2). Scenario = <c>tab</c>: the <c>top_k</c> (default 5) tabs with most rows, ordered by tab
/// value, other rows dropped; or the explicit list <c>tabs=0,1,2,4,6</c>. Sparse: the 32 id/attribute columns;
/// dense: follow/fans/friend counts and register_days (integer, MinMax); label <c>is_click</c>.
/// </summary>
public sealed class KuaiRandLoader : IDatasetLoader
{
    public static readonly string[] SparseColumns =
    [
        "user_id", "video_id", "user_active_degree", "is_lowactive_period", "is_live_streamer", "is_video_author",
        "follow_user_num_range", "fans_user_num_range", "friend_user_num_range", "register_days_range",
        .. Enumerable.Range(0, 18).Select(i => $"onehot_feat{i}"),
        "video_type", "visible_status", "server_width", "server_height",
    ];

    public static readonly string[] DenseColumns = ["follow_user_num", "fans_user_num", "friend_user_num", "register_days"];

    public string Name => "kuairand";
    public string Description => "KuaiRand-1K, the benchmark's processed kuairand.csv; scenario = top-k tabs (default 5), label is_click";
    public IReadOnlyList<string> ExpectedFiles => ["kuairand.csv"];
    public ProtocolDefaults Defaults => new(BatchSize: 9048, Patience: 4, StepLrStepSize: 4, StepLrGamma: 0.75, ModelPreset: "kuairand");

    public static readonly IntDatasetOption TopK = DatasetOption.Int("top_k", "keep the k tabs with most rows as scenarios (ordered by tab value)", 5, min: 1);
    public static readonly NamesDatasetOption Tabs = DatasetOption.Names("tabs", "these tab values as scenarios, in this order (instead of top_k)");
    static readonly string[] Data = ["kuairand.csv", "kuairand_sample.csv"];

    public IReadOnlyList<DatasetOption> Options { get; } = [.. EncodingOptions.Declared, TopK, Tabs];
    public IReadOnlyList<string> MissingFiles(DatasetRequest request) => LoaderSupport.MissingFiles(request, Name, fileAccepted: true, [Data]);

    /// <summary>The scenario rule the <c>top_k</c> and <c>tabs</c> options describe (shared with the raw loader).</summary>
    public static ScenarioRule TabRule(Settings s)
    {
        int k = TopK.Read(s);
        return Tabs.Read(s) is { } tabs ? ScenarioRule.Fixed("tab", tabs) : ScenarioRule.TopK("tab", k);
    }

    public ScenarioDataset Load(DatasetRequest request)
    {
        var options = EncodingOptions.From(request.Options);
        var rule = TabRule(request.Options);
        request.Options.EnsureAllUsed("dataset 'kuairand'");
        var file = LoaderSupport.DataFile(request, Name, Data);

        var table = new RawTable();
        RawTableReader.Append(table, file, DelimitedFormat.Csv,
        [
            .. SparseColumns.Select(c => new ColumnRead(c, ReadAs.Categorical)),
            .. DenseColumns.Select(c => new ColumnRead(c, ReadAs.Integer)),
            new("is_click", ReadAs.Binary),
            new("tab", ReadAs.Categorical),
        ]);
        var layout = new TableLayout([.. SparseColumns.Select(c => new SparseInput(c))], [.. DenseColumns.Select(c => new DenseInput(c))],
            "is_click", rule, User: "user_id");
        return DatasetEncoder.Encode(Name, table, layout, options);
    }
}
