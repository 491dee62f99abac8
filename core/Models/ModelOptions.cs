using System.Globalization;
using Msr.Core.Data;

namespace Msr.Core.Models;

/// <summary>
/// The columns of the spec's per-dataset hyper-parameter tables. A preset picks the column; it is
/// written in any case and with or without separators ("Ali-CCP", "aliccp"); anything else is an error.
/// </summary>
public static class Presets
{
    public const string MovieLens = "movielens", KuaiRand = "kuairand", AliCcp = "aliccp", Amazon = "amazon", Douban = "douban", Mind = "mind";

    public static IReadOnlyList<string> All { get; } = [MovieLens, KuaiRand, AliCcp, Amazon, Douban, Mind];

    /// <summary>The canonical preset name, or an <see cref="ArgumentException"/> naming the valid ones.</summary>
    public static string Normalize(string name)
    {
        var key = new string([.. name.Where(char.IsLetterOrDigit)]).ToLowerInvariant();
        return All.FirstOrDefault(p => p == key)
            ?? throw new ArgumentException($"unknown preset '{name}'; valid presets: {string.Join(", ", All)}");
    }
}

/// <summary>A value for each preset (one column of a spec table row).</summary>
public sealed class PerPreset<T>
{
    readonly Dictionary<string, T> _values;

    public PerPreset(T movielens, T kuairand, T aliccp, T amazon, T douban, T mind) =>
        _values = new()
        {
            [Presets.MovieLens] = movielens, [Presets.KuaiRand] = kuairand, [Presets.AliCcp] = aliccp,
            [Presets.Amazon] = amazon, [Presets.Douban] = douban, [Presets.Mind] = mind,
        };

    /// <summary>The same value for every dataset.</summary>
    public static PerPreset<T> Same(T value) => new(value, value, value, value, value, value);

    public T this[string preset] => _values[Presets.Normalize(preset)];
}

/// <summary>What kind of value an option takes (shown by <c>msr models &lt;name&gt;</c>).</summary>
public enum OptionKind { Integer, Number, Boolean, Widths, Choice, Names }

/// <summary>
/// One declared hyper-parameter of a model: name, kind, default per preset and a one-line meaning.
/// A model reads its options only through these declarations, so what <c>msr models</c> prints, what a
/// grid is validated against before training and what the model actually reads are the same list.
/// </summary>
public abstract class ModelOption(string name, string description)
{
    public string Name { get; } = name;
    public string Description { get; } = description;
    public abstract OptionKind Kind { get; }
    /// <summary>Allowed values of a <see cref="OptionKind.Choice"/> option, else null.</summary>
    public virtual IReadOnlyList<string>? Choices => null;

    /// <summary>The default for a preset as it would be written on the command line.</summary>
    public abstract string DefaultText(string preset);

    /// <summary>Why <paramref name="raw"/> is not a valid value (naming the option), or null if it is.</summary>
    public string? Problem(string raw)
    {
        try
        {
            ReadRaw(new Settings([KeyValuePair.Create(Name, raw)]));
            return null;
        }
        catch (ArgumentException e) { return e.Message; }
    }

    /// <summary>The value as a run records it (e.g. "8, 4" → "[8,4]"), so equal settings compare equal; null if invalid.</summary>
    public string? Canonical(string raw)
    {
        var given = new Settings([KeyValuePair.Create(Name, raw)]);
        try { ReadRaw(given); }
        catch (ArgumentException) { return null; }
        return given.Resolved.TryGetValue(Name, out var text) ? text : null;
    }

    /// <summary>Parses the option from settings that hold it (the default is irrelevant here).</summary>
    protected abstract void ReadRaw(Settings given);

    public static WidthsOption Widths(string name, string description, PerPreset<int[]> defaults) => new(name, description, defaults);
    public static IntOption Int(string name, string description, PerPreset<int> defaults, int min = int.MinValue, int max = int.MaxValue) =>
        new(name, description, c => defaults[c.Preset], p => defaults[p].ToString(CultureInfo.InvariantCulture), min, max);
    /// <summary>An integer whose default depends on the data (e.g. one expert per scenario); <paramref name="defaultText"/> says how.</summary>
    public static IntOption Int(string name, string description, Func<ModelContext, int> defaults, string defaultText,
        int min = int.MinValue, int max = int.MaxValue) => new(name, description, defaults, _ => defaultText, min, max);
    public static NumberOption Number(string name, string description, PerPreset<double> defaults,
        double min = double.NegativeInfinity, double max = double.PositiveInfinity) => new(name, description, defaults, min, max);
    public static BoolOption Bool(string name, string description, bool defaultValue) => new(name, description, PerPreset<bool>.Same(defaultValue));
    public static BoolOption Bool(string name, string description, PerPreset<bool> defaults) => new(name, description, defaults);
    public static ChoiceOption Choice(string name, string description, string defaultValue, params string[] choices) =>
        new(name, description, PerPreset<string>.Same(defaultValue), choices);
    public static NamesOption Names(string name, string description, PerPreset<string[]> defaults, NamesFallback? fallback = null) =>
        new(name, description, defaults, fallback);
}

public sealed class WidthsOption(string name, string description, PerPreset<int[]> defaults) : ModelOption(name, description)
{
    public override OptionKind Kind => OptionKind.Widths;
    public override string DefaultText(string preset) => "[" + string.Join(",", defaults[preset]) + "]";
    public int[] Read(ModelContext context, Settings options) => options.Dims(Name, defaults[context.Preset]);
    protected override void ReadRaw(Settings given) => given.Dims(Name, []);
}

public sealed class IntOption(string name, string description, Func<ModelContext, int> defaults, Func<string, string> defaultText, int min, int max)
    : ModelOption(name, description)
{
    public override OptionKind Kind => OptionKind.Integer;
    public override string DefaultText(string preset) => defaultText(preset);
    public int Read(ModelContext context, Settings options) => options.Int(Name, defaults(context), min, max);
    protected override void ReadRaw(Settings given) => given.Int(Name, min, min, max);
}

public sealed class NumberOption(string name, string description, PerPreset<double> defaults, double min, double max) : ModelOption(name, description)
{
    public override OptionKind Kind => OptionKind.Number;
    public override string DefaultText(string preset) => defaults[preset].ToString("R", CultureInfo.InvariantCulture);
    public double Read(ModelContext context, Settings options) => options.Double(Name, defaults[context.Preset], min, max);
    protected override void ReadRaw(Settings given) => given.Double(Name, 0, min, max);
}

public sealed class BoolOption(string name, string description, PerPreset<bool> defaults) : ModelOption(name, description)
{
    public override OptionKind Kind => OptionKind.Boolean;
    public override string DefaultText(string preset) => defaults[preset] ? "true" : "false";
    public bool Read(ModelContext context, Settings options) => options.Bool(Name, defaults[context.Preset]);
    protected override void ReadRaw(Settings given) => given.Bool(Name, false);
}

public sealed class ChoiceOption(string name, string description, PerPreset<string> defaults, IReadOnlyList<string> choices) : ModelOption(name, description)
{
    public override OptionKind Kind => OptionKind.Choice;
    public override IReadOnlyList<string> Choices => choices;
    public override string DefaultText(string preset) => defaults[preset];
    public string Read(ModelContext context, Settings options) => options.Choice(Name, defaults[context.Preset], choices);
    protected override void ReadRaw(Settings given) => given.Choice(Name, choices[0], choices);
}

/// <summary>
/// Where a <see cref="NamesOption"/>'s default comes from when the dataset lacks the preset's names (e.g. PPNet's ids on
/// synthetic or custom data, which take the movielens preset): <paramref name="Find"/> looks for them in the dataset and
/// returns null where it cannot tell; <paramref name="Description"/> says what it looks for, for error messages.
/// </summary>
public sealed record NamesFallback(string Description, Func<DatasetSchema, string[]?> Find);

/// <summary>A list of feature names (checked against the dataset's schema when the model is built).</summary>
public sealed class NamesOption(string name, string description, PerPreset<string[]> defaults, NamesFallback? fallback = null)
    : ModelOption(name, description)
{
    public override OptionKind Kind => OptionKind.Names;
    public override string DefaultText(string preset) => "[" + string.Join(",", defaults[preset]) + "]";
    public string[] Read(ModelContext context, Settings options) => options.Names(Name, Default(context));
    protected override void ReadRaw(Settings given) => given.Names(Name, []);

    /// <summary>The preset's names; where the dataset lacks one of them, what the fallback (if any) finds instead.</summary>
    string[] Default(ModelContext context)
    {
        var preset = defaults[context.Preset];
        if (fallback is null || Missing(context.Schema, preset).Count == 0) return preset;
        return fallback.Find(context.Schema) ?? preset;
    }

    /// <summary>
    /// The names, each a sparse feature of the dataset: a name it lacks (a preset default on another dataset, a typo)
    /// is an error naming the option, the preset, the dataset's sparse features and, for a default, how to override it.
    /// Every feature-name option of every model is read through here, so they fail alike.
    /// </summary>
    public string[] ReadSparseFeatures(ModelContext context, Settings options)
    {
        var names = Read(context, options);
        var missing = Missing(context.Schema, names);
        if (missing.Count == 0) return names;
        var sparse = context.Schema.SparseFeatures.Select(f => f.Name);
        var origin = options.Given.ContainsKey(Name) ? ""
            : $"; {DefaultText(context.Preset)} is the preset's default" +
              (fallback is null ? "" : $" (on data without it: {fallback.Description}, not found unambiguously)") +
              $": give option '{Name}' for this dataset";
        throw new ArgumentException($"option '{Name}' (preset '{context.Preset}'): the dataset has no sparse feature " +
            $"{string.Join(", ", missing.Select(m => $"'{m}'"))}; its sparse features: {string.Join(", ", sparse)}{origin}");
    }

    static List<string> Missing(DatasetSchema schema, IEnumerable<string> names) =>
        [.. names.Where(n => schema.SparseFeatures.All(f => f.Name != n))];
}
