using Msr.Core.Data;
using Xunit;

namespace Msr.Core.Tests.Data;

/// <summary>
/// Our processed-format loaders against the reference benchmark's own run-time preprocessing, on the four
/// Scenario-Wise Rec samples in ../shared/data (returns early when they are absent: a fresh clone has no data).
///
/// Where the literals come from: on 2026-11-22 the dataset functions that the reference's run scripts call
/// (Xiaopengli1/Scenario-Wise-Rec, scripts/run_{ali_ccp,kuairand,douban,mind}_*.py, commit 167ea86: LabelEncoder and
/// MinMaxScaler fitted on the whole table, scenario maps, feature lists, Ali-CCP's float16 down-cast) were run on
/// these sample files with Debian's Python (pandas 1.5, scikit-learn 1.2), and the fingerprints below were computed
/// from their output. None of the reference's code is in this repository. Every column matched ours exactly (dense
/// values bit for bit in float32), so the tolerances are tight.
///
/// Fingerprints, over rows i = 0..N-1 in file order: per sparse column the vocabulary the reference declares
/// (distinct count, or max id + 1 for Ali-CCP), Σv, Σi·v and Σv²; per dense column Σv, Σi·v, Σv² and the first five
/// values; scenario and label counts and Σi·s, Σi·y. A relabelled id, a permuted row or a moved value changes them.
/// </summary>
public sealed class ReferenceEncodingParityTests
{
    sealed record SparseExpect(string Name, int Vocabulary, long Sum, long WeightedSum, long SquareSum);
    sealed record DenseExpect(string Name, double Sum, double WeightedSum, double SquareSum, double[] Head);
    sealed record Expect(string Loader, string Folder, (string, string)[] Options, int Rows, SparseExpect[] Sparse, DenseExpect[] Dense,
        long[] ScenarioCounts, long ScenarioWeighted, long[] LabelCounts, long LabelWeighted);

    static readonly Expect AliCcp = new("aliccp", "ali-ccp", [], 200,
    [
        new("101", 2, 200, 19900, 200),
        new("121", 2, 200, 19900, 200),
        new("122", 2, 200, 19900, 200),
        new("124", 2, 200, 19900, 200),
        new("125", 2, 200, 19900, 200),
        new("126", 1, 0, 0, 0),
        new("127", 2, 200, 19900, 200),
        new("128", 2, 200, 19900, 200),
        new("129", 2, 200, 19900, 200),
        new("205", 120, 7221, 900978, 572105),
        new("206", 55, 3807, 441633, 106831),
        new("207", 140, 13686, 1687341, 1293006),
        new("210", 158, 14421, 1795495, 1448779),
        new("216", 82, 4419, 511956, 213175),
        new("508", 34, 1939, 223570, 32421),
        new("509", 23, 604, 74941, 8960),
        new("702", 24, 608, 68376, 7678),
        new("853", 27, 524, 52844, 8568),
        new("301", 4, 276, 25962, 472),
        new("109_14", 2, 200, 19900, 200),
        new("110_14", 2, 200, 19900, 200),
        new("127_14", 2, 200, 19900, 200),
        new("150_14", 2, 200, 19900, 200),
    ],
    [
        new("D109_14", 94.677734375, 9420.4345703125, 44.81936693191528, [0.473388671875, 0.473388671875, 0.473388671875, 0.473388671875, 0.473388671875]),
        new("D110_14", 112.40234375, 11184.033203125, 63.17143440246582, [0.56201171875, 0.56201171875, 0.56201171875, 0.56201171875, 0.56201171875]),
        new("D127_14", 17.1142578125, 1702.86865234375, 1.4644891023635864, [0.0855712890625, 0.0855712890625, 0.0855712890625, 0.0855712890625, 0.0855712890625]),
        new("D150_14", 38.037109375, 3784.6923828125, 7.2341084480285645, [0.190185546875, 0.190185546875, 0.190185546875, 0.190185546875, 0.190185546875]),
        new("D508", 55.8367919921875, 5252.547607421875, 21.775831535458565, [0.0755615234375, 0.0, 0.560546875, 0.261474609375, 0.359130859375]),
        new("D509", 11.7568359375, 1233.5614013671875, 2.811117336153984, [0.0, 0.0, 0.256103515625, 0.0, 0.0]),
        new("D702", 20.1090087890625, 1966.622314453125, 6.804291293025017, [0.0, 0.0, 0.462646484375, 0.0, 0.0]),
        new("D853", 8.581878662109375, 569.6371154785156, 2.060420368798077, [0.0, 0.0, 0.343994140625, 0.12213134765625, 0.0]),
    ],
    [146, 32, 22], 6062, [184, 16], 1680);

    // The sample holds tab 1 only. The reference keeps tabs {0,1,2,4,6} and LabelEncodes what is left, so it gets one
    // scenario; our default top_k=5 (and tabs=0,1,2,4,6) refuse an empty scenario, and top_k=1 is the same encoding.
    static readonly Expect KuaiRand = new("kuairand", "kuairand", [("top_k", "1")], 200,
    [
        new("user_id", 145, 12362, 1221235, 1180416),
        new("video_id", 29, 2929, 309705, 57617),
        new("user_active_degree", 4, 165, 16875, 223),
        new("is_lowactive_period", 1, 0, 0, 0),
        new("is_live_streamer", 2, 58, 5797, 58),
        new("is_video_author", 2, 166, 15994, 166),
        new("follow_user_num_range", 8, 914, 89868, 4998),
        new("fans_user_num_range", 7, 447, 43959, 1195),
        new("friend_user_num_range", 7, 503, 48573, 1857),
        new("register_days_range", 7, 1084, 106650, 6184),
        new("onehot_feat0", 2, 124, 11990, 124),
        new("onehot_feat1", 7, 481, 48763, 1657),
        new("onehot_feat2", 11, 675, 69320, 3575),
        new("onehot_feat3", 108, 11429, 1102691, 824349),
        new("onehot_feat4", 11, 476, 44384, 2156),
        new("onehot_feat5", 2, 1, 156, 1),
        new("onehot_feat6", 3, 85, 8073, 87),
        new("onehot_feat7", 29, 2376, 240747, 40016),
        new("onehot_feat8", 111, 10352, 1056979, 719842),
        new("onehot_feat9", 7, 806, 81350, 3926),
        new("onehot_feat10", 5, 483, 49463, 1445),
        new("onehot_feat11", 3, 105, 9260, 207),
        new("onehot_feat12", 3, 126, 12971, 136),
        new("onehot_feat13", 3, 48, 5101, 58),
        new("onehot_feat14", 3, 24, 2420, 34),
        new("onehot_feat15", 3, 13, 1205, 23),
        new("onehot_feat16", 3, 12, 1064, 22),
        new("onehot_feat17", 3, 13, 1340, 23),
        new("video_type", 1, 0, 0, 0),
        new("visible_status", 1, 0, 0, 0),
        new("server_width", 5, 279, 26966, 593),
        new("server_height", 6, 517, 52184, 1621),
    ],
    [
        new("follow_user_num", 13.454763740141061, 1337.2870210134715, 2.8970414644665725, [0.10288230329751968, 0.02862289920449257, 0.1539231389760971, 0.06385108083486557, 0.021016813814640045]),
        new("fans_user_num", 1.26660177262238, 64.67343937799524, 1.0024992067586553, [0.0009605655795894563, 0.0015881351428106427, 4.482639269554056e-05, 2.5615081540308893e-05, 3.842262231046334e-05]),
        new("friend_user_num", 10.476821266114712, 1004.6048636445776, 3.178563275819462, [0.025018395856022835, 0.1030169278383255, 0.002943340688943863, 0.002207505516707897, 0.002207505516707897]),
        new("register_days", 66.26059446833096, 6618.53319792822, 29.894378787822728, [0.24478177726268768, 0.6220746636390686, 0.392789363861084, 0.09519291669130325, 0.19481341540813446]),
    ],
    [200], 0, [168, 32], 3336);

    static readonly Expect Douban = new("douban", "douban", [], 3000,
    [
        new("user_id", 1352, 2108023, 3141545326, 1931623705),
        new("item_id", 2502, 3865131, 5847342552, 6461870817),
        new("living_place", 220, 366215, 546957858, 52696915),
        new("time_bin", 151, 162369, 243598451, 12003095),
    ],
    [], [364, 337, 2299], 7416085, [1064, 1936], 2896554);

    static readonly Expect Mind = new("mind", "mind", [], 8000,
    [
        new("User_ID", 7892, 31578556, 125944473874, 166145316092),
        new("News_ID", 1921, 7628770, 30604781304, 9800761562),
        new("SubCategory", 88, 419762, 1678464313, 26566166),
    ],
    [], [3742, 1565, 1428, 1265], 33035196, [7637, 363], 1557635);

    public static TheoryData<string> Datasets => new() { "aliccp", "kuairand", "douban", "mind" };

    static Expect For(string loader) => loader switch
    {
        "aliccp" => AliCcp,
        "kuairand" => KuaiRand,
        "douban" => Douban,
        "mind" => Mind,
        _ => throw new ArgumentException(loader),
    };

    [Theory]
    [MemberData(nameof(Datasets))]
    public void Sample_encodes_as_the_reference_preprocessing_does(string loader)
    {
        var root = TestData.SharedData("scenario-wise-rec-samples");
        if (root is null) return; // real data absent: nothing to check
        var e = For(loader);
        var options = new Settings(e.Options.Select(o => new KeyValuePair<string, string>(o.Item1, o.Item2)));
        using var data = DatasetRegistry.Load(e.Loader, Path.Combine(root, e.Folder), options);

        Assert.Equal(e.Rows, data.Count);
        Assert.Equal(e.Sparse.Select(s => s.Name), data.Schema.SparseFeatures.Select(f => f.Name));
        Assert.Equal(e.Dense.Select(d => d.Name), data.Schema.DenseFeatures.Select(f => f.Name));

        for (int j = 0; j < e.Sparse.Length; j++)
        {
            var s = e.Sparse[j];
            var v = data.SparseIds().select(1, j).contiguous().data<long>().ToArray();
            long sum = 0, weighted = 0, squares = 0;
            for (int i = 0; i < v.Length; i++) { sum += v[i]; weighted += i * v[i]; squares += v[i] * v[i]; }
            Assert.Equal((s.Name, s.Vocabulary, s.Sum, s.WeightedSum, s.SquareSum),
                (s.Name, data.Schema.SparseFeatures[j].Vocabulary, sum, weighted, squares));
        }

        for (int j = 0; j < e.Dense.Length; j++)
        {
            var d = e.Dense[j];
            var v = data.Dense.select(1, j).contiguous().data<float>().ToArray();
            double sum = 0, weighted = 0, squares = 0;
            for (int i = 0; i < v.Length; i++) { sum += v[i]; weighted += i * (double)v[i]; squares += (double)v[i] * v[i]; }
            Assert.True(Math.Abs(d.Sum - sum) < 1e-6, $"{d.Name}: Σv {sum}, reference {d.Sum}");
            Assert.True(Math.Abs(d.WeightedSum - weighted) < 1e-4, $"{d.Name}: Σi·v {weighted}, reference {d.WeightedSum}");
            Assert.True(Math.Abs(d.SquareSum - squares) < 1e-6, $"{d.Name}: Σv² {squares}, reference {d.SquareSum}");
            for (int i = 0; i < d.Head.Length; i++) Assert.Equal(d.Head[i], v[i], 1e-6);
            // Ali-CCP: the reference holds its dense columns as float16, so every value must be one.
            if (loader == "aliccp") Assert.All(v, x => Assert.Equal(x, (float)(Half)x));
        }

        var scenario = data.Scenario.data<long>().ToArray();
        var label = data.Label.data<float>().ToArray();
        Assert.Equal(e.ScenarioCounts.Length, data.Schema.ScenarioCount);
        Assert.Equal(e.ScenarioCounts, data.ScenarioCounts());
        Assert.Equal(e.ScenarioWeighted, scenario.Select((s, i) => i * s).Sum());
        Assert.Equal(e.LabelCounts, new long[] { label.LongCount(y => y == 0), label.LongCount(y => y == 1) });
        Assert.Equal(e.LabelWeighted, label.Select((y, i) => (long)(i * y)).Sum());

        if (loader == "aliccp")
        {
            // The reference slices the concatenated table: train rows, then validation, then test, in file order (100/50/50).
            var split = data.PredefinedSplit!;
            Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), split.Train.data<long>().ToArray());
            Assert.Equal(Enumerable.Range(100, 50).Select(i => (long)i), split.Validation.data<long>().ToArray());
            Assert.Equal(Enumerable.Range(150, 50).Select(i => (long)i), split.Test.data<long>().ToArray());
        }
    }
}
