using Msr.Core.Models.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Msr.Core.Training;

/// <summary>
/// Adam with coupled L2 on embedding tables, row by row (<c>embedding_updates=lazy</c>, docs/performance.md): at a step,
/// only the rows the step's batch looked up change. For those rows the update is exactly the dense Adam update
/// (g ← g + λw; m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; w ← w − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε)) with t the global
/// step (the number of optimiser steps so far); every other row keeps its weight, m and v (no decay of the moments,
/// no weight decay).
/// </summary>
/// <remarks>
/// While attached, the <see cref="FeatureEmbedding"/> layers look their tables' rows up through <see cref="Lookup"/>:
/// the rows are read from the detached weight into a fresh leaf tensor that requires grad, so the backward pass
/// gives one gradient row per lookup occurrence and never a table-sized gradient. <see cref="step"/> sums the
/// occurrences into the unique touched rows (<c>index_add</c> in occurrence order, the order libtorch's
/// <c>index_select</c> backward accumulates a dense gradient in) and updates those rows. A table read only under
/// stop-gradient (PPNet's agnostic tables) gets no leaf gradient and is left untouched, as dense Adam skips a
/// parameter without a gradient.
/// </remarks>
public sealed class LazyEmbeddingAdam : OptimizerHelper, IEmbeddingRowUpdates
{
    /// <summary>One lookup of a step: the table, the rows read (1-D int64) and the leaf tensor they were read into.</summary>
    sealed record RowLookup(Parameter Table, Tensor Rows, Tensor Leaf);

    /// <summary>A table's Adam moments, full size (as dense Adam's), read and written at the touched rows only.</summary>
    sealed class Moments(Tensor mean, Tensor square) : IDisposable
    {
        public Tensor Mean { get; } = mean;
        public Tensor Square { get; } = square;
        public void Dispose() { Mean.Dispose(); Square.Dispose(); }
    }

    readonly IReadOnlyList<FeatureEmbedding> _layers;
    readonly Dictionary<IntPtr, Moments> _moments = [];
    readonly List<RowLookup> _lookups = [];
    long _step;

    /// <param name="layers">Embedding layers to attach: their lookups of the tables in <paramref name="groups"/> go through this optimiser.</param>
    /// <param name="groups">The tables with their Adam settings (learning rate, β₁, β₂, ε, weight decay all set).</param>
    public LazyEmbeddingAdam(IEnumerable<FeatureEmbedding> layers, IEnumerable<Adam.ParamGroup> groups)
    {
        _parameter_groups = [.. groups];
        foreach (var p in _parameter_groups.SelectMany(g => g.Parameters))
            _moments.Add(p.Handle, new Moments(zeros_like(p).DetachFromDisposeScope(), zeros_like(p).DetachFromDisposeScope()));
        _layers = [.. layers];
        foreach (var layer in _layers) layer.UseRowUpdates(this);
    }

    public bool Owns(Parameter table) => _moments.ContainsKey(table.Handle);

    public Tensor Lookup(Parameter table, Tensor rows)
    {
        var leaf = table.detach().index_select(0, rows).requires_grad_(true);
        _lookups.Add(new RowLookup(table, rows, leaf));
        return leaf;
    }

    /// <summary>
    /// Forgets lookups whose gradient belongs to an earlier backward pass (or whose tensors are gone): like dense zeroing,
    /// a backward a model ran on its own (a second optimiser at epoch end) does not reach the next step. Lookups of the
    /// current forward have no gradient yet and are kept.
    /// </summary>
    public override void zero_grad()
    {
        _lookups.RemoveAll(l => l.Leaf.IsInvalid || l.Rows.IsInvalid || HasGradient(l.Leaf));
    }

    static bool HasGradient(Tensor t)
    {
        using var grad = t.grad;
        return grad is not null;
    }

    public override Tensor step(Func<Tensor>? closure = null)
    {
        if (closure is not null) throw new NotSupportedException("lazy embedding updates take no loss closure");
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        _step++;
        var touched = TouchedRows();
        foreach (var group in _parameter_groups)
        {
            var options = (Adam.Options)group.Options;
            foreach (var table in group.Parameters)
            {
                CheckNoDenseGradient(table);
                if (touched.TryGetValue(table.Handle, out var rows)) Update(table, _moments[table.Handle], rows.Rows, rows.Gradients, options, _step);
            }
        }
        _lookups.Clear();
        return null!;
    }

    /// <summary>Per table, the rows looked up since the last step and their per-occurrence gradients (lookups without a gradient dropped).</summary>
    Dictionary<IntPtr, (Tensor Rows, Tensor Gradients)> TouchedRows()
    {
        var touched = new Dictionary<IntPtr, (Tensor, Tensor)>();
        foreach (var perTable in _lookups.Where(l => !l.Leaf.IsInvalid && !l.Rows.IsInvalid).GroupBy(l => l.Table.Handle))
        {
            var withGradient = perTable.Select(l => (l.Rows, Gradient: l.Leaf.grad)).Where(x => x.Gradient is not null).ToList();
            if (withGradient.Count == 0) continue;
            touched[perTable.Key] = withGradient.Count == 1
                ? (withGradient[0].Rows, withGradient[0].Gradient!)
                : (cat(withGradient.Select(x => x.Rows).ToList(), 0), cat(withGradient.Select(x => x.Gradient!).ToList(), 0));
        }
        return touched;
    }

    /// <summary>
    /// A table that received a gradient of its own was used outside the embedding lookups (say, a loss term over the whole
    /// table): lazy updates would silently drop it, so refuse.
    /// </summary>
    static void CheckNoDenseGradient(Parameter table)
    {
        if (HasGradient(table))
            throw new InvalidOperationException(
                $"embedding_updates=lazy: the embedding table '{table.name ?? "(unnamed)"}' ({string.Join("×", table.shape)}) received a gradient " +
                "outside its row lookups (a loss term or layer that reads the whole table); lazy updates would drop it. Use embedding_updates=dense for this model.");
    }

    /// <summary>The Adam step with coupled L2 on the unique <paramref name="rows"/> of <paramref name="table"/>, in the dense optimiser's order of operations.</summary>
    static void Update(Parameter table, Moments moments, Tensor rows, Tensor occurrenceGradients, Adam.Options o, long step)
    {
        double beta1 = o.beta1!.Value, beta2 = o.beta2!.Value, eps = o.eps!.Value, decay = o.weight_decay!.Value, lr = o.LearningRate!.Value;
        var (unique, inverse, _) = rows.unique(sorted: true, return_inverse: true);
        var grad = zeros([unique.shape[0], occurrenceGradients.shape[1]], occurrenceGradients.dtype, occurrenceGradients.device)
            .index_add_(0, inverse!, occurrenceGradients, alpha: 1);
        var weight = table.index_select(0, unique);
        if (decay != 0) grad = grad.add(weight, alpha: decay);
        var mean = moments.Mean.index_select(0, unique).mul_(beta1).add_(grad, alpha: 1 - beta1);
        var square = moments.Square.index_select(0, unique).mul_(beta2).addcmul_(grad, grad, value: 1 - beta2);
        double correction1 = 1 - Math.Pow(beta1, step), correction2 = 1 - Math.Pow(beta2, step);
        var denominator = (square.sqrt() / Math.Sqrt(correction2)).add_(eps);
        weight.addcdiv_(mean, denominator, value: -lr / correction1);
        moments.Mean.index_copy_(0, unique, mean);
        moments.Square.index_copy_(0, unique, square);
        table.index_copy_(0, unique, weight);
    }

    /// <summary>The moments of a table (for tests): (m, v), full size.</summary>
    /// <summary>Step count, each group's learning rates and each table's moments, for an epoch checkpoint.</summary>
    internal void SaveState(BinaryWriter writer)
    {
        writer.Write(_step);
        foreach (var group in _parameter_groups)
        {
            writer.Write(group.Options.InitialLearningRate);
            writer.Write(group.Options.LearningRate!.Value);
        }
        foreach (var table in parameters())
        {
            _moments[table.Handle].Mean.Save(writer);
            _moments[table.Handle].Square.Save(writer);
        }
    }

    /// <summary>Reads what <see cref="SaveState"/> wrote into an optimiser over the same tables.</summary>
    internal void LoadState(BinaryReader reader)
    {
        _step = reader.ReadInt64();
        foreach (var group in _parameter_groups)
        {
            group.Options.InitialLearningRate = reader.ReadDouble();
            group.Options.LearningRate = reader.ReadDouble();
        }
        foreach (var table in parameters())
        {
            _moments[table.Handle].Mean.Load(reader);
            _moments[table.Handle].Square.Load(reader);
        }
    }

    internal (Tensor Mean, Tensor Square) MomentsOf(Parameter table) => (_moments[table.Handle].Mean, _moments[table.Handle].Square);

    public override IEnumerable<Parameter> parameters() => _parameter_groups.SelectMany(g => g.Parameters);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // Detach first: the layers look their tables up as usual again (gradients into the tables).
            foreach (var layer in _layers) layer.UseRowUpdates(null);
            foreach (var m in _moments.Values) m.Dispose();
            _moments.Clear();
            _lookups.Clear();
        }
        base.Dispose(disposing);
    }
}

/// <summary>
/// Optimisers stepped one after another as one (<c>embedding_updates=lazy</c>: the dense Adam, then the lazy embedding
/// Adam). Learning-rate schedulers see every group of every member, so StepLR decays them alike.
/// </summary>
public sealed class OptimizerChain(params optim.Optimizer[] members) : OptimizerHelper
{
    readonly optim.Optimizer[] _members = members;

    /// <summary>The chained optimisers, in stepping order.</summary>
    internal IReadOnlyList<optim.Optimizer> Members => _members;

    public override IEnumerable<optim.ILearningRateController> ParamGroups => _members.SelectMany(m => m.ParamGroups);

    public override IEnumerable<Parameter> parameters() => _members.SelectMany(m => m.parameters());

    public override void zero_grad()
    {
        foreach (var m in _members) m.zero_grad();
    }

    public override Tensor step(Func<Tensor>? closure = null)
    {
        if (closure is not null) throw new NotSupportedException("a chain of optimisers takes no loss closure");
        foreach (var m in _members) m.step();
        return null!;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            foreach (var m in _members) m.Dispose();
        base.Dispose(disposing);
    }
}
