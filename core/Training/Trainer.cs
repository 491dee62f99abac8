using System.Diagnostics;
using Msr.Core.Data;
using Msr.Core.Metrics;
using Msr.Core.Models;
using Msr.Core.Models.Layers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Msr.Core.Training;

/// <summary>Progress callback payload, raised after every epoch.</summary>
public sealed record EpochProgress(int Epoch, int EpochBudget, EpochRecord Record, bool Improved)
{
    /// <summary>The epoch was trained by an earlier process and restored from an epoch checkpoint (reported again on resume).</summary>
    public bool FromCheckpoint { get; init; }
}

/// <summary>Progress inside a training pass, raised after every step (a printer throttles it).</summary>
/// <param name="Batch">1-based batch just finished.</param>
/// <param name="Batches">Batches in this epoch.</param>
/// <param name="Rows">Training rows seen so far in this epoch.</param>
/// <param name="Seconds">Wall seconds since the epoch's training pass began.</param>
public sealed record BatchProgress(int Epoch, int EpochBudget, int Batch, int Batches, long Rows, double Seconds);

/// <summary>
/// Trains a <see cref="ScenarioModel"/> with the reference protocol: Adam with coupled L2 weight
/// decay, per-epoch reshuffling from a seeded generator, BCE on probabilities, optional StepLR,
/// early stopping on validation AUC with deep-copied state, optional epoch checkpoints. It names no model: what a model adds
/// (loss terms, parameter groups, step and epoch callbacks, its stop metric, state kept at restore)
/// comes through <see cref="ScenarioModel"/>'s contract.
/// </summary>
public static class Trainer
{
    /// <param name="checkpoint">When given, the training state is written there after every epoch, and a run that finds
    /// its own checkpoint there continues after the checkpoint's epoch instead of starting over (<see cref="EpochCheckpoint"/>);
    /// the caller deletes the file once the run's result is safe.</param>
    public static TrainingHistory Fit(ScenarioModel model, ScenarioDataset data, DatasetSplit split, TrainerOptions options,
        long seed, Action<EpochProgress>? progress = null, CancellationToken cancel = default, Action<BatchProgress>? batchProgress = null,
        CheckpointFile? checkpoint = null)
    {
        using var optimizer = CreateOptimizer(model, options);
        var scheduler = options.UseStepLr ? optim.lr_scheduler.StepLR(optimizer, options.StepLrStepSize, options.StepLrGamma) : null;
        // The split (DatasetSplit.Random) draws from a generator seeded with the run seed too; a distinct
        // stream for shuffling keeps the epoch order from echoing the split's permutation.
        using var shuffle = new Generator(ShuffleSeed(seed));
        var stopping = new EarlyStopping(options.Patience, options.Monitor ?? model.PreferredStopMetric ?? StopMetric.Auc);
        using var state = new FitState();
        if (checkpoint is not null) EpochCheckpoint.TryResume(checkpoint, model, optimizer, scheduler, shuffle, stopping, state);
        int resumedAfter = state.Epochs.Count;
        ReplayRestored(state.Epochs, stopping.Metric, options.Epochs, progress);

        for (int epoch = resumedAfter + 1; epoch <= options.Epochs && !state.EarlyStopped; epoch++)
        {
            cancel.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            double lr = optimizer.ParamGroups.First().LearningRate;
            var onBatch = batchProgress is null ? null : MakeBatchReporter(batchProgress, epoch, options, split.Train.shape[0], clock);
            long step = state.Step;
            double loss = TrainEpoch(model, data, split.Train, optimizer, options.BatchSize, shuffle, epoch, ref step, cancel, onBatch);
            state.Step = step;
            using (var hook = NewDisposeScope())
                model.OnEpochEnd(new EpochContext(epoch, data, split.Train, options.BatchSize, shuffle));
            double trainSeconds = clock.Elapsed.TotalSeconds;
            scheduler?.step();
            var validation = Evaluate(model, data, split.Validation, options.BatchSize);
            var record = new EpochRecord(epoch, loss, validation.Overall.Auc, validation.Overall.LogLoss,
                trainSeconds, clock.Elapsed.TotalSeconds - trainSeconds, lr, split.Train.shape[0]);
            state.Epochs.Add(record);

            var watched = stopping.Metric == StopMetric.Auc ? validation.Overall.Auc : validation.Overall.LogLoss;
            var (improved, shouldStop) = stopping.Observe(epoch, watched);
            if (improved) state.ReplaceBest(ModelSnapshot.Capture(model, except: model.StateKeptAtRestore));
            state.EarlyStopped = shouldStop;
            if (checkpoint is not null) EpochCheckpoint.Write(checkpoint, model, optimizer, shuffle, stopping, state);
            progress?.Invoke(new EpochProgress(epoch, options.Epochs, record, improved));
        }
        var stop = state.EarlyStopped ? StopReason.EarlyStopping : StopReason.EpochBudget;
        bool restore = state.Best is not null && (stop == StopReason.EarlyStopping || options.RestoreBestAtEnd);
        if (restore) state.Best!.Restore(model);
        return new TrainingHistory([.. state.Epochs], stopping.BestEpoch, stop, restore) { ResumedAfterEpoch = resumedAfter };
    }

    /// <summary>Reports the epochs a checkpoint restored, each marked as a new best where it was one when it ran.</summary>
    static void ReplayRestored(IReadOnlyList<EpochRecord> epochs, StopMetric metric, int budget, Action<EpochProgress>? progress)
    {
        if (progress is null) return;
        var replay = new EarlyStopping(int.MaxValue, metric);
        foreach (var done in epochs)
        {
            var (improved, _) = replay.Observe(done.Epoch, metric == StopMetric.Auc ? done.ValidationAuc : done.ValidationLogLoss);
            progress(new EpochProgress(done.Epoch, budget, done, improved) { FromCheckpoint = true });
        }
    }

    /// <summary>
    /// Adam with coupled L2 (spec §2.3) over the model's parameter groups; a group's own learning rate or
    /// weight decay overrides the trainer's. Parameters in no group are left to the model. With
    /// <c>embedding_updates=lazy</c> the tables of the model's <see cref="FeatureEmbedding"/> layers leave the dense
    /// Adam for a <see cref="LazyEmbeddingAdam"/> with the same group settings, stepped right after it.
    /// </summary>
    internal static optim.Optimizer CreateOptimizer(ScenarioModel model, TrainerOptions options)
    {
        var groups = model.ParameterGroups();
        var seen = new HashSet<IntPtr>();
        foreach (var group in groups)
            foreach (var p in group.Parameters)
                if (!seen.Add(p.Handle))
                    throw new InvalidOperationException($"model '{model.GetName()}': a parameter is in more than one parameter group ('{group.Name}')");
        var layers = options.EmbeddingUpdates == EmbeddingUpdates.Lazy ? model.modules().OfType<FeatureEmbedding>().ToList() : [];
        // History tables are looked up by padded sequences (row 0 must stay zero): only FeatureEmbedding tables update lazily.
        if (options.EmbeddingUpdates == EmbeddingUpdates.Lazy && model.modules().OfType<HistoryEmbedding>().Any())
            throw new InvalidOperationException($"model '{model.GetName()}' embeds behaviour histories, whose tables have no lazy updates " +
                "(embedding_updates=lazy covers the tables of the ordinary sparse features). Use embedding_updates=dense for this model.");
        var tables = layers.SelectMany(l => l.Tables).Select(t => t.Handle).ToHashSet();
        var dense = optim.Adam(AdamGroups(groups, options, p => !tables.Contains(p.Handle)), options.LearningRate,
            beta1: 0.9, beta2: 0.999, eps: 1e-8, weight_decay: options.WeightDecay);
        var lazyGroups = AdamGroups(groups, options, p => tables.Contains(p.Handle));
        return lazyGroups.Count == 0 ? dense : new OptimizerChain(dense, new LazyEmbeddingAdam(layers, lazyGroups));
    }

    /// <summary>The model's groups restricted to the parameters <paramref name="keep"/> selects, as Adam groups (empty groups dropped).</summary>
    static List<TorchSharp.Modules.Adam.ParamGroup> AdamGroups(IReadOnlyList<ParameterGroup> groups, TrainerOptions options, Func<Parameter, bool> keep) =>
        [.. groups.Select(g => (Group: g, Parameters: g.Parameters.Where(keep).ToList())).Where(x => x.Parameters.Count > 0)
            .Select(x => new TorchSharp.Modules.Adam.ParamGroup(x.Parameters, new TorchSharp.Modules.Adam.Options
            {
                LearningRate = x.Group.LearningRate ?? options.LearningRate,
                InitialLearningRate = x.Group.LearningRate ?? options.LearningRate,
                weight_decay = x.Group.WeightDecay ?? options.WeightDecay,
                beta1 = 0.9, beta2 = 0.999, eps = 1e-8,
            }))];

    static Action<int, long> MakeBatchReporter(Action<BatchProgress> report, int epoch, TrainerOptions options, long trainRows, Stopwatch clock)
    {
        int batches = BatchPlan.Count(trainRows, options.BatchSize, mergeSingleRowTail: true);
        return (batch, rows) => report(new BatchProgress(epoch, options.Epochs, batch, batches, rows, clock.Elapsed.TotalSeconds));
    }

    /// <summary>
    /// Seed of the batch-order generator: a fixed, invertible remix of the run seed (SplitMix64 finaliser). Public so
    /// that a harness can replay a run's batch order (experiments/reference-parity/trajectory.fsx).
    /// </summary>
    public static ulong ShuffleSeed(long seed)
    {
        ulong z = (ulong)seed + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    static double TrainEpoch(ScenarioModel model, ScenarioDataset data, Tensor rows, optim.Optimizer optimizer, int batchSize,
        Generator shuffle, int epoch, ref long stepCount, CancellationToken cancel, Action<int, long>? onBatch)
    {
        model.train();
        using var losses = new EpochLoss(epoch, data.Scenario.device);
        int batchIndex = 0;
        foreach (var slice in BatchPlan.Slices(rows, batchSize, shuffle, mergeSingleRowTail: true))
        {
            // Each slice is a fresh view created outside the step's scope: free it here, not in a finalizer.
            using var indices = slice;
            cancel.ThrowIfCancellationRequested();
            using var step = NewDisposeScope();
            var batch = data.Gather(indices);
            var prediction = losses.Checked(model.forward(batch), batchIndex);
            var loss = EpochContext.TaskLoss(prediction, batch.Label);
            var total = loss;
            foreach (var term in model.TakeLossTerms()) total = total + term.Value;
            optimizer.zero_grad();
            total.backward();
            optimizer.step();
            model.OnTrainStepEnd(new TrainStep(epoch, batchIndex, stepCount++));
            losses.Add(loss, batch.Size, batchIndex);
            batchIndex++;
            onBatch?.Invoke(batchIndex, losses.Rows);
        }
        double mean = losses.Mean(batchIndex - 1);
        // The last step may have made the weights non-finite after a finite loss; evaluation would then
        // fail on NaN scores, so catch it here as divergence.
        using (var check = NewDisposeScope())
            if (!stack(model.parameters().Select(p => p.isfinite().all())).all().item<bool>())
                throw new TrainingDivergedException(epoch, batchIndex - 1, double.NaN);
        return mean;
    }

    /// <summary>
    /// The epoch's mean training loss and the divergence check. On the CPU every step is checked at once (reading a
    /// CPU tensor costs nothing). On a GPU a read is a host synchronisation that stalls the pipeline, so the sum and a
    /// finiteness flag stay on the device and are read once, at the end of the epoch; a NaN prediction is fed to the
    /// loss as 0.5 meanwhile, because CUDA's BCE would otherwise abort the process on an input outside [0, 1].
    /// </summary>
    sealed class EpochLoss(int epoch, Device device) : IDisposable
    {
        readonly bool _deferred = device.type != DeviceType.CPU;
        readonly Tensor _sum = zeros(1, ScalarType.Float64, device).DetachFromDisposeScope();
        readonly Tensor _finite = ones(1, ScalarType.Bool, device).DetachFromDisposeScope();
        double _hostSum;

        public long Rows { get; private set; }

        public Tensor Checked(Tensor prediction, int batch)
        {
            if (!_deferred)
            {
                // Diverged weights give NaN probabilities, which binary_cross_entropy rejects with a native
                // error ("all elements of input should be between 0 and 1"): report them as divergence instead.
                if (!prediction.isfinite().all().item<bool>()) throw new TrainingDivergedException(epoch, batch, double.NaN);
                return prediction;
            }
            _finite.logical_and_(prediction.isfinite().all());
            return prediction.nan_to_num(0.5);
        }

        public void Add(Tensor loss, long rows, int batch)
        {
            Rows += rows;
            if (_deferred)
            {
                _sum.add_(loss.detach().to_type(ScalarType.Float64) * rows);
                return;
            }
            double value = loss.item<float>();
            if (!double.IsFinite(value)) throw new TrainingDivergedException(epoch, batch, value);
            _hostSum += value * rows;
        }

        public double Mean(int lastBatch)
        {
            if (Rows == 0) return double.NaN;
            if (!_deferred) return _hostSum / Rows;
            double sum = _sum.item<double>();
            if (!_finite.item<bool>() || !double.IsFinite(sum)) throw new TrainingDivergedException(epoch, lastBatch, double.NaN);
            return sum / Rows;
        }

        public void Dispose()
        {
            _sum.Dispose();
            _finite.Dispose();
        }
    }

    /// <summary>Predicted click probabilities for <paramref name="rows"/>, in row order, in evaluation mode.</summary>
    public static double[] Predict(ScenarioModel model, ScenarioDataset data, Tensor rows, int batchSize)
    {
        model.eval();
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        // Batches stay on the model's device and are copied to the host once (one synchronisation, not one per batch).
        var batches = new List<Tensor>();
        foreach (var slice in BatchPlan.Slices(rows, batchSize))
        {
            using var indices = slice;
            // Each batch's intermediates are freed before the next batch runs, so the allocator reuses their memory
            // instead of faulting in fresh pages; only the (B) predictions live on to the end.
            using var batchScope = NewDisposeScope();
            batches.Add(model.forward(data.Gather(indices)).MoveToOuterDisposeScope());
        }
        if (batches.Count == 0) return [];
        return cat(batches, 0).to_type(ScalarType.Float64).cpu().data<double>().ToArray();
    }

    /// <summary>Overall and per-scenario metrics of the model on <paramref name="rows"/>; GAUC too when the schema
    /// declares a user feature.</summary>
    public static Evaluation Evaluate(ScenarioModel model, ScenarioDataset data, Tensor rows, int batchSize) =>
        Score(data, rows, Predict(model, data, rows, batchSize));

    /// <summary>Overall and per-scenario metrics of <paramref name="predictions"/> (in the order of <paramref name="rows"/>, as
    /// <see cref="Predict"/> returns them); apart from <see cref="Evaluate"/> so that inference can be timed without the metrics.</summary>
    public static Evaluation Score(ScenarioDataset data, Tensor rows, double[] predictions)
    {
        using var scope = NewDisposeScope();
        var labels = data.Label.index_select(0, rows).cpu().data<float>().ToArray();
        var scenarios = data.Scenario.index_select(0, rows).cpu().data<long>().ToArray();
        long[]? users = data.Schema.UserFeature is { } user
            ? data.Sparse.select(1, data.Schema.SparseIndex(user)).index_select(0, rows).to_type(ScalarType.Int64).cpu().data<long>().ToArray()
            : null;
        return Evaluation.Compute(predictions, labels, scenarios, data.Schema.ScenarioNames, users);
    }
}
