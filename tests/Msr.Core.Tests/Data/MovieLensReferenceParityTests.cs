using System.Text;
using Msr.Core.Data;
using Msr.Core.Data.MovieLens;
using Xunit;

namespace Msr.Core.Tests.Data;

/// <summary>
/// The <c>movielens</c> loader against the reference benchmark's own MovieLens-1M run-time preprocessing, on a
/// fixture the test writes (no external data, so this always runs).
///
/// The fixture: <c>MovieLensFileWriter.Write(folder, 3000, seed: 2026, users: 300, movies: 1000)</c> (all seven age
/// codes, ratings 1-5, movies with one to three genres, 864 of the 1,000 movies rated, zips with leading zeros,
/// ISO-8859-1 titles), and the same files with two users given zips of the forms the real ML-1M <c>users.dat</c> has
/// besides five digits: ZIP+4 (user 4: "19478-1522") and six digits (user 6: "949702"). With those, pandas reads the
/// merged file's zip column as strings (sorted as text: "94881" &lt; "949702" &lt; "95017", leading zeros kept); without
/// them as integers (leading zeros dropped, sorted as numbers). Both give the same ids as ours. The merged
/// <c>ml-1m.csv</c> is the reference's input layout (<c>user_id,movie_id,rating,timestamp,title,genres,gender,age,
/// occupation,zip</c>, UTF-8, one row per rating in <c>ratings.dat</c> order, as in the public samples of that file).
///
/// Where the literals come from: on 2026-11-22 the dataset function that the reference's MovieLens run script calls
/// (Xiaopengli1/Scenario-Wise-Rec, scripts/run_movielens_rank_multi_domain.py, commit 167ea86: first genre as cate_id,
/// age groups → domain_indicator, MinMaxScaler on age, LabelEncoder on each sparse column over the whole table,
/// rating &gt; 3) was run with Debian's Python (pandas 1.5, scikit-learn 1.2) on the merged CSV of this fixture, written
/// from the files MovieLensFileWriter produced with seed 2026, and the fingerprints below were computed from its
/// output. None of the reference's code is in this repository. Ours matched it on every row, from the .dat files and
/// from the merged CSV, in both zip variants; the dense age bit for bit in float32 (the reference's DenseFeature is
/// cast to float32). Our dense column is named <c>age_value</c>, the reference's <c>age</c>.
///
/// Fingerprints, over rows i = 0..N-1 in file order: per sparse column the vocabulary (distinct values), Σv, Σi·v and
/// Σv²; for age Σv, Σi·v, Σv² and the first five values; scenario and label counts and Σi·s, Σi·y.
/// </summary>
public sealed class MovieLensReferenceParityTests
{
    const int Ratings = 3000, Seed = 2026, Users = 300, Movies = 1000;

    sealed record SparseExpect(string Name, int Vocabulary, long Sum, long WeightedSum, long SquareSum);

    static readonly SparseExpect[] Sparse =
    [
        new("user_id", 300, 313341, 450692440, 56769947),
        new("movie_id", 864, 879083, 1326616410, 458080157),
        new("gender", 2, 2139, 3217732, 2139),
        new("occupation", 21, 29626, 44472187, 405718),
        new("zip", 300, 440073, 655156955, 89057669),
        new("cate_id", 18, 17469, 26322329, 171873),
    ];

    // Only the zip column changes with the ML-1M zip forms.
    static readonly SparseExpect Ml1mZip = new("zip", 300, 444525, 662791797, 90459149);
    // Zip ids of rows 1, 3 and 5 (users 2, 4, 6; the first 300 ratings go to users 1..300 in turn).
    static readonly long[] ZipIds = [22, 62, 35];
    static readonly long[] Ml1mZipIds = [22, 61, 281];

    const double AgeSum = 1665.872731089592, AgeWeightedSum = 2470037.5327835083, AgeSquareSum = 1263.4000025359312;
    static readonly double[] AgeHead = [0.0, 0.30909091234207153, 0.4363636374473572, 0.6181818246841431, 0.800000011920929];
    static readonly long[] ScenarioCounts = [832, 484, 1684];
    const long ScenarioWeighted = 5695336;
    static readonly long[] LabelCounts = [1300, 1700];
    const long LabelWeighted = 2531682;

    public static TheoryData<bool, string> Cases => new()
    {
        { false, "dat" }, { false, "csv" }, { false, "csv-file" },
        { true, "dat" }, { true, "csv" }, { true, "csv-file" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Fixture_encodes_as_the_reference_preprocessing_does(bool ml1mZips, string form)
    {
        using var dir = new TempDir();
        MovieLensFileWriter.Write(dir.Path, Ratings, Seed, Users, Movies);
        if (ml1mZips) PatchZips(Path.Combine(dir.Path, "users.dat"), new() { ["4"] = z => z + "-1522", ["6"] = _ => "949702" });
        // "csv": a folder holding only the merged file; "csv-file": the merged file named directly, beside the .dat files.
        var merged = Path.Combine(form == "csv" ? Path.Combine(dir.Path, "merged") : dir.Path, "ml-1m.csv");
        WriteMerged(dir.Path, merged);
        var path = form switch { "dat" => dir.Path, "csv" => Path.GetDirectoryName(merged)!, _ => merged };

        using var data = DatasetRegistry.Load("movielens", path);

        Assert.Equal(Ratings, data.Count);
        var expected = Sparse.Select(s => s.Name == "zip" && ml1mZips ? Ml1mZip : s).ToArray();
        Assert.Equal(expected.Select(s => s.Name), data.Schema.SparseFeatures.Select(f => f.Name));
        for (int j = 0; j < expected.Length; j++)
        {
            var s = expected[j];
            var v = data.SparseIds().select(1, j).contiguous().data<long>().ToArray();
            long sum = 0, weighted = 0, squares = 0;
            for (int i = 0; i < v.Length; i++) { sum += v[i]; weighted += i * v[i]; squares += v[i] * v[i]; }
            Assert.Equal((s.Name, s.Vocabulary, s.Sum, s.WeightedSum, s.SquareSum),
                (s.Name, data.Schema.SparseFeatures[j].Vocabulary, sum, weighted, squares));
            if (s.Name == "zip") Assert.Equal(ml1mZips ? Ml1mZipIds : ZipIds, new[] { v[1], v[3], v[5] });
        }

        Assert.Equal(["age_value"], data.Schema.DenseFeatures.Select(f => f.Name));
        var age = data.Dense.select(1, 0).contiguous().data<float>().ToArray();
        double aSum = 0, aWeighted = 0, aSquares = 0;
        for (int i = 0; i < age.Length; i++) { aSum += age[i]; aWeighted += i * (double)age[i]; aSquares += (double)age[i] * age[i]; }
        Assert.True(Math.Abs(AgeSum - aSum) < 1e-6, $"age: Σv {aSum}, reference {AgeSum}");
        Assert.True(Math.Abs(AgeWeightedSum - aWeighted) < 1e-6, $"age: Σi·v {aWeighted}, reference {AgeWeightedSum}");
        Assert.True(Math.Abs(AgeSquareSum - aSquares) < 1e-6, $"age: Σv² {aSquares}, reference {AgeSquareSum}");
        for (int i = 0; i < AgeHead.Length; i++) Assert.Equal(AgeHead[i], age[i], 1e-6);

        var scenario = data.Scenario.data<long>().ToArray();
        var label = data.Label.data<float>().ToArray();
        Assert.Equal(ScenarioCounts.Length, data.Schema.ScenarioCount);
        Assert.Equal(ScenarioCounts, data.ScenarioCounts());
        Assert.Equal(ScenarioWeighted, scenario.Select((s, i) => i * s).Sum());
        Assert.Equal(LabelCounts, new long[] { label.LongCount(y => y == 0), label.LongCount(y => y == 1) });
        Assert.Equal(LabelWeighted, label.Select((y, i) => (long)(i * y)).Sum());
    }

    /// <summary>Replaces the zip (last field) of the named users in users.dat.</summary>
    static void PatchZips(string usersFile, Dictionary<string, Func<string, string>> patch)
    {
        var lines = File.ReadAllLines(usersFile, Encoding.Latin1).Select(line =>
        {
            var f = line.Split("::");
            if (patch.TryGetValue(f[0], out var p)) f[4] = p(f[4]);
            return string.Join("::", f);
        });
        File.WriteAllText(usersFile, string.Concat(lines.Select(l => l + "\n")), Encoding.Latin1);
    }

    /// <summary>
    /// The reference's merged ml-1m.csv from the three .dat files in <paramref name="folder"/>: ratings in file order,
    /// each joined with its movie and user, the text of every field kept; a field is quoted only when it needs it.
    /// </summary>
    static void WriteMerged(string folder, string target)
    {
        string[] Fields(string line) => line.Split("::");
        var movies = File.ReadLines(Path.Combine(folder, "movies.dat"), Encoding.Latin1).Select(Fields).ToDictionary(f => f[0]);
        var users = File.ReadLines(Path.Combine(folder, "users.dat"), Encoding.Latin1).Select(Fields).ToDictionary(f => f[0]);
        static string Csv(string s) => s.IndexOfAny([',', '"', '\n', '\r']) < 0 ? s : "\"" + s.Replace("\"", "\"\"") + "\"";
        var text = new StringBuilder("user_id,movie_id,rating,timestamp,title,genres,gender,age,occupation,zip\n");
        foreach (var r in File.ReadLines(Path.Combine(folder, "ratings.dat")).Select(Fields))
        {
            var (m, u) = (movies[r[1]], users[r[0]]);
            text.AppendJoin(',', [r[0], r[1], r[2], r[3], Csv(m[1]), Csv(m[2]), u[1], u[2], u[3], u[4]]).Append('\n');
        }
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.WriteAllText(target, text.ToString(), new UTF8Encoding(false));
    }
}
