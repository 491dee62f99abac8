using Xunit;
using System.Text.Json;
using Msr.Core.Stats;

namespace Msr.Core.Tests.Stats;

/// <summary>Loads scipy-reference.json (copied to the test output) and offers the comparison helpers.</summary>
internal static class ScipyReference
{
    /// <summary>Agreement required where SciPy's value is exact up to floating point.</summary>
    public const double Exact = 1e-9;

    private static readonly Lazy<Dictionary<string, JsonElement>> Cases = new(() =>
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Stats", "scipy-reference.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("cases").EnumerateArray()
            .ToDictionary(c => c.GetProperty("id").GetString()!, c => c.Clone());
    });

    public static IEnumerable<object[]> Ids(string kind) =>
        Cases.Value.Where(kv => kv.Value.GetProperty("kind").GetString() == kind).Select(kv => new object[] { kv.Key });

    public static JsonElement Case(string id) => Cases.Value[id];

    public static int Count => Cases.Value.Count;

    public static string ScipyVersion
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "Stats", "scipy-reference.json");
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            return doc.RootElement.GetProperty("scipy").GetString()!;
        }
    }

    public static double[] Doubles(this JsonElement c, string name) =>
        c.GetProperty(name).EnumerateArray().Select(e => e.GetDouble()).ToArray();

    public static double Double(this JsonElement c, string name) => c.GetProperty(name).GetDouble();

    public static string Str(this JsonElement c, string name) => c.GetProperty(name).GetString()!;

    public static Alternative Alt(this JsonElement c) => ParseAlternative(c.Str("alternative"));

    public static Alternative ParseAlternative(string s) => s switch
    {
        "two-sided" => Alternative.TwoSided,
        "greater" => Alternative.Greater,
        "less" => Alternative.Less,
        _ => throw new ArgumentException(s),
    };

    /// <summary>|actual − expected| ≤ rel·|expected| (plus 1e-15 absolute so an expected 0 is reachable).</summary>
    public static void Close(double expected, double actual, double rel = Exact, string? what = null)
    {
        double tol = rel * Math.Abs(expected) + 1e-15;
        Assert.True(Math.Abs(actual - expected) <= tol,
            $"{what}: expected {expected:R}, got {actual:R} (|diff| {Math.Abs(actual - expected):E2} > tol {tol:E2})");
    }

    public static void Close(IReadOnlyList<double> expected, IReadOnlyList<double> actual, double rel = Exact, string? what = null)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++) Close(expected[i], actual[i], rel, $"{what}[{i}]");
    }
}
