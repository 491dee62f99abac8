using System.Globalization;

namespace Msr.Core;

/// <summary>
/// String key/value options (from the CLI, the DSL or a result record) read with typed defaults.
/// Every read is remembered, so that (1) a misspelt key is reported instead of silently ignored
/// and (2) the fully resolved configuration, defaults included, can be written to the result record.
/// </summary>
public sealed class Settings
{
    readonly Dictionary<string, string> _given;
    readonly SortedDictionary<string, string> _resolved = new(StringComparer.Ordinal);
    // Null: a bad value throws (normal use). A list: it is recorded here and the fallback is used, so a
    // plan checker can report every bad value at once (see Checking).
    readonly List<string>? _problems;

    public Settings(IEnumerable<KeyValuePair<string, string>>? given = null)
    {
        _given = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (k, v) in given ?? []) _given[Normalize(k)] = v;
    }

    public static Settings Empty => new();

    /// <summary>
    /// Settings that record a bad value in <see cref="Problems"/> and use the fallback instead of throwing, so one
    /// pass over a reader (trainer options, a loader's options) lists every problem, not only the first.
    /// </summary>
    public static Settings Checking(IEnumerable<KeyValuePair<string, string>>? given) => new(given, collectProblems: true);

    Settings(IEnumerable<KeyValuePair<string, string>>? given, bool collectProblems) : this(given) =>
        _problems = collectProblems ? [] : null;

    /// <summary>Bad values met so far (only for <see cref="Checking"/> settings; else always empty).</summary>
    public IReadOnlyList<string> Problems => _problems ?? [];

    /// <summary>Given keys never read so far (misspelt or meaningless for the reader), in key order.</summary>
    public IReadOnlyList<string> UnusedKeys => [.. _given.Keys.Where(k => !_resolved.ContainsKey(k)).OrderBy(k => k, StringComparer.Ordinal)];

    /// <summary>A key as settings compare it: trimmed, lower case, '-' read as '_'.</summary>
    public static string NormalizeKey(string key) => Normalize(key);

    /// <summary>
    /// The first key given more than once (also when spelt differently, as top-k and top_k), described as
    /// <c>'rows' is given 2 times (rows=3000, rows=2000)</c>, or null. Settings keep the last value of a repeated key
    /// without a word, so a command line checks its options with this first.
    /// </summary>
    public static string? RepeatedKey(IEnumerable<KeyValuePair<string, string>> given) =>
        given.GroupBy(kv => Normalize(kv.Key)).FirstOrDefault(g => g.Count() > 1) is { } repeated
            ? $"'{repeated.Key}' is given {repeated.Count()} times ({string.Join(", ", repeated.Select(kv => $"{kv.Key}={kv.Value}"))})"
            : null;

    /// <summary>Every key read so far with the value used (given or default), in key order.</summary>
    public IReadOnlyDictionary<string, string> Resolved => _resolved;

    public IReadOnlyDictionary<string, string> Given => _given;

    public string String(string key, string fallback) => Record(key, _given.GetValueOrDefault(Normalize(key)) ?? fallback);

    public string? OptionalString(string key)
    {
        var v = _given.GetValueOrDefault(Normalize(key));
        if (v is not null) Record(key, v);
        return v;
    }

    public int Int(string key, int fallback, int min = int.MinValue, int max = int.MaxValue) =>
        Parse(key, fallback, s => int.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture), "an integer",
            v => v >= min && v <= max, $"between {min} and {max}");

    public long Long(string key, long fallback, long min = long.MinValue) =>
        Parse(key, fallback, s => long.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture), "an integer",
            v => v >= min, $">= {min}");

    public double Double(string key, double fallback, double min = double.NegativeInfinity, double max = double.PositiveInfinity) =>
        Parse(key, fallback, s => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture), "a number",
            v => double.IsFinite(v) && v >= min && v <= max, $"a finite number between {min} and {max}");

    public bool Bool(string key, bool fallback) =>
        Parse(key, fallback, s => s.ToLowerInvariant() switch
        {
            "true" or "yes" or "1" or "on" => true,
            "false" or "no" or "0" or "off" => false,
            _ => throw new FormatException(),
        }, "true or false", _ => true, "");

    /// <summary>A list of positive integers written like <c>[128,64]</c>, <c>128,64</c> or <c>128-64</c>.</summary>
    public int[] Dims(string key, int[] fallback) =>
        Parse(key, fallback, ParseDims, "a list of layer widths like [128,64]", v => v.All(x => x > 0), "positive widths");

    // '-' separates widths only between two numbers: "-4" or "16,-8" is a sign typed by mistake, not "4" or "16,8".
    static int[] ParseDims(string text) =>
        [.. text.Trim('[', ']', ' ').Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(group => group.Split('-'))
            .Select(x => int.Parse(x, NumberStyles.None, CultureInfo.InvariantCulture))];

    /// <summary>One of <paramref name="choices"/> (case-insensitive), returned in its declared spelling.</summary>
    public string Choice(string key, string fallback, IReadOnlyList<string> choices) =>
        Parse(key, fallback, s => choices.FirstOrDefault(c => string.Equals(c, s.Trim(), StringComparison.OrdinalIgnoreCase)) ?? throw new FormatException(),
            "one of " + string.Join(", ", choices), _ => true, "");

    /// <summary>A list of names written like <c>[user_id,movie_id]</c> or <c>user_id,movie_id</c>; <c>[]</c> is the empty list.</summary>
    public string[] Names(string key, string[] fallback) =>
        Parse(key, fallback, s => s.Trim().Trim('[', ']').Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            "a list of names like [user_id,item_id]", _ => true, "");

    /// <summary>Throws if a given key was never read: it is misspelt or meaningless for <paramref name="owner"/>.</summary>
    public void EnsureAllUsed(string owner)
    {
        var unknown = UnusedKeys;
        if (unknown.Count > 0)
            throw new ArgumentException(
                $"unknown option{(unknown.Count > 1 ? "s" : "")} {string.Join(", ", unknown.Select(u => $"'{u}'"))} for {owner}; " +
                $"known options: {string.Join(", ", _resolved.Keys)}");
    }

    T Parse<T>(string key, T fallback, Func<string, T> parse, string expected, Func<T, bool> valid, string rangeText)
    {
        var raw = _given.GetValueOrDefault(Normalize(key));
        T value;
        if (raw is null) value = fallback;
        else
        {
            try { value = parse(raw); }
            catch (Exception e) when (e is FormatException or OverflowException)
            {
                return Fail($"option '{key}': '{raw}' is not {expected}", key, fallback);
            }
            if (!valid(value)) return Fail($"option '{key}': {raw} must be {rangeText}", key, fallback);
        }
        Record(key, Format(value));
        return value;
    }

    T Fail<T>(string problem, string key, T fallback)
    {
        if (_problems is null) throw new ArgumentException(problem);
        _problems.Add(problem);
        Record(key, Format(fallback));
        return fallback;
    }

    string Record(string key, string value)
    {
        _resolved[Normalize(key)] = value;
        return value;
    }

    static string Format<T>(T value) => value switch
    {
        int[] dims => "[" + string.Join(",", dims) + "]",
        string[] names => "[" + string.Join(",", names) + "]",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value?.ToString() ?? "",
    };

    static string Normalize(string key) => key.Trim().Replace('-', '_').ToLowerInvariant();
}
