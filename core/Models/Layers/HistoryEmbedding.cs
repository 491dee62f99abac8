using Msr.Core.Data;
using Msr.Core.Features;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Msr.Core.Models.Layers;

/// <summary>One history a sequence model reads: the sequence feature and the sparse feature it is a history of.</summary>
/// <param name="Sequence">The sequence feature, e.g. <c>hist_movie_id</c> (ids + 1, 0 pads).</param>
/// <param name="Target">The row's own value of the same column, e.g. <c>movie_id</c>.</param>
public sealed record HistoryField(string Sequence, string Target);

/// <summary>
/// Behaviour histories as the sequence models read them (SACN, spec §4.16; SFPNet with sequences, §4.15): the item
/// history <c>hist_&lt;item&gt;</c> first, then the attribute histories aligned with it position by position
/// (<c>hist_cate_id</c>: the loaders' <c>history_attributes</c>), and for each the row's own value of that column (the
/// target item and its attributes).
/// </summary>
/// <remarks>
/// A history and its target share one table per column, so a film seen before and the film scored now are one vector
/// (the papers' single item embedding); the schema's own tables of those columns are not used here. Row 0 of a table
/// pads: it is zero and gets no gradient (<c>padding_idx</c>); row id + 1 holds sparse id id, which is exactly how the
/// loaders encode histories, so a target is looked up at its id + 1. Which positions hold a behaviour is read from the
/// item history (<see cref="Valid"/>); the attribute histories pad at the same positions.
/// </remarks>
public sealed class HistoryEmbedding : Module
{
    /// <summary>The option every sequence model declares for choosing its histories.</summary>
    public static NamesOption Option(string model) => ModelOption.Names("histories",
        $"sequence features {model} reads: the item history first, then attribute histories aligned with it (empty: every hist_<column> of the dataset, item first)",
        PerPreset<string[]>.Same([]));

    readonly ModuleList<Embedding> tables = new();
    readonly int[] _targetColumns;    // sparse column of each field's target

    /// <summary>The histories in use: the item history first.</summary>
    public IReadOnlyList<HistoryField> Fields { get; }
    /// <summary>Positions per history (L).</summary>
    public int Length { get; }
    /// <summary>Embedding width of every table (d).</summary>
    public int Width { get; }

    public HistoryEmbedding(DatasetSchema schema, IReadOnlyList<HistoryField> fields, int width, string name = "history_embedding") : base(name)
    {
        if (fields.Count == 0) throw new ArgumentException("a history embedding needs at least one history", nameof(fields));
        Fields = fields;
        Width = width;
        Length = schema.Features.First(f => f.Name == fields[0].Sequence).SequenceLength;
        _targetColumns = [.. fields.Select(f => SparseColumn(schema, f.Target))];
        foreach (var f in fields)
        {
            var target = schema.SparseFeatures[SparseColumn(schema, f.Target)];
            tables.Add(Embedding(target.Vocabulary + 1, width, padding_idx: 0));
        }
        RegisterComponents();
    }

    /// <summary>
    /// The histories a model reads from <paramref name="schema"/>: <paramref name="names"/> in that order, or, when
    /// empty, every sequence feature <c>hist_&lt;column&gt;</c> whose column is a sparse feature, in schema order (the
    /// loaders add the item history first). Every history must have the item history's length and a sparse target
    /// whose vocabulary + 1 is its own; a dataset without histories is an error saying how to load them.
    /// </summary>
    public static IReadOnlyList<HistoryField> Resolve(DatasetSchema schema, IReadOnlyList<string> names, string model)
    {
        var sequences = schema.SequenceFeatures;
        if (sequences.Count == 0)
            throw new ArgumentException($"{model} reads behaviour histories, and this dataset has none: load it with history=L " +
                "and history_attributes=<item attribute columns> (on MovieLens: --data history=20 --data history_attributes=cate_id); " +
                $"the loaders with a timestamped log take them: {string.Join(", ", LoadersWithHistories())}");
        IEnumerable<FeatureSpec> chosen = names.Count == 0
            ? sequences.Where(s => TargetOf(schema, s.Name) is not null)
            : names.Select(n => sequences.FirstOrDefault(s => s.Name == n)
                ?? throw new ArgumentException($"option 'histories': the dataset has no sequence feature '{n}'; its sequence features: " +
                    string.Join(", ", sequences.Select(s => s.Name))));
        var fields = new List<HistoryField>();
        int? length = null;                              // the item history's: every aligned history has it
        foreach (var s in chosen)
        {
            var target = TargetOf(schema, s.Name) ?? throw new ArgumentException(
                $"option 'histories': '{s.Name}' is not the history of a sparse feature (expected hist_<column> with <column> one of " +
                $"{string.Join(", ", schema.SparseFeatures.Select(f => f.Name))})");
            if (target.Vocabulary + 1 != s.Vocabulary)
                throw new ArgumentException($"sequence feature '{s.Name}' has {s.Vocabulary} ids, not {target.Name}'s {target.Vocabulary} + 1 (padding)");
            length ??= s.SequenceLength;
            if (s.SequenceLength != length)
                throw new ArgumentException($"{model}: history '{s.Name}' has length {s.SequenceLength}, the item history '{fields[0].Sequence}' " +
                    $"{length}; aligned histories have one length");
            if (fields.Any(f => f.Sequence == s.Name)) throw new ArgumentException($"option 'histories': '{s.Name}' is named twice");
            fields.Add(new HistoryField(s.Name, target.Name));
        }
        if (fields.Count == 0)
            throw new ArgumentException($"{model}: none of the dataset's sequence features ({string.Join(", ", sequences.Select(s => s.Name))}) " +
                "is a history hist_<column> of one of its sparse features");
        return fields;
    }

    /// <summary>(B, L, d): the embedded history of field <paramref name="field"/> (0 = items); padded positions are zero.</summary>
    public Tensor History(ScenarioBatch batch, int field) => tables[field].forward(batch.Sequences[Fields[field].Sequence]);

    /// <summary>(B, d): the row's own value of field <paramref name="field"/>, from the same table as its history.</summary>
    public Tensor Target(ScenarioBatch batch, int field) =>
        tables[field].forward(batch.Sparse.select(1, _targetColumns[field]).to_type(ScalarType.Int64) + 1);

    /// <summary>(B, L) bool: true where the item history holds a behaviour.</summary>
    public Tensor Valid(ScenarioBatch batch) => batch.Sequences[Fields[0].Sequence].ne(0);

    /// <summary>Sets every table's padding row back to zero (after a model re-initialises the tables).</summary>
    public void ZeroPadding()
    {
        using var _ = no_grad();
        foreach (var t in tables) t.weight![0].zero_();
    }

    /// <summary>The registered loaders that build histories.</summary>
    static IEnumerable<string> LoadersWithHistories() => DatasetRegistry.All.Where(HistoryOptions.TakenBy).Select(l => l.Name);

    /// <summary>Whether the schema holds a history <c>hist_&lt;column&gt;</c> of one of its sparse features.</summary>
    public static bool HasHistories(DatasetSchema schema) => schema.SequenceFeatures.Any(s => TargetOf(schema, s.Name) is not null);

    static FeatureSpec? TargetOf(DatasetSchema schema, string sequence) =>
        sequence.StartsWith("hist_", StringComparison.Ordinal)
            ? schema.SparseFeatures.FirstOrDefault(f => f.Name == sequence["hist_".Length..]) : null;

    static int SparseColumn(DatasetSchema schema, string name)
    {
        for (int j = 0; j < schema.SparseFeatures.Count; j++) if (schema.SparseFeatures[j].Name == name) return j;
        throw new ArgumentException($"'{name}' is not a sparse feature of the dataset");
    }
}
