using TorchSharp;
using static TorchSharp.torch;

namespace Msr.Core.Data;

/// <summary>
/// An encoded multi-scenario dataset held as a handful of tensors, one per column family
/// (sparse ids, dense values, scenario, label, each sequence feature), rows aligned.
/// </summary>
/// <remarks>
/// Each family is a row-major (N, F) matrix so a batch is one <c>index_select</c> per family:
/// no per-row objects and no per-sample collation anywhere on the training path. Column j of a
/// family is feature j of that kind in <see cref="DatasetSchema"/> order. The dataset owns its
/// tensors (they are detached from any dispose scope) and frees them on <see cref="Dispose"/>.
/// Sparse ids are held as int32 (vocabularies are ints), half the memory of int64, which matters at
/// Ali-CCP's 85 M rows; <see cref="Gather"/> widens a batch's ids to the int64 that embeddings take.
/// </remarks>
public sealed class ScenarioDataset : IDisposable
{
    public string Name { get; }
    public DatasetSchema Schema { get; }
    public Tensor Sparse { get; }
    public Tensor Dense { get; }
    public Tensor Scenario { get; }
    public Tensor Label { get; }
    public IReadOnlyDictionary<string, Tensor> Sequences { get; }
    /// <summary>A split fixed by the source (e.g. Ali-CCP's official train/test), or null for a seeded random split.</summary>
    public DatasetSplit? PredefinedSplit { get; init; }
    public long Count => Scenario.shape[0];

    public ScenarioDataset(string name, DatasetSchema schema, Tensor sparse, Tensor dense, Tensor scenario, Tensor label,
        IReadOnlyDictionary<string, Tensor>? sequences = null)
    {
        Name = name;
        Schema = schema;
        if (sparse.dtype == ScalarType.Int64 && sparse.numel() > 0)
        {
            using var max = sparse.max();
            if (max.item<long>() > int.MaxValue)
                throw new InvalidDataException($"dataset '{name}': a sparse id ({max.item<long>()}) exceeds the int32 range of vocabularies");
        }
        Sparse = sparse.to_type(ScalarType.Int32).contiguous().DetachFromDisposeScope();
        Dense = dense.to_type(ScalarType.Float32).contiguous().DetachFromDisposeScope();
        Scenario = scenario.to_type(ScalarType.Int64).contiguous().DetachFromDisposeScope();
        Label = label.to_type(ScalarType.Float32).contiguous().DetachFromDisposeScope();
        Sequences = (sequences ?? new Dictionary<string, Tensor>())
            .ToDictionary(kv => kv.Key, kv => kv.Value.to_type(ScalarType.Int64).contiguous().DetachFromDisposeScope());
        try
        {
            Validate();
        }
        catch
        {
            Dispose();   // the tensors are detached from any scope: nothing else would free them
            throw;
        }
    }

    /// <summary>
    /// The same rows on <paramref name="device"/> (this dataset itself when already there), so a GPU run moves the data once,
    /// not per batch. The copy is the caller's to dispose (<see cref="OnDevice"/> does that); it was validated as this one was.
    /// </summary>
    public ScenarioDataset To(Device device)
    {
        // TorchSharp's Device has no value equality: compare type and index.
        if (Scenario.device_type == device.type && Scenario.device_index == device.index) return this;
        return new ScenarioDataset(Name, Schema, Sparse.to(device), Dense.to(device), Scenario.to(device), Label.to(device),
            Sequences.ToDictionary(kv => kv.Key, kv => kv.Value.to(device)), validated: true)
        {
            PredefinedSplit = PredefinedSplit?.To(device),
        };
    }

    /// <summary>This dataset on <paramref name="device"/> for one use: disposing the result frees a copy, never this dataset.</summary>
    public PlacedDataset OnDevice(Device device) => new(To(device), this);

    ScenarioDataset(string name, DatasetSchema schema, Tensor sparse, Tensor dense, Tensor scenario, Tensor label,
        IReadOnlyDictionary<string, Tensor> sequences, bool validated)
    {
        Name = name;
        Schema = schema;
        Sparse = sparse.DetachFromDisposeScope();
        Dense = dense.DetachFromDisposeScope();
        Scenario = scenario.DetachFromDisposeScope();
        Label = label.DetachFromDisposeScope();
        Sequences = sequences.ToDictionary(kv => kv.Key, kv => kv.Value.DetachFromDisposeScope());
        _ = validated;
    }

    /// <summary>Builds a dataset from flat row-major arrays (sparse: N×F_sparse, dense: N×F_dense).</summary>
    public static ScenarioDataset FromArrays(string name, DatasetSchema schema, long[] sparse, float[] dense, long[] scenario, float[] label,
        IReadOnlyDictionary<string, long[]>? sequences = null)
    {
        long n = scenario.LongLength;
        int fs = schema.SparseFeatures.Count, fd = schema.DenseFeatures.Count;
        if (label.LongLength != n) throw new ArgumentException($"{name}: {label.LongLength} labels for {n} rows");
        if (sparse.LongLength != n * fs) throw new ArgumentException($"{name}: sparse matrix has {sparse.LongLength} values, expected {n}×{fs}");
        if (dense.LongLength != n * fd) throw new ArgumentException($"{name}: dense matrix has {dense.LongLength} values, expected {n}×{fd}");
        using var scope = NewDisposeScope();
        var seq = new Dictionary<string, Tensor>();
        foreach (var f in schema.SequenceFeatures)
        {
            if (sequences is null || !sequences.TryGetValue(f.Name, out var ids))
                throw new ArgumentException($"{name}: sequence feature '{f.Name}' has no data");
            seq[f.Name] = tensor(ids, [n, f.SequenceLength]);
        }
        return new ScenarioDataset(name, schema, tensor(sparse, [n, fs]), tensor(dense, [n, fd]), tensor(scenario), tensor(label), seq);
    }

    /// <summary>Gathers the rows at <paramref name="indices"/> (int64, 1-D) into a batch.</summary>
    public ScenarioBatch Gather(Tensor indices) => new(
        Sparse.index_select(0, indices).to_type(ScalarType.Int64),
        Dense.index_select(0, indices),
        Scenario.index_select(0, indices),
        Label.index_select(0, indices),
        Sequences.ToDictionary(kv => kv.Key, kv => kv.Value.index_select(0, indices)));

    /// <summary>Row counts per scenario over the given rows (all rows when null).</summary>
    public long[] ScenarioCounts(Tensor? indices = null)
    {
        using var scope = NewDisposeScope();
        var s = indices is null ? Scenario : Scenario.index_select(0, indices);
        return s.bincount(null, Schema.ScenarioCount).data<long>().ToArray();
    }

    /// <summary>Rows checked at a time by <see cref="Validate"/>: its temporaries stay bounded at any row count.</summary>
    const long ValidationChunkRows = 1 << 20;

    /// <summary>
    /// Checks shapes, then every value, a chunk of rows at a time (a whole-column check of 85 M mapped rows would
    /// allocate temporaries of several GB). The per-row checks are whole-chunk reductions, which are fast; the
    /// per-column reductions (<c>amin(0)</c> over a narrow int32 matrix is ~10× slower) run only when a check fails,
    /// to name the column. Dense values are finite exactly when their float64 sum is: float32 values cannot overflow
    /// a float64 sum of 2^20 × 8 terms, and NaN or infinity always propagates.
    /// </summary>
    void Validate()
    {
        long n = Count;
        int fs = Schema.SparseFeatures.Count, fd = Schema.DenseFeatures.Count;
        Check(Sparse.shape.SequenceEqual([n, fs]), $"sparse matrix shape [{string.Join(",", Sparse.shape)}] != [{n},{fs}]");
        Check(Dense.shape.SequenceEqual([n, fd]), $"dense matrix shape [{string.Join(",", Dense.shape)}] != [{n},{fd}]");
        Check(Label.shape.SequenceEqual([n]), "label must be a vector aligned with the scenario column");
        foreach (var f in Schema.SequenceFeatures)
        {
            Check(Sequences.TryGetValue(f.Name, out var seq), $"sequence feature '{f.Name}' has no tensor");
            Check(seq!.shape.SequenceEqual([n, (long)f.SequenceLength]), $"sequence feature '{f.Name}' must be [{n},{f.SequenceLength}]");
        }
        if (n == 0) return;

        long sMin = long.MaxValue, sMax = long.MinValue;
        bool binary = true, idsInRange = true, denseFinite = true;
        var seqOk = Schema.SequenceFeatures.ToDictionary(f => f.Name, _ => true);
        using var vocabularies = tensor(Schema.SparseFeatures.Select(f => f.Vocabulary).ToArray(), device: Sparse.device);
        for (long start = 0; start < n; start += ValidationChunkRows)
        {
            using var scope = NewDisposeScope();
            long len = Math.Min(ValidationChunkRows, n - start);
            var scenario = Scenario.narrow(0, start, len);
            sMin = Math.Min(sMin, scenario.min().item<long>());
            sMax = Math.Max(sMax, scenario.max().item<long>());
            var label = Label.narrow(0, start, len);
            binary &= label.eq(0).logical_or(label.eq(1)).all().item<bool>();
            if (fs > 0)
            {
                var ids = Sparse.narrow(0, start, len);
                idsInRange &= ids.min().item<int>() >= 0 && ids.lt(vocabularies).all().item<bool>();
            }
            if (fd > 0) denseFinite &= double.IsFinite(Dense.narrow(0, start, len).sum(ScalarType.Float64).item<double>());
            foreach (var f in Schema.SequenceFeatures)
            {
                var seq = Sequences[f.Name].narrow(0, start, len);
                seqOk[f.Name] &= seq.min().item<long>() >= 0 && seq.max().item<long>() < f.Vocabulary;
            }
        }
        Check(sMin >= 0 && sMax < Schema.ScenarioCount,
            $"scenario id out of range: found [{sMin}, {sMax}], declared {Schema.ScenarioCount} scenarios ({string.Join(", ", Schema.ScenarioNames)})");
        Check(binary, $"label '{Schema.Label}' must be 0 or 1 in every row");
        if (!idsInRange) ReportSparseOutOfRange();
        if (!denseFinite) ReportDenseNotFinite();
        foreach (var f in Schema.SequenceFeatures)
            Check(seqOk[f.Name], $"sequence feature '{f.Name}': ids outside [0, {f.Vocabulary})");
    }

    /// <summary>Names the first sparse column with an id outside its vocabulary (the slow per-column pass of a failed check).</summary>
    void ReportSparseOutOfRange()
    {
        using var scope = NewDisposeScope();
        var mins = Sparse.amin(0).data<int>().ToArray();
        var maxs = Sparse.amax(0).data<int>().ToArray();
        for (int j = 0; j < mins.Length; j++)
        {
            var f = Schema.SparseFeatures[j];
            Check(mins[j] >= 0 && maxs[j] < f.Vocabulary, $"feature '{f.Name}': ids span [{mins[j]}, {maxs[j]}] outside vocabulary [0, {f.Vocabulary})");
        }
        Check(false, "a sparse id lies outside its vocabulary");
    }

    /// <summary>Names the first dense column with a NaN or infinite value (the slow per-column pass of a failed check).</summary>
    void ReportDenseNotFinite()
    {
        using var scope = NewDisposeScope();
        var finite = Dense.isfinite().all(0).data<bool>().ToArray();
        for (int j = 0; j < finite.Length; j++)
            Check(finite[j], $"dense feature '{Schema.DenseFeatures[j].Name}' has NaN or infinite values");
        Check(false, "a dense value is NaN or infinite");
    }

    void Check(bool ok, string message)
    {
        if (!ok) throw new InvalidDataException($"dataset '{Name}': {message}");
    }

    public void Dispose()
    {
        Sparse.Dispose();
        Dense.Dispose();
        Scenario.Dispose();
        Label.Dispose();
        foreach (var t in Sequences.Values) t.Dispose();
        PredefinedSplit?.Dispose();
    }
}

/// <summary>A dataset placed on a device (<see cref="ScenarioDataset.OnDevice"/>): <see cref="Data"/> is the original where it
/// already lived there, else a copy that <see cref="Dispose"/> frees.</summary>
public sealed class PlacedDataset(ScenarioDataset data, ScenarioDataset original) : IDisposable
{
    public ScenarioDataset Data { get; } = data;

    public void Dispose()
    {
        if (!ReferenceEquals(Data, original)) Data.Dispose();
    }
}
