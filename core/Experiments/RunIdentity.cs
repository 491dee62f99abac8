using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Msr.Core.Data;
using Msr.Core.Models;
using Msr.Core.Results;
using Msr.Core.Training;

namespace Msr.Core.Experiments;

/// <summary>
/// Everything a run's numbers depend on, resolved to text: what the run id hashes. Two specs that train the
/// same model on the same data with the same code get the same identity, however their options were spelt
/// (a default written out equals the default left out) and wherever the data files lie; a changed default,
/// data file or model code does not.
/// </summary>
/// <remarks>
/// Why the data enters by content and not by place (path, size, modification time, as in the v2 identity): the same
/// files copied to another folder or machine, checked out again or unpacked anew are the same data, and workers on
/// different machines must agree on a run's id to share a results folder or split a grid into shards. Records
/// written under v2 ids are still recognised (<see cref="LegacyRunId"/>).
/// </remarks>
/// <param name="Dataset">Loader name (lower case).</param>
/// <param name="DatasetOptions">Loader options, each in its canonical spelling (<see cref="DatasetOption.Canonical"/>); the loader resolves the rest from the data, which the fingerprint covers.</param>
/// <param name="Protocol">The loader's protocol defaults (batch size, patience, StepLR, preset), as text.</param>
/// <param name="Model">Canonical model name.</param>
/// <param name="ModelOptions">Every declared option of the model: the given value or its default for the preset, and <c>preset</c>.</param>
/// <param name="TrainerOptions">Every trainer option with its resolved value (the loader's defaults applied).</param>
/// <param name="Seed">Run seed.</param>
/// <param name="DataFingerprint">Files: <see cref="Experiments.DataFingerprint.Content"/>; generated data: "generated".</param>
/// <param name="CodeVersion">The model's code version (<see cref="Experiments.CodeVersion"/>).</param>
public sealed record RunIdentity(
    string Dataset,
    IReadOnlyList<KeyValuePair<string, string>> DatasetOptions,
    string Protocol,
    string Model,
    IReadOnlyList<KeyValuePair<string, string>> ModelOptions,
    IReadOnlyList<KeyValuePair<string, string>> TrainerOptions,
    long Seed,
    string DataFingerprint,
    string CodeVersion)
{
    /// <summary>The text that is hashed: one line per input, options in key order.</summary>
    public string Canonical() => Text("msr-run-identity v3", path: null);

    // v2 had a path line (the full dataset path, "" for generated data) after the dataset's; v3 has none.
    string Text(string header, string? path)
    {
        var text = new StringBuilder(header).Append('\n');
        void Line(string key, string value) => text.Append(key).Append('=').Append(value).Append('\n');
        Line("dataset", Dataset);
        if (path is not null) Line("path", path);
        foreach (var (k, v) in Sorted(DatasetOptions)) Line("data." + k, v);
        Line("protocol", Protocol);
        Line("model", Model);
        foreach (var (k, v) in Sorted(ModelOptions)) Line("model." + k, v);
        foreach (var (k, v) in Sorted(TrainerOptions)) Line("train." + k, v);
        Line("seed", Seed.ToString(CultureInfo.InvariantCulture));
        Line("data-fingerprint", DataFingerprint);
        Line("code", CodeVersion);
        return text.ToString();
    }

    /// <summary><c>&lt;dataset&gt;-&lt;model&gt;-s&lt;seed&gt;-&lt;12 hex digits of SHA-256(Canonical())&gt;</c>.</summary>
    public string RunId => IdOf(Canonical());

    string IdOf(string canonical) =>
        $"{Slug(Dataset)}-{Slug(Model)}-s{Seed}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))[..12]}";

    static IEnumerable<KeyValuePair<string, string>> Sorted(IEnumerable<KeyValuePair<string, string>> options) =>
        options.Select(kv => KeyValuePair.Create(NormalizeKey(kv.Key), kv.Value.Trim())).OrderBy(kv => kv.Key, StringComparer.Ordinal);

    internal static string NormalizeKey(string key) => key.Trim().Replace('-', '_').ToLowerInvariant();

    static string Slug(string s) => new([.. s.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')]);

    /// <summary>
    /// Resolves a spec against the registries. Parts that cannot be resolved (an unknown dataset or model, a
    /// malformed option) keep the text as given: such a run fails when it is prepared, and still has an id to
    /// record the failure under. <paramref name="codeVersion"/> replaces <see cref="Experiments.CodeVersion.OfModel"/> (tests).
    /// </summary>
    public static RunIdentity Of(RunSpec spec, Func<string, string>? codeVersion = null)
    {
        var loader = LoaderOf(spec);
        return Resolve(spec, loader, codeVersion,
            loader is null ? [.. spec.DatasetOptions] : DatasetOptionCheck.Canonical(loader, spec.DatasetOptions),
            spec.DatasetPath is null ? "generated" : Experiments.DataFingerprint.Content(spec.DatasetPath));
    }

    /// <summary>
    /// The id <paramref name="spec"/> had under the v2 identity (Msr until 2026-12-04): the full dataset path, the loader
    /// options as given and <see cref="Experiments.DataFingerprint.Legacy"/> in place of the content fingerprint. A grid
    /// takes a record under this id as the run's own, so results written before content fingerprints are not trained again.
    /// </summary>
    public static string LegacyRunId(RunSpec spec, Func<string, string>? codeVersion = null)
    {
        var identity = Resolve(spec, LoaderOf(spec), codeVersion, [.. spec.DatasetOptions],
            spec.DatasetPath is null ? "generated" : Experiments.DataFingerprint.Legacy(spec.DatasetPath));
        return identity.IdOf(identity.Text("msr-run-identity v2", spec.DatasetPath is null ? "" : Path.GetFullPath(spec.DatasetPath)));
    }

    static IDatasetLoader? LoaderOf(RunSpec spec) =>
        DatasetRegistry.All.FirstOrDefault(l => string.Equals(l.Name, spec.Dataset, StringComparison.OrdinalIgnoreCase));

    static RunIdentity Resolve(RunSpec spec, IDatasetLoader? loader, Func<string, string>? codeVersion,
        IReadOnlyList<KeyValuePair<string, string>> datasetOptions, string dataFingerprint)
    {
        var entry = ModelRegistry.All.FirstOrDefault(e => string.Equals(e.Name, spec.Model, StringComparison.OrdinalIgnoreCase));
        var defaults = loader?.Defaults;
        return new RunIdentity(
            loader?.Name ?? spec.Dataset.ToLowerInvariant(),
            datasetOptions,
            defaults is null ? "unknown" : FormattableString.Invariant(
                $"batch_size={defaults.BatchSize} patience={defaults.Patience} step_lr_step_size={defaults.StepLrStepSize} step_lr_gamma={defaults.StepLrGamma:R} preset={defaults.ModelPreset}"),
            entry?.Name ?? spec.Model.ToLowerInvariant(),
            entry is null ? [.. spec.ModelOptions] : ResolvedModelOptions(entry, spec.ModelOptions, defaults?.ModelPreset ?? Presets.MovieLens),
            ResolvedTrainerOptions(spec.TrainerOptions, defaults ?? new ProtocolDefaults()),
            spec.Seed,
            dataFingerprint,
            entry is null ? "unknown" : (codeVersion ?? Experiments.CodeVersion.OfModel)(entry.Name));
    }

    /// <summary>Every declared option: as given, else its default for the preset (given-but-undeclared keys are kept as given).</summary>
    static IReadOnlyList<KeyValuePair<string, string>> ResolvedModelOptions(ModelEntry entry, IReadOnlyDictionary<string, string> given, string fallbackPreset)
    {
        var byKey = given.GroupBy(kv => NormalizeKey(kv.Key)).ToDictionary(g => g.Key, g => g.Last().Value.Trim());
        string preset;
        try { preset = Presets.Normalize(byKey.GetValueOrDefault(ModelRegistry.PresetOption) ?? fallbackPreset); }
        catch (ArgumentException) { return [.. byKey]; }
        var resolved = entry.Options.ToDictionary(o => o.Name, o => byKey.GetValueOrDefault(o.Name) ?? o.DefaultText(preset));
        resolved[ModelRegistry.PresetOption] = preset;
        foreach (var (k, v) in byKey) resolved.TryAdd(k, v);
        return [.. resolved];
    }

    /// <summary>Trainer options as the trainer resolves them (the loader's protocol defaults included).</summary>
    static IReadOnlyList<KeyValuePair<string, string>> ResolvedTrainerOptions(IReadOnlyDictionary<string, string> given, ProtocolDefaults defaults)
    {
        var settings = new Settings(given);
        try { Training.TrainerOptions.From(settings, defaults); }
        catch (ArgumentException) { return [.. given]; }
        var resolved = new Dictionary<string, string>(settings.Resolved);
        foreach (var (k, v) in settings.Given) resolved.TryAdd(k, v); // unknown keys: the run fails, but keeps its own id
        return [.. resolved];
    }
}
