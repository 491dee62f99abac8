using System.Globalization;
using System.Text;
using Msr.Core.Features;

namespace Msr.Core.Data.MovieLens;

/// <summary>Shared MovieLens layout (spec §3.1).</summary>
static class MovieLensLayout
{
    /// <summary>The benchmark's three age scenarios.</summary>
    public static ScenarioRule AgeScenarios { get; } = ScenarioRule.Groups("age",
    [
        ("age<25 {1,18}", ["1", "18"]),
        ("age 25-34 {25}", ["25"]),
        ("age>=35 {35,45,50,56}", ["35", "45", "50", "56"]),
    ]);

    /// <summary>The sparse inputs, in model order.</summary>
    public static IReadOnlyList<string> SparseColumns { get; } = ["user_id", "movie_id", "gender", "occupation", "zip", "cate_id"];

    /// <summary>
    /// The layout; <paramref name="history"/> &gt; 0 adds <c>hist_movie_id</c>, the user's last movies before each rating,
    /// and <c>history_attributes=cate_id</c> adds <c>hist_cate_id</c>, the first genres of those movies, position by position.
    /// </summary>
    public static TableLayout Layout(HistoryOptions history) => new(
        [.. SparseColumns.Select(c => new SparseInput(c))],
        [new DenseInput("age_value")],
        "label",
        AgeScenarios,
        history.Inputs("user_id", "movie_id", "timestamp"),
        User: "user_id");

    /// <summary>The options of both variants: the encoder's and the history feature's.</summary>
    public static IReadOnlyList<DatasetOption> Options { get; } = [.. EncodingOptions.Declared, .. HistoryOptions.Declared];

    /// <summary>What <c>history_attributes</c> cannot build (the item column is <c>movie_id</c>); empty when all is well.</summary>
    public static IReadOnlyList<string> OptionProblems(Settings s) => HistoryOptions.From(s).Problems("movie_id", SparseColumns);

    public static ProtocolDefaults Defaults { get; } = new(BatchSize: 4096, Patience: 4, StepLrStepSize: 2, StepLrGamma: 0.85, ModelPreset: "movielens");

    /// <summary>The raw columns every MovieLens variant fills.</summary>
    public sealed class Columns(RawTable t)
    {
        public CategoricalColumn User { get; } = t.AddCategorical("user_id");
        public CategoricalColumn Movie { get; } = t.AddCategorical("movie_id");
        public CategoricalColumn Gender { get; } = t.AddCategorical("gender");
        public CategoricalColumn Occupation { get; } = t.AddCategorical("occupation");
        public CategoricalColumn Zip { get; } = t.AddCategorical("zip");
        public CategoricalColumn Category { get; } = t.AddCategorical("cate_id");
        public CategoricalColumn Age { get; } = t.AddCategorical("age");
        public NumericColumn AgeValue { get; } = t.AddNumeric("age_value");
        public NumericColumn Label { get; } = t.AddNumeric("label");
        public NumericColumn Timestamp { get; } = t.AddNumeric("timestamp");
    }

    public sealed record User(string Gender, string Age, string Occupation, string Zip);

    /// <summary>The names a variant's rating file uses in error messages.</summary>
    public sealed record RatingFileNames(string UserField, string ItemField, string ItemNoun, string UsersFile, string ItemsFile);

    /// <summary>
    /// Streams a ratings file (user, item, rating, timestamp) into a raw table, joining each row with its
    /// user's attributes and its item's first genre; rating &gt; 3 is a click.
    /// </summary>
    public static RawTable ReadRatings(string path, DelimitedFormat format, IReadOnlyDictionary<string, User> users,
        IReadOnlyDictionary<string, string?> genres, RatingFileNames names)
    {
        var table = new RawTable();
        var c = new Columns(table);
        table.Sources.Add(path);
        using var r = DelimitedReader.Open(path, format, minFields: 4);
        while (r.Read())
        {
            var at = r.Position;
            var userId = r.Get(0);
            var itemId = r.Get(1);
            var rating = r.GetLong(2, "rating");
            if (!users.TryGetValue(userId, out var u)) throw r.Error(names.UserField, $"user {userId} is not in {names.UsersFile}");
            if (!genres.TryGetValue(itemId, out var genre)) throw r.Error(names.ItemField, $"{names.ItemNoun} {itemId} is not in {names.ItemsFile}");
            c.User.Add(userId, at);
            c.Movie.Add(itemId, at);
            c.Gender.Add(u.Gender, at);
            c.Occupation.Add(u.Occupation, at);
            c.Zip.Add(u.Zip, at);
            c.Category.Add(genre, at);
            c.Age.Add(u.Age, at);
            c.AgeValue.Add(double.Parse(u.Age, CultureInfo.InvariantCulture));
            c.Label.Add(rating > 3 ? 1 : 0);
            c.Timestamp.Add(r.GetLong(3, "timestamp"));
        }
        return table;
    }

    /// <summary>
    /// Streams the benchmark's merged ML-1M CSV (one row per rating, user and movie columns already joined; header
    /// names the columns, <c>title</c> is not read) into a raw table: first genre as <c>cate_id</c>, rating &gt; 3 a click.
    /// </summary>
    public static RawTable ReadMerged(string path)
    {
        var table = new RawTable();
        var c = new Columns(table);
        table.Sources.Add(path);
        using var r = DelimitedReader.Open(path, DelimitedFormat.Csv);
        int user = r.Column("user_id"), movie = r.Column("movie_id"), rating = r.Column("rating"), time = r.Column("timestamp"),
            genres = r.Column("genres"), gender = r.Column("gender"), age = r.Column("age"), occupation = r.Column("occupation"),
            zip = r.Column("zip");
        while (r.Read())
        {
            var at = r.Position;
            c.User.Add(r.GetOptional(user), at);
            c.Movie.Add(r.GetOptional(movie), at);
            c.Gender.Add(r.GetOptional(gender), at);
            c.Occupation.Add(r.GetOptional(occupation), at);
            c.Zip.Add(r.GetOptional(zip), at);
            var g = r.Get(genres);
            c.Category.Add(g.Length == 0 ? null : g.Split('|')[0], at);
            var years = r.GetLong(age, "age");
            c.Age.Add(years.ToString(CultureInfo.InvariantCulture), at);
            c.AgeValue.Add(years);
            c.Label.Add(r.GetLong(rating, "rating") > 3 ? 1 : 0);
            c.Timestamp.Add(r.GetLong(time, "timestamp"));
        }
        if (table.RowCount == 0) throw new DataFormatException(path, r.Line + 1, null, "no data rows after the header");
        return table;
    }

    /// <summary>The ML-1M age code of a raw age in years: &lt;18 → 1, 18-24 → 18, 25-34 → 25, 35-44 → 35, 45-49 → 45, 50-55 → 50, 56+ → 56.</summary>
    public static int AgeBin(long years) => years switch
    {
        < 18 => 1,
        < 25 => 18,
        < 35 => 25,
        < 45 => 35,
        < 50 => 45,
        < 56 => 50,
        _ => 56,
    };
}

/// <summary>
/// MovieLens-1M from its original files (<c>ratings.dat</c>, <c>users.dat</c>, <c>movies.dat</c>; '::'-separated,
/// ISO-8859-1), or from the benchmark's merged <c>ml-1m.csv</c> (ratings ⋈ movies ⋈ users, header
/// <c>user_id,movie_id,rating,timestamp,title,genres,gender,age,occupation,zip</c>; spec §3.1) when the path is that
/// file or a folder with it and without <c>ratings.dat</c>. Rows keep the order of the ratings file (or of the merged
/// file, which is what the reference's split permutes). Scenarios: age groups {1,18}, {25}, {35,45,50,56}. Sparse:
/// user_id, movie_id, gender, occupation, zip, cate_id (first genre); dense: age (MinMax); label: rating &gt; 3.
/// Options: <c>history=L</c> adds the sequence
/// feature <c>hist_movie_id</c> (the user's last L movies rated strictly before, <c>history_clicks_only</c> keeps
/// only ratings &gt; 3), <c>history_attributes=cate_id</c> adds <c>hist_cate_id</c> aligned with it, plus the encoder options (<c>encoder</c>, <c>min_freq</c>, <c>split_seed</c>, <c>embedding_dim</c>).
/// </summary>
public sealed class MovieLens1MLoader : IDatasetLoader
{
    public string Name => "movielens";
    public string Description => "MovieLens-1M (ratings.dat, users.dat, movies.dat; or the benchmark's merged ml-1m.csv); 3 age scenarios, label rating>3";
    static readonly string[] Ratings = ["ratings.dat"], Users = ["users.dat"], Movies = ["movies.dat"];

    public IReadOnlyList<string> ExpectedFiles => ["ratings.dat", "users.dat", "movies.dat"];
    public ProtocolDefaults Defaults => MovieLensLayout.Defaults;
    public IReadOnlyList<DatasetOption> Options => MovieLensLayout.Options;
    public IReadOnlyList<string> OptionProblems(Settings options) => MovieLensLayout.OptionProblems(options);

    public IReadOnlyList<string> MissingFiles(DatasetRequest request) => MergedFile(request) is not null
        ? []
        : LoaderSupport.MissingFiles(request, Name, fileAccepted: false, [Ratings, Users, Movies], "or the benchmark's merged ml-1m.csv");

    public ScenarioDataset Load(DatasetRequest request)
    {
        var options = EncodingOptions.From(request.Options);
        var history = HistoryOptions.From(request.Options);
        request.Options.EnsureAllUsed("dataset 'movielens'");
        history.Check(Name, "movie_id", MovieLensLayout.SparseColumns);
        var layout = MovieLensLayout.Layout(history);
        if (MergedFile(request) is { } merged)
            return DatasetEncoder.Encode("movielens", MovieLensLayout.ReadMerged(merged), layout, options);
        var folder = LoaderSupport.Folder(request, Name);
        var format = new DelimitedFormat("::", HasHeader: false, Quoted: false, Encoding: Encoding.Latin1);

        var users = new Dictionary<string, MovieLensLayout.User>(StringComparer.Ordinal);
        using (var r = DelimitedReader.Open(LoaderSupport.File(folder, Users), format, minFields: 5))
            while (r.Read())
            {
                r.GetLong(2, "age");
                users[r.Get(0)] = new(r.Get(1), r.Get(2), r.Get(3), r.Get(4));
            }

        var genres = new Dictionary<string, string?>(StringComparer.Ordinal);
        using (var r = DelimitedReader.Open(LoaderSupport.File(folder, Movies), format, minFields: 3))
            while (r.Read())
            {
                // Title may in principle contain the separator: id is the first field and genres the last.
                var g = r.Get(r.FieldCount - 1);
                genres[r.Get(0)] = g.Length == 0 ? null : g.Split('|')[0];
            }

        var table = MovieLensLayout.ReadRatings(LoaderSupport.File(folder, Ratings), format, users, genres,
            new("UserID", "MovieID", "movie", "users.dat", "movies.dat"));
        return DatasetEncoder.Encode("movielens", table, layout, options);
    }

    /// <summary>The merged CSV to read: the path itself when it is a <c>.csv</c> file, else <c>ml-1m.csv</c> in a folder without <c>ratings.dat</c>.</summary>
    static string? MergedFile(DatasetRequest request)
    {
        if (request.Path is not { } path) return null;
        if (File.Exists(path)) return path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? path : null;
        if (!Directory.Exists(path) || File.Exists(Path.Combine(path, "ratings.dat"))) return null;
        var merged = Path.Combine(path, "ml-1m.csv");
        return File.Exists(merged) ? merged : null;
    }
}

/// <summary>
/// MovieLens-100K from its original files (<c>u.data</c> tab-separated, <c>u.user</c> and <c>u.item</c> '|'-separated,
/// ISO-8859-1). Same layout as ML-1M. ML-100K stores ages in years; they are mapped to the ML-1M age codes
/// (&lt;18 → 1, 18-24 → 18, 25-34 → 25, 35-44 → 35, 45-49 → 45, 50-55 → 50, 56+ → 56) so the same age scenarios apply,
/// and the dense age input is that code. <c>cate_id</c> is the first genre flagged in u.item (genre order of u.genre).
/// </summary>
public sealed class MovieLens100KLoader : IDatasetLoader
{
    static readonly string[] GenreNames =
    [
        "unknown", "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama", "Fantasy",
        "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western",
    ];

    public string Name => "movielens-100k";
    public string Description => "MovieLens-100K (u.data, u.user, u.item); ages binned as ML-1M, 3 age scenarios, label rating>3";
    static readonly string[] Ratings = ["u.data"], Users = ["u.user"], Items = ["u.item"];

    public IReadOnlyList<string> ExpectedFiles => ["u.data", "u.user", "u.item"];
    public ProtocolDefaults Defaults => MovieLensLayout.Defaults;
    public IReadOnlyList<DatasetOption> Options => MovieLensLayout.Options;
    public IReadOnlyList<string> OptionProblems(Settings options) => MovieLensLayout.OptionProblems(options);
    public IReadOnlyList<string> MissingFiles(DatasetRequest request) =>
        LoaderSupport.MissingFiles(request, Name, fileAccepted: false, [Ratings, Users, Items]);

    public ScenarioDataset Load(DatasetRequest request)
    {
        var options = EncodingOptions.From(request.Options);
        var history = HistoryOptions.From(request.Options);
        request.Options.EnsureAllUsed("dataset 'movielens-100k'");
        history.Check(Name, "movie_id", MovieLensLayout.SparseColumns);
        var folder = LoaderSupport.Folder(request, Name);
        var pipe = new DelimitedFormat("|", HasHeader: false, Quoted: false, Encoding: Encoding.Latin1);

        var users = new Dictionary<string, MovieLensLayout.User>(StringComparer.Ordinal);
        using (var r = DelimitedReader.Open(LoaderSupport.File(folder, Users), pipe, minFields: 5))
            while (r.Read())
            {
                var bin = MovieLensLayout.AgeBin(r.GetLong(1, "age"));
                users[r.Get(0)] = new(r.Get(2), bin.ToString(CultureInfo.InvariantCulture), r.Get(3), r.Get(4));
            }

        var genres = new Dictionary<string, string?>(StringComparer.Ordinal);
        using (var r = DelimitedReader.Open(LoaderSupport.File(folder, Items), pipe, minFields: 5 + GenreNames.Length))
            while (r.Read())
            {
                string? first = null;
                int flags0 = r.FieldCount - GenreNames.Length;
                for (int g = 0; g < GenreNames.Length && first is null; g++)
                {
                    var flag = r.GetLong(flags0 + g, $"genre {GenreNames[g]}");
                    if (flag == 1) first = GenreNames[g];
                }
                genres[r.Get(0)] = first;
            }

        var table = MovieLensLayout.ReadRatings(LoaderSupport.File(folder, Ratings), DelimitedFormat.HeaderlessTsv, users, genres,
            new("user id", "item id", "item", "u.user", "u.item"));
        return DatasetEncoder.Encode("movielens-100k", table, MovieLensLayout.Layout(history), options);
    }
}
