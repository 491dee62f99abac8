using System.Security.Cryptography;
using System.Text;

namespace Msr.Core.Experiments;

/// <summary>
/// One run as the user asked for it: dataset, model, options as given, seed. Its <see cref="RunId"/>
/// is a stable hash of exactly these inputs, so a resumed grid recognises runs it already finished.
/// </summary>
public sealed record RunSpec(
    string Dataset,
    string? DatasetPath,
    IReadOnlyDictionary<string, string> DatasetOptions,
    string Model,
    IReadOnlyDictionary<string, string> ModelOptions,
    IReadOnlyDictionary<string, string> TrainerOptions,
    long Seed)
{
    public string RunId
    {
        get
        {
            var canonical = new StringBuilder();
            canonical.Append("dataset=").Append(Dataset.ToLowerInvariant()).Append('\n');
            canonical.Append("path=").Append(DatasetPath is null ? "" : Path.GetFullPath(DatasetPath)).Append('\n');
            Append(canonical, "data.", DatasetOptions);
            canonical.Append("model=").Append(Model.ToLowerInvariant()).Append('\n');
            Append(canonical, "model.", ModelOptions);
            Append(canonical, "train.", TrainerOptions);
            canonical.Append("seed=").Append(Seed).Append('\n');
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())))[..12];
            return $"{Slug(Dataset)}-{Slug(Model)}-s{Seed}-{hash}";
        }
    }

    static void Append(StringBuilder sb, string prefix, IReadOnlyDictionary<string, string> options)
    {
        // Order by the normalised key (as Settings reads it), so "a-b" and "a_b" sort alike.
        foreach (var (k, v) in options.Select(kv => (Key: NormalizeKey(kv.Key), kv.Value)).OrderBy(kv => kv.Key, StringComparer.Ordinal))
            sb.Append(prefix).Append(k).Append('=').Append(v.Trim()).Append('\n');
    }

    static string NormalizeKey(string key) => key.Trim().Replace('-', '_').ToLowerInvariant();

    static string Slug(string s) => new([.. s.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')]);
}
