using System.IO.Compression;
using System.Text;
using Msr.Core.Data;
using Msr.Core.Features;
using Xunit;

namespace Msr.Core.Tests.Data;

public class RawFormatLoaderTests
{
    static Settings Options(params (string Key, string Value)[] kv) => new(kv.Select(p => new KeyValuePair<string, string>(p.Key, p.Value)));

    internal static void WriteMind(TempDir dir, string sub = "")
    {
        dir.Write(Path.Combine(sub, "news.tsv"),
            "N1\tnews\tnewsus\tTitle \"quoted\tAbstract\turl\t[]\t[]\nN2\tsports\tfootball\tT\tA\tu\t[]\t[]\n" +
            "N3\tfinance\tmarkets\tT\tA\tu\t[]\t[]\nN4\tnews\tnewsworld\tT\tA\tu\t[]\t[]\nN5\tvideo\tclips\tT\tA\tu\t[]\t[]\n");
        dir.Write(Path.Combine(sub, "behaviors.tsv"),
            "1\tU1\t11/11/2019 9:05:58 AM\tN1 N2\tN1-1 N2-0 N9-0\n2\tU2\t11/12/2019 1:00:00 PM\t\tN3-0 N4-1 N2-1 N5-0\n3\tU1\t11/13/2019 1:00:00 PM\tN1\tN1-0\n");
    }

    [Fact]
    public void MindRaw_fixture_expands_impressions_and_keeps_largest_categories_by_size()
    {
        using var dir = new TempDir();
        WriteMind(dir);
        using var ds = DatasetRegistry.Load("mind-raw", dir.Path, Options(("top_k", "3")));
        // Tokens: N1 news, N2 sports, (N9 unknown, skipped), N3 finance, N4 news, N2 sports, N5 video, N1 news.
        // Sizes: news 3, sports 2, finance 1, video 1 → top-3 by size: news, sports, finance (tie broken by value order).
        Assert.Equal(["news", "sports", "finance"], ds.Schema.ScenarioNames);
        Assert.Equal([3L, 2, 1], ds.ScenarioCounts());
        Assert.Equal(6, ds.Count);
        Assert.Equal([1f, 0, 0, 1, 1, 0], ds.Label.data<float>().ToArray());
        Assert.Equal([2, 4, 4], ds.Schema.SparseFeatures.Select(f => f.Vocabulary));
    }

    [Fact]
    public void MindRaw_history_holds_news_of_strictly_earlier_impressions()
    {
        using var dir = new TempDir();
        WriteMind(dir);
        using var ds = DatasetRegistry.Load("mind-raw", dir.Path, Options(("top_k", "3"), ("history", "3")));
        var h = ds.Sequences["hist_News_ID"].data<long>().ToArray();
        // Kept rows: U1 N1, U1 N2 (impression 1), U2 N3, N4, N2 (impression 2), U1 N1 (impression 3); News ids N1..N4 → 0..3.
        Assert.Equal(new long[15], h[..15]); // same-impression tokens never see each other
        Assert.Equal([0L, 1, 2], h[15..18]);
        using var clicked = DatasetRegistry.Load("mind-raw", dir.Path, Options(("top_k", "3"), ("history", "3"), ("history_clicks_only", "true")));
        Assert.Equal([0L, 0, 1], clicked.Sequences["hist_News_ID"].data<long>().ToArray()[15..18]);
    }

    [Fact]
    public void MindRaw_history_from_behaviors_reads_the_listed_clicks()
    {
        using var dir = new TempDir();
        WriteMind(dir);
        // Impression 1 lists "N1 N2", impression 3 "N1"; add a fourth impression whose history has news that are never
        // impressed (N5 is only in a dropped category, N7 is not in news.tsv at all).
        File.AppendAllText(Path.Combine(dir.Path, "behaviors.tsv"), "4\tU3\t11/14/2019 1:00:00 PM\tN3 N5 N7 N4 N2 N1\tN2-1\n");
        using var ds = DatasetRegistry.Load("mind-raw", dir.Path, Options(("top_k", "3"), ("history", "3"), ("history_source", "behaviors")));
        var h = ds.Sequences["hist_News_ID"].data<long>().ToArray();
        // Rows: U1 N1, U1 N2 | U2 N3, N4, N2 | U1 N1 | U3 N2. News ids N1..N4 → 0..3, so history ids are 1..4.
        Assert.Equal([0L, 1, 2, 0, 1, 2], h[..6]); // impression 1: N1 N2, for both of its tokens
        Assert.Equal(new long[9], h[6..15]); // impression 2 lists no history
        Assert.Equal([0L, 0, 1], h[15..18]);
        Assert.Equal([4L, 2, 1], h[18..21]); // last three listed: N4 N2 N1 (N5 and N7 have no id and are earlier anyway)
        using var leakFree = DatasetRegistry.Load("mind-raw", dir.Path,
            Options(("top_k", "3"), ("history", "5"), ("history_source", "behaviors"), ("encoder", "train-only")));
        var oov = leakFree.Schema.SparseFeatures[leakFree.Schema.SparseIndex("News_ID")].Vocabulary; // OOV is the last id, + 1 here
        var last = leakFree.Sequences["hist_News_ID"].data<long>().ToArray()[^5..];
        Assert.Equal([oov, oov], last[..2]); // N5 (impressed only in a dropped category) and N7 (not in news.tsv)
        Assert.Equal(5, last.Count(id => id > 0));
        Assert.Throws<ArgumentException>(() => DatasetRegistry.Load("mind-raw", dir.Path, Options(("history", "3"), ("history_source", "clock"))));
    }

    [Fact]
    public void MindRaw_split_folders_are_concatenated_and_bad_tokens_are_errors()
    {
        using var dir = new TempDir();
        WriteMind(dir, "train");
        WriteMind(dir, "dev");
        using (var ds = DatasetRegistry.Load("mind-raw", dir.Path, Options(("categories", "news,sports"))))
            Assert.Equal([6L, 4], ds.ScenarioCounts());
        File.AppendAllText(Path.Combine(dir.Path, "dev", "behaviors.tsv"), "4\tU3\t11/13/2019 1:00:00 PM\t\tN1-2\n");
        var e = Assert.Throws<DataFormatException>(() => DatasetRegistry.Load("mind-raw", dir.Path));
        Assert.Equal(4, e.Line);
        Assert.Equal("impressions", e.Field);
    }

    [Fact]
    public void MindRaw_real_subset_when_present_matches_an_independent_expansion()
    {
        var folder = TestData.SharedData("mind-small-subset");
        if (folder is null) return; // real data absent
        var category = File.ReadLines(Path.Combine(folder, "news.tsv")).Select(l => l.Split('\t')).ToDictionary(f => f[0], f => f[1]);
        var rows = File.ReadLines(Path.Combine(folder, "behaviors.tsv")).SelectMany(l => l.Split('\t')[4].Split(' '))
            .Select(t => t[..t.LastIndexOf('-')]).Where(category.ContainsKey).Select(n => category[n]).ToList();
        var top = rows.GroupBy(c => c).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).Take(4).ToList();
        using var ds = DatasetRegistry.Load("mind-raw", folder);
        Assert.Equal(top.Select(g => g.Key), ds.Schema.ScenarioNames);
        Assert.Equal(top.Select(g => (long)g.Count()), ds.ScenarioCounts());
    }

    internal static string Review(string user, string asin, double overall) =>
        $"{{\"reviewerID\": \"{user}\", \"asin\": \"{asin}\", \"reviewerName\": \"x, \\\"y\\\"\", \"overall\": {overall:0.0}, \"summary\": \"ok\"}}\n";

    [Fact]
    public void Amazon_fixture_plain_and_gzip_files_joint_user_item_ids()
    {
        using var dir = new TempDir();
        dir.Write("reviews_Beauty_5.json", Review("A1", "B01", 5) + Review("A2", "B02", 3));
        dir.Write("reviews_Clothing_Shoes_and_Jewelry_5.json", Review("A1", "C01", 4));
        using (var gz = new GZipStream(File.Create(Path.Combine(dir.Path, "reviews_Health_and_Personal_Care_5.json.gz")), CompressionLevel.Fastest))
            gz.Write(Encoding.UTF8.GetBytes(Review("A3", "B01", 1) + "\n" + Review("A2", "H01", 4)));
        using var ds = DatasetRegistry.Load("amazon", dir.Path);
        Assert.Equal([2L, 1, 2], ds.ScenarioCounts());
        Assert.Equal([1f, 0, 1, 0, 1], ds.Label.data<float>().ToArray());
        Assert.Equal([3, 4], ds.Schema.SparseFeatures.Select(f => f.Vocabulary));
        var sparse = ds.SparseIds().data<long>().ToArray();
        Assert.Equal(sparse[0], sparse[2 * 2]); // A1 has one id across Beauty and Clothing
        Assert.Equal(sparse[1], sparse[3 * 2 + 1]); // B01 has one id across Beauty and Health
        Assert.Empty(ds.Schema.DenseFeatures);
    }

    [Fact]
    public void Amazon_bad_json_and_missing_field_name_file_line_and_field()
    {
        using var dir = new TempDir();
        dir.Write("Beauty_5.json", Review("A1", "B01", 5) + "{\"reviewerID\": \"A2\", \"asin\": \n");
        var e = Assert.Throws<DataFormatException>(() => DatasetRegistry.Load("amazon", dir.Path, Options(("categories", "Beauty"))));
        Assert.Equal(2, e.Line);
        Assert.Contains("malformed JSON", e.Message);
        dir.Write("Beauty_5.json", Review("A1", "B01", 5) + "{\"reviewerID\": \"A2\", \"overall\": 4.0}\n");
        e = Assert.Throws<DataFormatException>(() => DatasetRegistry.Load("amazon", dir.Path, Options(("categories", "Beauty"))));
        Assert.Equal((2L, "asin"), (e.Line, e.Field));
        File.Delete(Path.Combine(dir.Path, "Beauty_5.json"));
        var missing = Assert.Throws<DataFormatException>(() => DatasetRegistry.Load("amazon", dir.Path));
        Assert.Contains("reviews_Beauty_5.json", missing.File);
    }

    [Fact]
    public void Custom_csv_roles_from_options_with_group_rule_threshold_and_buckets()
    {
        using var dir = new TempDir();
        var file = dir.Write("log.tsv", "user\titem\tprice\tage\trating\tpage\n" +
                                        "u1\ti1\t10\t17\t5\thome\nu2\ti2\t20\t30\t2\tsearch\nu1\ti3\t30\t60\t4\thome\nu3\ti1\t40\t25\t1\tdetail\n");
        using var ds = DatasetRegistry.Load("csv", file, Options(("sparse", "user,item"), ("dense", "price"), ("buckets", "age:2"),
            ("label", "rating"), ("label_threshold", "3"), ("scenario", "page:groups=home,search/detail")));
        Assert.Equal(["home", "search/detail"], ds.Schema.ScenarioNames);
        Assert.Equal([0L, 1, 0, 1], ds.Scenario.data<long>().ToArray());
        Assert.Equal([1f, 0, 1, 0], ds.Label.data<float>().ToArray());
        Assert.Equal(["user", "item", "age_bucket", "price"], ds.Schema.Features.Select(f => f.Name));
        Assert.Equal([0f, 1f / 3, 2f / 3, 1f], ds.Dense.data<float>().ToArray());
    }

    [Fact]
    public void Custom_csv_value_outside_groups_and_missing_options_are_errors()
    {
        using var dir = new TempDir();
        var file = dir.Write("log.csv", "user,item,click,page\nu1,i1,1,home\nu2,i2,0,cart\n");
        var e = Assert.Throws<DataFormatException>(() => DatasetRegistry.Load("csv", file,
            Options(("sparse", "user,item"), ("label", "click"), ("scenario", "page:groups=home,search"))));
        Assert.Equal((3L, "page"), (e.Line, e.Field));
        Assert.Contains("'cart'", e.Message);
        Assert.Throws<ArgumentException>(() => DatasetRegistry.Load("csv", file, Options(("sparse", "user"), ("scenario", "page"))));
        using var ds = DatasetRegistry.Load("csv", file, Options(("sparse", "user,item,page"), ("label", "click"), ("scenario", "page")));
        Assert.Equal(["cart", "home"], ds.Schema.ScenarioNames);
    }

    [Theory]
    [InlineData("user,user", "price", "user")]
    [InlineData("user", "user", "user")]
    [InlineData("user", "price,price", "price")]
    public void Custom_csv_column_declared_twice_is_named(string sparse, string dense, string column)
    {
        using var dir = new TempDir();
        var file = dir.Write("log.csv", "user,price,click,page\nu1,0.5,1,home\nu2,0.7,0,cart\n");
        var e = Assert.Throws<ArgumentException>(() => DatasetRegistry.Load("csv", file,
            Options(("sparse", sparse), ("dense", dense), ("label", "click"), ("scenario", "page"))));
        Assert.Equal($"dataset 'csv': column '{column}' declared twice in sparse/dense; each column is one input", e.Message);
    }
}
