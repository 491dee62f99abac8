using System.Globalization;
using Msr.Core.Data;
using Msr.Core.Data.AliCcp;
using Msr.Core.Data.KuaiRand;
using Msr.Core.Features;
using Xunit;

namespace Msr.Core.Tests.Data;

public class ProcessedLoaderTests
{
    static Settings Options(params (string Key, string Value)[] kv) => new(kv.Select(p => new KeyValuePair<string, string>(p.Key, p.Value)));

    static readonly string[] KuaiRandHeader =
    [
        "user_id", "video_id", "is_click", "play_time_ms", "duration_ms", "profile_stay_time", "comment_stay_time", "tab",
        "user_active_degree", "is_lowactive_period", "is_live_streamer", "is_video_author", "follow_user_num", "follow_user_num_range",
        "fans_user_num", "fans_user_num_range", "friend_user_num", "friend_user_num_range", "register_days", "register_days_range",
        .. Enumerable.Range(0, 18).Select(i => $"onehot_feat{i}"), "video_type", "visible_status", "server_width", "server_height",
    ];

    internal static string KuaiRandCsv(params int[] tabs)
    {
        var lines = new List<string> { string.Join(",", KuaiRandHeader) };
        for (int r = 0; r < tabs.Length; r++)
        {
            var v = KuaiRandHeader.Select(h => h switch
            {
                "user_id" => (r % 3).ToString(CultureInfo.InvariantCulture),
                "video_id" => (100 + r).ToString(CultureInfo.InvariantCulture),
                "is_click" => (r % 2).ToString(CultureInfo.InvariantCulture),
                "tab" => tabs[r].ToString(CultureInfo.InvariantCulture),
                "follow_user_num" => (10 * r).ToString(CultureInfo.InvariantCulture) + ".7",
                "onehot_feat4" => r % 2 == 0 ? "1.0" : "0.0",
                _ => "0",
            });
            lines.Add(string.Join(",", v));
        }
        return string.Join("\n", lines) + "\n";
    }

    [Fact]
    public void KuaiRand_fixture_keeps_top5_tabs_in_value_order_and_drops_the_rest()
    {
        using var dir = new TempDir();
        dir.Write("kuairand.csv", KuaiRandCsv(0, 1, 1, 2, 4, 4, 6, 6, 3));
        using var ds = DatasetRegistry.Load("kuairand", dir.Path);
        Assert.Equal(["0", "1", "2", "4", "6"], ds.Schema.ScenarioNames);
        Assert.Equal(8, ds.Count); // the single tab-3 row is dropped
        Assert.Equal([1L, 2, 1, 2, 2], ds.ScenarioCounts());
        Assert.Equal(32, ds.Schema.SparseFeatures.Count);
        Assert.Equal(4, ds.Schema.DenseFeatures.Count);
        Assert.Equal(3, ds.Schema.SparseFeatures[0].Vocabulary);
        // follow_user_num is truncated to an integer before MinMax: 0, 10, …, 70 (tab-3 row 80 dropped).
        var dense = ds.Dense.data<float>().ToArray();
        Assert.Equal(1f / 7f, dense[4], 1e-6f);
        var e = Assert.Throws<DataFormatException>(() => DatasetRegistry.Load("kuairand", dir.Path, Options(("top_k", "7"))));
        Assert.Contains("top-7", e.Message);
    }

    [Fact]
    public void KuaiRand_explicit_tab_list_and_misspelt_option()
    {
        using var dir = new TempDir();
        var file = dir.Write("k.csv", KuaiRandCsv(0, 1, 1, 2, 4, 4, 6, 6, 3));
        using var ds = DatasetRegistry.Load("kuairand", file, Options(("tabs", "1,4")));
        Assert.Equal([2L, 2], ds.ScenarioCounts());
        Assert.Throws<ArgumentException>(() => DatasetRegistry.Load("kuairand", file, Options(("topk", "3"))));
    }

    [Fact]
    public void KuaiRand_missing_column_names_the_column()
    {
        using var dir = new TempDir();
        var file = dir.Write("kuairand.csv", KuaiRandCsv(0, 1).Replace("server_height", "server_heigh"));
        var e = Assert.Throws<DataFormatException>(() => DatasetRegistry.Load("kuairand", file));
        Assert.Equal("server_height", e.Field);
        Assert.Equal(1, e.Line);
    }

    internal static string AliHeader => "click,purchase," + string.Join(",", AliCcpLoader.SparseColumns) + "," + string.Join(",", AliCcpLoader.DenseColumns);

    internal static string AliRow(int click, int scenario, int user, double dense) =>
        $"{click},0," + string.Join(",", AliCcpLoader.SparseColumns.Select(c => c switch
        {
            "301" => scenario.ToString(CultureInfo.InvariantCulture),
            "101" => user.ToString(CultureInfo.InvariantCulture),
            _ => "0",
        })) + "," + string.Join(",", AliCcpLoader.DenseColumns.Select(_ => dense.ToString("R", CultureInfo.InvariantCulture)));

    [Fact]
    public void AliCcp_fixture_predefined_split_identity_ids_and_scenario_field_301()
    {
        using var dir = new TempDir();
        dir.Write("ali_ccp_train.csv", string.Join("\n", AliHeader, AliRow(1, 1, 5, 0.1), AliRow(0, 2, 7, 0.2), AliRow(0, 3, 1, 0.3)) + "\n");
        dir.Write("ali_ccp_val.csv", string.Join("\n", AliHeader, AliRow(0, 3, 2, 0.4)) + "\n");
        dir.Write("ali_ccp_test.csv", string.Join("\n", AliHeader, AliRow(1, 1, 0, 0.5), AliRow(1, 2, 3, 1.0)) + "\n");
        using var ds = DatasetRegistry.Load("aliccp", dir.Path);
        Assert.Equal([0L, 1, 2, 2, 0, 1], ds.Scenario.data<long>().ToArray());
        Assert.Equal(8, ds.Schema.SparseFeatures[0].Vocabulary); // field 101: max id 7 + 1
        Assert.Equal(4, ds.Schema.SparseFeatures[ds.Schema.SparseIndex("301")].Vocabulary);
        var split = ds.PredefinedSplit!;
        Assert.Equal([0L, 1, 2], split.Train.data<long>().ToArray());
        Assert.Equal([3L], split.Validation.data<long>().ToArray());
        Assert.Equal([4L, 5], split.Test.data<long>().ToArray());
        // Dense values are not rescaled, only rounded through float16.
        Assert.Equal((float)(Half)0.1, ds.Dense.data<float>()[0]);
    }

    [Fact]
    public void AliCcp_scenario_value_outside_1_2_3_is_an_error_naming_file_line_and_field()
    {
        using var dir = new TempDir();
        dir.Write("ali_ccp_train.csv", string.Join("\n", AliHeader, AliRow(1, 1, 5, 0.1), AliRow(0, 2, 7, 0.2), AliRow(0, 3, 1, 0.3)) + "\n");
        dir.Write("ali_ccp_val.csv", string.Join("\n", AliHeader, AliRow(0, 3, 2, 0.4), AliRow(0, 4, 2, 0.4)) + "\n");
        dir.Write("ali_ccp_test.csv", string.Join("\n", AliHeader, AliRow(1, 1, 0, 0.5)) + "\n");
        var e = Assert.Throws<DataFormatException>(() => DatasetRegistry.Load("aliccp", dir.Path));
        Assert.EndsWith("ali_ccp_val.csv", e.File);
        Assert.Equal(3, e.Line);
        Assert.Equal("scenario_301", e.Field);
        Assert.Contains("'4'", e.Message);
    }

    [Fact]
    public void Douban_fixture_quoted_places_missing_time_bin_and_domains()
    {
        using var dir = new TempDir();
        dir.Write("douban.csv", "user_id,item_id,rating,domain,living_place,join_time,time_bin\n" +
                                "1,10,1,book,\"北京, 海淀\",2007-07-10,27\n2,11,0,movie,上海,2008-01-03,\n3,12,1,music,,2009-01-01,3\n1,13,0,movie,\"北京, 海淀\",2007-07-10,27\n");
        using var ds = DatasetRegistry.Load("douban", dir.Path);
        Assert.Equal(["book", "music", "movie"], ds.Schema.ScenarioNames);
        Assert.Equal([0L, 2, 1, 2], ds.Scenario.data<long>().ToArray());
        var place = ds.Schema.SparseIndex("living_place");
        Assert.Equal(3, ds.Schema.SparseFeatures[place].Vocabulary); // two places + missing
        Assert.Equal(3, ds.Schema.SparseFeatures[ds.Schema.SparseIndex("time_bin")].Vocabulary); // 3, 27 (numeric order) + missing
        var sparse = ds.SparseIds().data<long>().ToArray();
        Assert.Equal([1L, 2, 0, 1], Enumerable.Range(0, 4).Select(r => sparse[r * 4 + 3]));
    }

    [Fact]
    public void Douban_unknown_domain_and_non_binary_label_are_errors()
    {
        using var dir = new TempDir();
        var file = dir.Write("douban.csv", "user_id,item_id,rating,domain,living_place,join_time,time_bin\n1,10,1,book,a,,1\n2,11,1,music,a,,1\n3,12,1,movie,a,,1\n4,13,1,games,a,,1\n");
        var e = Assert.Throws<DataFormatException>(() => DatasetRegistry.Load("douban", file));
        Assert.Equal(5, e.Line);
        Assert.Equal("domain", e.Field);
        dir.Write("douban.csv", "user_id,item_id,rating,domain,living_place,join_time,time_bin\n1,10,4,book,a,,1\n");
        e = Assert.Throws<DataFormatException>(() => DatasetRegistry.Load("douban", file));
        Assert.Equal(2, e.Line);
        Assert.Equal("rating", e.Field);
    }

    [Fact]
    public void Mind_processed_fixture_drops_other_categories()
    {
        using var dir = new TempDir();
        dir.Write("mind.csv", "User_ID,News_ID,label,Category,SubCategory\nU1,N1,0,sports,football\nU2,N2,1,news,politics\nU1,N3,0,video,clips\n" +
                              "U3,N4,1,finance,markets\nU2,N5,0,lifestyle,shop\n");
        using var ds = DatasetRegistry.Load("mind", dir.Path);
        Assert.Equal(["news", "lifestyle", "sports", "finance"], ds.Schema.ScenarioNames);
        Assert.Equal([2L, 0, 3, 1], ds.Scenario.data<long>().ToArray());
        Assert.Equal([3, 4, 4], ds.Schema.SparseFeatures.Select(f => f.Vocabulary));
    }

    // ---- The Scenario-Wise Rec samples, when ../shared/data is present ----

    static string[][] Rows(string file) => File.ReadLines(file).Skip(1).Select(l => l.Split(',')).ToArray();

    [Fact]
    public void Samples_when_present_load_with_independently_counted_scenarios()
    {
        var root = TestData.SharedData("scenario-wise-rec-samples");
        if (root is null) return; // real data absent: nothing to check

        using (var kr = DatasetRegistry.Load("kuairand", Path.Combine(root, "kuairand"), Options(("top_k", "1"))))
        {
            Assert.Equal(Rows(Path.Combine(root, "kuairand", "kuairand_sample.csv")).Length, kr.Count);
            Assert.Equal(32, kr.Schema.SparseFeatures.Count);
        }

        using (var ali = DatasetRegistry.Load("aliccp", Path.Combine(root, "ali-ccp")))
        {
            var parts = new[] { "train", "val", "test" }.Select(p => Rows(Path.Combine(root, "ali-ccp", $"ali_ccp_{p}_sample.csv"))).ToArray();
            var all = parts.SelectMany(p => p).ToArray();
            Assert.Equal(all.Length, ali.Count);
            Assert.Equal(parts[0].Length, ali.PredefinedSplit!.Train.shape[0]);
            Assert.Equal(parts[1].Length, ali.PredefinedSplit!.Validation.shape[0]);
            var expected = new[] { "1", "2", "3" }.Select(v => (long)all.Count(r => r[20] == v)).ToArray();
            Assert.Equal(expected, ali.ScenarioCounts());
            Assert.Equal(all.Max(r => int.Parse(r[2])) + 1, ali.Schema.SparseFeatures[0].Vocabulary);
            var stats = DatasetStatistics.Compute(ali);
            Assert.Equal(("101", "205"), (stats.UserFeature, stats.ItemFeature));
            Assert.Equal(all.Select(r => r[11]).Distinct().Count(), stats.Overall.Items);
        }

        using (var db = DatasetRegistry.Load("douban", Path.Combine(root, "douban")))
        {
            var rows = Rows(Path.Combine(root, "douban", "douban_sample.csv"));
            Assert.Equal(rows.Length, db.Count);
            Assert.Equal(new[] { "book", "music", "movie" }.Select(d => (long)rows.Count(r => r[3] == d)), db.ScenarioCounts());
            Assert.Equal(rows.Select(r => r[0]).Distinct().Count(), db.Schema.SparseFeatures[0].Vocabulary);
        }

        using (var mind = DatasetRegistry.Load("mind", Path.Combine(root, "mind")))
        {
            var rows = Rows(Path.Combine(root, "mind", "mind_sample.csv"));
            Assert.Equal(new[] { "news", "lifestyle", "sports", "finance" }.Select(d => (long)rows.Count(r => r[3] == d)), mind.ScenarioCounts());
            Assert.Equal(rows.Select(r => r[1]).Distinct().Count(), mind.Schema.SparseFeatures[1].Vocabulary);
        }
    }
}
