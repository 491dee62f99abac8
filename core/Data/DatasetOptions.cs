using System.Globalization;

namespace Msr.Core.Data;

/// <summary>What kind of value a loader option takes (shown by <c>msr datasets list</c> and in plan errors).</summary>
public enum DatasetOptionKind { Integer, Number, Boolean, Text, Choice, Names }

/// <summary>
/// One declared loader option: name, kind, default and a one-line meaning. Loaders read their options only through
/// these declarations, so what a plan is checked against before any file is opened and what the loader reads are the
/// same list (a test loads every loader and compares what it read with what it declares).
/// </summary>
public abstract class DatasetOption(string name, string description, bool required = false)
{
    public string Name { get; } = name;
    public string Description { get; } = description;
    /// <summary>The loader cannot run without it (e.g. the custom CSV loader's label column).</summary>
    public bool Required { get; } = required;
    public abstract DatasetOptionKind Kind { get; }
    /// <summary>The default as it would be written in a plan, or a phrase saying how it is chosen.</summary>
    public abstract string DefaultText { get; }
    /// <summary>Allowed values of a <see cref="DatasetOptionKind.Choice"/> option, else null.</summary>
    public virtual IReadOnlyList<string>? Choices => null;

    /// <summary>Why <paramref name="raw"/> is not a valid value (naming the option), or null if it is.</summary>
    public string? Problem(string raw)
    {
        var given = Settings.Checking([KeyValuePair.Create(Name, raw)]);
        ReadRaw(given);
        return given.Problems.Count > 0 ? given.Problems[0] : null;
    }

    /// <summary>
    /// The value as the loader reads it, in one spelling: <c>[cate_id]</c> and <c>cate_id</c>, <c>yes</c> and <c>true</c>,
    /// <c>020</c> and <c>20</c> give the same text, so that the dataset cache and run ids do not tell apart what loads the same.
    /// A value the option refuses is kept as given (trimmed): its load fails with the option's own message.
    /// </summary>
    public string Canonical(string raw)
    {
        var given = Settings.Checking([KeyValuePair.Create(Name, raw)]);
        ReadRaw(given);
        return given.Problems.Count == 0 && given.Resolved.TryGetValue(Name, out var value) ? value : raw.Trim();
    }

    /// <summary>Parses the option from settings that hold it.</summary>
    protected abstract void ReadRaw(Settings given);

    /// <summary>"name (kind, default D): meaning", one line for listings.</summary>
    public override string ToString() =>
        $"{Name} ({Kind.ToString().ToLowerInvariant()}{(Required ? ", required" : $", default {DefaultText}")}): {Description}";

    public static IntDatasetOption Int(string name, string description, int defaultValue, int min = int.MinValue, int max = int.MaxValue) =>
        new(name, description, defaultValue, min, max);
    public static LongDatasetOption Long(string name, string description, long defaultValue) => new(name, description, defaultValue);
    public static NumberDatasetOption Number(string name, string description, double? defaultValue, double min = double.NegativeInfinity,
        double max = double.PositiveInfinity) => new(name, description, defaultValue, min, max);
    public static BoolDatasetOption Bool(string name, string description, bool defaultValue, string? defaultText = null) =>
        new(name, description, defaultValue, defaultText);
    /// <summary>Free text; <paramref name="defaultText"/> says what applies when it is not given (e.g. "the file name").</summary>
    public static TextDatasetOption Text(string name, string description, string? defaultText = null, bool required = false) =>
        new(name, description, defaultText, required);
    public static ChoiceDatasetOption Choice(string name, string description, string defaultValue, params string[] choices) =>
        new(name, description, defaultValue, choices);
    /// <summary>A comma-separated list; null default means "not given" (the loader's own list applies).</summary>
    public static NamesDatasetOption Names(string name, string description, string? defaultText = null) => new(name, description, defaultText);
}

public sealed class IntDatasetOption(string name, string description, int defaultValue, int min, int max) : DatasetOption(name, description)
{
    public override DatasetOptionKind Kind => DatasetOptionKind.Integer;
    public override string DefaultText => defaultValue.ToString(CultureInfo.InvariantCulture);
    public int Read(Settings s) => s.Int(Name, defaultValue, min, max);
    protected override void ReadRaw(Settings given) => Read(given);
}

public sealed class LongDatasetOption(string name, string description, long defaultValue) : DatasetOption(name, description)
{
    public override DatasetOptionKind Kind => DatasetOptionKind.Integer;
    public override string DefaultText => defaultValue.ToString(CultureInfo.InvariantCulture);
    public long Read(Settings s) => s.Long(Name, defaultValue);
    protected override void ReadRaw(Settings given) => Read(given);
}

/// <summary>A number; with a null default the option is absent unless given (<see cref="ReadOptional"/>).</summary>
public sealed class NumberDatasetOption(string name, string description, double? defaultValue, double min, double max) : DatasetOption(name, description)
{
    public override DatasetOptionKind Kind => DatasetOptionKind.Number;
    public override string DefaultText => defaultValue?.ToString("R", CultureInfo.InvariantCulture) ?? "none";
    public double Read(Settings s) => s.Double(Name, defaultValue ?? 0, min, max);
    public double? ReadOptional(Settings s) => s.Given.ContainsKey(Name) ? Read(s) : defaultValue;
    protected override void ReadRaw(Settings given) => Read(given);
}

public sealed class BoolDatasetOption(string name, string description, bool defaultValue, string? defaultText) : DatasetOption(name, description)
{
    public override DatasetOptionKind Kind => DatasetOptionKind.Boolean;
    public override string DefaultText => defaultText ?? (defaultValue ? "true" : "false");
    public bool Read(Settings s) => s.Bool(Name, defaultValue);
    /// <summary>The given value, else <paramref name="fallback"/> (a default that depends on the request).</summary>
    public bool Read(Settings s, bool fallback) => s.Bool(Name, fallback);
    protected override void ReadRaw(Settings given) => Read(given);
}

public sealed class TextDatasetOption(string name, string description, string? defaultText, bool required) : DatasetOption(name, description, required)
{
    public override DatasetOptionKind Kind => DatasetOptionKind.Text;
    public override string DefaultText => defaultText ?? "none";
    /// <summary>The given text, or null (the loader then applies the default <see cref="DefaultText"/> describes).</summary>
    public string? Read(Settings s) => s.OptionalString(Name);
    /// <summary>The given text, else <paramref name="fallback"/> (a default that depends on the request, e.g. the file name).</summary>
    public string Read(Settings s, string fallback) => s.String(Name, fallback);
    protected override void ReadRaw(Settings given) => Read(given);
}

public sealed class ChoiceDatasetOption(string name, string description, string defaultValue, IReadOnlyList<string> choices) : DatasetOption(name, description)
{
    public override DatasetOptionKind Kind => DatasetOptionKind.Choice;
    public override IReadOnlyList<string> Choices => choices;
    public override string DefaultText => defaultValue;
    /// <summary>The chosen value in its declared spelling.</summary>
    public string Read(Settings s) => s.Choice(Name, defaultValue, choices);
    protected override void ReadRaw(Settings given) => Read(given);
}

public sealed class NamesDatasetOption(string name, string description, string? defaultText) : DatasetOption(name, description)
{
    public override DatasetOptionKind Kind => DatasetOptionKind.Names;
    public override string DefaultText => defaultText ?? "none";
    /// <summary>The given list (comma-separated, brackets optional), or null when not given.</summary>
    public string[]? Read(Settings s) => s.Given.ContainsKey(Name) ? s.Names(Name, []) : null;
    protected override void ReadRaw(Settings given) => Read(given);
}

/// <summary>Checks a request's options against a loader's declarations without reading any file.</summary>
public static class DatasetOptionCheck
{
    /// <summary>Every problem of <paramref name="given"/> for <paramref name="loader"/>: unknown names (with the valid ones), bad values, missing required options.</summary>
    public static IReadOnlyList<string> Problems(IDatasetLoader loader, IEnumerable<KeyValuePair<string, string>> given)
    {
        var problems = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (rawKey, value) in given)
        {
            var key = Settings.NormalizeKey(rawKey);
            seen.Add(key);
            var option = loader.Options.FirstOrDefault(o => o.Name == key);
            if (option is null)
                problems.Add($"unknown option '{rawKey}' for dataset '{loader.Name}'; its options: {Known(loader)}");
            else if (option.Problem(value) is { } problem)
                problems.Add(problem);
        }
        foreach (var o in loader.Options.Where(o => o.Required && !seen.Contains(o.Name)))
            problems.Add($"dataset '{loader.Name}' needs option '{o.Name}' ({o.Description})");
        // Options together (history_attributes without history, ...), once each value is valid on its own: a bad value
        // would be read as its default there and report a follow-on problem that is not there.
        if (problems.Count == 0) problems.AddRange(loader.OptionProblems(Settings.Checking(given)));
        return problems;
    }

    /// <summary>
    /// The options with normalised keys and each declared option's value in its <see cref="DatasetOption.Canonical"/>
    /// spelling, in key order; undeclared keys are kept as given (their load fails with a message naming them).
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Canonical(IDatasetLoader loader, IEnumerable<KeyValuePair<string, string>> given) =>
        [.. given.Select(kv => (Key: Settings.NormalizeKey(kv.Key), kv.Value))
            .Select(kv => KeyValuePair.Create(kv.Key, loader.Options.FirstOrDefault(o => o.Name == kv.Key) is { } option ? option.Canonical(kv.Value) : kv.Value.Trim()))
            .OrderBy(kv => kv.Key, StringComparer.Ordinal)];

    static string Known(IDatasetLoader loader) => loader.Options.Count == 0 ? "none" : string.Join(", ", loader.Options.Select(o => o.Name));
}
