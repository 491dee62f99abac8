using Msr.Core.Data;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Msr.Core.Models.Layers;

/// <summary>Which inputs an embedding layer concatenates (a model's feature set, spec §3.8).</summary>
/// <param name="Scenario">Embed the scenario id as an ordinary feature (its own S×16 table), placed after the sparse embeddings.</param>
/// <param name="Dense">Append the dense values after the embeddings.</param>
public sealed record EmbeddingInputs(bool Scenario = false, bool Dense = true)
{
    /// <summary>sp ⊕ de: the reference "default feature set".</summary>
    public static readonly EmbeddingInputs Default = new();

    /// <summary>The sparse features to embed, in this order (PPNet's id features); null embeds every sparse feature in schema order.</summary>
    public IReadOnlyList<string>? Only { get; init; }

    /// <summary>Sparse features left out (PPNet's id features from its agnostic part; Ali-CCP's <c>301</c> for the models whose reference list drops it).</summary>
    public IReadOnlyList<string> Exclude { get; init; } = [];

    /// <summary>
    /// Same-width tables share one physical parameter (fast, identical learning under dense Adam). False gives one
    /// parameter per table, as the reference has: needed where some tables get no gradient at all, because Adam
    /// skips a parameter without a gradient but applies weight decay to every row of one that has one.
    /// </summary>
    public bool MergeTables { get; init; } = true;

    /// <summary>
    /// Every table of the layer, the scenario's included, this wide instead of the schema's widths (and 16 for the
    /// scenario); null keeps them. DeepFM's first-order weights are such a layer with width 1.
    /// </summary>
    public int? Width { get; init; }
}

/// <summary>
/// Embeds a batch over the schema and concatenates, in the reference order (spec §1.2):
/// the selected sparse embeddings in order, then the scenario embedding if requested, then dense values.
/// <see cref="Stacked"/> gives the field-wise (B, F, d) form instead.
/// </summary>
/// <remarks>
/// Features with the same embedding width share one physical table with per-feature row offsets
/// (unless <see cref="EmbeddingInputs.MergeTables"/> is off), so a batch costs one lookup per width
/// instead of one per feature; the parameters, their count and the learning dynamics under dense Adam
/// are exactly those of separate tables (each row is its own parameter). Tables are initialised
/// N(0, 1e-4) as in the reference.
/// </remarks>
public sealed class FeatureEmbedding : Module<ScenarioBatch, Tensor>
{
    /// <summary>Width of the scenario embedding (spec §1.1).</summary>
    public const int ScenarioWidth = 16;

    readonly ModuleList<Embedding> tables = new();
    readonly Embedding? scenario_table;
    // Constant index tensors live in non-persistent buffers: they follow the module to a device
    // but are not part of the saved weights.
    readonly bool _direct;                  // one table over all sparse columns in schema order: no gather needed
    readonly bool _reorder;                 // table blocks come out grouped: map them back to the selected order
    readonly bool _dense;
    readonly int _fieldWidth;               // common width of all selected fields (0 when widths differ)
    IEmbeddingRowUpdates? _rowUpdates;      // lazy embedding updates: lookups of its tables go through it

    public int OutputDim { get; }
    public int SparseFieldCount { get; }
    /// <summary>Width of <see cref="SparseEmbeddings"/>: the selected sparse features' embedding widths summed.</summary>
    public int SparseDim { get; }
    /// <summary>Names of the embedded sparse features, in output order.</summary>
    public IReadOnlyList<string> FieldNames { get; }

    public FeatureEmbedding(DatasetSchema schema, EmbeddingInputs inputs, string name = "embedding") : base(name)
    {
        var selected = Select(schema, inputs);
        if (inputs.Width is { } common) selected = [.. selected.Select(x => (x.Column, x.Spec with { EmbeddingDim = common }))];
        int scenarioWidth = inputs.Width ?? ScenarioWidth;
        FieldNames = [.. selected.Select(x => x.Spec.Name)];
        SparseFieldCount = selected.Count;
        var groups = selected.Select((x, position) => (x.Column, x.Spec, position))
            .GroupBy(x => inputs.MergeTables ? x.Spec.EmbeddingDim : x.position)
            .OrderBy(g => g.Key).ToList();
        _direct = groups.Count == 1 && selected.Count == schema.SparseFeatures.Count && selected.Select(x => x.Column).SequenceEqual(Enumerable.Range(0, selected.Count));
        var produced = new List<(int Position, int Dim)>();
        for (int t = 0; t < groups.Count; t++)
        {
            var members = groups[t].ToList();
            register_buffer($"columns{t}", tensor(members.Select(m => (long)m.Column).ToArray()), persistent: false);
            long offset = 0;
            var offsets = new long[members.Count];
            for (int k = 0; k < members.Count; k++) { offsets[k] = offset; offset += members[k].Spec.Vocabulary; }
            register_buffer($"offsets{t}", tensor(offsets), persistent: false);
            tables.Add(Embedding(offset, members[0].Spec.EmbeddingDim));
            produced.AddRange(members.Select(m => (m.position, m.Spec.EmbeddingDim)));
        }
        _reorder = produced.Select(p => p.Position).Where((p, i) => p != i).Any();
        var starts = new Dictionary<int, (int Start, int Dim)>();
        int at = 0;
        foreach (var (position, dim) in produced) { starts[position] = (at, dim); at += dim; }
        register_buffer("output_order", tensor(Enumerable.Range(0, selected.Count)
            .SelectMany(c => Enumerable.Range(starts[c].Start, starts[c].Dim)).Select(x => (long)x).ToArray()), persistent: false);
        var widths = selected.Select(x => x.Spec.EmbeddingDim).Distinct().ToList();
        _fieldWidth = widths.Count == 1 && (!inputs.Scenario || widths[0] == scenarioWidth) ? widths[0]
            : widths.Count == 0 && inputs.Scenario ? scenarioWidth : 0;

        SparseDim = selected.Sum(x => x.Spec.EmbeddingDim);
        int width = SparseDim;
        if (inputs.Scenario)
        {
            scenario_table = Embedding(schema.ScenarioCount, scenarioWidth);
            width += scenarioWidth;
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

    /// <summary>The selected sparse features with their column in the sparse id matrix; unknown names are an error naming the valid ones.</summary>
    static List<(int Column, FeatureSpec Spec)> Select(DatasetSchema schema, EmbeddingInputs inputs)
    {
        var sparse = schema.SparseFeatures;
        int ColumnOf(string name)
        {
            for (int i = 0; i < sparse.Count; i++) if (sparse[i].Name == name) return i;
            throw new ArgumentException($"model input: the dataset has no sparse feature '{name}'; its sparse features: {string.Join(", ", sparse.Select(f => f.Name))}");
        }
        foreach (var name in inputs.Exclude) ColumnOf(name);
        var columns = inputs.Only is null ? Enumerable.Range(0, sparse.Count) : inputs.Only.Select(ColumnOf);
        return [.. columns.Where(c => !inputs.Exclude.Contains(sparse[c].Name)).Select(c => (c, sparse[c]))];
    }

    /// <summary>
    /// Moves the non-persistent buffers too (the constant index vectors). TorchSharp 0.107's <c>Module.to</c> moves
    /// parameters and persistent buffers only: its <c>named_buffers</c> never yields a non-persistent one, so without
    /// this the index vectors stayed on the CPU and every model failed on CUDA at its first lookup (seen on a lent H200).
    /// </summary>
    protected override void _toEpilog(ScalarType? dtype, Device? device, bool non_blocking)
    {
        base._toEpilog(dtype, device, non_blocking);
        if (device is null) return;   // a dtype change: the index vectors are int64 and stay so
        foreach (var name in _internal_buffers.Keys)   // a copy of the names: re-registering below is safe
        {
            var (buffer, persistent) = _internal_buffers[name];
            if (!persistent && (buffer.device_type != device.type || buffer.device_index != device.index))
                ConditionallyRegisterBuffer(name, buffer.to(device, disposeAfter: true).DetachFromDisposeScope(), persistent: false);
        }
    }

    /// <summary>
    /// Refuses, when a model is built, a schema whose sparse fields (and, with <paramref name="scenarioToo"/>, the
    /// 16-wide scenario embedding) differ in width, for a model that treats fields alike (an FM, attention over fields).
    /// </summary>
    /// <param name="model">The model's name, for the message.</param>
    /// <param name="part">What needs one width (e.g. "its FM"), for the message.</param>
    public static void RequireOneFieldWidth(DatasetSchema schema, string model, string part, bool scenarioToo)
    {
        var widths = schema.SparseFeatures.Select(f => f.EmbeddingDim).Distinct().ToList();
        if (widths.Count > 1 || (scenarioToo && widths.Count == 1 && widths[0] != ScenarioWidth))
            throw new ArgumentException($"{model}: {part} needs every field embedding one width" +
                (scenarioToo ? $", the scenario's {ScenarioWidth} included" : "") + $"; this dataset's sparse features have widths {string.Join(", ", widths)}");
    }

    /// <summary>
    /// (B, D + dense): <paramref name="flat"/> followed by the batch's dense values, as <see cref="forward"/> places them,
    /// for a model that combines its own (B, D) representation with them; <paramref name="flat"/> itself when the
    /// dataset has no dense features.
    /// </summary>
    public static Tensor AppendDense(Tensor flat, ScenarioBatch batch) =>
        batch.Dense.shape[1] > 0 ? cat([flat, batch.Dense], 1) : flat;

    /// <summary>(B, D): the selected sparse embeddings, the scenario embedding if requested, then the dense values.</summary>
    public override Tensor forward(ScenarioBatch batch)
    {
        var parts = new List<Tensor>(3);
        if (SparseFieldCount > 0) parts.Add(SparseEmbeddings(batch));
        if (scenario_table is not null) parts.Add(Lookup(scenario_table, batch.Scenario));
        if (_dense && batch.Dense.shape[1] > 0) parts.Add(batch.Dense);
        return parts.Count == 1 ? parts[0] : cat(parts, 1);
    }

    /// <summary>(B, F·d): the selected sparse embeddings only, in output order.</summary>
    public Tensor SparseEmbeddings(ScenarioBatch batch)
    {
        var blocks = new List<Tensor>(tables.Count);
        for (int t = 0; t < tables.Count; t++)
        {
            var ids = _direct ? batch.Sparse : batch.Sparse.index_select(1, get_buffer($"columns{t}")!);
            var rows = ids + get_buffer($"offsets{t}")!;              // (B, F_t) rows of the shared table
            blocks.Add(Lookup(tables[t], rows));                    // (B, F_t·d_t)
        }
        var flat = blocks.Count == 1 ? blocks[0] : cat(blocks, 1);
        return _reorder ? flat.index_select(1, get_buffer("output_order")!) : flat;
    }

    /// <summary>
    /// (B, F·d) rows of a table. An <c>index_select</c> on the weight is the embedding lookup with the same
    /// gradient, bit for bit (checked in FeatureEmbeddingTests), but libtorch's CPU backward of index_select
    /// (index_add) is faster than its embedding backward: 1.3-2.7× for a MovieLens-shaped batch on the shared
    /// 2-core machine (docs/performance.md).
    /// With row updates attached (and gradients enabled) the rows come from the optimiser instead, so the
    /// backward never builds the table-sized gradient.
    /// </summary>
    Tensor Lookup(Embedding table, Tensor rows)
    {
        var weight = Weight(table);
        var flat = rows.flatten();
        var embedded = _rowUpdates is not null && is_grad_enabled() && _rowUpdates.Owns(weight)
            ? _rowUpdates.Lookup(weight, flat)
            : weight.index_select(0, flat);
        return embedded.view(rows.shape[0], -1);
    }

    /// <summary>
    /// A table's weight as the module's own parameter object: <c>Embedding.weight</c> wraps the tensor anew at every
    /// read (a new handle), while the parameter list keeps one wrapper, the one optimisers are keyed by.
    /// </summary>
    static Parameter Weight(Embedding table) => table.parameters().Single();

    /// <summary>The embedding tables (one per width group or feature, then the scenario table), as the model's parameter objects.</summary>
    public IReadOnlyList<Parameter> Tables =>
        [.. tables.Select(Weight), .. scenario_table is null ? [] : new[] { Weight(scenario_table) }];

    /// <summary>
    /// Attaches a row-wise optimiser (<c>embedding_updates=lazy</c>): lookups of the tables it owns then give gradients
    /// to the looked-up rows only. Null restores ordinary lookups (gradients into the tables themselves).
    /// </summary>
    public void UseRowUpdates(IEmbeddingRowUpdates? updates) => _rowUpdates = updates;

    /// <summary>(B, 16): the scenario embedding from this layer's own table (the same vectors <see cref="forward"/> concatenates).</summary>
    public Tensor ScenarioEmbedding(ScenarioBatch batch) =>
        Lookup(scenario_table ?? throw new InvalidOperationException("this embedding layer was built without the scenario input"), batch.Scenario);

    /// <summary>(B, F, d) field-wise embeddings (the scenario embedding last when requested; dense values are not fields).</summary>
    public Tensor Stacked(ScenarioBatch batch)
    {
        if (_fieldWidth == 0) throw new InvalidOperationException("stacked embeddings need one width for every field");
        var parts = new List<Tensor>(2);
        if (SparseFieldCount > 0) parts.Add(SparseEmbeddings(batch).view(-1, SparseFieldCount, _fieldWidth));
        if (scenario_table is not null) parts.Add(Lookup(scenario_table, batch.Scenario).unsqueeze(1));
        return parts.Count == 1 ? parts[0] : cat(parts, 1);
    }
}
