using System.Globalization;
using System.Text;

namespace Msr.Core.Data.MovieLens;

/// <summary>
/// Writes generated files in the MovieLens-1M format (<c>ratings.dat</c>, <c>users.dat</c>, <c>movies.dat</c>;
/// '::'-separated, ISO-8859-1) for load benchmarks and tests. The values are made up but shaped like ML-1M:
/// user ids 1..<see cref="Users"/>, movie ids 1..<see cref="Movies"/>, ages from the ML-1M age codes, occupations
/// 0-20, five-digit zips, one to three genres per movie joined by '|', ratings 1-5 with roughly the ML-1M
/// distribution and popularity skewed towards low ids. The output depends only on the arguments (seeded).
/// </summary>
public static class MovieLensFileWriter
{
    /// <summary>Users in ML-1M.</summary>
    public const int Users = 6040;
    /// <summary>Movies with at least one rating in ML-1M.</summary>
    public const int Movies = 3706;
    /// <summary>The ML-1M age codes.</summary>
    public static IReadOnlyList<int> AgeCodes { get; } = [1, 18, 25, 35, 45, 50, 56];
    /// <summary>Occupation codes are 0..Occupations-1.</summary>
    public const int Occupations = 21;
    /// <summary>The 18 ML-1M genres.</summary>
    public static IReadOnlyList<string> Genres { get; } =
    [
        "Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary", "Drama", "Fantasy",
        "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi", "Thriller", "War", "Western",
    ];

    // Cumulative share of ratings 1..5 in ML-1M (about 5.6%, 10.8%, 26.1%, 34.9%, 22.6%).
    static readonly double[] RatingCdf = [0.056, 0.164, 0.425, 0.774, 1.0];
    const long FirstTimestamp = 956_703_932;
    const long LastTimestamp = 1_046_454_590;

    /// <summary>
    /// Writes the three files into <paramref name="folder"/> (created if needed): <paramref name="ratings"/> ratings
    /// by users 1..<paramref name="users"/> of movies 1..<paramref name="movies"/>. The first ratings go to users
    /// 1, 2, 3, … in turn and users 1-7 take the seven age codes in order, so any 7 or more ratings cover every age
    /// code (hence every MovieLens scenario).
    /// </summary>
    public static void Write(string folder, long ratings, int seed = 1, int users = Users, int movies = Movies)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ratings);
        ArgumentOutOfRangeException.ThrowIfLessThan(users, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(movies, 1);
        Directory.CreateDirectory(folder);
        var rng = new Random(seed);

        using (var w = Open(Path.Combine(folder, "users.dat")))
            for (int u = 1; u <= users; u++)
            {
                var gender = rng.NextDouble() < 0.72 ? "M" : "F";
                int age = u <= AgeCodes.Count ? AgeCodes[u - 1] : AgeCodes[rng.Next(AgeCodes.Count)];
                int occupation = rng.Next(Occupations);
                var zip = rng.Next(100_000).ToString("D5", CultureInfo.InvariantCulture);
                w.Write(Line(u, gender, age, occupation, zip));
            }

        using (var w = Open(Path.Combine(folder, "movies.dat")))
            for (int m = 1; m <= movies; m++)
            {
                int count = 1 + rng.Next(3);
                var picked = new SortedSet<int>();
                while (picked.Count < count) picked.Add(rng.Next(Genres.Count));
                // An accented title now and then exercises the ISO-8859-1 reading.
                var title = m % 50 == 0 ? $"Café {m}" : $"Movie {m}";
                int year = 1919 + rng.Next(82);
                w.Write(Line(m, $"{title} ({year})", string.Join('|', picked.Select(g => Genres[g]))));
            }

        using (var w = Open(Path.Combine(folder, "ratings.dat")))
            for (long i = 0; i < ratings; i++)
            {
                // Squaring a uniform draw skews activity and popularity towards low ids.
                double a = rng.NextDouble(), b = rng.NextDouble();
                int user = i < users ? (int)i + 1 : 1 + (int)(a * a * users);
                int movie = 1 + (int)(b * b * movies);
                double p = rng.NextDouble();
                int rating = 1;
                while (rating < 5 && p >= RatingCdf[rating - 1]) rating++;
                long timestamp = FirstTimestamp + (long)(rng.NextDouble() * (LastTimestamp - FirstTimestamp));
                w.Write(Line(user, movie, rating, timestamp));
            }
    }

    static StreamWriter Open(string path) => new(path, false, Encoding.Latin1, 1 << 16) { NewLine = "\n" };

    static string Line(params object[] fields) =>
        string.Join("::", fields.Select(f => Convert.ToString(f, CultureInfo.InvariantCulture))) + "\n";
}
