using Msr.Core.Data;
using Msr.Core.Data.MovieLens;
using Xunit;

namespace Msr.Core.Tests.Data;

public class MovieLensFileWriterTests
{
    [Fact]
    public void Written_files_load_with_the_movielens_loader_within_the_id_ranges()
    {
        using var dir = new TempDir();
        MovieLensFileWriter.Write(dir.Path, 3000, seed: 5, users: 400, movies: 250);
        Assert.Equal(400, File.ReadLines(Path.Combine(dir.Path, "users.dat")).Count());
        Assert.Equal(250, File.ReadLines(Path.Combine(dir.Path, "movies.dat")).Count());
        using var ds = DatasetRegistry.Load("movielens", dir.Path);
        Assert.Equal(3000, ds.Count);
        Assert.Equal(["age<25 {1,18}", "age 25-34 {25}", "age>=35 {35,45,50,56}"], ds.Schema.ScenarioNames);
        Assert.All(ds.ScenarioCounts(), c => Assert.True(c > 0));

        // The scenario of each row follows the age of its user in users.dat.
        var ages = File.ReadLines(Path.Combine(dir.Path, "users.dat")).Select(l => l.Split("::")).ToDictionary(f => f[0], f => int.Parse(f[2]));
        Assert.All(ages.Values, a => Assert.Contains(a, MovieLensFileWriter.AgeCodes));
        int Scenario(int age) => age < 25 ? 0 : age == 25 ? 1 : 2;
        var expected = File.ReadLines(Path.Combine(dir.Path, "ratings.dat")).Select(l => (long)Scenario(ages[l.Split("::")[0]])).ToArray();
        Assert.Equal(expected, ds.Scenario.data<long>().ToArray());

        int Vocab(string f) => ds.Schema.SparseFeatures[ds.Schema.SparseIndex(f)].Vocabulary;
        Assert.InRange(Vocab("user_id"), 400, 400); // the first 400 ratings go to users 1..400
        Assert.InRange(Vocab("movie_id"), 2, 250);
        Assert.InRange(Vocab("gender"), 1, 2);
        Assert.InRange(Vocab("occupation"), 2, MovieLensFileWriter.Occupations);
        Assert.InRange(Vocab("zip"), 2, 400);
        Assert.InRange(Vocab("cate_id"), 2, MovieLensFileWriter.Genres.Count);
        double positive = ds.Label.mean().item<float>();
        Assert.InRange(positive, 0.45, 0.70); // about 57.5% of ML-1M ratings are > 3
    }

    [Fact]
    public void Default_ranges_are_those_of_ml1m()
    {
        using var dir = new TempDir();
        MovieLensFileWriter.Write(dir.Path, 200, seed: 1);
        var users = File.ReadLines(Path.Combine(dir.Path, "users.dat")).Select(l => l.Split("::")).ToList();
        Assert.Equal(MovieLensFileWriter.Users, users.Count);
        Assert.All(users, u => Assert.InRange(int.Parse(u[3]), 0, 20));
        Assert.All(users, u => Assert.Matches("^[0-9]{5}$", u[4]));
        var movies = File.ReadLines(Path.Combine(dir.Path, "movies.dat"), System.Text.Encoding.Latin1).Select(l => l.Split("::")).ToList();
        Assert.Equal(MovieLensFileWriter.Movies, movies.Count);
        Assert.All(movies, m => Assert.All(m[2].Split('|'), g => Assert.Contains(g, MovieLensFileWriter.Genres)));
        Assert.Contains(movies, m => m[1].Contains('é'));
        var ratings = File.ReadLines(Path.Combine(dir.Path, "ratings.dat")).Select(l => l.Split("::").Select(long.Parse).ToArray()).ToList();
        Assert.Equal(200, ratings.Count);
        Assert.All(ratings, r =>
        {
            Assert.InRange(r[0], 1, MovieLensFileWriter.Users);
            Assert.InRange(r[1], 1, MovieLensFileWriter.Movies);
            Assert.InRange(r[2], 1, 5);
        });
    }

    [Fact]
    public void Same_seed_same_bytes_other_seed_other_ratings()
    {
        using var a = new TempDir();
        using var b = new TempDir();
        using var c = new TempDir();
        MovieLensFileWriter.Write(a.Path, 500, seed: 3, users: 100, movies: 80);
        MovieLensFileWriter.Write(b.Path, 500, seed: 3, users: 100, movies: 80);
        MovieLensFileWriter.Write(c.Path, 500, seed: 4, users: 100, movies: 80);
        foreach (var f in new[] { "ratings.dat", "users.dat", "movies.dat" })
            Assert.Equal(File.ReadAllBytes(Path.Combine(a.Path, f)), File.ReadAllBytes(Path.Combine(b.Path, f)));
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(a.Path, "ratings.dat")), File.ReadAllBytes(Path.Combine(c.Path, "ratings.dat")));
    }
}
