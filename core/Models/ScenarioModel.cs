using Msr.Core.Data;
using Msr.Core.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Msr.Core.Models;

/// <summary>What a model is built for: the dataset schema and the per-dataset hyper-parameter preset.</summary>
/// <param name="Schema">Features and scenarios of the dataset.</param>
/// <param name="Preset">Column of the spec's hyper-parameter tables (see <see cref="Presets"/>); unknown names are an error.</param>
public sealed record ModelContext(DatasetSchema Schema, string Preset = Presets.MovieLens)
{
    public string Preset { get; } = Presets.Normalize(Preset);

    public int ScenarioCount => Schema.ScenarioCount;

    /// <summary>Picks the preset's value from a per-dataset table (falls back to the MovieLens column).</summary>
    public T ForPreset<T>(IReadOnlyDictionary<string, T> table) =>
        table.TryGetValue(Preset, out var v) ? v : table[Presets.MovieLens];
}

/// <summary>A named term a model adds to its training loss (a regulariser, a contrastive loss).</summary>
public sealed record LossTerm(string Name, Tensor Value);

/// <summary>
/// Parameters the main optimiser steps with their own settings. A null learning rate or weight decay
/// takes the trainer's. A parameter in no group is not stepped by the main optimiser at all.
/// </summary>
public sealed record ParameterGroup(string Name, IReadOnlyList<Parameter> Parameters, double? LearningRate = null, double? WeightDecay = null);

/// <summary>
/// A multi-scenario CTR model: maps a batch to click probabilities of shape (B) in (0, 1).
/// Every model applies the sigmoid itself (spec §1.5).
/// </summary>
/// <remarks>
/// The trainer talks to a model only through this class and names no model. What a model may
/// declare beyond <c>forward</c>, each with a default that gives the reference protocol:
/// <list type="bullet">
/// <item>extra loss terms, added during a training forward with <see cref="AddLoss"/>;</item>
/// <item>parameter groups for the main optimiser (<see cref="ParameterGroups"/>);</item>
/// <item>callbacks after each training step and after each epoch's training pass (<see cref="OnTrainStepEnd"/>,
/// <see cref="OnEpochEnd"/>: the place for a second optimiser the model owns);</item>
/// <item>the validation metric it is meant to be early-stopped on (<see cref="PreferredStopMetric"/>);</item>
/// <item>state that early stopping leaves at its latest value (<see cref="StateKeptAtRestore"/>);</item>
/// <item>training state outside its parameters and buffers, for epoch checkpoints (<see cref="SaveTrainingState"/>).</item>
/// </list>
/// Where state lives decides what happens to it: parameters and persistent buffers are saved with the
/// weights and snapshotted for early stopping; a persistent buffer named in <see cref="StateKeptAtRestore"/>
/// is saved but not rolled back; a non-persistent buffer follows the module to a device and is neither.
/// </remarks>
public abstract class ScenarioModel : nn.Module<ScenarioBatch, Tensor>
{
    readonly List<LossTerm> _lossTerms = [];

    protected ScenarioModel(string name) : base(name) { }

    /// <summary>
    /// Run every scenario branch on every row wherever <see cref="Layers.ScenarioMerge.Route"/> is used, the reference's
    /// compute-all form, instead of each branch on its own scenario's rows where that gives the same numbers (evaluation;
    /// and training too for branches without batch statistics): the same predictions and gradients up to float
    /// rounding, slower. For checks of that equality.
    /// </summary>
    public bool EveryBranchOnEveryRow { get; set; }

    /// <summary>
    /// Whether a branch that normalises with batch statistics (BatchNorm) runs on every row in this forward: always in
    /// training, where its statistics must see the whole batch as the reference's do (spec §1.6); in evaluation only
    /// with <see cref="EveryBranchOnEveryRow"/>.
    /// </summary>
    protected bool EveryRow => training || EveryBranchOnEveryRow;

    /// <summary>
    /// Whether a row-wise branch (no batch statistics: each row's output depends on that row alone, so the rows of other
    /// scenarios change neither its outputs nor its gradients) runs on every row: only with
    /// <see cref="EveryBranchOnEveryRow"/>. The reference computes such branches on every row too and discards S − 1 of
    /// every S outputs; routing gives its numbers up to rounding.
    /// </summary>
    protected bool EveryRowForRowWiseBranches => EveryBranchOnEveryRow;

    /// <summary>Number of elements of all registered parameters (embeddings included, buffers excluded).</summary>
    public long ParameterCount => parameters().Sum(p => p.numel());

    /// <summary>Adds a term to this training step's loss; ignored in evaluation mode (the validation loss stays the BCE).</summary>
    protected void AddLoss(string name, Tensor value)
    {
        if (training) _lossTerms.Add(new LossTerm(name, value));
    }

    /// <summary>The terms added since the last call (the trainer takes them after every forward).</summary>
    public IReadOnlyList<LossTerm> TakeLossTerms()
    {
        if (_lossTerms.Count == 0) return [];
        var terms = _lossTerms.ToArray();
        _lossTerms.Clear();
        return terms;
    }

    /// <summary>Groups of the main optimiser; by default one group of every parameter with the trainer's settings.</summary>
    public virtual IReadOnlyList<ParameterGroup> ParameterGroups() => [new ParameterGroup("all", [.. parameters()])];

    /// <summary>Called after every optimiser step of the training pass.</summary>
    public virtual void OnTrainStepEnd(TrainStep step) { }

    /// <summary>Called after each epoch's training pass, before validation.</summary>
    public virtual void OnEpochEnd(EpochContext context) { }

    /// <summary>The metric early stopping watches when the run does not say (null: validation AUC, as the reference).</summary>
    public virtual StopMetric? PreferredStopMetric => null;

    /// <summary>
    /// Writes what training needs to continue that is neither a parameter nor a buffer (a second optimiser's
    /// moments), into an epoch checkpoint; <see cref="LoadTrainingState"/> reads it back into a model built with the
    /// same configuration. A resumed run must equal an uninterrupted one, so any such state a model keeps belongs here.
    /// </summary>
    public virtual void SaveTrainingState(BinaryWriter writer) { }

    /// <summary>Reads what <see cref="SaveTrainingState"/> wrote.</summary>
    public virtual void LoadTrainingState(BinaryReader reader) { }

    /// <summary>State-dict keys of buffers that restoring the best snapshot leaves at their latest value (spec §2.6).</summary>
    public virtual IReadOnlyCollection<string> StateKeptAtRestore => [];
}
