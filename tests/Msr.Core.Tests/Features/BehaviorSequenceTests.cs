using Msr.Core.Data;
using Msr.Core.Features;
using Msr.Core.Tests.Data;
using Xunit;

namespace Msr.Core.Tests.Features;

public class BehaviorSequenceTests
{
    [Fact]
    public void History_holds_only_strictly_earlier_events_of_the_same_user_right_aligned()
    {
        // Rows out of time order on purpose; user 0: t=5 item 3, t=1 item 1, t=3 item 2, t=3 item 4 ; user 1: t=2 item 9.
        long[] users = [0, 0, 1, 0, 0];
        long[] items = [3, 1, 9, 2, 4];
        double[] times = [5, 1, 2, 3, 3];
        var h = BehaviorSequences.Build(users, items, times, 2);
        long[] Row(int r) => h[(r * 2)..(r * 2 + 2)];
        Assert.Equal([0L, 0], Row(1)); // first event: empty history
        Assert.Equal([0L, 2], Row(3)); // t=3: only item 1 (+1); the other t=3 event is not "before"
        Assert.Equal([0L, 2], Row(4));
        Assert.Equal([3L, 5], Row(0)); // t=5: last two of items 1, 2, 4 → 2, 4 (+1); tie kept in row order
        Assert.Equal([0L, 0], Row(2)); // another user's events never leak in

        var clicks = BehaviorSequences.Build(users, items, times, 3, include: r => r != 3);
        Assert.Equal([0L, 2, 5], clicks[0..3]);
    }

    [Fact]
    public void MovieLens_history_option_adds_a_sequence_feature()
    {
        using var dir = new TempDir();
        dir.Write("users.dat", "1::F::1::10::48067\n2::M::25::16::70072\n3::M::35::15::55117\n");
        dir.Write("movies.dat", "1::A (1995)::Comedy\n2::B (1995)::Drama\n3::C (1990)::Comedy\n");
        dir.Write("ratings.dat", "1::1::5::300\n1::2::3::100\n1::3::4::200\n2::1::4::50\n3::2::2::10\n");
        using var ds = DatasetRegistry.Load("movielens", dir.Path, new Settings([new("history", "2")]));
        var f = Assert.Single(ds.Schema.SequenceFeatures);
        Assert.Equal(("hist_movie_id", 4, 2), (f.Name, f.Vocabulary, f.SequenceLength));
        var h = ds.Sequences["hist_movie_id"].data<long>().ToArray();
        Assert.Equal([2L, 3], h[0..2]); // user 1 at t=300: movies 2 (t=100), 3 (t=200) → ids 1, 2 → +1
        Assert.Equal([0L, 0], h[2..4]);
        Assert.Equal([0L, 2], h[4..6]);
    }

    /// <summary>
    /// With min_freq 2, users 2 and 3 (one rating each) share the out-of-vocabulary id. Histories still group by the
    /// user, so user 3's rating does not see user 2's earlier one.
    /// </summary>
    [Theory]
    [InlineData("transductive")]
    [InlineData("train-only")]
    public void Users_sharing_the_out_of_vocabulary_id_keep_their_own_histories(string encoder)
    {
        using var dir = new TempDir();
        dir.Write("users.dat", "1::F::1::10::48067\n2::M::25::16::70072\n3::M::35::15::55117\n");
        dir.Write("movies.dat", "1::A (1995)::Comedy\n2::B (1995)::Drama\n3::C (1990)::Comedy\n");
        dir.Write("ratings.dat", "1::1::5::100\n1::2::3::200\n1::3::4::300\n2::1::4::150\n3::2::2::250\n");
        using var ds = DatasetRegistry.Load("movielens", dir.Path,
            new Settings([new("history", "3"), new("min_freq", "2"), new("encoder", encoder), new("split_seed", "1")]));
        var users = ds.Sparse.select(1, ds.Schema.SparseIndex("user_id")).data<int>().ToArray();
        Assert.Equal(users[3], users[4]);                               // users 2 and 3: one id
        var h = ds.Sequences["hist_movie_id"].data<long>().ToArray();
        Assert.Equal([0L, 0, 0], h[12..15]);                            // user 3 at t=250: nothing of user 2's
        Assert.Equal([0L, 0, 0], h[9..12]);
        Assert.Equal(1, h[6..9].Count(v => v == 0));                     // user 1 at t=300: its two earlier ratings
    }
}

public sealed class SharedEventOrderTests
{
    [Fact]
    public void An_item_history_and_its_attribute_history_release_the_time_column_once_both_are_built()
    {
        var table = new RawTable();
        var (user, item, cate, page, time, click) = (table.AddCategorical("user"), table.AddCategorical("item"), table.AddCategorical("cate"),
            table.AddCategorical("page"), table.AddNumeric("time"), table.AddNumeric("click"));
        for (int r = 0; r < 12; r++)
        {
            user.Add($"u{r % 3}"); item.Add($"i{r % 5}"); cate.Add($"c{r % 5 % 2}"); page.Add(r % 2 == 0 ? "a" : "b");
            time.Add(r); click.Add(r % 3 == 0 ? 1 : 0);
        }
        var layout = new TableLayout(
            [new("user"), new("item"), new("cate")], [], "click", ScenarioRule.ByValue("page"),
            [new("hist_item", "user", "item", "time", 2), new("hist_cate", "user", "cate", "time", 2)]);
        using var data = DatasetEncoder.Encode("t", table, layout, new EncodingOptions());
        Assert.Equal(data.Sequences["hist_item"].eq(0).data<bool>().ToArray(), data.Sequences["hist_cate"].eq(0).data<bool>().ToArray());
        // The encoder frees each raw column after its last read; the shared order reads the time column once.
        Assert.Throws<InvalidOperationException>(() => table.Numeric("time").Values.Length);
    }
}
