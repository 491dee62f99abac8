namespace Msr.Core.Experiments;

/// <summary>
/// One run as the user asked for it: dataset, model, options as given, seed. Its <see cref="RunId"/> is a
/// hash of the run's resolved configuration, data fingerprint and model code (<see cref="RunIdentity"/>),
/// so a resumed grid recognises runs it already finished and never reuses a record made by other code or data.
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
    /// <summary><c>&lt;dataset&gt;-&lt;model&gt;-s&lt;seed&gt;-&lt;hash&gt;</c> (see <see cref="RunIdentity"/>). Hashes the data files' contents the first time they are seen (remembered by path, size and time).</summary>
    public string RunId => RunIdentity.Of(this).RunId;

    /// <summary>The id this run had before run ids fingerprinted data by content (<see cref="RunIdentity.LegacyRunId"/>): a record under it is this run's.</summary>
    public string LegacyRunId => RunIdentity.LegacyRunId(this);
}
