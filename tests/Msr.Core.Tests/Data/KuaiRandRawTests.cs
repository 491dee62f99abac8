using Msr.Core.Data;
using Msr.Core.Features;
using Xunit;

namespace Msr.Core.Tests.Data;

public class KuaiRandRawTests
{
    const string UserHeader = "user_id,user_active_degree,is_lowactive_period,is_live_streamer,is_video_author,follow_user_num,follow_user_num_range," +
        "fans_user_num,fans_user_num_range,friend_user_num,friend_user_num_range,register_days,register_days_range," +
        "onehot_feat0,onehot_feat1,onehot_feat2,onehot_feat3,onehot_feat4,onehot_feat5,onehot_feat6,onehot_feat7,onehot_feat8," +
        "onehot_feat9,onehot_feat10,onehot_feat11,onehot_feat12,onehot_feat13,onehot_feat14,onehot_feat15,onehot_feat16,onehot_feat17";
    const string VideoHeader = "video_id,author_id,video_type,upload_dt,upload_type,visible_status,video_duration,server_width,server_height,music_id,music_type,tag";
    const string LogHeader = "user_id,video_id,date,hourmin,time_ms,is_click,is_like,is_follow,is_comment,is_forward,is_hate,long_view," +
        "play_time_ms,duration_ms,profile_stay_time,comment_stay_time,is_profile_enter,is_rand,tab";

    internal static string Log(int user, int video, int click, int tab) => $"{user},{video},20220422,1400,1650608400000,{click},0,0,0,0,0,0,100,2000,0,0,0,0,{tab}";

    internal static void Write(TempDir dir)
    {
        dir.Write("user_features_1k.csv", UserHeader + "\n" +
            "0,full_active,0,1,1,612,500+,431,\"[100,1k)\",47,\"[30,60)\",799,730+,1,2,17,402,1.0,0,1,9,77,4,1,0,0.0,1.0,0.0,0.0,0.0,0.0\n" +
            "1,day_new,0,0,1,388,\"(250,500]\",63,\"[10,100)\",3,\"[1,5)\",10,8-14,1,2,5,733,,0,0,22,190,3,2,2,,,,,,\n");
        dir.Write("video_features_basic_1k.csv", VideoHeader + "\n" +
            "10,501,NORMAL,2022-04-10,LongImport,0.0,61000.0,720.0,1280.0,880001,9.0,12\n" +
            "11,502,AD,2022-04-11,Kmovie,,95000.0,,,880002,9.0,3\n");
        dir.Write("log_standard_4_22_to_5_08_1k.csv", LogHeader + "\n" +
            string.Join("\n", Log(0, 10, 1, 1), Log(1, 11, 0, 0), Log(7, 10, 1, 1), Log(0, 11, 0, 2), Log(1, 10, 1, 1), Log(0, 99, 1, 0)) + "\n");
        dir.Write("log_standard_4_08_to_4_21_1k.csv", LogHeader + "\n" + Log(0, 10, 1, 5) + "\n");
    }

    static long Id(ScenarioDataset ds, int row, string feature) =>
        ds.SparseIds().data<long>()[row * ds.Schema.SparseFeatures.Count + ds.Schema.SparseIndex(feature)];

    [Fact]
    public void Fixture_joins_maps_ranges_fills_missing_and_drops_unknown_users_and_videos()
    {
        using var dir = new TempDir();
        Write(dir);
        using var ds = DatasetRegistry.Load("kuairand-raw", dir.Path, new Settings([new("top_k", "3")]));
        // Rows with user 7 and video 99 are dropped by the inner join; the 4_08 log is not read by default.
        Assert.Equal(4, ds.Count);
        Assert.Equal(["0", "1", "2"], ds.Schema.ScenarioNames);
        Assert.Equal([1L, 0, 2, 1], ds.Scenario.data<long>().ToArray());
        Assert.Equal(32, ds.Schema.SparseFeatures.Count);
        // video_type NORMAL 0 / AD 1 → ids 0 / 1; visible_status missing → 2 (so 0 and 2, ids 0, 1).
        Assert.Equal(0, Id(ds, 0, "video_type"));
        Assert.Equal(1, Id(ds, 1, "video_type"));
        Assert.Equal(1, Id(ds, 1, "visible_status"));
        // user 1's onehot_feat4 is missing → filled with 15, so it sorts after user 0's 1 (id 1).
        Assert.Equal(1, Id(ds, 1, "onehot_feat4"));
        // Ranges: 730+ → 6, and 8-14 (absent from the reference's map) → next free code 7: ids 0 and 1.
        Assert.Equal(0, Id(ds, 0, "register_days_range"));
        Assert.Equal(1, Id(ds, 1, "register_days_range"));
        // Dense register_days: 799 and 10 → MinMax.
        var dense = ds.Dense.data<float>().ToArray();
        Assert.Equal(1f, dense[3]);
        Assert.Equal(0f, dense[4 + 3]);
    }

    [Fact]
    public void History_from_time_ms_never_includes_events_at_the_same_time()
    {
        using var dir = new TempDir();
        Write(dir);
        using var ds = DatasetRegistry.Load("kuairand-raw", dir.Path, new Settings([new("top_k", "3"), new("history", "2")]));
        Assert.Equal(("hist_video_id", 3), (ds.Schema.SequenceFeatures[0].Name, ds.Schema.SequenceFeatures[0].Vocabulary));
        Assert.Equal(0, ds.Sequences["hist_video_id"].abs().sum().item<long>()); // every fixture event has the same time_ms
    }

    [Fact]
    public void Explicit_log_list_and_bad_values()
    {
        using var dir = new TempDir();
        Write(dir);
        using (var ds = DatasetRegistry.Load("kuairand-raw", dir.Path,
                   new Settings([new("logs", "log_standard_4_08_to_4_21_1k.csv,log_standard_4_22_to_5_08_1k.csv"), new("tabs", "1,5")])))
            Assert.Equal([2L, 1], ds.ScenarioCounts());
        dir.Write("video_features_basic_1k.csv", VideoHeader + "\n10,1,SHORT,2022-04-10,x,0,1,720,1280,1,9,1\n");
        var e = Assert.Throws<DataFormatException>(() => DatasetRegistry.Load("kuairand-raw", dir.Path));
        Assert.Equal((2L, "video_type"), (e.Line, e.Field));
    }

    [Fact]
    public void Real_pure_side_tables_when_present_join_a_written_log()
    {
        var folder = TestData.SharedData("kuairand-pure-features");
        if (folder is null) return; // real data absent
        using var dir = new TempDir();
        File.Copy(Path.Combine(folder, "user_features_pure.csv"), Path.Combine(dir.Path, "user_features_pure.csv"));
        File.Copy(Path.Combine(folder, "video_features_basic_pure.csv"), Path.Combine(dir.Path, "video_features_basic_pure.csv"));
        var rows = Enumerable.Range(0, 60).Select(i => Log(i * 400, i * 120, i % 2, i % 3)).Append(Log(99_999_999, 1, 1, 0));
        dir.Write("log_standard_4_22_to_5_08_pure.csv", LogHeader + "\n" + string.Join("\n", rows) + "\n");
        using var ds = DatasetRegistry.Load("kuairand-raw", dir.Path, new Settings([new("top_k", "3")]));
        int users = File.ReadLines(Path.Combine(folder, "user_features_pure.csv")).Count() - 1;
        int videos = File.ReadLines(Path.Combine(folder, "video_features_basic_pure.csv")).Count() - 1;
        Assert.Equal(Enumerable.Range(0, 60).Count(i => i * 400 < users && i * 120 < videos), ds.Count);
        Assert.Equal(4, ds.Schema.DenseFeatures.Count);
    }
}
