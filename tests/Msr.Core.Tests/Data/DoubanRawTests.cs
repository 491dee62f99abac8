using Msr.Core.Data;
using Msr.Core.Data.Douban;
using Msr.Core.Features;
using Xunit;

namespace Msr.Core.Tests.Data;

public class DoubanRawTests
{
    [Theory]
    [InlineData("2005-03-31", null)]
    [InlineData("2005-04-01", "0")]
    [InlineData("2005-04-30", "0")]
    [InlineData("2005-04-30 08:00:00", "1")]
    [InlineData("2007-07-10", "27")] // as in the processed sample
    [InlineData("2008-01-03", "33")]
    [InlineData("2018-03-31", "155")]
    [InlineData("2018-04-02", null)]
    public void Time_bin_is_the_right_closed_month_from_april_2005(string joinTime, string? bin) =>
        Assert.Equal(bin, DoubanRawLoader.TimeBin(joinTime));

    [Fact]
    public void Time_bin_matches_the_processed_sample_when_present()
    {
        var file = TestData.SharedData("scenario-wise-rec-samples", "douban", "douban_sample.csv");
        if (file is null) return; // real data absent
        using var r = DelimitedReader.Open(file, DelimitedFormat.Csv);
        int ij = r.Column("join_time"), ib = r.Column("time_bin"), checkedRows = 0;
        while (r.Read())
        {
            var expected = r.GetOptional(ib) is { } b ? ((long)double.Parse(b, System.Globalization.CultureInfo.InvariantCulture)).ToString() : null;
            Assert.Equal(expected, DoubanRawLoader.TimeBin(r.GetOptional(ij)));
            checkedRows++;
        }
        Assert.True(checkedRows > 1000);
    }

    internal static void Write(TempDir dir)
    {
        dir.Write("users_cleaned.txt", "UID\tliving_place\tjoin_time\tself_statement\n1\t北京\t2007-07-10\t\"hello\tworld\"\n2\t上海\t2008-01-03\tx\n");
        dir.Write("bookreviews_cleaned.txt", "user_id\tbook_id\trating\tlabels\tcomment\n1\t5\t4\t\t\"good, \"\"very\"\"\"\n2\t9\t3\t\tok\n");
        dir.Write("moviereviews_cleaned.txt", "user_id\tmovie_id\trating\tcomment\n1\t5\t5\tx\n3\t2\t\tno rating\n");
        dir.Write("musicreviews_cleaned.txt", "user_id\tmusic_id\trating\tcomment\n2\t5\t1\tx\n");
    }

    [Fact]
    public void Fixture_offsets_item_ids_joins_users_and_labels_rating_above_3()
    {
        using var dir = new TempDir();
        Write(dir);
        using var ds = DatasetRegistry.Load("douban-raw", dir.Path);
        Assert.Equal(["book", "music", "movie"], ds.Schema.ScenarioNames);
        Assert.Equal([0L, 0, 2, 2, 1], ds.Scenario.data<long>().ToArray());
        Assert.Equal([1f, 0, 1, 0, 0], ds.Label.data<float>().ToArray()); // 3 and missing are negative
        // Items: book 5, 9; movie 5+9=14, 2+9=11; music 5+14=19 → five distinct ids (movie 5 ≠ book 5).
        Assert.Equal(5, ds.Schema.SparseFeatures[1].Vocabulary);
        var sparse = ds.SparseIds().data<long>().ToArray();
        Assert.Equal([0L, 1, 3, 2, 4], Enumerable.Range(0, 5).Select(r => sparse[r * 4 + 1])); // sorted 5, 9, 11, 14, 19
        // User 3 is not in users_cleaned.txt: living place and time bin missing (last ids).
        Assert.Equal(2L, sparse[3 * 4 + 2]);
        Assert.Equal([0L, 1, 0, 2, 1], Enumerable.Range(0, 5).Select(r => sparse[r * 4 + 3])); // bins 27, 33, missing
    }

    [Fact]
    public void Missing_item_column_is_named()
    {
        using var dir = new TempDir();
        Write(dir);
        dir.Write("musicreviews_cleaned.txt", "user_id\tsong_id\trating\n2\t5\t1\n");
        var e = Assert.Throws<DataFormatException>(() => DatasetRegistry.Load("douban-raw", dir.Path));
        Assert.Equal("music_id", e.Field);
    }
}
