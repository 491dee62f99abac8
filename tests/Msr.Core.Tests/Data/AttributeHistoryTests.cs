using System.Globalization;
using System.Security.Cryptography;
using Msr.Core.Data;
using Msr.Core.Data.MovieLens;
using Msr.Core.Data.Synthetic;
using Msr.Core.Features;
using Xunit;

namespace Msr.Core.Tests.Data;

/// <summary>
/// <c>history_attributes</c>: attribute histories (<c>hist_cate_id</c>) aligned position by position with the item history
/// (<c>hist_movie_id</c>), on MovieLens, KuaiRand, MIND and the synthetic generator; the option's errors; the cache.
/// </summary>
public sealed class AttributeHistoryTests
{
    static Settings Options(params (string Key, string Value)[] kv) => new(kv.Select(p => KeyValuePair.Create(p.Key, p.Value)));

    static long[] Column(ScenarioDataset ds, string name)
    {
        int j = ds.Schema.SparseFeatures.Select(f => f.Name).ToList().IndexOf(name);
        Assert.True(j >= 0, $"no sparse feature {name}");
        using var ids = ds.SparseIds();
        using var column = ids.select(1, j).contiguous();
        return column.data<long>().ToArray();
    }

    static long[] Sequence(ScenarioDataset ds, string name) => ds.Sequences[name].data<long>().ToArray();

    /// <summary>
    /// The histories written out from their definition, independently of <see cref="BehaviorSequences"/>: for row r, the
    /// same user's rows strictly earlier in time (clicked ones only if asked), ordered by (time, row), the last
    /// <paramref name="length"/> of them, <paramref name="values"/> + 1, right-aligned.
    /// </summary>
    static long[] Expected(long[] users, double[] times, long[] values, float[] labels, int length, bool clicksOnly)
    {
        int n = users.Length;
        var result = new long[n * length];
        var byUser = Enumerable.Range(0, n).GroupBy(r => users[r]).ToDictionary(g => g.Key, g => g.ToArray());
        for (int r = 0; r < n; r++)
        {
            var earlier = byUser[users[r]].Where(p => times[p] < times[r] && (!clicksOnly || labels[p] == 1))
                .OrderBy(p => times[p]).ThenBy(p => p).ToArray();
            var last = earlier[Math.Max(0, earlier.Length - length)..];
            for (int j = 0; j < last.Length; j++) result[r * length + length - last.Length + j] = values[last[j]] + 1;
        }
        return result;
    }

    /// <summary>Every non-zero position of the attribute history is the attribute of the item at that position, + 1; zeros coincide.</summary>
    static void AssertAligned(long[] itemHistory, long[] attributeHistory, long[] items, long[] attributes)
    {
        var attributeOf = new Dictionary<long, long>();
        for (int r = 0; r < items.Length; r++)
        {
            if (attributeOf.TryGetValue(items[r], out var a)) Assert.Equal(a, attributes[r]); // the attribute is a function of the item
            else attributeOf[items[r]] = attributes[r];
        }
        Assert.Equal(itemHistory.Length, attributeHistory.Length);
        for (int k = 0; k < itemHistory.Length; k++)
        {
            if (itemHistory[k] == 0) Assert.Equal(0, attributeHistory[k]);
            else Assert.Equal(attributeOf[itemHistory[k] - 1] + 1, attributeHistory[k]);
        }
    }

    /// <summary>The timestamps of a ratings.dat, in file order (every MovieLens row survives the age scenarios).</summary>
    static double[] RatingTimes(string ratingsFile, char separator = ':', int field = 3) =>
        [.. File.ReadLines(ratingsFile).Where(l => l.Length > 0)
            .Select(l => double.Parse(separator == ':' ? l.Split("::")[field] : l.Split(separator)[field], CultureInfo.InvariantCulture))];

    // ---- MovieLens ----

    [Fact]
    public void MovieLens_category_history_holds_the_categories_of_the_history_movies_position_by_position()
    {
        // User 1 rates, in time order, movies 1 (Comedy), 2 (Drama), 3 (Action), 4 (Comedy); the file is not in time order.
        // cate_id encodes Action 0, Comedy 1, Drama 2; movie_id 1..4 → 0..3. A shift by one position would read
        // Drama where Comedy is, and so on.
        using var dir = new TempDir();
        dir.Write("users.dat", "1::F::1::10::48067\n2::M::25::16::70072\n3::M::35::15::55117\n");
        dir.Write("movies.dat", "1::A (1995)::Comedy|Drama\n2::B (1995)::Drama\n3::C (1990)::Action\n4::D (1991)::Comedy\n");
        dir.Write("ratings.dat", "1::3::5::300\n1::1::2::100\n1::4::4::400\n1::2::5::200\n2::1::4::50\n3::2::2::10\n");
        using var ds = DatasetRegistry.Load("movielens", dir.Path, Options(("history", "3"), ("history_attributes", "cate_id")));

        Assert.Equal(["hist_movie_id", "hist_cate_id"], ds.Schema.SequenceFeatures.Select(f => f.Name));
        var cate = ds.Schema.SequenceFeatures[1];
        Assert.Equal((4, 3), (cate.Vocabulary, cate.SequenceLength)); // 3 categories + 1
        Assert.Equal([5, 4], ds.Schema.SequenceFeatures.Select(f => f.Vocabulary)); // 4 movies + 1

        var movies = Sequence(ds, "hist_movie_id");
        var cates = Sequence(ds, "hist_cate_id");
        // Rows in file order: (1,3,t300), (1,1,t100), (1,4,t400), (1,2,t200), (2,1), (3,2).
        Assert.Equal([0L, 1, 2], movies[0..3]);          // t300: movies 1, 2
        Assert.Equal([0L, 1 + 1, 2 + 1], cates[0..3]);   // Comedy, Drama
        Assert.Equal([0L, 0, 0], movies[3..6]);          // t100: nothing before
        Assert.Equal([0L, 0, 0], cates[3..6]);
        Assert.Equal([1L, 2, 3], movies[6..9]);          // t400: movies 1, 2, 3
        Assert.Equal([1L + 1, 2 + 1, 0 + 1], cates[6..9]); // Comedy, Drama, Action
        Assert.Equal([0L, 0, 1], movies[9..12]);         // t200: movie 1
        Assert.Equal([0L, 0, 1 + 1], cates[9..12]);      // Comedy
        Assert.Equal(new long[6], cates[12..18]);        // users 2 and 3: one rating each
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MovieLens_attribute_history_equals_its_definition_and_is_aligned_with_the_item_history(bool clicksOnly)
    {
        using var dir = new TempDir();
        MovieLensFileWriter.Write(dir.Path, 4000, seed: 7, users: 50, movies: 120);
        const int length = 6;
        using var ds = DatasetRegistry.Load("movielens", dir.Path,
            Options(("history", $"{length}"), ("history_clicks_only", clicksOnly ? "true" : "false"), ("history_attributes", "cate_id")));
        var users = Column(ds, "user_id");
        var items = Column(ds, "movie_id");
        var categories = Column(ds, "cate_id");
        var times = RatingTimes(Path.Combine(dir.Path, "ratings.dat"));
        var labels = ds.Label.data<float>().ToArray();
        Assert.Equal(ds.Count, times.Length);

        var movieHistory = Sequence(ds, "hist_movie_id");
        var cateHistory = Sequence(ds, "hist_cate_id");
        Assert.Equal(Expected(users, times, items, labels, length, clicksOnly), movieHistory);
        Assert.Equal(Expected(users, times, categories, labels, length, clicksOnly), cateHistory);
        AssertAligned(movieHistory, cateHistory, items, categories);
        Assert.Contains(cateHistory, v => v == 0);
        Assert.True(cateHistory.Count(v => v != 0) > ds.Count, "most histories are full");
        // The fixture's histories mix categories, so a history shifted by one position would differ.
        Assert.Contains(Enumerable.Range(0, (int)ds.Count), r => cateHistory[r * length + length - 1] != cateHistory[r * length + length - 2]
            && cateHistory[r * length + length - 2] != 0);
    }

    [Fact]
    public void MovieLens_100K_attribute_history_in_train_only_mode_keeps_the_zeros_of_the_item_history()
    {
        using var dir = new TempDir();
        MovieLensTests.WriteMl100K(dir);
        var rng = new Random(3);
        File.AppendAllLines(Path.Combine(dir.Path, "u.data"),
            Enumerable.Range(0, 400).Select(i => $"{1 + i % 4}\t{1 + rng.Next(3)}\t{1 + rng.Next(5)}\t{881250949 + rng.Next(50)}"));
        using var ds = DatasetRegistry.Load("movielens-100k", dir.Path,
            Options(("history", "5"), ("history_attributes", "[cate_id]"), ("encoder", "train-only")));
        AssertAligned(Sequence(ds, "hist_movie_id"), Sequence(ds, "hist_cate_id"), Column(ds, "movie_id"), Column(ds, "cate_id"));
    }

    [Fact]
    public void Real_MovieLens_100K_category_history_is_aligned_and_equals_its_definition()
    {
        var folder = TestData.SharedData("movielens-100k");
        if (folder is null) return; // real data absent (fresh clone): nothing to check
        const int length = 20;
        using var ds = DatasetRegistry.Load("movielens-100k", folder, Options(("history", $"{length}"), ("history_attributes", "cate_id")));
        var items = Column(ds, "movie_id");
        var categories = Column(ds, "cate_id");
        var cateHistory = Sequence(ds, "hist_cate_id");
        AssertAligned(Sequence(ds, "hist_movie_id"), cateHistory, items, categories);
        var times = RatingTimes(Path.Combine(folder, "u.data"), '\t');
        Assert.Equal(ds.Count, times.Length);
        Assert.Equal(Expected(Column(ds, "user_id"), times, categories, ds.Label.data<float>().ToArray(), length, false), cateHistory);
        Assert.Equal(ds.Schema.SparseFeatures.First(f => f.Name == "cate_id").Vocabulary + 1,
            ds.Schema.SequenceFeatures.First(f => f.Name == "hist_cate_id").Vocabulary);
    }

    // ---- KuaiRand and MIND ----

    [Fact]
    public void KuaiRand_raw_video_attribute_history_is_aligned_with_the_video_history()
    {
        using var dir = new TempDir();
        var (path, _) = Fixtures.Write("kuairand-raw", dir);
        // The fixture's log rows share one time_ms: give them distinct, shuffled times.
        var log = Path.Combine(dir.Path, "log_standard_4_22_to_5_08_1k.csv");
        var lines = File.ReadAllLines(log);
        var header = lines[0].Split(',').ToList();
        int time = header.IndexOf("time_ms");
        var rng = new Random(5);
        for (int i = 1; i < lines.Length; i++)
        {
            var fields = lines[i].Split(',');
            fields[time] = (1650608400000L + rng.Next(100_000)).ToString(CultureInfo.InvariantCulture);
            lines[i] = string.Join(',', fields);
        }
        File.WriteAllLines(log, lines);
        using var ds = DatasetRegistry.Load("kuairand-raw", path,
            Options(("history", "4"), ("history_attributes", "server_width,video_type")));
        Assert.Equal(["hist_video_id", "hist_server_width", "hist_video_type"], ds.Schema.SequenceFeatures.Select(f => f.Name));
        var videos = Sequence(ds, "hist_video_id");
        Assert.Contains(videos, v => v != 0);
        foreach (var attribute in new[] { "server_width", "video_type" })
            AssertAligned(videos, Sequence(ds, $"hist_{attribute}"), Column(ds, "video_id"), Column(ds, attribute));
    }

    [Fact]
    public void Mind_raw_subcategory_history_is_aligned_with_the_news_history()
    {
        using var dir = new TempDir();
        RawFormatLoaderTests.WriteMind(dir);
        using var ds = DatasetRegistry.Load("mind-raw", dir.Path, Options(("top_k", "3"), ("history", "3"), ("history_attributes", "SubCategory")));
        var news = Sequence(ds, "hist_News_ID");
        Assert.Equal([0L, 1, 2], news[15..18]); // as MindRaw_history_holds_news_of_strictly_earlier_impressions
        AssertAligned(news, Sequence(ds, "hist_SubCategory"), Column(ds, "News_ID"), Column(ds, "SubCategory"));
    }

    // ---- errors ----

    public static TheoryData<string, string, string> Errors => new()
    {
        { "movielens-100k", "history_attributes=cate_id",
          "dataset 'movielens-100k': option 'history_attributes': [cate_id] needs history=L with L > 0 (attribute histories are aligned with the item history hist_movie_id, which history=L adds)" },
        { "movielens", "history=5;history_attributes=genre",
          "dataset 'movielens': option 'history_attributes': 'genre' is not a sparse column of this dataset; columns that can be used: user_id, gender, occupation, zip, cate_id" },
        { "movielens", "history=5;history_attributes=movie_id",
          "dataset 'movielens': option 'history_attributes': 'movie_id' is the item column, whose history hist_movie_id history=L adds already; columns that can be used: user_id, gender, occupation, zip, cate_id" },
        { "movielens-100k", "history=5;history_attributes=cate_id,cate_id",
          "dataset 'movielens-100k': option 'history_attributes': 'cate_id' is named 2 times in [cate_id,cate_id]; name each column once" },
        { "mind-raw", "history=5;history_source=behaviors;history_attributes=SubCategory",
          "dataset 'mind-raw': option 'history_attributes': [SubCategory] needs history_source=impressions (the default); history_source=behaviors reads MIND's listed histories, which have no attribute histories" },
        { "mind-raw", "history=5;history_attributes=Category",
          "dataset 'mind-raw': option 'history_attributes': 'Category' is not a sparse column of this dataset; columns that can be used: User_ID, SubCategory" },
        { "kuairand-raw", "history=5;history_attributes=video_kind",
          "dataset 'kuairand-raw': option 'history_attributes': 'video_kind' is not a sparse column of this dataset; columns that can be used: " +
          string.Join(", ", Msr.Core.Data.KuaiRand.KuaiRandLoader.SparseColumns.Where(c => c != "video_id")) },
        { "synthetic", "extra_fields=3;history=5;history_attributes=item_attr2",
          "dataset 'synthetic': option 'history_attributes': 'item_attr2' is not a sparse column of this dataset; columns that can be used: user_id, user_attr1, item_attr1, user_attr2" },
        { "synthetic", "history_attributes=item_attr1",
          "dataset 'synthetic': option 'history_attributes': [item_attr1] needs history=L with L > 0 (attribute histories are aligned with the item history hist_item_id, which history=L adds)" },
    };

    static KeyValuePair<string, string>[] Pairs(string options) =>
        [.. options.Split(';').Select(o => o.Split('=', 2)).Select(kv => KeyValuePair.Create(kv[0], kv[1]))];

    [Theory]
    [MemberData(nameof(Errors))]
    public void A_bad_history_attributes_option_is_an_error_naming_it_before_any_file_is_read(string dataset, string options, string message)
    {
        // The path does not exist: the option is checked first.
        var e = Assert.Throws<ArgumentException>(() => DatasetRegistry.Load(dataset, "/nonexistent/msr-data", new Settings(Pairs(options))));
        Assert.Equal(message, e.Message);
    }

    [Theory]
    [MemberData(nameof(Errors))]
    public void A_plan_check_reports_the_same_problem_without_loading(string dataset, string options, string message)
    {
        var problems = DatasetOptionCheck.Problems(DatasetRegistry.Get(dataset), Pairs(options));
        Assert.Equal($"dataset '{dataset}': {Assert.Single(problems)}", message);
    }

    [Fact]
    public void Several_problems_are_listed_together_and_valid_options_have_none()
    {
        var e = Assert.Throws<ArgumentException>(() => DatasetRegistry.Load("movielens", "/nonexistent/msr-data",
            Options(("history_attributes", "movie_id,genre,genre"))));
        Assert.Equal("dataset 'movielens': option 'history_attributes': [movie_id,genre,genre] needs history=L with L > 0 (attribute histories are aligned " +
            "with the item history hist_movie_id, which history=L adds); option 'history_attributes': 'genre' is named 2 times in [movie_id,genre,genre]; " +
            "name each column once; option 'history_attributes': 'movie_id' is the item column, whose history hist_movie_id history=L adds already; " +
            "columns that can be used: user_id, gender, occupation, zip, cate_id; option 'history_attributes': 'genre' is not a sparse column of this " +
            "dataset; columns that can be used: user_id, gender, occupation, zip, cate_id", e.Message);

        Assert.Empty(DatasetOptionCheck.Problems(DatasetRegistry.Get("movielens"), Pairs("history=5;history_attributes=cate_id")));
        Assert.Empty(DatasetOptionCheck.Problems(DatasetRegistry.Get("movielens"), Pairs("history_attributes=[]")));
        Assert.Empty(DatasetOptionCheck.Problems(DatasetRegistry.Get("synthetic"), Pairs("history=5;history_attributes=item_attr1,item_attr2")));
        // A bad value on its own is reported as such, without follow-on problems of the combination.
        Assert.Equal(["option 'history': 'x' is not an integer"],
            DatasetOptionCheck.Problems(DatasetRegistry.Get("movielens"), Pairs("history=x;history_attributes=cate_id")));
        // Loaders without a timestamped log do not take the option.
        Assert.Contains("unknown option 'history_attributes'", Assert.Single(DatasetOptionCheck.Problems(DatasetRegistry.Get("kuairand"), Pairs("history_attributes=a"))));
    }

    // ---- synthetic ----

    [Fact]
    public void Synthetic_histories_have_their_shapes_vocabularies_and_definition()
    {
        const int rows = 3000, length = 7;
        var o = new SyntheticOptions(Rows: rows, Users: 40, Items: 60, ExtraFields: 4, FieldCardinality: 5, Seed: 5,
            History: new HistoryOptions(length, false, ["item_attr1", "item_attr2", "user_attr1"]));
        using var ds = SyntheticDataset.Generate(o);
        Assert.Equal(["hist_item_id", "hist_item_attr1", "hist_item_attr2", "hist_user_attr1"], ds.Schema.SequenceFeatures.Select(f => f.Name));
        Assert.Equal([61, 6, 6, 6], ds.Schema.SequenceFeatures.Select(f => f.Vocabulary));
        Assert.All(ds.Schema.SequenceFeatures, f => Assert.Equal(length, f.SequenceLength));
        Assert.All(ds.Sequences.Values, s => Assert.Equal([(long)rows, length], s.shape));

        var users = Column(ds, "user_id");
        var items = Column(ds, "item_id");
        var times = Enumerable.Range(0, rows).Select(r => (double)r).ToArray();
        var labels = ds.Label.data<float>().ToArray();
        var itemHistory = Sequence(ds, "hist_item_id");
        Assert.Equal(Expected(users, times, items, labels, length, false), itemHistory);
        foreach (var attribute in new[] { "item_attr1", "item_attr2" })
        {
            Assert.Equal(Expected(users, times, Column(ds, attribute), labels, length, false), Sequence(ds, $"hist_{attribute}"));
            AssertAligned(itemHistory, Sequence(ds, $"hist_{attribute}"), items, Column(ds, attribute)); // a function of the item
        }
        // A user attribute's history is the user's own value at every filled position.
        var userAttribute = Column(ds, "user_attr1");
        var userHistory = Sequence(ds, "hist_user_attr1");
        for (int k = 0; k < userHistory.Length; k++)
            Assert.Equal(itemHistory[k] == 0 ? 0 : userAttribute[k / length] + 1, userHistory[k]);
    }

    [Fact]
    public void Synthetic_clicks_only_histories_hold_only_earlier_clicks_aligned()
    {
        const int rows = 2000, length = 4;
        using var ds = DatasetRegistry.Load("synthetic", options: Options(("rows", $"{rows}"), ("users", "30"), ("items", "50"),
            ("history", $"{length}"), ("history_clicks_only", "true"), ("history_attributes", "item_attr1")));
        var users = Column(ds, "user_id");
        var items = Column(ds, "item_id");
        var times = Enumerable.Range(0, rows).Select(r => (double)r).ToArray();
        var labels = ds.Label.data<float>().ToArray();
        Assert.Equal(Expected(users, times, items, labels, length, true), Sequence(ds, "hist_item_id"));
        Assert.Equal(Expected(users, times, Column(ds, "item_attr1"), labels, length, true), Sequence(ds, "hist_item_attr1"));
        AssertAligned(Sequence(ds, "hist_item_id"), Sequence(ds, "hist_item_attr1"), items, Column(ds, "item_attr1"));
    }

    [Fact]
    public void Synthetic_histories_are_deterministic_and_leave_every_other_tensor_as_without_them()
    {
        var plain = new SyntheticOptions(Rows: 3000, Seed: 5);
        var withHistory = plain with { History = new HistoryOptions(5, true, ["item_attr1"]) };
        using var a = SyntheticDataset.Generate(withHistory);
        using var b = SyntheticDataset.Generate(withHistory);
        using var c = SyntheticDataset.Generate(plain);
        foreach (var name in a.Sequences.Keys) Assert.Equal(Sequence(a, name), Sequence(b, name));
        Assert.Equal(c.SparseIds().data<long>().ToArray(), a.SparseIds().data<long>().ToArray());
        Assert.Equal(c.Dense.data<float>().ToArray(), a.Dense.data<float>().ToArray());
        Assert.Equal(c.Scenario.data<long>().ToArray(), a.Scenario.data<long>().ToArray());
        Assert.Equal(c.Label.data<float>().ToArray(), a.Label.data<float>().ToArray());
        Assert.Equal(c.Schema.Features, a.Schema.Features.Where(f => f.Kind != FeatureKind.Sequence));
        Assert.Empty(c.Sequences);
        Assert.Empty(c.Schema.SequenceFeatures);
        // history=0 is no history, whatever else is given.
        using var zero = SyntheticDataset.Generate(plain with { History = new HistoryOptions(0, true) });
        Assert.Empty(zero.Sequences);
    }

    [Fact]
    public void Synthetic_output_without_the_history_options_is_the_one_recorded_before_they_existed()
    {
        // SHA-256 of the sparse (int32), dense, scenario and label bytes of Rows 3000, Seed 5, computed with the build
        // before the history options were added (2026-12-04).
        using var d = SyntheticDataset.Generate(new SyntheticOptions(Rows: 3000, Seed: 5));
        byte[] bytes = [.. d.Sparse.bytes.ToArray(), .. d.Dense.bytes.ToArray(), .. d.Scenario.bytes.ToArray(), .. d.Label.bytes.ToArray()];
        Assert.Equal("2036A34F690622549F07F99A81AC521C820DB6CA9153667CF651DCFDB52322B0", Convert.ToHexString(SHA256.HashData(bytes)));
        Assert.Equal(["user_id", "item_id", "user_attr1", "item_attr1", "user_attr2", "item_attr2", "dense1", "dense2"],
            d.Schema.Features.Select(f => f.Name));
    }

    // ---- cache ----

    [Fact]
    public void The_cache_tells_attribute_lists_apart_and_keeps_the_attribute_histories()
    {
        using var dir = new TempDir();
        var data = Path.Combine(dir.Path, "data");
        MovieLensFileWriter.Write(data, 600, seed: 2, users: 20, movies: 30);
        var cache = Path.Combine(dir.Path, "cache");
        var loader = DatasetRegistry.Get("movielens");
        string Key(params (string, string)[] options) => DatasetCache.Key(loader, new DatasetRequest(data, Options(options)));
        var keys = new[]
        {
            Key(("history", "4")),
            Key(("history", "4"), ("history_attributes", "cate_id")),
            Key(("history", "4"), ("history_attributes", "cate_id,gender")),
            Key(("history", "4"), ("history_attributes", "gender,cate_id")),
        };
        Assert.Equal(keys.Length, keys.Distinct().Count());

        Settings With() => Options(("history", "4"), ("history_attributes", "cate_id"));
        using var cold = DatasetCache.Load(loader, new DatasetRequest(data, With()), cache, out bool first);
        using var warm = DatasetCache.Load(loader, new DatasetRequest(data, With()), cache, out bool second);
        Assert.False(first);
        Assert.True(second);
        Assert.Equal(cold.Schema.Features, warm.Schema.Features);
        Assert.Equal(Sequence(cold, "hist_cate_id"), Sequence(warm, "hist_cate_id"));
        Assert.Equal(Sequence(cold, "hist_movie_id"), Sequence(warm, "hist_movie_id"));
        using var without = DatasetCache.Load(loader, new DatasetRequest(data, Options(("history", "4"))), cache, out bool third);
        Assert.False(third);
        Assert.Equal(["hist_movie_id"], without.Schema.SequenceFeatures.Select(f => f.Name));
    }
}
