using Msr.Core.Features;

namespace Msr.Core.Data.Mind;

/// <summary>
/// MIND from its original release: <c>behaviors.tsv</c> (impression id, user, time, history, impressions
/// "N123-1 N456-0") and <c>news.tsv</c> (news id, category, subcategory, title, …), headerless TSV. The path is a
/// folder with both files, or a folder of split folders (e.g. MINDsmall_train, MINDsmall_dev), each joined with its
/// own news table and concatenated (spec §3.6). Every impression token becomes a row (User_ID, News_ID, label,
/// Category, SubCategory); tokens whose news is absent from news.tsv are skipped (the reference's left join leaves
/// them without a category, so its category filter drops them). Scenarios: the <c>top_k</c> (default 4) largest
/// categories, largest first, or the explicit list <c>categories=news,lifestyle,sports,finance</c>. With
/// <c>history=L</c>, <c>hist_News_ID</c> holds the user's last L impressed news of strictly earlier impressions
/// (<c>history_clicks_only</c>: clicked ones only); tokens of the same impression share its time, so never see each other.
/// With <c>history_source=behaviors</c> it holds instead the last L news of the impression's own history field (the
/// user's clicks before the log's period, as MIND gives them); a history news with no News_ID id is left out
/// (transductive) or takes the out-of-vocabulary id (train-only). <c>history_attributes=SubCategory</c> adds
/// <c>hist_SubCategory</c>, aligned with <c>hist_News_ID</c>, for histories from impressions only: with
/// <c>history_source=behaviors</c> it is an error.
/// </summary>
public sealed class MindRawLoader : IDatasetLoader
{
    public string Name => "mind-raw";
    public string Description => "MIND original behaviors.tsv + news.tsv, one row per impression; scenarios = largest categories (default 4)";
    public IReadOnlyList<string> ExpectedFiles => ["behaviors.tsv", "news.tsv"];
    public ProtocolDefaults Defaults => new(BatchSize: 4096, Patience: 4, StepLrStepSize: 4, StepLrGamma: 0.75, ModelPreset: "mind");

    static readonly IntDatasetOption TopK = DatasetOption.Int("top_k", "keep the k largest news categories as scenarios", 4, min: 1);
    static readonly ChoiceDatasetOption HistorySource = DatasetOption.Choice("history_source",
        "histories from earlier impressions in the log, or from each impression's own history field", "impressions", "impressions", "behaviors");
    static readonly NamesDatasetOption Categories = DatasetOption.Names("categories", "these categories as scenarios, in this order (instead of top_k)");
    static readonly string[] Behaviors = ["behaviors.tsv"], News = ["news.tsv"];

    public IReadOnlyList<DatasetOption> Options { get; } = [.. EncodingOptions.Declared, TopK, .. HistoryOptions.Declared, HistorySource, Categories];

    static readonly string[] SparseColumns = ["User_ID", "News_ID", "SubCategory"];

    public IReadOnlyList<string> OptionProblems(Settings options) => HistoryProblems(HistoryOptions.From(options), HistorySource.Read(options));

    /// <summary>
    /// <c>history_attributes</c>'s problems: those of every loader, and listed histories (<c>history_source=behaviors</c>),
    /// which carry no times to align attribute histories by.
    /// </summary>
    static IReadOnlyList<string> HistoryProblems(HistoryOptions history, string source) =>
        history.AttributeColumns.Count > 0 && history.Enabled && source == "behaviors"
            ? [$"option 'history_attributes': [{string.Join(",", history.AttributeColumns)}] needs history_source=impressions (the default); " +
               "history_source=behaviors reads MIND's listed histories, which have no attribute histories"]
            : history.Problems("News_ID", SparseColumns);

    public IReadOnlyList<string> MissingFiles(DatasetRequest request)
    {
        var missing = LoaderSupport.MissingFiles(request, Name, fileAccepted: false, [Behaviors, News]);
        if (missing.Count == 0) return [];
        // MIND's releases hold one folder per split (MINDsmall_train, MINDsmall_dev): each must have both files.
        var folder = request.Path is { } p && Directory.Exists(p) ? p : null;
        var splits = folder is null ? [] : Splits(folder);
        return splits.Count == 0 ? missing : [.. splits.SelectMany(s => LoaderSupport.MissingFiles(request with { Path = s }, Name, false, [Behaviors, News]))];
    }

    /// <summary>The folder itself when it holds behaviors.tsv, else its subfolders that do (train before dev, as the reference).</summary>
    static List<string> Splits(string folder) => File.Exists(Path.Combine(folder, Behaviors[0]))
        ? [folder]
        : [.. Directory.GetDirectories(folder).Where(d => File.Exists(Path.Combine(d, Behaviors[0])))
            .OrderBy(d => Path.GetFileName(d).Contains("train", StringComparison.OrdinalIgnoreCase) ? 0 : 1).ThenBy(d => d, StringComparer.Ordinal)];

    public ScenarioDataset Load(DatasetRequest request)
    {
        var options = EncodingOptions.From(request.Options);
        int k = TopK.Read(request.Options);
        var history = HistoryOptions.From(request.Options);
        var source = HistorySource.Read(request.Options);
        var listed = history.Enabled && source == "behaviors" ? new ListedHistories(history.Length) : null;
        var categories = Categories.Read(request.Options);
        request.Options.EnsureAllUsed("dataset 'mind-raw'");
        if (HistoryProblems(history, source) is { Count: > 0 } problems)
            throw new ArgumentException($"dataset '{Name}': {string.Join("; ", problems)}");
        var folder = LoaderSupport.Folder(request, Name);

        var splits = Splits(folder);
        if (splits.Count == 0) LoaderSupport.File(folder, Behaviors); // throws "file not found"

        var table = new RawTable();
        var user = table.AddCategorical("User_ID");
        var news = table.AddCategorical("News_ID");
        var category = table.AddCategorical("Category");
        var subcategory = table.AddCategorical("SubCategory");
        var label = table.AddNumeric("label");
        var time = table.AddNumeric("time");
        foreach (var split in splits)
        {
            var newsInfo = new Dictionary<string, (string Category, string SubCategory)>(StringComparer.Ordinal);
            using (var r = DelimitedReader.Open(LoaderSupport.File(split, News), DelimitedFormat.HeaderlessTsv, minFields: 3))
                while (r.Read()) newsInfo[r.Get(0)] = (r.Get(1), r.Get(2));

            var behaviors = LoaderSupport.File(split, Behaviors);
            table.Sources.Add(behaviors);
            using var b = DelimitedReader.Open(behaviors, DelimitedFormat.HeaderlessTsv, minFields: 5);
            while (b.Read())
            {
                var at = b.Position;
                var userId = b.Get(1);
                double ticks = history.Enabled && listed is null ? ImpressionTime(b) : 0;
                int list = listed?.AddList(b.Get(3).Split(' ', StringSplitOptions.RemoveEmptyEntries)) ?? -1;
                foreach (var token in b.Get(4).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    int dash = token.LastIndexOf('-');
                    if (dash <= 0 || dash != token.Length - 2 || token[^1] is not ('0' or '1'))
                        throw b.Error("impressions", $"'{token}' is not an impression token like N123-1");
                    var newsId = token[..dash];
                    if (!newsInfo.TryGetValue(newsId, out var info)) continue;
                    user.Add(userId, at);
                    news.Add(newsId, at);
                    category.Add(info.Category, at);
                    subcategory.Add(info.SubCategory, at);
                    label.Add(token[^1] == '1' ? 1 : 0);
                    time.Add(ticks);
                    listed?.AddRow(list);
                }
            }
        }
        if (table.RowCount == 0)
            throw new DataFormatException(table.SourceText, 0, "impressions", "no impression refers to a news item of news.tsv");
        var rule = categories is null ? ScenarioRule.TopK("Category", k, orderBySize: true) : ScenarioRule.Fixed("Category", categories);
        var layout = new TableLayout([.. SparseColumns.Select(c => new SparseInput(c))], [], "label", rule,
            listed is null ? history.Inputs("User_ID", "News_ID", "time") : null,
            listed is null ? null : [new ListedSequenceInput("hist_News_ID", "News_ID", history.Length, listed)], User: "User_ID");
        return DatasetEncoder.Encode(Name, table, layout, options);
    }

    /// <summary>The impression time ("11/11/2019 9:05:58 AM") in ticks.</summary>
    static double ImpressionTime(DelimitedReader b)
    {
        var text = b.Get(2);
        if (DateTime.TryParseExact(text, "M/d/yyyy h:mm:ss tt", System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.None, out var t))
            return t.Ticks;
        throw b.Error("time", $"'{text}' is not a time like 11/11/2019 9:05:58 AM");
    }
}
