using Msr.Core.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Msr.Core.Models.Layers;

/// <summary>Which inputs an embedding layer concatenates.</summary>
/// <param name="Scenario">Embed the scenario id as an ordinary feature (its own S×d table).</param>
/// <param name="Dense">Append the dense values after the embeddings.</param>
public sealed record EmbeddingInputs(bool Scenario = false, bool Dense = true)
{
    /// <summary>sp ⊕ de: the reference "default feature set".</summary>
    public static readonly EmbeddingInputs Default = new();
}

/// <summary>
/// Embeds a batch over the schema and concatenates, in the reference order (spec §1.2):
/// all sparse embeddings in schema order, then the scenario embedding if requested, then dense values.
/// </summary>
/// <remarks>
/// Features with the same embedding width share one physical table with per-feature row offsets,
/// so a batch costs one lookup per width instead of one per feature; the parameters, their count
/// and the learning dynamics are exactly those of separate tables (each row is its own parameter).
/// Tables are initialised N(0, 1e-4) as in the reference.
/// </remarks>
public sealed class FeatureEmbedding : Module<ScenarioBatch, Tensor>
{
    readonly ModuleList<Embedding> tables = new();
    readonly Embedding? scenario_table;
    // Constant index tensors live in non-persistent buffers: they follow the module to a device
    // but are not part of the saved weights.
    readonly bool _singleTable;             // one width: columns already in schema order, no gather needed
    readonly bool _dense;

    public int OutputDim { get; }
    public int SparseFieldCount { get; }

    public FeatureEmbedding(DatasetSchema schema, EmbeddingInputs inputs, string name = "embedding") : base(name)
    {
        var sparse = schema.SparseFeatures;
        SparseFieldCount = sparse.Count;
        var groups = sparse.Select((f, i) => (f, i)).GroupBy(x => x.f.EmbeddingDim).OrderBy(g => g.Key).ToList();
        _singleTable = groups.Count <= 1;
        var produced = new List<(int Column, int Dim)>();
        for (int t = 0; t < groups.Count; t++)
        {
            var members = groups[t].ToList();
            register_buffer($"columns{t}", tensor(members.Select(m => (long)m.i).ToArray()), persistent: false);
            long offset = 0;
            var offsets = new long[members.Count];
            for (int k = 0; k < members.Count; k++) { offsets[k] = offset; offset += members[k].f.Vocabulary; }
            register_buffer($"offsets{t}", tensor(offsets), persistent: false);
            tables.Add(Embedding(offset, groups[t].Key));
            produced.AddRange(members.Select(m => (m.i, groups[t].Key)));
        }
        // Output blocks come out grouped by width; map them back to schema order.
        var starts = new Dictionary<int, (int Start, int Dim)>();
        int at = 0;
        foreach (var (column, dim) in produced) { starts[column] = (at, dim); at += dim; }
        register_buffer("output_order", tensor(Enumerable.Range(0, sparse.Count)
            .SelectMany(c => Enumerable.Range(starts[c].Start, starts[c].Dim)).Select(x => (long)x).ToArray()), persistent: false);

        int width = sparse.Sum(f => f.EmbeddingDim);
        if (inputs.Scenario)
        {
            scenario_table = Embedding(schema.ScenarioCount, 16);
            width += 16;
        }
        _dense = inputs.Dense;
        if (_dense) width += schema.DenseFeatures.Count;
        OutputDim = width;
        RegisterComponents();
        using (no_grad())
        {
            foreach (var table in tables) init.normal_(table.weight!, 0, 1e-4);
            if (scenario_table is not null) init.normal_(scenario_table.weight!, 0, 1e-4);
        }
    }

    public override Tensor forward(ScenarioBatch batch)
    {
        var parts = new List<Tensor>();
        if (SparseFieldCount > 0)
        {
            var blocks = new List<Tensor>(tables.Count);
            for (int t = 0; t < tables.Count; t++)
            {
                var ids = _singleTable ? batch.Sparse : batch.Sparse.index_select(1, get_buffer($"columns{t}")!);
                var rows = ids + get_buffer($"offsets{t}")!;              // (B, F_t) rows of the shared table
                blocks.Add(tables[t].forward(rows).flatten(1));         // (B, F_t·d_t)
            }
            parts.Add(_singleTable ? blocks[0] : cat(blocks, 1).index_select(1, get_buffer("output_order")!));
        }
        if (scenario_table is not null) parts.Add(scenario_table.forward(batch.Scenario));
        if (_dense && batch.Dense.shape[1] > 0) parts.Add(batch.Dense);
        return parts.Count == 1 ? parts[0] : cat(parts, 1);
    }
}
