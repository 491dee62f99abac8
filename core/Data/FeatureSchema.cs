namespace Msr.Core.Data;

/// <summary>How a column enters a model.</summary>
public enum FeatureKind
{
    /// <summary>Categorical id in [0, vocabulary), embedded.</summary>
    Sparse,
    /// <summary>One float (already scaled), concatenated after the embeddings.</summary>
    Dense,
    /// <summary>A fixed-length list of ids (behaviour history), padded with <see cref="FeatureSpec.PaddingId"/>.</summary>
    Sequence,
}

/// <summary>One model input column.</summary>
/// <param name="Name">Column name as it appears in the source and in reports.</param>
/// <param name="Kind">Sparse, dense or sequence.</param>
/// <param name="Vocabulary">Number of ids (sparse and sequence; 0 for dense).</param>
/// <param name="EmbeddingDim">Width of its embedding (16 everywhere in the reference benchmark).</param>
/// <param name="SequenceLength">Fixed length L of a sequence feature (0 otherwise).</param>
/// <param name="PaddingId">Id that pads sequences (masked out when pooling).</param>
/// <param name="SharesTableWith">Name of a sparse feature whose embedding table this feature reuses (e.g. history items share the item table).</param>
public sealed record FeatureSpec(
    string Name,
    FeatureKind Kind,
    int Vocabulary = 0,
    int EmbeddingDim = 16,
    int SequenceLength = 0,
    long PaddingId = 0,
    string? SharesTableWith = null)
{
    public static FeatureSpec Sparse(string name, int vocabulary, int embeddingDim = 16) =>
        new(name, FeatureKind.Sparse, vocabulary, embeddingDim);

    public static FeatureSpec Dense(string name) => new(name, FeatureKind.Dense, EmbeddingDim: 0);

    public static FeatureSpec Sequence(string name, int vocabulary, int length, string? sharesTableWith = null, int embeddingDim = 16) =>
        new(name, FeatureKind.Sequence, vocabulary, embeddingDim, length, 0, sharesTableWith);
}

/// <summary>
/// The typed description of an encoded multi-scenario dataset: its input features in order,
/// the scenarios, and the label. Column order of <see cref="ScenarioDataset"/> tensors follows
/// <see cref="SparseFeatures"/> and <see cref="DenseFeatures"/>.
/// </summary>
/// <remarks>
/// <see cref="UserFeature"/> is declared, never guessed: each loader names its user-id column (MovieLens, KuaiRand,
/// Douban, synthetic <c>user_id</c>; MIND <c>User_ID</c>; Amazon <c>user</c>; Ali-CCP field <c>101</c>), a custom CSV
/// names it with its <c>user</c> option. It is the grouping of GAUC (<see cref="Msr.Core.Metrics.Gauc"/>) and the default user
/// column of dataset statistics; a dataset without one gets no GAUC.
/// </remarks>
public sealed record DatasetSchema
{
    public DatasetSchema(IReadOnlyList<FeatureSpec> features, IReadOnlyList<string> scenarioNames, string label = "label",
        string scenarioColumn = "scenario", string? userFeature = null)
    {
        if (scenarioNames.Count == 0) throw new ArgumentException("a dataset needs at least one scenario", nameof(scenarioNames));
        var duplicate = features.GroupBy(f => f.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"feature '{duplicate.Key}' is declared twice", nameof(features));
        foreach (var f in features)
        {
            if (f.Kind != FeatureKind.Dense && f.Vocabulary < 1)
                throw new ArgumentException($"feature '{f.Name}': vocabulary must be >= 1, got {f.Vocabulary}", nameof(features));
            if (f.Kind != FeatureKind.Dense && f.EmbeddingDim < 1)
                throw new ArgumentException($"feature '{f.Name}': embedding dim must be >= 1, got {f.EmbeddingDim}", nameof(features));
            if (f.Kind == FeatureKind.Sequence && f.SequenceLength < 1)
                throw new ArgumentException($"sequence feature '{f.Name}': length must be >= 1", nameof(features));
            if (f.SharesTableWith is { } owner && !features.Any(o => o.Name == owner && o.Kind == FeatureKind.Sparse))
                throw new ArgumentException($"feature '{f.Name}' shares the table of '{owner}', which is not a sparse feature", nameof(features));
        }
        if (userFeature is not null && !features.Any(f => f.Name == userFeature && f.Kind == FeatureKind.Sparse))
            throw new ArgumentException($"user feature '{userFeature}' is not a sparse feature; sparse features: " +
                string.Join(", ", features.Where(f => f.Kind == FeatureKind.Sparse).Select(f => f.Name)), nameof(userFeature));
        Features = features;
        UserFeature = userFeature;
        ScenarioNames = scenarioNames;
        Label = label;
        ScenarioColumn = scenarioColumn;
    }

    public IReadOnlyList<FeatureSpec> Features { get; }
    public IReadOnlyList<string> ScenarioNames { get; }
    public string Label { get; }
    public string ScenarioColumn { get; }
    /// <summary>The sparse feature holding the user id (GAUC groups rows by it), or null when the dataset has none.</summary>
    public string? UserFeature { get; }

    public int ScenarioCount => ScenarioNames.Count;
    public IReadOnlyList<FeatureSpec> SparseFeatures => [.. Features.Where(f => f.Kind == FeatureKind.Sparse)];
    public IReadOnlyList<FeatureSpec> DenseFeatures => [.. Features.Where(f => f.Kind == FeatureKind.Dense)];
    public IReadOnlyList<FeatureSpec> SequenceFeatures => [.. Features.Where(f => f.Kind == FeatureKind.Sequence)];

    /// <summary>Index of a sparse feature within the sparse id matrix.</summary>
    public int SparseIndex(string name)
    {
        var sparse = SparseFeatures;
        for (int i = 0; i < sparse.Count; i++) if (sparse[i].Name == name) return i;
        throw new KeyNotFoundException($"no sparse feature named '{name}'; sparse features: {string.Join(", ", sparse.Select(f => f.Name))}");
    }
}
