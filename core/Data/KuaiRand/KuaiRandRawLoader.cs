using System.Globalization;
using Msr.Core.Features;

namespace Msr.Core.Data.KuaiRand;

/// <summary>
/// KuaiRand from the original release (spec §3.2, offline + run-time steps): interaction logs
/// <c>log_standard_*.csv</c>, <c>user_features_*.csv</c> and <c>video_features_basic_*.csv</c> (1K or Pure).
/// User range strings are mapped to the reference's integer codes; the reference's fills are applied to missing
/// one-hot features, <c>visible_status</c> and the server sizes; <c>video_type</c> {NORMAL 0, AD 1, UNKNOWN 2};
/// log rows are inner-joined with both tables (rows whose user or video is unknown are dropped); every kept feature is
/// cast to an integer. The result has the processed file's layout, read as by the <c>kuairand</c> loader (top-k tabs,
/// 32 sparse, 4 dense, label is_click).
/// </summary>
/// <remarks>
/// Deviations: a range string missing from the reference's maps (the Pure tables have <c>day_new</c>,
/// <c>[100w,1000w)</c> and <c>8-14</c>) gets the next free code, where the reference would fail on a NaN; the
/// offline re-mapping to first-appearance ids and the unseeded shuffle are skipped (the run-time LabelEncoder makes ids
/// contiguous anyway; only the id permutation differs). Options: <c>logs</c> (comma-separated log file names; default
/// the <c>log_standard_4_22_to_5_08*.csv</c> files the benchmark uses, else every <c>log_standard_*.csv</c>),
/// <c>top_k</c>, <c>tabs</c>, <c>history</c>/<c>history_clicks_only</c> (<c>hist_video_id</c> from <c>time_ms</c>),
/// <c>history_attributes</c> (e.g. <c>video_type</c>: <c>hist_video_type</c>, aligned with <c>hist_video_id</c>) and
/// the encoder options.
/// </remarks>
public sealed class KuaiRandRawLoader : IDatasetLoader
{
    static readonly Dictionary<string, Dictionary<string, int>> RangeCodes = new()
    {
        ["user_active_degree"] = new()
        {
            ["high_active"] = 0, ["full_active"] = 1, ["middle_active"] = 2, ["low_active"] = 3, ["2_14_day_new"] = 4,
            ["30day_retention"] = 5, ["single_low_active"] = 6, ["UNKNOWN"] = 7,
        },
        ["follow_user_num_range"] = new()
        {
            ["0"] = 0, ["(0,10]"] = 1, ["(10,50]"] = 2, ["(100,150]"] = 3, ["(150,250]"] = 4, ["(250,500]"] = 5, ["(50,100]"] = 6, ["500+"] = 7,
        },
        ["fans_user_num_range"] = new()
        {
            ["0"] = 0, ["[1,10)"] = 1, ["[10,100)"] = 2, ["[100,1k)"] = 3, ["[1k,5k)"] = 4, ["[5k,1w)"] = 5, ["[1w,10w)"] = 6, ["[10w,100w)"] = 7,
        },
        ["friend_user_num_range"] = new()
        {
            ["0"] = 0, ["[1,5)"] = 1, ["[5,30)"] = 2, ["[30,60)"] = 3, ["[60,120)"] = 4, ["[120,250)"] = 5, ["250+"] = 6,
        },
        ["register_days_range"] = new()
        {
            ["15-30"] = 0, ["31-60"] = 1, ["61-90"] = 2, ["91-180"] = 3, ["181-365"] = 4, ["366-730"] = 5, ["730+"] = 6,
        },
    };

    static readonly int[] OneHotFill = [2, 7, 50, 1471, 15, 34, 3, 118, 454, 7, 5, 5, 2, 2, 2, 2, 2, 2];

    static readonly string[] UserSparse =
    [
        "user_active_degree", "is_lowactive_period", "is_live_streamer", "is_video_author",
        "follow_user_num_range", "fans_user_num_range", "friend_user_num_range", "register_days_range",
        .. Enumerable.Range(0, 18).Select(i => $"onehot_feat{i}"),
    ];

    static readonly string[] VideoSparse = ["video_type", "visible_status", "server_width", "server_height"];

    public string Name => "kuairand-raw";
    public string Description => "KuaiRand original logs + user/video feature tables, joined and mapped as the benchmark's offline step";
    public IReadOnlyList<string> ExpectedFiles => ["log_standard_4_22_to_5_08_1k.csv", "user_features_1k.csv", "video_features_basic_1k.csv"];
    public ProtocolDefaults Defaults => new KuaiRandLoader().Defaults;

    static readonly NamesDatasetOption Logs = DatasetOption.Names("logs",
        "interaction log files to read", "the log_standard_4_22_to_5_08*.csv files, else every log_standard_*.csv");
    static readonly string[] UserFeatures = ["user_features_1k.csv", "user_features_pure.csv", "user_features.csv"];
    static readonly string[] VideoFeatures = ["video_features_basic_1k.csv", "video_features_basic_pure.csv", "video_features_basic.csv"];

    public IReadOnlyList<DatasetOption> Options { get; } =
        [.. EncodingOptions.Declared, KuaiRandLoader.TopK, KuaiRandLoader.Tabs, .. HistoryOptions.Declared, Logs];

    public IReadOnlyList<string> OptionProblems(Settings options) => HistoryOptions.From(options).Problems("video_id", KuaiRandLoader.SparseColumns);

    public IReadOnlyList<string> MissingFiles(DatasetRequest request)
    {
        var logs = Logs.Read(Settings.Checking(request.Options.Given));
        var missing = LoaderSupport.MissingFiles(request, Name, fileAccepted: false, [.. logs?.Select(l => new[] { l }) ?? [], UserFeatures, VideoFeatures]);
        bool exists = request.Path is { } p && (File.Exists(p) || Directory.Exists(p));
        if (logs is not null || !exists) return missing;
        // Without the logs option any standard log will do: a pattern, which the name check above cannot express.
        var folder = LoaderSupport.Folder(request, Name);
        return DefaultLogs(folder).Length > 0
            ? missing
            : [$"dataset '{Name}': no interaction log (log_standard_*.csv) in '{folder}'; the loader expects {string.Join(", ", ExpectedFiles)}", .. missing];
    }

    /// <summary>The benchmark's log files when present, else every standard log, in name order.</summary>
    static string[] DefaultLogs(string folder) =>
        Directory.GetFiles(folder, "log_standard_4_22_to_5_08*.csv") is { Length: > 0 } benchmark ? [.. benchmark.Order(StringComparer.Ordinal)]
        : [.. Directory.GetFiles(folder, "log_standard_*.csv").Order(StringComparer.Ordinal)];

    public ScenarioDataset Load(DatasetRequest request)
    {
        var options = EncodingOptions.From(request.Options);
        var rule = KuaiRandLoader.TabRule(request.Options);
        var history = HistoryOptions.From(request.Options);
        var logsOption = Logs.Read(request.Options);
        request.Options.EnsureAllUsed("dataset 'kuairand-raw'");
        history.Check(Name, "video_id", KuaiRandLoader.SparseColumns);
        var folder = LoaderSupport.Folder(request, Name);

        var logs = logsOption is not null
            ? logsOption.Select(f => LoaderSupport.File(folder, f)).ToArray()
            : DefaultLogs(folder);
        if (logs.Length == 0) LoaderSupport.File(folder, "log_standard_4_22_to_5_08_1k.csv"); // throws "file not found"

        // Per-load copy of the range maps: values they lack are added while reading.
        var codes = RangeCodes.ToDictionary(kv => kv.Key, kv => new Dictionary<string, int>(kv.Value, StringComparer.Ordinal));
        // Side tables: id → row of integer-coded feature strings (interned per column).
        var users = ReadSide(LoaderSupport.File(folder, UserFeatures), "user_id",
            [.. UserSparse, .. KuaiRandLoader.DenseColumns], (c, v, rd) => UserValue(codes, c, v, rd));
        var videos = ReadSide(LoaderSupport.File(folder, VideoFeatures),
            "video_id", VideoSparse, VideoValue);

        var table = new RawTable();
        var userId = table.AddCategorical("user_id");
        var videoId = table.AddCategorical("video_id");
        var tab = table.AddCategorical("tab");
        var click = table.AddNumeric("is_click");
        var time = table.AddNumeric("time_ms");
        var userCols = UserSparse.Select(c => (RawColumn)table.AddCategorical(c))
            .Concat(KuaiRandLoader.DenseColumns.Select(c => (RawColumn)table.AddNumeric(c))).ToArray();
        var videoCols = VideoSparse.Select(table.AddCategorical).ToArray();
        foreach (var log in logs)
        {
            table.Sources.Add(log);
            using var r = DelimitedReader.Open(log, DelimitedFormat.Csv);
            int iu = r.Column("user_id"), iv = r.Column("video_id"), ic = r.Column("is_click"), it = r.Column("tab");
            int itime = history.Enabled ? r.Column("time_ms") : -1;
            while (r.Read())
            {
                var u = Integer(r.Get(iu), r, "user_id");
                var v = Integer(r.Get(iv), r, "video_id");
                if (!users.Index.TryGetValue(u, out var ur) || !videos.Index.TryGetValue(v, out var vr)) continue; // inner join
                var at = r.Position;
                userId.Add(u, at);
                videoId.Add(v, at);
                tab.Add(Integer(r.Get(it), r, "tab"), at);
                click.Add(r.GetBinary(ic, "is_click"));
                time.Add(itime >= 0 ? r.GetDouble(itime, "time_ms") : 0);
                for (int j = 0; j < userCols.Length; j++)
                {
                    var value = users.Columns[j].ValueAt(ur);
                    if (userCols[j] is CategoricalColumn cat) cat.Add(value, at);
                    else ((NumericColumn)userCols[j]).Add(value is null ? double.NaN : double.Parse(value, CultureInfo.InvariantCulture));
                }
                for (int j = 0; j < videoCols.Length; j++) videoCols[j].Add(videos.Columns[j].ValueAt(vr), at);
            }
        }
        if (table.RowCount == 0) throw new DataFormatException(table.SourceText, 0, "user_id", "no log row joins a known user and video");

        var layout = new TableLayout([.. KuaiRandLoader.SparseColumns.Select(c => new SparseInput(c))],
            [.. KuaiRandLoader.DenseColumns.Select(c => new DenseInput(c))], "is_click", rule, history.Inputs("user_id", "video_id", "time_ms"), User: "user_id");
        return DatasetEncoder.Encode(Name, table, layout, options);
    }

    sealed record Side(Dictionary<string, int> Index, CategoricalColumn[] Columns);

    /// <summary>Reads a side table into interned columns, each value passed through <paramref name="map"/>.</summary>
    static Side ReadSide(string path, string key, string[] columns, Func<string, string?, DelimitedReader, string?> map)
    {
        using var r = DelimitedReader.Open(path, DelimitedFormat.Csv);
        int ik = r.Column(key);
        var idx = columns.Select(r.Column).ToArray();
        var cols = columns.Select(c => new CategoricalColumn(c)).ToArray();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        int row = 0;
        while (r.Read())
        {
            var id = Integer(r.Get(ik), r, key);
            if (!index.TryAdd(id, row)) continue; // first row of a duplicated id wins
            for (int j = 0; j < columns.Length; j++) cols[j].Add(map(columns[j], r.GetOptional(idx[j]), r), r.Position);
            row++;
        }
        return new Side(index, cols);
    }

    static string? UserValue(Dictionary<string, Dictionary<string, int>> rangeCodes, string column, string? value, DelimitedReader r)
    {
        if (rangeCodes.TryGetValue(column, out var codes))
        {
            if (value is null) return null;
            if (!codes.TryGetValue(value, out var code))
            {
                code = codes.Values.Max() + 1; // a value the reference's map lacks: next free code (documented deviation)
                codes[value] = code;
            }
            return code.ToString(CultureInfo.InvariantCulture);
        }
        if (column.StartsWith("onehot_feat", StringComparison.Ordinal) && value is null)
            return OneHotFill[int.Parse(column["onehot_feat".Length..], CultureInfo.InvariantCulture)].ToString(CultureInfo.InvariantCulture);
        return value is null ? null : Integer(value, r, column);
    }

    static string? VideoValue(string column, string? value, DelimitedReader r) => column switch
    {
        "video_type" => value switch
        {
            "NORMAL" => "0",
            "AD" => "1",
            "UNKNOWN" or null => "2",
            _ => throw r.Error(column, $"'{value}' is not NORMAL, AD or UNKNOWN"),
        },
        "visible_status" => value is null ? "2" : Integer(value, r, column),
        _ => value is null ? "0" : Integer(value, r, column), // server_width, server_height
    };

    /// <summary>An integral value as canonical text ("1.0" → "1"), like the reference's cast to int.</summary>
    static string Integer(string value, DelimitedReader r, string field)
    {
        if (long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l)) return l.ToString(CultureInfo.InvariantCulture);
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
            return ((long)Math.Truncate(d)).ToString(CultureInfo.InvariantCulture);
        throw r.Error(field, value.Length == 0 ? "value is missing" : $"'{value}' is not a number");
    }
}
