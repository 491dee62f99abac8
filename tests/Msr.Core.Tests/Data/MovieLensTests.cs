using System.Text;
using Msr.Core.Data;
using Msr.Core.Features;
using Xunit;

namespace Msr.Core.Tests.Data;

public class MovieLensTests
{
    static void WriteMl1M(TempDir dir)
    {
        dir.Write("users.dat", "1::F::1::10::48067\n2::M::56::16::70072\n3::M::25::15::55117\n4::M::45::7::02460\n", Encoding.Latin1);
        dir.Write("movies.dat", "1::Toy Story (1995)::Animation|Children's|Comedy\n2::Jumanji (1995)::Adventure|Children's|Fantasy\n" +
                                "3::Café (1990)::Comedy\n", Encoding.Latin1);
        dir.Write("ratings.dat", "1::1::5::978300760\n1::2::3::978302109\n2::3::4::978301968\n3::1::4::978300275\n3::3::1::978824291\n4::2::5::978300760\n");
    }

    [Fact]
    public void Ml1M_fixture_scenarios_labels_vocabularies_and_dense_age()
    {
        using var dir = new TempDir();
        WriteMl1M(dir);
        using var ds = DatasetRegistry.Load("movielens", dir.Path);
        Assert.Equal(6, ds.Count);
        Assert.Equal(3, ds.Schema.ScenarioCount);
        // Users 1 (age 1) → s0, 2 (56) → s2, 3 (25) → s1, 4 (45) → s2.
        Assert.Equal([0L, 0, 2, 1, 1, 2], ds.Scenario.data<long>().ToArray());
        Assert.Equal([1f, 0, 1, 1, 0, 1], ds.Label.data<float>().ToArray());
        Assert.Equal(["user_id", "movie_id", "gender", "occupation", "zip", "cate_id", "age_value"], ds.Schema.Features.Select(f => f.Name));
        Assert.Equal([4, 3, 2, 4, 4, 3], ds.Schema.SparseFeatures.Select(f => f.Vocabulary));
        // cate_id is the first genre: Animation, Adventure, Comedy → sorted ids Adventure 0, Animation 1, Comedy 2.
        var sparse = ds.SparseIds().data<long>().ToArray();
        Assert.Equal([1L, 0, 2, 1, 2, 0], Enumerable.Range(0, 6).Select(r => sparse[r * 6 + 5]));
        // Dense age MinMax over the table: ages 1, 1, 56, 25, 25, 45 → (age−1)/55.
        var age = ds.Dense.data<float>().ToArray();
        Assert.Equal(0f, age[0]);
        Assert.Equal(1f, age[2]);
        Assert.Equal(24f / 55f, age[3], 1e-6f);
    }

    [Fact]
    public void Ml1M_rating_for_unknown_user_is_an_error_naming_file_and_line()
    {
        using var dir = new TempDir();
        WriteMl1M(dir);
        File.AppendAllText(Path.Combine(dir.Path, "ratings.dat"), "9::1::5::978300760\n");
        var e = Assert.Throws<DataFormatException>(() => DatasetRegistry.Load("movielens", dir.Path));
        Assert.EndsWith("ratings.dat", e.File);
        Assert.Equal(7, e.Line);
        Assert.Contains("line 7", e.Message);
    }

    internal static void WriteMl100K(TempDir dir)
    {
        string flags(params int[] on) => string.Join("|", Enumerable.Range(0, 19).Select(i => on.Contains(i) ? "1" : "0"));
        dir.Write("u.user", "1|24|M|technician|85711\n2|53|F|other|94043\n3|17|M|student|32067\n4|30|F|writer|00000\n");
        dir.Write("u.item", $"1|Toy Story (1995)|01-Jan-1995||http://x|{flags(3, 4, 5)}\n2|GoldenEye (1995)|01-Jan-1995||http://y|{flags(1, 2, 16)}\n" +
                            $"3|Unknown|||http://z|{flags()}\n", Encoding.Latin1);
        dir.Write("u.data", "1\t1\t5\t881250949\n2\t2\t3\t891717742\n3\t3\t4\t878887116\n4\t1\t4\t880606923\n");
    }

    [Fact]
    public void Ml100K_fixture_bins_ages_like_ml1m_and_takes_first_flagged_genre()
    {
        using var dir = new TempDir();
        WriteMl100K(dir);
        using var ds = DatasetRegistry.Load("movielens-100k", dir.Path);
        // Ages 24 → 18 (s0), 53 → 50 (s2), 17 → 1 (s0), 30 → 25 (s1).
        Assert.Equal([0L, 2, 0, 1], ds.Scenario.data<long>().ToArray());
        Assert.Equal([1f, 0, 1, 1], ds.Label.data<float>().ToArray());
        // First genres: item 1 Animation, item 2 Action, item 3 none (missing → extra last id).
        var cate = ds.Schema.SparseIndex("cate_id");
        var sparse = ds.SparseIds().data<long>().ToArray();
        Assert.Equal([1L, 0, 2, 1], Enumerable.Range(0, 4).Select(r => sparse[r * 6 + cate]));
        Assert.Equal(3, ds.Schema.SparseFeatures[cate].Vocabulary);
        // Dense age is the age code: 18, 50, 1, 25 → MinMax over [1, 50].
        Assert.Equal([17f / 49f, 1f, 0f, 24f / 49f], ds.Dense.data<float>().ToArray());
    }

    [Fact]
    public void Ml100K_without_any_user_aged_25_to_34_is_an_empty_scenario_error()
    {
        using var dir = new TempDir();
        WriteMl100K(dir);
        dir.Write("u.user", "1|24|M|technician|85711\n2|53|F|other|94043\n3|17|M|student|32067\n4|40|F|writer|00000\n");
        var e = Assert.Throws<DataFormatException>(() => DatasetRegistry.Load("movielens-100k", dir.Path));
        Assert.Contains("has no rows", e.Message);
        Assert.Contains("u.data", e.Message);
        Assert.Equal("age", e.Field);
    }

    [Fact]
    public void Ml100K_real_files_when_present_match_counts_computed_with_linq()
    {
        var folder = TestData.SharedData("movielens-100k");
        if (folder is null) return; // real data absent (fresh clone): nothing to check
        using var ds = DatasetRegistry.Load("movielens-100k", folder);

        var ages = File.ReadLines(Path.Combine(folder, "u.user")).Select(l => l.Split('|'))
            .ToDictionary(f => f[0], f => int.Parse(f[1]));
        int Scenario(int age) => age < 25 ? 0 : age < 35 ? 1 : 2;
        var ratings = File.ReadLines(Path.Combine(folder, "u.data")).Select(l => l.Split('\t'))
            .Select(f => (User: f[0], Item: f[1], Rating: int.Parse(f[2]))).ToList();
        Assert.Equal(100_000, ds.Count);
        var expected = ratings.GroupBy(r => Scenario(ages[r.User])).OrderBy(g => g.Key).Select(g => (long)g.Count()).ToArray();
        Assert.Equal(expected, ds.ScenarioCounts());
        Assert.Equal(ratings.Count(r => r.Rating > 3), (long)ds.Label.sum().item<float>());
        Assert.Equal(943, ds.Schema.SparseFeatures[0].Vocabulary);
        Assert.Equal(1682, ds.Schema.SparseFeatures[1].Vocabulary);
        Assert.Equal(21, ds.Schema.SparseFeatures[ds.Schema.SparseIndex("occupation")].Vocabulary);
    }
}
