using System.Globalization;
using Msr.Core.Features;

namespace Msr.Core.Data.Douban;

/// <summary>
/// Douban from the Kaggle release "Douban dataset (rating, review, side information)" (spec §3.5 offline step):
/// tab-separated files with a header, <c>users_cleaned.txt</c> (UID, living_place, join_time, …) and
/// <c>bookreviews_cleaned.txt</c> (user_id, book_id, rating, …), <c>moviereviews_cleaned.txt</c> (…, movie_id, …),
/// <c>musicreviews_cleaned.txt</c> (…, music_id, …). Item ids are made disjoint across domains (movie ids + max book id;
/// music ids + max shifted movie id); reviews are left-joined with the users (living_place, join_time; absent users
/// get missing values); label = rating &gt; 3 (3 is negative; a missing rating is negative, as in the reference);
/// <c>time_bin</c> = the month of join_time counted from April 2005 (right-closed monthly intervals between month ends
/// 2005-03-31 … 2018-03-31), missing outside that range. Then as the <c>douban</c> loader: scenarios book 0, music 1,
/// movie 2; sparse user_id, item_id, living_place, time_bin; no dense.
/// </summary>
public sealed class DoubanRawLoader : IDatasetLoader
{
    static readonly DateTime FirstEdge = new(2005, 3, 31), LastEdge = new(2018, 3, 31);

    public string Name => "douban-raw";
    public string Description => "Douban Kaggle release (users_cleaned.txt + book/movie/music reviews), processed as the benchmark's offline step";
    public IReadOnlyList<string> ExpectedFiles => ["users_cleaned.txt", "bookreviews_cleaned.txt", "moviereviews_cleaned.txt", "musicreviews_cleaned.txt"];
    public ProtocolDefaults Defaults => new DoubanLoader().Defaults;
    public IReadOnlyList<DatasetOption> Options => EncodingOptions.Declared;
    public IReadOnlyList<string> MissingFiles(DatasetRequest request) =>
        LoaderSupport.MissingFiles(request, Name, fileAccepted: false, [.. ExpectedFiles.Select(f => new[] { f })]);

    public ScenarioDataset Load(DatasetRequest request)
    {
        var options = EncodingOptions.From(request.Options);
        request.Options.EnsureAllUsed("dataset 'douban-raw'");
        var folder = LoaderSupport.Folder(request, Name);
        var tsv = new DelimitedFormat("\t", HasHeader: true, Quoted: true);

        var users = new Dictionary<string, (string? Place, string? TimeBin)>(StringComparer.Ordinal);
        using (var r = DelimitedReader.Open(LoaderSupport.File(folder, "users_cleaned.txt"), tsv))
        {
            int iu = r.Column("UID"), ip = r.Column("living_place"), ij = r.Column("join_time");
            while (r.Read()) users.TryAdd(Canonical(r.Get(iu), r, "UID"), (r.GetOptional(ip), TimeBin(r.GetOptional(ij), r)));
        }

        var table = new RawTable();
        var user = table.AddCategorical("user_id");
        var item = table.AddCategorical("item_id");
        var place = table.AddCategorical("living_place");
        var timeBin = table.AddCategorical("time_bin");
        var domain = table.AddCategorical("domain");
        var label = table.AddNumeric("rating");
        long offset = 0;
        // Offsets follow the reference's order: book, then movie, then music.
        foreach (var (name, file, itemColumn) in new[] { ("book", "bookreviews_cleaned.txt", "book_id"), ("movie", "moviereviews_cleaned.txt", "movie_id"),
                     ("music", "musicreviews_cleaned.txt", "music_id") })
        {
            var path = LoaderSupport.File(folder, file);
            table.Sources.Add(path);
            long max = long.MinValue;
            using var r = DelimitedReader.Open(path, tsv);
            int iu = r.Column("user_id"), ii = r.Column(itemColumn), ir = r.Column("rating");
            while (r.Read())
            {
                var at = r.Position;
                var u = Canonical(r.Get(iu), r, "user_id");
                var id = r.GetLong(ii, itemColumn) + offset;
                max = Math.Max(max, id);
                var rating = r.GetDouble(ir, "rating");
                users.TryGetValue(u, out var side);
                user.Add(u, at);
                item.Add(id.ToString(CultureInfo.InvariantCulture), at);
                place.Add(side.Place, at);
                timeBin.Add(side.TimeBin, at);
                domain.Add(name, at);
                label.Add(rating > 3 ? 1 : 0);
            }
            if (max != long.MinValue) offset = max;
        }
        var layout = new TableLayout([.. DoubanLoader.SparseColumns.Select(c => new SparseInput(c))], [], "rating",
            ScenarioRule.Fixed("domain", ["book", "music", "movie"], OutsideRows.Error), User: "user_id");
        return DatasetEncoder.Encode("douban", table, layout, options);
    }

    /// <summary>Integral ids as canonical text ("12.0" → "12"), other ids unchanged.</summary>
    static string Canonical(string value, DelimitedReader r, string field)
    {
        if (value.Length == 0) throw r.Error(field, "value is missing");
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d == Math.Floor(d) && Math.Abs(d) < 9e15)
            return ((long)d).ToString(CultureInfo.InvariantCulture);
        return value;
    }

    /// <summary>Index of the right-closed monthly interval (e_i, e_{i+1}] holding the join time; e_0 = 2005-03-31.</summary>
    internal static string? TimeBin(string? joinTime, DelimitedReader? r = null)
    {
        if (joinTime is null) return null;
        if (!DateTime.TryParse(joinTime, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t))
            throw r is null ? new FormatException($"'{joinTime}' is not a date") : r.Error("join_time", $"'{joinTime}' is not a date");
        if (t <= FirstEdge || t > LastEdge) return null;
        // The first month end at or after t closes t's interval.
        var monthEnd = new DateTime(t.Year, t.Month, DateTime.DaysInMonth(t.Year, t.Month));
        if (t > monthEnd) monthEnd = monthEnd.AddDays(1).AddMonths(1).AddDays(-1); // t later on the last day than midnight
        int index = (monthEnd.Year - FirstEdge.Year) * 12 + monthEnd.Month - FirstEdge.Month - 1;
        return index.ToString(CultureInfo.InvariantCulture);
    }
}
